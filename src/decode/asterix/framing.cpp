#include "decode/asterix/framing.hpp"

#include <algorithm>

namespace skyfuse::decode::asterix {

void FramingStats::error(std::int64_t offset, const std::string& what) {
  ++errors;
  if (messages.size() < 50) messages.push_back("offset " + std::to_string(offset) + ": " + what);
}

void read_final(std::span<const std::uint8_t> f, const std::function<void(const Payload&)>& sink,
                FramingStats& stats) {
  std::size_t pos = 0;
  while (pos + 8 <= f.size()) {
    const std::size_t len = (static_cast<std::size_t>(f[pos]) << 8) | f[pos + 1];
    if (len < 12 || pos + len > f.size()) {
      stats.error(static_cast<std::int64_t>(pos),
                  "FINAL frame length " + std::to_string(len) + " invalid; stopping");
      return;
    }
    Payload p;
    p.offset = static_cast<std::int64_t>(pos + 8);
    p.bytes = f.subspan(pos + 8, len - 12);
    p.time_of_day_s = ((f[pos + 5] << 16) | (f[pos + 6] << 8) | f[pos + 7]) / 100.0;
    const bool padded = f[pos + len - 4] == 0xA5 && f[pos + len - 3] == 0xA5 &&
                        f[pos + len - 2] == 0xA5 && f[pos + len - 1] == 0xA5;
    if (!padded)
      stats.error(static_cast<std::int64_t>(pos), "FINAL frame without A5A5A5A5 padding");
    ++stats.frames;
    sink(p);
    pos += len;
  }
  if (pos != f.size())
    stats.error(static_cast<std::int64_t>(pos), "trailing bytes after the last FINAL frame");
}

namespace {
std::uint32_t rd32(const std::uint8_t* p, bool swap) {
  return swap ? (std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 |
                 p[3])
              : (std::uint32_t{p[3]} << 24 | std::uint32_t{p[2]} << 16 | std::uint32_t{p[1]} << 8 |
                 p[0]);
}
}  // namespace

namespace {
// The UDP payload of one captured link-layer frame, if it is IPv4/UDP.
void udp_payload(const std::uint8_t* pkt, std::size_t n, std::uint32_t linktype,
                 std::int64_t file_offset, const std::function<void(const Payload&)>& sink) {
  std::size_t l2 = 0;
  if (linktype == 1)
    l2 = 14;  // Ethernet
  else if (linktype == 113)
    l2 = 16;  // Linux cooked
  else if (linktype == 101)
    l2 = 0;  // raw IP
  else
    return;
  if (n > l2 + 20 && (pkt[l2] >> 4) == 4) {
    const std::size_t ihl = (pkt[l2] & 15) * 4u;
    if (pkt[l2 + 9] == 17 && n >= l2 + ihl + 8) {
      const std::size_t udp_len =
          (static_cast<std::size_t>(pkt[l2 + ihl + 4]) << 8) | pkt[l2 + ihl + 5];
      const std::size_t start = l2 + ihl + 8;
      const std::size_t payload = udp_len >= 8 ? std::min(udp_len - 8, n - start) : 0;
      Payload p;
      p.offset = file_offset + static_cast<std::int64_t>(start);
      p.bytes = std::span<const std::uint8_t>(pkt + start, payload);
      sink(p);
    }
  }
}

// pcapng: section header, interface description and (enhanced or simple)
// packet blocks; other blocks are skipped.
void read_pcapng(std::span<const std::uint8_t> f, const std::function<void(const Payload&)>& sink,
                 FramingStats& stats) {
  std::size_t pos = 0;
  bool swap = false;
  std::vector<std::uint32_t> linktypes;
  auto rd = [&](std::size_t at) { return rd32(f.data() + at, swap); };
  while (pos + 12 <= f.size()) {
    std::uint32_t type = rd32(f.data() + pos, false);
    if (type == 0x0A0D0D0A) {  // section header: fixes the byte order
      if (pos + 12 > f.size()) break;
      const std::uint32_t bom = rd32(f.data() + pos + 8, false);
      if (bom == 0x1A2B3C4D)
        swap = false;
      else if (bom == 0x4D3C2B1A)
        swap = true;
      else {
        stats.error(static_cast<std::int64_t>(pos),
                    "pcapng section header with a bad byte-order magic");
        return;
      }
      linktypes.clear();
    } else {
      type = rd(pos);
    }
    const std::uint32_t len = rd(pos + 4);
    if (len < 12 || len % 4 != 0 || pos + len > f.size()) {
      stats.error(static_cast<std::int64_t>(pos),
                  "pcapng block length " + std::to_string(len) + " invalid; stopping");
      return;
    }
    if (type == 1 && len >= 20) {
      linktypes.push_back(static_cast<std::uint32_t>(f[pos + 8 + (swap ? 1 : 0)]) |
                          (static_cast<std::uint32_t>(f[pos + 8 + (swap ? 0 : 1)]) << 8));
    } else if (type == 6 && len >= 32) {
      const std::uint32_t iface = rd(pos + 8);
      const std::uint32_t cap = rd(pos + 20);
      if (iface < linktypes.size() && 28 + static_cast<std::size_t>(cap) <= len) {
        ++stats.frames;
        udp_payload(f.data() + pos + 28, cap, linktypes[iface], static_cast<std::int64_t>(pos + 28),
                    sink);
      } else {
        stats.error(static_cast<std::int64_t>(pos),
                    "pcapng packet for an unknown interface or too long");
      }
    } else if (type == 3 && len >= 16 && !linktypes.empty()) {
      const std::uint32_t orig = rd(pos + 8);
      const std::size_t cap = std::min<std::size_t>(orig, len - 16);
      ++stats.frames;
      udp_payload(f.data() + pos + 12, cap, linktypes[0], static_cast<std::int64_t>(pos + 12),
                  sink);
    }
    pos += len;
  }
}
}  // namespace

void read_pcap(std::span<const std::uint8_t> f, const std::function<void(const Payload&)>& sink,
               FramingStats& stats) {
  if (f.size() >= 12 && rd32(f.data(), false) == 0x0A0D0D0A) {
    read_pcapng(f, sink, stats);
    return;
  }
  if (f.size() < 24) {
    stats.error(0, "file shorter than a pcap header");
    return;
  }
  const std::uint32_t magic = rd32(f.data(), false);
  bool swap = false;
  if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d)
    swap = false;
  else if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1)
    swap = true;
  else {
    stats.error(0, "neither a pcap nor a pcapng file");
    return;
  }
  const std::uint32_t linktype = rd32(f.data() + 20, swap);
  std::size_t pos = 24;
  while (pos + 16 <= f.size()) {
    const std::uint32_t incl = rd32(f.data() + pos + 8, swap);
    if (pos + 16 + incl > f.size()) {
      stats.error(static_cast<std::int64_t>(pos), "truncated pcap record");
      return;
    }
    const std::uint8_t* pkt = f.data() + pos + 16;
    std::size_t n = incl, l2 = 0;
    if (linktype == 1)
      l2 = 14;  // Ethernet
    else if (linktype == 113)
      l2 = 16;  // Linux cooked
    else if (linktype == 101)
      l2 = 0;  // raw IP
    else {
      stats.error(static_cast<std::int64_t>(pos),
                  "unsupported pcap link type " + std::to_string(linktype));
      return;
    }
    ++stats.frames;
    if (n > l2 + 20 && (pkt[l2] >> 4) == 4) {
      const std::size_t ihl = (pkt[l2] & 15) * 4u;
      if (pkt[l2 + 9] == 17 && n >= l2 + ihl + 8) {
        const std::size_t udp_len =
            (static_cast<std::size_t>(pkt[l2 + ihl + 4]) << 8) | pkt[l2 + ihl + 5];
        const std::size_t start = l2 + ihl + 8;
        const std::size_t payload = udp_len >= 8 ? std::min(udp_len - 8, n - start) : 0;
        Payload p;
        p.offset = static_cast<std::int64_t>(pos + 16 + start);
        p.bytes = std::span<const std::uint8_t>(pkt + start, payload);
        sink(p);
      }
    }
    pos += 16 + incl;
  }
}

