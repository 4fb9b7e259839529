// Airspace regions (geo/regions.hpp) against distances derived by hand: one
// degree of longitude at 47 deg N is 111.195 km x cos 47 = 75.84 km on the
// mean sphere, so 0.3 deg is 22.75 km and 0.5 deg 37.9 km.
#include "geo/regions.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <stdexcept>

namespace skyfuse::geo {
namespace {

Regions three(double margin_m) {
  return Regions({{"west", {{45, 5}, {48.5, 5}, {48.5, 7.6}, {45, 7.6}}},
                  {"centre", {{45, 7.6}, {48.5, 7.6}, {48.5, 8.9}, {45, 8.9}}},
                  {"rest", {}}},
                 margin_m);
}

TEST(Regions, EveryPointHasOneOwnerTheFirstPolygonOrTheRest) {
  const Regions r = three(30000);
  EXPECT_EQ(r.owner(47.0, 6.0), 0u);
  EXPECT_EQ(r.owner(47.0, 8.0), 1u);
  EXPECT_EQ(r.owner(47.0, 9.5), 2u);   // east of both polygons
  EXPECT_EQ(r.owner(59.9, 30.3), 2u);  // St Petersburg
  EXPECT_EQ(r.owner(44.0, 6.0), 2u);   // south of both
  EXPECT_EQ(r.find("centre"), 1u);
  EXPECT_FALSE(r.find("north"));
}

TEST(Regions, TheMarginReachesAcrossABoundaryAndNoFurther) {
  const Regions r = three(30000);
  // 22.75 km west of the west/centre boundary: centre tracks it as well.
  EXPECT_TRUE(r.near(0, 47.0, 7.3));
  EXPECT_TRUE(r.near(1, 47.0, 7.3));
  // 37.9 km west of it: only west.
  EXPECT_FALSE(r.near(1, 47.0, 7.1));
  // The rest is 166 km and more away from (47.0, 7.3).
  EXPECT_FALSE(r.near(2, 47.0, 7.3));
  // East of the centre polygon by 0.3 deg: rest owns it, centre's margin holds it.
  EXPECT_EQ(r.owner(47.0, 9.2), 2u);
  EXPECT_TRUE(r.near(1, 47.0, 9.2));
  EXPECT_FALSE(r.near(0, 47.0, 9.2));
  // 0.05 deg (3.8 km) west of the shared west/centre edge: the rest's
  // nearest own point is 102 km east (8.9 deg) or 166 km north, not across
  // the shared edge, which is no edge of the rest.
  EXPECT_FALSE(r.near(2, 47.0, 7.55));
  // 20 km south of the polygons (45 deg N - 0.18 deg): rest owns it, both
  // polygons' margins hold it.
  EXPECT_EQ(r.owner(44.82, 7.0), 2u);
  EXPECT_TRUE(r.near(0, 44.82, 7.0));
  EXPECT_FALSE(r.near(1, 44.82, 7.0));  // 0.6 deg of longitude (47 km) and 20 km
  EXPECT_TRUE(r.near(2, 45.1, 7.0));    // 11 km inside west's south edge
  // Without a margin a region tracks only what it owns.
  const Regions tight = three(0);
  EXPECT_FALSE(tight.near(1, 47.0, 7.59));
  EXPECT_TRUE(tight.near(0, 47.0, 7.59));
}

TEST(Regions, WithoutARestThePointGoesToTheNearestPolygon) {
  const Regions r(
      {{"a", {{45, 5}, {46, 5}, {46, 6}, {45, 6}}}, {"b", {{45, 8}, {46, 8}, {46, 9}, {45, 9}}}},
      10000);
  EXPECT_EQ(r.owner(45.5, 6.5), 0u);  // 0.5 deg from a, 1.5 deg from b
  EXPECT_EQ(r.owner(45.5, 7.6), 1u);
  // The gap between a (to 6 deg E) and b (from 8 deg E) is split at its
  // midline, 7 deg E (1 deg of longitude at 45.5 deg N is 78 km). Inside b,
  // 2.1 deg from a: no point of a's within 10 km.
  EXPECT_FALSE(r.near(0, 45.5, 8.1));
  // 7.05 deg is b's, 3.9 km past the midline: a's points are within 10 km.
  EXPECT_EQ(r.owner(45.5, 7.05), 1u);
  EXPECT_TRUE(r.near(0, 45.5, 7.05));
  // 7.5 deg, 39 km past the midline: none.
  EXPECT_FALSE(r.near(0, 45.5, 7.5));  // 0.5 deg (39 km) into b's half
}

// Two polygons that were meant to touch but leave a 30 m sliver: the sliver
// is the rest's, and the rest's margin reaches from it.
TEST(Regions, ASliverBetweenPolygonsStaysTheRests) {
  const Regions r({{"a", {{45, 5}, {46, 5}, {46, 6}, {45, 6}}},
                   {"b", {{45, 6.0004}, {46, 6.0004}, {46, 7}, {45, 7}}},
                   {"rest", {}}},
                  10000);
  EXPECT_EQ(r.owner(45.5, 6.0002), 2u);
  EXPECT_TRUE(r.near(2, 45.5, 5.95));  // 4 km west of the sliver
  EXPECT_FALSE(r.near(2, 45.5, 5.7));  // 23 km west of it, 78 km from every outer edge
}

TEST(Regions, BadShapesAreRefused) {
  EXPECT_THROW(Regions({}, 0), std::invalid_argument);
  EXPECT_THROW(Regions({{"a", {{45, 5}, {46, 5}}}}, 0), std::invalid_argument);
  EXPECT_THROW(Regions({{"a", {{95, 5}, {46, 5}, {46, 6}}}}, 0), std::invalid_argument);
  EXPECT_THROW(Regions({{"a", {}}, {"b", {}}}, 0), std::invalid_argument);
  EXPECT_THROW(Regions({{"a", {}}, {"a", {{45, 5}, {46, 5}, {46, 6}}}}, 0), std::invalid_argument);
  EXPECT_THROW(Regions({{"a", {}}}, -1), std::invalid_argument);
}

// A radar at (47, 8) on the ellipsoid, a plot due east at 50 km slant range
// with Mode C 3,000 m: ground range sqrt(50000^2 - 3000^2) = 49,909.9 m; on
// WGS-84 the prime vertical radius at 47 deg is N = 6,389,586 m, so the
// longitude grows by 49,909.9 / (N cos 47) = 0.6562 deg (the geodesic bends
// south by s^2 tan 47 / 2N = 209 m, 0.0019 deg of latitude).
TEST(Regions, ARadarPlotIsPlacedFromItsSite) {
  Sensor s;
  s.id = 1;
  s.site = {47.0, 8.0, 0.0};
  Report r;
  r.sensor = 1;
  PolarMeasurement m;
  m.range_m = 50000;
  m.azimuth_rad = std::numbers::pi / 2;
  r.measurement = m;
  r.baro_alt_m = 3000;
  const auto p = report_ground_position(r, {s});
  ASSERT_TRUE(p);
  EXPECT_NEAR(p->second, 8.6562, 0.0005);
  EXPECT_NEAR(p->first, 46.9981, 0.0002);
  r.sensor = 2;  // unknown sensor
  EXPECT_FALSE(report_ground_position(r, {s}));
  Report g;
  GeodeticMeasurement gm;
  gm.position = {59.9, 30.3, 100};
  g.measurement = gm;
  const auto q = report_ground_position(g, {});
  ASSERT_TRUE(q);
  EXPECT_EQ(q->first, 59.9);
  EXPECT_EQ(q->second, 30.3);
}

}  // namespace
}  // namespace skyfuse::geo
