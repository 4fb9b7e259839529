// File: geo/wgs84.hpp
//
// WGS-84 geodetic <-> ECEF <-> local east/north/up (ENU), all through
// GeographicLib (`Geocentric`, `LocalCartesian`, `UTMUPS`); no hand-rolled
// ellipsoid formulas.
//
// Conventions: latitude/longitude in degrees (north/east positive), heights in
// metres above the WGS-84 ellipsoid, ECEF and ENU in metres. ENU axes: x east,
// y north, z up at the frame's origin.
//
//   geo::LocalFrame frame({47.45, 8.56, 432.0});       // Zurich airport
//   Eigen::Vector3d enu = frame.forward({47.50, 8.60, 3000.0});
//   GeodeticPosition back = frame.reverse(enu);
#pragma once

#include <Eigen/Core>
#include <GeographicLib/LocalCartesian.hpp>

#include "core/types.hpp"

namespace skyfuse::geo {

Eigen::Vector3d geodetic_to_ecef(const GeodeticPosition& p);
GeodeticPosition ecef_to_geodetic(const Eigen::Vector3d& ecef_m);

// Rotation taking ECEF vector components to ENU components at (lat, lon):
// enu = R * ecef. Rows are the east, north and up unit vectors in ECEF.
Eigen::Matrix3d ecef_to_enu_rotation(double lat_deg, double lon_deg);

// d(ECEF x, y, z) / d(lat [rad], lon [rad], h [m]) at p.
Eigen::Matrix3d geodetic_to_ecef_jacobian(const GeodeticPosition& p);

// Local tangent plane (ENU) anchored at an origin.
class LocalFrame {
 public:
  explicit LocalFrame(const GeodeticPosition& origin);

  Eigen::Vector3d forward(const GeodeticPosition& p) const;  // geodetic -> ENU [m]
  GeodeticPosition reverse(const Eigen::Vector3d& enu_m) const;
  Eigen::Vector3d ecef_to_enu(const Eigen::Vector3d& ecef_m) const;
  Eigen::Vector3d enu_to_ecef(const Eigen::Vector3d& enu_m) const;
  // Rotate a vector given in the ENU axes at `at` into this frame's ENU axes.
  Eigen::Vector3d rotate_from(const GeodeticPosition& at, const Eigen::Vector3d& v_enu) const;
  // Rotate a vector in this frame's ENU axes into the ENU axes at `at`.
  Eigen::Vector3d rotate_to(const GeodeticPosition& at, const Eigen::Vector3d& v_local) const;

  const GeodeticPosition& origin() const { return origin_; }
  const Eigen::Matrix3d& rotation() const { return r_; }  // ECEF -> ENU

 private:
  GeodeticPosition origin_;
  GeographicLib::LocalCartesian lc_;
  Eigen::Vector3d origin_ecef_;
  Eigen::Matrix3d r_;
};

struct UtmPosition {
  int zone = 0;  // 0 means UPS (polar)
  bool north = true;
  double easting_m = 0;
  double northing_m = 0;
};

// Standard UTM/UPS (GeographicLib::UTMUPS), as `GeoConvert -u` prints it.
UtmPosition to_utm(double lat_deg, double lon_deg);

// Normalise a longitude to [-180, 180).
double normalize_lon_deg(double lon_deg);

// Meridional (M) and prime-vertical (N) radii of curvature at a latitude [m].
struct CurvatureRadii {
  double meridional_m;
  double prime_vertical_m;
};
CurvatureRadii curvature_radii(double lat_deg);

}  // namespace skyfuse::geo
