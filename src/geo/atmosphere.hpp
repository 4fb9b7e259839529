// File: geo/atmosphere.hpp
//
// Pressure altitude (what Mode C and ADS-B "flight level" report) <->
// geometric height, for a non-standard atmosphere: the ISA temperature profile
// shifted by `isa_deviation_k` (at every pressure level), a sea-level pressure
// `qnh_hpa`, and the geoid undulation `geoid_undulation_m` that turns a height
// above mean sea level into one above the WGS-84 ellipsoid. Hydrostatic
// integration: between two pressure levels the geopotential thickness scales
// with the layer's temperature, so dH = (T_isa(Hp) + dT) / T_isa(Hp) dHp; the
// pressure altitude of sea level (QNH) is integrated the same way; the
// geopotential height becomes geometric with the WGS-84 mean radius. In ISA
// with QNH 1013.25 hPa and no undulation, the height above the ellipsoid
// differs from the pressure altitude only by the geopotential correction
// (about 18 m at FL350). At ISA+5 K, N = 49.5 m, FL350 lies about 280 m above
// its pressure altitude (hand-derived in tests/geo/atmosphere_test.cpp).
//
//   geo::Atmosphere a({.isa_deviation_k = 5, .qnh_hpa = 1013.25, .geoid_undulation_m = 49.5});
//   double h = a.ellipsoid_height_m(35000 * 0.3048);   // ~10,948 m
//   double hp = a.pressure_altitude_m(h);               // 10,668 m again
#pragma once

namespace skyfuse::geo {

struct AtmosphereConfig {
  double isa_deviation_k = 0;     // temperature minus ISA's, the same at every level
  double qnh_hpa = 1013.25;       // sea-level pressure
  double geoid_undulation_m = 0;  // mean sea level above the WGS-84 ellipsoid
};

class Atmosphere {
 public:
  explicit Atmosphere(AtmosphereConfig cfg = {});
  // Height above the WGS-84 ellipsoid of a pressure altitude (m, ISA).
  double ellipsoid_height_m(double pressure_altitude_m) const;
  // The inverse (Newton on the monotonic forward function).
  double pressure_altitude_m(double ellipsoid_height_m) const;
  // Ellipsoid height minus pressure altitude: what a GNSS-minus-baro offset
  // should be at this pressure altitude.
  double offset_m(double pressure_altitude_m) const {
    return ellipsoid_height_m(pressure_altitude_m) - pressure_altitude_m;
  }
  const AtmosphereConfig& config() const { return cfg_; }

 private:
  double geopotential_m(double pressure_altitude_m) const;  // above the 1013.25 hPa level
  AtmosphereConfig cfg_;
  double sea_level_hp_m_;  // pressure altitude of mean sea level (QNH)
};

}  // namespace skyfuse::geo
