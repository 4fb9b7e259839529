// File: tracking/height_offset.hpp
//
// The offset between geometric height (above the WGS-84 ellipsoid) and
// pressure altitude, as a function of pressure altitude: what turns a Mode C
// altitude into a height for geometry. The prior is the configured atmosphere
// ([atmosphere]: ISA deviation, QNH, geoid undulation; geo::Atmosphere). The
// aircraft that report both (ADS-B geometric height and barometric altitude)
// measure it: each maintenance pass gives every such track's filtered offset
// at its pressure altitude, and the correction to the prior is a straight-line
// trend in pressure altitude fitted to them all (which carries it to levels no
// aircraft is at) plus the kernel average of what the trend leaves (Gaussian,
// 1 km), shrunk towards the trend where few aircraft are seen. So the offset at FL100 comes from aircraft near
// FL100, not from a fleet-wide mean.
//
//   HeightOffsetModel m(atmosphere_config, /*prior_given=*/true);
//   m.begin(); m.add(10668, 281); ...; m.finish();
//   double h = baro_m + m.offset_m(baro_m);  double var = m.variance_m2(baro_m);
#pragma once

#include <array>
#include <cstddef>

#include "geo/atmosphere.hpp"

namespace skyfuse::tracking {

class HeightOffsetModel {
 public:
  HeightOffsetModel(const geo::AtmosphereConfig& prior, bool prior_given);

  // A rebuild: begin(), add() per aircraft reporting both heights, finish().
  void begin();
  void add(double pressure_alt_m, double offset_m);
  void finish();

  // Geometric height minus pressure altitude at this pressure altitude.
  double offset_m(double pressure_alt_m) const;
  // Its uncertainty (variance, m^2): the prior's where no aircraft are near.
  double variance_m2(double pressure_alt_m) const;
  // Aircraft in the last rebuild.
  std::size_t samples() const { return samples_; }

  static constexpr double kLowest_m = -1000;
  static constexpr double kBin_m = 250;
  static constexpr int kBins = 68;  // -1,000 .. 16,000 m

 private:
  static double centre(int bin);  // its pressure altitude [m]
  double interpolate(const std::array<double, kBins>& table, double pressure_alt_m) const;
  double prior_var_m2_;
  std::array<double, kBins> prior_{};  // prior offset at each bin centre
  std::array<double, kBins> sum_{};    // residuals (measured - prior) added this rebuild
  std::array<double, kBins> count_{};
  std::array<double, kBins> offset_{};  // prior + learned correction
  std::array<double, kBins> variance_{};
  std::size_t samples_ = 0, adding_ = 0;
};

}  // namespace skyfuse::tracking
