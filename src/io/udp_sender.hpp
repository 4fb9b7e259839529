// File: io/udp_sender.hpp
//
// Sends datagrams (ASTERIX data blocks: CAT062 / CAT065 system tracks) to one
// unicast or multicast address. Send failures are counted, never thrown after
// construction. Boost.Asio.
//
//   io::UdpSender tx("127.0.0.1", 8700);
//   tx.send(block);
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace skyfuse::io {

class UdpSender {
 public:
  // Throws ConfigError for an address that does not parse.
  UdpSender(const std::string& host, std::uint16_t port);
  ~UdpSender();
  UdpSender(const UdpSender&) = delete;
  UdpSender& operator=(const UdpSender&) = delete;

  void send(std::span<const std::uint8_t> datagram);
  std::uint64_t sent() const;
  std::uint64_t errors() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace skyfuse::io
