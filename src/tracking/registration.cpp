#include "tracking/registration.hpp"

#include <Eigen/Cholesky>
#include <algorithm>
#include <array>
#include <cmath>

namespace skyfuse::tracking {

namespace {
constexpr double kRangeScale = 1e5;   // trend terms: ranges in 100 km
constexpr double kHeightScale = 1e4;  // ... heights in 10 km
constexpr double kTrendPrior = 1e4;   // the trend terms' prior sigma [m] (only regularises)
constexpr double kSelectChi2 = 16;    // gain, time offset: estimated beyond 4 standard errors
}  // namespace

void Registration::add(SensorId sensor, const RegistrationSample& s) {
  if (!(s.var_range_m2 > 0) || !(s.var_azimuth_rad2 > 0) || !std::isfinite(s.var_range_m2) ||
      !std::isfinite(s.var_azimuth_rad2) || !std::isfinite(s.d_range_m) ||
      !std::isfinite(s.d_azimuth_rad) || !std::isfinite(s.range_m) ||
      !std::isfinite(s.range_rate_mps) || !std::isfinite(s.azimuth_rate_radps) ||
      !std::isfinite(s.height_above_site_m))
    return;
  Acc& acc = acc_[sensor];
  const double forget = 1.0 - 1.0 / cfg_.memory_samples;
  acc.a *= forget;
  acc.y *= forget;
  acc.zz *= forget;
  acc.n_eff = forget * acc.n_eff + 1;
  ++acc.n;
  // Range row: b + g r 1e-6 - dt v_r + c1 (r/R)^2 + c2 (r/R)(h/H).
  const double rs = s.range_m / kRangeScale;
  Vec h;
  h << 1, s.range_m * 1e-6, 0, -s.range_rate_mps, rs * rs,
      rs * s.height_above_site_m / kHeightScale;
  double w = 1 / s.var_range_m2;
  acc.a.noalias() += w * h * h.transpose();
  acc.y += w * s.d_range_m * h;
  acc.zz += w * s.d_range_m * s.d_range_m;
  // Azimuth row: a - dt w.
  h << 0, 0, 1, -s.azimuth_rate_radps, 0, 0;
  w = 1 / s.var_azimuth_rad2;
  acc.a.noalias() += w * h * h.transpose();
  acc.y += w * s.d_azimuth_rad * h;
  acc.zz += w * s.d_azimuth_rad * s.d_azimuth_rad;
  solve(acc);
}

void Registration::solve(Acc& acc) const {
  Vec prior;
  prior << 1 / (cfg_.prior_range_m * cfg_.prior_range_m),
      1 / (cfg_.prior_gain_ppm * cfg_.prior_gain_ppm),
      1 / (cfg_.prior_azimuth_rad * cfg_.prior_azimuth_rad),
      1 / (cfg_.prior_time_s * cfg_.prior_time_s), 1 / (kTrendPrior * kTrendPrior),
      1 / (kTrendPrior * kTrendPrior);
  // The fit over the parameters in `use` (the others held at 0): estimate,
  // covariance, chi-square of the residuals after it (the priors left out).
  struct Fit {
    Vec x = Vec::Zero();
    Mat cov = Mat::Zero();
    double chi2 = 0;
    bool ok = false;
  };
  const auto fit = [&](const std::array<bool, kN>& use) {
    Mat n = acc.a;
    Vec y = acc.y;
    for (int i = 0; i < kN; ++i) {
      if (use[static_cast<std::size_t>(i)]) {
        n(i, i) += prior[i];
        continue;
      }
      n.row(i).setZero();
      n.col(i).setZero();
      n(i, i) = 1;
      y[i] = 0;
    }
    Fit f;
    const Eigen::LDLT<Mat> ldlt(n);
    if (ldlt.info() != Eigen::Success) return f;
    f.x = ldlt.solve(y);
    f.cov = ldlt.solve(Mat::Identity());
    f.chi2 = std::max(0.0, acc.zz - 2 * f.x.dot(acc.y) + f.x.dot(acc.a * f.x));
    f.ok = f.x.allFinite();
    return f;
  };
  // All four; then gain and time offset kept only where the data shows them
  // (each removes more than kSelectChi2 on its own, 4 standard errors):
  // a gain the range spread cannot separate from the offset would only move
  // noise between the two.
  const Fit full = fit({true, true, true, true, false, false});
  if (!full.ok) return;
  const auto shown = [&](int i) {
    return full.cov(i, i) > 0 && full.x[i] * full.x[i] > kSelectChi2 * full.cov(i, i);
  };
  const std::array<bool, kN> model = {true, shown(1), true, shown(3), false, false};
  const Fit m = fit(model);
  if (!m.ok) return;
  std::array<bool, kN> with_trend = model;
  with_trend[4] = with_trend[5] = true;
  const Fit t = fit(with_trend);

  RadarBias& b = acc.fit;
  b.range_m = m.x[0];
  b.gain_ppm = m.x[1];
  b.azimuth_rad = m.x[2];
  b.time_s = m.x[3];
  // Standard errors: of the estimate where estimated, else of what the full
  // fit could say (how well the data would know it).
  const auto sigma = [&](int i) {
    return std::sqrt(
        std::max(0.0, model[static_cast<std::size_t>(i)] ? m.cov(i, i) : full.cov(i, i)));
  };
  b.sigma_range_m = sigma(0);
  b.sigma_gain_ppm = sigma(1);
  b.sigma_azimuth_rad = sigma(2);
  b.sigma_time_s = sigma(3);
  const int params = 2 + (model[1] ? 1 : 0) + (model[3] ? 1 : 0);
  const double dof = 2 * acc.n_eff - params;
  b.chi2_dof = dof > 0 ? m.chi2 / dof : 0;
  b.trend_chi2 = t.ok ? std::max(0.0, m.chi2 - t.chi2) : 0;
  b.samples = acc.n;
  b.model_fits = dof <= 0 || acc.n < cfg_.min_samples ||
                 (b.chi2_dof <= cfg_.max_chi2_dof &&
                  !(b.trend_chi2 > cfg_.trend_chi2 && b.trend_chi2 > cfg_.trend_share * acc.n_eff));
}

std::optional<RadarBias> Registration::raw(SensorId sensor) const {
  auto it = acc_.find(sensor);
  if (it == acc_.end() || it->second.n == 0) return std::nullopt;
  return it->second.fit;
}

std::optional<RadarBias> Registration::bias(SensorId sensor) const {
  auto it = acc_.find(sensor);
  if (it == acc_.end() || it->second.n < cfg_.min_samples) return std::nullopt;
  return it->second.fit;
}

}  // namespace skyfuse::tracking
