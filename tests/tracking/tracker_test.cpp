// The tracker as a whole, on hand-built reports: straight flights generated
// with GeographicLib's geodesic (independent of the tracker's plane) and
// radar plots from the geo radar model.
#include "tracking/tracker.hpp"

#include <gtest/gtest.h>

#include <GeographicLib/Geodesic.hpp>
#include <cmath>
#include <map>
#include <numbers>
#include <random>
#include <set>

#include "geo/radar_model.hpp"

namespace skyfuse::tracking {
namespace {

constexpr double kDeg = std::numbers::pi / 180;
const Time kT0 = Time::from_seconds(1717236000.0);

std::vector<Sensor> sensors() {
  Sensor adsb;
  adsb.id = 1;
  adsb.name = "adsb";
  adsb.kind = SensorKind::kAdsb;
  adsb.site = {51.5, -0.1, 100};
  Sensor psr;
  psr.id = 2;
  psr.name = "psr";
  psr.kind = SensorKind::kPsr;
  psr.site = {51.4, 0.0, 80};
  psr.rotation_period_s = 4;
  psr.sigma_range_m = 40;
  psr.sigma_azimuth_rad = 0.08 * kDeg;
  return {adsb, psr};
}

struct Flight {
  double lat, lon, alt, heading_deg, speed;
  GeodeticPosition at(double t) const {
    double lat2, lon2, azi2;
    GeographicLib::Geodesic::WGS84().Direct(lat, lon, heading_deg, speed * t, lat2, lon2, azi2);
    return {lat2, lon2, alt};
  }
};

Report adsb_report(const Flight& f, double t, std::uint32_t icao) {
  Report r;
  r.time = kT0 + Duration::from_seconds(t);
  r.sensor = 1;
  r.sensor_kind = SensorKind::kAdsb;
  GeodeticMeasurement g;
  g.position = f.at(t);
  g.has_height = true;
  g.covariance_enu = Eigen::Vector3d(400, 400, 900).asDiagonal();
  r.measurement = g;
  r.identity.icao24 = icao;
  return r;
}

Report psr_plot(const geo::RadarModel& radar, const GeodeticPosition& p, double t,
                std::mt19937& rng) {
  std::normal_distribution<double> n(0, 1);
  const geo::Polar z = radar.forward(p);
  Report r;
  r.time = kT0 + Duration::from_seconds(t);
  r.sensor = 2;
  r.sensor_kind = SensorKind::kPsr;
  PolarMeasurement m;
  m.range_m = z.range_m + 40 * n(rng);
  m.azimuth_rad = z.azimuth_rad + 0.08 * kDeg * n(rng);
  m.covariance.diagonal() << 1600, std::pow(0.08 * kDeg, 2), 0;
  r.measurement = m;
  return r;
}

std::vector<ObjectState> run(const std::vector<Report>& reports, TrackerConfig cfg = {},
                             Tracker** keep = nullptr) {
  static std::unique_ptr<Tracker> last;
  last = std::make_unique<Tracker>(cfg, sensors());
  for (const Report& r : reports) last->push(r);
  last->flush();
  if (keep) *keep = last.get();
  return last->drain();
}

TEST(Tracker, OneStableTrackPerAircraftFromAdsb) {
  const Flight a{51.3, -0.5, 10000, 45, 230}, b{51.6, 0.2, 8000, 200, 210};
  std::vector<Report> in;
  for (int k = 0; k < 300; ++k) {
    in.push_back(adsb_report(a, k * 1.0 + 0.1, 0x400001));
    in.push_back(adsb_report(b, k * 1.0 + 0.6, 0x400002));
  }
  Tracker* t = nullptr;
  const auto out = run(in, {}, &t);
  std::map<std::string, std::set<std::string>> numbers;  // icao -> track ids
  double worst = 0;
  for (const auto& s : out) {
    ASSERT_TRUE(s.identity.icao24.has_value());
    numbers[std::to_string(*s.identity.icao24)].insert(s.id);
    const Flight& f = *s.identity.icao24 == 0x400001 ? a : b;
    const GeodeticPosition truth = f.at((s.time - kT0).seconds());
    double s12, a1, a2;
    GeographicLib::Geodesic::WGS84().Inverse(truth.lat_deg, truth.lon_deg, s.position.lat_deg,
                                             s.position.lon_deg, s12, a1, a2);
    if (s.status == TrackStatus::kConfirmed) worst = std::max(worst, s12);
  }
  ASSERT_EQ(numbers.size(), 2u);
  for (const auto& [icao, ids] : numbers) EXPECT_EQ(ids.size(), 1u) << icao;
  EXPECT_LT(worst, 100.0);  // 20 m noise, straight flight
  EXPECT_EQ(t->stats().identity_associated, 598u);
  EXPECT_EQ(t->stats().confirmed, 2u);
}

TEST(Tracker, SameInputGivesTheSameOutput) {
  const Flight a{51.3, -0.5, 10000, 45, 230};
  const geo::RadarModel radar({51.4, 0.0, 80});
  std::mt19937 rng(9);
  std::vector<Report> in;
  for (int k = 0; k < 60; ++k) {
    in.push_back(adsb_report(a, k * 1.0 + 0.3, 0x400001));
    if (k % 4 == 0) in.push_back(psr_plot(radar, a.at(k), k, rng));
  }
  const auto x = run(in), y = run(in);
  ASSERT_EQ(x.size(), y.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    EXPECT_EQ(x[i].time, y[i].time);
    EXPECT_EQ(x[i].position.lat_deg, y[i].position.lat_deg);  // bit-identical
    EXPECT_EQ(x[i].position.lon_deg, y[i].position.lon_deg);
    EXPECT_EQ(x[i].velocity_enu_mps, y[i].velocity_enu_mps);
  }
}

TEST(Tracker, PrimaryPlotsOfTwoCrossingAircraftKeepTwoTracks) {
  // Two non-cooperative aircraft crossing at 90 degrees at 3,000 m (the
  // default height for height-less plots): plots only.
  const Flight a{51.20, -0.40, 3000, 90, 150}, b{51.05, -0.18, 3000, 0, 150};
  const geo::RadarModel radar({51.4, 0.0, 80});
  std::mt19937 rng(11);
  std::vector<Report> in;
  for (int scan = 0; scan < 75; ++scan) {
    for (const Flight* f : {&a, &b}) {
      const double t = scan * 4.0;
      in.push_back(psr_plot(radar, f->at(t), t, rng));
    }
  }
  Tracker* t = nullptr;
  const auto out = run(in, {}, &t);
  std::set<std::string> ids;
  for (const auto& s : out) ids.insert(s.id);
  EXPECT_EQ(ids.size(), 2u);
  EXPECT_EQ(t->stats().rejected, 0u);
  // Each track stays on its aircraft: compare the final positions.
  std::map<std::string, ObjectState> last;
  for (const auto& s : out) last[s.id] = s;
  for (const auto& [id, s] : last) {
    const double tt = (s.time - kT0).seconds();
    double da, db, x1, x2;
    GeographicLib::Geodesic::WGS84().Inverse(a.at(tt).lat_deg, a.at(tt).lon_deg, s.position.lat_deg,
                                             s.position.lon_deg, da, x1, x2);
    GeographicLib::Geodesic::WGS84().Inverse(b.at(tt).lat_deg, b.at(tt).lon_deg, s.position.lat_deg,
                                             s.position.lon_deg, db, x1, x2);
    EXPECT_LT(std::min(da, db), 300.0) << id;
  }
}

TEST(Tracker, ImpossibleReportsAreRejectedAndCounted) {
  const Flight a{51.3, -0.5, 10000, 45, 230};
  std::vector<Report> in;
  for (int k = 0; k < 20; ++k) in.push_back(adsb_report(a, k, 0x400001));
  Report fast = adsb_report(a, 20.5, 0x400001);
  fast.velocity_enu_mps = Eigen::Vector3d(5000, 0, 0);
  Report nan_pos = adsb_report(a, 21.5, 0x400001);
  std::get<GeodeticMeasurement>(nan_pos.measurement).position.lat_deg = std::nan("");
  Report unknown = adsb_report(a, 22.5, 0x400001);
  unknown.sensor = 99;
  Report bad_range;
  bad_range.time = kT0 + Duration::from_seconds(23);
  bad_range.sensor = 2;
  bad_range.sensor_kind = SensorKind::kPsr;
  PolarMeasurement neg;
  neg.range_m = -10;
  neg.azimuth_rad = 1;
  bad_range.measurement = neg;
  bad_range.source_offset = 1234;
  for (const Report& r : {fast, nan_pos, unknown, bad_range}) in.push_back(r);
  Tracker* t = nullptr;
  const auto out = run(in, {}, &t);
  EXPECT_EQ(t->stats().rejected, 4u);
  ASSERT_EQ(t->errors().size(), 4u);
  EXPECT_NE(t->errors()[3].find("offset 1234"), std::string::npos) << t->errors()[3];
  for (const auto& s : out) {
    EXPECT_TRUE(std::isfinite(s.position.lat_deg));
    EXPECT_TRUE(s.velocity_enu_mps.allFinite());
  }
}

TEST(Tracker, LateReportsAreUsedNotDroppedUnlessTooOld) {
  const Flight a{51.3, -0.5, 10000, 45, 230};
  std::vector<Report> in;
  for (int k = 0; k < 40; ++k) in.push_back(adsb_report(a, k, 0x400001));
  TrackerConfig cfg;
  cfg.latency_s = 0.5;
  cfg.max_oosm_lag_s = 10;
  // A report 4 s old arrives after the tracker has moved on; another 30 s old.
  Report late = adsb_report(a, 35.5, 0x400001);
  Report too_late = adsb_report(a, 9.5, 0x400001);
  std::vector<Report> order(in.begin(), in.end());
  order.push_back(late);
  order.push_back(too_late);
  order.push_back(adsb_report(a, 40, 0x400001));
  Tracker* t = nullptr;
  run(order, cfg, &t);
  EXPECT_EQ(t->stats().out_of_sequence, 1u);
  EXPECT_EQ(t->stats().late_dropped, 1u);
  EXPECT_EQ(t->stats().associated + t->stats().initiated, 42u);
}

}  // namespace
}  // namespace skyfuse::tracking
