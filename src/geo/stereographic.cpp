#include "geo/stereographic.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace skyfuse::geo {

namespace {
constexpr double kDeg = std::numbers::pi / 180.0;

// e atanh(e s) for the ellipsoid's eccentricity e (|e s| <= 0.082): the
// series y sum y^2k / (2k + 1) to k = 6 leaves a relative error below 1e-16
// (y^14 / 15), at a fraction of the library atanh's cost.
double e_atanh_es(double e, double s) {
  const double y = e * s, y2 = y * y;
  const double sum =
      1 +
      y2 * (1.0 / 3 +
            y2 * (1.0 / 5 + y2 * (1.0 / 7 + y2 * (1.0 / 9 + y2 * (1.0 / 11 + y2 * (1.0 / 13))))));
  return e * y * sum;
}

// atanh and tanh by one logarithm or exponential each (the library's forms
// go through log1p and expm1 for full relative precision near zero, at twice
// the cost). The absolute error stays at rounding level, 1e-16: a
// nanometre on the earth, for an isometric latitude or the sine of a
// conformal latitude.
double atanh_log(double s) { return 0.5 * std::log((1 + s) / (1 - s)); }
double tanh_exp(double x) {
  const double e = std::exp(-2 * std::abs(x));
  return std::copysign((1 - e) / (1 + e), x);
}
}  // namespace

// Notation of IOGP Guidance Note 7-2, section "Oblique Stereographic". The
// Gauss conformal latitude chi of geodetic latitude phi is written with the
// isometric latitude: sin chi = tanh(ln(c)/2 + n (atanh(sin phi) - e atanh(e sin phi))),
// which is the note's w = c (Sa Sb^e)^n, sin chi = (w - 1)/(w + 1).
Stereographic::Stereographic(double a, double f, double lat0_deg, double lon0_deg, double k0,
                             double false_easting_m, double false_northing_m)
    : a_(a), e2_(f * (2 - f)), fe_(false_easting_m), fn_(false_northing_m) {
  e_ = std::sqrt(e2_);
  const double phi0 = lat0_deg * kDeg;
  lon0_ = lon0_deg * kDeg;
  const double s0 = std::sin(phi0), c0 = std::cos(phi0);
  const double w = 1 - e2_ * s0 * s0;
  const double rho0 = a_ * (1 - e2_) / (w * std::sqrt(w));
  const double nu0 = a_ / std::sqrt(w);
  const double r = std::sqrt(rho0 * nu0);
  n_ = std::sqrt(1 + e2_ * c0 * c0 * c0 * c0 / (1 - e2_));
  // c from the note: sin chi0 from w1 (c = 1), then c = (n + sin phi0)(1 - sin chi0) /
  // ((n - sin phi0)(1 + sin chi0)); chi0 itself with that c.
  const double psi0 = std::atanh(s0) - e_ * std::atanh(e_ * s0);
  const double sin_chi0_w1 = std::tanh(n_ * psi0);
  const double c = (n_ + s0) * (1 - sin_chi0_w1) / ((n_ - s0) * (1 + sin_chi0_w1));
  half_log_c_ = 0.5 * std::log(c);
  sin_chi0_ = std::tanh(half_log_c_ + n_ * psi0);
  cos_chi0_ = std::sqrt(1 - sin_chi0_ * sin_chi0_);
  r2k_ = 2 * r * k0;
}

void Stereographic::convergence_scale(double sin_chi, double cos_chi, double sin_d, double cos_d,
                                      double sin_phi, Convergence& out) const {
  const double b = 1 + sin_chi * sin_chi0_ + cos_chi * cos_chi0_ * cos_d;
  // Plane direction of local east: d(E, N)/dD up to the positive factor 2Rk0 cos(chi)/B^2.
  const double de = cos_d * b + cos_chi * cos_chi0_ * sin_d * sin_d;
  const double dn =
      sin_d * (sin_chi0_ * b + cos_chi0_ * (sin_chi * cos_chi0_ - cos_chi * sin_chi0_ * cos_d));
  const double len = std::sqrt(de * de + dn * dn);
  out.cos_gamma = len > 0 ? de / len : 1;
  out.sin_gamma = len > 0 ? dn / len : 0;
  // Scale: the sphere's stereographic scale 2 k0 / B times the Gauss mapping's
  // R n cos(chi) / (nu cos(phi)); with 2 R k0 = r2k_: r2k_ n cos(chi) / (B nu cos(phi)).
  const double cos_phi = std::sqrt(std::max(1 - sin_phi * sin_phi, 1e-24));
  const double nu = a_ / std::sqrt(1 - e2_ * sin_phi * sin_phi);
  out.scale = r2k_ * n_ * cos_chi / (b * nu * cos_phi);
}

