// File: live/batch_track.hpp
//
// `skyfuse track` as a library function: every sensor's recorded feed read
// whole (feeds/feed_reader.hpp), the reports ordered by data time (ties by
// sensor, then file order), passed through the data-time guard to the tracker,
// and every track update handed to the sinks, which are finished at the end.
// The CLI verb and the Python module (`skyfuse.track`) both call it; what it
// found (per-feed counts and errors, the tracker's counters, radar
// registration) comes back for the caller to print.
//
//   live::SystemConfig cfg = live::load_system_config("sensors.toml");
//   output::JsonLinesSink lines("tracks.jsonl", nullptr);
//   output::TrackSink* sinks[] = {&lines};
//   live::BatchResult r = live::track_batch(cfg, specs_dir, sinks);
#pragma once

#include <functional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "live/system_config.hpp"
#include "output/track_sink.hpp"
#include "tracking/registration.hpp"
#include "tracking/stats.hpp"
#include "tracking/time_guard.hpp"

namespace skyfuse::live {

struct BatchFeed {
  std::size_t reports = 0;
  long errors = 0;                                     // bad records/lines, all counted
  std::vector<std::string> messages;                   // the first errors, with file and offset
  std::vector<std::pair<std::string, long>> counters;  // the feed's own (mlat_receivers)
};

struct BatchResult {
  std::vector<BatchFeed> feeds;  // one per sensor, in configuration order
  long input_errors = 0;
  tracking::TrackerStats stats;
  std::vector<std::string> rejected;                  // the tracker's rejections
  std::vector<tracking::SensorTimeStats> time_guard;  // per sensor
  std::uint64_t time_rejected = 0;
  std::vector<std::pair<std::string, tracking::RadarBias>> registration;  // sensor name, bias
  double seconds = 0;  // wall time of the tracking (after reading)
};

// Progress of the tracking: (reports done, reports in all), called about every
// 1 % and once at the end; it never changes what is tracked.
using BatchProgress = std::function<void(std::size_t done, std::size_t total)>;

// `specs`: the asterix-specs directory (ASTERIX feeds). Throws ConfigError for
// unreadable inputs; bad records are counted in the result.
BatchResult track_batch(const SystemConfig& cfg, const std::string& specs,
                        std::span<output::TrackSink* const> sinks,
                        const BatchProgress& progress = {});

}  // namespace skyfuse::live
