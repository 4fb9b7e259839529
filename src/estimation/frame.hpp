// File: estimation/frame.hpp
//
// The tracker's horizontal plane: the oblique stereographic projection of the
// WGS-84 ellipsoid about the tracker's origin (EPSG 9809, geo::Stereographic),
// the classic system plane of ATC radar data processing. It is conformal: a
// local east/north vector maps onto the plane by a rotation and one scale
// factor, 1 at the origin and 1 + (s / 2R)^2 at distance s (1.0004 at 250 km),
// and both directions are closed-form (a few elementary functions; the
// geodesic azimuthal-equidistant plane used before cost 9 times as much per
// point onto the plane and 2.4 times back). Heights are tracked separately,
// above the ellipsoid (ARTAS style: horizontal plane plus a vertical filter,
// so a level flight is a straight line with zero vertical rate instead of a
// curve through a tangent-plane box).
//
// `local` at a point is how local east/north axes map onto the plane there
// (geo::Convergence): a rotation by the grid convergence gamma, the angle
// from local true north to the plane's grid north (a local bearing b becomes
// plane bearing b - gamma), then the point scale factor.
//
//   TrackingFrame f({47.45, 8.56, 0});
//   auto p = f.to_plane(47.5, 8.6);            // p.xy in metres
//   auto g = f.from_plane(p.xy, 430.0);        // back to WGS-84
#pragma once

#include <Eigen/Core>

#include "core/types.hpp"
#include "geo/stereographic.hpp"

namespace skyfuse::estimation {

struct PlanePoint {
  Eigen::Vector2d xy = Eigen::Vector2d::Zero();  // east, north on the plane [m]
  geo::Convergence local;                        // the local-to-plane map there
};

class TrackingFrame {
 public:
  explicit TrackingFrame(const GeodeticPosition& origin);

  PlanePoint to_plane(double lat_deg, double lon_deg) const;
  // WGS-84 position of a plane point at height `alt_m`; the local-to-plane
  // map there optional out.
  GeodeticPosition from_plane(const Eigen::Vector2d& xy, double alt_m,
                              geo::Convergence* local = nullptr) const;

  // Maps a local east/north vector or covariance at a point (whose
  // local-to-plane map is `local`) into plane axes, and back.
  static Eigen::Vector2d local_to_plane(const Eigen::Vector2d& en, const geo::Convergence& local);
  static Eigen::Matrix2d local_to_plane(const Eigen::Matrix2d& cov_en,
                                        const geo::Convergence& local);
  static Eigen::Vector2d plane_to_local(const Eigen::Vector2d& xy, const geo::Convergence& local);

  const GeodeticPosition& origin() const { return origin_; }

 private:
  GeodeticPosition origin_;
  geo::Stereographic projection_;
};

}  // namespace skyfuse::estimation
