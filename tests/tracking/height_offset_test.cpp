#include "tracking/height_offset.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace skyfuse::tracking {
namespace {

const geo::AtmosphereConfig kIsaPlus5{
    .isa_deviation_k = 5, .qnh_hpa = 1013.25, .geoid_undulation_m = 49.5};

TEST(HeightOffsetModel, WithoutAircraftItIsTheConfiguredAtmosphere) {
  HeightOffsetModel m(kIsaPlus5, true);
  const geo::Atmosphere atm(kIsaPlus5);
  for (double hp : {0.0, 3048.0, 10668.0, 13716.0})
    EXPECT_NEAR(m.offset_m(hp), atm.offset_m(hp), 0.5) << hp;
  // FL350 at ISA+5, N 49.5: about 280 m (geo::Atmosphere's hand-derived value).
  EXPECT_NEAR(m.offset_m(10668), 280, 5);
  EXPECT_NEAR(m.variance_m2(10668), 40.0 * 40.0 + 25, 1);
  HeightOffsetModel isa(geo::AtmosphereConfig{}, false);
  EXPECT_NEAR(isa.variance_m2(10668), 150.0 * 150.0 + 25, 1);
}

TEST(HeightOffsetModel, AircraftNearALevelSetItsOffsetThere) {
  // The prior says ISA (no deviation, no undulation); aircraft at FL330-370
  // all measure the ISA+5 offset there: near FL350 the model follows them;
  // far below (FL100) the trend through them and the prior gives a value
  // between the prior and the truth, and a larger variance.
  HeightOffsetModel m(geo::AtmosphereConfig{}, false);
  const geo::Atmosphere truth(kIsaPlus5), isa(geo::AtmosphereConfig{});
  m.begin();
  for (int i = 0; i < 40; ++i) {
    const double hp = 10058 + i * 30.0;  // FL330 .. FL369
    m.add(hp, truth.offset_m(hp));
  }
  m.finish();
  EXPECT_EQ(m.samples(), 40u);
  EXPECT_NEAR(m.offset_m(10668), truth.offset_m(10668), 10);
  EXPECT_LT(m.variance_m2(10668), 30.0 * 30.0);
  const double lo = std::min(isa.offset_m(3048), truth.offset_m(3048));
  const double hi = std::max(isa.offset_m(3048), truth.offset_m(3048));
  EXPECT_GE(m.offset_m(3048), lo - 1);
  EXPECT_LE(m.offset_m(3048), hi + 25);
  EXPECT_GT(m.variance_m2(3048), 4 * m.variance_m2(10668));
  // A rebuild without them forgets them.
  m.begin();
  m.finish();
  EXPECT_NEAR(m.offset_m(10668), isa.offset_m(10668), 0.5);
}

TEST(HeightOffsetModel, ATrendCarriesTheCorrectionToLevelsWithoutAircraft) {
  // The tracker believes ISA; the air is ISA+15 with a 50 m geoid. Aircraft at
  // FL100 and FL380 only: between and above them the offset follows the trend
  // (hand check: the truth's offset is near linear in pressure altitude).
  const geo::Atmosphere truth(geo::AtmosphereConfig{15, 1013.25, 50});
  HeightOffsetModel m(geo::AtmosphereConfig{}, false);
  m.begin();
  for (const double hp : {3048.0, 11582.0})
    for (int i = 0; i < 5; ++i) m.add(hp, truth.offset_m(hp));
  m.finish();
  for (const double hp : {3048.0, 7620.0, 10363.0, 11582.0})
    EXPECT_NEAR(m.offset_m(hp), truth.offset_m(hp), 25) << hp;
  EXPECT_GT(std::abs(truth.offset_m(7620) - geo::Atmosphere(geo::AtmosphereConfig{}).offset_m(7620)), 200);
}

TEST(HeightOffsetModel, IgnoresWhatIsNotANumberOrOutOfRange) {
  HeightOffsetModel m(geo::AtmosphereConfig{}, false);
  m.begin();
  m.add(std::nan(""), 100);
  m.add(5000, std::numeric_limits<double>::infinity());
  m.add(99999, 100);
  m.finish();
  EXPECT_EQ(m.samples(), 0u);
  EXPECT_TRUE(std::isfinite(m.offset_m(-5000)));
  EXPECT_TRUE(std::isfinite(m.offset_m(50000)));
}

}  // namespace
}  // namespace skyfuse::tracking
