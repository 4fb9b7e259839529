#include "estimation/frame.hpp"

#include <cmath>

namespace skyfuse::estimation {

namespace {
constexpr double kWgs84A = 6378137.0;
constexpr double kWgs84F = 1 / 298.257223563;

Eigen::Matrix2d rotation(double gamma_rad) {
  // Plane bearing = local bearing - gamma: rotate east/north vectors by +gamma
  // counter-clockwise (a bearing decrease is a counter-clockwise rotation).
  const double c = std::cos(gamma_rad), s = std::sin(gamma_rad);
  Eigen::Matrix2d r;
  r << c, -s, s, c;
  return r;
}
}  // namespace

TrackingFrame::TrackingFrame(const GeodeticPosition& origin)
    : origin_(origin), projection_(kWgs84A, kWgs84F, origin.lat_deg, origin.lon_deg) {}

PlanePoint TrackingFrame::to_plane(double lat_deg, double lon_deg) const {
  const geo::StereoPoint s = projection_.forward(lat_deg, lon_deg);
  PlanePoint p;
  p.xy = {s.x, s.y};
  p.gamma_rad = s.gamma_rad;
  p.scale = s.scale;
  return p;
}

GeodeticPosition TrackingFrame::from_plane(const Eigen::Vector2d& xy, double alt_m,
                                           double* gamma_rad, double* scale) const {
  const geo::LatLon g = projection_.reverse(xy.x(), xy.y(), gamma_rad, scale);
  return {g.lat_deg, g.lon_deg, alt_m};
}

Eigen::Vector2d TrackingFrame::local_to_plane(const Eigen::Vector2d& en, double gamma_rad,
                                              double scale) {
  return scale * (rotation(gamma_rad) * en);
}

Eigen::Matrix2d TrackingFrame::local_to_plane(const Eigen::Matrix2d& cov_en, double gamma_rad,
                                              double scale) {
  const Eigen::Matrix2d r = rotation(gamma_rad) * scale;
  return r * cov_en * r.transpose();
}

Eigen::Vector2d TrackingFrame::plane_to_local(const Eigen::Vector2d& xy, double gamma_rad,
                                              double scale) {
  return rotation(-gamma_rad) * xy / scale;
}

}  // namespace skyfuse::estimation
