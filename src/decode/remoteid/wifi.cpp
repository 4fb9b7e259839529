// 802.11 link layers: radiotap and plain 802.11 (beacons and NAN action frames).
#include <string>

#include "decode/remoteid/detail/bytes.hpp"
#include "decode/remoteid/link.hpp"

namespace skyfuse::decode::remoteid {

namespace {

Error bad(ErrorCode code, std::size_t offset, std::string what) {
  return Error{code, static_cast<std::int64_t>(offset), std::move(what)};
}

// An 802.11 frame without FCS.
Result<LinkResult> ieee80211(Bytes f, std::optional<int> rssi) {
  LinkResult out;
  if (f.size() < 2) return bad(ErrorCode::kTruncated, 0, "802.11 frame control cut");
  const std::uint8_t fc0 = f[0], fc1 = f[1];
  const int type = (fc0 >> 2) & 3, subtype = fc0 >> 4;
  if ((fc0 & 3) != 0) return bad(ErrorCode::kUnsupported, 0, "802.11 protocol version not 0");
  const bool beacon = type == 0 && subtype == 8;
  const bool action = type == 0 && (subtype == 13 || subtype == 14);
  if (!beacon && !action) return out;                      // not a Remote ID carrier
  if (fc1 & 0x40) return out;                              // protected: body unreadable
  const std::size_t header = 24 + ((fc1 & 0x80) ? 4 : 0);  // +HT Control
  if (f.size() < header) return bad(ErrorCode::kTruncated, 0, "802.11 header cut");
  Mac mac;
  for (std::size_t i = 0; i < 6; ++i) mac[i] = f[10 + i];
  Frame frame;
  frame.mac = mac;
  frame.rssi_dbm = rssi;
  Result<Bytes> odid = Bytes{};
  if (beacon) {
    if (f.size() < header + 12) return bad(ErrorCode::kTruncated, header, "beacon body cut");
    frame.transport = Transport::kWifiBeacon;
    odid = find_beacon_odid(f.subspan(header + 12));
  } else {
    frame.transport = Transport::kWifiNan;
    odid = find_nan_odid(f.subspan(header));
  }
  if (!odid) return odid.error();
  if (odid->empty()) return out;
  frame.odid = *odid;
  out.push(frame);
  return out;
}

}  // namespace

const char* to_string(Transport t) {
  switch (t) {
    case Transport::kWifiBeacon:
      return "wifi_beacon";
    case Transport::kWifiNan:
      return "wifi_nan";
    case Transport::kBt4:
      return "bt4";
    case Transport::kBt5:
      return "bt5";
  }
  return "unknown";
}

// Reflected CRC-32 (polynomial 0xEDB88320), eight bytes per step with eight
// tables ("slicing by 8"): the FCS check is the costliest step of a beacon.
std::uint32_t crc32_ieee(Bytes data) {
  static const auto t = [] {
    std::array<std::array<std::uint32_t, 256>, 8> tab{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      tab[0][i] = c;
    }
    for (std::size_t k = 1; k < 8; ++k)
      for (std::size_t i = 0; i < 256; ++i)
        tab[k][i] = (tab[k - 1][i] >> 8) ^ tab[0][tab[k - 1][i] & 0xFF];
    return tab;
  }();
  std::uint32_t c = 0xFFFFFFFFu;
  const std::uint8_t* p = data.data();
  std::size_t n = data.size();
  for (; n >= 8; n -= 8, p += 8) {
    const std::uint32_t a = detail::le32(p) ^ c, b = detail::le32(p + 4);
    c = t[7][a & 0xFF] ^ t[6][(a >> 8) & 0xFF] ^ t[5][(a >> 16) & 0xFF] ^ t[4][a >> 24] ^
        t[3][b & 0xFF] ^ t[2][(b >> 8) & 0xFF] ^ t[1][(b >> 16) & 0xFF] ^ t[0][b >> 24];
  }
  for (; n > 0; --n, ++p) c = t[0][(c ^ *p) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

Result<LinkResult> parse_ieee80211(Bytes frame) { return ieee80211(frame, std::nullopt); }

// Radiotap: version 0, pad, length (LE 16), present bitmaps (bit 31 chains
// another word), then the fields of the first bitmap in bit order, each aligned
// to its natural size from the start of the header. Fields read here: Flags
// (bit 1: 0x10 FCS at end, 0x40 bad FCS) and dBm antenna signal (bit 5).
Result<LinkResult> parse_radiotap(Bytes p) {
  if (p.size() < 8) return bad(ErrorCode::kTruncated, 0, "radiotap header cut");
  if (p[0] != 0) return bad(ErrorCode::kUnsupported, 0, "radiotap version not 0");
  const std::size_t len = detail::le16(p.data() + 2);
  if (len < 8 || len > p.size())
    return bad(ErrorCode::kBadValue, 2,
               "radiotap length " + std::to_string(len) + " in a " + std::to_string(p.size()) +
                   "-byte packet");
  const std::uint32_t present = detail::le32(p.data() + 4);
  std::size_t off = 8;
  for (std::uint32_t word = present; word & 0x80000000u;) {  // skip chained bitmaps
    if (off + 4 > len) return bad(ErrorCode::kTruncated, off, "radiotap present bitmaps cut");
    word = detail::le32(p.data() + off);
    off += 4;
  }
  // Bits 0..5: TSFT (8), Flags (1), Rate (1), Channel (2 x 2), FHSS (2), dBm signal (1).
  static constexpr std::size_t kSize[6] = {8, 1, 1, 4, 2, 1};
  static constexpr std::size_t kAlign[6] = {8, 1, 1, 2, 1, 1};
  std::uint8_t flags = 0;
  std::optional<int> rssi;
  for (int bit = 0; bit < 6; ++bit) {
    if (!(present & (1u << bit))) continue;
    off = (off + kAlign[bit] - 1) & ~(kAlign[bit] - 1);  // alignments are powers of two
    if (off + kSize[bit] > len) return bad(ErrorCode::kTruncated, off, "radiotap fields cut");
    if (bit == 1) flags = p[off];
    if (bit == 5) rssi = static_cast<std::int8_t>(p[off]);
    off += kSize[bit];
  }
  Bytes frame = p.subspan(len);
  if (flags & 0x10) {  // FCS at end
    if (frame.size() < 4) return bad(ErrorCode::kTruncated, len, "802.11 frame shorter than FCS");
    const Bytes body = frame.first(frame.size() - 4);
    if ((flags & 0x40) || crc32_ieee(body) != detail::le32(frame.data() + body.size())) {
      LinkResult out;
      out.check_failed = true;
      return out;
    }
    frame = body;
  } else if (flags & 0x40) {
    LinkResult out;
    out.check_failed = true;
    return out;
  }
  auto r = ieee80211(frame, rssi);
  if (!r) {
    Error e = r.error();
    e.offset += static_cast<std::int64_t>(len);
    return e;
  }
  return r;
}

bool link_supported(int dlt) {
  switch (dlt) {
    case kDltIeee80211:
    case kDltRadiotap:
    case kDltHciH4:
    case kDltHciH4WithPhdr:
    case kDltBleLl:
    case kDltBleLlWithPhdr:
    case kDltNordicBle:
      return true;
    default:
      return false;
  }
}

Result<LinkResult> parse_link(int dlt, Bytes packet) {
  switch (dlt) {
    case kDltIeee80211:
      return parse_ieee80211(packet);
    case kDltRadiotap:
      return parse_radiotap(packet);
    case kDltHciH4:
      return parse_hci_h4(packet);
    case kDltHciH4WithPhdr:
      return parse_hci_h4_phdr(packet);
    case kDltBleLl:
      return parse_ble_ll(packet);
    case kDltBleLlWithPhdr:
      return parse_ble_ll_phdr(packet);
    case kDltNordicBle:
      return parse_nordic_ble(packet);
    default:
      return bad(ErrorCode::kUnsupported, 0, "link-layer type " + std::to_string(dlt));
  }
}

}  // namespace skyfuse::decode::remoteid
