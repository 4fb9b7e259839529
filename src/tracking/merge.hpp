// File: tracking/merge.hpp
//
// Duplicate merging, part of the per-second maintenance: a confirmed track
// that shadows another one (same position, velocity and height, compatible
// identity) for `merge_checks` checks running is merged into it, i.e. the
// shadow is deleted. The track kept is the canonical track of an address or
// serial, else the older one (the lower number on ties); a canonical track is
// never the shadow. A track whose plots were placed at a guessed height
// (2-D radar plots only) is compared where its radar sees both, in slant
// range and azimuth, where the guess does not matter.
//
//   DuplicateMerger merger(cfg, gate, sensors, frame);
//   merger.check(table, now, [&](std::uint32_t slot) { delete_track(slot); });
#pragma once

#include <absl/functional/function_ref.h>

#include "estimation/frame.hpp"
#include "tracking/config.hpp"
#include "tracking/gating.hpp"
#include "tracking/sensor_table.hpp"
#include "tracking/track_table.hpp"

namespace skyfuse::tracking {

class DuplicateMerger {
 public:
  // Keeps references: all must outlive it.
  DuplicateMerger(const TrackerConfig& cfg, const Gate& gate, const SensorTable& sensors,
                  const estimation::TrackingFrame& frame)
      : cfg_(cfg), gate_(gate), sensors_(sensors), frame_(frame) {}

  // Whether the confirmed or coasting track `slot` shadows another one at `at`.
  bool shadows(const TrackTable& table, std::uint32_t slot, Time at) const;

  // One check of every confirmed or coasting track that is not canonical:
  // counts its checks as a shadow in a row (TrackRecord::merge_count), and
  // calls merge(slot) for one that reached merge_checks; the caller deletes
  // it at once (later checks no longer see it).
  void check(TrackTable& table, Time at, absl::FunctionRef<void(std::uint32_t)> merge) const;

 private:
  const TrackerConfig& cfg_;
  const Gate& gate_;
  const SensorTable& sensors_;
  const estimation::TrackingFrame& frame_;
};

}  // namespace skyfuse::tracking
