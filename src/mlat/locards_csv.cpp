#include "mlat/locards_csv.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <string>

namespace skyfuse::mlat {

namespace {

constexpr std::size_t kMaxToas = 256;

Error bad(ErrorCode code, std::int64_t line, std::string detail) {
  return Error{code, line, std::move(detail)};
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// Splits a CSV line into fields; double quotes group commas (no escaped quotes
// in this layout). Returns false on an unterminated quote.
bool split_csv(std::string_view line, std::vector<std::string_view>& out) {
  out.clear();
  std::size_t start = 0;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      out.push_back(line.substr(start, i - start));
      start = i + 1;
    }
  }
  if (quoted) return false;
  out.push_back(line.substr(start));
  for (auto& f : out) {
    f = trim(f);
    if (f.size() >= 2 && f.front() == '"' && f.back() == '"') f = f.substr(1, f.size() - 2);
  }
  return true;
}

template <typename T>
bool parse_int(std::string_view s, T& v) {
  s = trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc{} && p == s.data() + s.size() && !s.empty();
}

bool parse_double(std::string_view s, double& v) {
  s = trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc{} && p == s.data() + s.size() && !s.empty() && std::isfinite(v);
}

// "" -> nullopt (ok); a number -> value; anything else -> error.
bool parse_optional(std::string_view s, std::optional<double>& v) {
  s = trim(s);
  if (s.empty() || s == "NaN" || s == "nan" || s == "null") {
    v.reset();
    return true;
  }
  double d = 0;
  if (!parse_double(s, d)) return false;
  v = d;
  return true;
}

// `[[receiver,timestamp_ns,rssi],...]` (whitespace allowed).
bool parse_toas(std::string_view s, std::vector<Toa>& out, std::string& why) {
  auto skip_ws = [&] {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  };
  auto expect = [&](char c) {
    skip_ws();
    if (s.empty() || s.front() != c) return false;
    s.remove_prefix(1);
    return true;
  };
  auto number = [&](std::string_view& tok) {
    skip_ws();
    std::size_t n = 0;
    while (n < s.size() && s[n] != ',' && s[n] != ']') ++n;
    tok = trim(s.substr(0, n));
    s.remove_prefix(n);
    return !tok.empty();
  };
  if (!expect('[')) return why = "measurements: expected '['", false;
  skip_ws();
  if (!s.empty() && s.front() == ']') {
    s.remove_prefix(1);
    skip_ws();
    return s.empty() ? true : (why = "measurements: trailing text", false);
  }
  while (true) {
    if (out.size() >= kMaxToas) return why = "measurements: too many entries", false;
    if (!expect('[')) return why = "measurements: expected '[' before an entry", false;
    std::string_view a, b, c;
    Toa t;
    double rssi = 0;
    if (!number(a) || !parse_int(a, t.receiver)) return why = "measurements: bad receiver", false;
    // Below 2^61 ns (Unix nanoseconds until 2043) so that differences of a few
    // timestamps and clock bases stay within 64 bits.
    if (!expect(',') || !number(b) || !parse_int(b, t.toa_ns) || t.toa_ns < 0 ||
        t.toa_ns >= (std::int64_t{1} << 61)) {
      return why = "measurements: bad timestamp", false;
    }
    if (expect(',')) {
      if (!number(c) || !parse_double(c, rssi)) return why = "measurements: bad rssi", false;
    }
    t.rssi = rssi;
    if (!expect(']')) return why = "measurements: expected ']' after an entry", false;
    for (const Toa& o : out) {
      if (o.receiver == t.receiver) return why = "measurements: receiver listed twice", false;
    }
    out.push_back(t);
    if (expect(',')) continue;
    if (!expect(']')) return why = "measurements: expected ']' at the end", false;
    skip_ws();
    if (!s.empty()) return why = "measurements: trailing text", false;
    return true;
  }
}

bool header_line(std::string_view line, std::string_view first_column) {
  line = trim(line);
  if (line.size() >= 3 && static_cast<unsigned char>(line[0]) == 0xEF) line.remove_prefix(3);
  return line.substr(0, first_column.size()) == first_column;
}

}  // namespace

