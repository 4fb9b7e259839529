// File: mlat/propagation.hpp
//
// Signal propagation between an emitter and a receiver: straight-line distance
// plus the tropospheric excess path from an exponential refractivity profile
// N(h) = N0 exp(-h / H) (N0 = 315, H = 7 km, the ITU-R P.453 reference
// atmosphere), averaged along the straight path. The excess is ~30 m for a
// 150 km path to an aircraft at 10 km. `fast_height()` approximates the
// WGS-84 ellipsoidal height of an ECEF point (error < 0.3 m below 30 km) for
// the solver's inner loop; exact conversions go through geo/wgs84.hpp.
//
//   double t = mlat::flight_time_s(aircraft_ecef, 10'000.0, receiver_ecef, 430.0);
//
// Units: m, s.
#pragma once

#include <Eigen/Core>
#include <cmath>

namespace skyfuse::mlat {

inline constexpr double kSpeedOfLight = 299'792'458.0;  // [m/s] in vacuum
inline constexpr double kRefractivity0 = 315e-6;        // surface N0 * 1e-6
inline constexpr double kRefractivityScale_m = 7000.0;  // scale height H [m]

// Mean of (n - 1) along a straight path between heights h1 and h2 [m].
inline double mean_refractivity(double h1_m, double h2_m) {
  const double dh = h2_m - h1_m;
  const double e1 = std::exp(-h1_m / kRefractivityScale_m);
  if (std::abs(dh) < 1.0) return kRefractivity0 * e1;
  const double e2 = std::exp(-h2_m / kRefractivityScale_m);
  return kRefractivity0 * kRefractivityScale_m * (e1 - e2) / dh;
}

// Ellipsoidal height of an ECEF point [m], approximated as the distance from
// the centre minus the ellipsoid radius at the point's geocentric latitude.
inline double fast_height(const Eigen::Vector3d& ecef_m) {
  constexpr double a = 6378137.0;
  constexpr double b = 6356752.314245179;
  const double r = ecef_m.norm();
  const double s = ecef_m.z() / r;  // sin(geocentric latitude)
  const double c2 = 1.0 - s * s;
  const double re = a * b / std::sqrt(b * b * c2 + a * a * s * s);
  return r - re;
}

// Emitter-to-receiver signal travel time [s]; `refraction` off gives the
// vacuum straight-line time.
inline double flight_time_s(const Eigen::Vector3d& emitter_ecef_m, double emitter_h_m,
                            const Eigen::Vector3d& receiver_ecef_m, double receiver_h_m,
                            bool refraction = true) {
  const double d = (emitter_ecef_m - receiver_ecef_m).norm();
  const double n1 = refraction ? mean_refractivity(receiver_h_m, emitter_h_m) : 0.0;
  return d * (1.0 + n1) / kSpeedOfLight;
}

}  // namespace skyfuse::mlat
