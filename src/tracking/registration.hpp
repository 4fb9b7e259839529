// File: tracking/registration.hpp
//
// Online radar registration: each radar's systematic errors estimated from its
// plots of aircraft that ADS-B (or MLAT) positions independently (the
// reference tracks). Per residual pair, measured - predicted (range, azimuth)
// of the reference at the plot's time stamp, the model is
//
//   d_range   = b + g r - dt v_r        (b range offset [m], g range gain,
//   d_azimuth = a       - dt w           a azimuth offset [rad], dt time
//                                        offset [s]: plots stamped late)
//
// with r the predicted range, v_r its rate and w the azimuth rate (from the
// reference's velocity). A weighted least-squares fit per radar with
// exponential forgetting (normal equations, 4x4) and weak zero-mean priors, so
// a parameter the geometry cannot separate (the gain without range spread, the
// time offset without motion) stays near 0 instead of taking the noise. The
// fit is checked: chi-square per degree of freedom of the residuals after it
// (normalised by their sigmas), and a trend left in the range residuals
// (terms in r^2 and r x height, as a refraction-model mismatch leaves). Either
// too large: `model_fits` false.
//
//   Registration reg;
//   reg.add(sensor, {.range_m = r, .d_range_m = dr, .var_range_m2 = vr, ...});
//   if (auto b = reg.bias(sensor)) corrected_range -= b->range_correction_m(range);
#pragma once

#include <Eigen/Core>
#include <map>
#include <optional>

#include "core/types.hpp"

namespace skyfuse::tracking {

struct RegistrationConfig {
  double memory_samples = 3000.0;  // effective residual pairs (exponential forgetting)
  int min_samples = 40;            // before corrections are applied
  // Zero-mean priors (1 sigma) of the four parameters.
  double prior_range_m = 1000.0;
  double prior_gain_ppm = 1000.0;
  double prior_azimuth_rad = 0.1;
  double prior_time_s = 2.0;
  // Fit check: residuals do not fit the model when their chi-square per
  // degree of freedom after the fit exceeds this ...
  double max_chi2_dof = 3.0;
  // ... or when the range trend terms (r^2, r x height) reduce the chi-square
  // by more than this and by more than `trend_share` per residual pair (a
  // trend of sqrt(trend_share) range sigmas RMS).
  double trend_chi2 = 30.0;
  double trend_share = 0.05;
};

// One residual pair and its geometry.
struct RegistrationSample {
  double range_m = 0;              // predicted slant range of the reference
  double range_rate_mps = 0;       // its rate
  double azimuth_rate_radps = 0;   // the reference's azimuth rate
  double height_above_site_m = 0;  // the reference's height above the radar
  double d_range_m = 0;            // measured - predicted
  double var_range_m2 = 0;         // plot + reference variance
  double d_azimuth_rad = 0;
  double var_azimuth_rad2 = 0;
};

struct RadarBias {
  double range_m = 0;      // range offset b
  double gain_ppm = 0;     // range gain g (1e-6)
  double azimuth_rad = 0;  // azimuth offset a
  double time_s = 0;       // time offset dt: the plots' stamps are late by this
  // Standard errors of the estimates.
  double sigma_range_m = 0;
  double sigma_gain_ppm = 0;
  double sigma_azimuth_rad = 0;
  double sigma_time_s = 0;
  // Fit check.
  double chi2_dof = 0;     // residuals after the fit, chi-square per degree of freedom
  double trend_chi2 = 0;   // chi-square reduction by the range trend terms
  bool model_fits = true;  // both within the configured limits
  long samples = 0;

  // The systematic range error at range r: measured = true + this.
  double range_correction_m(double r) const { return range_m + gain_ppm * 1e-6 * r; }
  // The residual pair the model expects for a sample's geometry.
  double expected_d_range_m(const RegistrationSample& s) const {
    return range_correction_m(s.range_m) - time_s * s.range_rate_mps;
  }
  double expected_d_azimuth_rad(const RegistrationSample& s) const {
    return azimuth_rad - time_s * s.azimuth_rate_radps;
  }
};

class Registration {
 public:
  explicit Registration(RegistrationConfig cfg = {}) : cfg_(cfg) {}

  // One residual pair (ignored when a variance is not positive or a value not
  // finite).
  void add(SensorId sensor, const RegistrationSample& s);

  // The estimate, once enough samples have been seen.
  std::optional<RadarBias> bias(SensorId sensor) const;
  // The estimate regardless of sample count (for reports).
  std::optional<RadarBias> raw(SensorId sensor) const;

 private:
  // Parameters: b, g (ppm), a, dt, and the trend terms c1 (r/100 km)^2 and
  // c2 (r/100 km)(h/10 km) in metres.
  static constexpr int kN = 6;
  using Mat = Eigen::Matrix<double, kN, kN>;
  using Vec = Eigen::Matrix<double, kN, 1>;
  struct Acc {
    Mat a = Mat::Zero();  // sum of w h h'
    Vec y = Vec::Zero();  // sum of w h z
    double zz = 0;        // sum of w z^2
    double n_eff = 0;     // forgotten count of pairs
    long n = 0;
    RadarBias fit;  // solved after each add
  };
  void solve(Acc& acc) const;

  RegistrationConfig cfg_;
  std::map<SensorId, Acc> acc_;
};

}  // namespace skyfuse::tracking
