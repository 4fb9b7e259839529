#include "decode/asterix/framing.hpp"

#include <algorithm>

namespace skyfuse::decode::asterix {

void FramingStats::error(std::int64_t offset, const std::string& what) {
  ++errors;
  if (messages.size() < 50) messages.push_back("offset " + std::to_string(offset) + ": " + what);
}

namespace {
// A whole FINAL frame at `pos`: a length that fits, and the A5A5A5A5 padding.
std::size_t final_frame(std::span<const std::uint8_t> f, std::size_t pos) {
  if (f.size() - pos < 12) return 0;
  const std::size_t len = (static_cast<std::size_t>(f[pos]) << 8) | f[pos + 1];
  if (len < 12 || len > f.size() - pos) return 0;
  const std::uint8_t* e = f.data() + pos + len - 4;
  return e[0] == 0xA5 && e[1] == 0xA5 && e[2] == 0xA5 && e[3] == 0xA5 ? len : 0;
}
}  // namespace

void read_final(std::span<const std::uint8_t> f, const std::function<void(const Payload&)>& sink,
                FramingStats& stats) {
  std::size_t pos = 0;
  // The last whole frame's day and time of day (1/100 s): a frame found while
  // resynchronising must agree with them, so a length that happens to reach a
  // real frame's padding is not taken for a frame.
  int last_day = -1;
  long last_time = -1;
  auto frame_time = [&](std::size_t at) {
    return (long{f[at + 5]} << 16) | (long{f[at + 6]} << 8) | long{f[at + 7]};
  };
  auto resync_candidate = [&](std::size_t at) {
    const std::size_t l = final_frame(f, at);
    if (l == 0 || (at + l != f.size() && final_frame(f, at + l) == 0)) return false;
    if (l > 12) {  // the payload starts with a data block that fits
      const std::size_t block = (static_cast<std::size_t>(f[at + 9]) << 8) | f[at + 10];
      if (l < 15 || block < 3 || block > l - 12) return false;
    }
    if (last_time < 0) return true;
    const long dt = frame_time(at) - last_time;
    const bool same_day = f[at + 4] == last_day && dt >= -6000 && dt <= 60000;
    const bool next_day = f[at + 4] != last_day && dt < -8000000;  // midnight
    return same_day || next_day;
  };
  while (f.size() - pos >= 8) {
    std::size_t len = (static_cast<std::size_t>(f[pos]) << 8) | f[pos + 1];
    bool ok = final_frame(f, pos) != 0;
    if (!ok && len >= 12 && len <= f.size() - pos &&
        (pos + len == f.size() || final_frame(f, pos + len) != 0)) {
      // Unpadded, but its length leads to the end or to a whole frame: kept.
      stats.error(static_cast<std::int64_t>(pos), "FINAL frame without A5A5A5A5 padding");
      ok = true;
    }
    if (!ok) {
      std::size_t next = pos + 1;
      while (next < f.size() && !resync_candidate(next)) ++next;
      stats.error(static_cast<std::int64_t>(pos),
                  "FINAL frame length " + std::to_string(len) + " invalid; skipped " +
                      std::to_string(next - pos) + " bytes to the next frame");
      pos = next;
      continue;
    }
    Payload p;
    p.offset = static_cast<std::int64_t>(pos + 8);
    p.bytes = f.subspan(pos + 8, len - 12);
    last_time = frame_time(pos);
    last_day = f[pos + 4];
    p.time_of_day_s = static_cast<double>(last_time) / 100.0;
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
  // A whole block at `at`: its length fits, is a multiple of 4 and is repeated
  // at its end (what makes pcapng resynchronisable).
  auto whole = [&](std::size_t at) -> std::uint32_t {
    if (f.size() - at < 12) return 0;
    const std::uint32_t len = rd(at + 4);
    if (len < 12 || len % 4 != 0 || len > f.size() - at || rd(at + len - 4) != len) return 0;
    return len;
  };
  while (f.size() - pos >= 12) {
    std::uint32_t type = rd32(f.data() + pos, false);
    if (type == 0x0A0D0D0A) {  // section header: fixes the byte order
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
    const std::uint32_t len = whole(pos);
    if (len == 0) {
      std::size_t next = pos + 1;
      while (next < f.size() &&
             (whole(next) == 0 || rd32(f.data() + next, false) == 0x0A0D0D0A ||
              (rd(next) != 6 && rd(next) != 3 && rd(next) != 1 && rd(next) != 5 && rd(next) != 2)))
        ++next;
      next = std::min(next, f.size());
      stats.error(static_cast<std::int64_t>(pos),
                  "pcapng block length " + std::to_string(rd(pos + 4)) + " invalid; skipped " +
                      std::to_string(next - pos) + " bytes to the next block");
      pos = next;
      continue;
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
  const bool nanos = magic == 0xa1b23c4d || magic == 0x4d3cb2a1;
  std::uint32_t snaplen = rd32(f.data() + 16, swap);
  if (snaplen == 0 || snaplen > (1u << 20)) snaplen = 1u << 20;
  // A plausible record header at `at`: the captured length fits the snap
  // length, the file and the original length; the sub-second field is in range.
  auto record = [&](std::size_t at) -> bool {
    if (f.size() - at < 16) return false;
    const std::uint32_t frac = rd32(f.data() + at + 4, swap);
    const std::uint32_t incl = rd32(f.data() + at + 8, swap);
    const std::uint32_t orig = rd32(f.data() + at + 12, swap);
    return frac < (nanos ? 1000000000u : 1000000u) && incl <= snaplen && incl <= orig &&
           incl <= f.size() - at - 16;
  };
  std::int64_t last_sec = -1;  // of the last whole record: a resync must agree
  auto chained = [&](std::size_t at) {
    if (!record(at)) return false;
    const std::int64_t sec = rd32(f.data() + at, swap);
    if (last_sec >= 0 && (sec < last_sec - 3600 || sec > last_sec + 86400)) return false;
    const std::size_t next = at + 16 + rd32(f.data() + at + 8, swap);
    return next == f.size() || f.size() - next < 16 || record(next);
  };
  std::size_t pos = 24;
  while (f.size() - pos >= 16) {
    const std::uint32_t incl = rd32(f.data() + pos + 8, swap);
    if (!chained(pos)) {
      std::size_t next = pos + 1;
      while (next < f.size() && !chained(next)) ++next;
      next = std::min(next, f.size());
      const bool cut = next == f.size() && incl > f.size() - pos - 16 && incl <= snaplen &&
                       incl <= rd32(f.data() + pos + 12, swap);
      stats.error(static_cast<std::int64_t>(pos),
                  cut ? std::string("truncated pcap record at the end of the file")
                      : "pcap record header invalid (captured length " + std::to_string(incl) +
                            "); skipped " + std::to_string(next - pos) +
                            " bytes to the next record");
      pos = next;
      continue;
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
    last_sec = rd32(f.data() + pos, swap);
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
