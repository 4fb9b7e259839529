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
std::uint16_t be16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>((std::uint16_t{p[0]} << 8) | p[1]);
}
}  // namespace

bool UdpFromFrames::supported(std::uint32_t linktype) {
  switch (linktype) {
    case 0:    // BSD loopback (NULL): 4-byte address family, host order
    case 1:    // Ethernet
    case 12:   // raw IP (DLT_RAW as some writers store it)
    case 14:   // raw IP (OpenBSD's DLT_RAW)
    case 101:  // raw IP
    case 108:  // OpenBSD loopback: 4-byte address family, network order
    case 113:  // Linux cooked (SLL)
    case 228:  // raw IPv4
    case 229:  // raw IPv6
    case 276:  // Linux cooked v2 (SLL2: tcpdump -i any with libpcap >= 1.10)
      return true;
    default:
      return false;
  }
}

void UdpFromFrames::frame(const std::uint8_t* pkt, std::size_t n, std::uint32_t linktype,
                          std::int64_t offset) {
  ++frame_no_;
  cut_ = false;
  std::size_t l2 = 0;
  int ethertype = -1;  // -1: the IP version nibble decides (loopback, raw IP)
  auto short_frame = [&](std::size_t header) {
    stats_.error(offset, "frame of " + std::to_string(n) + " bytes shorter than its " +
                             std::to_string(header) + "-byte link-layer header (skipped)");
  };
  switch (linktype) {
    case 1:
      if (n < 14) return short_frame(14);
      l2 = 14;
      ethertype = be16(pkt + 12);
      break;
    case 113:
      if (n < 16) return short_frame(16);
      l2 = 16;
      ethertype = be16(pkt + 14);
      break;
    case 276:
      if (n < 20) return short_frame(20);
      l2 = 20;
      ethertype = be16(pkt);
      break;
    case 0:
    case 108: {
      if (n < 4) return short_frame(4);
      l2 = 4;
      // The address family, in the writer's byte order (0) or network order
      // (108): 2 is IPv4; 24, 28 and 30 are the BSDs' IPv6; others are not IP.
      const std::uint32_t le = std::uint32_t{pkt[0]} | std::uint32_t{pkt[1]} << 8 |
                               std::uint32_t{pkt[2]} << 16 | std::uint32_t{pkt[3]} << 24;
      const std::uint32_t be = std::uint32_t{pkt[3]} | std::uint32_t{pkt[2]} << 8 |
                               std::uint32_t{pkt[1]} << 16 | std::uint32_t{pkt[0]} << 24;
      const std::uint32_t family = linktype == 108 || le > 0xFFFF ? be : le;
      if (family == 2)
        ethertype = 0x0800;
      else if (family == 24 || family == 28 || family == 30)
        ethertype = 0x86DD;
      else
        return skip();
      break;
    }
    case 228:  // tshark reads an IPv6 packet here too: the version decides
      break;
    case 229:
      ethertype = 0x86DD;
      break;
    case 12:
    case 14:
    case 101:
      break;
    case kNoLinkType:  // an interface block too short to say (reported there)
      return skip();
    default:
      if (unsupported_.size() < 8 &&
          std::find(unsupported_.begin(), unsupported_.end(), linktype) == unsupported_.end()) {
        unsupported_.push_back(linktype);
        stats_.error(offset, "unsupported link type " + std::to_string(linktype) +
                                 " (its packets are skipped)");
      }
      return skip();
  }
  // 802.1Q / 802.1ad VLAN tags (stacked too) in front of the payload's type.
  while ((ethertype == 0x8100 || ethertype == 0x88A8 || ethertype == 0x9100) && n - l2 >= 4) {
    ethertype = be16(pkt + l2 + 2);
    l2 += 4;
  }
  if (n <= l2) return skip();
  const std::uint8_t version = pkt[l2] >> 4;
  if ((ethertype == 0x0800 || ethertype < 0) && version == 4)
    ipv4(pkt + l2, n - l2, offset + static_cast<std::int64_t>(l2));
  else if ((ethertype == 0x86DD || ethertype < 0) && version == 6)
    ipv6(pkt + l2, n - l2, offset + static_cast<std::int64_t>(l2));
  else
    skip();  // ARP, an 802.3 length, another protocol
}

