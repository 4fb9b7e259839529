// File: tracking/tracker.hpp
//
// The multi-sensor tracker: reports in (any order within the latency window),
// system tracks out. One instance processes its reports in data-time order on
// one thread, so the same input gives the same output bytes.
//
// The cycle for each batch (the plots of one sensor within `batch_window_s`):
//   prepare    validate, correct registration bias, convert to the plane
//   gate       identity lookup (24-bit address, Remote ID serial), then the
//              spatial grid around each remaining report; chi-square test
//   associate  independent clusters, optimal assignment (GNN) or JPDA weights
//   update     IMM + vertical filter, identity, class, registration residuals
//   initiate   a tentative track per unassigned report
//   confirm    tentative -> confirmed (M updates)
//   maintain   coasting, deletion, merging duplicates (once per data second)
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

namespace skyfuse::tracking {

struct TrackerStats {
  std::uint64_t reports = 0;  // pushed
  std::uint64_t processed = 0;
  std::uint64_t rejected = 0;         // impossible values, unknown sensor
  std::uint64_t late_dropped = 0;     // older than max_oosm_lag_s behind their track
  std::uint64_t out_of_sequence = 0;  // processed behind their track's time
  std::uint64_t associated = 0;
  std::uint64_t identity_associated = 0;   // through the address / serial
  std::uint64_t identity_conflicts = 0;    // address / serial far from its track
  std::uint64_t duplicate_identities = 0;  // a second live track for one address
  std::uint64_t unassociated = 0;
  std::uint64_t initiated = 0;
  std::uint64_t confirmed = 0;
  std::uint64_t deleted = 0;
  std::uint64_t merged = 0;
  std::uint64_t clusters = 0;
  std::uint64_t largest_cluster = 0;
  std::uint64_t jpda_fallbacks = 0;           // cluster too large for JPDA: GNN used
  std::uint64_t numerical_faults = 0;         // repaired covariances, singular innovations
  std::uint64_t height_outliers = 0;          // height rejected, horizontal kept
  std::uint64_t implausible_initiations = 0;  // confirmation refused: faster than any aircraft
  std::uint64_t live_tracks = 0;
  std::uint64_t max_live_tracks = 0;
};

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
