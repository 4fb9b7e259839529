// File: association/gnn.hpp
//
// Global nearest neighbour data association over gated report-track pairs:
// the pairs are split into independent clusters (connected components of the
// gate graph, union-find), and each cluster is solved as an optimal linear
// assignment (Jonker-Volgenant) in which every report may also stay
// unassigned at `unassigned_cost` (it then starts a track). Singletons, the
// common case, skip the solver.
// (JPDA, for dense clutter, is association/jpda.hpp.)
//
//   std::vector<Candidate> c = {{.report = 0, .track = 3, .cost = 2.1}};
//   auto a = associate(c, 1, 4.0);   // a.report_to_track[0] == 3
#pragma once

#include <cstdint>
#include <vector>

namespace skyfuse::association {

struct Candidate {
  int report = 0;   // index into the batch of reports
  int track = 0;    // any non-negative track key
  double cost = 0;  // e.g. NIS + log|S| (negative log-likelihood up to a constant)
};

struct Association {
  std::vector<int> report_to_track;  // -1: unassigned
  int clusters = 0;                  // independent sub-problems
  int largest_cluster = 0;           // reports + tracks in the largest one
  int jpda_fallbacks = 0;            // JPDA: clusters too large to enumerate, solved by GNN
};

// The independent clusters of the gate graph: indices into `candidates`
// (those with cost < max_cost and a valid report), grouped by connected
// component of reports and tracks, in order of first appearance.
std::vector<std::vector<int>> cluster_candidates(const std::vector<Candidate>& candidates,
                                                 int n_reports, double max_cost);

// `n_reports` reports; candidates with cost >= unassigned_cost are ignored.
Association associate(const std::vector<Candidate>& candidates, int n_reports,
                      double unassigned_cost);
// The same into `out`, reusing its storage (a batch of one report, the
// common case, then allocates nothing).
void associate(const std::vector<Candidate>& candidates, int n_reports, double unassigned_cost,
               Association& out);

}  // namespace skyfuse::association