void UdpFromFrames::ipv4(const std::uint8_t* p, std::size_t n, std::int64_t offset) {
  const std::size_t ihl = (p[0] & 15u) * 4u;
  if (ihl < 20 || n < ihl) {
    stats_.error(offset, "IPv4 header length invalid (packet skipped)");
    return;
  }
  const std::size_t total = be16(p + 2);
  if (total >= ihl && total < n) n = total;  // link-layer padding
  cut_ = total > n;                          // the capture's snap length cut it
  const std::uint8_t proto = p[9];
  const std::uint16_t flags = be16(p + 6);
  const std::size_t frag_off = (flags & 0x1FFFu) * 8u;
  const bool more = (flags & 0x2000u) != 0;
  if (frag_off == 0 && !more) {
    if (proto == 17) return udp(p + ihl, n - ihl, offset + static_cast<std::int64_t>(ihl));
    return skip();
  }
  if (proto != 17) return skip();  // only UDP datagrams are put together again
  Key key{};
  key[0] = 4;
  std::copy(p + 12, p + 20, key.begin() + 1);  // source, destination
  std::copy(p + 4, p + 6, key.begin() + 9);    // identification
  fragment(key, proto, frag_off, more, p + ihl, n - ihl, offset + static_cast<std::int64_t>(ihl));
}

void UdpFromFrames::ipv6(const std::uint8_t* p, std::size_t n, std::int64_t offset) {
  if (n < 40) {
    stats_.error(offset, "IPv6 header cut short (packet skipped)");
    return;
  }
  const std::size_t payload = be16(p + 4);
  if (payload > 0 && 40 + payload < n) n = 40 + payload;  // link-layer padding
  cut_ = 40 + payload > n;                                // the capture's snap length cut it
  Key key{};
  key[0] = 6;
  std::copy(p + 8, p + 40, key.begin() + 1);  // source, destination
  upper6(key, p[6], p + 40, n - 40, offset + 40, true);
}

// The header chain after an IPv6 header (or a reassembled datagram's
// fragmentable part): extension headers skipped, a fragment header starts or
// feeds a reassembly, UDP delivered, anything else skipped.
void UdpFromFrames::upper6(Key& key, std::uint8_t next, const std::uint8_t* p, std::size_t n,
                           std::int64_t offset, bool may_fragment) {
  for (;;) {  // each extension header takes at least 8 bytes: the chain ends
    switch (next) {
      case 17:
        return udp(p, n, offset);
      case 0:     // hop-by-hop options
      case 43:    // routing
      case 60:    // destination options
      case 51: {  // authentication header (its length counts 4-octet units)
        if (n < 8) return skip();
        const std::size_t len = next == 51 ? (p[1] + 2u) * 4u : (p[1] + 1u) * 8u;
        if (len > n) return skip();
        next = p[0];
        p += len;
        n -= len;
        offset += static_cast<std::int64_t>(len);
        break;
      }
      case 44: {  // fragment
        if (n < 8 || !may_fragment) return skip();
        const std::uint16_t off = be16(p + 2);
        std::copy(p + 4, p + 8, key.begin() + 33);  // identification
        fragment(key, p[0], (off & 0xFFF8u), (off & 1u) != 0, p + 8, n - 8, offset + 8);
        return;
      }
      default:
        return skip();
    }
  }
}

void UdpFromFrames::udp(const std::uint8_t* p, std::size_t n, std::int64_t offset) {
  if (n < 8) {
    stats_.error(offset, "UDP header cut short (packet skipped)");
    return;
  }
  const std::size_t len = be16(p + 4);
  if (len < 8) {
    stats_.error(offset, "UDP length " + std::to_string(len) + " below its header (skipped)");
    return;
  }
  std::size_t size = len - 8;
  if (size > n - 8) {
    stats_.error(offset, cut_ && !reassembling_
                             ? "UDP datagram of " + std::to_string(size) + " bytes captured as " +
                                   std::to_string(n - 8) + " (the capture's snap length cut it)"
                             : "UDP length " + std::to_string(len) + " longer than its " +
                                   std::to_string(n) + "-byte IP payload (what there is read)");
    size = n - 8;
  }
  if (reassembling_) ++stats_.reassembled;
  if (port_ != 0 && be16(p + 2) != port_) {
    ++stats_.other_port;
    return;
  }
  Payload out;
  out.offset = offset + 8;
  out.bytes = std::span<const std::uint8_t>(p + 8, size);
  sink_(out);
}

