#include "geo/radar_model.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace skyfuse::geo {

namespace {
constexpr double kTwoPi = 2 * std::numbers::pi;

double wrap_2pi(double a) {
  a = std::fmod(a, kTwoPi);
  return a < 0 ? a + kTwoPi : a;
}
double wrap_pi(double a) { return std::remainder(a, kTwoPi); }
}  // namespace

RadarModel::RadarModel(const GeodeticPosition& site, double k_factor) : frame_(site), k_(k_factor) {
  if (!(k_factor > 0.5 && k_factor < 10)) {
    throw ConfigError("radar refraction k-factor must be in (0.5, 10)");
  }
  const auto radii = curvature_radii(site.lat_deg);
  m_ = radii.meridional_m;
  n_ = radii.prime_vertical_m;
}

double RadarModel::radius_m(double azimuth_rad) const {
  const double c = std::cos(azimuth_rad), s = std::sin(azimuth_rad);
  return 1.0 / (c * c / m_ + s * s / n_);
}

// The site's normal section toward the target is approximated by a circle of
// radius R (the osculating sphere, centre R below the site's foot point). The
// target's ground distance s and height h over that circle are kept; the ray is
// straight over a circle of radius k R.
Polar RadarModel::from_enu(const Eigen::Vector3d& enu) const {
  const double az = wrap_2pi(std::atan2(enu.x(), enu.y()));
  const double r = radius_m(az);
  const double hs = frame_.origin().alt_m;
  const double horiz = std::hypot(enu.x(), enu.y());
  const double vert = r + hs + enu.z();
  const double gamma = std::atan2(horiz, vert);  // earth-centre angle
  const double ground = r * gamma;
  const double height = std::hypot(horiz, vert) - r;
  const double re = k_ * r;
  const double g = ground / re;
  const double a = re + hs, b = re + height;
  const double x = b * std::sin(g), y = b * std::cos(g) - a;
  return Polar{std::hypot(x, y), az, std::atan2(y, x)};
}

Eigen::Vector3d RadarModel::enu_from_surface(double ground_m, double height_m,
                                             double azimuth_rad) const {
  const double r = radius_m(azimuth_rad);
  const double gamma = ground_m / r;
  const double horiz = (r + height_m) * std::sin(gamma);
  const double up = (r + height_m) * std::cos(gamma) - r - frame_.origin().alt_m;
  return {horiz * std::sin(azimuth_rad), horiz * std::cos(azimuth_rad), up};
}

Polar RadarModel::forward(const GeodeticPosition& target) const {
  return from_enu(frame_.forward(target));
}

Polar RadarModel::forward_ecef(const Eigen::Vector3d& target_ecef_m) const {
  return from_enu(frame_.ecef_to_enu(target_ecef_m));
}

