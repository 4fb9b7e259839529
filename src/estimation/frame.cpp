#include "estimation/frame.hpp"

#include <cmath>

namespace skyfuse::estimation {

namespace {
constexpr double kWgs84A = 6378137.0;
constexpr double kWgs84F = 1 / 298.257223563;

// Local east/north axes to plane axes times the scale. Plane bearing = local
// bearing - gamma: east/north vectors turn by +gamma counter-clockwise (a
// bearing decrease is a counter-clockwise rotation).
Eigen::Matrix2d scaled_rotation(const geo::Convergence& local) {
  const double c = local.cos_gamma * local.scale, s = local.sin_gamma * local.scale;
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
  p.local = s.local;
  return p;
}

GeodeticPosition TrackingFrame::from_plane(const Eigen::Vector2d& xy, double alt_m,
                                           geo::Convergence* local) const {
  const geo::LatLon g = projection_.reverse(xy.x(), xy.y(), local);
  return {g.lat_deg, g.lon_deg, alt_m};
}

Eigen::Vector2d TrackingFrame::local_to_plane(const Eigen::Vector2d& en,
                                              const geo::Convergence& local) {
  return scaled_rotation(local) * en;
}

Eigen::Matrix2d TrackingFrame::local_to_plane(const Eigen::Matrix2d& cov_en,
                                              const geo::Convergence& local) {
  const Eigen::Matrix2d r = scaled_rotation(local);
  return r * cov_en * r.transpose();
}

Eigen::Vector2d TrackingFrame::plane_to_local(const Eigen::Vector2d& xy,
                                              const geo::Convergence& local) {
  // The inverse rotation (by -gamma), then the inverse scale.
  const double c = local.cos_gamma, s = local.sin_gamma;
  return Eigen::Vector2d(c * xy.x() + s * xy.y(), c * xy.y() - s * xy.x()) / local.scale;
}

}  // namespace skyfuse::estimation
