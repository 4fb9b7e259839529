// File: eval/gospa.hpp
//
// GOSPA (generalised optimal sub-pattern assignment, Rahmathullah, Garcia-
// Fernandez and Svensson 2017) for one time step, with alpha = 2, order p and
// cut-off c, split into its localisation, missed and false parts, plus OSPA
// (Schuhmacher et al. 2008) from the same assignment.
//
// With alpha = 2, GOSPA^p = min over partial assignments g of
//   sum_{(i,j) in g} d(x_i, y_j)^p + c^p / 2 * (|X| + |Y| - 2 |g|),
// and an optimal g only pairs objects closer than c. Candidate pairs (d < c) are
// found with a uniform grid (cell 2c), split into connected components, and each
// component is solved exactly with the Jonker-Volgenant assignment.
//
// Positions are ECEF metres, so d is the straight-line 3-D distance.
//
//   eval::GospaStep g = eval::gospa_step(truth_ecef, track_ecef, {.cutoff_m = 1000});
//   double d = g.gospa_m;  // (localisation + missed + false)^(1/p)
#pragma once

#include <Eigen/Core>
#include <span>
#include <vector>

namespace skyfuse::eval {

struct GospaConfig {
  double cutoff_m = 1000;  // c: distance at which a pair counts as a miss plus a false
  double p = 2;            // order
};

struct CandidatePair {
  int truth = 0;
  int track = 0;
  double distance_m = 0;
};

struct GospaStep {
  std::vector<int> truth_to_track;        // -1 = missed
  std::vector<int> track_to_truth;        // -1 = false
  std::vector<CandidatePair> candidates;  // every pair closer than c
  double localisation = 0;                // sum of d^p over assigned pairs [m^p]
  double missed = 0;                      // c^p / 2 per missed truth object [m^p]
  double false_ = 0;                      // c^p / 2 per false track [m^p]
  int n_assigned = 0;
  double gospa_m = 0;  // (localisation + missed + false)^(1/p)
  double ospa_m = 0;   // OSPA with the same p and c
};

GospaStep gospa_step(std::span<const Eigen::Vector3d> truth,
                     std::span<const Eigen::Vector3d> tracks, const GospaConfig& cfg);

}  // namespace skyfuse::eval
