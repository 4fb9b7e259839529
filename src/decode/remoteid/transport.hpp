// File: decode/remoteid/transport.hpp
//
// Where the Remote ID bytes sit inside each broadcast transport (FORMAT.md,
// "Framing"): each function takes the transport's own container and returns
// the Remote ID payload, i.e. the bytes from the message counter on, ready for
// parse_payload(). An empty span means "well formed, but no Remote ID here";
// an error means the container itself is malformed (an element running past
// the end, a bad length).
//
//   Wi-Fi Beacon   vendor-specific information element 221: OUI FA:0B:BC
//                  (ASD-STAN), OUI type 0x0D, counter, Message Pack.
//   Wi-Fi NAN      Service Discovery Frame: Public Action frame (category 4,
//                  action 9), OUI 50:6F:9A type 0x13, NAN attributes; the
//                  Service Descriptor Attribute (0x03) whose Service ID is
//                  88 69 19 9D 92 09 carries counter + pack as Service Info.
//   Bluetooth      advertising data: an AD structure [len, 0x16 (Service Data
//                  - 16-bit UUID), FA FF (UUID 0xFFFA), 0x0D (app code),
//                  counter, message or pack]; legacy (BT4) and extended (BT5).
//
//   auto odid = find_beacon_odid(ies);            // ies: after the 12 fixed bytes
//   if (odid && !odid->empty()) auto p = parse_payload(*odid);
#pragma once

#include <cstdint>
#include <span>

#include "core/result.hpp"
#include "decode/remoteid/message.hpp"

namespace skyfuse::decode::remoteid {

// 802.11 information elements (e.g. a beacon body after timestamp, interval
// and capabilities).
Result<Bytes> find_beacon_odid(Bytes ies);

// An 802.11 action frame body from the category byte on.
Result<Bytes> find_nan_odid(Bytes action_body);

// Bluetooth LE advertising data (a run of AD structures). A zero length byte
// ends the data (the rest is padding, as the Core specification allows).
Result<Bytes> find_ble_odid(Bytes adv_data);

}  // namespace skyfuse::decode::remoteid
