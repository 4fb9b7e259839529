// File: decode/asterix/framing.hpp
//
// Containers of ASTERIX data blocks: FINAL/IOSS recordings (.ff: per frame an
// 8-byte header [length(2) board line day time(3, 1/100 s)], the block(s),
// 4 padding bytes A5A5A5A5; the length counts all of it) and packet captures
// (classic libpcap and pcapng: see UdpFromFrames for the link layers and IP),
// CroatiaControl's GPS recordings, and ORADIS frames inside a payload. Each
// yields the ASTERIX payload with its byte offset in the file; bad frames are
// counted and skipped. A payload's bytes are valid only during the sink's call.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
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
  long skipped = 0;      // captured packets that carry no UDP (ARP, TCP, ICMP, ...)
  long reassembled = 0;  // UDP datagrams put together from IP fragments
  long other_port = 0;   // UDP datagrams to another port than the one asked for
  std::vector<std::string> messages;
  void error(std::int64_t offset, const std::string& what);
};

// The UDP payloads of captured link-layer frames, as operational captures
// have them: Ethernet (with 802.1Q / 802.1ad VLAN tags, stacked too), Linux
// cooked v1 and v2 (`tcpdump -i any`), BSD and OpenBSD loopback, raw IP;
// IPv4 and IPv6 (extension headers skipped). IP fragments are put together
// again (at most 256 datagrams pending and 256 fragments each, given up,
// counted, when 4,096 frames pass without the last; an exact duplicate
// fragment is taken once, as tshark does; an overlap drops its datagram,
// counted once). Packets without UDP are counted in
// `skipped`; damage is counted as an error with its offset. A reassembled
// payload's offset is its first fragment's.
class UdpFromFrames {
 public:
  // `port`: only datagrams to this UDP port are given (0: every one); the
  // others are counted in `other_port`.
  UdpFromFrames(const std::function<void(const Payload&)>& sink, FramingStats& stats,
                std::uint16_t port = 0)
      : sink_(sink), stats_(stats), port_(port) {}
  static bool supported(std::uint32_t linktype);
  // One captured frame of the given pcap link type at `offset` in the file
  // (cut by the capture's snap length when its IP header says it is longer).
  void frame(const std::uint8_t* pkt, std::size_t n, std::uint32_t linktype, std::int64_t offset);
  // A pcapng interface block too short to name its link type (its packets skipped).
  static constexpr std::uint32_t kNoLinkType = 0xFFFFFFFFu;
  // At the end of the capture: datagrams still missing fragments are counted.
  void finish();

 private:
  using Key = std::array<std::uint8_t, 37>;  // version, addresses, identification
  struct Partial {
    Key key{};
    std::uint8_t proto = 0;
    std::vector<std::uint8_t> data;
    std::vector<std::pair<std::size_t, std::size_t>> have;
    std::size_t total = 0, received = 0;
    std::int64_t offset = 0;
    long first_frame = 0;
  };
  void ipv4(const std::uint8_t* p, std::size_t n, std::int64_t offset);
  void ipv6(const std::uint8_t* p, std::size_t n, std::int64_t offset);
  void upper6(Key& key, std::uint8_t next, const std::uint8_t* p, std::size_t n,
              std::int64_t offset, bool may_fragment);
  void udp(const std::uint8_t* p, std::size_t n, std::int64_t offset);
  void fragment(const Key& key, std::uint8_t proto, std::size_t at, bool more,
                const std::uint8_t* p, std::size_t n, std::int64_t offset);
  void give_up(const Partial& d);
  struct Finished {
    Key key{};
    long frame = 0;
    bool dropped = false;                   // else put together ...
    std::size_t last_at = 0, last_end = 0;  // ... by this fragment
  };
  void finished(const Finished& e);
  void skip();

  const std::function<void(const Payload&)>& sink_;
  FramingStats& stats_;
  std::uint16_t port_ = 0;
  std::vector<Partial> pending_;
  // Datagrams lately put together, dropped or given up, and when: their
  // later fragments are copies or leftovers, taken and counted once.
  std::deque<Finished> finished_;
  bool cut_ = false;           // the current packet's IP header claims more than was captured
  bool reassembling_ = false;  // udp() is reading a datagram put together
  std::vector<std::uint32_t> unsupported_;
  long frame_no_ = 0;
};

void read_final(std::span<const std::uint8_t> file, const std::function<void(const Payload&)>& sink,
                FramingStats& stats);
void read_pcap(std::span<const std::uint8_t> file, const std::function<void(const Payload&)>& sink,
               FramingStats& stats, std::uint16_t port = 0);

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
