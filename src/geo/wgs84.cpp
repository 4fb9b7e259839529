#include "geo/wgs84.hpp"

#include <GeographicLib/Constants.hpp>
#include <GeographicLib/Geocentric.hpp>
#include <GeographicLib/Math.hpp>
#include <GeographicLib/UTMUPS.hpp>
#include <cmath>
#include <numbers>
#include <vector>

namespace skyfuse::geo {

namespace {
constexpr double kDeg = std::numbers::pi / 180.0;
const GeographicLib::Geocentric& earth() { return GeographicLib::Geocentric::WGS84(); }
}  // namespace

Eigen::Vector3d geodetic_to_ecef(const GeodeticPosition& p) {
  double x = 0, y = 0, z = 0;
  earth().Forward(p.lat_deg, p.lon_deg, p.alt_m, x, y, z);
  return {x, y, z};
}

GeodeticPosition ecef_to_geodetic(const Eigen::Vector3d& ecef_m) {
  GeodeticPosition p;
  earth().Reverse(ecef_m.x(), ecef_m.y(), ecef_m.z(), p.lat_deg, p.lon_deg, p.alt_m);
  return p;
}

Eigen::Matrix3d ecef_to_enu_rotation(double lat_deg, double lon_deg) {
  const double sp = std::sin(lat_deg * kDeg), cp = std::cos(lat_deg * kDeg);
  const double sl = std::sin(lon_deg * kDeg), cl = std::cos(lon_deg * kDeg);
  Eigen::Matrix3d r;
  r << -sl, cl, 0,             //
      -sp * cl, -sp * sl, cp,  //
      cp * cl, cp * sl, sp;
  return r;
}

CurvatureRadii curvature_radii(double lat_deg) {
  const double a = GeographicLib::Constants::WGS84_a();
  const double f = GeographicLib::Constants::WGS84_f();
  const double e2 = f * (2 - f);
  const double s = std::sin(lat_deg * kDeg);
  const double w2 = 1 - e2 * s * s;
  const double n = a / std::sqrt(w2);
  return {n * (1 - e2) / w2, n};
}

Eigen::Matrix3d geodetic_to_ecef_jacobian(const GeodeticPosition& p) {
  // d(ECEF)/d(lat) = (M + h) * north, d/d(lon) = (N + h) cos(lat) * east, d/dh = up.
  const auto [m, n] = curvature_radii(p.lat_deg);
  const Eigen::Matrix3d r = ecef_to_enu_rotation(p.lat_deg, p.lon_deg);
  Eigen::Matrix3d j;
  j.col(0) = (m + p.alt_m) * r.row(1).transpose();
  j.col(1) = (n + p.alt_m) * std::cos(p.lat_deg * kDeg) * r.row(0).transpose();
  j.col(2) = r.row(2).transpose();
  return j;
}

LocalFrame::LocalFrame(const GeodeticPosition& origin)
    : origin_(origin),
      lc_(origin.lat_deg, origin.lon_deg, origin.alt_m, earth()),
      origin_ecef_(geodetic_to_ecef(origin)),
      r_(ecef_to_enu_rotation(origin.lat_deg, origin.lon_deg)) {}

Eigen::Vector3d LocalFrame::forward(const GeodeticPosition& p) const {
  double x = 0, y = 0, z = 0;
  lc_.Forward(p.lat_deg, p.lon_deg, p.alt_m, x, y, z);
  return {x, y, z};
}

GeodeticPosition LocalFrame::reverse(const Eigen::Vector3d& enu_m) const {
  GeodeticPosition p;
  lc_.Reverse(enu_m.x(), enu_m.y(), enu_m.z(), p.lat_deg, p.lon_deg, p.alt_m);
  return p;
}

Eigen::Vector3d LocalFrame::ecef_to_enu(const Eigen::Vector3d& ecef_m) const {
  return r_ * (ecef_m - origin_ecef_);
}

Eigen::Vector3d LocalFrame::enu_to_ecef(const Eigen::Vector3d& enu_m) const {
  return origin_ecef_ + r_.transpose() * enu_m;
}

Eigen::Vector3d LocalFrame::rotate_from(const GeodeticPosition& at,
                                        const Eigen::Vector3d& v_enu) const {
  return r_ * (ecef_to_enu_rotation(at.lat_deg, at.lon_deg).transpose() * v_enu);
}

Eigen::Vector3d LocalFrame::rotate_to(const GeodeticPosition& at,
                                      const Eigen::Vector3d& v_local) const {
  return ecef_to_enu_rotation(at.lat_deg, at.lon_deg) * (r_.transpose() * v_local);
}

UtmPosition to_utm(double lat_deg, double lon_deg) {
  UtmPosition u;
  GeographicLib::UTMUPS::Forward(lat_deg, lon_deg, u.zone, u.north, u.easting_m, u.northing_m);
  return u;
}

double normalize_lon_deg(double lon_deg) {
  double x = std::remainder(lon_deg, 360.0);  // [-180, 180]
  if (x >= 180.0) x -= 360.0;
  return x;
}

}  // namespace skyfuse::geo
