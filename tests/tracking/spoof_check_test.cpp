// The Remote ID spoofing checks alone, on hand-built claims in the plane
// (receiver and radar at the origin, site height 0).
#include "tracking/spoof_check.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace skyfuse::tracking {
namespace {

const Time kT0 = Time::from_seconds(1717236000.0);
Time at(double s) { return kT0 + Duration::from_seconds(s); }

SensorInfo receiver() {
  SensorInfo s;
  s.sensor.id = 1;
  s.sensor.kind = SensorKind::kRemoteId;
  s.sensor.max_range_m = 3000;
  return s;
}

SensorInfo radar() {
  SensorInfo s;
  s.sensor.id = 2;
  s.sensor.kind = SensorKind::kDroneRadar;
  s.sensor.max_range_m = 6000;  // 1 m^2: a 0.02 m^2 UAV to 2256 m
  s.interval_s = 1;
  return s;
}

Report rid(std::optional<Eigen::Vector2d> v = std::nullopt) {
  Report r;
  r.sensor_kind = SensorKind::kRemoteId;
  if (v) r.velocity_enu_mps = Eigen::Vector3d(v->x(), v->y(), 0);
  return r;
}

std::uint16_t reasons(const SpoofChecker& c, const std::string& serial) {
  const SpoofVerdict* v = c.verdict(serial);
  return v ? v->reasons : 0;
}

TEST(SpoofCheck, InactiveWithoutReceiverOrWhenDisabled) {
  SpoofConfig off;
  off.enabled = false;
  EXPECT_FALSE(SpoofChecker(off, true).active());
  EXPECT_FALSE(SpoofChecker(SpoofConfig{}, false).active());
  EXPECT_TRUE(SpoofChecker(SpoofConfig{}, true).active());
}

TEST(SpoofCheck, HonestFlightIsNotFlagged) {
  SpoofChecker c(SpoofConfig{}, true);
  const SensorInfo rx = receiver();
  const Eigen::Vector2d v(10, 5);
  for (int k = 0; k < 120; ++k) {
    // Free-space RSSI over a range growing from 112 m to 1.4 km.
    const Eigen::Vector2d xy = Eigen::Vector2d(100, 50) + v * k;
    Report r = rid(v);
    r.rssi_dbm = -40 - 20 * std::log10(xy.norm() / 100);
    r.clock_offset_s = 0.1 * (k % 5);
    c.remote_id(rx, "A", xy, 100, at(k), r);
  }
  EXPECT_EQ(reasons(c, "A"), 0);
}

TEST(SpoofCheck, ZeroSpeedWhileMovingIsASpeedMismatchOnlyWhenSustained) {
  SpoofChecker c(SpoofConfig{}, true);
  const SensorInfo rx = receiver();
  // 0.5 m/s drift reported as 0 (the real Parrot ANAFI): within tolerance.
  for (int k = 0; k < 60; ++k)
    c.remote_id(rx, "drift", Eigen::Vector2d(200 + 0.5 * k, 0), 50, at(k),
                rid(Eigen::Vector2d::Zero()));
  EXPECT_EQ(reasons(c, "drift"), 0);
  // 12 m/s reported as 0: flagged once 10 s window + 10 s sustained have passed.
  for (int k = 0; k <= 15; ++k)
    c.remote_id(rx, "fast", Eigen::Vector2d(200 + 12.0 * k, 0), 50, at(k),
                rid(Eigen::Vector2d::Zero()));
  EXPECT_EQ(reasons(c, "fast"), 0);
  for (int k = 16; k <= 25; ++k)
    c.remote_id(rx, "fast", Eigen::Vector2d(200 + 12.0 * k, 0), 50, at(k),
                rid(Eigen::Vector2d::Zero()));
  EXPECT_EQ(reasons(c, "fast"), spoof_bit(SpoofReason::kSpeedMismatch));
}

TEST(SpoofCheck, AJumpThatStaysIsImpossibleOneThatAlternatesIsTwoPlaces) {
  SpoofChecker c(SpoofConfig{}, true);
  const SensorInfo rx = receiver();
  for (int k = 0; k < 5; ++k) c.remote_id(rx, "jump", Eigen::Vector2d(100, 0), 50, at(k), rid());
  // 2 km in 1 s, and stays there.
  for (int k = 5; k < 10; ++k) c.remote_id(rx, "jump", Eigen::Vector2d(2100, 0), 50, at(k), rid());
  EXPECT_EQ(reasons(c, "jump"), spoof_bit(SpoofReason::kImpossibleJump));

  for (int k = 0; k < 10; ++k) {
    const Eigen::Vector2d xy = k % 2 ? Eigen::Vector2d(2100, 0) : Eigen::Vector2d(100, 0);
    c.remote_id(rx, "twice", xy, 50, at(0.5 * k), rid());
  }
  EXPECT_EQ(reasons(c, "twice"), spoof_bit(SpoofReason::kTwoPlaces));
  const SpoofVerdict* v = c.verdict("twice");
  ASSERT_NE(v, nullptr);
  EXPECT_NEAR(v->confidence, 0.9, 1e-12);
}

TEST(SpoofCheck, FarBeyondTheReceiverAndClockOffsets) {
  SpoofChecker c(SpoofConfig{}, true);
  const SensorInfo rx = receiver();
  c.remote_id(rx, "far", Eigen::Vector2d(4480, 0), 50, at(0), rid());  // < 1.5 x 3 km
  EXPECT_EQ(reasons(c, "far"), 0);
  c.remote_id(rx, "far", Eigen::Vector2d(4520, 0), 50, at(5), rid());
  EXPECT_EQ(reasons(c, "far"), spoof_bit(SpoofReason::kOutOfReceptionRange));

  Report r = rid();
  r.clock_offset_s = 42;
  c.remote_id(rx, "late", Eigen::Vector2d(100, 0), 50, at(0), r);
  EXPECT_EQ(reasons(c, "late"), spoof_bit(SpoofReason::kTimeInconsistent));
  for (int k = 0; k < 10; ++k) {
    r.clock_offset_s = k;  // within 10 s, but wandering 9 s
    c.remote_id(rx, "wander", Eigen::Vector2d(100, 0), 50, at(k), r);
  }
  EXPECT_EQ(reasons(c, "wander"), spoof_bit(SpoofReason::kTimeInconsistent));
}

TEST(SpoofCheck, ConstantRssiOverAGrowingRange) {
  SpoofChecker c(SpoofConfig{}, true);
  const SensorInfo rx = receiver();
  for (int k = 0; k < 40; ++k) {
    Report r = rid();
    r.rssi_dbm = -70 + (k % 3) * 0.5;  // flat, 1 dB of noise
    c.remote_id(rx, "flat", Eigen::Vector2d(100 + 20.0 * k, 0), 50, at(k), r);
  }
  EXPECT_EQ(reasons(c, "flat"), spoof_bit(SpoofReason::kRssiConstant));
}

TEST(SpoofCheck, RadarThatSeesOthersButNothingAtTheClaim) {
  SpoofChecker c(SpoofConfig{}, true);
  const SensorInfo rx = receiver(), rad = radar();
  for (int k = 0; k < 30; ++k) {
    // A real drone at (500, 0), seen each scan; a claim at (-800, 300) never.
    c.radar_plot(rad, Eigen::Vector2d(500 + 3, 0), 50, at(k + 0.3));
    c.remote_id(rx, "real", Eigen::Vector2d(500, 0), 50, at(k), rid());
    c.remote_id(rx, "ghost", Eigen::Vector2d(-800, 300), 50, at(k), rid());
    // Beyond the radar's reach for a small UAV (2256 m): not covered.
    c.remote_id(rx, "beyond", Eigen::Vector2d(2500, 0), 50, at(k), rid());
    c.evaluate(at(k));
  }
  c.evaluate(at(30), true);
  EXPECT_EQ(reasons(c, "real"), 0);
  EXPECT_EQ(reasons(c, "beyond"), 0);
  EXPECT_EQ(reasons(c, "ghost"), spoof_bit(SpoofReason::kNoRadarConfirmation));
}

}  // namespace
}  // namespace skyfuse::tracking
