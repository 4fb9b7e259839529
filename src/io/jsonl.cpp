#include "io/jsonl.hpp"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <numbers>

#include "core/input_file.hpp"

namespace skyfuse::io {

namespace {
// Printable ASCII other than the quote and the backslash: nothing to escape.
bool plain_ascii(const std::string& s) {
  return std::all_of(s.begin(), s.end(),
                     [](char ch) { return ch >= 0x20 && ch <= 0x7e && ch != '"' && ch != '\\'; });
}
}  // namespace

std::string json_string(const std::string& s) {
  if (plain_ascii(s)) return '"' + s + '"';
  return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

namespace {
constexpr double kRad = 180.0 / std::numbers::pi;
constexpr double kFt = 0.3048;

// Appends v with `precision` decimals, correctly rounded: the bytes fmt's
// "{:.Nf}" gives, through std::to_chars (several times cheaper per number).
void append_fixed(std::string& o, double v, int precision) {
  char buf[80];
  if (std::isfinite(v)) {
    const auto [end, ec] =
        std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, precision);
    if (ec == std::errc()) {
      o.append(buf, end);
      return;
    }
  }
  o += fmt::format("{:.{}f}", v, precision);  // not finite, or too long for the buffer
}

// v in `base` with at least `width` digits (zero-padded): fmt's "{:0Nx}" and
// "{:0No}" for the unsigned values used here.
void append_padded(std::string& o, unsigned v, int base, int width) {
  char buf[16];
  char* end = std::to_chars(buf, buf + sizeof buf, v, base).ptr;
  for (auto n = end - buf; n < width; ++n) o += '0';
  o.append(buf, end);
}

void append_identity(std::string& o, const Identity& id) {
  if (id.icao24) {
    o += ",\"icao24\":\"";
    append_padded(o, *id.icao24, 16, 6);
    o += '"';
  }
  if (id.mode3a) {
    o += ",\"mode3a\":\"";
    append_padded(o, *id.mode3a, 8, 4);
    o += '"';
  }
  if (!id.callsign.empty()) {
    o += ",\"callsign\":";
    o += json_string(id.callsign);
  }
  if (!id.remote_id.empty()) {
    o += ",\"remote_id\":";
    o += json_string(id.remote_id);
  }
  if (id.emitter_category) {
    o += ",\"emitter_category\":";
    append_padded(o, *id.emitter_category, 10, 1);
  }
}

// A Remote ID operator position: operator_lat_deg, operator_lon_deg and,
// when given, operator_alt_m.
void append_operator(std::string& o, const OperatorPosition& p) {
  o += ",\"operator_lat_deg\":";
  append_fixed(o, p.lat_deg, 7);
  o += ",\"operator_lon_deg\":";
  append_fixed(o, p.lon_deg, 7);
  if (p.alt_m) {
    o += ",\"operator_alt_m\":";
    append_fixed(o, *p.alt_m, 1);
  }
}

// Only digits of the base: strtoul alone would also take a sign or spaces
// ("-003ae" would wrap to a 32-bit value).
bool digits_only(const std::string& s, int base) {
  return std::all_of(s.begin(), s.end(), [base](char ch) {
    return base == 16 ? std::isxdigit(static_cast<unsigned char>(ch)) != 0
                      : ch >= '0' && ch < '0' + base;
  });
}

Error field_error(const std::string& what) { return Error{ErrorCode::kBadValue, -1, what}; }

Result<double> number(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end())
    return Error{ErrorCode::kMissingField, -1, fmt::format("missing field \"{}\"", key)};
  if (!it->is_number()) return field_error(fmt::format("field \"{}\" is not a number", key));
  const double v = it->get<double>();
  if (!std::isfinite(v)) return field_error(fmt::format("field \"{}\" is not finite", key));
  return v;
}
}  // namespace

