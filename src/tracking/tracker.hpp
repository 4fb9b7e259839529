// File: tracking/tracker.hpp
//
// The multi-sensor tracker: reports in (any order within the latency window),
// system tracks out. One instance processes its reports in data-time order on
// one thread, so the same input gives the same output bytes.
//
// It is the cycle over units that each live in their own files and can be
// tested alone (docs/design.md, "The tracker's units"):
//   reorder_buffer  push, release in data-time order, in batches (the plots
//                   of one sensor within `batch_window_s`)
//   measurement     prepare: validate, correct registration bias, to the plane
//   gating          identity lookup (24-bit address, Remote ID serial), then
//                   the spatial grid around each remaining report; chi-square
//   association     (src/association) independent clusters, optimal
//                   assignment (GNN) or JPDA
//   update          kinematics (IMM), height (vertical filter), identity, class
//   lifecycle       initiate a tentative track per unassociated report;
//                   confirm (M updates, score); coast and delete (maintenance,
//                   once per data second)
//   merge           duplicates merged (maintenance)
//   track_table     records, summaries, slots, grid, address/serial maps, numbers
//
//   Tracker t(cfg, sensors);
//   for (const Report& r : reports) t.push(r);
//   t.flush();
//   for (const ObjectState& s : t.drain()) out << io::to_json(s) << "\n";
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/types.hpp"
#include "tracking/config.hpp"
#include "tracking/registration.hpp"
#include "tracking/stats.hpp"

namespace skyfuse::tracking {

class Tracker {
 public:
  Tracker(TrackerConfig cfg, std::vector<Sensor> sensors);
  ~Tracker();
  Tracker(const Tracker&) = delete;
  Tracker& operator=(const Tracker&) = delete;

  // Queues a report; processes whatever the latency window releases.
  void push(const Report& r);
  // Processes everything queued (end of data).
  void flush();
  // The sensor's data starts over at `from` (a looped recording begins its
  // next pass): just before its first report at or after `from` is
  // processed, the tracks that only this sensor updated are closed, so the
  // pass's aircraft start afresh instead of beside their old tracks.
  void restart_sensor(SensorId sensor, Time from);

  // Track updates (confirmed and coasting tracks, and a final `deleted` line)
  // published since the last call, in processing order.
  std::vector<ObjectState> drain();
  // Calls f(const ObjectState&) for each, without copying them out.
  template <class F>
  void drain(F&& f) {
    for (const ObjectState& s : pending()) f(s);
    clear_pending();
  }

  // The current air picture (confirmed and coasting tracks).
  std::vector<Track> tracks() const;
  const TrackerStats& stats() const;
  // The first rejected reports, "sensor NAME source S offset O: reason".
  const std::vector<std::string>& errors() const;
  std::optional<RadarBias> radar_bias(SensorId sensor) const;
  Time now() const;                  // data time of the last processed report
  std::size_t memory_bytes() const;  // tracker's own heap, approximate

 private:
  const std::vector<ObjectState>& pending() const;
  void clear_pending();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace skyfuse::tracking
