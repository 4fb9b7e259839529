// File: decode/remoteid/message.hpp
//
// Broadcast Remote ID messages (ASTM F3411-19/-22a, ASD-STAN EN 4709-002;
// the byte layout of tests/data/remoteid/FORMAT.md, summarised from
// the reference library opendroneid-core-c): every message is 25 bytes, byte 0
// is (type << 4) | protocol version, multi-byte fields are little-endian.
// `decode_message()` turns one message into a plain value with SI units and
// unit-suffixed names; `parse_payload()` splits the bytes a transport carries
// (message counter, then one message or a Message Pack) into messages.
//
// Invalid / unknown encodings become an empty std::optional: lat = lon = 0,
// altitudes and heights of -1000 m (raw 0), horizontal speed 255 m/s, vertical
// speed 63 m/s (raw 126), direction above 360 deg (361 = raw 181 with the E/W
// bit), Location timestamp 0xFFFF (or beyond the hour, > 36000 tenths), System
// and Authentication timestamps of 0 s, accuracy code 0 and reserved codes.
// Protocol versions other than 0, 1, 2 are decoded with the same layout (the
// standard keeps backward compatibility); the decoder counts them.
//
//   for (auto& m : parse_payload(odid_bytes)->messages())
//     if (auto r = decode_message(m); r)
//       if (auto* loc = std::get_if<Location>(&r->body)) use(loc->lat_deg, loc->height_m);
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <variant>

#include "core/result.hpp"
#include "core/time.hpp"

