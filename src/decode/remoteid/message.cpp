#include "decode/remoteid/message.hpp"

#include <string>

#include "decode/remoteid/detail/bytes.hpp"

namespace skyfuse::decode::remoteid {

namespace {

using detail::le16;
using detail::le32;
using detail::le32s;

template <std::size_t N>
Text<N> text(const std::uint8_t* p) {
  Text<N> t;
  while (t.size < N && p[t.size] != 0) {
    t.chars[t.size] = static_cast<char>(p[t.size]);
    ++t.size;
  }
  return t;
}

// Altitudes, heights, area ceiling/floor: 0.5 m steps from -1000 m; raw 0
// (-1000 m) means unknown.
std::optional<double> altitude(std::uint16_t raw) {
  if (raw == 0) return std::nullopt;
  return raw * 0.5 - 1000.0;
}

// Latitude/longitude pair in 1e-7 degrees; 0/0 means unknown.
void lat_lon(const std::uint8_t* p, std::optional<double>& lat, std::optional<double>& lon) {
  const std::int32_t la = le32s(p), lo = le32s(p + 4);
  if (la == 0 && lo == 0) return;
  lat = la / 1e7;
  lon = lo / 1e7;
}

std::optional<Time> since_2019(std::uint32_t s) {
  if (s == 0) return std::nullopt;
  return Time{(kEpoch2019Unix + static_cast<std::int64_t>(s)) * 1000000000};
}

BasicId basic_id(const std::uint8_t* b) {
  BasicId m;
  m.id_type = b[1] >> 4;
  m.ua_type = b[1] & 0x0F;
  m.uas_id = text<20>(b + 2);
  for (std::size_t i = 0; i < 20; ++i) m.raw_id[i] = b[2 + i];
  return m;
}

Location location(const std::uint8_t* b) {
  Location m;
  m.status = b[1] >> 4;
  m.height_type = (b[1] & 0x04) ? HeightType::kAboveGround : HeightType::kAboveTakeoff;
  const bool west = b[1] & 0x02;  // direction segment 180..359
  const bool fast = b[1] & 0x01;  // speed multiplier
  const int dir = b[2] + (west ? 180 : 0);
  if (dir <= 360) m.direction_deg = dir;
  const double speed = fast ? b[3] * 0.75 + 63.75 : b[3] * 0.25;
  if (!(fast && b[3] == 255)) m.speed_h_mps = speed;
  const auto vs = static_cast<std::int8_t>(b[4]);
  if (vs != 126) m.speed_v_mps = vs * 0.5;
  lat_lon(b + 5, m.lat_deg, m.lon_deg);
  m.alt_baro_m = altitude(le16(b + 13));
  m.alt_geo_m = altitude(le16(b + 15));
  m.height_m = altitude(le16(b + 17));
  m.vertical_accuracy = b[19] >> 4;
  m.horizontal_accuracy = b[19] & 0x0F;
  m.baro_accuracy = b[20] >> 4;
  m.speed_accuracy = b[20] & 0x0F;
  const std::uint16_t ts = le16(b + 21);
  if (ts <= 36000) m.timestamp_s = ts / 10.0;
  if (const int acc = b[23] & 0x0F; acc != 0) m.timestamp_accuracy_s = acc / 10.0;
  return m;
}

Auth auth(const std::uint8_t* b) {
  Auth m;
  m.auth_type = b[1] >> 4;
  m.page = b[1] & 0x0F;
  const std::uint8_t* data = b + 2;
  if (m.page == 0) {
    m.last_page_index = b[2];
    m.length = b[3];
    m.timestamp = since_2019(le32(b + 4));
    data = b + 8;
    m.data_size = 17;
  } else {
    m.data_size = 23;
  }
  for (std::size_t i = 0; i < m.data_size; ++i) m.data[i] = data[i];
  return m;
}

SelfId self_id(const std::uint8_t* b) {
  SelfId m;
  m.description_type = b[1];
  m.description = text<23>(b + 2);
  return m;
}

System system_msg(const std::uint8_t* b) {
  System m;
  m.classification_type = (b[1] >> 2) & 0x07;
  m.operator_location_type = b[1] & 0x03;
  lat_lon(b + 2, m.operator_lat_deg, m.operator_lon_deg);
  m.area_count = le16(b + 10);
  m.area_radius_m = b[12] * 10.0;
  m.area_ceiling_m = altitude(le16(b + 13));
  m.area_floor_m = altitude(le16(b + 15));
  m.category_eu = b[17] >> 4;
  m.class_eu = b[17] & 0x0F;
  m.operator_alt_geo_m = altitude(le16(b + 18));
  m.timestamp = since_2019(le32(b + 20));
  return m;
}

OperatorId operator_id(const std::uint8_t* b) {
  OperatorId m;
  m.operator_id_type = b[1];
  m.operator_id = text<20>(b + 2);
  return m;
}

}  // namespace

const char* to_string(MessageType t) {
  switch (t) {
    case MessageType::kBasicId:
      return "basic_id";
    case MessageType::kLocation:
      return "location";
    case MessageType::kAuth:
      return "auth";
    case MessageType::kSelfId:
      return "self_id";
    case MessageType::kSystem:
      return "system";
    case MessageType::kOperatorId:
      return "operator_id";
    case MessageType::kMessagePack:
      return "message_pack";
  }
  return "unknown";
}

Result<Message> decode_message(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < kMessageSize)
    return Error{ErrorCode::kTruncated, 0,
                 "message of " + std::to_string(bytes.size()) + " bytes (needs 25)"};
  const std::uint8_t* b = bytes.data();
  Message m;
  m.protocol_version = b[0] & 0x0F;
  switch (b[0] >> 4) {
    case 0:
      m.body = basic_id(b);
      break;
    case 1:
      m.body = location(b);
      break;
    case 2:
      m.body = auth(b);
      break;
    case 3:
      m.body = self_id(b);
      break;
    case 4:
      m.body = system_msg(b);
      break;
    case 5:
      m.body = operator_id(b);
      break;
    case 0xF:
      return Error{ErrorCode::kBadValue, 0, "message pack inside a message pack"};
    default:
      return Error{ErrorCode::kUnsupported, 0, "unknown message type " + std::to_string(b[0] >> 4)};
  }
  return m;
}