void UdpFromFrames::fragment(const Key& key, std::uint8_t proto, std::size_t at, bool more,
                             const std::uint8_t* p, std::size_t n, std::int64_t offset) {
  // A 64 KiB datagram is 45 fragments at Ethernet's MTU, 114 at IPv4's
  // least; more are refused so that a crafted capture cannot make each
  // fragment's overlap check long.
  constexpr std::size_t kMaxDatagram = 65535, kMaxPending = 256, kMaxFragments = 256;
  constexpr long kMaxAgeFrames = 4096;  // fragments of one datagram come close together
  // Datagrams whose fragments stopped coming are given up, counted.
  std::erase_if(pending_, [&](const Partial& d) {
    if (frame_no_ - d.first_frame <= kMaxAgeFrames) return false;
    give_up(d);
    return true;
  });
  auto it = std::find_if(pending_.begin(), pending_.end(),
                         [&](const Partial& d) { return d.key == key; });
  if (it == pending_.end()) {
    // A fragment of a datagram just dropped or given up is the rest of one
    // already counted; a copy of the fragment that completed a datagram is
    // a second capture of it (tcpdump -i any on a router: each fragment twice
    // in a row). Both are taken once, as tshark does. Another fragment of a
    // datagram put together starts it again (the whole datagram captured
    // twice is read twice, as an unfragmented one is, and as tshark does).
    for (const Finished& e : finished_)
      if (e.key == key && frame_no_ - e.frame <= kMaxAgeFrames &&
          (e.dropped || (e.last_at == at && e.last_end == at + n)))
        return;
    if (pending_.size() >= kMaxPending) {
      give_up(pending_.front());
      pending_.erase(pending_.begin());
    }
    pending_.push_back({});
    it = pending_.end() - 1;
    it->key = key;
    it->first_frame = frame_no_;
    it->offset = offset;
  }
  Partial& d = *it;
  auto drop = [&](const std::string& why) {
    stats_.error(offset, why + " (datagram dropped)");
    finished({key, frame_no_, true});
    pending_.erase(it);
  };
  if (cut_) return drop("IP fragment cut by the capture's snap length");
  if (n == 0 || at + n > kMaxDatagram || (more && n % 8 != 0) || (d.total && at + n > d.total) ||
      (!more && (d.total ? at + n != d.total : at + n < d.data.size())))
    return drop("IP fragment at " + std::to_string(at) + " (" + std::to_string(n) +
                " bytes) does not fit its datagram");
  if (d.have.size() >= kMaxFragments)
    return drop("more than " + std::to_string(kMaxFragments) + " fragments for one IP datagram");
  // A fragment seen twice (a capture on several interfaces) is taken once;
  // one that overlaps others differently drops the datagram (RFC 5722).
  for (const auto& [b, e] : d.have) {
    if (b == at && e == at + n) return;
    if (at < e && b < at + n) return drop("overlapping IP fragments");
  }
  if (at == 0) {
    d.offset = offset;
    d.proto = proto;
  }
  if (!more) d.total = at + n;
  if (d.data.size() < at + n) d.data.resize(at + n);
  std::copy(p, p + n, d.data.begin() + static_cast<std::ptrdiff_t>(at));
  d.have.emplace_back(at, at + n);
  d.received += n;
  if (!d.total || d.received != d.total) return;
  // Whole: its upper layer, from a copy (the sink may see it only now).
  Partial whole = std::move(d);
  pending_.erase(it);
  finished({key, frame_no_, false, at, at + n});
  Key k = whole.key;
  reassembling_ = true;
  if (k[0] == 4) {
    if (whole.proto == 17) udp(whole.data.data(), whole.data.size(), whole.offset);
  } else {
    upper6(k, whole.proto, whole.data.data(), whole.data.size(), whole.offset, false);
  }
  reassembling_ = false;
}