// One line per track update (`skyfuse track` and `run` write every update):
// appended piece by piece, without a format string to interpret.
std::string to_json(const ObjectState& s) {
  std::string o;
  o.reserve(256);
  o += "{\"time\":";
  append_time(o, s.time);
  o += ",\"id\":";
  o += json_string(s.id);
  o += ",\"lat_deg\":";
  append_fixed(o, s.position.lat_deg, 8);
  o += ",\"lon_deg\":";
  append_fixed(o, s.position.lon_deg, 8);
  o += ",\"alt_m\":";
  append_fixed(o, s.position.alt_m, 2);
  o += ",\"ve_mps\":";
  append_fixed(o, s.velocity_enu_mps.x(), 3);
  o += ",\"vn_mps\":";
  append_fixed(o, s.velocity_enu_mps.y(), 3);
  o += ",\"vu_mps\":";
  append_fixed(o, s.velocity_enu_mps.z(), 3);
  if (s.status) {
    o += ",\"status\":\"";
    o += to_string(*s.status);
    o += '"';
  }
  if (s.target_class != TargetClass::kUnknown || s.status) {
    o += ",\"class\":\"";
    o += to_string(s.target_class);
    o += '"';
  }
  append_identity(o, s.identity);
  if (s.emergency) o += ",\"emergency\":true";
  if (s.baro_alt_m) {
    o += ",\"baro_alt_ft\":";
    append_fixed(o, *s.baro_alt_m / kFt, 0);
  }
  bool any = false;
  for (std::size_t k = 0; k < s.sources.size(); ++k) {
    if (s.sources[k] == 0) continue;
    o += any ? "," : ",\"sources\":{";
    o += '"';
    o += to_string(static_cast<SensorKind>(k));
    o += "\":";
    append_padded(o, s.sources[k], 10, 1);
    any = true;
  }
  if (any) o += '}';
  if (s.operator_position) append_operator(o, *s.operator_position);
  if (s.spoof_reasons != 0) {
    o += ",\"spoof_suspect\":true,\"spoof_reasons\":[";
    bool first = true;
    for (std::size_t k = 0; k < kSpoofReasonCount; ++k) {
      const auto r = static_cast<SpoofReason>(k);
      if ((s.spoof_reasons & spoof_bit(r)) == 0) continue;
      if (!first) o += ',';
      o += '"';
      o += to_string(r);
      o += '"';
      first = false;
    }
    o += "],\"spoof_confidence\":";
    append_fixed(o, s.spoof_confidence, 2);
  }
  o += '}';
  return o;
}

std::string to_json(const Report& r, const Sensor& sensor) {
  std::string o = fmt::format("{{\"time\":{},\"sensor\":{},\"kind\":\"{}\",\"sac\":{},\"sic\":{}",
                              format_time(r.time), json_string(sensor.name),
                              to_string(r.sensor_kind), sensor.sac, sensor.sic);
  if (const auto* p = std::get_if<PolarMeasurement>(&r.measurement)) {
    o += fmt::format(",\"range_m\":{:.2f},\"azimuth_deg\":{:.5f}", p->range_m,
                     p->azimuth_rad * kRad);
    if (p->elevation_rad) o += fmt::format(",\"elevation_deg\":{:.5f}", *p->elevation_rad * kRad);
    o += fmt::format(",\"sigma_range_m\":{:.3f},\"sigma_azimuth_deg\":{:.5f}",
                     std::sqrt(p->covariance(0, 0)), std::sqrt(p->covariance(1, 1)) * kRad);
    if (p->elevation_rad)
      o += fmt::format(",\"sigma_elevation_deg\":{:.5f}", std::sqrt(p->covariance(2, 2)) * kRad);
  } else if (const auto* g = std::get_if<GeodeticMeasurement>(&r.measurement)) {
    o += fmt::format(",\"lat_deg\":{:.8f},\"lon_deg\":{:.8f}", g->position.lat_deg,
                     g->position.lon_deg);
    if (g->has_height) o += fmt::format(",\"alt_m\":{:.2f}", g->position.alt_m);
    const auto& c = g->covariance_enu;
    o += fmt::format(",\"cov_enu_m2\":[{:.3f},{:.3f},{:.3f},{:.3f},{:.3f},{:.3f}]", c(0, 0),
                     c(0, 1), c(0, 2), c(1, 1), c(1, 2), c(2, 2));
  }
  if (r.velocity_enu_mps)
    o += fmt::format(",\"ve_mps\":{:.3f},\"vn_mps\":{:.3f},\"vu_mps\":{:.3f}",
                     r.velocity_enu_mps->x(), r.velocity_enu_mps->y(), r.velocity_enu_mps->z());
  if (r.baro_alt_m) o += fmt::format(",\"baro_alt_ft\":{:.0f}", *r.baro_alt_m / kFt);
  append_identity(o, r.identity);
  if (r.nacp) o += fmt::format(",\"nacp\":{}", *r.nacp);
  if (r.nic) o += fmt::format(",\"nic\":{}", *r.nic);
  if (r.operator_position) append_operator(o, *r.operator_position);
  if (r.rssi_dbm) o += fmt::format(",\"rssi_dbm\":{:.1f}", *r.rssi_dbm);
  if (r.clock_offset_s) o += fmt::format(",\"clock_offset_s\":{:.3f}", *r.clock_offset_s);
  o += '}';
  return o;
}

