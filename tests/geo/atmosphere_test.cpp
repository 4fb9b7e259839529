// Pressure altitude <-> geometric height (geo/atmosphere.hpp) against values
// derived by hand from the ISA definition (ICAO Doc 7488): hydrostatic
// thickness scaled by T/T_isa, geopotential -> geometric with R = 6,371,008.8 m.
#include "geo/atmosphere.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace skyfuse::geo {
namespace {

constexpr double kFt = 0.3048;

TEST(Atmosphere, IsaDiffersOnlyByTheGeopotentialCorrection) {
  const Atmosphere isa;
  // z = R h / (R - h) at FL350: 10,668 m -> 10,685.893 m.
  EXPECT_NEAR(isa.ellipsoid_height_m(35000 * kFt), 10685.893, 0.005);
  EXPECT_NEAR(isa.ellipsoid_height_m(0), 0, 1e-9);
}

// The independent scenario's atmosphere (ISA+5 K, N = 49.5 m): FL350 is about
// 280 m above its pressure altitude (../shared/data/scenarios/README.md), FL100
// about 106 m, FL450 (above the tropopause) about 362 m.
TEST(Atmosphere, WarmAtmosphereLiftsEveryLevelMoreWithAltitude) {
  const Atmosphere a({.isa_deviation_k = 5, .qnh_hpa = 1013.25, .geoid_undulation_m = 49.5});
  EXPECT_NEAR(a.offset_m(35000 * kFt), 279.870, 0.005);
  EXPECT_NEAR(a.offset_m(10000 * kFt), 105.807, 0.005);
  EXPECT_NEAR(a.offset_m(45000 * kFt), 362.388, 0.005);
  const Atmosphere cold({.isa_deviation_k = -15, .qnh_hpa = 1013.25, .geoid_undulation_m = 0});
  EXPECT_LT(cold.offset_m(35000 * kFt), -600);  // 15 K colder: levels sink
}

// QNH 1023.25 hPa: the 1013.25 hPa level (pressure altitude 0) lies 82.91 m
// above mean sea level.
TEST(Atmosphere, QnhMovesTheSeaLevel) {
  const Atmosphere a({.isa_deviation_k = 0, .qnh_hpa = 1023.25, .geoid_undulation_m = 0});
  EXPECT_NEAR(a.ellipsoid_height_m(0), 82.913, 0.005);
}

TEST(Atmosphere, PressureAltitudeIsTheInverse) {
  const Atmosphere a({.isa_deviation_k = -12, .qnh_hpa = 998, .geoid_undulation_m = 51});
  for (double fl = -10; fl <= 600; fl += 7.5) {
    const double hp = fl * 100 * kFt;
    EXPECT_NEAR(a.pressure_altitude_m(a.ellipsoid_height_m(hp)), hp, 1e-4) << fl;
  }
}

}  // namespace
}  // namespace skyfuse::geo
