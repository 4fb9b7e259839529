#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

#include "association/assignment.hpp"
#include "association/gnn.hpp"
#include "association/grid.hpp"

namespace skyfuse::association {
namespace {

TEST(GridIndex, QueryReturnsEveryKeyWithinTheRadius) {
  std::mt19937 rng(4);
  std::uniform_real_distribution<double> u(-50000, 50000);
  GridIndex g(5000);
  std::vector<Eigen::Vector2d> pts(2000);
  for (std::uint32_t k = 0; k < pts.size(); ++k) {
    pts[k] = {u(rng), u(rng)};
    g.set(k, pts[k]);
  }
  // Move half of them, erase a tenth: the index follows.
  for (std::uint32_t k = 0; k < pts.size(); k += 2) {
    pts[k] += Eigen::Vector2d(u(rng) / 10, u(rng) / 10);
    g.set(k, pts[k]);
  }
  std::set<std::uint32_t> erased;
  for (std::uint32_t k = 0; k < pts.size(); k += 10) {
    g.erase(k);
    erased.insert(k);
  }
  EXPECT_EQ(g.size(), pts.size() - erased.size());
  for (int q = 0; q < 200; ++q) {
    const Eigen::Vector2d c(u(rng), u(rng));
    std::set<std::uint32_t> got;
    g.query(c, 7000, [&](std::uint32_t k) { got.insert(k); });
    for (std::uint32_t k = 0; k < pts.size(); ++k) {
      const bool inside = (pts[k] - c).norm() <= 7000 && !erased.contains(k);
      if (inside) {
        EXPECT_TRUE(got.contains(k));
      }
      if (erased.contains(k)) {
        EXPECT_FALSE(got.contains(k));
      }
    }
  }
}

TEST(Gnn, OptimalAssignmentBeatsGreedyAndClustersSplit) {
  // Cluster 1 (reports 0, 1; tracks 10, 11): greedy would give report 0 its
  // best track 10 (cost 1) and leave report 1 with 11 (cost 9): total 10; the
  // optimum is 0->11 (3) + 1->10 (2) = 5.
  // Cluster 2 (report 2, track 20) is independent; report 3 gates nothing.
  const std::vector<Candidate> c = {
      {0, 10, 1.0}, {0, 11, 3.0}, {1, 10, 2.0}, {1, 11, 9.0}, {2, 20, 4.0},
  };
  const Association a = associate(c, 4, 16.0);
  EXPECT_EQ(a.report_to_track, (std::vector<int>{11, 10, 20, -1}));
  EXPECT_EQ(a.clusters, 2);
  EXPECT_EQ(a.largest_cluster, 4);
}

TEST(Gnn, LeavesAReportUnassignedWhenThatIsCheaper) {
  // One track, two reports: the second must not be forced onto it, and a
  // pair costing more than the unassigned cost is never taken.
  const std::vector<Candidate> c = {{0, 5, 2.0}, {1, 5, 3.0}, {2, 6, 20.0}};
  const Association a = associate(c, 3, 16.0);
  EXPECT_EQ(a.report_to_track, (std::vector<int>{5, -1, -1}));
}

// A cluster with one report is decided without the solver: the same track
// as the optimal assignment on the full cost matrix, ties included (costs
// drawn from a few values, repeated pairs, some above the unassigned cost).
TEST(Gnn, OneReportClustersAgreeWithTheAssignmentSolver) {
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> n_cand(2, 6), key(0, 9), level(0, 4);
  const double unassigned = 3.5;
  int checked = 0;
  for (int trial = 0; trial < 500; ++trial) {
    std::vector<Candidate> c;
    const int n = n_cand(rng);
    for (int k = 0; k < n; ++k) c.push_back({0, 100 + key(rng), 1.0 * level(rng)});
    const Association a = associate(c, 1, unassigned);
    // Reference: tracks sorted as columns, then the report's unassigned column.
    std::vector<int> tracks;
    for (const Candidate& x : c)
      if (x.cost < unassigned) tracks.push_back(x.track);
    std::sort(tracks.begin(), tracks.end());
    tracks.erase(std::unique(tracks.begin(), tracks.end()), tracks.end());
    const int nt = static_cast<int>(tracks.size());
    Eigen::MatrixXd cost = Eigen::MatrixXd::Constant(1, nt + 1, 1e9);
    cost(0, nt) = unassigned;
    for (const Candidate& x : c) {
      if (!(x.cost < unassigned)) continue;
      const auto t = std::lower_bound(tracks.begin(), tracks.end(), x.track) - tracks.begin();
      cost(0, t) = std::min(cost(0, t), x.cost);
    }
    const std::vector<int> s = solve_assignment(cost);
    const int expect = (s[0] >= 0 && s[0] < nt) ? tracks[s[0]] : -1;
    ASSERT_EQ(a.report_to_track[0], expect) << "trial " << trial;
    // One cluster of the report and its distinct gated tracks, or none.
    EXPECT_EQ(a.clusters, nt > 0 ? 1 : 0);
    EXPECT_EQ(a.largest_cluster, nt > 0 ? 1 + nt : 0);
    // The same as the report in a batch with an ungated second report.
    const Association b = associate(c, 2, unassigned);
    ASSERT_EQ(b.report_to_track[0], expect) << "trial " << trial;
    EXPECT_EQ(b.clusters, a.clusters);
    EXPECT_EQ(b.largest_cluster, a.largest_cluster);
    checked += nt > 1 ? 1 : 0;
  }
  EXPECT_GT(checked, 300);  // most trials had a real choice between tracks
}

}  // namespace
}  // namespace skyfuse::association
