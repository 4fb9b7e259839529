#include "io/trajectory_files.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <numbers>
#include <sstream>

#include "core/error.hpp"
#include "core/input_file.hpp"
#include "geo/wgs84.hpp"

namespace skyfuse::io {

namespace {
constexpr double kFt = 0.3048;
constexpr double kKt = 1852.0 / 3600.0;
constexpr double kFpm = 0.3048 / 60.0;
constexpr double kDeg = std::numbers::pi / 180.0;

void add_error(TrajectoryFile& f, const std::string& path, long line, const std::string& why) {
  ++f.error_count;
  if (f.errors.size() < 20) f.errors.push_back(fmt::format("{}:{}: {}", path, line, why));
}

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (char c : line) {
    if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      out.push_back(cur);
      cur.clear();
    } else if (c != '\r') {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

Result<double> to_double(const std::string& s) {
  double v = 0;
  const char* b = s.data();
  const char* e = b + s.size();
  while (b < e && *b == ' ') ++b;
  auto [ptr, ec] = std::from_chars(b, e, v);
  if (ec != std::errc() || ptr != e || !std::isfinite(v))
    return Error{ErrorCode::kBadValue, -1, fmt::format("\"{}\" is not a number", s)};
  return v;
}
}  // namespace

Result<Time> parse_utc(std::string_view text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0;
  double sec = 0;
  const std::string s(text);
  if (s.size() >= 19 && s[4] == '-' && s[7] == '-' && (s[10] == ' ' || s[10] == 'T')) {
    char tail[64] = {0};
    if (std::sscanf(s.c_str(), "%4d-%2d-%2d%*c%2d:%2d:%63s", &y, &mo, &d, &h, &mi, tail) != 6)
      return Error{ErrorCode::kBadValue, -1, fmt::format("bad date-time \"{}\"", s)};
    std::string t(tail);
    if (!t.empty() && (t.back() == 'Z')) t.pop_back();
    auto sv = to_double(t);
    if (!sv || y < 1900 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 ||
        mi < 0 || mi > 59 || *sv < 0 || *sv >= 61)
      return Error{ErrorCode::kBadValue, -1, fmt::format("bad date-time \"{}\"", s)};
    sec = *sv;
    const std::int64_t days =
        days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
    const std::int64_t whole = days * 86400 + h * 3600 + mi * 60;
    return Time{whole * 1000000000LL + static_cast<std::int64_t>(std::llround(sec * 1e9))};
  }
  auto v = to_double(s);
  if (!v || std::abs(*v) > 9e9)
    return Error{ErrorCode::kBadValue, -1, fmt::format("bad time \"{}\"", s)};
  return Time::from_seconds(*v);
}

Result<TrajectoryFile> read_state_vectors(const std::string& path) {
  if (const std::string why = regular_file_problem(path); !why.empty())
    return Error{ErrorCode::kIo, -1, fmt::format("{}: cannot open file: {}", path, why)};
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{ErrorCode::kIo, -1, fmt::format("{}: cannot open file", path)};
  TrajectoryFile out;
  std::map<std::string, sim::Trajectory> by_id;
  std::string line;
  long n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    ++out.rows;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      add_error(out, path, n, "not a JSON object");
      continue;
    }
    try {
      const std::string id = j.at("icao24").get<std::string>();
      const double ts = j.at("timestamp").get<double>();
      const double lat = j.at("latitude").get<double>();
      const double lon = j.at("longitude").get<double>();
      const double alt_ft = j.at("altitude").get<double>();
      const double gs = j.at("groundspeed").get<double>();
      const double trk = j.at("track").get<double>();
      const double vr = j.value("vertical_rate", 0.0);
      if (std::abs(lat) > 90 || std::abs(lon) > 180 || !std::isfinite(alt_ft) || gs < 0 ||
          gs > 2000 || !(std::abs(ts) < 9e12)) {
        add_error(out, path, n, "value out of range");
        continue;
      }
      sim::Trajectory& t = by_id[id];
      if (t.id.empty()) {
        t.id = id;
        t.target_class = TargetClass::kFixedWing;
        t.identity.icao24 = static_cast<std::uint32_t>(std::stoul(id, nullptr, 16));
        t.equipage.adsb = true;
        t.max_gap_s = 60;
      }
      if (j.contains("callsign") && j["callsign"].is_string() && t.identity.callsign.empty()) {
        std::string cs = j["callsign"].get<std::string>();
        while (!cs.empty() && cs.back() == ' ') cs.pop_back();
        t.identity.callsign = cs;
      }
      sim::TrajectorySample s;
      s.time = Time{static_cast<std::int64_t>(std::llround(ts)) * 1000000LL};
      s.position = {lat, lon, alt_ft * kFt};
      s.velocity_enu_mps = {gs * kKt * std::sin(trk * kDeg), gs * kKt * std::cos(trk * kDeg),
                            vr * kFpm};
      if (!t.samples.empty()) {
        const auto& last = t.samples.back();
        if (s.time <= last.time) {
          add_error(out, path, n, "time not after the previous row of this aircraft");
          continue;
        }
        if (last.position.lat_deg == lat && last.position.lon_deg == lon) continue;  // no new fix
      }
      t.samples.push_back(s);
    } catch (const nlohmann::json::exception& e) {
      add_error(out, path, n, fmt::format("missing or mistyped field ({})", e.what()));
    } catch (const std::exception& e) {
      add_error(out, path, n, e.what());
    }
  }
  // Clean each aircraft: drop fixes that imply an impossible jump from the last
  // kept fix (speed over 1.5x the reported ground speed plus 50 m/s), then take
  // velocities from the positions (central differences): the reported
  // velocities are sampled at other instants than the positions and would make
  // the interpolated path swerve.
  for (auto& [id, t] : by_id) {
    std::vector<sim::TrajectorySample> kept;
    for (const auto& smp : t.samples) {
      if (!kept.empty()) {
        const auto& a = kept.back();
        const auto r = geo::curvature_radii(a.position.lat_deg);
        const double dn = (smp.position.lat_deg - a.position.lat_deg) * kDeg * r.meridional_m;
        const double de = (smp.position.lon_deg - a.position.lon_deg) * kDeg * r.prime_vertical_m *
                          std::cos(a.position.lat_deg * kDeg);
        const double dt = (smp.time - a.time).seconds();
        const double reported = smp.velocity_enu_mps.head<2>().norm();
        if (std::hypot(de, dn) / dt > 1.5 * reported + 50) {
          ++out.error_count;
          if (out.errors.size() < 20)
            out.errors.push_back(fmt::format("{}: {}: position jump at {:.0f} s dropped", path, id,
                                             smp.time.seconds()));
          continue;
        }
      }
      kept.push_back(smp);
    }
    // Two passes of a (1, 2, 1) / 4 smoothing over the fixes, done in each
    // fix's local frame: the state vectors' positions carry timing jitter of
    // a few seconds that would otherwise show as bursts of 2-5 g.
    for (int pass = 0; pass < 2; ++pass) {
      std::vector<sim::TrajectorySample> sm = kept;
      for (std::size_t i = 1; i + 1 < kept.size(); ++i) {
        const geo::LocalFrame f(kept[i].position);
        const Eigen::Vector3d e =
            (f.forward(kept[i - 1].position) + f.forward(kept[i + 1].position)) / 4;
        sm[i].position = f.reverse(e);
      }
      kept = std::move(sm);
    }
    t.samples = std::move(kept);
    sim::derive_velocities(t);
  }
  // Split at gaps longer than max_gap_s, so that truth never has holes: each
  // piece after the first is its own object "<icao24>-2", "-3" ...
  for (auto& [id, t] : by_id) {
    std::size_t begin = 0;
    int piece = 1;
    for (std::size_t i = 1; i <= t.samples.size(); ++i) {
      const bool cut = i == t.samples.size() ||
                       (t.samples[i].time - t.samples[i - 1].time).seconds() > t.max_gap_s;
      if (!cut) continue;
      if (i - begin >= 2) {
        sim::Trajectory part = t;
        part.samples.assign(t.samples.begin() + static_cast<std::ptrdiff_t>(begin),
                            t.samples.begin() + static_cast<std::ptrdiff_t>(i));
        if (piece > 1) part.id = fmt::format("{}-{}", id, piece);
        out.trajectories.push_back(std::move(part));
        ++piece;
      }
      begin = i;
    }
  }
  return out;
}

