// File: tracking/registration.hpp
//
// Online radar registration: each radar's range and azimuth bias estimated
// from its plots of aircraft that ADS-B (or MLAT) positions independently (the
// reference tracks). Residual = measured - predicted (range, azimuth) of the
// reference track at the plot time; the bias estimate is the inverse-variance
// weighted mean of the residuals with exponential forgetting, per radar and per
// component (range and azimuth errors are independent in the radar model).
//
//   Registration reg(3000, 40);
//   reg.add(sensor, d_range, var_range, d_az, var_az);
//   if (auto b = reg.bias(sensor)) corrected_range -= b->range_m;
#pragma once

#include <map>
#include <optional>

#include "core/types.hpp"

namespace skyfuse::tracking {

struct RadarBias {
  double range_m = 0;
  double azimuth_rad = 0;
  double sigma_range_m = 0;  // standard error of the estimate
  double sigma_azimuth_rad = 0;
  long samples = 0;
};

class Registration {
 public:
  Registration(double memory_samples = 3000, int min_samples = 40)
      : forget_(1.0 - 1.0 / memory_samples), min_samples_(min_samples) {}

  // One residual pair with its variances (measurement + reference uncertainty).
  void add(SensorId sensor, double d_range_m, double var_range, double d_azimuth_rad,
           double var_azimuth);

  // The estimate, once enough samples have been seen.
  std::optional<RadarBias> bias(SensorId sensor) const;
  // The estimate regardless of sample count (for reports).
  std::optional<RadarBias> raw(SensorId sensor) const;

 private:
  struct Acc {
    double wr = 0, wrz = 0, wa = 0, waz = 0;
    long n = 0;
  };
  double forget_;
  int min_samples_;
  std::map<SensorId, Acc> acc_;
};

}  // namespace skyfuse::tracking
