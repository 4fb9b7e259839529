#include "estimation/imm.hpp"

#include <gtest/gtest.h>

#include <Eigen/Cholesky>
#include <Eigen/LU>
#include <cmath>
#include <limits>
#include <numbers>
#include <random>
#include <vector>

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

// Dense reference for one model's prediction, F P F' + Q, from the model
// definitions in imm.hpp (the filter applies F as sparse row and column
// operations; this is the textbook product).
StateCov dense_prediction(int m, const StateVec& x, const StateCov& p, double dt,
                          const ImmParams& prm) {
  StateCov f = StateCov::Identity(), q = StateCov::Zero();
  const double t = std::abs(dt);
  auto cwna = [&](double qd) {
    for (int axis = 0; axis < 2; ++axis) {
      q(axis, axis) += qd * t * t * t / 3;
      q(axis, axis + 2) += qd * t * t / 2;
      q(axis + 2, axis) += qd * t * t / 2;
      q(axis + 2, axis + 2) += qd * t;
    }
  };
  if (m == kCv) {
    f(0, 2) = f(1, 3) = dt;
    f(4, 4) = f(5, 5) = f(6, 6) = 0;
    cwna(prm.cv_accel_sigma_mps2 * prm.cv_accel_sigma_mps2);
    q(4, 4) = q(5, 5) = 1e-4;
    q(6, 6) = 1e-8;
  } else if (m == kCt) {
    const double w = x[6], vx = x[2], vy = x[3];
    const double s = std::sin(w * dt), c = std::cos(w * dt);
    f(0, 2) = s / w;
    f(0, 3) = -(1 - c) / w;
    f(1, 2) = (1 - c) / w;
    f(1, 3) = s / w;
    f(2, 2) = c;
    f(2, 3) = -s;
    f(3, 2) = s;
    f(3, 3) = c;
    f(4, 4) = f(5, 5) = 0;
    const double da = (dt * c * w - s) / (w * w), db = (dt * s * w - (1 - c)) / (w * w);
    f(0, 6) = da * vx - db * vy;
    f(1, 6) = db * vx + da * vy;
    f(2, 6) = -dt * s * vx - dt * c * vy;
    f(3, 6) = dt * c * vx - dt * s * vy;
    cwna(prm.ct_accel_sigma_mps2 * prm.ct_accel_sigma_mps2);
    q(4, 4) = q(5, 5) = 1e-4;
    q(6, 6) = prm.ct_turn_accel_sigma * prm.ct_turn_accel_sigma * t;
  } else {
    f(0, 2) = f(1, 3) = dt;
    f(0, 4) = f(1, 5) = 0.5 * dt * dt;
    f(2, 4) = f(3, 5) = dt;
    f(6, 6) = 0;
    const double qd = prm.ca_jerk_sigma_mps3 * prm.ca_jerk_sigma_mps3;
    const double t2 = t * t, t3 = t2 * t, t4 = t3 * t, t5 = t4 * t;
    const double mq[3][3] = {
        {t5 / 20, t4 / 8, t3 / 6}, {t4 / 8, t3 / 3, t2 / 2}, {t3 / 6, t2 / 2, t}};
    for (int axis = 0; axis < 2; ++axis)
      for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) q(axis + 2 * i, axis + 2 * j) += qd * mq[i][j];
    q(6, 6) = 1e-8;
  }
  return f * p * f.transpose() + q;
}

