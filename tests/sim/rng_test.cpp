#include "sim/rng.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace skyfuse::sim {
namespace {

TEST(Rng, SameSeedSameStreamDifferentSeedDifferentStream) {
  Rng a(42), b(42), c(43);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const auto x = a.next();
    EXPECT_EQ(x, b.next());
    differs |= x != c.next();
  }
  EXPECT_TRUE(differs);
  EXPECT_NE(Rng::derive(1, "radar:a"), Rng::derive(1, "radar:b"));
  EXPECT_NE(Rng::derive(1, "radar:a"), Rng::derive(2, "radar:a"));
}

TEST(Rng, DistributionMoments) {
  Rng rng(9);
  constexpr int kN = 200000;
  double s = 0, s2 = 0, u = 0;
  for (int i = 0; i < kN; ++i) {
    const double x = rng.normal();
    s += x;
    s2 += x * x;
    u += rng.uniform();
  }
  EXPECT_NEAR(s / kN, 0, 0.01);
  EXPECT_NEAR(s2 / kN, 1, 0.015);
  EXPECT_NEAR(u / kN, 0.5, 0.005);
  for (double lambda : {0.5, 3.0, 75.0}) {
    double sum = 0, sq = 0;
    for (int i = 0; i < 20000; ++i) {
      const double k = rng.poisson(lambda);
      sum += k;
      sq += k * k;
    }
    const double mean = sum / 20000, var = sq / 20000 - mean * mean;
    EXPECT_NEAR(mean, lambda, 0.05 * lambda + 0.02) << lambda;
    EXPECT_NEAR(var, lambda, 0.08 * lambda + 0.03) << lambda;  // Poisson: variance = mean
  }
}

}  // namespace
}  // namespace skyfuse::sim
