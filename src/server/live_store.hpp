// File: server/live_store.hpp
//
// What the live system shows: the current air picture with each track's
// history, the sensors and their health, the safety-net alerts and the
// counters, kept up to date by the pipeline thread and read by the HTTP /
// WebSocket threads under one mutex. Every API body is built here, so the
// server stays a transport. docs/api.md lists the endpoints and fields.
//
//   LiveStore store(info);
//   store.apply(updates);                 // each track update, in order
//   std::string msg = store.publish(p);   // once per data second -> WebSocket
//   std::string body = store.tracks_json();
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/types.hpp"
#include "safety/safety_nets.hpp"
#include "server/aircraft_db.hpp"
#include "server/aircraft_traces.hpp"

namespace skyfuse::server {

// What the tracker knows of a track beyond its update line.
struct TrackExtra {
  double class_confidence = 0;
  std::array<double, 3> mode_probability{1, 0, 0};          // CV, CT, CA
  double sigma_east_m = 0, sigma_north_m = 0, corr_en = 0;  // horizontal 1-sigma ellipse
  std::vector<SensorId> sensors;
  Time first_update, last_update;
};

// A radar's registration estimate (tracking/registration.hpp), as reported.
struct SensorRegistration {
  double range_m = 0, gain_ppm = 0, azimuth_deg = 0, time_s = 0;
  double sigma_range_m = 0, sigma_gain_ppm = 0, sigma_azimuth_deg = 0, sigma_time_s = 0;
  double chi2_dof = 0;
  bool model_fits = true;
  long samples = 0;
};

struct SensorHealth {
  std::string name;
  std::string kind;
  std::string input;
  std::uint8_t sac = 0, sic = 0;
  GeodeticPosition site;
  double max_range_m = 0;
  std::uint64_t packets = 0, bytes = 0, reports = 0, errors = 0, drops = 0;
  std::uint64_t kernel_drops = 0;   // datagrams the kernel dropped (receive buffer full)
  std::uint64_t time_rejected = 0;  // reports whose time was implausible (data-time guard)
  Time last_data;                   // data time of its last report
  std::string state = "idle";       // idle, receiving, connected, disconnected, ended
  std::string last_error;
  std::optional<SensorRegistration> registration;  // radars with references
  // The feed decoder's own counters (a receiver network's mlat_groups,
  // mlat_fixes_ok, ...; a Mode S feed's modes_frames, ...), cumulative.
  std::vector<std::pair<std::string, std::uint64_t>> counters;
};

struct Counter {
  std::string name;  // Prometheus name
  std::string help;
  std::string type;                                    // counter, gauge or summary
  std::vector<std::pair<std::string, double>> values;  // labels ("" or k="v") -> value
  // A summary's `_sum` and `_count` (its values are the quantile="q" ones).
  double sum = 0;
  std::uint64_t count = 0;
};

// What the Mode S / ADS-B inputs said lately of one 24-bit address, beside
// the fused track (tar1090's aircraft.json and the map's flight level).
struct AircraftInfo {
  std::uint64_t messages = 0;            // Mode S frames (ADS-B, Mode S radar plots: 1 each)
  Time last_seen;                        // data time of its last report
  std::optional<double> pressure_alt_m;  // last barometric altitude (1013.25 hPa)
  Time pressure_alt_time;
  std::optional<double> baro_rate_mps;  // ADS-B vertical rate, barometric source
  Time baro_rate_time;
  std::optional<double> rssi_dbfs;  // mean power of the last report's frames, where measured
  Time rssi_time;
  bool on_ground = false;  // its last ADS-B position was a surface position
  bool adsb = false;       // heard in ADS-B (else only Mode S radar / MLAT)
  std::optional<std::uint8_t> nic, nacp;
  AdsbStatus status;  // version, integrity, intent (ADS-B TC 31/29/19, Comm-B 4,0)
  Time status_time;   // data time of the last report that said any of it

  // Folds one report of this address in.
  void note(const Report& r);
};

// Counts since the pipeline started, for readsb's stats.json (its periods
// are differences of these between publications; docs/api.md#statsjson).
struct ReceiverCounts {
  bool mode_s = false;                 // a Mode S (Beast, AVR, CSV) feed exists: readsb's "remote"
  std::uint64_t modes = 0;             // Mode S frames received (bad ones too)
  std::uint64_t modeac = 0;            // Mode A/C replies received
  std::uint64_t bad = 0;               // DF11/17/18 failing the CRC after correction, wrong lengths
  std::uint64_t unknown_icao = 0;      // address/parity frames from no known aircraft
  std::uint64_t accepted = 0;          // frames accepted without correction
  std::uint64_t corrected = 0;         // ... after a 1-bit correction
  std::uint64_t positions = 0;         // CPR positions decoded and accepted
  std::uint64_t positions_global = 0;  // ... of which from an even/odd pair
  std::uint64_t cpr_airborne = 0, cpr_surface = 0;  // CPR position messages received
  std::uint64_t aircraft = 0;  // addresses heard again after 5 min of silence, or first
  std::uint64_t aircraft_single_message = 0;  // addresses forgotten after one message
  std::optional<double> cpu_ms;               // the pipeline thread's CPU time
};

struct Publication {
  Time now;                                  // data time
  Time start;                                // data time of the first report
  std::map<std::string, TrackExtra> extras;  // by track id
  std::vector<SensorHealth> sensors;
  std::vector<safety::Alert> active_alerts;
  std::vector<safety::AlertEvent> alert_events;  // since the last publication
  std::vector<Counter> counters;
  std::map<std::uint32_t, AircraftInfo> aircraft;  // by 24-bit address
  std::uint64_t messages = 0;  // Mode S frames and other reports since the start
  ReceiverCounts counts;
  std::string mode = "live";  // live or replay
  double speed = 1;
};

struct StoreInfo {
  std::string system_name = "skyfuse";
  std::vector<Sensor> sensors;
  std::string zones_geojson = R"({"type":"FeatureCollection","features":[]})";
  std::size_t history_points = 600;  // per track
  std::size_t alert_log = 200;       // recent alert events kept
  // tar1090's history (readsb's history_N.json): a copy of aircraft.json
  // every aircraft_history_interval_s of data time, the last
  // aircraft_history kept within aircraft_history_max_bytes.
  std::size_t aircraft_history = 120;
  double aircraft_history_interval_s = 30;
  std::size_t aircraft_history_max_bytes = 64u << 20;
  // readsb's per-aircraft trace files (aircraft_traces.hpp).
  TraceLimits traces;
  // The operator's map layers: /api/info's "map_layers", a JSON array ("": none).
  std::string map_layers_json;
  // What each 24-bit address is registered as (aircraft_db.hpp): aircraft.json's
  // r, t, desc, ownOp, year, dbFlags and the tracks' reg and typ; null: none.
  std::shared_ptr<const AircraftDb> aircraft_db;
};

class LiveStore {
 public:
  explicit LiveStore(StoreInfo info);

