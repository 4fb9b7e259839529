#include "estimation/frame.hpp"

#include <GeographicLib/AzimuthalEquidistant.hpp>
#include <GeographicLib/Geodesic.hpp>
#include <cmath>
#include <numbers>

namespace skyfuse::estimation {

namespace {
constexpr double kDeg = std::numbers::pi / 180.0;

Eigen::Matrix2d rotation(double gamma_rad) {
  // Plane bearing = local bearing - gamma: rotate east/north vectors by +gamma
  // counter-clockwise (a bearing decrease is a counter-clockwise rotation).
  const double c = std::cos(gamma_rad), s = std::sin(gamma_rad);
  Eigen::Matrix2d r;
  r << c, -s, s, c;
  return r;
}
}  // namespace

struct TrackingFrame::Impl {
  GeographicLib::AzimuthalEquidistant projection{GeographicLib::Geodesic::WGS84()};
};

TrackingFrame::TrackingFrame(const GeodeticPosition& origin)
    : origin_(origin), impl_(std::make_unique<Impl>()) {}
TrackingFrame::~TrackingFrame() = default;
TrackingFrame::TrackingFrame(const TrackingFrame& o)
    : origin_(o.origin_), impl_(std::make_unique<Impl>()) {}
TrackingFrame& TrackingFrame::operator=(const TrackingFrame& o) {
  origin_ = o.origin_;
  return *this;
}

PlanePoint TrackingFrame::to_plane(double lat_deg, double lon_deg) const {
  double x = 0, y = 0, azi = 0, rk = 0;
  impl_->projection.Forward(origin_.lat_deg, origin_.lon_deg, lat_deg, lon_deg, x, y, azi, rk);
  PlanePoint p;
  p.xy = {x, y};
  // The radial line from the origin has plane bearing atan2(x, y) and local
  // bearing `azi` at the point.
  if (x * x + y * y > 1e-6) p.gamma_rad = azi * kDeg - std::atan2(x, y);
  p.gamma_rad = std::remainder(p.gamma_rad, 2 * std::numbers::pi);
  return p;
}

GeodeticPosition TrackingFrame::from_plane(const Eigen::Vector2d& xy, double alt_m,
                                           double* gamma_rad) const {
  double lat = 0, lon = 0, azi = 0, rk = 0;
  impl_->projection.Reverse(origin_.lat_deg, origin_.lon_deg, xy.x(), xy.y(), lat, lon, azi, rk);
  if (gamma_rad) {
    double g = 0;
    if (xy.squaredNorm() > 1e-6) g = azi * kDeg - std::atan2(xy.x(), xy.y());
    *gamma_rad = std::remainder(g, 2 * std::numbers::pi);
  }
  return {lat, lon, alt_m};
}

Eigen::Vector2d TrackingFrame::local_to_plane(const Eigen::Vector2d& en, double gamma_rad) {
  return rotation(gamma_rad) * en;
}

Eigen::Matrix2d TrackingFrame::local_to_plane(const Eigen::Matrix2d& cov_en, double gamma_rad) {
  const Eigen::Matrix2d r = rotation(gamma_rad);
  return r * cov_en * r.transpose();
}

Eigen::Vector2d TrackingFrame::plane_to_local(const Eigen::Vector2d& xy, double gamma_rad) {
  return rotation(-gamma_rad) * xy;
}

}  // namespace skyfuse::estimation
