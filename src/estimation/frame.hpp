// File: estimation/frame.hpp
//
// The tracker's horizontal plane: an azimuthal equidistant projection of the
// WGS-84 ellipsoid about the tracker's origin (GeographicLib), so distances and
// bearings from the origin are exact and the scale error stays below 2e-4 within
// 250 km. Heights are tracked separately, above the ellipsoid (ARTAS style:
// horizontal plane plus a vertical filter, so a level flight is a straight line
// with zero vertical rate instead of a curve through a tangent-plane box).
//
// `gamma_rad` at a point is the angle from local true north to the plane's
// grid north there (a local bearing b becomes plane bearing b - gamma).
//
//   TrackingFrame f({47.45, 8.56, 0});
//   auto p = f.to_plane(47.5, 8.6);            // p.xy in metres
//   auto g = f.from_plane(p.xy, 430.0);        // back to WGS-84
#pragma once

#include <Eigen/Core>
#include <memory>

#include "core/types.hpp"

namespace skyfuse::estimation {

struct PlanePoint {
  Eigen::Vector2d xy = Eigen::Vector2d::Zero();  // east, north on the plane [m]
  double gamma_rad = 0;                          // grid convergence
};

class TrackingFrame {
 public:
  explicit TrackingFrame(const GeodeticPosition& origin);
  ~TrackingFrame();
  TrackingFrame(const TrackingFrame&);
  TrackingFrame& operator=(const TrackingFrame&);

  PlanePoint to_plane(double lat_deg, double lon_deg) const;
  // WGS-84 position of a plane point at height `alt_m`; `gamma_rad` optional out.
  GeodeticPosition from_plane(const Eigen::Vector2d& xy, double alt_m,
                              double* gamma_rad = nullptr) const;

  // Rotates a local east/north vector or covariance at a point into plane axes.
  static Eigen::Vector2d local_to_plane(const Eigen::Vector2d& en, double gamma_rad);
  static Eigen::Matrix2d local_to_plane(const Eigen::Matrix2d& cov_en, double gamma_rad);
  static Eigen::Vector2d plane_to_local(const Eigen::Vector2d& xy, double gamma_rad);

  const GeodeticPosition& origin() const { return origin_; }

 private:
  struct Impl;
  GeodeticPosition origin_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace skyfuse::estimation
