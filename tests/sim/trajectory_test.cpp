#include "sim/trajectory.hpp"

#include <gtest/gtest.h>

#include <GeographicLib/Geodesic.hpp>
#include <cmath>

#include "geo/wgs84.hpp"

namespace skyfuse::sim {
namespace {

const Time kStart = Time::from_seconds(1.7e9);

TEST(Fly, StraightFlightFollowsTheGeodesic) {
  // On the ellipsoid surface (h = 0), 600 s at 250 m/s heading 045 must end
  // where GeographicLib's geodesic from the start point, 150 km long, ends.
  ParametricTarget p;
  p.id = "s";
  p.start = {47.0, 8.0, 0.0};
  p.heading_deg = 45;
  p.speed_mps = 250;
  p.legs = {{.duration_s = 600}};
  const Trajectory t = fly(p, kStart);
  double lat2, lon2, azi2;
  GeographicLib::Geodesic::WGS84().Direct(47.0, 8.0, 45.0, 150000.0, lat2, lon2, azi2);
  const auto end = t.samples.back();
  EXPECT_EQ(end.time, kStart + Duration::from_seconds(600));
  const double miss =
      (geo::geodetic_to_ecef(end.position) - geo::geodetic_to_ecef({lat2, lon2, 0})).norm();
  EXPECT_LT(miss, 1.0);
  const double heading =
      std::atan2(end.velocity_enu_mps.x(), end.velocity_enu_mps.y()) * 180 / M_PI;
  EXPECT_NEAR(heading, azi2, 1e-3);
  EXPECT_NEAR(end.velocity_enu_mps.norm(), 250, 1e-9);
}

TEST(Fly, SixDegreePerSecondTurnClosesACircle) {
  ParametricTarget p;
  p.id = "t";
  p.start = {51.0, 0.0, 3000.0};
  p.heading_deg = 90;
  p.speed_mps = 150;
  p.legs = {{.duration_s = 60, .turn_rate_dps = 6}};
  const Trajectory t = fly(p, kStart);
  const geo::LocalFrame f(p.start);
  double max_d = 0;
  for (const auto& s : t.samples) max_d = std::max(max_d, f.forward(s.position).head<2>().norm());
  const double diameter = 2 * 150 / (6 * M_PI / 180);
  EXPECT_NEAR(max_d, diameter, 2.0);
  EXPECT_LT(f.forward(t.samples.back().position).norm(), 2.0);  // back at the start
  // Right turn from east: after 15 s (90 deg) the target heads south.
  const auto q = t.at(kStart + Duration::from_seconds(15));
  ASSERT_TRUE(q);
  EXPECT_NEAR(q->velocity_enu_mps.y(), -150, 0.5);
}

TEST(Fly, ClimbAndSpeedChangeRespectLimits) {
  ParametricTarget p;
  p.id = "c";
  p.start = {10.0, 20.0, 1000.0};
  p.speed_mps = 100;
  p.legs = {{.duration_s = 100, .vertical_rate_mps = 10, .accel_mps2 = 1, .max_speed_mps = 150},
            {.duration_s = 100, .accel_mps2 = -2, .min_speed_mps = 0}};
  const Trajectory t = fly(p, kStart);
  const auto mid = t.at(kStart + Duration::from_seconds(100));
  ASSERT_TRUE(mid);
  EXPECT_NEAR(mid->position.alt_m, 2000, 1e-6);
  EXPECT_NEAR(mid->velocity_enu_mps.norm(), 150, 0.2);
  EXPECT_NEAR(t.samples.back().velocity_enu_mps.norm(), 0, 1e-9);  // decelerated to a hover
}

TEST(Trajectory, InterpolatesThroughSamplesAndRefusesGaps) {
  ParametricTarget p;
  p.id = "i";
  p.start = {47.0, 179.99, 5000.0};  // crosses the antimeridian
  p.heading_deg = 90;
  p.speed_mps = 200;
  p.legs = {{.duration_s = 20}};
  Trajectory t = fly(p, kStart, 1.0);
  for (std::size_t i = 0; i < t.samples.size(); ++i) {
    const auto s = t.at(t.samples[i].time);
    ASSERT_TRUE(s);
    EXPECT_LT(
        (geo::geodetic_to_ecef(s->position) - geo::geodetic_to_ecef(t.samples[i].position)).norm(),
        1e-6);
  }
  const auto mid = t.at(kStart + Duration::from_seconds(10.5));
  ASSERT_TRUE(mid);
  EXPECT_NEAR(mid->velocity_enu_mps.x(), 200, 0.01);
  EXPECT_FALSE(t.at(kStart - Duration::from_seconds(1)));
  EXPECT_FALSE(t.at(kStart + Duration::from_seconds(21)));
  t.max_gap_s = 0.5;
  EXPECT_FALSE(t.at(kStart + Duration::from_seconds(3.5)));
}

TEST(Trajectory, ReanchorKeepsShapeAndMovesStart) {
  ParametricTarget p;
  p.id = "r";
  p.start = {40.45, -79.78, 300.0};
  p.heading_deg = 10;
  p.speed_mps = 8;
  p.legs = {{.duration_s = 60, .turn_rate_dps = 2}};
  Trajectory t = fly(p, kStart, 1.0);
  const geo::LocalFrame before(t.samples.front().position);
  const Eigen::Vector3d offset = before.forward(t.samples.back().position);
  reanchor(t, {47.47, 8.53, 430.0}, kStart + Duration::from_seconds(100));
  EXPECT_EQ(t.samples.front().time, kStart + Duration::from_seconds(100));
  EXPECT_NEAR(t.samples.front().position.lat_deg, 47.47, 1e-12);
  const geo::LocalFrame after(t.samples.front().position);
  EXPECT_LT((after.forward(t.samples.back().position) - offset).norm(), 1e-6);
}

}  // namespace
}  // namespace skyfuse::sim
