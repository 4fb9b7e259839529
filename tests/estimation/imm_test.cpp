#include "estimation/imm.hpp"

#include <gtest/gtest.h>

#include <Eigen/Cholesky>
#include <Eigen/LU>
#include <cmath>
#include <limits>
#include <numbers>
#include <random>

namespace skyfuse::estimation {
namespace {

StateCov initial_cov(double pos_sigma, double vel_sigma) {
  StateCov p = StateCov::Zero();
  p(0, 0) = p(1, 1) = pos_sigma * pos_sigma;
  p(2, 2) = p(3, 3) = vel_sigma * vel_sigma;
  p(4, 4) = p(5, 5) = 1;
  p(6, 6) = 1e-4;
  return p;
}

TEST(Imm, ConstantVelocityTargetGivesUnbiasedConsistentEstimates) {
  std::mt19937 rng(1);
  std::normal_distribution<double> n(0, 50);
  const Eigen::Vector2d v(150, -80);
  StateVec x0 = StateVec::Zero();
  Imm f(ImmParams{}, x0, initial_cov(50, 300));
  double nees_sum = 0;
  int nees_n = 0;
  Eigen::Vector2d v_sum = Eigen::Vector2d::Zero();
  for (int k = 1; k <= 200; ++k) {
    f.predict(4.0);
    const Eigen::Vector2d truth = v * (4.0 * k);
    f.update(Eigen::Vector2d(truth.x() + n(rng), truth.y() + n(rng)),
             Eigen::Matrix2d::Identity() * 2500.0);
    if (k > 20) {
      const Eigen::Vector2d e = f.state().head<2>() - truth;
      nees_sum += e.dot(f.covariance().topLeftCorner<2, 2>().inverse() * e);
      ++nees_n;
      v_sum += f.state().segment<2>(2);
    }
  }
  // Velocity: unbiased on average, and the last estimate within 4 sigma.
  EXPECT_NEAR(v_sum.x() / nees_n, 150, 1.0);
  EXPECT_NEAR(v_sum.y() / nees_n, -80, 1.0);
  EXPECT_NEAR(f.state()[2], 150, 4 * std::sqrt(f.covariance()(2, 2)));
  EXPECT_NEAR(f.state()[3], -80, 4 * std::sqrt(f.covariance()(3, 3)));
  // Position NEES averages the dimension (2) for a consistent filter; allow
  // the IMM's conservative mixing (lower) and sampling spread.
  const double nees = nees_sum / nees_n;
  EXPECT_GT(nees, 0.5);
  EXPECT_LT(nees, 3.0);
  EXPECT_GT(f.probabilities()[kCv], 0.5);  // straight flight: the CV model dominates
}

TEST(Imm, CoordinatedTurnModelTakesOverInA6DegPerSecondTurn) {
  std::mt19937 rng(2);
  std::normal_distribution<double> n(0, 20);
  const double speed = 150, w = 6 * std::numbers::pi / 180;  // left turn (counter-clockwise)
  StateVec x0 = StateVec::Zero();
  x0[2] = speed;
  Imm f(ImmParams{}, x0, initial_cov(20, 20));
  Eigen::Vector2d p(0, 0), v(speed, 0);
  const double dt = 1.0;
  double max_ct = 0, turn_err2 = 0;
  int turn_n = 0;
  for (int k = 0; k < 120; ++k) {
    const bool turning = k >= 40 && k < 70;
    if (turning) {  // exact constant-rate turn over dt
      const double c = std::cos(w * dt), s = std::sin(w * dt);
      p +=
          Eigen::Vector2d(s / w * v.x() - (1 - c) / w * v.y(), (1 - c) / w * v.x() + s / w * v.y());
      v = Eigen::Vector2d(c * v.x() - s * v.y(), s * v.x() + c * v.y());
    } else {
      p += v * dt;
    }
    f.predict(dt);
    f.update(Eigen::Vector2d(p.x() + n(rng), p.y() + n(rng)), Eigen::Matrix2d::Identity() * 400.0);
    if (turning && k > 45) {
      max_ct = std::max(max_ct, f.probabilities()[kCt]);
      turn_err2 += (f.state().head<2>() - p).squaredNorm();
      ++turn_n;
    }
  }
  EXPECT_GT(max_ct, 0.6);
  EXPECT_LT(std::sqrt(turn_err2 / turn_n), 30.0);  // within 1.5 sigma of the 20 m noise
  EXPECT_NEAR(std::hypot(f.state()[2], f.state()[3]), speed, 5);
}

TEST(Imm, NumericalFaultsAreCountedAndNeverPropagated) {
  StateVec x0 = StateVec::Zero();
  Imm f(ImmParams{}, x0, initial_cov(50, 100));
  f.predict(4);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  // A non-finite measurement covariance: the update is refused, counted.
  EXPECT_FALSE(f.update(Eigen::Vector2d(10, 10), Eigen::Matrix2d::Constant(nan)));
  EXPECT_GT(f.faults().singular_innovation, 0u);
  EXPECT_TRUE(f.state().allFinite());
  EXPECT_TRUE(f.covariance().allFinite());
  // A negative-definite measurement covariance making S indefinite: refused.
  EXPECT_FALSE(f.update(Eigen::Vector2d(10, 10), Eigen::Matrix2d::Identity() * -1e9));
  // An initial covariance that is not positive definite is repaired on predict.
  StateCov bad = initial_cov(50, 100);
  bad(0, 1) = bad(1, 0) = 1e7;  // |rho| > 1
  Imm g(ImmParams{}, x0, bad);
  g.predict(1);
  EXPECT_GT(g.faults().repaired_covariance, 0u);
  Eigen::LLT<StateCov> llt(g.covariance());
  EXPECT_EQ(llt.info(), Eigen::Success);
  EXPECT_TRUE(g.update(Eigen::Vector2d(0, 0), Eigen::Matrix2d::Identity() * 100));
  EXPECT_TRUE(g.state().allFinite());
}

TEST(VerticalFilter, EstimatesTheGeometricMinusPressureOffset) {
  std::mt19937 rng(3);
  std::normal_distribution<double> n(0, 1);
  const double offset = 137.0;  // geometric - pressure height
  VerticalFilter v(VerticalFilter::Params{}, 10000, 1e4, 0, 200 * 200);
  for (int k = 0; k < 300; ++k) {
    v.predict(1.0);
    const double h = 10000 + 5.0 * k;  // climbing 5 m/s
    if (k % 2 == 0) v.update_geometric(h + 15 * n(rng), 225);
    v.update_baro(h - offset + 8 * n(rng), 64);
  }
  EXPECT_NEAR(v.offset(), offset, 5);
  EXPECT_NEAR(v.rate(), 5.0, 0.5);
  EXPECT_NEAR(v.height(), 10000 + 5.0 * 299, 10);
}

TEST(VerticalFilter, HeightFromTwoRadarsPlanePositions) {
  // A 2-D plot placed at an assumed height h0 is displaced along the radar's
  // radial by J (h0 - h): two radars seeing the target from different sides
  // make the height observable. Hand-built linear case: J1 = (0.2, 0) and
  // J2 = (0, -0.25) per metre, truth 9000 m, prior 3000 +- 3000 m.
  VerticalFilter v(VerticalFilter::Params{}, 3000, 9e6, 0, 1e4);
  const double h_true = 9000;
  for (int k = 0; k < 20; ++k) {
    const Eigen::Vector2d j = k % 2 ? Eigen::Vector2d(0.2, 0) : Eigen::Vector2d(0, -0.25);
    const double h0 = v.height();
    const Eigen::Vector2d nu = j * (h0 - h_true);  // plot minus (exact) horizontal position
    const Eigen::Matrix2d s =
        j * j.transpose() * v.covariance()(0, 0) + Eigen::Matrix2d::Identity() * 100;
    v.update_from_plane(-j, s, nu);
  }
  EXPECT_NEAR(v.height(), h_true, 100);
}

}  // namespace
}  // namespace skyfuse::estimation
