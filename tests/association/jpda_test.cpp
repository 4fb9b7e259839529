// JPDA alone: marginals by hand enumeration, and the association of
// clusters from their marginals.
#include "association/jpda.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

namespace skyfuse::association {
namespace {

TEST(Jpda, MarginalsMatchHandEnumeration) {
  // One track, two gated reports with likelihood ratios l1 = 4, l2 = 1 and
  // Pd = 0.9. Joint events: none (0.1), r1 (0.9*4 = 3.6), r2 (0.9*1 = 0.9);
  // total 4.6.
  std::vector<std::vector<double>> l = {{4.0}, {1.0}};
  std::vector<std::vector<double>> beta;
  ASSERT_TRUE(jpda_marginals(l, 0.9, beta));
  EXPECT_NEAR(beta[0][0], 3.6 / 4.6, 1e-12);
  EXPECT_NEAR(beta[0][1], 0.9 / 4.6, 1e-12);
  EXPECT_NEAR(beta[0][2], 0.1 / 4.6, 1e-12);
  // Two tracks sharing one report: they cannot both take it.
  // Events: {-,-} 0.01, {r,-} 0.9*2*0.1 = 0.18, {-,r} 0.1*0.9*3 = 0.27; total 0.46.
  std::vector<std::vector<double>> l2 = {{2.0, 3.0}};
  ASSERT_TRUE(jpda_marginals(l2, 0.9, beta));
  EXPECT_NEAR(beta[0][0], 0.18 / 0.46, 1e-12);
  EXPECT_NEAR(beta[1][0], 0.27 / 0.46, 1e-12);
  EXPECT_NEAR(beta[0][1] + beta[0][0], 1.0, 1e-12);
}

TEST(Jpda, RefusesClustersBeyondTheEventBudget) {
  std::vector<std::vector<double>> l(9, std::vector<double>(9, 1.0));
  std::vector<std::vector<double>> beta;
  EXPECT_FALSE(jpda_marginals(l, 0.9, beta, 1000));
  EXPECT_EQ(beta.size(), 9u);
  EXPECT_DOUBLE_EQ(beta[0][9], 1.0);  // fallback: undetected
}

TEST(Jpda, AssignsTheMostProbableFeasiblePairsPerCluster) {
  // Cluster 1: reports 0 and 1, tracks 10 and 11, crossing: report 0 near
  // track 10 (cost 0.5) and nearer 11 than 1 is (cost 2 vs 9); report 1 near
  // track 11 (cost 1). Cluster 2: report 2 gated only with track 12, far
  // (cost 14).
  const std::vector<Candidate> c = {
      {0, 10, 0.5}, {0, 11, 2.0}, {1, 11, 1.0}, {1, 10, 9.0}, {2, 12, 14.0}};
  const std::vector<double> det(c.size(), 1e6);  // |S| [m^4]: sqrt 1,000 m^2
  Association a;
  associate_jpda(c, det, 3, JpdaParams{}, a);
  ASSERT_EQ(a.report_to_track.size(), 3u);
  EXPECT_EQ(a.report_to_track[0], 10);
  EXPECT_EQ(a.report_to_track[1], 11);
  EXPECT_EQ(a.clusters, 2);
  EXPECT_EQ(a.largest_cluster, 4);
  EXPECT_EQ(a.jpda_fallbacks, 0);
  // The likelihood ratio of report 2: exp(-7) / (2 pi 1000) / 1e-8 = 14.5;
  // beta = 0.9 * 14.5 / (0.1 + 0.9 * 14.5) = 0.99: assigned.
  EXPECT_EQ(a.report_to_track[2], 12);
  // In clutter 10,000 times denser: 0.0013 / 0.1013 = 0.013 < 0.2, unassigned.
  JpdaParams dense;
  dense.clutter_per_m2 = 1e-4;
  associate_jpda(c, det, 3, dense, a);
  EXPECT_EQ(a.report_to_track[2], -1);
}

TEST(Jpda, AClusterTooLargeToEnumerateFallsBackToGnn) {
  // 12 reports x 12 tracks all gated: far beyond the event budget.
  std::vector<Candidate> c;
  for (int r = 0; r < 12; ++r)
    for (int t = 0; t < 12; ++t) c.push_back({r, 100 + t, r == t ? 0.1 : 5.0 + r + t});
  const std::vector<double> det(c.size(), 1e6);
  Association a;
  associate_jpda(c, det, 12, JpdaParams{}, a);
  EXPECT_EQ(a.jpda_fallbacks, 1);
  for (int r = 0; r < 12; ++r) EXPECT_EQ(a.report_to_track[r], 100 + r);
}

}  // namespace
}  // namespace skyfuse::association
