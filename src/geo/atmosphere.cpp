#include "geo/atmosphere.hpp"

#include <cmath>

namespace skyfuse::geo {

namespace {
constexpr double kT0 = 288.15;                       // ISA sea-level temperature [K]
constexpr double kP0 = 1013.25;                      // ISA sea-level pressure [hPa]
constexpr double kLapse = 0.0065;                    // ISA troposphere lapse rate [K/m]
constexpr double kTropopause = 11000;                // ISA tropopause (geopotential) [m]
constexpr double kT11 = kT0 - kLapse * kTropopause;  // 216.65 K
constexpr double kG0 = 9.80665;                      // [m/s^2]
constexpr double kR = 287.05287;                     // dry air [J/(kg K)]
constexpr double kEarthRadius = 6371008.8;           // WGS-84 mean radius [m]

// The integral of dT / T_isa(z) over the pressure altitudes [0, hp] (ISA
// geopotential z): the extra thickness, per kelvin, of an atmosphere dT warmer.
double warm_thickness_per_kelvin(double hp) {
  if (hp <= kTropopause) {
    if (hp >= 0) return std::log(kT0 / (kT0 - kLapse * hp)) / kLapse;
    return -std::log((kT0 - kLapse * hp) / kT0) / kLapse;  // below 1013.25 hPa level
  }
  return std::log(kT0 / kT11) / kLapse + (hp - kTropopause) / kT11;
}
}  // namespace

Atmosphere::Atmosphere(AtmosphereConfig cfg) : cfg_(cfg) {
  // The pressure altitude of QNH in ISA: p = p0 (1 - L hp / T0)^(g / (R L)).
  const double ratio = cfg_.qnh_hpa / kP0;
  sea_level_hp_m_ = kT0 / kLapse * (1 - std::pow(ratio, kR * kLapse / kG0));
}

double Atmosphere::geopotential_m(double hp) const {
  return hp + cfg_.isa_deviation_k * warm_thickness_per_kelvin(hp);
}

double Atmosphere::ellipsoid_height_m(double hp) const {
  // Geopotential height above mean sea level: the thickness from the QNH level.
  const double h = geopotential_m(hp) - geopotential_m(sea_level_hp_m_);
  const double z = kEarthRadius * h / (kEarthRadius - h);  // geometric
  return z + cfg_.geoid_undulation_m;
}

double Atmosphere::pressure_altitude_m(double h_ellipsoid) const {
  double hp = h_ellipsoid - cfg_.geoid_undulation_m;
  for (int k = 0; k < 30; ++k) {
    const double f = ellipsoid_height_m(hp) - h_ellipsoid;
    const double d = (ellipsoid_height_m(hp + 1) - ellipsoid_height_m(hp - 1)) / 2;
    const double step = f / d;
    hp -= step;
    if (std::abs(step) < 1e-6) break;
  }
  return hp;
}

}  // namespace skyfuse::geo