namespace {
// operator_lat_deg / operator_lon_deg (both or neither) and operator_alt_m.
Result<std::optional<OperatorPosition>> parse_operator(const nlohmann::json& j) {
  const bool lat = j.contains("operator_lat_deg"), lon = j.contains("operator_lon_deg");
  if (!lat && !lon) return std::optional<OperatorPosition>{};
  auto la = number(j, "operator_lat_deg");
  if (!la) return la.error();
  auto lo = number(j, "operator_lon_deg");
  if (!lo) return lo.error();
  if (*la < -90 || *la > 90) return field_error("field \"operator_lat_deg\" outside [-90, 90]");
  if (*lo < -180 || *lo > 180) return field_error("field \"operator_lon_deg\" outside [-180, 180]");
  OperatorPosition p{*la, *lo, std::nullopt};
  if (j.contains("operator_alt_m")) {
    auto a = number(j, "operator_alt_m");
    if (!a) return a.error();
    if (std::abs(*a) > 1e5) return field_error("field \"operator_alt_m\" out of range");
    p.alt_m = *a;
  }
  return std::optional<OperatorPosition>{p};
}
}  // namespace

Result<ObjectState> parse_state(std::string_view line) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(line);
  } catch (const nlohmann::json::parse_error& e) {
    return Error{ErrorCode::kBadSyntax, static_cast<std::int64_t>(e.byte),
                 fmt::format("not valid JSON near byte {}", e.byte)};
  } catch (const nlohmann::json::exception& e) {  // e.g. a number beyond double range
    return Error{ErrorCode::kBadSyntax, -1, fmt::format("not valid JSON ({})", e.what())};
  }
  if (!j.is_object()) return Error{ErrorCode::kBadSyntax, -1, "line is not a JSON object"};
  ObjectState s;
  auto t = number(j, "time");
  if (!t) return t.error();
  if (std::abs(*t) > 9e9) return field_error("field \"time\" is out of range (Unix seconds)");
  s.time = Time::from_seconds(*t);
  auto id = j.find("id");
  // A sensor report line has no "id": its 24-bit address or Remote ID serial
  // serves, so an ADS-B or Remote ID feed can be scored directly.
  if (id == j.end()) id = j.find("icao24");
  if (id == j.end()) id = j.find("remote_id");
  if (id == j.end()) return Error{ErrorCode::kMissingField, -1, "missing field \"id\""};
  if (id->is_string()) {
    s.id = id->get<std::string>();
  } else if (id->is_number_integer()) {
    s.id = std::to_string(id->get<long long>());
  } else {
    return field_error("field \"id\" must be a string or an integer");
  }
  auto lat = number(j, "lat_deg");
  if (!lat) return lat.error();
  auto lon = number(j, "lon_deg");
  if (!lon) return lon.error();
  auto alt = number(j, "alt_m");
  if (!alt) return alt.error();
  if (*lat < -90 || *lat > 90) return field_error("field \"lat_deg\" outside [-90, 90]");
  if (*lon < -540 || *lon > 540) return field_error("field \"lon_deg\" outside [-540, 540]");
  if (std::abs(*alt) > 1e7) return field_error("field \"alt_m\" out of range");
  s.position = {*lat, *lon, *alt};
  const char* vkeys[3] = {"ve_mps", "vn_mps", "vu_mps"};
  for (int k = 0; k < 3; ++k) {
    if (!j.contains(vkeys[k])) continue;  // velocity is optional: zero when absent
    auto v = number(j, vkeys[k]);
    if (!v) return v.error();
    s.velocity_enu_mps[k] = *v;
  }
  if (auto e = j.find("emergency"); e != j.end() && e->is_boolean()) s.emergency = e->get<bool>();
  if (auto st = j.find("status"); st != j.end()) {
    if (!st->is_string()) return field_error("field \"status\" must be a string");
    auto status = track_status_from_string(st->get<std::string>());
    if (!status) return field_error("unknown \"status\" " + st->dump());
    s.status = status;
  }
  if (auto c = j.find("class"); c != j.end()) {
    if (!c->is_string()) return field_error("field \"class\" must be a string");
    auto cls = target_class_from_string(c->get<std::string>());
    if (!cls) return field_error("unknown \"class\" " + c->dump());
    s.target_class = *cls;
  }
  if (auto a = j.find("icao24"); a != j.end() && a->is_string()) {
    const std::string hex = a->get<std::string>();
    if (hex.size() != 6 || !digits_only(hex, 16))
      return field_error("field \"icao24\" must be 6 hex digits");
    const unsigned long v = std::strtoul(hex.c_str(), nullptr, 16);
    s.identity.icao24 = static_cast<std::uint32_t>(v);
  }
  if (auto a = j.find("callsign"); a != j.end() && a->is_string())
    s.identity.callsign = a->get<std::string>();
  if (auto a = j.find("remote_id"); a != j.end() && a->is_string())
    s.identity.remote_id = a->get<std::string>();
  if (j.contains("baro_alt_ft")) {
    auto baro = number(j, "baro_alt_ft");
    if (!baro) return baro.error();
    if (*baro < -2000 || *baro > 200000) return field_error("field \"baro_alt_ft\" out of range");
    s.baro_alt_m = *baro * kFt;
  }
  if (auto src = j.find("sources"); src != j.end()) {
    if (!src->is_object()) return field_error("field \"sources\" must be an object");
    for (const auto& [name, n] : src->items()) {
      const auto kind = sensor_kind_from_string(name);
      if (!kind || !n.is_number_unsigned() || n.get<std::uint64_t>() > 255)
        return field_error("field \"sources\" must map sensor kinds to counts 0-255");
      s.sources[static_cast<std::size_t>(*kind)] = static_cast<std::uint8_t>(n.get<unsigned>());
    }
  }
  auto op = parse_operator(j);
  if (!op) return op.error();
  s.operator_position = *op;
  if (auto a = j.find("spoof_reasons"); a != j.end()) {
    if (!a->is_array()) return field_error("field \"spoof_reasons\" must be an array");
    for (const auto& e : *a) {
      const auto why = e.is_string() ? spoof_reason_from_string(e.get<std::string>())
                                     : std::optional<SpoofReason>{};
      if (!why) return field_error("unknown spoof reason " + e.dump());
      s.spoof_reasons |= spoof_bit(*why);
    }
    if (j.contains("spoof_confidence")) {
      auto c = number(j, "spoof_confidence");
      if (!c) return c.error();
      s.spoof_confidence = std::clamp(*c, 0.0, 1.0);
    }
  }
  return s;
}

