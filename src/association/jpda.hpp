// File: association/jpda.hpp
//
// Joint probabilistic data association (JPDA) for dense clutter: for each
// independent cluster of gated report-track pairs, the marginal probability
// that each report came from each track (exact enumeration of the feasible
// joint events), then the most probable feasible joint assignment of those
// marginals (nearest-neighbour JPDA, Fitzgerald). A cluster too large to
// enumerate is solved by GNN on the gate costs instead (counted).
//
//   std::vector<Candidate> c = {{.report = 0, .track = 3, .cost = 2.1}};
//   std::vector<double> det_s = {2.5e9};      // |S| of each pair's innovation [m^4]
//   Association a;
//   associate_jpda(c, det_s, 1, JpdaParams{}, a);   // a.report_to_track[0] == 3
#pragma once

#include <span>
#include <vector>

#include "association/gnn.hpp"

namespace skyfuse::association {

struct JpdaParams {
  double detection_probability = 0.9;
  double clutter_per_m2 = 0.01e-6;  // clutter density per scan
  double unassigned_cost = 24.0;    // the GNN fallback's cost of leaving a report unassigned
  double min_probability = 0.2;     // pairs less probable are never assigned
};

// `candidates` costs are NIS (2 dof: the Gaussian density of a pair is
// exp(-cost / 2) / (2 pi sqrt(innovation_det))). Fills out.report_to_track,
// clusters, largest_cluster and jpda_fallbacks.
void associate_jpda(const std::vector<Candidate>& candidates,
                    std::span<const double> innovation_det, int n_reports, const JpdaParams& params,
                    Association& out);

// JPDA: for one cluster of reports and tracks with gated likelihood ratios
// `likelihood[r][t]` (0 where not gated; the ratio of the measurement density
// under track t to the clutter density), detection probability pd, returns
// beta[t][r] = P(report r originated from track t) and beta[t][n_reports] =
// P(track t undetected). Exhaustive over joint events: use only on small
// clusters (returns false when more than `max_events` events would be needed).
bool jpda_marginals(const std::vector<std::vector<double>>& likelihood, double pd,
                    std::vector<std::vector<double>>& beta, long max_events = 200000);

}  // namespace skyfuse::association
