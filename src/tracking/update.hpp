// File: tracking/update.hpp
//
// The update of a track by a report associated with it, in four parts, each
// a function of the record and the report that can be tested alone:
//   kinematics  the horizontal IMM with the plane position (and velocity)
//   height      the vertical filter: a 2-D plot's plane position (two radars
//               triangulate the height), a geometric height, a pressure
//               altitude (gated; the fleet's offset for an aircraft without a
//               geometric height of its own), the vertical rate
//   identity    address, serial (the track becomes their canonical track
//               where none is), Mode 3/A, callsign, emitter category,
//               ADS-B emergency; reports that corroborate the address
//   class       the classifier's evidence and its verdict
// and `Updater::update`, which applies them in that order around the
// bookkeeping: the out-of-sequence retrodiction, registration residuals,
// the track score, the sensors feeding it, its ADS-B/MLAT reference, and
// the confirmation rule (tracking/lifecycle.hpp).
//
//   Updater updater(cfg, gate, sensors, table, registration, offsets, frame, stats);
//   if (updater.update(slot, prepared) == UpdateOutcome::kUpdated) publish(table[slot]);
#pragma once

#include "estimation/frame.hpp"
#include "tracking/config.hpp"
#include "tracking/gating.hpp"
#include "tracking/height_offset.hpp"
#include "tracking/measurement.hpp"
#include "tracking/registration.hpp"
#include "tracking/sensor_table.hpp"
#include "tracking/stats.hpp"
#include "tracking/track_table.hpp"

namespace skyfuse::tracking {

// The IMM's update by the plane position `m` (and p.velocity if any).
void update_kinematics(estimation::Imm& imm, const PlaneMeasurement& m, const Prepared& p);

// The vertical filter's update by what the report says of the height, the
// filters already predicted to the report's time. `triangulate`: the report
// is a 2-D plot placed at the track's predicted height `m` (slope m.dxy_dh)
// and a second radar feeds the track, so its horizontal innovation against
// `imm`'s prediction measures the height. Returns the heights counted as
// outliers (0 or 1 per kind).
int update_height(TrackRecord& t, const Prepared& p, const PlaneMeasurement& m, bool triangulate,
                  const HeightOffsetModel& offsets, const TrackerConfig& cfg);

// An anonymous reply that backs the track's uncorroborated address: the
// same Mode 3/A code and, when both are known, the same pressure altitude
// (a false reply's random code and altitude match one in 4096 x 100).
bool backs_identity(const TrackRecord& t, const Prepared& p, const TrackerConfig& cfg);

// The report's identity into the track `slot` of `table` (binding it as
// the address's or serial's canonical track where none is); `backs` from
// backs_identity() before the update.
void update_identity(TrackTable& table, std::uint32_t slot, const Report& r, bool backs);

// The classifier's evidence from the report and the updated state, and its verdict.
void update_class(TrackRecord& t, const Report& r, const TrackerConfig& cfg);

enum class UpdateOutcome : std::uint8_t {
  kUpdated,      // at the report's time: publish it
  kUpdatedLate,  // retrodicted, updated, predicted back: nothing new to publish
  kTooLate,      // older than max_oosm_lag_s behind the track: dropped
  kNotPlaced,    // the 2-D plot cannot lie at the track's height: not used
};

class Updater {
 public:
  // Keeps references: all must outlive it.
  Updater(const TrackerConfig& cfg, const Gate& gate, const SensorTable& sensors, TrackTable& table,
          Registration& registration, const HeightOffsetModel& offsets,
          const estimation::TrackingFrame& frame, TrackerStats& stats)
      : cfg_(cfg),
        gate_(gate),
        sensors_(sensors),
        table_(table),
        registration_(registration),
        offsets_(offsets),
        frame_(frame),
        stats_(stats) {}

  // Updates track `slot` with the report; counts in the stats.
  UpdateOutcome update(std::uint32_t slot, const Prepared& p);

 private:
  // A radar plot of a reference track (recent ADS-B/MLAT): its range and
  // azimuth residual against the reference fix, for registration.
  void registration_residual(const Prepared& p, const TrackRecord& t);
  // A tentative track's log-likelihood-ratio score, target vs clutter.
  void update_score(TrackRecord& t, const Prepared& p, const PlaneMeasurement& m);
  // The sensors feeding the track and its expected update interval.
  void update_sensors(TrackRecord& t, const Prepared& p);
  // The last ADS-B/MLAT fix alone, for registration.
  static void update_reference(TrackRecord& t, const Prepared& p);

  const TrackerConfig& cfg_;
  const Gate& gate_;
  const SensorTable& sensors_;
  TrackTable& table_;
  Registration& registration_;
  const HeightOffsetModel& offsets_;
  const estimation::TrackingFrame& frame_;
  TrackerStats& stats_;
};

}  // namespace skyfuse::tracking
