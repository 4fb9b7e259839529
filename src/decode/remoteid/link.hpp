// File: decode/remoteid/link.hpp
//
// Link layers of captured Remote ID: one parser per pcap link-layer header
// type (DLT), each taking the captured bytes of one packet and returning the
// Remote ID payloads in it with the transmitter's address and signal level.
//
//   DLT 105  IEEE 802.11 (no radio header; no FCS assumed)
//   DLT 127  radiotap + 802.11: antenna signal (dBm) as RSSI, FCS checked when
//            the radiotap flags say it is present
//   DLT 251  Bluetooth LE link layer: access address, PDU, CRC (checked)
//   DLT 256  the same behind a 10-byte pseudo-header (RF channel, signal dBm,
//            noise, ..., 16-bit flags: signal valid, CRC checked/valid, PHY);
//            on LE Coded PHY a coding-indicator byte follows the access address
//   DLT 272  nRF Sniffer for Bluetooth LE (Nordic; header versions 1-3): board,
//            UART header, event header (flags: CRC OK, PHY; RSSI = -byte), then
//            the LE packet as for DLT 256
//   DLT 187  Bluetooth HCI UART (H4): LE Advertising Report and LE Extended
//            Advertising Report events (RSSI from the report, 127 = unknown)
//   DLT 201  the same behind a 4-byte direction pseudo-header
//
// 802.11 beacons and NAN action frames are Wi-Fi transports; legacy
// advertising PDUs (ADV_IND, ADV_NONCONN_IND, ADV_SCAN_IND, SCAN_RSP) and
// legacy HCI reports are Bluetooth 4, extended advertising PDUs (AUX_ADV_IND
// ...) and extended HCI reports Bluetooth 5. A frame whose FCS or CRC is wrong
// is dropped (`check_failed`): its bytes may look like plausible garbage.
//
//   auto r = parse_link(kDltRadiotap, packet);
//   if (r && !r->check_failed)
//     for (const Frame& f : r->frames) handle(f.transport, f.mac, parse_payload(f.odid));
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "core/result.hpp"
#include "decode/remoteid/transport.hpp"

namespace skyfuse::decode::remoteid {

enum class Transport : std::uint8_t { kWifiBeacon, kWifiNan, kBt4, kBt5 };
inline constexpr std::size_t kTransports = 4;

// "wifi_beacon", "wifi_nan", "bt4", "bt5".
const char* to_string(Transport t);

// A 48-bit address in display order (most significant byte first).
using Mac = std::array<std::uint8_t, 6>;

// HCI extended advertising reports may split data over several events.
enum class Fragment : std::uint8_t { kComplete, kMore, kTruncated };

struct Frame {
  Transport transport = Transport::kWifiBeacon;
  std::optional<Mac> mac;  // transmitter (802.11 addr2, Bluetooth AdvA)
  std::optional<int> rssi_dbm;
  Bytes odid;  // Remote ID payload from the message counter on
  // HCI extended advertising reports only (odid then empty): the report's raw
  // advertising data, whether more follows, and the advertising set it belongs
  // to. The Decoder reassembles split data and searches it.
  Fragment fragment = Fragment::kComplete;
  std::uint8_t address_type = 0;
  std::uint8_t sid = 0;
  Bytes adv_data;
};

inline constexpr std::size_t kMaxFramesPerPacket = 25;  // HCI: up to 25 reports per event

class LinkResult {
 public:
  bool check_failed = false;  // bad FCS / CRC: dropped

  std::span<const Frame> frames() const { return {frames_.data(), count_}; }
  // False when full (never for valid input: an HCI event holds at most 25 reports).
  bool push(const Frame& f) {
    if (count_ == frames_.size()) return false;
    frames_[count_++] = f;
    return true;
  }

 private:
  std::array<Frame, kMaxFramesPerPacket> frames_{};
  std::size_t count_ = 0;
};

enum : int {
  kDltIeee80211 = 105,
  kDltRadiotap = 127,
  kDltHciH4 = 187,
  kDltHciH4WithPhdr = 201,
  kDltBleLl = 251,
  kDltBleLlWithPhdr = 256,
  kDltNordicBle = 272,
};

bool link_supported(int dlt);
// Dispatches on `dlt`; kUnsupported for other link types.
Result<LinkResult> parse_link(int dlt, Bytes packet);

Result<LinkResult> parse_ieee80211(Bytes frame);
Result<LinkResult> parse_radiotap(Bytes packet);
Result<LinkResult> parse_ble_ll(Bytes packet);
Result<LinkResult> parse_ble_ll_phdr(Bytes packet);
Result<LinkResult> parse_nordic_ble(Bytes packet);
Result<LinkResult> parse_hci_h4(Bytes packet);
Result<LinkResult> parse_hci_h4_phdr(Bytes packet);

// The advertising-channel access address (also used by AUX_ADV_IND etc.).
inline constexpr std::uint32_t kAdvAccessAddress = 0x8E89BED6;
// Bluetooth LE CRC-24 (polynomial 0x00065B) over a PDU (header + payload), as
// the 3 bytes that follow it in a captured packet; `init` 0x555555 on
// advertising channels.
std::array<std::uint8_t, 3> ble_crc(Bytes pdu, std::uint32_t init = 0x555555);
// IEEE 802.3 CRC-32 as the 802.11 FCS (little-endian at the end of the frame).
std::uint32_t crc32_ieee(Bytes data);

namespace detail {
// One BLE link-layer packet from its access address on (CRC included);
// `coded`: a coding-indicator byte follows the access address. `crc`:
// 1 known good, 0 known bad, -1 to be checked here.
Result<LinkResult> ble_packet(Bytes packet, bool coded, int crc, std::optional<int> rssi_dbm);
}  // namespace detail

}  // namespace skyfuse::decode::remoteid