namespace skyfuse::decode::remoteid {

using Bytes = std::span<const std::uint8_t>;

inline constexpr std::size_t kMessageSize = 25;
inline constexpr std::size_t kMaxPackMessages = 9;
// System and Authentication timestamps count seconds from 2019-01-01T00:00:00Z.
inline constexpr std::int64_t kEpoch2019Unix = 1546300800;

enum class MessageType : std::uint8_t {
  kBasicId = 0,
  kLocation = 1,
  kAuth = 2,
  kSelfId = 3,
  kSystem = 4,
  kOperatorId = 5,
  kMessagePack = 0xF,
};

// "basic_id", "location", "auth", "self_id", "system", "operator_id", "message_pack".
const char* to_string(MessageType t);

// A short ASCII field as sent, cut at the first NUL (the rest is padding).
template <std::size_t N>
struct Text {
  std::array<char, N> chars{};
  std::uint8_t size = 0;
  std::string_view view() const { return {chars.data(), size}; }
  friend bool operator==(const Text& a, const Text& b) { return a.view() == b.view(); }
};

// Basic ID (type 0). id_type: 0 none, 1 serial number (ANSI/CTA-2063-A), 2 CAA
// registration, 3 UTM-assigned UUID, 4 specific session ID. ua_type: 0 none,
// 1 aeroplane, 2 helicopter/multirotor, 3 gyroplane, 4 hybrid lift, 5
// ornithopter, 6 glider, 7 kite, 8 free balloon, 9 captive balloon, 10 airship,
// 11 free fall/parachute, 12 rocket, 13 tethered powered, 14 ground obstacle,
// 15 other.
struct BasicId {
  std::uint8_t id_type = 0;
  std::uint8_t ua_type = 0;
  Text<20> uas_id;                        // up to the first NUL
  std::array<std::uint8_t, 20> raw_id{};  // as sent (binary for id types 3 and 4)
};

enum class HeightType : std::uint8_t { kAboveTakeoff = 0, kAboveGround = 1 };

// Location/Vector (type 1). status: 0 undeclared, 1 ground, 2 airborne,
// 3 emergency, 4 Remote ID system failure. The accuracy codes are kept as sent;
// horizontal_accuracy_m() etc. give their bounds.
struct Location {
  std::uint8_t status = 0;
  HeightType height_type = HeightType::kAboveTakeoff;
  std::optional<double> direction_deg;  // track over ground from true north, [0, 360]
  std::optional<double> speed_h_mps;    // ground speed
  std::optional<double> speed_v_mps;    // up positive
  std::optional<double> lat_deg;        // set together with lon_deg
  std::optional<double> lon_deg;
  std::optional<double> alt_baro_m;      // pressure altitude (1013.25 hPa reference)
  std::optional<double> alt_geo_m;       // WGS-84 height above the ellipsoid
  std::optional<double> height_m;        // above take-off or ground (height_type)
  std::uint8_t horizontal_accuracy = 0;  // codes of FORMAT.md's tables, 0 unknown
  std::uint8_t vertical_accuracy = 0;
  std::uint8_t baro_accuracy = 0;
  std::uint8_t speed_accuracy = 0;
  std::optional<double> timestamp_s;           // seconds after the full UTC hour, 0..3600
  std::optional<double> timestamp_accuracy_s;  // 0.1 .. 1.5
};

// Authentication page (type 2). auth_type: 0 none, 1 UAS ID signature,
// 2 operator ID signature, 3 message set signature, 4 network Remote ID,
// 5 specific method, 0xA-0xF private. Page 0 carries the header fields and 17
// data bytes, pages 1..15 carry 23 data bytes each.
struct Auth {
  std::uint8_t auth_type = 0;
  std::uint8_t page = 0;
  std::uint8_t last_page_index = 0;  // page 0 only
  std::uint8_t length = 0;           // page 0 only: data bytes over all pages
  std::optional<Time> timestamp;     // page 0 only
  std::array<std::uint8_t, 23> data{};
  std::uint8_t data_size = 0;  // 17 on page 0, 23 on the others
  std::span<const std::uint8_t> data_view() const { return {data.data(), data_size}; }
};

// Self-ID (type 3). description_type: 0 text, 1 emergency, 2 extended status,
// 201-255 private.
struct SelfId {
  std::uint8_t description_type = 0;
  Text<23> description;
};

// System (type 4). operator_location_type: 0 take-off, 1 live GNSS, 2 fixed.
// classification_type: 0 undeclared, 1 EU. category_eu: 0 undeclared, 1 open,
// 2 specific, 3 certified. class_eu: 0 undeclared, 1..7 = C0..C6.
struct System {
  std::uint8_t operator_location_type = 0;
  std::uint8_t classification_type = 0;
  std::optional<double> operator_lat_deg;  // set together with operator_lon_deg
  std::optional<double> operator_lon_deg;
  std::uint16_t area_count = 0;
  double area_radius_m = 0;  // 10 m steps, 0..2550
  std::optional<double> area_ceiling_m;
  std::optional<double> area_floor_m;
  std::uint8_t category_eu = 0;
  std::uint8_t class_eu = 0;
  std::optional<double> operator_alt_geo_m;  // WGS-84 height above the ellipsoid
  std::optional<Time> timestamp;
};

// Operator ID (type 5). operator_id_type: 0 operator ID.
struct OperatorId {
  std::uint8_t operator_id_type = 0;
  Text<20> operator_id;
};

using MessageBody = std::variant<BasicId, Location, Auth, SelfId, System, OperatorId>;

struct Message {
  std::uint8_t protocol_version = 0;  // 0 F3411-19, 1 EN 4709-002 / F3411 v1.1, 2 F3411-22a
  MessageBody body;
  MessageType type() const { return static_cast<MessageType>(body.index()); }
};

// Decodes the first 25 bytes of `bytes`. Errors: fewer than 25 bytes
// (kTruncated), a Message Pack (kBadValue: packs are split by parse_payload),
// message types 6-14 (kUnsupported).
Result<Message> decode_message(std::span<const std::uint8_t> bytes);

// The Remote ID content of one transport frame.
struct Payload {
  std::uint8_t counter = 0;  // the transport's message counter
  bool packed = false;       // a Message Pack (else one message)
  std::uint8_t pack_version = 0;
  std::span<const std::uint8_t> bytes;  // count() messages of 25 bytes, back to back
  std::size_t count() const { return bytes.size() / kMessageSize; }
  std::span<const std::uint8_t> message(std::size_t i) const {
    return bytes.subspan(i * kMessageSize, kMessageSize);
  }
};

// `bytes` starts at the message counter (after Bluetooth's app code 0x0D or
// Wi-Fi's OUI type 0x0D). A Message Pack must declare 25-byte messages and a
// count of 1..9 that fits in `bytes`.
Result<Payload> parse_payload(std::span<const std::uint8_t> bytes);

// Bounds of the accuracy codes (FORMAT.md; empty for 0 "unknown" and reserved codes).
std::optional<double> horizontal_accuracy_m(std::uint8_t code);  // 1: < 10 NM ... 12: < 1 m
std::optional<double> vertical_accuracy_m(
    std::uint8_t code);                                       // 1: < 150 m ... 6: < 1 m (also baro)
std::optional<double> speed_accuracy_mps(std::uint8_t code);  // 1: < 10 m/s ... 4: < 0.3 m/s

}  // namespace skyfuse::decode::remoteid