Result<GeodeticPosition> RadarModel::reverse_with_height(double range_m, double azimuth_rad,
                                                         double target_alt_m) const {
  const double r = radius_m(azimuth_rad);
  const double re = k_ * r;
  const double a = re + frame_.origin().alt_m;
  // The point at slant range `range_m` and height `h` over the osculating
  // circle, in the site's ENU frame.
  Eigen::Vector3d enu;
  auto place = [&](double h) {
    const double b = re + h;
    const double cos_g = (a * a + b * b - range_m * range_m) / (2 * a * b);
    if (!(range_m > 0) || cos_g > 1.0 || cos_g < -1.0) return false;
    enu = enu_from_surface(re * std::acos(cos_g), h, azimuth_rad);
    return true;
  };
  auto inconsistent = [] {
    return Error{ErrorCode::kBadValue, -1, "slant range inconsistent with the target height"};
  };
  // The height over the osculating circle differs from the ellipsoid height
  // by far less than a metre within radar range (a 270 km sweep of ranges,
  // azimuths and heights: at most 0.66 m; the refraction factor does not
  // enter). The point at the corrected height lies that much further along
  // a nearly vertical line, so its offset from the first point, turned into
  // that point's east and north, moves latitude and longitude to first
  // order: the neglected terms are of the step squared over the earth's
  // radius, 1e-7 m for a metre (one ellipsoid conversion instead of two).
  if (!place(target_alt_m)) return inconsistent();
  GeodeticPosition p = frame_.reverse(enu);
  const double dh = target_alt_m - p.alt_m;
  if (std::abs(dh) >= 1e-3) {
    const Eigen::Vector3d first = enu;
    if (!place(target_alt_m + dh)) return inconsistent();
    const Eigen::Vector3d d = frame_.rotation().transpose() * (enu - first);  // ECEF
    constexpr double kDeg = std::numbers::pi / 180;
    const double sp = std::sin(p.lat_deg * kDeg), cp = std::cos(p.lat_deg * kDeg);
    const double sl = std::sin(p.lon_deg * kDeg), cl = std::cos(p.lon_deg * kDeg);
    const double east = -sl * d.x() + cl * d.y();
    const double north = -sp * cl * d.x() - sp * sl * d.y() + cp * d.z();
    const CurvatureRadii radii = curvature_radii(p.lat_deg);
    p.lat_deg += north / (radii.meridional_m + p.alt_m) / kDeg;
    p.lon_deg =
        std::remainder(p.lon_deg + east / ((radii.prime_vertical_m + p.alt_m) * cp) / kDeg, 360.0);
  }
  p.alt_m = target_alt_m;
  return p;
}

GeodeticPosition RadarModel::reverse_with_elevation(double range_m, double azimuth_rad,
                                                    double elevation_rad) const {
  const double r = radius_m(azimuth_rad);
  const double re = k_ * r;
  const double a = re + frame_.origin().alt_m;
  const double x = range_m * std::cos(elevation_rad);
  const double y = a + range_m * std::sin(elevation_rad);
  const double b = std::hypot(x, y);
  const double ground = re * std::atan2(x, y);
  return frame_.reverse(enu_from_surface(ground, b - re, azimuth_rad));
}

Eigen::Matrix3d RadarModel::jacobian_ecef(const Eigen::Vector3d& target_ecef_m) const {
  // Central differences over the full model (refraction included). With a 1 m
  // step the truncation error is below 1e-9 relative at any radar range.
  constexpr double kStep = 1.0;
  Eigen::Matrix3d j;
  for (int i = 0; i < 3; ++i) {
    Eigen::Vector3d d = Eigen::Vector3d::Zero();
    d[i] = kStep;
    const Polar p = forward_ecef(target_ecef_m + d);
    const Polar m = forward_ecef(target_ecef_m - d);
    j(0, i) = (p.range_m - m.range_m) / (2 * kStep);
    j(1, i) = wrap_pi(p.azimuth_rad - m.azimuth_rad) / (2 * kStep);
    j(2, i) = (p.elevation_rad - m.elevation_rad) / (2 * kStep);
  }
  return j;
}

bool RadarModel::visible(const GeodeticPosition& target, double min_elevation_rad) const {
  // The straight ray over the effective earth must stay above the surface
  // (radar horizon), and the apparent elevation must clear the antenna's limit.
  const Eigen::Vector3d enu = frame_.forward(target);
  const Polar z = from_enu(enu);
  if (z.elevation_rad < min_elevation_rad) return false;
  const double r = radius_m(z.azimuth_rad);
  const double re = k_ * r;
  const double horiz = std::hypot(enu.x(), enu.y());
  const double gamma = std::atan2(horiz, r + frame_.origin().alt_m + enu.z());
  const double height = std::hypot(horiz, r + frame_.origin().alt_m + enu.z()) - r;
  const double g = r * gamma / re;
  const Eigen::Vector2d s(0, re + frame_.origin().alt_m);
  const Eigen::Vector2d t((re + height) * std::sin(g), (re + height) * std::cos(g));
  const Eigen::Vector2d d = t - s;
  const double len2 = d.squaredNorm();
  double u = len2 > 0 ? -s.dot(d) / len2 : 0;
  u = std::clamp(u, 0.0, 1.0);
  return (s + u * d).norm() >= re;
}

}  // namespace skyfuse::geo