namespace {
Result<std::optional<double>> optional_number(const nlohmann::json& j, const char* key) {
  if (!j.contains(key)) return std::optional<double>{};
  auto v = number(j, key);
  if (!v) return v.error();
  return std::optional<double>{*v};
}

Result<Identity> parse_identity(const nlohmann::json& j) {
  Identity id;
  if (auto a = j.find("icao24"); a != j.end()) {
    const std::string hex = a->is_string() ? a->get<std::string>() : std::string{};
    if (hex.size() != 6 || !digits_only(hex, 16))
      return field_error("field \"icao24\" must be 6 hex digits");
    const unsigned long v = std::strtoul(hex.c_str(), nullptr, 16);
    id.icao24 = static_cast<std::uint32_t>(v);
  }
  if (auto a = j.find("mode3a"); a != j.end()) {
    const std::string oct = a->is_string() ? a->get<std::string>() : std::string{};
    if (oct.size() != 4 || !digits_only(oct, 8))
      return field_error("field \"mode3a\" must be 4 octal digits");
    const unsigned long v = std::strtoul(oct.c_str(), nullptr, 8);
    id.mode3a = static_cast<std::uint16_t>(v);
  }
  if (auto a = j.find("callsign"); a != j.end() && a->is_string())
    id.callsign = a->get<std::string>();
  if (auto a = j.find("remote_id"); a != j.end() && a->is_string())
    id.remote_id = a->get<std::string>();
  if (auto a = j.find("emitter_category"); a != j.end()) {
    if (!a->is_number_integer() || a->get<long long>() < 0 || a->get<long long>() > 31)
      return field_error("field \"emitter_category\" must be an integer 0..31");
    id.emitter_category = static_cast<std::uint8_t>(a->get<int>());
  }
  return id;
}
}  // namespace

