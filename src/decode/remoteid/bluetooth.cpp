// Bluetooth link layers: LE link-layer packets (bare, with the LE pseudo-header,
// from the nRF Sniffer) and HCI advertising reports (H4).
#include <string>

#include "decode/remoteid/detail/bytes.hpp"
#include "decode/remoteid/link.hpp"

namespace skyfuse::decode::remoteid {

namespace {

Error bad(ErrorCode code, std::size_t offset, std::string what) {
  return Error{code, static_cast<std::int64_t>(offset), std::move(what)};
}

Result<LinkResult> shifted(Result<LinkResult> r, std::size_t by) {
  if (r) return r;
  Error e = r.error();
  e.offset += static_cast<std::int64_t>(by);
  return e;
}

// Bluetooth device addresses are sent least significant byte first.
Mac reversed_mac(const std::uint8_t* p) {
  Mac m;
  for (std::size_t i = 0; i < 6; ++i) m[i] = p[5 - i];
  return m;
}

std::uint8_t reverse8(std::uint8_t b) {
  b = static_cast<std::uint8_t>((b & 0xF0) >> 4 | (b & 0x0F) << 4);
  b = static_cast<std::uint8_t>((b & 0xCC) >> 2 | (b & 0x33) << 2);
  return static_cast<std::uint8_t>((b & 0xAA) >> 1 | (b & 0x55) << 1);
}

// Adds the Remote ID payload found in `adv_data` (if any) as a frame.
Result<LinkResult> with_adv_data(LinkResult out, Frame frame, Bytes adv_data) {
  auto odid = find_ble_odid(adv_data);
  if (!odid) return odid.error();
  if (odid->empty()) return out;
  frame.odid = *odid;
  out.push(frame);
  return out;
}

// An advertising PDU: header (type in the low nibble of byte 0, length in
// byte 1) and payload.
Result<LinkResult> adv_pdu(Bytes pdu, std::optional<int> rssi) {
  LinkResult out;
  const int type = pdu[0] & 0x0F;
  const Bytes payload = pdu.subspan(2);
  Frame frame;
  frame.rssi_dbm = rssi;
  if (type == 0 || type == 2 || type == 4 || type == 6) {  // legacy PDUs with AdvA + data
    if (payload.size() < 6) return bad(ErrorCode::kTruncated, 2, "advertising PDU without AdvA");
    frame.transport = Transport::kBt4;
    frame.mac = reversed_mac(payload.data());
    return with_adv_data(out, frame, payload.subspan(6));
  }
  if (type != 7) return out;  // ADV_DIRECT_IND, SCAN_REQ, CONNECT_IND: no data
  // Extended PDU: ext header length (6 bits) + AdvMode, ext header, AdvData.
  if (payload.empty()) return bad(ErrorCode::kTruncated, 2, "extended PDU without header");
  const std::size_t ext_len = payload[0] & 0x3F;
  if (1 + ext_len > payload.size())
    return bad(ErrorCode::kBadValue, 2,
               "extended header of " + std::to_string(ext_len) + " bytes in a " +
                   std::to_string(payload.size()) + "-byte PDU");
  frame.transport = Transport::kBt5;
  if (ext_len > 0) {
    const std::uint8_t flags = payload[1];
    // AdvA, TargetA, CTEInfo, ADI, AuxPtr, SyncInfo, TxPower (bits 0..6).
    static constexpr std::size_t kFieldSize[7] = {6, 6, 1, 2, 3, 18, 1};
    std::size_t need = 1;
    for (int bit = 0; bit < 7; ++bit)
      if (flags & (1 << bit)) need += kFieldSize[bit];
    if (need > ext_len)
      return bad(ErrorCode::kBadValue, 3, "extended header fields exceed its length");
    if (flags & 0x01) frame.mac = reversed_mac(payload.data() + 2);
  }
  return with_adv_data(out, frame, payload.subspan(1 + ext_len));
}

}  // namespace

std::array<std::uint8_t, 3> ble_crc(Bytes pdu, std::uint32_t init) {
  // Bits enter LSB first; the register (bit k = LFSR position k) is sent from
  // position 23 down, so each captured CRC byte is a bit-reversed register byte.
  std::uint32_t r = init & 0xFFFFFF;
  for (const std::uint8_t byte : pdu) {
    for (int i = 0; i < 8; ++i) {
      const std::uint32_t fb = ((r >> 23) ^ (byte >> i)) & 1;
      r = (r << 1) & 0xFFFFFF;
      if (fb) r ^= 0x00065B;
    }
  }
  return {reverse8(static_cast<std::uint8_t>(r >> 16)), reverse8(static_cast<std::uint8_t>(r >> 8)),
          reverse8(static_cast<std::uint8_t>(r))};
}

Result<LinkResult> detail::ble_packet(Bytes p, bool coded, int crc, std::optional<int> rssi) {
  LinkResult out;
  if (p.size() < 4) return bad(ErrorCode::kTruncated, 0, "LE packet without access address");
  if (detail::le32(p.data()) != kAdvAccessAddress) return out;  // data channel
  const std::size_t off = coded ? 5 : 4;
  if (p.size() < off + 2) return bad(ErrorCode::kTruncated, off, "LE PDU header cut");
  const std::size_t len = p[off + 1];
  if (p.size() < off + 2 + len + 3)
    return bad(ErrorCode::kTruncated, off,
               "LE PDU of " + std::to_string(len) + " bytes (+ CRC) in " +
                   std::to_string(p.size() - off) + " bytes");
  const Bytes pdu = p.subspan(off, 2 + len);
  if (crc < 0) {
    const auto c = ble_crc(pdu);
    const std::uint8_t* got = p.data() + off + 2 + len;
    crc = (c[0] == got[0] && c[1] == got[1] && c[2] == got[2]) ? 1 : 0;
  }
  if (crc == 0) {
    out.check_failed = true;
    return out;
  }
  return shifted(adv_pdu(pdu, rssi), off);
}

Result<LinkResult> parse_ble_ll(Bytes packet) {
  return detail::ble_packet(packet, false, -1, std::nullopt);
}

// Pseudo-header: RF channel, signal dBm, noise dBm, access address offenses,
// reference access address (4), flags (LE 16): 0x0002 signal valid, 0x0400
// CRC checked, 0x0800 CRC valid, bits 14-15 PHY (0 1M, 1 2M, 2 Coded).
Result<LinkResult> parse_ble_ll_phdr(Bytes p) {
  if (p.size() < 10) return bad(ErrorCode::kTruncated, 0, "LE pseudo-header cut");
  const std::uint16_t flags = detail::le16(p.data() + 8);
  std::optional<int> rssi;
  if (flags & 0x0002) rssi = static_cast<std::int8_t>(p[1]);
  const int crc = (flags & 0x0400) ? ((flags & 0x0800) ? 1 : 0) : -1;
  const bool coded = (flags >> 14) == 2;
  return shifted(detail::ble_packet(p.subspan(10), coded, crc, rssi), 10);
}

// nRF Sniffer: board ID, then (header version 1) header length, payload
// length, version, packet counter (2), packet ID, or (versions 2, 3) payload
// length (LE 16), version, packet counter (2), packet ID; then the event
// header: its length (10), flags (bit 0 CRC OK, bits 4-6 PHY), channel,
// RSSI (negated dBm), event counter (2), time (4); then the LE packet.
Result<LinkResult> parse_nordic_ble(Bytes p) {
  if (p.size() >= 2 && p[0] == 0xBE && p[1] == 0xEF)
    return bad(ErrorCode::kUnsupported, 0, "nRF Sniffer legacy (0.9.7) header");
  if (p.size() < 8) return bad(ErrorCode::kTruncated, 0, "nRF Sniffer header cut");
  const int version = p[3];
  const std::size_t total =
      version == 1 ? std::size_t{p[1]} + 1 + p[2] : std::size_t{7} + detail::le16(p.data() + 1);
  if (version == 0 || total != p.size())
    return bad(ErrorCode::kBadValue, 1,
               "nRF Sniffer header (version " + std::to_string(version) + ") announces " +
                   std::to_string(total) + " bytes, packet has " + std::to_string(p.size()));
  const std::size_t ev_len = p[7];
  if (ev_len < 10 || 7 + ev_len > p.size())
    return bad(ErrorCode::kBadValue, 7,
               "nRF Sniffer event header length " + std::to_string(ev_len));
  const std::uint8_t flags = p[8];
  const int rssi = -static_cast<int>(p[10]);
  const bool coded = ((flags >> 4) & 7) == 2;
  return shifted(detail::ble_packet(p.subspan(7 + ev_len), coded, flags & 1, rssi), 7 + ev_len);
}

// H4: packet type 0x04 (event), event code, parameter length, parameters.
// LE Meta (0x3E) subevents 0x02 (advertising report: per report event type,
// address type, address, data length, data, RSSI) and 0x0D (extended report:
// event type (2), address type, address, primary PHY, secondary PHY, SID, TX
// power, RSSI, periodic interval (2), direct address type, direct address,
// data length, data).
Result<LinkResult> parse_hci_h4(Bytes p) {
  LinkResult out;
  if (p.empty()) return bad(ErrorCode::kTruncated, 0, "empty H4 packet");
  if (p[0] != 0x04) return out;  // command, ACL, SCO, ISO
  if (p.size() < 3) return bad(ErrorCode::kTruncated, 1, "HCI event header cut");
  const std::size_t plen = p[2];
  if (p.size() < 3 + plen)
    return bad(
        ErrorCode::kTruncated, 2,
        "HCI event of " + std::to_string(plen) + " bytes in " + std::to_string(p.size() - 3));
  if (p[1] != 0x3E || plen < 2) return out;
  const std::uint8_t sub = p[3];
  if (sub != 0x02 && sub != 0x0D) return out;
  const Bytes e = p.subspan(3, plen);  // subevent, num reports, reports
  const std::size_t n = e[1];
  std::size_t i = 2;
  for (std::size_t r = 0; r < n; ++r) {
    Frame f;
    std::size_t data_len = 0, data_at = 0;
    if (sub == 0x02) {
      if (i + 9 > e.size()) return bad(ErrorCode::kTruncated, 3 + i, "advertising report cut");
      f.transport = Transport::kBt4;
      f.address_type = e[i + 1];
      f.mac = reversed_mac(e.data() + i + 2);
      data_len = e[i + 8];
      data_at = i + 9;
      if (data_at + data_len + 1 > e.size())
        return bad(ErrorCode::kTruncated, 3 + i, "advertising report data cut");
      const auto rssi = static_cast<std::int8_t>(e[data_at + data_len]);
      if (rssi != 127) f.rssi_dbm = rssi;
      i = data_at + data_len + 1;
    } else {
      if (i + 24 > e.size())
        return bad(ErrorCode::kTruncated, 3 + i, "extended advertising report cut");
      const std::uint16_t type = detail::le16(e.data() + i);
      f.transport = (type & 0x10) ? Transport::kBt4 : Transport::kBt5;
      const int status = (type >> 5) & 3;
      f.fragment = status == 0   ? Fragment::kComplete
                   : status == 1 ? Fragment::kMore
                                 : Fragment::kTruncated;
      f.address_type = e[i + 2];
      f.mac = reversed_mac(e.data() + i + 3);
      f.sid = e[i + 11];
      const auto rssi = static_cast<std::int8_t>(e[i + 13]);
      if (rssi != 127) f.rssi_dbm = rssi;
      data_len = e[i + 23];
      data_at = i + 24;
      if (data_at + data_len > e.size())
        return bad(ErrorCode::kTruncated, 3 + i, "extended advertising report data cut");
      i = data_at + data_len;
      f.adv_data = e.subspan(data_at, data_len);  // searched (and reassembled) by the decoder
      out.push(f);
      continue;
    }
    auto odid = find_ble_odid(e.subspan(data_at, data_len));
    if (!odid) return shifted(odid.error(), 3 + data_at);
    f.odid = *odid;
    if (!f.odid.empty()) out.push(f);
  }
  return out;
}

Result<LinkResult> parse_hci_h4_phdr(Bytes p) {
  if (p.size() < 4) return bad(ErrorCode::kTruncated, 0, "H4 direction pseudo-header cut");
  return shifted(parse_hci_h4(p.subspan(4)), 4);
}

}  // namespace skyfuse::decode::remoteid
