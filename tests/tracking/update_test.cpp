// The parts of a track update alone: kinematics, height, identity, class.
#include "tracking/update.hpp"

#include <gtest/gtest.h>

#include "fakes.hpp"

namespace skyfuse::tracking {
namespace {

using testing::at;
using testing::World;

PlaneMeasurement at_report(const Prepared& p) { return {p.xy, p.cov, Eigen::Vector2d::Zero()}; }

TEST(UpdateKinematics, PullsTheStateTowardsThePositionAndVelocity) {
  World w;
  const std::uint32_t a = w.add({.xy = {0, 0}, .velocity = {200, 0}});
  Prepared p = w.report({100, 0}, 0.0, std::nullopt);
  p.velocity = Eigen::Vector2d(200, 30);
  p.velocity_cov = Eigen::Matrix2d::Identity();
  estimation::Imm& f = w.table[a].imm;
  update_kinematics(f, at_report(p), p);
  EXPECT_GT(f.state().x(), 50);  // the track's 50 m sigma against the report's 30 m
  EXPECT_LT(f.state().x(), 100);
  EXPECT_GT(f.state()[3], 20);  // the reported velocity is precise
}

TEST(UpdateHeight, APressureAltitudeOutsideTheGateIsTakenWithInflatedNoiseAndCounted) {
  World w;
  const std::uint32_t a = w.add({.xy = {0, 0}, .height_known = 9000});
  TrackRecord& t = w.table[a];
  t.seen_baro = true;  // the offset is 0 in the fake
  Prepared p = w.report({0, 0}, 0.0, std::nullopt, std::nullopt);
  p.baro_m = 9020;
  p.baro_var = 64;
  EXPECT_EQ(update_height(t, p, at_report(p), false, w.offsets, w.cfg), 0);
  const double h1 = t.vert.height();
  EXPECT_GT(h1, 9000);
  p.baro_m = 9600;  // a jump the filter lags
  EXPECT_EQ(update_height(t, p, at_report(p), false, w.offsets, w.cfg), 1);
  EXPECT_GT(t.vert.height(), h1);
  EXPECT_LT(t.vert.height(), 9600);
}

TEST(UpdateHeight, TheFirstHeightOfAHeightlessTrackReplacesTheGuess) {
  World w;
  const std::uint32_t a = w.add({.xy = {0, 0}});  // at the default guess, nothing seen
  TrackRecord& t = w.table[a];
  ASSERT_FALSE(t.height_known());
  Prepared p = w.report({0, 0}, 0.0, std::nullopt, 4321.0);
  update_height(t, p, at_report(p), false, w.offsets, w.cfg);
  EXPECT_EQ(t.vert.height(), 4321.0);
  EXPECT_TRUE(t.seen_geometric);
}

TEST(UpdateIdentity, AnAddressSeenLaterBindsTheTrackUnlessAnotherHoldsIt) {
  World w;
  const std::uint32_t a = w.add({.xy = {0, 0}});
  const std::uint32_t holder = w.add({.xy = {50000, 0}, .icao24 = 0x4b0002});
  Report r;
  r.identity.icao24 = 0x4b0001;
  r.identity.callsign = "SWR12";
  r.identity.mode3a = 01234;
  update_identity(w.table, a, r, false);
  EXPECT_EQ(w.table[a].identity.icao24, 0x4b0001u);
  EXPECT_TRUE(w.table[a].in_icao_map);
  EXPECT_EQ(w.table[a].identity.callsign, "SWR12");
  EXPECT_EQ(w.table[a].identity_hits, 1);

  const std::uint32_t b = w.add({.xy = {0, 9000}});
  r.identity.icao24 = 0x4b0002;
  update_identity(w.table, b, r, false);
  EXPECT_FALSE(w.table[b].in_icao_map);  // the holder keeps it
  Identity id;
  id.icao24 = 0x4b0002;
  EXPECT_EQ(w.table.find(id), holder);
}

TEST(UpdateIdentity, AnSsrReplyWithTheSameCodeAndAltitudeBacksTheAddress) {
  World w;
  const std::uint32_t a =
      w.add({.xy = {0, 0}, .height_known = 9000, .icao24 = 0x4b0001, .mode3a = 01234});
  TrackRecord& t = w.table[a];
  t.seen_baro = true;
  t.identity_hits = 1;
  Prepared p = w.report({0, 0}, 0.0, std::nullopt, std::nullopt);
  w.reports.back().identity.mode3a = 01234;
  p.baro_m = 9050;
  EXPECT_TRUE(backs_identity(t, p, w.cfg));
  p.baro_m = 9300;
  EXPECT_FALSE(backs_identity(t, p, w.cfg));
  p.baro_m = 9050;
  w.reports.back().identity.mode3a = 04321;
  EXPECT_FALSE(backs_identity(t, p, w.cfg));
}

TEST(UpdateClass, ARemoteIdReceiverMakesASmallUav) {
  World w;
  const std::uint32_t a = w.add({.xy = {0, 0}, .velocity = {10, 0}});
  TrackRecord& t = w.table[a];
  t.evidence.drone_sensors_only = true;
  Report r;
  r.sensor_kind = SensorKind::kRemoteId;
  r.identity.remote_id = "1596F3B0";
  update_class(t, r, w.cfg);
  EXPECT_EQ(t.cls, TargetClass::kSmallUav);
  EXPECT_EQ(t.evidence.updates, 1);
  EXPECT_EQ(t.evidence.speed_mps, 10);
}

}  // namespace
}  // namespace skyfuse::tracking
