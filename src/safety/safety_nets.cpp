#include "safety/safety_nets.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <numbers>
#include <set>

namespace skyfuse::safety {

namespace {
constexpr double kEarthRadius = 6371008.8;  // mean radius; prediction over < 100 km
constexpr double kDeg = std::numbers::pi / 180;
constexpr double kFt = 0.3048;
constexpr double kNm = 1852;

// A JSON string literal (safety sits below io, so not io::json_string).
std::string json_str(const std::string& s) {
  return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// A position moved along an east/north/up velocity by dt seconds (each
// coordinate linear and monotone in dt).
GeodeticPosition advance(const GeodeticPosition& from, const Eigen::Vector3d& v, double dt) {
  GeodeticPosition p = from;
  p.lat_deg += v.y() * dt / kEarthRadius / kDeg;
  p.lon_deg += v.x() * dt / (kEarthRadius * std::max(0.01, std::cos(from.lat_deg * kDeg))) / kDeg;
  p.alt_m += v.z() * dt;
  return p;
}
GeodeticPosition advance(const ObjectState& s, double dt) {
  return advance(s.position, s.velocity_enu_mps, dt);
}

// Whether the straight path from a to b can meet the zone: its box of
// latitude, longitude and height against the zone's box and height band.
bool path_may_enter(const GeodeticPosition& a, const GeodeticPosition& b, const Zone& z) {
  return std::max(a.lat_deg, b.lat_deg) >= z.min_lat &&
         std::min(a.lat_deg, b.lat_deg) <= z.max_lat &&
         std::max(a.lon_deg, b.lon_deg) >= z.min_lon &&
         std::min(a.lon_deg, b.lon_deg) <= z.max_lon && std::max(a.alt_m, b.alt_m) >= z.lower_m &&
         std::min(a.alt_m, b.alt_m) <= z.upper_m;
}

// Interval of t where a t^2 + b t + c < 0, or where c < 0 for a = 0.
bool below_zero(double a, double b, double c, double& lo, double& hi) {
  if (a < 1e-12) {
    if (std::abs(b) < 1e-12) {
      if (c >= 0) return false;
      lo = -1e18;
      hi = 1e18;
      return true;
    }
    const double r = -c / b;
    if (b > 0) {
      lo = -1e18;
      hi = r;
    } else {
      lo = r;
      hi = 1e18;
    }
    return true;
  }
  const double disc = b * b - 4 * a * c;
  if (disc <= 0) return false;
  const double sq = std::sqrt(disc);
  lo = (-b - sq) / (2 * a);
  hi = (-b + sq) / (2 * a);
  return true;
}

bool emergency_code(const ObjectState& s, std::string* what) {
  if (s.identity.mode3a) {
    switch (*s.identity.mode3a) {
      case 07500:
        *what = "7500 unlawful interference";
        return true;
      case 07600:
        *what = "7600 radio failure";
        return true;
      case 07700:
        *what = "7700 general emergency";
        return true;
      default:
        break;
    }
  }
  if (s.emergency) {
    *what = "ADS-B emergency status";
    return true;
  }
  return false;
}

bool is_drone(const ObjectState& s) {
  return s.target_class == TargetClass::kSmallUav || !s.identity.remote_id.empty();
}

// Two tracks of one aircraft (a duplicate the tracker has not merged yet) are
// not a conflict: same 24-bit address, or same flight identification.
bool same_aircraft(const ObjectState& a, const ObjectState& b) {
  if (a.identity.icao24 && b.identity.icao24) return *a.identity.icao24 == *b.identity.icao24;
  return !a.identity.callsign.empty() && a.identity.callsign == b.identity.callsign;
}

std::string label(const ObjectState& s) {
  if (!s.identity.callsign.empty()) return s.identity.callsign;
  if (s.identity.icao24) return fmt::format("{:06x}", *s.identity.icao24);
  if (!s.identity.remote_id.empty()) return s.identity.remote_id;
  return "track " + s.id;
}
}  // namespace

const char* to_string(AlertKind k) {
  switch (k) {
    case AlertKind::kStca:
      return "stca";
    case AlertKind::kApw:
      return "apw";
    case AlertKind::kEmergency:
      return "emergency";
    case AlertKind::kDroneInZone:
      return "drone";
    case AlertKind::kSystem:
      return "system";
    case AlertKind::kRemoteIdSpoof:
      return "remote_id_spoof";
  }
  return "?";
}

std::optional<Conflict> predict_conflict(const Eigen::Vector3d& dp, const Eigen::Vector3d& dv,
                                         double horizontal_m, double vertical_m,
                                         double lookahead_s) {
  double h_lo, h_hi, v_lo, v_hi;
  const double a = dv.head<2>().squaredNorm(), b = 2 * dp.head<2>().dot(dv.head<2>()),
               c = dp.head<2>().squaredNorm() - horizontal_m * horizontal_m;
  if (!below_zero(a, b, c, h_lo, h_hi)) return std::nullopt;
  // |z + w t| < V  <=>  w^2 t^2 + 2 z w t + z^2 - V^2 < 0
  const double z = dp.z(), w = dv.z();
  if (!below_zero(w * w, 2 * z * w, z * z - vertical_m * vertical_m, v_lo, v_hi))
    return std::nullopt;
  const double lo = std::max({0.0, h_lo, v_lo}), hi = std::min({lookahead_s, h_hi, v_hi});
  if (lo > hi) return std::nullopt;
  // Closest horizontal approach within [lo, hi].
  const double t_cpa = a > 1e-12 ? std::clamp(-b / (2 * a), lo, hi) : lo;
  Conflict k;
  k.t_start_s = lo;
  k.horizontal_m = (dp.head<2>() + dv.head<2>() * t_cpa).norm();
  k.vertical_m = std::abs(z + w * t_cpa);
  return k;
}

SafetyNets::SafetyNets(SafetyConfig cfg, std::vector<Zone> zones)
    : cfg_(cfg), zones_(std::move(zones)) {}

namespace {

// A track of the picture predicted to the evaluation time.
struct Entry {
  const ObjectState* s;
  GeodeticPosition p;
};
// The alerts whose condition holds now, by key (each net's keys are its own).
using Found = std::map<std::string, Alert>;

// Every live track predicted to `now`, in track id order (whatever the
// picture's order).
std::vector<Entry> predict_to(Time now, const std::vector<ObjectState>& picture,
                              const SafetyConfig& cfg) {
  std::vector<Entry> live;
  live.reserve(picture.size());
  for (const ObjectState& s : picture) {
    const double age = (now - s.time).seconds();
    if (age > cfg.max_track_age_s || age < -cfg.max_track_age_s) continue;
    if (s.status && *s.status == TrackStatus::kDeleted) continue;
    live.push_back({&s, advance(s, age)});
  }
  std::sort(live.begin(), live.end(),
            [](const Entry& a, const Entry& b) { return a.s->id < b.s->id; });
  return live;
}

// Emergency: Mode 3/A 7500 / 7600 / 7700 or an ADS-B emergency status.
void check_emergency(const Entry& e, Found& found) {
  std::string what;
  if (!emergency_code(*e.s, &what)) return;
  Alert a;
  a.key = "emergency:" + e.s->id;
  a.kind = AlertKind::kEmergency;
  a.tracks = {e.s->id};
  a.detail = fmt::format("{} {}", label(*e.s), what);
  found.insert_or_assign(std::string(a.key), std::move(a));
}

// Remote ID spoofing: the tracker's verdict on the track, with its reasons.
void check_spoof(const Entry& e, Found& found) {
  const ObjectState& s = *e.s;
  if (!s.spoof_suspect()) return;
  std::string reasons;
  for (std::size_t k = 0; k < kSpoofReasonCount; ++k) {
    const auto r = static_cast<SpoofReason>(k);
    if ((s.spoof_reasons & spoof_bit(r)) == 0) continue;
    if (!reasons.empty()) reasons += ", ";
    reasons += to_string(r);
  }
  Alert a;
  a.key = "remote_id_spoof:" + s.id;
  a.kind = AlertKind::kRemoteIdSpoof;
  a.tracks = {s.id};
  a.detail = fmt::format("{} Remote ID suspect ({}; confidence {:.2f})", label(s), reasons,
                         s.spoof_confidence);
  found.insert_or_assign(std::string(a.key), std::move(a));
}

// Drone in zone: a small UAV inside an airport zone.
void check_drone_in_zone(const Entry& e, const std::vector<Zone>& zones, Found& found) {
  if (!is_drone(*e.s)) return;
  for (const Zone& z : zones) {
    if (z.kind != ZoneKind::kAirport || !z.contains(e.p)) continue;
    Alert a;
    a.key = fmt::format("drone:{}:{}", e.s->id, z.name);
    a.kind = AlertKind::kDroneInZone;
    a.tracks = {e.s->id};
    a.zone = z.name;
    a.detail = fmt::format("{} inside airport zone {} at {:.0f} m", label(*e.s), z.name, e.p.alt_m);
    found.insert_or_assign(std::string(a.key), std::move(a));
  }
}

// APW: inside, or predicted to enter within the look-ahead, a restricted
// zone's polygon and band.
void check_apw(const Entry& e, const std::vector<Zone>& zones, const SafetyConfig& cfg,
               Found& found) {
  for (const Zone& z : zones) {
    if (z.kind != ZoneKind::kRestricted) continue;
    // Every step's position lies on the path to the look-ahead's end (each
    // coordinate is monotone in t): most tracks are nowhere near the zone.
    const double t_end = cfg.apw_lookahead_s + cfg.apw_step_s;
    if (!path_may_enter(e.p, advance(e.p, e.s->velocity_enu_mps, t_end), z)) continue;
    for (double t = 0; t <= cfg.apw_lookahead_s + 1e-9; t += cfg.apw_step_s) {
      const GeodeticPosition q = advance(e.p, e.s->velocity_enu_mps, t);
      if (!z.contains(q)) continue;
      Alert a;
      a.key = fmt::format("apw:{}:{}", e.s->id, z.name);
      a.kind = AlertKind::kApw;
      a.tracks = {e.s->id};
      a.zone = z.name;
      a.time_to_conflict_s = t;
      a.detail = t == 0
                     ? fmt::format("{} inside {}", label(*e.s), z.name)
                     : fmt::format("{} predicted to enter {} in {:.0f} s", label(*e.s), z.name, t);
      found.insert_or_assign(std::string(a.key), std::move(a));
      break;
    }
  }
}

// STCA, one pair: the conflict of two straight-line motions, if any.
void check_stca_pair(const Entry& a, const Entry& b, const SafetyConfig& cfg, Found& found) {
  // Cheap vertical reject first: |dz + dw t| >= |dz| - |dw| t stays above
  // the vertical threshold (plus 1 m for rounding) over the look-ahead.
  const double dz = b.p.alt_m - a.p.alt_m;
  const double dw = b.s->velocity_enu_mps.z() - a.s->velocity_enu_mps.z();
  if (std::abs(dz) - std::abs(dw) * cfg.stca_lookahead_s > cfg.stca_vertical_m + 1) return;
  if (same_aircraft(*a.s, *b.s)) return;
  const double midlat = (a.p.lat_deg + b.p.lat_deg) / 2 * kDeg;
  const Eigen::Vector3d dp((b.p.lon_deg - a.p.lon_deg) * kDeg * kEarthRadius * std::cos(midlat),
                           (b.p.lat_deg - a.p.lat_deg) * kDeg * kEarthRadius, dz);
  const Eigen::Vector3d dv = b.s->velocity_enu_mps - a.s->velocity_enu_mps;
  auto k =
      predict_conflict(dp, dv, cfg.stca_horizontal_m, cfg.stca_vertical_m, cfg.stca_lookahead_s);
  if (!k) return;
  Alert al;
  al.key = fmt::format("stca:{}:{}", a.s->id, b.s->id);
  al.kind = AlertKind::kStca;
  al.tracks = {a.s->id, b.s->id};
  al.time_to_conflict_s = k->t_start_s;
  al.horizontal_m = k->horizontal_m;
  al.vertical_m = k->vertical_m;
  al.detail =
      fmt::format("{} / {}: {:.1f} NM, {:.0f} ft {}", label(*a.s), label(*b.s),
                  k->horizontal_m / kNm, k->vertical_m / kFt,
                  k->t_start_s > 0 ? fmt::format("in {:.0f} s", k->t_start_s) : std::string("now"));
  found.insert_or_assign(std::string(al.key), std::move(al));
}

// STCA's swept box of a track: from now to the look-ahead, widened by half
// the separations (plus slack), in a local east/north/up frame.
struct StcaBox {
  std::size_t i;  // into the live entries
  double x0, x1, y0, y1, z0, z1;
};

// The boxes of every track STCA pairs (not drones, not slow ones).
std::vector<StcaBox> stca_boxes(const std::vector<Entry>& live, const SafetyConfig& cfg) {
  double lat0 = 0;
  for (const Entry& e : live) lat0 += e.p.lat_deg;
  lat0 /= static_cast<double>(live.size());
  const double coslat0 = std::cos(lat0 * kDeg);
  std::vector<StcaBox> boxes;
  const double margin = cfg.stca_horizontal_m / 2 + 1000;  // + projection slack
  for (std::size_t i = 0; i < live.size(); ++i) {
    const ObjectState& s = *live[i].s;
    if (is_drone(s) || s.velocity_enu_mps.head<2>().norm() < cfg.stca_min_speed_mps) continue;
    const double x = live[i].p.lon_deg * kDeg * kEarthRadius * coslat0;
    const double y = live[i].p.lat_deg * kDeg * kEarthRadius;
    const double xe = x + s.velocity_enu_mps.x() * cfg.stca_lookahead_s;
    const double ye = y + s.velocity_enu_mps.y() * cfg.stca_lookahead_s;
    if (!std::isfinite(x) || !std::isfinite(y) || !std::isfinite(xe) || !std::isfinite(ye))
      continue;  // never within any distance
    // Height swept over the look-ahead, widened by half the vertical
    // threshold (+1 m for rounding): boxes apart in height cannot conflict.
    const double z = live[i].p.alt_m, ze = z + s.velocity_enu_mps.z() * cfg.stca_lookahead_s;
    const double vmargin = cfg.stca_vertical_m / 2 + 1;
    if (!std::isfinite(z) || !std::isfinite(ze)) continue;
    boxes.push_back({i, std::min(x, xe) - margin, std::max(x, xe) + margin,
                     std::min(y, ye) - margin, std::max(y, ye) + margin, std::min(z, ze) - vmargin,
                     std::max(z, ze) + vmargin});
  }
  return boxes;
}

// STCA: pairs whose swept boxes (now to the look-ahead, plus margin) overlap.
void check_stca(const std::vector<Entry>& live, const SafetyConfig& cfg, Found& found) {
  if (live.size() < 2) return;
  const std::vector<StcaBox> boxes = stca_boxes(live, cfg);
  // Pairs of overlapping boxes from a uniform grid in east, north and
  // height: each box is listed in every cell it covers, and a pair is
  // examined in the one cell holding the lower corner of the two boxes'
  // overlap (so once). Cells about a typical box's size keep the lists
  // short (a sweep over east alone visited ~1,600 pairs per aircraft at
  // 10,000 aircraft within 250 km; most pairs are apart in height).
  double extent = 0, extent_z = 0;
  for (const StcaBox& bx : boxes) {
    extent += (bx.x1 - bx.x0) + (bx.y1 - bx.y0);
    extent_z += bx.z1 - bx.z0;
  }
  const double n_boxes = static_cast<double>(std::max<std::size_t>(boxes.size(), 1));
  const double cell = std::clamp(extent / (2 * n_boxes), 5000.0, 500000.0);
  const double cell_z = std::clamp(extent_z / n_boxes, 300.0, 30000.0);
  auto cell_of = [&](double v, double size) {
    return static_cast<std::int64_t>(std::floor(v / size));
  };
  struct Listed {
    std::int64_t cx, cy, cz;
    std::uint32_t box;
    bool same_cell(const Listed& o) const { return cx == o.cx && cy == o.cy && cz == o.cz; }
  };
  std::vector<Listed> listed;
  for (std::uint32_t k = 0; k < boxes.size(); ++k) {
    const StcaBox& bx = boxes[k];
    for (std::int64_t cx = cell_of(bx.x0, cell); cx <= cell_of(bx.x1, cell); ++cx)
      for (std::int64_t cy = cell_of(bx.y0, cell); cy <= cell_of(bx.y1, cell); ++cy)
        for (std::int64_t cz = cell_of(bx.z0, cell_z); cz <= cell_of(bx.z1, cell_z); ++cz)
          listed.push_back({cx, cy, cz, k});
  }
  std::sort(listed.begin(), listed.end(), [](const Listed& a, const Listed& b) {
    if (a.cx != b.cx) return a.cx < b.cx;
    if (a.cy != b.cy) return a.cy < b.cy;
    if (a.cz != b.cz) return a.cz < b.cz;
    return a.box < b.box;
  });
  for (std::size_t first = 0; first < listed.size();) {
    const Listed& c = listed[first];
    std::size_t end = first + 1;
    while (end < listed.size() && listed[end].same_cell(c)) ++end;
    for (std::size_t m = first; m < end; ++m)
      for (std::size_t n = m + 1; n < end; ++n) {
        const StcaBox& p = boxes[listed[m].box];
        const StcaBox& q = boxes[listed[n].box];
        if (q.x0 > p.x1 || p.x0 > q.x1 || q.y0 > p.y1 || p.y0 > q.y1 || q.z0 > p.z1 || p.z0 > q.z1)
          continue;
        if (cell_of(std::max(p.x0, q.x0), cell) != c.cx ||
            cell_of(std::max(p.y0, q.y0), cell) != c.cy ||
            cell_of(std::max(p.z0, q.z0), cell_z) != c.cz)
          continue;
        check_stca_pair(live[std::min(p.i, q.i)], live[std::max(p.i, q.i)], cfg, found);
      }
    first = end;
  }
}

}  // namespace

std::vector<AlertEvent> SafetyNets::evaluate(Time now, const std::vector<ObjectState>& picture) {
  Found found;
  const std::vector<Entry> live = predict_to(now, picture, cfg_);
  for (const Entry& e : live) {
    check_emergency(e, found);
    check_spoof(e, found);
    check_drone_in_zone(e, zones_, found);
    check_apw(e, zones_, cfg_, found);
  }
  check_stca(live, cfg_, found);
  return update_active(now, found);
}

// Raised: a condition not active before; cleared: an active one whose
// condition has not held for clear_after_s.
std::vector<AlertEvent> SafetyNets::update_active(Time now, std::map<std::string, Alert>& found) {
  std::vector<AlertEvent> events;
  for (auto& [key, a] : found) {
    auto it = active_.find(key);
    if (it == active_.end()) {
      a.raised = now;
      a.last_seen = now;
      ++raised_total_;
      events.push_back({now, true, a});
      active_.emplace(key, std::move(a));  // `found` is read for its keys only below
    } else {
      const Time raised = it->second.raised;
      it->second = std::move(a);
      it->second.raised = raised;
      it->second.last_seen = now;
    }
  }
  for (auto it = active_.begin(); it != active_.end();) {
    if (!found.contains(it->first) &&
        (now - it->second.last_seen).seconds() >= cfg_.clear_after_s) {
      events.push_back({now, false, it->second});
      it = active_.erase(it);
    } else {
      ++it;
    }
  }
  return events;
}

std::string to_json(const Alert& a) {
  std::string o =
      fmt::format("{{\"key\":{},\"kind\":\"{}\",\"tracks\":[", json_str(a.key), to_string(a.kind));
  for (std::size_t i = 0; i < a.tracks.size(); ++i) o += (i ? "," : "") + json_str(a.tracks[i]);
  o += "]";
  if (!a.zone.empty()) o += ",\"zone\":" + json_str(a.zone);
  o += fmt::format(",\"detail\":{},\"time_to_conflict_s\":{:.1f}", json_str(a.detail),
                   a.time_to_conflict_s);
  if (!std::isnan(a.horizontal_m))
    o +=
        fmt::format(",\"horizontal_m\":{:.0f},\"vertical_m\":{:.0f}", a.horizontal_m, a.vertical_m);
  o += fmt::format(",\"raised\":{}", format_time(a.raised));
  o += '}';
  return o;
}

std::string to_json(const AlertEvent& e) {
  return fmt::format("{{\"time\":{},\"event\":\"{}\",\"alert\":{}}}", format_time(e.time),
                     e.raised ? "raised" : "cleared", to_json(e.alert));
}

}  // namespace skyfuse::safety