Result<Message> parse_measurement_line(std::string_view line, std::int64_t line_no) {
  thread_local std::vector<std::string_view> f;
  if (!split_csv(line, f)) return bad(ErrorCode::kBadSyntax, line_no, "unterminated quote");
  if (f.size() != 9 && f.size() != 10) {
    return bad(ErrorCode::kMissingField, line_no,
               "expected 9 fields (10 with icao24), found " + std::to_string(f.size()));
  }
  Message m;
  double t = 0;
  if (!parse_int(f[0], m.id)) return bad(ErrorCode::kBadValue, line_no, "bad id");
  // Time::from_seconds() holds +-292 years of nanoseconds; allow 0..~2096.
  if (!parse_double(f[1], t) || t < -1e9 || t > 4e9) {
    return bad(ErrorCode::kBadValue, line_no, "bad timeAtServer");
  }
  m.time = Time::from_seconds(t);
  m.aircraft = std::string(f[2]);
  std::optional<double> lat, lon;
  if (!parse_optional(f[3], lat) || !parse_optional(f[4], lon)) {
    return bad(ErrorCode::kBadValue, line_no, "bad latitude or longitude");
  }
  if (lat.has_value() != lon.has_value()) {
    return bad(ErrorCode::kMissingField, line_no, "latitude without longitude or vice versa");
  }
  if (lat && (std::abs(*lat) > 90 || std::abs(*lon) > 360)) {
    return bad(ErrorCode::kBadValue, line_no, "latitude or longitude out of range");
  }
  if (!parse_optional(f[5], m.baro_alt_m) || !parse_optional(f[6], m.geo_alt_m)) {
    return bad(ErrorCode::kBadValue, line_no, "bad altitude");
  }
  for (const auto& a : {m.baro_alt_m, m.geo_alt_m}) {
    if (a && (*a < -2000 || *a > 100000)) {
      return bad(ErrorCode::kBadValue, line_no, "altitude out of range");
    }
  }
  int n = 0;
  if (!parse_int(f[7], n) || n < 0)
    return bad(ErrorCode::kBadValue, line_no, "bad numMeasurements");
  std::string why;
  if (!parse_toas(f[8], m.toas, why)) return bad(ErrorCode::kBadSyntax, line_no, why);
  if (static_cast<std::size_t>(n) != m.toas.size()) {
    return bad(ErrorCode::kBadValue, line_no, "numMeasurements does not match the list");
  }
  if (f.size() == 10 && !trim(f[9]).empty()) {
    const std::string_view hex = trim(f[9]);
    std::uint32_t a = 0;
    const auto [p, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), a, 16);
    if (ec != std::errc{} || p != hex.data() + hex.size() || hex.size() != 6) {
      return bad(ErrorCode::kBadValue, line_no, "bad icao24 (6 hex digits)");
    }
    m.icao24 = a;
  }
  if (lat) {
    const double h = m.geo_alt_m ? *m.geo_alt_m : m.baro_alt_m ? *m.baro_alt_m : NAN;
    if (std::isnan(h)) return bad(ErrorCode::kMissingField, line_no, "reference without altitude");
    m.reference = GeodeticPosition{*lat, *lon, h};
  }
  return m;
}

