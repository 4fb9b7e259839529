// File: record/asterix_export.hpp
//
// ASTERIX data blocks written as the two containers ASTERIX tools read:
//
//   pcap   classic libpcap (magic a1b2c3d4, microseconds, link type 1):
//          per datagram an Ethernet II frame, IPv4 (no options, DF, TTL 64,
//          header checksum), UDP (checksum 0: none, allowed over IPv4), the
//          payload as given. Wireshark / tshark and COMPASS read it.
//   FINAL  per frame an 8-byte header, length(2) board(1) line(1) day(1)
//          time(3, 1/100 s of the UTC day), the blocks, then A5A5A5A5; the
//          length counts all of it (the layout decode/asterix/framing.hpp reads).
//
// All multi-byte fields are big-endian except pcap's own headers (written
// little-endian, as its magic says). A payload too large for its container
// (a UDP datagram over IPv4: 65,507 bytes; a FINAL frame: 65,523) is refused
// (write() returns false, nothing written): the caller counts it.
//
//   std::ofstream f("out.pcap", std::ios::binary);
//   PcapWriter w(f);
//   w.write(t, {.src_ip = {10, 1, 20, 1}, .dst_ip = {127, 0, 0, 1}, .dst_port = 8600}, block);
#pragma once

#include <array>
#include <cstdint>
#include <ostream>
#include <span>

#include "core/time.hpp"

namespace skyfuse::record {

struct UdpEndpoints {
  std::array<std::uint8_t, 4> src_ip{10, 0, 0, 1};
  std::array<std::uint8_t, 4> dst_ip{127, 0, 0, 1};
  std::uint16_t src_port = 40000;
  std::uint16_t dst_port = 8600;  // Wireshark's ASTERIX port
};

class PcapWriter {
 public:
  static constexpr std::size_t kMaxPayload = 65535 - 20 - 8;
  explicit PcapWriter(std::ostream& out);  // writes the file header
  // One datagram captured at `t` (Unix time; microseconds kept).
  bool write(Time t, const UdpEndpoints& ep, std::span<const std::uint8_t> payload);

 private:
  std::ostream& out_;
  std::uint16_t ip_id_ = 0;
};

class FinalWriter {
 public:
  static constexpr std::size_t kMaxPayload = 65535 - 12;
  explicit FinalWriter(std::ostream& out) : out_(out) {}
  // One frame: `day` the UTC day of the month of `t`, `time` its time of day.
  bool write(Time t, std::uint8_t board, std::uint8_t line, std::span<const std::uint8_t> blocks);

 private:
  std::ostream& out_;
};

}  // namespace skyfuse::record