Result<Report> parse_report(std::string_view line) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(line);
  } catch (const nlohmann::json::parse_error& e) {
    return Error{ErrorCode::kBadSyntax, static_cast<std::int64_t>(e.byte),
                 fmt::format("not valid JSON near byte {}", e.byte)};
  } catch (const nlohmann::json::exception& e) {
    return Error{ErrorCode::kBadSyntax, -1, fmt::format("not valid JSON ({})", e.what())};
  }
  if (!j.is_object()) return Error{ErrorCode::kBadSyntax, -1, "line is not a JSON object"};
  Report r;
  auto t = number(j, "time");
  if (!t) return t.error();
  if (std::abs(*t) > 9e9) return field_error("field \"time\" is out of range (Unix seconds)");
  r.time = Time::from_seconds(*t);
  if (auto k = j.find("kind"); k != j.end() && k->is_string()) {
    auto kind = sensor_kind_from_string(k->get<std::string>());
    if (!kind) return field_error("unknown \"kind\" " + k->dump());
    r.sensor_kind = *kind;
  } else {
    return Error{ErrorCode::kMissingField, -1, "missing field \"kind\""};
  }
  if (j.contains("range_m")) {
    PolarMeasurement p;
    auto range = number(j, "range_m");
    if (!range) return range.error();
    auto az = number(j, "azimuth_deg");
    if (!az) return az.error();
    if (*range < 0 || *range > 1e7) return field_error("field \"range_m\" out of range");
    if (std::abs(*az) > 720) return field_error("field \"azimuth_deg\" out of range");
    p.range_m = *range;
    p.azimuth_rad = *az / kRad;
    auto el = optional_number(j, "elevation_deg");
    if (!el) return el.error();
    if (*el && std::abs(**el) > 90) return field_error("field \"elevation_deg\" out of range");
    if (*el) p.elevation_rad = **el / kRad;
    auto sr = optional_number(j, "sigma_range_m");
    auto sa = optional_number(j, "sigma_azimuth_deg");
    auto se = optional_number(j, "sigma_elevation_deg");
    if (!sr) return sr.error();
    if (!sa) return sa.error();
    if (!se) return se.error();
    const double s_r = sr->value_or(0), s_a = sa->value_or(0) / kRad, s_e = se->value_or(0) / kRad;
    if (s_r < 0 || s_a < 0 || s_e < 0) return field_error("negative sigma");
    p.covariance.diagonal() << s_r * s_r, s_a * s_a, s_e * s_e;
    r.measurement = p;
  } else {
    GeodeticMeasurement g;
    auto lat = number(j, "lat_deg");
    if (!lat) return lat.error();
    auto lon = number(j, "lon_deg");
    if (!lon) return lon.error();
    if (*lat < -90 || *lat > 90) return field_error("field \"lat_deg\" outside [-90, 90]");
    if (*lon < -540 || *lon > 540) return field_error("field \"lon_deg\" outside [-540, 540]");
    g.position.lat_deg = *lat;
    g.position.lon_deg = *lon;
    auto alt = optional_number(j, "alt_m");
    if (!alt) return alt.error();
    if (*alt && std::abs(**alt) > 1e6) return field_error("field \"alt_m\" out of range");
    g.has_height = alt->has_value();
    g.position.alt_m = alt->value_or(0);
    auto c = j.find("cov_enu_m2");
    if (c == j.end() || !c->is_array() || c->size() != 6)
      return field_error("field \"cov_enu_m2\" must be an array of 6 numbers");
    double v[6];
    for (int k = 0; k < 6; ++k) {
      if (!(*c)[k].is_number()) return field_error("field \"cov_enu_m2\" must hold numbers");
      v[k] = (*c)[k].get<double>();
      if (!std::isfinite(v[k])) return field_error("field \"cov_enu_m2\" is not finite");
    }
    g.covariance_enu << v[0], v[1], v[2], v[1], v[3], v[4], v[2], v[4], v[5];
    if (v[0] < 0 || v[3] < 0 || v[5] < 0)
      return field_error("field \"cov_enu_m2\" has a negative variance");
    r.measurement = g;
  }
  if (j.contains("ve_mps") || j.contains("vn_mps")) {
    Eigen::Vector3d v;
    const char* vkeys[3] = {"ve_mps", "vn_mps", "vu_mps"};
    for (int k = 0; k < 3; ++k) {
      auto x = optional_number(j, vkeys[k]);
      if (!x) return x.error();
      v[k] = x->value_or(0);
    }
    if (v.norm() > 3000) return field_error("velocity beyond 3000 m/s");
    r.velocity_enu_mps = v;
  }
  auto baro = optional_number(j, "baro_alt_ft");
  if (!baro) return baro.error();
  if (*baro) {
    if (**baro < -2000 || **baro > 200000) return field_error("field \"baro_alt_ft\" out of range");
    r.baro_alt_m = **baro * kFt;
  }
  auto id = parse_identity(j);
  if (!id) return id.error();
  r.identity = std::move(id).value();
  auto nacp = optional_number(j, "nacp");
  if (!nacp) return nacp.error();
  if (*nacp && **nacp >= 0 && **nacp <= 15) r.nacp = static_cast<std::uint8_t>(**nacp);
  auto nic = optional_number(j, "nic");
  if (!nic) return nic.error();
  if (*nic && **nic >= 0 && **nic <= 15) r.nic = static_cast<std::uint8_t>(**nic);
  if (auto e = j.find("emergency"); e != j.end() && e->is_boolean()) r.emergency = e->get<bool>();
  auto op = parse_operator(j);
  if (!op) return op.error();
  r.operator_position = *op;
  auto rssi = optional_number(j, "rssi_dbm");
  if (!rssi) return rssi.error();
  if (*rssi && std::abs(**rssi) > 300) return field_error("field \"rssi_dbm\" out of range");
  r.rssi_dbm = *rssi;
  auto clock = optional_number(j, "clock_offset_s");
  if (!clock) return clock.error();
  if (*clock && std::abs(**clock) > 1e7)
    return field_error("field \"clock_offset_s\" out of range");
  r.clock_offset_s = *clock;
  return r;
}

