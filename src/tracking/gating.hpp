// File: tracking/gating.hpp
//
// Gating: which tracks a prepared report may belong to, and at what cost.
// First by identity: a report whose 24-bit address or Remote ID serial has a
// track goes to it directly if it passes the loose identity gate; far from it
// the pair is a conflict (a track silent for several intervals restarts).
// Then by position for the rest: the grid of tracks around the report, a
// cheap distance test on the tracks' summaries, identity and height
// compatibility, and the chi-square test of the report against each track's
// prediction (constant acceleration of the IMM's combined estimate plus a
// manoeuvre allowance). A 2-D plot without height is placed at each track's
// own height before the test.
//
// Costs are NIS (2 dof) plus the penalties of config.hpp's "Association
// costs"; the association step chooses among the candidates.
//
//   Gate gate(cfg, frame, sensors, offsets, preparer);
//   GateResult gated;
//   gate.by_identity(prepared, table, gated, stats, [&](std::uint32_t slot, Time at) { ... });
//   gate.by_position(prepared, table, gated);
//   // gated.direct[i]: slot assigned by identity, or -1; gated.candidates: the rest
#pragma once

#include <absl/functional/function_ref.h>

#include <Eigen/Core>
#include <optional>
#include <span>
#include <vector>

#include "association/gnn.hpp"
#include "estimation/frame.hpp"
#include "tracking/config.hpp"
#include "tracking/height_offset.hpp"
#include "tracking/measurement.hpp"
#include "tracking/sensor_table.hpp"
#include "tracking/stats.hpp"
#include "tracking/track_table.hpp"

namespace skyfuse::tracking {

// A track's position predicted to a time, with its covariance, on the plane.
struct GatePrediction {
  Eigen::Vector2d xy;
  Eigen::Matrix2d cov;
};

// A report as one track sees it (a 2-D plot placed at the track's height).
struct PlaneMeasurement {
  Eigen::Vector2d xy;
  Eigen::Matrix2d cov;
  // How the plot's plane position moves per metre of assumed height (zero
  // unless requested and a 2-D plot placed at the track's height).
  Eigen::Vector2d dxy_dh = Eigen::Vector2d::Zero();
};

// The outcome of gating one batch of prepared reports.
struct GateResult {
  std::vector<int> direct;                    // per report: slot assigned through identity, or -1
  std::vector<std::uint32_t> identity_slots;  // tracks taken through identity
  std::vector<std::pair<int, double>> identity_by;  // ... by which report, at what NIS
  std::vector<association::Candidate> candidates;   // the spatial pairs, cost in NIS units
};

// A discrete (non-conspicuity) Mode 3/A code: not 1000, 2000, 7000, 1200,
// 0000 nor an emergency code.
bool discrete_code(std::uint16_t code);

class Gate {
 public:
  // Keeps references: all must outlive it.
  Gate(const TrackerConfig& cfg, const estimation::TrackingFrame& frame, const SensorTable& sensors,
       const HeightOffsetModel& offsets, const MeasurementPreparer& preparer)
      : cfg_(cfg), frame_(frame), sensors_(sensors), offsets_(offsets), preparer_(preparer) {}

  // Reports whose address or serial has a track: result.direct and
  // identity_slots (result is reset for `prepared`). A conflict with a track
  // silent for `identity_restart_intervals` calls restart(slot, report time)
  // at once (later reports of the batch no longer find that track).
  void by_identity(std::span<const Prepared> prepared, const TrackTable& table, GateResult& result,
                   TrackerStats& stats, absl::FunctionRef<void(std::uint32_t, Time)> restart) const;
  // The spatial candidates of every report not taken through identity.
  void by_position(std::span<const Prepared> prepared, const TrackTable& table,
                   GateResult& result) const;

  // Constant-acceleration extrapolation of the track's combined estimate.
  GatePrediction predict(const TrackRecord& t, Time at) const;
  // The track's height extrapolated at its vertical rate.
  static double predicted_height(const TrackRecord& t, Time at) {
    return t.vert.height() + t.vert.rate() * (at - t.time).seconds();
  }
  // NIS of the report against the track, if below `limit` and within the
  // track's search radius.
  std::optional<double> nis(const Prepared& p, const TrackRecord& t, double limit) const;
  // Identity and height compatibility: the cost penalty, or nothing when the
  // pair is excluded.
  std::optional<double> compatibility(const Prepared& p, const TrackRecord& t) const;
  // Position of the report for this track at `at` (2-D plots take the
  // track's height); `with_slope` also fills dxy_dh.
  std::optional<PlaneMeasurement> measurement_for(const Prepared& p, const TrackRecord& t, Time at,
                                                  bool with_slope = false) const;
  // The height a report gives its target, if any.
  std::optional<double> report_height(const Prepared& p) const;
  // A track of 2-D plots only sits where its radar's ranges put it at a
  // guessed height `h_now`; where it would sit at height `h` (same slant
  // range and azimuth from that radar).
  Eigen::Vector2d at_height(const TrackRecord& t, const Eigen::Vector2d& xy, double h_now,
                            double h) const;
  // How far from its extrapolated position a track looks for reports.
  double search_radius(double sigma_pos_m, double sigma_vel_mps, Time from, Time at) const;
  double search_radius(const TrackRecord& t, Time at) const;
  double search_radius(const TrackSummary& g, Time at) const {
    return search_radius(g.sigma_pos_m, g.sigma_vel_mps, g.time, at);
  }
  // Radars that updated the track within sensor_memory_s before `at`.
  int radars_feeding(const TrackRecord& t, Time at) const;

 private:
  const TrackerConfig& cfg_;
  const estimation::TrackingFrame& frame_;
  const SensorTable& sensors_;
  const HeightOffsetModel& offsets_;
  const MeasurementPreparer& preparer_;
};

}  // namespace skyfuse::tracking