void read_gps(std::span<const std::uint8_t> f, const std::function<void(const Payload&)>& sink,
              FramingStats& stats) {
  constexpr std::size_t kHeader = 2200, kTrailer = 10;
  if (f.size() < kHeader) {
    stats.error(0, "GPS recording shorter than its 2200-byte header");
    return;
  }
  std::size_t pos = kHeader;
  while (pos < f.size()) {
    if (f.size() - pos < 3) {
      stats.error(static_cast<std::int64_t>(pos), "trailing bytes after the last GPS record");
      return;
    }
    const std::size_t len = (static_cast<std::size_t>(f[pos + 1]) << 8) | f[pos + 2];
    if (len < 3 || pos + len + kTrailer > f.size()) {
      stats.error(static_cast<std::int64_t>(pos),
                  "GPS record: data block LEN " + std::to_string(len) + " invalid; stopping");
      return;
    }
    Payload p;
    p.offset = static_cast<std::int64_t>(pos);
    p.bytes = f.subspan(pos, len);
    ++stats.frames;
    sink(p);
    pos += len + kTrailer;
  }
}

void split_oradis(const Payload& payload, const std::function<void(const Payload&)>& sink,
                  FramingStats& stats) {
  constexpr std::size_t kHeader = 6;
  const auto b = payload.bytes;
  std::size_t pos = 0;
  while (pos < b.size()) {
    const std::size_t len =
        b.size() - pos < 2 ? 0 : (static_cast<std::size_t>(b[pos]) << 8) | b[pos + 1];
    if (len <= kHeader || pos + len > b.size()) {
      stats.error(
          payload.offset + static_cast<std::int64_t>(pos),
          "ORADIS frame length " + std::to_string(len) + " invalid; rest of the payload skipped");
      return;
    }
    Payload p = payload;
    p.offset = payload.offset + static_cast<std::int64_t>(pos + kHeader);
    p.bytes = b.subspan(pos + kHeader, len - kHeader);
    sink(p);
    pos += len;
  }
}

}  // namespace skyfuse::decode::asterix
