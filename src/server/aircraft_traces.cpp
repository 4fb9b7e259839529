#include "server/aircraft_traces.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace skyfuse::server {

namespace {
bool lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

double angle_between_deg(double a, double b) {
  const double d = std::fmod(std::fabs(a - b), 360.0);
  return d > 180 ? 360 - d : d;
}

double altitude_ft(const TracePoint& p) { return p.baro_alt_ft.value_or(p.geom_alt_ft); }
}  // namespace

std::optional<TracePath> parse_trace_path(std::string_view path) {
  constexpr std::string_view kDir = "/data/traces/";
  if (!path.starts_with(kDir)) return std::nullopt;
  path.remove_prefix(kDir.size());
  // <xx>/trace_(recent|full)_<hex>.json
  if (path.size() < 3 || !lower_hex(path[0]) || !lower_hex(path[1]) || path[2] != '/')
    return std::nullopt;
  const std::string_view folder = path.substr(0, 2);
  path.remove_prefix(3);
  TracePath out;
  if (path.starts_with("trace_full_")) {
    out.full = true;
    path.remove_prefix(11);
  } else if (path.starts_with("trace_recent_")) {
    path.remove_prefix(13);
  } else {
    return std::nullopt;
  }
  if (!path.ends_with(".json")) return std::nullopt;
  path.remove_suffix(5);
  std::string_view digits = path;
  if (digits.starts_with('~')) digits.remove_prefix(1);
  if (digits.size() != 6 || !std::all_of(digits.begin(), digits.end(), lower_hex))
    return std::nullopt;
  if (digits.substr(4) != folder) return std::nullopt;  // readsb: the address mod 256
  out.hex = std::string(path);
  return out;
}

void AircraftTraces::note(const std::string& hex, const TracePoint& p) {
  if (!std::isfinite(p.time_s) || !std::isfinite(p.lat_deg) || !std::isfinite(p.lon_deg)) return;
  auto [it, added] = traces_.try_emplace(hex);
  Trace& tr = it->second;
  if (!added && p.time_s < tr.last_seen.time_s) return;  // out of order: ignored
  const double heard_before_s = tr.last_seen.time_s;
  tr.last_seen = p;
  bool keep = tr.points.empty();
  if (!keep) {
    const TracePoint& k = tr.points.back();
    const double gap = p.time_s - k.time_s;
    keep = gap >= limits_.interval_s ||
           (gap >= limits_.min_gap_s &&
            (angle_between_deg(p.track_deg, k.track_deg) >= limits_.turn_deg ||
             std::fabs(altitude_ft(p) - altitude_ft(k)) >= limits_.climb_ft ||
             p.on_ground != k.on_ground));
  }
  if (!keep) return;
  TracePoint kept = p;
  kept.flags = 0;
  if (!tr.points.empty() && p.time_s - heard_before_s > limits_.stale_s) kept.flags |= 1;
  if (!p.baro_rate_fpm) kept.flags |= 4;
  if (!p.baro_alt_ft && !p.on_ground) kept.flags |= 8;
  if (!tr.points.empty() && kept.details == tr.last_details) {
    kept.details.clear();  // readsb repeats the object only when it changes
  } else {
    tr.last_details = kept.details;
  }
  tr.points.push_back(std::move(kept));
  ++total_;
  while (tr.points.size() > limits_.max_points) {
    tr.points.pop_front();
    --total_;
    ++dropped_;
  }
  while (total_ > limits_.max_total && traces_.size() > 1) drop_oldest_aircraft();
}

// The aircraft heard least recently (never the one just noted: it is the newest).
void AircraftTraces::drop_oldest_aircraft() {
  auto oldest = traces_.begin();
  for (auto it = traces_.begin(); it != traces_.end(); ++it)
    if (it->second.last_seen.time_s < oldest->second.last_seen.time_s) oldest = it;
  total_ -= oldest->second.points.size();
  dropped_ += oldest->second.points.size();
  traces_.erase(oldest);
}

void AircraftTraces::expire(double now_s) {
  std::erase_if(traces_, [&](const auto& kv) {
    if (now_s - kv.second.last_seen.time_s <= limits_.keep_s) return false;
    total_ -= kv.second.points.size();
    return true;
  });
}

void AircraftTraces::clear() {
  traces_.clear();
  total_ = 0;
}

std::optional<std::string> AircraftTraces::json(std::string_view hex, bool full) const {
  auto it = traces_.find(hex);
  if (it == traces_.end() || it->second.points.empty()) return std::nullopt;
  const auto& points = it->second.points;
  const std::size_t first =
      full || points.size() <= limits_.recent_points ? 0 : points.size() - limits_.recent_points;
  const double t0 = points[first].time_s;
  std::string o = fmt::format("{{\"icao\":\"{}\",\"timestamp\":{:.3f},\"trace\":[", hex, t0);
  for (std::size_t i = first; i < points.size(); ++i) {
    const TracePoint& p = points[i];
    // The first point of a file carries the details even when unchanged.
    const std::string& details =
        i == first && p.details.empty() ? it->second.last_details : p.details;
    std::string alt = p.on_ground     ? std::string("\"ground\"")
                      : p.baro_alt_ft ? fmt::format("{:.0f}", *p.baro_alt_ft)
                                      : fmt::format("{:.0f}", p.geom_alt_ft);
    o += fmt::format(
        "{}[{:.2f},{:.6f},{:.6f},{},{:.1f},{:.1f},{},{:.0f},{},\"{}\",{:.0f},{:.0f},null,null]",
        i == first ? "" : ",", p.time_s - t0, p.lat_deg, p.lon_deg, alt, p.gs_kt, p.track_deg,
        p.flags, p.baro_rate_fpm.value_or(p.geom_rate_fpm), details.empty() ? "null" : details,
        p.type, p.geom_alt_ft, p.geom_rate_fpm);
  }
  o += "]}";
  return o;
}

}  // namespace skyfuse::server
