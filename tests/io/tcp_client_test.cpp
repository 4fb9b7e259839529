// The receiver-feed TCP client on loopback: a server that drops the connection
// mid-stream, and a port where nobody listens.
#include "io/tcp_client.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <thread>
#include <utility>

#include "decode/modes/decoder.hpp"
#include "decode/modes/framing.hpp"
#include "io/asio.hpp"

namespace skyfuse::io {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

std::vector<std::uint8_t> capture() {
  std::ifstream in(std::string(SKYFUSE_SOURCE_DIR) +
                       "/data/adsb/ulss7-beast-bin-utc--1522782148.136310917--.log",
                   std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(TcpFeedClient, ReconnectsAfterTheServerDropsAndKeepsDecoding) {
  const auto data = capture();
  ASSERT_GT(data.size(), 200000u);
  asio::io_context server_ctx;
  tcp::acceptor acceptor(server_ctx, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const auto port = acceptor.local_endpoint().port();
  const std::size_t half = data.size() / 2 + 7;  // cut in the middle of a frame
  std::thread server([&] {
    for (int conn = 0; conn < 2; ++conn) {
      tcp::socket s(server_ctx);
      acceptor.accept(s);
      const std::size_t from = conn == 0 ? 0 : half, to = conn == 0 ? half : data.size();
      asio::write(s, asio::buffer(data.data() + from, to - from));
      s.shutdown(tcp::socket::shutdown_both);
      s.close();
    }
  });
  TcpFeedClient client(
      {.host = "127.0.0.1", .port = port, .initial_backoff_s = 0.05, .max_backoff_s = 0.2});
  decode::modes::Decoder dec;
  auto beast = std::make_unique<decode::modes::BeastStream>();
  long frames = 0, framing_errors = 0, positions = 0;
  std::uint64_t received = 0;
  auto sink = [&](std::span<const std::uint8_t> bytes) {
    received += bytes.size();
    beast->feed(bytes, [&](const decode::modes::RawFrame& f) {
      ++frames;
      positions += dec.decode(f, Time{static_cast<std::int64_t>(f.counter_12mhz * 1000 / 12)})
                       .position.has_value();
    });
    if (received == data.size()) client.stop();
  };
  auto on_state = [&](bool connected) {
    if (!connected) {  // a cut frame cannot continue on the next connection
      beast->finish();
      framing_errors += beast->stats().errors;
      beast = std::make_unique<decode::modes::BeastStream>();
    }
  };
  const TcpFeedStats st = client.run_for(std::chrono::seconds(20), sink, on_state);
  server.join();
  EXPECT_EQ(st.connects, 2);
  EXPECT_EQ(st.bytes, data.size());
  EXPECT_GE(st.disconnects, 1);
  EXPECT_GE(frames, 13954 - 2);  // at most the frame cut by the drop (and the one it hid) is lost
  EXPECT_LE(framing_errors, 2);
  EXPECT_GE(positions, 1440);
}

TEST(TcpFeedClient, BacksOffExponentiallyWhileNobodyListens) {
  asio::io_context ctx;
  tcp::acceptor probe(ctx, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const auto port = probe.local_endpoint().port();
  probe.close();  // now nothing listens on that port
  TcpFeedClient client(
      {.host = "127.0.0.1", .port = port, .initial_backoff_s = 0.1, .max_backoff_s = 0.4});
  const TcpFeedStats st =
      client.run_for(std::chrono::milliseconds(1500), [](std::span<const std::uint8_t>) {});
  EXPECT_EQ(st.connects, 0);
  // Attempts at about 0, 0.1, 0.3, 0.7, 1.1 s: waits 0.1, 0.2, 0.4, 0.4 (capped).
  EXPECT_GE(st.failed_attempts, 3);
  EXPECT_LE(st.failed_attempts, 6);
  EXPECT_DOUBLE_EQ(st.last_backoff_s, 0.4);
}

}  // namespace
}  // namespace skyfuse::io
