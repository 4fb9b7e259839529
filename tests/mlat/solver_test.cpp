#include "mlat/solver.hpp"

#include <gtest/gtest.h>

#include <Eigen/LU>
#include <cmath>
#include <cstdio>
#include <random>

#include "geo/wgs84.hpp"
#include "mlat/propagation.hpp"

namespace skyfuse::mlat {
namespace {

constexpr double c = kSpeedOfLight;

// Receivers on the tangent plane of a local frame (so the geometry is exactly
// planar), the emitter at `h` above the frame's origin; arrival times are the
// straight-line distances over c, computed here, not by the code under test.
struct Geometry {
  geo::LocalFrame frame{GeodeticPosition{47.0, 8.0, 0.0}};
  std::vector<Eigen::Vector3d> enu;
  Eigen::Vector3d emitter_enu;

  SolverInput input(double sigma_t_s, std::optional<double> alt_sigma_m) const {
    SolverInput in;
    const Eigen::Vector3d x = frame.enu_to_ecef(emitter_enu);
    in.toa_s.resize(static_cast<Eigen::Index>(enu.size()));
    for (std::size_t k = 0; k < enu.size(); ++k) {
      const Eigen::Vector3d r = frame.enu_to_ecef(enu[k]);
      in.receiver_ecef_m.push_back(r);
      in.receiver_h_m.push_back(frame.reverse(enu[k]).alt_m);
      in.receiver_ids.push_back(static_cast<ReceiverId>(k + 1));
      in.toa_s(static_cast<Eigen::Index>(k)) = 0.001 + (x - r).norm() / c;
    }
    const auto n = static_cast<Eigen::Index>(enu.size());
    in.toa_cov_s2 = Eigen::MatrixXd::Identity(n, n) * sigma_t_s * sigma_t_s;
    if (alt_sigma_m) in.altitude = AltitudeAid{frame.reverse(emitter_enu).alt_m, *alt_sigma_m};
    return in;
  }
  Eigen::Vector3d truth_ecef() const { return frame.enu_to_ecef(emitter_enu); }
};

constexpr double kR = 50e3, kH = 10e3;

Geometry ring(bool centre) {
  Geometry g;
  g.enu = {{kR, 0, 0}, {0, kR, 0}, {-kR, 0, 0}, {0, -kR, 0}};
  if (centre) g.enu.push_back({0, 0, 0});
  g.emitter_enu = {0, 0, kH};
  return g;
}

SolverConfig vacuum() {
  SolverConfig cfg;
  cfg.refraction = false;
  return cfg;
}

TEST(Solver, LocatesExactTimesOfArrival) {
  const Geometry g = ring(true);
  const SolveResult r = solve(g.input(100e-9, std::nullopt), vacuum());
  ASSERT_EQ(r.flag, FixFlag::kOk);
  EXPECT_LT((r.solution.ecef_m - g.truth_ecef()).norm(), 1e-3);
  EXPECT_NEAR(r.solution.emit_m, c * 0.001, 1e-3);
  EXPECT_EQ(r.used.size(), 5u);
  EXPECT_NEAR(r.solution.chi2, 0.0, 1e-6);
  EXPECT_EQ(r.solution.dof, 1);
}

TEST(Solver, OffCentreEmitterFromAnyStart) {
  Geometry g = ring(true);
  g.emitter_enu = {-70e3, 35e3, 11e3};  // outside the ring
  const SolveResult r = solve(g.input(100e-9, 30.0), vacuum());
  ASSERT_TRUE(has_position(r.flag));
  EXPECT_LT((r.solution.ecef_m - g.truth_ecef()).norm(), 0.5);
}

TEST(Solver, GdopMatchesHandDerivation) {
  // Ring of 4 + centre, emitter above the centre. Rows of H: ring
  // (-R cos t / rho, -R sin t / rho, h / rho, 1), centre (0, 0, 1, 1):
  // H^T H = diag(2R^2/rho^2, 2R^2/rho^2, [[4h^2/rho^2 + 1, 4h/rho + 1], [., 5]]).
  const Geometry g = ring(true);
  const SolverInput in = g.input(100e-9, std::nullopt);
  const double rho = std::hypot(kR, kH);
  const double a = 4 * kH * kH / (rho * rho) + 1, b = 4 * kH / rho + 1;
  const double expected = std::sqrt(rho * rho / (kR * kR) + (a + 5) / (5 * a - b * b));
  const std::vector<int> all = {0, 1, 2, 3, 4};
  EXPECT_NEAR(gdop(in, all, g.truth_ecef()), expected, 1e-6 * expected);
}

TEST(Solver, CovarianceMatchesHandDerivation) {
  // Ring of 4 with an altitude aid: the horizontal block decouples, and each
  // horizontal variance is sigma_r^2 rho^2 / (2 R^2).
  const Geometry g = ring(false);
  const double sigma_t = 100e-9;
  const SolveResult r = solve(g.input(sigma_t, 20.0), vacuum());
  ASSERT_TRUE(has_position(r.flag));
  const double rho = std::hypot(kR, kH);
  const double expected = c * c * sigma_t * sigma_t * rho * rho / (2 * kR * kR);
  EXPECT_NEAR(r.cov_enu_m2(0, 0), expected, 0.01 * expected);
  EXPECT_NEAR(r.cov_enu_m2(1, 1), expected, 0.01 * expected);
  EXPECT_NEAR(r.cov_enu_m2(0, 1), 0.0, 0.01 * expected);
  // The same from the Cramer-Rao function at the truth.
  const std::vector<int> all = {0, 1, 2, 3};
  const auto crb = cramer_rao_bound(g.input(sigma_t, 20.0), all, g.truth_ecef(), false);
  ASSERT_TRUE(crb);
  const Eigen::Matrix3d enu = ecef_cov_to_enu(crb->topLeftCorner<3, 3>(), g.frame.origin());
  EXPECT_NEAR(enu(0, 0), expected, 0.01 * expected);
}

TEST(Solver, CovarianceIsHonestMonteCarlo) {
  Geometry g = ring(true);
  g.emitter_enu = {20e3, -15e3, 10e3};
  const double sigma_t = 100e-9;
  std::mt19937_64 rng(42);
  std::normal_distribution<double> noise(0.0, sigma_t);
  std::normal_distribution<double> alt_noise(0.0, 30.0);
  const int n = 300;
  int inside = 0, ok = 0;
  double sum_m2 = 0;
  for (int i = 0; i < n; ++i) {
    SolverInput in = g.input(sigma_t, 30.0);
    for (Eigen::Index k = 0; k < in.toa_s.size(); ++k) in.toa_s(k) += noise(rng);
    in.altitude->height_m += alt_noise(rng);
    const SolveResult r = solve(in, vacuum());
    if (r.flag != FixFlag::kOk) continue;
    ++ok;
    const Eigen::Matrix3d rot = geo::ecef_to_enu_rotation(r.position.lat_deg, r.position.lon_deg);
    const Eigen::Vector2d e = (rot * (r.solution.ecef_m - g.truth_ecef())).head<2>();
    const double m2 = e.dot(r.cov_enu_m2.topLeftCorner<2, 2>().inverse() * e);
    sum_m2 += m2;
    inside += m2 <= 4.0 ? 1 : 0;
  }
  // The chi-square test rejects ~0.1 %; drop-one keeps almost all as ok.
  EXPECT_GT(ok, n * 95 / 100);
  const double share = static_cast<double>(inside) / ok;  // 1 - exp(-2) = 0.865 expected
  EXPECT_GT(share, 0.80);
  EXPECT_LT(share, 0.92);
  EXPECT_NEAR(sum_m2 / ok, 2.0, 0.35);  // E[chi2(2)] = 2
  std::printf("  %d of %d ok, %.1f %% inside the 2-sigma ellipse, mean m2 %.2f\n", ok, n,
              100.0 * share, sum_m2 / ok);
}

TEST(Solver, DegenerateGeometryIsFlagged) {
  // Ring of 4 at equal elevation, no altitude: height and emission time are
  // indistinguishable (H^T H singular).
  const Geometry g = ring(false);
  const SolveResult r = solve(g.input(100e-9, std::nullopt), vacuum());
  EXPECT_EQ(r.flag, FixFlag::kBadGeometry) << to_string(r.flag);
  const std::vector<int> all = {0, 1, 2, 3};
  EXPECT_TRUE(std::isinf(gdop(g.input(100e-9, std::nullopt), all, g.truth_ecef())));
}

TEST(Solver, MirrorAmbiguityIsFlagged) {
  // Three receivers on a line with an altitude aid: the mirror image across
  // the line fits exactly as well.
  Geometry g;
  g.enu = {{-60e3, 0, 0}, {0, 0, 0}, {60e3, 0, 0}};
  g.emitter_enu = {10e3, 40e3, 10e3};
  const SolveResult r = solve(g.input(100e-9, 30.0), vacuum());
  EXPECT_NE(r.flag, FixFlag::kOk) << to_string(r.flag);
}

TEST(Solver, TooFewReceivers) {
  Geometry g;
  g.enu = {{-60e3, 0, 0}, {60e3, 0, 0}};
  g.emitter_enu = {0, 30e3, 10e3};
  EXPECT_EQ(solve(g.input(100e-9, 30.0), vacuum()).flag, FixFlag::kTooFewReceivers);
  g.enu.push_back({0, 60e3, 0});
  EXPECT_EQ(solve(g.input(100e-9, std::nullopt), vacuum()).flag, FixFlag::kTooFewReceivers);
}

TEST(Solver, DropsOneOutlierReceiver) {
  Geometry g = ring(true);
  g.enu.push_back({35e3, 35e3, 0});
  g.emitter_enu = {10e3, 5e3, 10e3};
  SolverInput in = g.input(100e-9, 30.0);
  in.toa_s(2) += 3e-6;  // receiver 3: a 900 m timing error
  const SolveResult r = solve(in, vacuum());
  ASSERT_EQ(r.flag, FixFlag::kOk);
  EXPECT_EQ(r.used.size(), 5u);
  EXPECT_EQ(std::count(r.used.begin(), r.used.end(), 2), 0);
  EXPECT_LT((r.solution.ecef_m - g.truth_ecef()).norm(), 1.0);
}

TEST(Solver, InconsistentWhenNoSubsetFits) {
  Geometry g = ring(true);
  g.enu.push_back({35e3, 35e3, 0});
  g.emitter_enu = {10e3, 5e3, 10e3};
  SolverInput in = g.input(100e-9, 30.0);
  in.toa_s(1) += 3e-6;
  in.toa_s(3) -= 2e-6;  // two bad receivers: dropping one is not enough
  EXPECT_EQ(solve(in, vacuum()).flag, FixFlag::kInconsistent);
}

TEST(Solver, FastHeightAgreesWithGeographicLib) {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> lat(-89, 89), lon(-180, 180), h(-500, 25000);
  for (int i = 0; i < 2000; ++i) {
    const GeodeticPosition p{lat(rng), lon(rng), h(rng)};
    EXPECT_NEAR(fast_height(geo::geodetic_to_ecef(p)), p.alt_m, 0.3) << p.lat_deg;
  }
}

TEST(Solver, Chi2ThresholdMatchesTables) {
  // chi-square 0.999 quantiles (any statistics table); Wilson-Hilferty is a
  // few per cent high out there, i.e. slightly lenient.
  EXPECT_NEAR(chi2_threshold(1, 3.0902), 10.83, 0.04 * 10.83);
  EXPECT_NEAR(chi2_threshold(2, 3.0902), 13.82, 0.03 * 13.82);
  EXPECT_NEAR(chi2_threshold(5, 3.0902), 20.52, 0.02 * 20.52);
  EXPECT_NEAR(chi2_threshold(20, 3.0902), 45.31, 0.01 * 45.31);
}

TEST(Solver, RefractionLengthensTheFlightTime) {
  // 150 km to an aircraft at 10 km from a receiver at 400 m: ~1e-4 excess.
  const geo::LocalFrame f({47, 8, 0});
  const Eigen::Vector3d a = f.enu_to_ecef({150e3, 0, 10e3}), r = f.enu_to_ecef({0, 0, 400});
  const double vac = flight_time_s(a, 10e3, r, 400, false);
  const double ref = flight_time_s(a, 10e3, r, 400, true);
  EXPECT_NEAR(vac, (a - r).norm() / c, 1e-15);
  EXPECT_GT((ref - vac) * c, 10.0);
  EXPECT_LT((ref - vac) * c, 40.0);
}

}  // namespace
}  // namespace skyfuse::mlat
