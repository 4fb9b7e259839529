// File: server/aircraft_traces.hpp
//
// readsb's per-aircraft trace files (readsb README-json.md, "trace"), as
// tar1090 reads them when an aircraft is selected:
//   /data/traces/<xx>/trace_recent_<hex>.json   the last points
//   /data/traces/<xx>/trace_full_<hex>.json     every point kept
// where <hex> is aircraft.json's "hex" (6 lower-case hex digits, "~" first
// for an address that is not ICAO) and <xx> its last two hex digits.
//
// A point is kept per aircraft every `interval_s` of data time, sooner when
// the track turns or climbs (below), from the fused track's state: what the
// trail on the map shows. Everything is bounded: points per aircraft, points
// in all, and an aircraft silent for `keep_s` is forgotten.
//
//   AircraftTraces traces;
//   traces.note("4b1a2c", point);                  // per track update, time order
//   auto body = traces.json("4b1a2c", /*full=*/true);
//   auto file = parse_trace_path("/data/traces/2c/trace_full_4b1a2c.json");
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace skyfuse::server {

// One trace point, in readsb's units (feet, knots, ft/min, degrees).
struct TracePoint {
  double time_s = 0;  // data time, Unix seconds
  double lat_deg = 0, lon_deg = 0;
  std::optional<double> baro_alt_ft;  // pressure altitude (1013.25 hPa)
  bool on_ground = false;             // "ground" in place of the altitude
  double geom_alt_ft = 0;             // the track's height above the ellipsoid
  double gs_kt = 0, track_deg = 0;
  std::optional<double> baro_rate_fpm;
  double geom_rate_fpm = 0;
  const char* type =
      "other";          // aircraft.json's "type" (a string literal: adsb_icao, mode_s, other)
  std::string details;  // aircraft.json-style object of its identity (JSON), or ""
  // Set by AircraftTraces: 1 stale (nothing heard for stale_s before it),
  // 4 the rate is geometric, 8 the altitude is geometric (readsb's bits).
  std::uint8_t flags = 0;
};

struct TraceLimits {
  double interval_s = 4;            // a point at least this often while updated
  double turn_deg = 4;              // ... or sooner on a track change this large
  double climb_ft = 200;            // ... or an altitude change this large
  double min_gap_s = 1;             // never two points closer than this
  double stale_s = 20;              // a point after a longer gap has flag 1 (stale)
  std::size_t recent_points = 128;  // in trace_recent
  std::size_t max_points = 5400;    // per aircraft (6 h at 4 s)
  std::size_t max_total = 500'000;  // in all (about 80 MB at most)
  double keep_s = 3600;             // forget an aircraft silent this long
};

// What a trace path names; nullopt for any other path (docs/api.md).
struct TracePath {
  std::string hex;  // as aircraft.json's "hex"
  bool full = false;
};
std::optional<TracePath> parse_trace_path(std::string_view path);

class AircraftTraces {
 public:
  explicit AircraftTraces(TraceLimits limits = {}) : limits_(limits) {}

  // One state of the aircraft `hex`; kept if the rules above say so. Points
  // of one aircraft come in data-time order (older ones are ignored).
  void note(const std::string& hex, const TracePoint& p);
  // Forgets aircraft silent for keep_s before `now_s` (data time).
  void expire(double now_s);
  void clear();

  // The file's JSON: {"icao","timestamp","trace":[[dt, lat, lon, alt, gs,
  // track, flags, rate, details|null, type, alt_geom, geom_rate, null, null]]}.
  std::optional<std::string> json(std::string_view hex, bool full) const;

  std::size_t aircraft() const { return traces_.size(); }
  std::size_t points() const { return total_; }
  std::uint64_t points_dropped() const { return dropped_; }  // to the bounds, counted

 private:
  struct Trace {
    std::deque<TracePoint> points;
    TracePoint last_seen;  // the newest state offered, kept or not
    std::string last_details;
  };
  void drop_oldest_aircraft();
  TraceLimits limits_;
  std::map<std::string, Trace, std::less<>> traces_;
  std::size_t total_ = 0;
  std::uint64_t dropped_ = 0;
};

}  // namespace skyfuse::server
