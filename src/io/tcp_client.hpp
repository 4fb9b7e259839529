// File: io/tcp_client.hpp
//
// A TCP client for receiver feeds (Beast on port 30005, AVR on 30002, SBS on
// 30003): connects, hands every received chunk to a callback, and when the
// connection fails or drops, reconnects with exponential back-off (doubling
// from `initial_backoff_s` up to `max_backoff_s`, reset after a connection
// that delivered data). Boost.Asio; the one place here that uses the wall
// clock, which only paces reconnection.
//
//   io::TcpFeedClient client({.host = "127.0.0.1", .port = 30005});
//   client.run_for(std::chrono::seconds(60), [&](std::span<const std::uint8_t> b) { beast.feed(b,
//   sink); });
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <span>
#include <string>

namespace skyfuse::io {

struct TcpFeedConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 30005;
  double initial_backoff_s = 0.5;
  double max_backoff_s = 30;
  double connect_timeout_s = 5;
};

struct TcpFeedStats {
  long connects = 0;         // successful connections
  long failed_attempts = 0;  // refused, unreachable or timed out
  long disconnects = 0;      // connections that ended (EOF or error)
  std::uint64_t bytes = 0;
  double last_backoff_s = 0;  // the most recent wait before a retry
  std::string last_error;     // why the last attempt failed ("Connection refused", ...)
};

class TcpFeedClient {
 public:
  using Sink = std::function<void(std::span<const std::uint8_t>)>;
  // Called at each connection (true) and disconnection (false): a framing
  // stream should be reset on reconnect, as a cut frame cannot continue.
  using StateSink = std::function<void(bool connected)>;
  // Called at each failed connection attempt: why, and the wait before the next.
  using FailureSink = std::function<void(const std::string& reason, double backoff_s)>;

  explicit TcpFeedClient(TcpFeedConfig cfg);

  // Runs until `duration` has passed or stop() is called (from the sink or
  // another thread); returns the statistics so far.
  TcpFeedStats run_for(std::chrono::steady_clock::duration duration, const Sink& sink,
                       const StateSink& on_state = {}, const FailureSink& on_failure = {});
  void stop();

 private:
  TcpFeedConfig cfg_;
  std::function<void()> stop_;
  bool stop_requested_ = false;
};

}  // namespace skyfuse::io