void UdpFromFrames::finished(const Finished& e) {
  constexpr std::size_t kRemembered = 256;
  std::erase_if(finished_, [&](const Finished& f) { return f.key == e.key; });
  finished_.push_back(e);
  if (finished_.size() > kRemembered) finished_.pop_front();  // the oldest
}

void UdpFromFrames::give_up(const Partial& d) {
  stats_.error(d.offset, "IP fragments of a datagram never completed (" +
                             std::to_string(d.received) + " bytes dropped)");
  finished({d.key, frame_no_, true});
}

void UdpFromFrames::finish() {
  for (const Partial& d : pending_) give_up(d);
  pending_.clear();
}

void UdpFromFrames::skip() { ++stats_.skipped; }

namespace {
// pcapng: section header, interface description and (enhanced or simple)
// packet blocks; other blocks are skipped.
void read_pcapng(std::span<const std::uint8_t> f, const std::function<void(const Payload&)>& sink,
                 FramingStats& stats, std::uint16_t port) {
  UdpFromFrames frames(sink, stats, port);
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
        frames.finish();
        return;
      }
      linktypes.clear();
    } else {
      type = rd(pos);
    }
    const std::uint32_t len = whole(pos);
    if (len == 0) {
      // The next whole block of a known type, or a section header whose
      // byte-order magic and length (in its own byte order) hold.
      auto candidate = [&](std::size_t at) {
        if (f.size() - at < 12) return false;
        if (rd32(f.data() + at, false) == 0x0A0D0D0A) {
          const std::uint32_t bom = rd32(f.data() + at + 8, false);
          if (bom != 0x1A2B3C4D && bom != 0x4D3C2B1A) return false;
          const bool sw = bom == 0x4D3C2B1A;
          const std::uint32_t l = rd32(f.data() + at + 4, sw);
          return l >= 28 && l % 4 == 0 && l <= f.size() - at &&
                 rd32(f.data() + at + l - 4, sw) == l;
        }
        const std::uint32_t t = rd(at);
        return (t == 1 || t == 2 || t == 3 || t == 5 || t == 6) && whole(at) != 0;
      };
      std::size_t next = pos + 1;
      while (next < f.size() && !candidate(next)) ++next;
      next = std::min(next, f.size());
      stats.error(static_cast<std::int64_t>(pos),
                  "pcapng block length " + std::to_string(rd(pos + 4)) + " invalid; skipped " +
                      std::to_string(next - pos) + " bytes to the next block");
      pos = next;
      continue;
    }
    if (type == 1) {  // interface description: its number is its place
      if (len >= 20) {
        linktypes.push_back(static_cast<std::uint32_t>(f[pos + 8 + (swap ? 1 : 0)]) |
                            (static_cast<std::uint32_t>(f[pos + 8 + (swap ? 0 : 1)]) << 8));
      } else {
        stats.error(static_cast<std::int64_t>(pos), "pcapng interface block too short");
        linktypes.push_back(UdpFromFrames::kNoLinkType);  // keeps the numbers after it
      }
    } else if (type == 6) {  // enhanced packet: 28-byte header, data, options, length
      const std::uint32_t iface = len >= 32 ? rd(pos + 8) : 0;
      const std::uint32_t cap = len >= 32 ? rd(pos + 20) : 0;
      if (len >= 32 && iface < linktypes.size() && 32 + static_cast<std::size_t>(cap) <= len) {
        ++stats.frames;
        frames.frame(f.data() + pos + 28, cap, linktypes[iface],
                     static_cast<std::int64_t>(pos + 28));
      } else {
        stats.error(static_cast<std::int64_t>(pos),
                    "pcapng packet for an unknown interface or longer than its block");
      }
    } else if (type == 3) {  // simple packet: of the first interface
      if (len >= 16 && !linktypes.empty()) {
        const std::uint32_t orig = rd(pos + 8);
        const std::size_t cap = std::min<std::size_t>(orig, len - 16);
        ++stats.frames;
        frames.frame(f.data() + pos + 12, cap, linktypes[0], static_cast<std::int64_t>(pos + 12));
      } else {
        stats.error(static_cast<std::int64_t>(pos),
                    "pcapng simple packet before any interface block (skipped)");
      }
    }
    pos += len;
  }
  frames.finish();
}
}  // namespace

