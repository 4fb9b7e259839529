#include "association/assignment.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>

namespace skyfuse::association {
namespace {

double cost_of(const Eigen::MatrixXd& c, const std::vector<int>& a) {
  double s = 0;
  for (int i = 0; i < static_cast<int>(a.size()); ++i)
    if (a[i] >= 0) s += c(i, a[i]);
  return s;
}

// Brute force: every injective map of the smaller side into the larger.
double brute_force(const Eigen::MatrixXd& c) {
  const bool wide = c.rows() <= c.cols();
  const Eigen::MatrixXd m = wide ? c : Eigen::MatrixXd(c.transpose());
  std::vector<int> cols(m.cols());
  std::iota(cols.begin(), cols.end(), 0);
  double best = INFINITY;
  do {
    double s = 0;
    for (int i = 0; i < m.rows(); ++i) s += m(i, cols[i]);
    best = std::min(best, s);
  } while (std::next_permutation(cols.begin(), cols.end()));
  return best;
}

TEST(Assignment, HandExample) {
  Eigen::MatrixXd c(2, 3);
  c << 4, 1, 3, 2, 0, 5;
  EXPECT_EQ(solve_assignment(c), (std::vector<int>{1, 0}));
  Eigen::MatrixXd t = c.transpose();
  EXPECT_EQ(solve_assignment(t), (std::vector<int>{1, 0, -1}));
}

TEST(Assignment, MatchesBruteForceOnRandomRectangularMatrices) {
  std::mt19937_64 rng(1);
  std::uniform_int_distribution<int> dim(1, 6);
  std::uniform_real_distribution<double> u(0, 100);
  for (int trial = 0; trial < 3000; ++trial) {
    Eigen::MatrixXd c(dim(rng), dim(rng));
    for (int i = 0; i < c.size(); ++i)
      c.data()[i] = trial % 3 == 0 ? std::floor(u(rng) / 20) : u(rng);
    const std::vector<int> a = solve_assignment(c);
    ASSERT_EQ(a.size(), static_cast<std::size_t>(c.rows()));
    std::vector<int> used;
    for (int j : a)
      if (j >= 0) used.push_back(j);
    std::sort(used.begin(), used.end());
    ASSERT_EQ(std::adjacent_find(used.begin(), used.end()), used.end());
    ASSERT_EQ(used.size(), static_cast<std::size_t>(std::min(c.rows(), c.cols())));
    ASSERT_NEAR(cost_of(c, a), brute_force(c), 1e-9) << c;
  }
}

}  // namespace
}  // namespace skyfuse::association