Result<TrajectoryFile> read_drone_csv(const std::string& path) {
  if (const std::string why = regular_file_problem(path); !why.empty())
    return Error{ErrorCode::kIo, -1, fmt::format("{}: cannot open file: {}", path, why)};
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{ErrorCode::kIo, -1, fmt::format("{}: cannot open file", path)};
  TrajectoryFile out;
  std::string line;
  if (!std::getline(in, line))
    return Error{ErrorCode::kTruncated, 1, fmt::format("{}:1: empty file", path)};
  const auto header = split_csv(line);
  int c_time = -1, c_lat = -1, c_lon = -1, c_alt = -1;
  for (int i = 0; i < static_cast<int>(header.size()); ++i) {
    if (header[i] == "time") c_time = i;
    if (header[i] == "lat") c_lat = i;
    if (header[i] == "lon") c_lon = i;
    if (header[i] == "alt") c_alt = i;
  }
  if (c_time < 0 || c_lat < 0 || c_lon < 0 || c_alt < 0)
    return Error{ErrorCode::kMissingField, 1,
                 fmt::format("{}:1: header needs time, lat, lon and alt columns", path)};
  sim::Trajectory t;
  t.id = path.substr(path.find_last_of('/') + 1);
  t.target_class = TargetClass::kSmallUav;
  t.equipage.transponder = sim::Equipage::Transponder::kNone;
  t.equipage.rcs_m2 = 0.02;
  t.max_gap_s = 5;
  long n = 1;
  while (std::getline(in, line)) {
    ++n;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    ++out.rows;
    const auto f = split_csv(line);
    const int need = std::max({c_time, c_lat, c_lon, c_alt});
    if (static_cast<int>(f.size()) <= need) {
      add_error(out, path, n, "too few columns");
      continue;
    }
    auto tm = parse_utc(f[c_time]);
    auto lat = to_double(f[c_lat]);
    auto lon = to_double(f[c_lon]);
    auto alt = to_double(f[c_alt]);
    if (!tm || !lat || !lon || !alt || std::abs(*lat) > 90 || std::abs(*lon) > 180) {
      add_error(out, path, n, "bad time or position");
      continue;
    }
    if (!t.samples.empty() && *tm <= t.samples.back().time) {
      add_error(out, path, n, "time not after the previous row");
      continue;
    }
    t.samples.push_back({*tm, {*lat, *lon, *alt}, Eigen::Vector3d::Zero()});
  }
  if (t.samples.size() < 2)
    return Error{ErrorCode::kTruncated, n, fmt::format("{}: fewer than two valid rows", path)};
  sim::derive_velocities(t);
  out.trajectories.push_back(std::move(t));
  return out;
}

}  // namespace skyfuse::io
