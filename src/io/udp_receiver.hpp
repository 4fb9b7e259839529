// File: io/udp_receiver.hpp
//
// Live ASTERIX over UDP (how radars, ADS-B ground stations and trackers send
// it): unicast on a port, or multicast, joining `group` on the interface whose
// IPv4 address is `interface_address` (default: the system's choice). Every
// datagram goes to the callback with its sender; nothing is lost silently: a
// datagram larger than the buffer is counted as truncated. Boost.Asio.
//
//   io::UdpReceiver rx({.port = 8600, .group = "239.1.2.3", .interface_address = "10.0.0.5"});
//   rx.run_for(std::chrono::seconds(60), [&](std::span<const std::uint8_t> d, const std::string&
//   from) { dec.decode_stream(d, 0, sink); });
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

namespace skyfuse::io {

struct UdpConfig {
  std::uint16_t port = 8600;
  std::string bind_address = "0.0.0.0";  // unicast: the local address to listen on
  std::string group;                     // multicast group to join (empty: unicast)
  std::string interface_address;         // multicast: local interface's IPv4 address
  std::size_t max_datagram = 65536;
};

struct UdpStats {
  long datagrams = 0;
  std::uint64_t bytes = 0;
  long truncated = 0;  // larger than max_datagram
  long errors = 0;     // receive errors (counted, receiving goes on)
};

class UdpReceiver {
 public:
  using Sink = std::function<void(std::span<const std::uint8_t>, const std::string& sender)>;

  // Opens and binds the socket (and joins the group): throws ConfigError with
  // the reason (address in use, no such interface, bad group address).
  explicit UdpReceiver(UdpConfig cfg);
  ~UdpReceiver();
  UdpReceiver(const UdpReceiver&) = delete;
  UdpReceiver& operator=(const UdpReceiver&) = delete;

  // The bound port (useful with port 0 in tests).
  std::uint16_t port() const;

  // Receives until `duration` has passed or stop() is called.
  UdpStats run_for(std::chrono::steady_clock::duration duration, const Sink& sink);
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace skyfuse::io
