// File: geo/radar_model.hpp
//
// Radar measurement model: a target's WGS-84 position <-> what a radar at a
// known site measures (slant range, azimuth, elevation), with refraction.
//
// Refraction: the classic effective-earth-radius model. Rays are straight over a
// sphere of radius k * R, where R is the earth's radius of curvature at the site
// in the direction of the target (Euler's formula, from M and N) and k is the
// k-factor (4/3 for the standard atmosphere; 1 gives pure geometry). The model
// keeps the ground distance along the surface and the height above it, and bends
// the ray: apparent elevation is higher and slant range very slightly longer than
// the straight chord. With k = 1 forward() returns exactly the geometric range,
// azimuth and elevation of the target in the site's ENU frame.
//
// Azimuth is clockwise from true north at the site, in [0, 2 pi). Elevation is
// above the site's local horizontal. Heights are above the WGS-84 ellipsoid: a
// Mode C (pressure) altitude must be converted to a geometric height first.
//
//   geo::RadarModel radar({47.0, 8.0, 500.0});           // k = 4/3
//   geo::Polar z = radar.forward({47.5, 8.2, 10000.0});
//   auto p = radar.reverse_with_height(z.range_m, z.azimuth_rad, 10000.0);
#pragma once

#include <Eigen/Core>

#include "core/result.hpp"
#include "core/types.hpp"
#include "geo/wgs84.hpp"

namespace skyfuse::geo {

inline constexpr double kStandardRefractionK = 4.0 / 3.0;

struct Polar {
  double range_m = 0;
  double azimuth_rad = 0;
  double elevation_rad = 0;
};

class RadarModel {
 public:
  explicit RadarModel(const GeodeticPosition& site, double k_factor = kStandardRefractionK);

  // Target position -> measured slant range, azimuth, apparent elevation.
  Polar forward(const GeodeticPosition& target) const;
  Polar forward_ecef(const Eigen::Vector3d& target_ecef_m) const;

  // 2-D radar plus a known target height (e.g. from Mode C): range, azimuth,
  // height above the ellipsoid -> position. Fails when the three are
  // inconsistent (range shorter than the height difference).
  Result<GeodeticPosition> reverse_with_height(double range_m, double azimuth_rad,
                                               double target_alt_m) const;

  // 3-D radar: range, azimuth, apparent elevation -> position.
  GeodeticPosition reverse_with_elevation(double range_m, double azimuth_rad,
                                          double elevation_rad) const;

  // d(range, azimuth, elevation) / d(ECEF x, y, z) at the target, for the
  // filters' linearisation. Rows: range [m/m], azimuth [rad/m], elevation [rad/m].
  Eigen::Matrix3d jacobian_ecef(const Eigen::Vector3d& target_ecef_m) const;

  // True when the target is above the radar horizon under this refraction model
  // (the ray clears the effective earth) and its apparent elevation is at least
  // `min_elevation_rad` (the antenna's lower limit; default: none).
  bool visible(const GeodeticPosition& target,
               double min_elevation_rad = -1.5707963267948966) const;

  const GeodeticPosition& site() const { return frame_.origin(); }
  const LocalFrame& frame() const { return frame_; }
  double k_factor() const { return k_; }

 private:
  double radius_m(double azimuth_rad) const;  // site's radius of curvature toward azimuth
  Polar from_enu(const Eigen::Vector3d& enu) const;
  Eigen::Vector3d enu_from_surface(double ground_m, double height_m, double azimuth_rad) const;

  LocalFrame frame_;
  double k_;
  double m_;  // meridional radius of curvature at the site
  double n_;  // prime-vertical radius of curvature at the site
};

}  // namespace skyfuse::geo
