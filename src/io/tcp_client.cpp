#include "io/tcp_client.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <memory>

#include "io/asio.hpp"

namespace skyfuse::io {

namespace asio = boost::asio;
using asio::ip::tcp;

TcpFeedClient::TcpFeedClient(TcpFeedConfig cfg) : cfg_(std::move(cfg)) {}

void TcpFeedClient::stop() {
  stop_requested_ = true;
  if (stop_) stop_();
}

TcpFeedStats TcpFeedClient::run_for(std::chrono::steady_clock::duration duration, const Sink& sink,
                                    const StateSink& on_state, const FailureSink& on_failure) {
  asio::io_context ctx;
  TcpFeedStats stats;
  tcp::socket socket(ctx);
  asio::steady_timer retry(ctx), deadline(ctx), connect_timer(ctx);
  tcp::resolver resolver(ctx);
  std::array<std::uint8_t, 65536> buf{};
  double backoff = cfg_.initial_backoff_s;
  bool delivered = false;
  bool connected = false;
  stop_requested_ = false;
  stop_ = [&ctx] { asio::post(ctx, [&ctx] { ctx.stop(); }); };

  std::function<void()> connect;
  std::function<void()> read;
  auto schedule_retry = [&] {
    if (delivered) backoff = cfg_.initial_backoff_s;  // the last connection worked
    delivered = false;
    stats.last_backoff_s = backoff;
    retry.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(backoff)));
    backoff = std::min(backoff * 2, cfg_.max_backoff_s);
    retry.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) connect();
    });
  };
  auto failed = [&](std::string reason) {
    ++stats.failed_attempts;
    stats.last_error = std::move(reason);
    schedule_retry();
    if (on_failure) on_failure(stats.last_error, stats.last_backoff_s);
  };
  auto drop = [&] {
    boost::system::error_code ignore;
    socket.close(ignore);
    if (connected) {
      connected = false;
      ++stats.disconnects;
      if (on_state) on_state(false);
    }
    schedule_retry();
  };
  read = [&] {
    socket.async_read_some(asio::buffer(buf),
                           [&](const boost::system::error_code& ec, std::size_t n) {
                             if (ec) {
                               drop();
                               return;
                             }
                             stats.bytes += n;
                             delivered = true;
                             sink(std::span<const std::uint8_t>(buf.data(), n));
                             if (!stop_requested_) read();
                           });
  };
  connect = [&] {
    boost::system::error_code ec;
    const auto endpoints = resolver.resolve(cfg_.host, std::to_string(cfg_.port), ec);
    if (ec) {
      failed("cannot resolve " + cfg_.host + ": " + ec.message());
      return;
    }
    connect_timer.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(cfg_.connect_timeout_s)));
    connect_timer.async_wait([&](const boost::system::error_code& tec) {
      if (!tec) {
        boost::system::error_code ignore;
        socket.cancel(ignore);
      }
    });
    asio::async_connect(
        socket, endpoints, [&](const boost::system::error_code& cec, const tcp::endpoint&) {
          connect_timer.cancel();
          if (cec) {
            boost::system::error_code ignore;
            socket.close(ignore);
            failed(cec == asio::error::operation_aborted
                       ? fmt::format("no answer within {} s", cfg_.connect_timeout_s)
                       : cec.message());
            return;
          }
          ++stats.connects;
          connected = true;
          if (on_state) on_state(true);
          read();
        });
  };

  deadline.expires_after(duration);
  deadline.async_wait([&](const boost::system::error_code& ec) {
    if (!ec) ctx.stop();
  });
  connect();
  ctx.run();
  stop_ = nullptr;
  if (connected) {
    ++stats.disconnects;
    if (on_state) on_state(false);
  }
  return stats;
}

}  // namespace skyfuse::io
