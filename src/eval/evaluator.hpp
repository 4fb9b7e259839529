// File: eval/evaluator.hpp
//
// Tracks against ground truth over a whole run: GOSPA/OSPA per step and the
// track-quality figures ATC surveillance is judged by (ESASSP / COMPASS style):
// RMS position and velocity error, position-within-400-m share, false and extra
// track shares, identity swaps, track breaks, false tracks, initiation delay.
// Definitions: docs/metrics.md.
//
// Evaluation instants are the truth sample times. At each, a track is present
// if the instant lies between its first and last update, its latest update at
// or before the instant is at most `track_max_age_s` old, and it has not been
// deleted; its position is extrapolated to the instant with its own velocity.
//
//   eval::Evaluation e = eval::evaluate(truth, tracks, {});
//   std::printf("%f\n", e.summary.gospa_mean_m);
#pragma once

#include <array>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "core/types.hpp"
#include "eval/gospa.hpp"

namespace skyfuse::eval {

struct EvalConfig {
  GospaConfig gospa;
  double track_max_age_s = 12;      // a track older than this is not present
  double within_threshold_m = 400;  // "position within" share threshold (horizontal)
  double false_position_m = 500;    // a track position farther than this from all truth is false
  double false_track_share = 0.5;  // a track assigned for less than this share of its life is false
  // After its last line a track is gone (false), or present, extrapolated,
  // until it is `track_max_age_s` old (true).
  bool present_after_last_line = false;
  // A track not assigned while the object it last followed ended no longer
  // than this ago is left out of the step (neither false nor present).
  double truth_end_grace_s = 0;
  // False tracks: assigned for less than `false_track_share` of their life
  // (false), or never within the GOSPA cut-off of any object (true).
  bool false_if_never_within_cutoff = false;
  // Probability of update: an assigned track whose latest update is at most
  // this old counts as updated (ESASSP: 5 s terminal, 8 s en route).
  double expected_update_interval_s = 5;
  // Pressure altitude correct ("Mode C correct"): track within this of the
  // truth's pressure altitude (300 ft).
  double mode_c_tolerance_m = 91.44;
};

// The sensors behind a track position (from the track line's `sources`), as
// ESASSP-style figures are given per coverage (docs/metrics.md).
enum class Coverage : std::uint8_t {
  kMultiRadar,   // two or more SSR / Mode S radars
  kSingleRadar,  // one SSR / Mode S radar
  kAdsbOnly,     // ADS-B and/or MLAT, no SSR / Mode S radar
  kPsrOnly,      // primary radar(s) only
  kOther,        // drone radar, Remote ID
  kNone,         // no source lately (coasting) or not told
};
inline constexpr std::size_t kCoverageCount = 6;
const char* to_string(Coverage c);
Coverage coverage_of(const ObjectState& track);

struct CoverageFigures {
  long pairs = 0;  // assigned truth/track pairs in this coverage
  double rms_horizontal_m = 0;
  double horizontal_p95_m = 0;
  double rms_vertical_m = 0;
  double update_probability = 0;
};

// The scoring conventions of the independent scenarios
// (../shared/data/scenarios/README.md), so figures compare with outside
// tools: GOSPA c = 1000 m, p = 2, alpha = 2 on a grid of whole seconds (the
// truth's); a track is its latest line, no older than 15 s, moved along its
// velocity; 3-D distance; excused for 15 s after its object's truth ends;
// false if never within c of any object.
EvalConfig independent_conventions();

struct StepResult {
  Time time;
  int n_truth = 0;
  int n_tracks = 0;
  int n_assigned = 0;
  double gospa_m = 0;
  double localisation_m2 = 0;  // p-th powers (m^p), p = 2 by default
  double missed_m2 = 0;
  double false_m2 = 0;
  double ospa_m = 0;
};

struct Summary {
  int steps = 0;
  int truth_objects = 0;
  int tracks = 0;
  double gospa_mean_m = 0;          // mean over steps of GOSPA
  double gospa_per_object_m = 0;    // (sum of GOSPA^p / sum of max(|X|,|Y|))^(1/p)
  double gospa_localisation_m = 0;  // per-object parts; their p-th powers add up to
  double gospa_missed_m = 0;        //   gospa_per_object_m^p
  double gospa_false_m = 0;
  double ospa_mean_m = 0;
  double rms_horizontal_m = 0;
  double rms_vertical_m = 0;
  double rms_3d_m = 0;
  double rms_velocity_mps = 0;
  long assigned_pairs = 0;
  double share_within_m = 0;        // assigned pairs within within_threshold_m (horizontal)
  double false_position_share = 0;  // track positions farther than false_position_m from truth
  double extra_track_share = 0;     // track positions duplicating an already tracked object
  double truth_coverage = 0;        // truth steps with an assigned track
  int identity_swaps = 0;
  int track_breaks = 0;
  int id_changes = 0;  // a different track on consecutive assigned steps of an object
  int false_tracks = 0;
  double false_track_share = 0;   // false tracks / tracks
  int never_tracked = 0;          // truth objects never assigned
  double initiation_delay_s = 0;  // mean over tracked truth objects
  // Horizontal error percentiles over assigned pairs, and the vertical error's
  // mean (track - truth) and 95th percentile of its magnitude.
  double horizontal_p50_m = 0;
  double horizontal_p95_m = 0;
  double horizontal_p99_m = 0;
  double vertical_bias_m = 0;
  double vertical_p95_m = 0;
  // Assigned pairs whose track was updated within expected_update_interval_s.
  double update_probability = 0;
  // Pressure altitude correct: pairs where both truth and track have one.
  long mode_c_pairs = 0;
  double mode_c_correct_share = 0;
  std::array<CoverageFigures, kCoverageCount> by_coverage{};
};

struct PerTruth {
  std::string id;
  int steps = 0;
  int assigned_steps = 0;
  int swaps = 0;
  int breaks = 0;
  int id_changes = 0;
  int distinct_tracks = 0;
  double initiation_delay_s = -1;  // -1: never tracked
  double rms_horizontal_m = 0;     // over its assigned steps
  double rms_vertical_m = 0;
};

struct Evaluation {
  EvalConfig config;
  Summary summary;
  std::vector<StepResult> steps;
  std::vector<PerTruth> per_truth;
  std::vector<double> horizontal_errors_m;  // one per assigned pair
  std::vector<double> vertical_errors_m;    // track - truth, one per assigned pair
  std::vector<Coverage> pair_coverage;      // one per assigned pair
  std::vector<double> velocity_errors_mps;
};

// Progress of the scoring: (truth samples done, in all), about every 1 % and
// at the end; it never changes the figures.
using EvalProgress = std::function<void(std::size_t done, std::size_t total)>;

Evaluation evaluate(std::span<const ObjectState> truth, std::span<const ObjectState> tracks,
                    const EvalConfig& cfg, const EvalProgress& on_progress = {});

}  // namespace skyfuse::eval
