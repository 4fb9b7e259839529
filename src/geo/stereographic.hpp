// File: geo/stereographic.hpp
//
// Oblique stereographic projection of the ellipsoid (EPSG method 9809, the
// "double stereographic": Gauss conformal sphere, then the stereographic
// projection of that sphere about the origin), as defined in IOGP Guidance
// Note 7-2. Conformal, so a local east/north vector maps onto the plane by a
// rotation (the convergence) and one scale factor. The classic system plane
// of air traffic control radar data processing.
//
// Closed form forward (a handful of elementary functions, no geodesic
// series); the inverse iterates the conformal latitude to full precision.
//
//   geo::Stereographic s(6378137.0, 1 / 298.257223563, 47.45, 8.56);
//   auto p = s.forward(47.5, 8.6);   // p.x, p.y [m], p.local (convergence, scale)
//   auto g = s.reverse(p.x, p.y);    // back to lat/lon [deg]
#pragma once

#include <cmath>

namespace skyfuse::geo {

// How local east/north axes at a point map onto the plane's axes: a rotation
// by the grid convergence gamma (a local bearing b is plane bearing
// b - gamma), then the point scale factor. Kept as the cosine and sine of
// gamma, which is all the rotation needs: no angle is taken and no
// trigonometric function evaluated.
struct Convergence {
  double cos_gamma = 1, sin_gamma = 0;
  double scale = 1;  // plane metres per ground metre
  double gamma_rad() const { return std::atan2(sin_gamma, cos_gamma); }
};

struct StereoPoint {
  double x = 0, y = 0;  // easting, northing [m] (false origin included)
  Convergence local;    // the local-to-plane map there
};

struct LatLon {
  double lat_deg = 0, lon_deg = 0;
};

class Stereographic {
 public:
  // a [m], flattening f, origin [deg], scale at the origin, false easting and northing [m].
  Stereographic(double a, double f, double lat0_deg, double lon0_deg, double k0 = 1.0,
                double false_easting_m = 0, double false_northing_m = 0);

  StereoPoint forward(double lat_deg, double lon_deg) const;
  // Latitude and longitude of a plane point; the local-to-plane map there optional out.
  LatLon reverse(double x, double y, Convergence* local = nullptr) const;

 private:
  // Convergence and scale at conformal latitude chi (sin, cos), longitude
  // difference on the sphere d, geodetic latitude sine s.
  void convergence_scale(double sin_chi, double cos_chi, double sin_d, double cos_d, double sin_phi,
                         Convergence& out) const;
  double a_, e_, e2_;
  double lon0_, n_, half_log_c_, r2k_;  // r2k_ = 2 R k0
  double sin_chi0_, cos_chi0_;
  double fe_, fn_;
};

}  // namespace skyfuse::geo
