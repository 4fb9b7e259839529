// The learned update interval of sensors without a rotation period (issue #16
// item 9): an MLAT feed reporting each aircraft every 4 s made "initiated 2728,
// confirmed 0", because a 1 s default deleted every tentative track before its
// second report.
#include "tracking/interval_learner.hpp"

#include <gtest/gtest.h>

#include <GeographicLib/Geodesic.hpp>

#include "tracking/tracker.hpp"

namespace skyfuse::tracking {
namespace {

const Time kT0 = Time::from_seconds(1717236000.0);

TEST(IntervalLearner, LearnsTheRevisitIntervalOfEachTarget) {
  IntervalLearner l(1.0);
  for (int k = 0; k < 40; ++k)
    for (std::uint64_t a = 1; a <= 5; ++a)
      l.observe(a, kT0 + Duration::from_seconds(4.0 * k + 0.1 * static_cast<double>(a)));
  EXPECT_NEAR(l.interval_s(), 4.0, 0.5);
}

TEST(IntervalLearner, KeepsTheDefaultForFastOrAnonymousReports) {
  IntervalLearner fast(2.0);
  for (int k = 0; k < 100; ++k) fast.observe(7, kT0 + Duration::from_seconds(1.0 * k));
  EXPECT_DOUBLE_EQ(fast.interval_s(), 2.0);
  IntervalLearner anonymous(1.0);
  for (int k = 0; k < 100; ++k) anonymous.observe(0, kT0 + Duration::from_seconds(4.0 * k));
  EXPECT_DOUBLE_EQ(anonymous.interval_s(), 1.0);
  EXPECT_EQ(anonymous.revisits(), 0u);
}

// Tracker: ten aircraft seen only by an MLAT feed every 4 s, no rotation
// period configured: every one becomes one confirmed track.
TEST(IntervalLearner, AnMlatFeedEveryFourSecondsMakesConfirmedTracks) {
  Sensor mlat;
  mlat.id = 1;
  mlat.name = "wam";
  mlat.kind = SensorKind::kMlat;
  mlat.site = {47.46, 8.55, 430};
  mlat.sigma_position_m = 30;
  Tracker tracker(TrackerConfig{}, {mlat});
  for (int k = 0; k < 60; ++k) {
    for (std::uint32_t a = 0; a < 10; ++a) {
      double lat, lon;
      GeographicLib::Geodesic::WGS84().Direct(47.2 + 0.05 * a, 8.3, 90, 200.0 * 4 * k, lat, lon);
      Report r;
      r.time = kT0 + Duration::from_seconds(4.0 * k + 0.3 * a);
      r.sensor = 1;
      r.sensor_kind = SensorKind::kMlat;
      GeodeticMeasurement g;
      g.position = {lat, lon, 9000};
      g.covariance_enu = Eigen::Vector3d(900, 900, 2500).asDiagonal();
      r.measurement = g;
      r.identity.icao24 = 0x4b0000 + a;
      tracker.push(r);
    }
  }
  tracker.flush();
  std::set<std::string> ids;
  for (const ObjectState& s : tracker.drain())
    if (s.status && *s.status != TrackStatus::kDeleted) ids.insert(s.id);
  EXPECT_EQ(ids.size(), 10u);
  EXPECT_EQ(tracker.stats().confirmed, 10u);
}

}  // namespace
}  // namespace skyfuse::tracking
