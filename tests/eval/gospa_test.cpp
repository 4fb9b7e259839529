#include "eval/gospa.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>

namespace skyfuse::eval {
namespace {

// GOSPA straight from its definition (alpha = 2): the minimum over all partial
// assignments g of sum_g d^p + c^p / 2 (|X| + |Y| - 2 |g|), by enumeration.
double brute_gospa(const std::vector<Eigen::Vector3d>& x, const std::vector<Eigen::Vector3d>& y,
                   double c, double p) {
  double best = INFINITY;
  std::vector<char> used(y.size(), 0);
  std::function<void(std::size_t, double, int)> rec = [&](std::size_t i, double acc, int pairs) {
    if (i == x.size()) {
      best = std::min(best, acc + std::pow(c, p) / 2 *
                                      (static_cast<double>(x.size() + y.size()) - 2.0 * pairs));
      return;
    }
    rec(i + 1, acc, pairs);  // x_i unassigned
    for (std::size_t j = 0; j < y.size(); ++j) {
      if (used[j]) continue;
      used[j] = 1;
      rec(i + 1, acc + std::pow((x[i] - y[j]).norm(), p), pairs + 1);
      used[j] = 0;
    }
  };
  rec(0, 0, 0);
  return std::pow(best, 1 / p);
}

TEST(Gospa, EmptyAndTrivialCases) {
  const std::vector<Eigen::Vector3d> none;
  const std::vector<Eigen::Vector3d> one{{0, 0, 0}};
  EXPECT_EQ(gospa_step(none, none, {}).gospa_m, 0);
  // One missed object: c^p / 2 -> GOSPA = c / sqrt(2).
  const GospaStep m = gospa_step(one, none, {.cutoff_m = 1000});
  EXPECT_NEAR(m.gospa_m, 1000 / std::sqrt(2.0), 1e-9);
  EXPECT_NEAR(m.missed, 500000, 1e-6);
  EXPECT_NEAR(gospa_step(none, one, {.cutoff_m = 1000}).false_, 500000, 1e-6);
  // A pair 100 m apart: localisation 100^2.
  const std::vector<Eigen::Vector3d> shifted{{100, 0, 0}};
  const GospaStep l = gospa_step(one, shifted, {.cutoff_m = 1000});
  EXPECT_NEAR(l.gospa_m, 100, 1e-9);
  EXPECT_EQ(l.truth_to_track[0], 0);
  // Beyond the cut-off: a miss plus a false, not a pair.
  const std::vector<Eigen::Vector3d> far{{1500, 0, 0}};
  const GospaStep f = gospa_step(one, far, {.cutoff_m = 1000});
  EXPECT_EQ(f.n_assigned, 0);
  EXPECT_NEAR(f.gospa_m, 1000, 1e-9);
  EXPECT_NEAR(f.ospa_m, 1000, 1e-9);
}

TEST(Gospa, EqualsBruteForceOnRandomSmallCases) {
  std::mt19937_64 rng(5);
  std::uniform_int_distribution<int> count(0, 6);
  for (int trial = 0; trial < 2000; ++trial) {
    // Objects in a few clusters, so that the grid, the components and the
    // cut-off all matter; scale varies from tight to loose.
    const double scale = std::vector<double>{50, 400, 1500, 5000}[trial % 4];
    std::uniform_real_distribution<double> u(-scale, scale);
    std::vector<Eigen::Vector3d> x(count(rng)), y(count(rng));
    const Eigen::Vector3d base(4.2e6, 6.1e5, 4.7e6);  // ECEF-sized coordinates
    for (auto& v : x) v = base + Eigen::Vector3d(u(rng), u(rng), u(rng) * 0.2);
    for (auto& v : y) v = base + Eigen::Vector3d(u(rng), u(rng), u(rng) * 0.2);
    const double p = trial % 5 == 0 ? 1.0 : 2.0;
    const GospaConfig cfg{.cutoff_m = 1000, .p = p};
    const GospaStep g = gospa_step(x, y, cfg);
    ASSERT_NEAR(g.gospa_m, brute_gospa(x, y, 1000, p), 1e-9) << "trial " << trial;
    // The parts add up, and the assignment is consistent both ways.
    ASSERT_NEAR(std::pow(g.gospa_m, p), g.localisation + g.missed + g.false_, 1e-6);
    for (int i = 0; i < static_cast<int>(x.size()); ++i)
      if (g.truth_to_track[i] >= 0) {
        ASSERT_EQ(g.track_to_truth[g.truth_to_track[i]], i);
      }
  }
}

TEST(Gospa, OspaIsNormalisedByTheLargerSet) {
  const std::vector<Eigen::Vector3d> x{{0, 0, 0}, {10000, 0, 0}};
  const std::vector<Eigen::Vector3d> y{{30, 40, 0}};
  const GospaStep g = gospa_step(x, y, {.cutoff_m = 1000});
  EXPECT_NEAR(g.ospa_m, std::sqrt((50.0 * 50 + 1000.0 * 1000) / 2), 1e-9);
  EXPECT_NEAR(g.gospa_m, std::sqrt(50.0 * 50 + 1000.0 * 1000 / 2), 1e-9);
}

}  // namespace
}  // namespace skyfuse::eval
