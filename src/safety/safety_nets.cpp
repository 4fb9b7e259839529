#include "safety/safety_nets.hpp"

#include <fmt/format.h>

#include <algorithm>
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

// The state moved along its velocity by dt seconds.
GeodeticPosition advance(const ObjectState& s, double dt) {
  GeodeticPosition p = s.position;
  p.lat_deg += s.velocity_enu_mps.y() * dt / kEarthRadius / kDeg;
  p.lon_deg += s.velocity_enu_mps.x() * dt /
               (kEarthRadius * std::max(0.01, std::cos(s.position.lat_deg * kDeg))) / kDeg;
  p.alt_m += s.velocity_enu_mps.z() * dt;
  return p;
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

std::vector<AlertEvent> SafetyNets::evaluate(Time now, const std::vector<ObjectState>& picture) {
  std::map<std::string, Alert> found;
  // Everyone predicted to `now`.
  struct Entry {
    const ObjectState* s;
    GeodeticPosition p;
  };
  std::vector<Entry> live;
  live.reserve(picture.size());
  for (const ObjectState& s : picture) {
    const double age = (now - s.time).seconds();
    if (age > cfg_.max_track_age_s || age < -cfg_.max_track_age_s) continue;
    if (s.status && *s.status == TrackStatus::kDeleted) continue;
    live.push_back({&s, advance(s, age)});
  }
  // Deterministic order whatever the picture's order.
  std::sort(live.begin(), live.end(),
            [](const Entry& a, const Entry& b) { return a.s->id < b.s->id; });

  for (const Entry& e : live) {
    std::string what;
    if (emergency_code(*e.s, &what)) {
      Alert a;
      a.key = "emergency:" + e.s->id;
      a.kind = AlertKind::kEmergency;
      a.tracks = {e.s->id};
      a.detail = fmt::format("{} {}", label(*e.s), what);
      found[a.key] = a;
    }
    for (const Zone& z : zones_) {
      if (z.kind == ZoneKind::kAirport && is_drone(*e.s) && z.contains(e.p)) {
        Alert a;
        a.key = fmt::format("drone:{}:{}", e.s->id, z.name);
        a.kind = AlertKind::kDroneInZone;
        a.tracks = {e.s->id};
        a.zone = z.name;
        a.detail =
            fmt::format("{} inside airport zone {} at {:.0f} m", label(*e.s), z.name, e.p.alt_m);
        found[a.key] = a;
      }
      if (z.kind != ZoneKind::kRestricted) continue;
      for (double t = 0; t <= cfg_.apw_lookahead_s + 1e-9; t += cfg_.apw_step_s) {
        ObjectState moved = *e.s;
        moved.position = e.p;
        const GeodeticPosition q = advance(moved, t);
        if (!z.contains(q)) continue;
        Alert a;
        a.key = fmt::format("apw:{}:{}", e.s->id, z.name);
        a.kind = AlertKind::kApw;
        a.tracks = {e.s->id};
        a.zone = z.name;
        a.time_to_conflict_s = t;
        a.detail =
            t == 0 ? fmt::format("{} inside {}", label(*e.s), z.name)
                   : fmt::format("{} predicted to enter {} in {:.0f} s", label(*e.s), z.name, t);
        found[a.key] = a;
        break;
      }
    }
  }

  // STCA: pairs whose swept boxes overlap, by a sweep over east extents.
  if (live.size() >= 2) {
    double lat0 = 0;
    for (const Entry& e : live) lat0 += e.p.lat_deg;
    lat0 /= static_cast<double>(live.size());
    const double coslat0 = std::cos(lat0 * kDeg);
    struct Box {
      std::size_t i;
      double x0, x1, y0, y1;
    };
    std::vector<Box> boxes;
    const double margin = cfg_.stca_horizontal_m / 2 + 1000;  // + projection slack
    for (std::size_t i = 0; i < live.size(); ++i) {
      const ObjectState& s = *live[i].s;
      if (is_drone(s) || s.velocity_enu_mps.head<2>().norm() < cfg_.stca_min_speed_mps) continue;
      const double x = live[i].p.lon_deg * kDeg * kEarthRadius * coslat0;
      const double y = live[i].p.lat_deg * kDeg * kEarthRadius;
      const double xe = x + s.velocity_enu_mps.x() * cfg_.stca_lookahead_s;
      const double ye = y + s.velocity_enu_mps.y() * cfg_.stca_lookahead_s;
      boxes.push_back({i, std::min(x, xe) - margin, std::max(x, xe) + margin,
                       std::min(y, ye) - margin, std::max(y, ye) + margin});
    }
    std::sort(boxes.begin(), boxes.end(),
              [](const Box& a, const Box& b) { return a.x0 != b.x0 ? a.x0 < b.x0 : a.i < b.i; });
    for (std::size_t m = 0; m < boxes.size(); ++m) {
      for (std::size_t n = m + 1; n < boxes.size() && boxes[n].x0 <= boxes[m].x1; ++n) {
        if (boxes[n].y0 > boxes[m].y1 || boxes[m].y0 > boxes[n].y1) continue;
        const Entry& a = live[std::min(boxes[m].i, boxes[n].i)];
        const Entry& b = live[std::max(boxes[m].i, boxes[n].i)];
        if (same_aircraft(*a.s, *b.s)) continue;
        const double midlat = (a.p.lat_deg + b.p.lat_deg) / 2 * kDeg;
        const Eigen::Vector3d dp(
            (b.p.lon_deg - a.p.lon_deg) * kDeg * kEarthRadius * std::cos(midlat),
            (b.p.lat_deg - a.p.lat_deg) * kDeg * kEarthRadius, b.p.alt_m - a.p.alt_m);
        const Eigen::Vector3d dv = b.s->velocity_enu_mps - a.s->velocity_enu_mps;
        auto k = predict_conflict(dp, dv, cfg_.stca_horizontal_m, cfg_.stca_vertical_m,
                                  cfg_.stca_lookahead_s);
        if (!k) continue;
        Alert al;
        al.key = fmt::format("stca:{}:{}", a.s->id, b.s->id);
        al.kind = AlertKind::kStca;
        al.tracks = {a.s->id, b.s->id};
        al.time_to_conflict_s = k->t_start_s;
        al.horizontal_m = k->horizontal_m;
        al.vertical_m = k->vertical_m;
        al.detail = fmt::format(
            "{} / {}: {:.1f} NM, {:.0f} ft {}", label(*a.s), label(*b.s), k->horizontal_m / kNm,
            k->vertical_m / kFt,
            k->t_start_s > 0 ? fmt::format("in {:.0f} s", k->t_start_s) : std::string("now"));
        found[al.key] = al;
      }
    }
  }

  std::vector<AlertEvent> events;
  for (auto& [key, a] : found) {
    auto it = active_.find(key);
    if (it == active_.end()) {
      a.raised = now;
      a.last_seen = now;
      active_[key] = a;
      ++raised_total_;
      events.push_back({now, true, a});
    } else {
      const Time raised = it->second.raised;
      it->second = a;
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