  // Track updates in processing order (a `deleted` status removes the track).
  void apply(std::span<const ObjectState> updates);
  // Rebuilds the picture; returns the WebSocket message for it.
  std::string publish(Publication p);
  void set_zones(std::string geojson);
  // Forgets every track and alert event (a replay starting again).
  void clear();
  // Replay: the time range a slider spans.
  void set_time_range(Time first, Time last);
  // Replay: a new speed, shown by /api/info before the next publication.
  void set_speed(double speed);

  // API bodies (JSON unless said).
  std::string picture_json() const;                                    // /api/tracks
  std::optional<std::string> track_json(const std::string& id) const;  // /api/tracks/ID
  std::string sensors_json() const;                                    // /api/sensors
  std::string alerts_json() const;                                     // /api/alerts
  std::string stats_json() const;                                      // /api/stats
  std::string zones_json() const;                                      // /api/zones
  // tar1090 /data/aircraft.json: made once per publication, at the first
  // request after it (as readsb writes it once a second), the same text until
  // the next publication or clear(); the shared text lets the server keep
  // its compressed copy for as long (http_server.cpp).
  std::shared_ptr<const std::string> aircraft_json_shared() const;
  std::string aircraft_json() const { return *aircraft_json_shared(); }
  std::string receiver_json() const;  // tar1090 /data/receiver.json
  // readsb's /data/stats.json: periods latest, last1min, last5min, last15min
  // and total, in data time.
  std::string readsb_stats_json() const;
  // tar1090 /data/history_N.json: N from 0 (oldest) to receiver.json's
  // "history" - 1; nullopt past it.
  std::optional<std::string> aircraft_history_json(std::size_t n) const;
  // readsb's /data/traces/xx/trace_{recent,full}_HEX.json; nullopt for an
  // aircraft without a trace.
  std::optional<std::string> trace_json(std::string_view hex, bool full) const;
  std::string metrics_text() const;  // Prometheus /metrics
  std::string info_json() const;     // /api/info
  std::size_t track_count() const;
  Time now() const;

  // Counters kept outside the pipeline (the HTTP server's own), appended to
  // /api/stats and /metrics after the publication's. The source is called on
  // the reading thread without the store's lock, so it must be thread-safe;
  // clear it (nullptr) before whatever it reads goes away.
  using CounterSource = std::function<std::vector<Counter>()>;
  void set_counter_source(CounterSource source);

 private:
  struct Entry {
    ObjectState state;
    TrackExtra extra;
    std::deque<std::array<double, 4>> history;  // time s, lat, lon, alt
    std::uint64_t updates = 0;
  };
  std::string track_compact(const ObjectState& s, const TrackExtra& x,
                            std::optional<double> fl) const;
  const AircraftRecord* registered(const ObjectState& s) const;
  std::vector<Counter> external_counters() const;
  std::string aircraft_json_locked() const;  // with mu_ held
  void note_trace_locked(const ObjectState& s);
  mutable std::mutex source_mu_;
  CounterSource source_;
  mutable std::mutex mu_;
  StoreInfo info_;
  std::map<std::string, Entry> tracks_;
  std::string picture_;
  Publication last_;
  std::deque<safety::AlertEvent> alert_log_;
  Time first_time_, last_time_;
  std::uint64_t publications_ = 0;  // publish() and clear() calls: aircraft.json's generation
  mutable std::shared_ptr<const std::string> aircraft_;  // made for generation aircraft_of_
  mutable std::uint64_t aircraft_of_ = 0;
  std::deque<std::string> aircraft_history_;  // oldest first
  std::size_t aircraft_history_bytes_ = 0;
  std::optional<Time> next_history_;
  AircraftTraces traces_;
  // readsb's stats.json: the counts at each closed minute of data time (the
  // first at the start, zero), the open minute's largest distance.
  struct StatsMark {
    Time t;
    ReceiverCounts c;
    std::uint64_t messages = 0;
    double max_distance_m = 0;  // of the minute ending at t
  };
  void note_stats_locked(const std::vector<double>& distances_m);
  std::deque<StatsMark> stats_marks_;
  Time stats_start_;
  double minute_max_distance_m_ = 0, total_max_distance_m_ = 0;
};

}  // namespace skyfuse::server