Result<Receiver> parse_receiver_line(std::string_view line, std::int64_t line_no) {
  thread_local std::vector<std::string_view> f;
  if (!split_csv(line, f)) return bad(ErrorCode::kBadSyntax, line_no, "unterminated quote");
  if (f.size() < 5) return bad(ErrorCode::kMissingField, line_no, "expected at least 5 fields");
  Receiver r;
  if (!parse_int(f[0], r.id)) return bad(ErrorCode::kBadValue, line_no, "bad serial");
  double h = 0;
  if (!parse_double(f[1], r.position.lat_deg) || !parse_double(f[2], r.position.lon_deg) ||
      !parse_double(f[3], h) || std::abs(r.position.lat_deg) > 90 ||
      std::abs(r.position.lon_deg) > 360 || std::abs(h) > 10000) {
    return bad(ErrorCode::kBadValue, line_no, "bad position");
  }
  r.position.alt_m = h;
  const auto kind = clock_kind_from_type(f[4]);
  if (!kind) return bad(ErrorCode::kUnsupported, line_no, "unknown receiver type");
  r.clock = *kind;
  r.good = f.size() < 6 || !(f[5] == "FALSE" || f[5] == "false" || f[5] == "0");
  return r;
}

MeasurementFile read_measurements(std::istream& in) {
  MeasurementFile out;
  std::string line;
  std::int64_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (trim(line).empty() || (n == 1 && header_line(line, "id"))) continue;
    auto r = parse_measurement_line(line, n);
    if (r) {
      out.messages.push_back(std::move(*r));
    } else {
      out.errors.push_back(r.error());
    }
  }
  return out;
}

ReceiverFile read_receivers(std::istream& in) {
  ReceiverFile out;
  std::string line;
  std::int64_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (trim(line).empty() || (n == 1 && header_line(line, "serial"))) continue;
    auto r = parse_receiver_line(line, n);
    if (!r) {
      out.errors.push_back(r.error());
    } else if (r->position.lat_deg == 0 && r->position.lon_deg == 0) {
      out.errors.push_back({ErrorCode::kBadValue, n, "receiver at 0,0 (position unknown)"});
    } else {
      out.receivers.add(*r);
    }
  }
  return out;
}

std::string measurement_header(bool with_icao24) {
  std::string h =
      "id,timeAtServer,aircraft,latitude,longitude,baroAltitude,geoAltitude,numMeasurements,"
      "measurements";
  if (with_icao24) h += ",icao24";
  return h;
}

std::string to_csv_line(const Message& m, bool with_icao24) {
  auto opt = [](const std::optional<double>& v, const char* f) {
    return v ? fmt::format(fmt::runtime(f), *v) : std::string();
  };
  // Seconds with 9 decimals from the integer nanoseconds (exact, also < 0).
  const std::int64_t ns = m.time.ns;
  const std::int64_t sec = ns >= 0 ? ns / 1'000'000'000 : -((-ns + 999'999'999) / 1'000'000'000);
  std::string s = fmt::format("{},{}.{:09d},{},", m.id, sec, ns - sec * 1'000'000'000, m.aircraft);
  if (m.reference) {
    s += fmt::format("{:.8f},{:.8f},", m.reference->lat_deg, m.reference->lon_deg);
  } else {
    s += ",,";
  }
  s += opt(m.baro_alt_m, "{:.2f}") + "," + opt(m.geo_alt_m, "{:.2f}") + ",";
  s += fmt::format("{},\"[", m.toas.size());
  for (std::size_t k = 0; k < m.toas.size(); ++k) {
    s += fmt::format("{}[{},{},{:g}]", k ? "," : "", m.toas[k].receiver, m.toas[k].toa_ns,
                     m.toas[k].rssi);
  }
  s += "]\"";
  if (with_icao24) s += m.icao24 ? fmt::format(",{:06x}", *m.icao24) : std::string(",");
  return s;
}

std::string to_csv_line(const Receiver& r) {
  const char* type = r.clock == ClockKind::kGps     ? "Radarcape"
                     : r.clock == ClockKind::kBeast ? "dump1090"
                                                    : "SBS-3";
  return fmt::format("{},{:.8f},{:.8f},{:.2f},{},{}", r.id, r.position.lat_deg, r.position.lon_deg,
                     r.position.alt_m, type, r.good ? "TRUE" : "FALSE");
}

}  // namespace skyfuse::mlat
