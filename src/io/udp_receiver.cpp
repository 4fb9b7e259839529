#include "io/udp_receiver.hpp"

#include <fmt/format.h>

#include <vector>

#include "core/error.hpp"
#include "io/asio.hpp"

namespace skyfuse::io {

namespace asio = boost::asio;
using asio::ip::udp;

struct UdpReceiver::Impl {
  UdpConfig cfg;
  asio::io_context ctx;
  udp::socket socket{ctx};
  std::vector<std::uint8_t> buffer;
};

UdpReceiver::UdpReceiver(UdpConfig cfg) : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.cfg = std::move(cfg);
  m.buffer.resize(m.cfg.max_datagram + 1);  // one spare byte detects truncation
  boost::system::error_code ec;
  const bool multicast = !m.cfg.group.empty();
  asio::ip::address listen =
      asio::ip::make_address(multicast ? std::string("0.0.0.0") : m.cfg.bind_address, ec);
  if (ec) throw ConfigError(fmt::format("udp: bad bind address '{}'", m.cfg.bind_address));
  const udp::endpoint ep(listen, m.cfg.port);
  m.socket.open(ep.protocol(), ec);
  if (ec) throw ConfigError(fmt::format("udp: cannot open a socket: {}", ec.message()));
  m.socket.set_option(asio::socket_base::reuse_address(true), ec);
  m.socket.bind(ep, ec);
  if (ec)
    throw ConfigError(
        fmt::format("udp: cannot bind {}:{}: {}", listen.to_string(), m.cfg.port, ec.message()));
  if (multicast) {
    const auto group = asio::ip::make_address(m.cfg.group, ec);
    if (ec || !group.is_v4() || !group.is_multicast())
      throw ConfigError(fmt::format("udp: '{}' is not an IPv4 multicast group", m.cfg.group));
    asio::ip::address_v4 iface = asio::ip::address_v4::any();
    if (!m.cfg.interface_address.empty()) {
      const auto a = asio::ip::make_address(m.cfg.interface_address, ec);
      if (ec || !a.is_v4())
        throw ConfigError(fmt::format("udp: bad interface address '{}'", m.cfg.interface_address));
      iface = a.to_v4();
    }
    m.socket.set_option(asio::ip::multicast::join_group(group.to_v4(), iface), ec);
    if (ec)
      throw ConfigError(fmt::format("udp: cannot join {} on {}: {}", m.cfg.group, iface.to_string(),
                                    ec.message()));
  }
}

UdpReceiver::~UdpReceiver() = default;

std::uint16_t UdpReceiver::port() const { return impl_->socket.local_endpoint().port(); }

void UdpReceiver::stop() {
  asio::post(impl_->ctx, [this] { impl_->ctx.stop(); });
}

UdpStats UdpReceiver::run_for(std::chrono::steady_clock::duration duration, const Sink& sink) {
  Impl& m = *impl_;
  UdpStats stats;
  udp::endpoint sender;
  asio::steady_timer deadline(m.ctx);
  deadline.expires_after(duration);
  deadline.async_wait([&](const boost::system::error_code& ec) {
    if (!ec) m.ctx.stop();
  });
  std::function<void()> receive = [&] {
    m.socket.async_receive_from(
        asio::buffer(m.buffer), sender, [&](const boost::system::error_code& ec, std::size_t n) {
          if (ec == asio::error::operation_aborted) return;
          if (ec) {
            ++stats.errors;
          } else {
            ++stats.datagrams;
            stats.bytes += n;
            if (n > m.cfg.max_datagram) {
              ++stats.truncated;
              n = m.cfg.max_datagram;
            }
            sink(std::span<const std::uint8_t>(m.buffer.data(), n),
                 fmt::format("{}:{}", sender.address().to_string(), sender.port()));
          }
          receive();
        });
  };
  receive();
  m.ctx.restart();
  m.ctx.run();
  m.socket.cancel();
  m.ctx.restart();
  m.ctx.poll();
  return stats;
}

}  // namespace skyfuse::io