StereoPoint Stereographic::forward(double lat_deg, double lon_deg) const {
  const double sin_phi = std::sin(lat_deg * kDeg);
  const double psi = atanh_log(sin_phi) - e_atanh_es(e_, sin_phi);
  const double sin_chi = tanh_exp(half_log_c_ + n_ * psi);
  const double cos_chi = std::sqrt(std::max(1 - sin_chi * sin_chi, 0.0));
  const double d = n_ * std::remainder(lon_deg * kDeg - lon0_, 2 * std::numbers::pi);
  const double sin_d = std::sin(d), cos_d = std::cos(d);
  const double b = 1 + sin_chi * sin_chi0_ + cos_chi * cos_chi0_ * cos_d;
  StereoPoint p;
  p.x = fe_ + r2k_ * cos_chi * sin_d / b;
  p.y = fn_ + r2k_ * (sin_chi * cos_chi0_ - cos_chi * sin_chi0_ * cos_d) / b;
  convergence_scale(sin_chi, cos_chi, sin_d, cos_d, sin_phi, p.local);
  return p;
}

LatLon Stereographic::reverse(double x, double y, Convergence* local) const {
  // The sphere: inverse stereographic about (chi0, 0).
  // The angular distance c from the centre has tan(c/2) = rho / 2Rk0, so
  // sin c = 2t / (1 + t^2) and cos c = (1 - t^2) / (1 + t^2) with t = tan(c/2).
  const double u = x - fe_, v = y - fn_;
  const double rho = std::sqrt(u * u + v * v);
  double sin_chi = sin_chi0_, d = 0, sin_d = 0, cos_d = 1;
  if (rho > 0) {
    const double t = rho / r2k_, t2 = t * t;
    const double sc = 2 * t / (1 + t2), cc = (1 - t2) / (1 + t2);
    sin_chi = cc * sin_chi0_ + v * sc * cos_chi0_ / rho;
    const double dy = u * sc, dx = rho * cos_chi0_ * cc - v * sin_chi0_ * sc;
    d = std::atan2(dy, dx);
    const double h = std::sqrt(dx * dx + dy * dy);
    if (h > 0) {
      sin_d = dy / h;
      cos_d = dx / h;
    }
  }
  // Geodetic latitude from the isometric latitude: solve
  // f(s) = atanh(s) - e atanh(e s) - psi = 0 for s = sin(phi). One fixed-point
  // step s = tanh(psi + e atanh(e s)) from the sphere's s = tanh(psi) leaves an
  // error of order e^4; two Newton steps (f' = 1/(1 - s^2) - e^2/(1 - e^2 s^2))
  // square it twice, below rounding.
  const double psi = (atanh_log(sin_chi) - half_log_c_) / n_;
  double s = tanh_exp(psi + e_atanh_es(e_, tanh_exp(psi)));
  for (int i = 0; i < 2; ++i) {
    const double f = atanh_log(s) - e_atanh_es(e_, s) - psi;
    const double fp = 1 / (1 - s * s) - e2_ / (1 - e2_ * s * s);
    s = std::clamp(s - f / fp, -1.0, 1.0);
  }
  LatLon out;
  out.lat_deg = std::asin(s) / kDeg;
  out.lon_deg = std::remainder(lon0_ + d / n_, 2 * std::numbers::pi) / kDeg;
  if (local) {
    const double cos_chi = std::sqrt(std::max(1 - sin_chi * sin_chi, 0.0));
    convergence_scale(sin_chi, cos_chi, sin_d, cos_d, s, *local);
  }
  return out;
}

}  // namespace skyfuse::geo
