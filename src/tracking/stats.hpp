// File: tracking/stats.hpp
//
// The tracker's counters, and `describe()`: one table that names each counter
// once (its key, Prometheus name, help line and words for a summary), read by
// every place that shows them: /metrics (live::Pipeline), `track`'s summary
// and its --stats-json, `run`'s summary in the log.
//
//   for (const StatEntry& e : describe(tracker.stats()))
//     fmt::print("{} {}\n", e.key, e.value);
//   fmt::print(stderr, "tracker: {}\n", to_text(tracker.stats()));
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

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
  std::uint64_t split_plots = 0;  // unassociated plots taken as a second plot of a tracked target
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
  std::uint64_t unobserved_velocity = 0;      // confirmation deferred: velocity not yet known
  std::uint64_t live_tracks = 0;
  std::uint64_t max_live_tracks = 0;
};

// One counter, described.
struct StatEntry {
  std::string_view key;     // snake_case, the --stats-json key: "identity_conflicts"
  std::string_view metric;  // Prometheus name: "identity_conflicts_total"
  std::string_view help;    // Prometheus HELP: "Identity conflicts"
  std::string_view words;   // in a summary line: "identity conflicts"
  bool gauge = false;       // a level (live tracks), else a counter
  std::uint64_t value = 0;
};

// Every counter of `s`, in the order of TrackerStats.
std::vector<StatEntry> describe(const TrackerStats& s);

// The entry of `key`, or nullptr.
const StatEntry* find(const std::vector<StatEntry>& entries, std::string_view key);

// Every counter for a log line: "reports 12, processed 12, rejected 0, ...".
std::string to_text(const TrackerStats& s);

}  // namespace skyfuse::tracking
