// Registration: the least-squares fit of range offset, range gain, azimuth
// offset and time offset, on residuals made from a flat-earth geometry written
// here independently of the model (a target flying straight, measured at its
// true time, stamped `time_s` later and compared with where it is at the
// stamp), and the fit check.
#include "tracking/registration.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <random>

namespace skyfuse::tracking {
namespace {

constexpr double kSigmaRange = 40;        // m
constexpr double kSigmaAzimuth = 0.0014;  // rad (0.08 deg)

struct Truth {
  double range_m = 0, gain_ppm = 0, azimuth_rad = 0, time_s = 0;
  double noise_factor = 1;  // actual noise / stated sigma
  // An extra range error (m) as a function of range and height (a model the
  // fit cannot represent).
  double (*extra)(double r, double h) = nullptr;
};

double azimuth_of(double x, double y) { return std::atan2(x, y); }  // from north, clockwise

// n residual pairs of targets at 20-180 km, 1-12 km high, 150-250 m/s in any
// direction.
Registration run(const Truth& tr, int n, unsigned seed, RegistrationConfig cfg = {}) {
  cfg.memory_samples = 1e12;  // no forgetting: the estimates are plain least squares
  Registration reg(cfg);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> ur(20e3, 180e3), uaz(-std::numbers::pi, std::numbers::pi),
      uh(1e3, 12e3), uv(150, 250);
  std::normal_distribution<double> nr(0, kSigmaRange * tr.noise_factor),
      na(0, kSigmaAzimuth * tr.noise_factor);
  for (int k = 0; k < n; ++k) {
    const double r0 = ur(rng), az0 = uaz(rng), h = uh(rng), speed = uv(rng), heading = uaz(rng);
    // Ground positions (2-D; the height only enters the "extra" error).
    const double x0 = r0 * std::sin(az0), y0 = r0 * std::cos(az0);
    const double vx = speed * std::sin(heading), vy = speed * std::cos(heading);
    // True detection at time 0; its stamp is time_s later.
    const double r_true = std::hypot(x0, y0), az_true = azimuth_of(x0, y0);
    const double r_meas = r_true * (1 + tr.gain_ppm * 1e-6) + tr.range_m + nr(rng) +
                          (tr.extra ? tr.extra(r_true, h) : 0);
    const double az_meas = az_true + tr.azimuth_rad + na(rng);
    // The reference at the stamp, and one second later (its rates).
    const double ts = tr.time_s;
    const double xs = x0 + vx * ts, ys = y0 + vy * ts;
    const double x1 = xs + vx, y1 = ys + vy;
    RegistrationSample s;
    s.range_m = std::hypot(xs, ys);
    s.range_rate_mps = std::hypot(x1, y1) - s.range_m;
    s.azimuth_rate_radps =
        std::remainder(azimuth_of(x1, y1) - azimuth_of(xs, ys), 2 * std::numbers::pi);
    s.height_above_site_m = h;
    s.d_range_m = r_meas - s.range_m;
    s.d_azimuth_rad = std::remainder(az_meas - azimuth_of(xs, ys), 2 * std::numbers::pi);
    s.var_range_m2 = kSigmaRange * kSigmaRange;
    s.var_azimuth_rad2 = kSigmaAzimuth * kSigmaAzimuth;
    reg.add(3, s);
  }
  return reg;
}

// Each estimate within 4 standard errors of the truth, and the standard errors
// small enough for that to mean something.
void expect_recovers(const RadarBias& b, const Truth& t) {
  EXPECT_NEAR(b.range_m, t.range_m, 4 * b.sigma_range_m);
  EXPECT_NEAR(b.gain_ppm, t.gain_ppm, 4 * b.sigma_gain_ppm);
  EXPECT_NEAR(b.azimuth_rad, t.azimuth_rad, 4 * b.sigma_azimuth_rad);
  EXPECT_NEAR(b.time_s, t.time_s, 4 * b.sigma_time_s);
  EXPECT_LT(b.sigma_range_m, 5.0);
  EXPECT_LT(b.sigma_gain_ppm, 50.0);
  EXPECT_LT(b.sigma_azimuth_rad, 1e-4);
  EXPECT_LT(b.sigma_time_s, 0.02);
  EXPECT_TRUE(b.model_fits) << "chi2/dof " << b.chi2_dof << " trend " << b.trend_chi2;
  EXPECT_GT(b.chi2_dof, 0.85);
  EXPECT_LT(b.chi2_dof, 1.15);
}

TEST(Registration, NeedsMinimumSamplesBeforeCorrections) {
  Truth t;
  t.range_m = 35;
  RegistrationConfig cfg;
  cfg.min_samples = 40;
  Registration reg = run(t, 39, 1, cfg);
  EXPECT_FALSE(reg.bias(3).has_value());  // 39 < 40
  ASSERT_TRUE(reg.raw(3).has_value());
  EXPECT_EQ(reg.raw(3)->samples, 39);
  EXPECT_FALSE(reg.bias(4).has_value());  // another radar: nothing
}

TEST(Registration, NoBiasGivesZerosWithinTheirErrors) {
  const Truth t;
  const auto b = run(t, 2000, 2).bias(3);
  ASSERT_TRUE(b.has_value());
  expect_recovers(*b, t);
  // Gain and time offset not shown by the data (within 4 standard errors of
  // 0): held at 0, so they do not move noise into the offsets.
  EXPECT_EQ(b->gain_ppm, 0);
  EXPECT_EQ(b->time_s, 0);
}

TEST(Registration, OffsetsOnly) {
  Truth t;
  t.range_m = 35;
  t.azimuth_rad = 0.001;
  const auto b = run(t, 2000, 3).bias(3);
  ASSERT_TRUE(b.has_value());
  expect_recovers(*b, t);
}

TEST(Registration, GainOnly) {
  Truth t;
  t.gain_ppm = 400;  // 40 m at 100 km
  const auto b = run(t, 2000, 4).bias(3);
  ASSERT_TRUE(b.has_value());
  expect_recovers(*b, t);
  EXPECT_NEAR(b->gain_ppm, 400, 40);  // within 10 %
}

TEST(Registration, TimeOffsetOnlyWithTheSignOfLateStamps) {
  Truth t;
  t.time_s = 0.5;  // stamps 0.5 s late: up to 125 m along track
  const auto b = run(t, 2000, 5).bias(3);
  ASSERT_TRUE(b.has_value());
  expect_recovers(*b, t);
  EXPECT_NEAR(b->time_s, 0.5, 0.05);
}

TEST(Registration, AllFourTogether) {
  Truth t;
  t.range_m = -30;
  t.gain_ppm = 600;
  t.azimuth_rad = -0.0015;
  t.time_s = -0.3;
  const auto b = run(t, 3000, 6).bias(3);
  ASSERT_TRUE(b.has_value());
  expect_recovers(*b, t);
  // The range correction at 100 km: -30 + 60 = 30 m.
  EXPECT_NEAR(b->range_correction_m(100e3), 30, 3);
}

TEST(Registration, WithoutRangeSpreadTheGainStaysAtItsPrior) {
  // Every plot at 100 km: offset and gain cannot be separated; the prior
  // keeps the gain near 0 and the offset takes the error there.
  RegistrationConfig cfg;
  cfg.memory_samples = 1e12;
  Registration reg(cfg);
  std::mt19937 rng(7);
  std::normal_distribution<double> nr(0, kSigmaRange), na(0, kSigmaAzimuth);
  for (int k = 0; k < 2000; ++k) {
    RegistrationSample s;
    s.range_m = 100e3;
    s.range_rate_mps = 0;  // tangential flight: no time information in range
    s.azimuth_rate_radps = 0;
    s.height_above_site_m = 8000;
    s.d_range_m = 30 + nr(rng);
    s.d_azimuth_rad = na(rng);
    s.var_range_m2 = kSigmaRange * kSigmaRange;
    s.var_azimuth_rad2 = kSigmaAzimuth * kSigmaAzimuth;
    reg.add(3, s);
  }
  const auto b = reg.bias(3);
  ASSERT_TRUE(b.has_value());
  // The full fit splits 30 m between b (prior 1000 m) and 0.1 g (prior
  // 1000 ppm) as b = 30 / 1.01, g = 0.1 b = 3 ppm: far within the gain's
  // standard error (the prior's), so the gain is held at 0 and b takes 30 m.
  EXPECT_NEAR(b->range_m, 30, 4 * kSigmaRange / std::sqrt(2000.0));
  EXPECT_EQ(b->gain_ppm, 0);
  EXPECT_NEAR(b->sigma_gain_ppm, 1000, 10);  // the prior's: the data says nothing
  EXPECT_NEAR(b->time_s, 0, 1e-9);           // no motion: no information
  EXPECT_NEAR(b->sigma_time_s, 2, 1e-6);
  EXPECT_NEAR(b->range_correction_m(100e3), 30, 3);
}

TEST(Registration, RangeTrendTheModelCannotFitIsFlagged) {
  // A refraction-model mismatch: the range error grows with range x height
  // (30 m at 100 km and 10 km), which neither offset nor gain represents.
  Truth t;
  t.extra = [](double r, double h) { return 30 * (r / 100e3) * (h / 10e3); };
  const auto b = run(t, 2000, 8).bias(3);
  ASSERT_TRUE(b.has_value());
  EXPECT_FALSE(b->model_fits) << "trend chi2 " << b->trend_chi2;
  EXPECT_GT(b->trend_chi2, 30);
}

TEST(Registration, NoiseWiderThanStatedIsFlagged) {
  Truth t;
  t.range_m = 20;
  t.noise_factor = 2;  // chi2/dof about 4
  const auto b = run(t, 2000, 9).bias(3);
  ASSERT_TRUE(b.has_value());
  EXPECT_FALSE(b->model_fits);
  EXPECT_NEAR(b->chi2_dof, 4, 0.4);
  EXPECT_NEAR(b->range_m, 20, 4 * 2 * b->sigma_range_m);  // still unbiased
}

TEST(Registration, BadSamplesAreIgnored) {
  Registration reg;
  RegistrationSample s;
  s.range_m = 50e3;
  s.d_range_m = std::nan("");
  s.var_range_m2 = 1600;
  s.var_azimuth_rad2 = 1e-6;
  reg.add(3, s);
  s.d_range_m = 10;
  s.var_range_m2 = 0;
  reg.add(3, s);
  s.var_range_m2 = 1600;
  s.range_rate_mps = std::numeric_limits<double>::infinity();
  reg.add(3, s);
  EXPECT_FALSE(reg.raw(3).has_value());
}

}  // namespace
}  // namespace skyfuse::tracking
