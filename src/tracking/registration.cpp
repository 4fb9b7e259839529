#include "tracking/registration.hpp"

#include <cmath>

namespace skyfuse::tracking {

void Registration::add(SensorId sensor, double d_range_m, double var_range, double d_azimuth_rad,
                       double var_azimuth) {
  if (!(var_range > 0) || !(var_azimuth > 0) || !std::isfinite(d_range_m) ||
      !std::isfinite(d_azimuth_rad))
    return;
  Acc& a = acc_[sensor];
  a.wr = forget_ * a.wr + 1 / var_range;
  a.wrz = forget_ * a.wrz + d_range_m / var_range;
  a.wa = forget_ * a.wa + 1 / var_azimuth;
  a.waz = forget_ * a.waz + d_azimuth_rad / var_azimuth;
  ++a.n;
}

std::optional<RadarBias> Registration::raw(SensorId sensor) const {
  auto it = acc_.find(sensor);
  if (it == acc_.end() || it->second.wr <= 0 || it->second.wa <= 0) return std::nullopt;
  const Acc& a = it->second;
  RadarBias b;
  b.range_m = a.wrz / a.wr;
  b.azimuth_rad = a.waz / a.wa;
  b.sigma_range_m = std::sqrt(1 / a.wr);
  b.sigma_azimuth_rad = std::sqrt(1 / a.wa);
  b.samples = a.n;
  return b;
}

std::optional<RadarBias> Registration::bias(SensorId sensor) const {
  auto b = raw(sensor);
  if (!b || b->samples < min_samples_) return std::nullopt;
  return b;
}

}  // namespace skyfuse::tracking