namespace {
// The whole file, gunzipped when it ends in ".gz" (truth files of the
// independent scenarios are); nothing if it cannot be read.
std::optional<std::string> read_text(const std::string& path) {
  if (path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0) {
    gzFile f = gzopen(path.c_str(), "rb");
    if (!f) return std::nullopt;
    std::string text;
    char buf[1 << 16];
    int n;
    while ((n = gzread(f, buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(n));
    const bool ok = n == 0;
    gzclose(f);
    if (!ok) return std::nullopt;
    return text;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) return std::nullopt;
  return text;
}
}  // namespace

Result<StateFile> read_states(const std::string& path, std::size_t max_messages) {
  // A device or FIFO would never end, or block.
  if (const std::string why = regular_file_problem(path); !why.empty())
    return Error{ErrorCode::kIo, -1, fmt::format("{}: cannot open file: {}", path, why)};
  const auto text = read_text(path);
  if (!text) return Error{ErrorCode::kIo, -1, fmt::format("{}: cannot open file", path)};
  StateFile out;
  std::size_t pos = 0;
  while (pos < text->size()) {
    std::size_t end = text->find('\n', pos);
    if (end == std::string::npos) end = text->size();
    std::string_view line(text->data() + pos, end - pos);
    pos = end + 1;
    ++out.lines;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;  // blank line
    auto r = parse_state(line);
    if (r) {
      out.states.push_back(std::move(r).value());
      continue;
    }
    ++out.error_count;
    if (out.errors.size() < max_messages)
      out.errors.push_back(fmt::format("{}:{}: {}", path, out.lines, r.error().detail));
  }
  return out;
}

}  // namespace skyfuse::io
