#include "sim/simulator.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <numbers>

#include "core/quality.hpp"
#include "geo/radar_model.hpp"
#include "io/jsonl.hpp"

namespace skyfuse::sim {
namespace {

constexpr double kDeg = std::numbers::pi / 180;
const Time kStart = Time::from_seconds(1.7e9);

Trajectory straight(const std::string& id, GeodeticPosition start, double heading, double speed,
                    double duration, bool adsb = true) {
  ParametricTarget p;
  p.id = id;
  p.identity.icao24 = 0x400000 + static_cast<std::uint32_t>(id.size());
  p.start = start;
  p.heading_deg = heading;
  p.speed_mps = speed;
  p.equipage.adsb = adsb;
  p.legs = {{.duration_s = duration}};
  return fly(p, kStart);
}

Scenario small_scenario() {
  Scenario sc;
  sc.name = "test";
  sc.start = kStart;
  sc.duration_s = 300;
  sc.geometric_minus_baro_m = 50;
  sc.targets.push_back(straight("a", {47.2, 8.2, 8000}, 60, 220, 300));
  sc.targets.push_back(straight("bb", {47.6, 8.9, 4000}, 200, 150, 300));
  Trajectory drone = straight("ccc", {47.45, 8.55, 500}, 30, 10, 300, false);
  drone.target_class = TargetClass::kSmallUav;
  drone.equipage.transponder = Equipage::Transponder::kNone;
  drone.equipage.remote_id = true;
  drone.equipage.rcs_m2 = 0.02;
  sc.targets.push_back(drone);
  RadarConfig psr{.name = "psr", .kind = SensorKind::kPsr, .site = {47.45, 8.56, 450}};
  psr.clutter_per_scan = 5;
  RadarConfig ms{.name = "ms", .kind = SensorKind::kModeSRadar, .site = {47.3, 8.4, 600}};
  RadarConfig dr{.name = "dr", .kind = SensorKind::kDroneRadar, .site = {47.45, 8.55, 450}};
  dr.rotation_period_s = 1;
  dr.max_range_m = 5000;
  dr.min_range_m = 10;
  dr.clutter_per_scan = 0.5;
  sc.radars = {psr, ms, dr};
  sc.adsb.push_back({.name = "adsb", .site = {47.45, 8.55, 500}});
  sc.mlat.push_back({.name = "mlat",
                     .receivers = {{47.45, 8.55, 450},
                                   {47.65, 8.35, 500},
                                   {47.25, 8.35, 500},
                                   {47.30, 8.85, 500},
                                   {47.62, 8.88, 500}}});
  sc.remote_id.push_back({.name = "rid", .site = {47.45, 8.55, 450}});
  return sc;
}

std::vector<std::string> render(const SimOutput& out) {
  std::vector<std::string> lines;
  for (const auto& s : out.truth) lines.push_back(io::to_json(s));
  for (const auto& f : out.feeds)
    for (const auto& r : f.reports) lines.push_back(io::to_json(r, f.sensor));
  return lines;
}

TEST(Simulator, SameSeedSameBytesOtherSeedOtherNoise) {
  const Scenario sc = small_scenario();
  const auto a = render(simulate(sc, 5));
  const auto b = render(simulate(sc, 5));
  const auto c = render(simulate(sc, 6));
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  // Every sensor produced something, and the truth is the same whatever the seed.
  const SimOutput o = simulate(sc, 5);
  for (const auto& f : o.feeds) EXPECT_GT(f.reports.size(), 0u) << f.sensor.name;
  const SimOutput o2 = simulate(sc, 6);
  ASSERT_EQ(o.truth.size(), o2.truth.size());
  for (std::size_t i = 0; i < o.truth.size(); ++i)
    EXPECT_EQ(io::to_json(o.truth[i]), io::to_json(o2.truth[i]));
}

TEST(Simulator, TruthIsOnTheGridOrderedByTimeThenId) {
  const SimOutput o = simulate(small_scenario(), 1);
  EXPECT_EQ(o.truth.size(), 3u * 301u);
  for (std::size_t i = 1; i < o.truth.size(); ++i) {
    const auto& a = o.truth[i - 1];
    const auto& b = o.truth[i];
    EXPECT_TRUE(a.time < b.time || (a.time == b.time && a.id < b.id));
  }
  EXPECT_EQ((o.truth.back().time - kStart).seconds(), 300);
}

TEST(Simulator, RadarNoiseAndBiasHaveTheConfiguredStatistics) {
  Scenario sc = small_scenario();
  sc.duration_s = 3000;
  sc.targets = {straight("far", {47.0, 7.0, 10000}, 90, 50, 3000)};
  RadarConfig rc{.name = "r", .kind = SensorKind::kModeSRadar, .site = {47.3, 8.0, 500}};
  rc.pd = 1;
  rc.sigma_range_m = 30;
  rc.sigma_azimuth_deg = 0.05;
  rc.bias_range_m = 100;
  rc.bias_azimuth_deg = 0.2;
  rc.rotation_period_s = 4;
  sc.radars = {rc};
  sc.adsb.clear();
  sc.mlat.clear();
  sc.remote_id.clear();
  const SimOutput o = simulate(sc, 3);
  const auto& reports = o.feeds.at(0).reports;
  ASSERT_GT(reports.size(), 700u);
  const geo::RadarModel model(rc.site);
  double sr = 0, sr2 = 0, sa = 0, sa2 = 0;
  for (const auto& r : reports) {
    const auto truth = sc.targets[0].at(r.time);
    ASSERT_TRUE(truth);
    const geo::Polar z = model.forward(truth->position);
    const auto& m = std::get<PolarMeasurement>(r.measurement);
    const double dr = m.range_m - z.range_m;
    const double da = std::remainder(m.azimuth_rad - z.azimuth_rad, 2 * std::numbers::pi) / kDeg;
    sr += dr;
    sr2 += dr * dr;
    sa += da;
    sa2 += da * da;
    // Beam timing: the plot is taken when the antenna points at the target.
    const double beam =
        std::fmod(2 * std::numbers::pi * (r.time - kStart).seconds() / 4.0, 2 * std::numbers::pi);
    EXPECT_NEAR(std::remainder(beam - z.azimuth_rad, 2 * std::numbers::pi), 0, 1e-6);
    // Mode S: 25 ft altitude, identity.
    ASSERT_TRUE(r.baro_alt_m);
    EXPECT_NEAR(*r.baro_alt_m, 10000 - 50, 25 * 0.3048 / 2 + 1e-9);
    EXPECT_EQ(r.identity.icao24, sc.targets[0].identity.icao24);
  }
  const double n = static_cast<double>(reports.size());
  EXPECT_NEAR(sr / n, 100, 3 * 30 / std::sqrt(n));
  EXPECT_NEAR(std::sqrt(sr2 / n - (sr / n) * (sr / n)), 30, 3.0);
  EXPECT_NEAR(sa / n, 0.2, 3 * 0.05 / std::sqrt(n));
  EXPECT_NEAR(std::sqrt(sa2 / n - (sa / n) * (sa / n)), 0.05, 0.005);
}

TEST(Simulator, ClutterIsPoissonPerScanAndDetectionFollowsPd) {
  Scenario sc = small_scenario();
  sc.duration_s = 4000;
  sc.targets = {
      straight("t", {47.5, 8.5, 9000}, 0, 1, 4000, false)};  // hovering-ish, always in view
  RadarConfig rc{.name = "r", .kind = SensorKind::kPsr, .site = {47.45, 8.56, 450}};
  rc.pd = 0.8;
  rc.clutter_per_scan = 7;
  rc.rotation_period_s = 4;
  sc.radars = {rc};
  sc.adsb.clear();
  sc.mlat.clear();
  sc.remote_id.clear();
  const auto reports = simulate(sc, 11).feeds.at(0).reports;
  const geo::RadarModel model(rc.site);
  int target_plots = 0;
  for (const auto& r : reports) {
    const auto truth = sc.targets[0].at(r.time);
    const auto z = model.forward(truth->position);
    const auto& m = std::get<PolarMeasurement>(r.measurement);
    if (std::abs(m.range_m - z.range_m) < 300 && std::abs(m.azimuth_rad - z.azimuth_rad) < 0.02)
      ++target_plots;
  }
  const double scans = 1000;
  EXPECT_NEAR(target_plots / scans, 0.8, 0.04);
  EXPECT_NEAR((static_cast<double>(reports.size()) - target_plots) / scans, 7, 0.3);
}

TEST(Simulator, RadarHorizonAndRcsLimitDetection) {
  Scenario sc = small_scenario();
  sc.duration_s = 200;
  // 250 km away at 300 m: below the horizon of a radar 450 m up (about 160 km for both heights).
  sc.targets = {straight("low", {47.45, 11.9, 300}, 0, 0.1, 200),
                straight("high", {47.45, 11.9, 12000}, 0, 0.1, 200)};
  RadarConfig rc{.name = "r", .kind = SensorKind::kModeSRadar, .site = {47.45, 8.56, 450}};
  rc.pd = 1;
  rc.max_range_m = 400e3;
  sc.radars = {rc};
  sc.adsb.clear();
  sc.mlat.clear();
  sc.remote_id.clear();
  const auto reports = simulate(sc, 1).feeds.at(0).reports;
  ASSERT_FALSE(reports.empty());
  for (const auto& r : reports) EXPECT_GT(*r.baro_alt_m, 10000);  // only the high one
  // A small drone is invisible to a primary radar at 20 km but seen at 2 km.
  Scenario d = small_scenario();
  d.duration_s = 100;
  Trajectory near = straight("near", {47.47, 8.56, 600}, 0, 0.1, 100, false);
  Trajectory far = straight("far", {47.63, 8.56, 600}, 0, 0.1, 100, false);
  for (auto* t : {&near, &far}) {
    t->equipage.transponder = Equipage::Transponder::kNone;
    t->equipage.rcs_m2 = 0.01;
  }
  d.targets = {near, far};
  RadarConfig psr{.name = "p", .kind = SensorKind::kPsr, .site = {47.45, 8.56, 450}};
  psr.pd = 1;
  psr.max_range_m = 60e3;  // for 1 m^2; a 0.01 m^2 drone: 19 km
  d.radars = {psr};
  d.adsb.clear();
  d.mlat.clear();
  d.remote_id.clear();
  const auto plots = simulate(d, 1).feeds.at(0).reports;
  ASSERT_FALSE(plots.empty());
  for (const auto& r : plots) EXPECT_LT(std::get<PolarMeasurement>(r.measurement).range_m, 5000);
}

TEST(Simulator, AdsbIntervalsAndNacpConsistentNoise) {
  Scenario sc = small_scenario();
  sc.duration_s = 3000;
  Trajectory t = straight("a", {47.3, 8.3, 9000}, 90, 50, 3000);
  t.equipage.nacp = 9;  // EPU 30 m: sigma per axis 30 / 2.4477 = 12.26 m
  sc.targets = {t};
  sc.radars.clear();
  sc.mlat.clear();
  sc.remote_id.clear();
  sc.adsb[0].dropout_probability = 0;
  const auto reports = simulate(sc, 2).feeds.at(0).reports;
  ASSERT_GT(reports.size(), 2000u);
  double se2 = 0, sn2 = 0;
  for (std::size_t i = 0; i < reports.size(); ++i) {
    if (i) {
      const double dt = (reports[i].time - reports[i - 1].time).seconds();
      EXPECT_GE(dt, 0.5 - 1e-6);
      EXPECT_LE(dt, 2.0 + 1e-6);
    }
    const auto truth = t.at(reports[i].time);
    const geo::LocalFrame f(truth->position);
    const Eigen::Vector3d d =
        f.forward(std::get<GeodeticMeasurement>(reports[i].measurement).position);
    se2 += d.x() * d.x();
    sn2 += d.y() * d.y();
    EXPECT_EQ(reports[i].nacp, 9);
  }
  const double n = static_cast<double>(reports.size());
  EXPECT_NEAR(std::sqrt(se2 / n), 30 / 2.4477, 0.6);
  EXPECT_NEAR(std::sqrt(sn2 / n), 30 / 2.4477, 0.6);
  EXPECT_NEAR(nacp_epu_m(8), 92.6, 1e-9);
}

TEST(Simulator, MultilaterationNoiseGrowsOutsideTheReceiverPolygon) {
  Scenario sc = small_scenario();
  sc.duration_s = 60;
  sc.targets = {straight("inside", {47.45, 8.6, 3000}, 0, 0.1, 60),
                straight("outside", {46.75, 8.6, 9000}, 0, 0.1, 60)};
  sc.radars.clear();
  sc.adsb.clear();
  sc.remote_id.clear();
  const auto reports = simulate(sc, 4).feeds.at(0).reports;
  double in = 0, out = 0;
  int n_in = 0, n_out = 0;
  for (const auto& r : reports) {
    const auto& m = std::get<GeodeticMeasurement>(r.measurement);
    EXPECT_FALSE(m.has_height);
    const double tr = m.covariance_enu.topLeftCorner<2, 2>().trace();
    if (m.position.lat_deg > 47.2) {
      in += tr;
      ++n_in;
    } else {
      out += tr;
      ++n_out;
    }
  }
  ASSERT_GT(n_in, 40);
  ASSERT_GT(n_out, 40);
  EXPECT_GT(out / n_out, 20 * in / n_in);
}

}  // namespace
}  // namespace skyfuse::sim