Result<Payload> parse_payload(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < 2) return Error{ErrorCode::kTruncated, 0, "no message after the counter"};
  Payload p;
  p.counter = bytes[0];
  const std::span<const std::uint8_t> rest = bytes.subspan(1);
  if ((rest[0] >> 4) != 0xF) {
    if (rest.size() < kMessageSize)
      return Error{ErrorCode::kTruncated, 1,
                   "message of " + std::to_string(rest.size()) + " bytes (needs 25)"};
    p.bytes = rest.first(kMessageSize);
    return p;
  }
  p.packed = true;
  p.pack_version = rest[0] & 0x0F;
  if (rest.size() < 3) return Error{ErrorCode::kTruncated, 1, "message pack header cut short"};
  if (rest[1] != kMessageSize)
    return Error{ErrorCode::kBadValue, 2,
                 "message pack of " + std::to_string(rest[1]) + "-byte messages (must be 25)"};
  const std::size_t n = rest[2];
  if (n < 1 || n > kMaxPackMessages)
    return Error{ErrorCode::kBadValue, 3,
                 "message pack count " + std::to_string(n) + " (must be 1..9)"};
  if (rest.size() < 3 + n * kMessageSize)
    return Error{ErrorCode::kTruncated, 4,
                 "message pack of " + std::to_string(n) + " messages in " +
                     std::to_string(rest.size() - 3) + " bytes"};
  p.bytes = rest.subspan(3, n * kMessageSize);
  return p;
}

std::optional<double> horizontal_accuracy_m(std::uint8_t code) {
  constexpr double kNm = 1852.0;
  static constexpr double kBound[13] = {0,         10 * kNm,  4 * kNm,   2 * kNm,    1 * kNm,
                                        0.5 * kNm, 0.3 * kNm, 0.1 * kNm, 0.05 * kNm, 30,
                                        10,        3,         1};
  if (code == 0 || code > 12) return std::nullopt;
  return kBound[code];
}

std::optional<double> vertical_accuracy_m(std::uint8_t code) {
  static constexpr double kBound[7] = {0, 150, 45, 25, 10, 3, 1};
  if (code == 0 || code > 6) return std::nullopt;
  return kBound[code];
}

std::optional<double> speed_accuracy_mps(std::uint8_t code) {
  static constexpr double kBound[5] = {0, 10, 3, 1, 0.3};
  if (code == 0 || code > 4) return std::nullopt;
  return kBound[code];
}

}  // namespace skyfuse::decode::remoteid