void read_pcap(std::span<const std::uint8_t> f, const std::function<void(const Payload&)>& sink,
               FramingStats& stats, std::uint16_t port) {
  if (f.size() >= 12 && rd32(f.data(), false) == 0x0A0D0D0A) {
    read_pcapng(f, sink, stats, port);
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
  if (!UdpFromFrames::supported(linktype)) {
    stats.error(20, "unsupported pcap link type " + std::to_string(linktype));
    return;
  }
  UdpFromFrames frames(sink, stats, port);
  const bool nanos = magic == 0xa1b23c4d || magic == 0x4d3cb2a1;
  // Writers put a smaller snap length in the header than their frames have
  // (1500 for 1514-byte Ethernet frames), or 0, as tshark accepts: a record
  // may be as long as the larger of it and libpcap's largest, 256 KiB.
  const std::uint32_t header_snaplen = rd32(f.data() + 16, swap);
  const std::uint32_t max_incl = std::clamp<std::uint32_t>(header_snaplen, 1u << 18, 1u << 20);
  // A plausible record header at `at`: the captured length fits that bound,
  // the file and the original length (0 from some writers); the sub-second
  // field is in range.
  auto header_ok = [&](std::size_t at) -> bool {
    if (f.size() - at < 16) return false;
    const std::uint32_t frac = rd32(f.data() + at + 4, swap);
    const std::uint32_t incl = rd32(f.data() + at + 8, swap);
    const std::uint32_t orig = rd32(f.data() + at + 12, swap);
    return frac < (nanos ? 1000000000u : 1000000u) && incl > 0 && incl <= max_incl &&
           (incl <= orig || orig == 0);
  };
  auto record = [&](std::size_t at) -> bool {
    return header_ok(at) && rd32(f.data() + at + 8, swap) <= f.size() - at - 16;
  };
  // While resynchronising a record must also be in time with the last whole
  // one and be followed by another plausible header (or the end); in the
  // normal course neither is asked (captures merged end to end jump in time,
  // and a damaged record must not cost the one before it).
  std::int64_t last_sec = -1;
  auto chained = [&](std::size_t at) {
    if (!record(at)) return false;
    const std::int64_t sec = rd32(f.data() + at, swap);
    if (last_sec >= 0 && (sec < last_sec - 3600 || sec > last_sec + 86400)) return false;
    const std::size_t next = at + 16 + rd32(f.data() + at + 8, swap);
    return next == f.size() || f.size() - next < 16 || record(next);
  };
  // A plausible header followed by an implausible one: its own captured
  // length may be what is damaged. It is when a header that would be taken
  // while resynchronising starts inside the data it claims.
  auto damaged_length = [&](std::size_t at) {
    const std::size_t end = at + 16 + rd32(f.data() + at + 8, swap);
    if (end == f.size() || f.size() - end < 16 || record(end)) return false;
    for (std::size_t k = at + 16; k < end; ++k)
      if (chained(k)) return true;
    return false;
  };
  std::size_t pos = 24;
  while (f.size() - pos >= 16) {
    const std::uint32_t incl = rd32(f.data() + pos + 8, swap);
    if (!record(pos) || damaged_length(pos)) {
      std::size_t next = pos + 1;
      while (next < f.size() && !chained(next)) ++next;
      next = std::min(next, f.size());
      const bool cut = next == f.size() && header_ok(pos);
      stats.error(static_cast<std::int64_t>(pos),
                  cut ? std::string("truncated pcap record at the end of the file")
                      : "pcap record header invalid (captured length " + std::to_string(incl) +
                            "); skipped " + std::to_string(next - pos) +
                            " bytes to the next record");
      pos = next;
      continue;
    }
    ++stats.frames;
    last_sec = rd32(f.data() + pos, swap);
    frames.frame(f.data() + pos + 16, incl, linktype, static_cast<std::int64_t>(pos + 16));
    pos += 16 + incl;
  }
  frames.finish();
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
