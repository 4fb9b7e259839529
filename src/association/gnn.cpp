#include "association/gnn.hpp"

#include <Eigen/Core>
#include <algorithm>
#include <numeric>

#include "association/assignment.hpp"

namespace skyfuse::association {

namespace {
struct UnionFind {
  std::vector<int> parent;
  explicit UnionFind(int n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  int find(int a) {
    while (parent[a] != a) a = parent[a] = parent[parent[a]];
    return a;
  }
  void join(int a, int b) { parent[find(a)] = find(b); }
};

// One report's choice among its gated tracks: the cheapest, ties to the
// lowest track key, as the assignment solver breaks them.
bool cheaper(const Candidate& c, const Candidate* best) {
  return !best || c.cost < best->cost || (c.cost == best->cost && c.track < best->track);
}
}  // namespace

std::vector<std::vector<int>> cluster_candidates(const std::vector<Candidate>& candidates,
                                                 int n_reports, double max_cost) {
  std::vector<int> gated;
  gated.reserve(candidates.size());
  std::vector<int> keys;  // the gated tracks' keys, sorted: node n_reports + rank
  for (int i = 0; i < static_cast<int>(candidates.size()); ++i) {
    const Candidate& c = candidates[i];
    if (!(c.cost < max_cost) || c.report < 0 || c.report >= n_reports) continue;
    gated.push_back(i);
    keys.push_back(c.track);
  }
  std::vector<std::vector<int>> clusters;
  if (gated.empty()) return clusters;
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  const auto node = [&](int track) {
    return n_reports +
           static_cast<int>(std::lower_bound(keys.begin(), keys.end(), track) - keys.begin());
  };
  UnionFind uf(n_reports + static_cast<int>(keys.size()));
  for (int i : gated) uf.join(candidates[i].report, node(candidates[i].track));
  // Clusters numbered in order of first appearance (deterministic).
  std::vector<int> cluster_of_root(uf.parent.size(), -1);
  for (int i : gated) {
    int& k = cluster_of_root[uf.find(candidates[i].report)];
    if (k < 0) {
      k = static_cast<int>(clusters.size());
      clusters.emplace_back();
    }
    clusters[k].push_back(i);
  }
  return clusters;
}

Association associate(const std::vector<Candidate>& candidates, int n_reports,
                      double unassigned_cost) {
  Association out;
  associate(candidates, n_reports, unassigned_cost, out);
  return out;
}

void associate(const std::vector<Candidate>& candidates, int n_reports, double unassigned_cost,
               Association& out) {
  out.report_to_track.assign(n_reports, -1);
  out.clusters = 0;
  out.largest_cluster = 0;
  if (n_reports == 1) {
    // Every candidate is the one report's: a single cluster, decided as
    // below for a cluster with one report, without grouping.
    const Candidate* best = nullptr;
    int gated = 0;
    for (const Candidate& c : candidates) {
      if (c.report != 0 || !(c.cost < unassigned_cost)) continue;
      ++gated;
      if (cheaper(c, best)) best = &c;
    }
    if (!best) return;
    out.report_to_track[0] = best->track;
    out.clusters = 1;
    // The cluster's size counts a track gated twice once (a caller's list
    // may repeat one).
    int distinct = gated;
    if (gated > 1) {
      std::vector<int> tracks;
      tracks.reserve(gated);
      for (const Candidate& c : candidates)
        if (c.report == 0 && c.cost < unassigned_cost) tracks.push_back(c.track);
      std::sort(tracks.begin(), tracks.end());
      distinct = static_cast<int>(std::unique(tracks.begin(), tracks.end()) - tracks.begin());
    }
    out.largest_cluster = 1 + distinct;
    return;
  }
  const std::vector<std::vector<int>> clusters =
      cluster_candidates(candidates, n_reports, unassigned_cost);
  out.clusters = static_cast<int>(clusters.size());
  for (const std::vector<int>& cl : clusters) {
    if (cl.size() == 1) {
      const Candidate& c = candidates[cl[0]];
      out.report_to_track[c.report] = c.track;
      out.largest_cluster = std::max(out.largest_cluster, 2);
      continue;
    }
    std::vector<int> reports, tracks;
    for (int i : cl) {
      reports.push_back(candidates[i].report);
      tracks.push_back(candidates[i].track);
    }
    std::sort(reports.begin(), reports.end());
    reports.erase(std::unique(reports.begin(), reports.end()), reports.end());
    std::sort(tracks.begin(), tracks.end());
    tracks.erase(std::unique(tracks.begin(), tracks.end()), tracks.end());
    const int nr = static_cast<int>(reports.size()), nt = static_cast<int>(tracks.size());
    out.largest_cluster = std::max(out.largest_cluster, nr + nt);
    if (nr == 1) {
      // One report (every candidate is below the unassigned cost): the
      // optimum is its cheapest track, ties to the lowest key as the solver
      // breaks them.
      const Candidate* best = nullptr;
      for (int i : cl) {
        const Candidate& c = candidates[i];
        if (cheaper(c, best)) best = &c;
      }
      out.report_to_track[best->report] = best->track;
      continue;
    }
    // Columns: the tracks, then one private "unassigned" column per report.
    const double big = unassigned_cost * 4 + 1e6;
    Eigen::MatrixXd cost = Eigen::MatrixXd::Constant(nr, nt + nr, big);
    for (int r = 0; r < nr; ++r) cost(r, nt + r) = unassigned_cost;
    for (int i : cl) {
      const Candidate& c = candidates[i];
      const int r = static_cast<int>(std::lower_bound(reports.begin(), reports.end(), c.report) -
                                     reports.begin());
      const int t = static_cast<int>(std::lower_bound(tracks.begin(), tracks.end(), c.track) -
                                     tracks.begin());
      cost(r, t) = std::min(cost(r, t), c.cost);
    }
    const std::vector<int> a = solve_assignment(cost);
    for (int r = 0; r < nr; ++r)
      if (a[r] >= 0 && a[r] < nt && cost(r, a[r]) < unassigned_cost)
        out.report_to_track[reports[r]] = tracks[a[r]];
  }
}

}  // namespace skyfuse::association
