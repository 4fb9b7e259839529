// File: decode/asterix/framing.hpp
//
// Containers of ASTERIX data blocks: FINAL/IOSS recordings (.ff: per frame an
// 8-byte header [length(2) board line day time(3, 1/100 s)], the block(s),
// 4 padding bytes A5A5A5A5; the length counts all of it) and packet captures
// (classic libpcap and pcapng; Ethernet, Linux cooked or raw IP; IPv4 UDP
// payloads), CroatiaControl's GPS recordings, and ORADIS frames inside a
// payload. Each yields
// the ASTERIX payload with its byte offset in the file; bad frames are counted
// and skipped.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace skyfuse::decode::asterix {

struct Payload {
  std::span<const std::uint8_t> bytes;
  std::int64_t offset = 0;    // of bytes[0] in the file
  double time_of_day_s = -1;  // FINAL header time, -1 if none
};

struct FramingStats {
  long frames = 0;
  long errors = 0;
  std::vector<std::string> messages;
  void error(std::int64_t offset, const std::string& what);
};

void read_final(std::span<const std::uint8_t> file, const std::function<void(const Payload&)>& sink,
                FramingStats& stats);
void read_pcap(std::span<const std::uint8_t> file, const std::function<void(const Payload&)>& sink,
               FramingStats& stats);

// The "GPS" recordings of CroatiaControl's tools: a 2200-byte file header, then
// each data block followed by 10 bytes of GPS time stamp.
void read_gps(std::span<const std::uint8_t> file, const std::function<void(const Payload&)>& sink,
              FramingStats& stats);

// ORADIS: a payload (e.g. of a UDP datagram) made of frames, each a 6-byte
// header whose first two octets are the frame length (header included), then
// data blocks. Calls `sink` with each frame's blocks; a bad length is counted
// and ends the payload.
void split_oradis(const Payload& payload, const std::function<void(const Payload&)>& sink,
                  FramingStats& stats);

}  // namespace skyfuse::decode::asterix
