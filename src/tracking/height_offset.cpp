#include "tracking/height_offset.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>

namespace skyfuse::tracking {

namespace {
constexpr double kKernelSigma_m = 1000;
constexpr int kKernelReach = 12;                 // bins each side (3 sigma)
constexpr double kPriorWeight = 1.0;             // pseudo-aircraft at the prior
constexpr double kFloorVar_m2 = 5 * 5;           // what the kernel average cannot resolve
constexpr double kAircraftVar_m2 = 20.0 * 20.0;  // one aircraft's offset about the trend
constexpr double kTrendScale_m = 10000;          // the trend's slope: per 10 km
}  // namespace

HeightOffsetModel::HeightOffsetModel(const geo::AtmosphereConfig& prior, bool prior_given)
    : prior_var_m2_(prior_given ? 40.0 * 40.0 : 150.0 * 150.0) {
  const geo::Atmosphere atm(prior);
  for (int i = 0; i < kBins; ++i) prior_[i] = atm.offset_m(kLowest_m + (i + 0.5) * kBin_m);
  begin();
  finish();
}

void HeightOffsetModel::begin() {
  sum_.fill(0);
  count_.fill(0);
  adding_ = 0;
}

void HeightOffsetModel::add(double pressure_alt_m, double offset_m) {
  if (!std::isfinite(pressure_alt_m) || !std::isfinite(offset_m)) return;
  const int i = static_cast<int>(std::floor((pressure_alt_m - kLowest_m) / kBin_m));
  if (i < 0 || i >= kBins) return;
  sum_[i] += offset_m - interpolate(prior_, pressure_alt_m);
  count_[i] += 1;
  ++adding_;
}

void HeightOffsetModel::finish() {
  samples_ = adding_;
  // The trend first: the correction to the prior as a straight line in
  // pressure altitude (an ISA deviation the prior does not know makes the
  // offset grow about linearly with altitude; a geoid or QNH error shifts it),
  // fitted to every aircraft with the prior's variance on both coefficients.
  // It carries the correction to levels where no aircraft is seen.
  Eigen::Matrix2d a = Eigen::Matrix2d::Identity() / prior_var_m2_;
  Eigen::Vector2d b = Eigen::Vector2d::Zero();
  for (int j = 0; j < kBins; ++j) {
    if (count_[j] == 0) continue;
    const Eigen::Vector2d x(1.0, centre(j) / kTrendScale_m);
    a += count_[j] / kAircraftVar_m2 * x * x.transpose();
    b += sum_[j] / kAircraftVar_m2 * x;
  }
  const Eigen::Matrix2d cov = a.inverse();
  const Eigen::Vector2d c = cov * b;
  auto trend = [&](int j) { return c[0] + c[1] * centre(j) / kTrendScale_m; };
  auto trend_var = [&](int j) {
    const Eigen::Vector2d x(1.0, centre(j) / kTrendScale_m);
    return x.dot(cov * x) + (adding_ > 0 ? kAircraftVar_m2 : 0.0);
  };
  // Then the kernel average of what the trend leaves, near each level.
  for (int i = 0; i < kBins; ++i) {
    double s = 0, n = 0;
    for (int j = std::max(0, i - kKernelReach); j <= std::min(kBins - 1, i + kKernelReach); ++j) {
      if (count_[j] == 0) continue;
      const double d = (j - i) * kBin_m / kKernelSigma_m;
      const double w = std::exp(-0.5 * d * d);
      s += w * (sum_[j] - count_[j] * trend(j));
      n += w * count_[j];
    }
    offset_[i] = prior_[i] + trend(i) + s / (n + kPriorWeight);
    // The trend's variance (the prior's where no aircraft are seen) shrinks as
    // aircraft near this level are seen, down to what one aircraft's filtered
    // offset scatters around the level's mean.
    variance_[i] =
        std::min(trend_var(i), prior_var_m2_) * kPriorWeight / (n + kPriorWeight) + kFloorVar_m2;
  }
}

double HeightOffsetModel::centre(int bin) { return kLowest_m + (bin + 0.5) * kBin_m; }

double HeightOffsetModel::interpolate(const std::array<double, kBins>& table,
                                      double pressure_alt_m) const {
  const double u = (pressure_alt_m - kLowest_m) / kBin_m - 0.5;
  if (!(u > 0)) return table.front();
  if (u >= kBins - 1) return table.back();
  const int i = static_cast<int>(u);
  const double f = u - i;
  return table[i] * (1 - f) + table[i + 1] * f;
}

double HeightOffsetModel::offset_m(double pressure_alt_m) const {
  return interpolate(offset_, pressure_alt_m);
}

double HeightOffsetModel::variance_m2(double pressure_alt_m) const {
  return interpolate(variance_, pressure_alt_m);
}

}  // namespace skyfuse::tracking