TEST(Imm, EachModelsPredictionAndUpdateEqualTheTextbookForms) {
  // With all probability on one model and no switching, mixing leaves that
  // model's estimate as it was: its prediction must be F P F' + Q for a
  // full, correlated covariance.
  std::mt19937 rng(5);
  std::normal_distribution<double> n(0, 1);
  for (int m : {kCv, kCt, kCa}) {
    ImmParams prm;
    prm.initial_probability = {0, 0, 0};
    prm.initial_probability[m] = 1;
    prm.sojourn_s = {1e12, 1e12, 1e12};
    StateVec x0;
    x0 << 1000, -2000, 180, 60, 1.5, -0.8, 0.05;
    if (m != kCa) x0.segment<2>(4).setZero();
    if (m != kCt) x0[6] = 0;
    Eigen::Matrix<double, kStateDim, kStateDim> a;
    for (int i = 0; i < kStateDim; ++i)
      for (int j = 0; j < kStateDim; ++j) a(i, j) = n(rng);
    // Correlated, with sigmas of a real track (100 m, 10 m/s, 1 m/s^2, 0.01 rad/s).
    StateVec sig;
    sig << 100, 100, 10, 10, 1, 1, 0.01;
    StateCov p0 = sig.asDiagonal() * (a * a.transpose() / kStateDim + StateCov::Identity()) *
                  sig.asDiagonal();
    // The model's held states carry no covariance with the others.
    for (int k = 0; k < kStateDim; ++k) {
      const bool held =
          (m == kCv && k >= 4) || (m == kCt && (k == 4 || k == 5)) || (m == kCa && k == 6);
      if (!held) continue;
      p0.row(k).setZero();
      p0.col(k).setZero();
      p0(k, k) = 1e-6;
    }
    Imm f(prm, x0, p0);
    const StateCov expected = dense_prediction(m, x0, p0, 2.5, prm);
    f.predict(2.5);
    for (int i = 0; i < kStateDim; ++i)
      for (int j = 0; j < kStateDim; ++j)
        EXPECT_NEAR(f.model_covariance(m)(i, j), expected(i, j),
                    1e-9 * (1 + std::abs(expected(i, j))))
            << "model " << m << " (" << i << "," << j << ")";
    // Then a position and velocity update against the Joseph form
    // (I - K H) P (I - K H)' + K R K' (the filter uses P - K S K').
    const StateVec xp = f.model_state(m);
    const StateCov pp = f.model_covariance(m);
    Eigen::Matrix<double, 4, kStateDim> h = Eigen::Matrix<double, 4, kStateDim>::Zero();
    for (int k = 0; k < 4; ++k) h(k, k) = 1;
    Eigen::Matrix4d r = Eigen::Matrix4d::Zero();
    r.diagonal() << 400, 400, 4, 4;
    r(0, 1) = r(1, 0) = 100;
    Eigen::Vector4d z;
    z << xp[0] + 30, xp[1] - 20, xp[2] + 1, xp[3] - 2;
    const Eigen::Matrix<double, kStateDim, 4> k =
        pp * h.transpose() * (h * pp * h.transpose() + r).inverse();
    const StateCov ikh = StateCov::Identity() - k * h;
    const StateCov p_joseph = ikh * pp * ikh.transpose() + k * r * k.transpose();
    const StateVec x_upd = xp + k * (z - h * xp);
    ASSERT_TRUE(f.update(z, r));
    for (int i = 0; i < kStateDim; ++i) {
      EXPECT_NEAR(f.model_state(m)[i], x_upd[i], 1e-9 * (1 + std::abs(x_upd[i]))) << "model " << m;
      for (int j = 0; j < kStateDim; ++j)
        EXPECT_NEAR(f.model_covariance(m)(i, j), p_joseph(i, j),
                    1e-9 * (1 + std::abs(p_joseph(i, j))))
            << "model " << m << " (" << i << "," << j << ")";
    }
  }
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
  // An initial covariance that is not positive definite is repaired (and
  // counted) before it is used.
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

// An initial covariance that couples acceleration and turn rate to position,
// updated before any prediction: each model holds the states it does not move
// from the start (as every prediction does), and updates the rest.
TEST(Imm, AnUpdateBeforeAnyPredictionHoldsEachModelsHeldStates) {
  StateCov p0 = initial_cov(50, 100);
  p0(0, 4) = p0(4, 0) = 20;   // x with ax
  p0(1, 6) = p0(6, 1) = 0.1;  // y with omega
  Imm f(ImmParams{}, StateVec::Zero(), p0);
  ASSERT_TRUE(f.update(Eigen::Vector2d(30, -20), Eigen::Matrix2d::Identity() * 400));
  for (int m : {kCv, kCt, kCa}) {
    const StateCov& p = f.model_covariance(m);
    const std::vector<int> held = m == kCv   ? std::vector<int>{4, 5, 6}
                                  : m == kCt ? std::vector<int>{4, 5}
                                             : std::vector<int>{6};
    for (int k : held)
      for (int j = 0; j < kStateDim; ++j)
        if (j != k) {
          EXPECT_EQ(p(k, j), 0.0) << "model " << m << " (" << k << "," << j << ")";
        }
    EXPECT_TRUE(p.allFinite());
    EXPECT_EQ(Eigen::LLT<StateCov>(p).info(), Eigen::Success) << "model " << m;
  }
  // The CA model keeps the position-acceleration coupling and moves ax.
  EXPECT_NE(f.model_covariance(kCa)(0, 4), 0.0);
  EXPECT_NE(f.model_state(kCa)[4], 0.0);
  EXPECT_EQ(f.faults().repaired_covariance + f.faults().non_finite, 0u);
}

}  // namespace
}  // namespace skyfuse::estimation
