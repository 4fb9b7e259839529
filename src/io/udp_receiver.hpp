// File: io/udp_receiver.hpp
//
// Live ASTERIX over UDP (how radars, ADS-B ground stations and trackers send
// it): unicast on a port and local address, or multicast, joining `group` on
// the interface whose IPv4 address is `interface_address`; optionally bound to
// one network device (SO_BINDTODEVICE) and restricted to senders in
// `allow_from` (addresses or prefixes; others are dropped and counted). Every
// datagram goes to the callback with its sender; nothing is lost silently: a
// datagram larger than the buffer is counted as truncated, and the kernel's own
// count of datagrams it dropped because the receive buffer was full is read
// from the socket (SO_MEMINFO; SO_RXQ_OVFL with each datagram as a fallback).
// `receive_buffer_bytes` asks for a larger receive buffer (SO_RCVBUFFORCE when allowed, else up to
// the system's rmem_max); receive_buffer() says what the kernel gave. Linux, Boost.Asio.
//
//   io::UdpReceiver rx({.port = 8600, .group = "239.1.2.3", .interface_address = "10.0.0.5",
//                       .allow_from = {"10.0.0.0/24"}, .receive_buffer_bytes = 8 << 20});
//   rx.run_for(std::chrono::seconds(60), [&](std::span<const std::uint8_t> d, const std::string&
//   from) { dec.decode_stream(d, 0, sink); });
//   std::uint64_t lost = rx.kernel_drops();  // any thread
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace skyfuse::io {

struct UdpConfig {
  std::uint16_t port = 8600;
  std::string bind_address = "0.0.0.0";  // unicast: the local address to listen on
  std::string group;                     // multicast group to join (empty: unicast)
  std::string interface_address;         // multicast: local interface's IPv4 address
  std::size_t max_datagram = 65536;
  std::string device;                   // network interface name ("" any; needs CAP_NET_RAW)
  std::vector<std::string> allow_from;  // sender addresses or prefixes ("" list: any)
  int receive_buffer_bytes = 0;         // SO_RCVBUF request (0: the system default)
};

struct UdpStats {
  long datagrams = 0;
  std::uint64_t bytes = 0;
  long truncated = 0;  // larger than max_datagram
  long errors = 0;     // receive errors (counted, receiving goes on)
  long filtered = 0;   // from senders not in allow_from (dropped)
};

class UdpReceiver {
 public:
  using Sink = std::function<void(std::span<const std::uint8_t>, const std::string& sender)>;

  // Opens and binds the socket (and joins the group): throws ConfigError with
  // the reason (address in use, no such interface or device, bad group or
  // prefix).
  explicit UdpReceiver(UdpConfig cfg);
  ~UdpReceiver();
  UdpReceiver(const UdpReceiver&) = delete;
  UdpReceiver& operator=(const UdpReceiver&) = delete;

  // The bound port (useful with port 0 in tests).
  std::uint16_t port() const;
  // The receive buffer the kernel granted (bytes, as getsockopt reports it).
  int receive_buffer() const;

  // Receives until `duration` has passed or stop() is called.
  UdpStats run_for(std::chrono::steady_clock::duration duration, const Sink& sink);
  void stop();

  // Datagrams the kernel dropped on this socket since it was opened (its
  // receive buffer was full); safe to read from any thread.
  std::uint64_t kernel_drops() const;
  // Datagrams dropped because their sender is not allowed; any thread.
  std::uint64_t filtered() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace skyfuse::io
