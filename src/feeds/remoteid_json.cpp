#include "feeds/remoteid_json.hpp"

#include <fmt/format.h>

#include "io/jsonl.hpp"

namespace skyfuse::feeds {

namespace rid = decode::remoteid;

namespace {

void text(std::string& o, const char* key, std::string_view v) {
  o += fmt::format(",\"{}\":{}", key, io::json_string(std::string(v)));
}
// Shortest form that reads back exactly: 47.1987103, 929.1, 20.5.
void number(std::string& o, const char* key, double v) { o += fmt::format(",\"{}\":{}", key, v); }
void number(std::string& o, const char* key, const std::optional<double>& v) {
  if (v) number(o, key, *v);
}
void integer(std::string& o, const char* key, long long v) {
  o += fmt::format(",\"{}\":{}", key, v);
}
void time(std::string& o, const char* key, const std::optional<Time>& t) {
  if (t) o += fmt::format(",\"{}\":{}", key, t->ns / 1000000000);
}
std::string hex(rid::Bytes b) {
  std::string s;
  for (const std::uint8_t c : b) s += fmt::format("{:02x}", c);
  return s;
}

void body(std::string& o, const rid::BasicId& m) {
  integer(o, "id_type", m.id_type);
  integer(o, "ua_type", m.ua_type);
  text(o, "uas_id", m.uas_id.view());
  if (m.id_type == 3 || m.id_type == 4) text(o, "uas_id_hex", hex(m.raw_id));  // binary IDs
}
void body(std::string& o, const rid::Location& m) {
  integer(o, "status", m.status);
  integer(o, "height_type", static_cast<int>(m.height_type));
  number(o, "direction_deg", m.direction_deg);
  number(o, "speed_h_mps", m.speed_h_mps);
  number(o, "speed_v_mps", m.speed_v_mps);
  number(o, "lat_deg", m.lat_deg);
  number(o, "lon_deg", m.lon_deg);
  number(o, "alt_baro_m", m.alt_baro_m);
  number(o, "alt_geo_m", m.alt_geo_m);
  number(o, "height_m", m.height_m);
  number(o, "horiz_acc_m", rid::horizontal_accuracy_m(m.horizontal_accuracy));
  number(o, "vert_acc_m", rid::vertical_accuracy_m(m.vertical_accuracy));
  number(o, "baro_acc_m", rid::vertical_accuracy_m(m.baro_accuracy));
  number(o, "speed_acc_mps", rid::speed_accuracy_mps(m.speed_accuracy));
  number(o, "timestamp_s", m.timestamp_s);
  number(o, "timestamp_acc_s", m.timestamp_accuracy_s);
}
void body(std::string& o, const rid::Auth& m) {
  integer(o, "auth_type", m.auth_type);
  integer(o, "page", m.page);
  if (m.page == 0) {
    integer(o, "last_page_index", m.last_page_index);
    integer(o, "length", m.length);
    time(o, "timestamp_unix_s", m.timestamp);
  }
  text(o, "auth_data_hex", hex(m.data_view()));
}
void body(std::string& o, const rid::SelfId& m) {
  integer(o, "description_type", m.description_type);
  text(o, "description", m.description.view());
}
void body(std::string& o, const rid::System& m) {
  integer(o, "operator_location_type", m.operator_location_type);
  integer(o, "classification_type", m.classification_type);
  number(o, "operator_lat_deg", m.operator_lat_deg);
  number(o, "operator_lon_deg", m.operator_lon_deg);
  number(o, "operator_alt_geo_m", m.operator_alt_geo_m);
  integer(o, "area_count", m.area_count);
  number(o, "area_radius_m", m.area_radius_m);
  number(o, "area_ceiling_m", m.area_ceiling_m);
  number(o, "area_floor_m", m.area_floor_m);
  integer(o, "category_eu", m.category_eu);
  integer(o, "class_eu", m.class_eu);
  time(o, "timestamp_unix_s", m.timestamp);
}
void body(std::string& o, const rid::OperatorId& m) {
  integer(o, "operator_id_type", m.operator_id_type);
  text(o, "operator_id", m.operator_id.view());
}

}  // namespace

std::string remoteid_json(const rid::Decoded& d) {
  std::string o = "{\"time\":";
  append_time(o, d.time);
  o += fmt::format(",\"frame\":{},\"transport\":\"{}\"", d.frame, rid::to_string(d.transport));
  if (d.mac) {
    const auto& m = *d.mac;
    o += fmt::format(",\"mac\":\"{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}\"", m[0], m[1], m[2],
                     m[3], m[4], m[5]);
  }
  if (d.rssi_dbm) integer(o, "rssi_dbm", *d.rssi_dbm);
  integer(o, "msg_counter", d.msg_counter);
  if (d.pack_size)
    o += fmt::format(",\"pack_index\":{},\"pack_size\":{}", d.pack_index, d.pack_size);
  o += fmt::format(",\"message\":\"{}\",\"protocol_version\":{}", rid::to_string(d.message.type()),
                   d.message.protocol_version);
  std::visit([&](const auto& m) { body(o, m); }, d.message.body);
  o += '}';
  return o;
}

std::string remoteid_stats_json(const rid::DecoderStats& s) {
  std::string per_transport, per_message;
  for (std::size_t t = 0; t < rid::kTransports; ++t)
    per_transport += fmt::format("{}\"{}\":{{\"payloads\":{},\"messages\":{}}}", t ? "," : "",
                                 rid::to_string(static_cast<rid::Transport>(t)),
                                 s.payloads_per_transport[t], s.messages_per_transport[t]);
  for (std::size_t m = 0; m < s.messages_per_type.size(); ++m)
    per_message +=
        fmt::format("{}\"{}\":{}", m ? "," : "", rid::to_string(static_cast<rid::MessageType>(m)),
                    s.messages_per_type[m]);
  return fmt::format(
      "{{\"packets\":{},\"remote_id_packets\":{},\"other_packets\":{},"
      "\"bad_fcs_crc\":{},\"errors\":{},\"messages\":{},\"unknown_version\":{},"
      "\"per_transport\":{{{}}},\"per_message\":{{{}}}}}",
      s.packets, s.rid_packets, s.other_packets, s.check_failed, s.errors, s.messages,
      s.unknown_version, per_transport, per_message);
}

}  // namespace skyfuse::feeds
