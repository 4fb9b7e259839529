// Safety nets against hand-derived geometry (docs/safety.md).
#include <gtest/gtest.h>

#include <numbers>
#include <random>
#include <set>

#include "core/error.hpp"
#include "safety/safety_nets.hpp"
#include "safety/zones.hpp"

namespace skyfuse::safety {
namespace {

constexpr double kR = 6371008.8;
constexpr double kDeg = std::numbers::pi / 180;

// A track at (east, north) metres from (47 N, 8 E), with velocity.
ObjectState track(const std::string& id, double e, double n, double alt, double ve, double vn,
                  double vu = 0, double t = 1000) {
  ObjectState s;
  s.time = Time::from_seconds(t);
  s.id = id;
  s.position = {47 + n / kR / kDeg, 8 + e / (kR * std::cos(47 * kDeg)) / kDeg, alt};
  s.velocity_enu_mps = Eigen::Vector3d(ve, vn, vu);
  s.status = TrackStatus::kConfirmed;
  s.target_class = TargetClass::kFixedWing;
  return s;
}

TEST(PredictConflict, HeadOnAtOneLevel) {
  // 20 km apart closing at 200 m/s: inside 3 NM after (20000 - 5556) / 200 s.
  auto k = predict_conflict({20000, 0, 0}, {-200, 0, 0}, 5556, 304.8, 120);
  ASSERT_TRUE(k);
  EXPECT_NEAR(k->t_start_s, (20000 - 5556) / 200.0, 1e-9);
  EXPECT_NEAR(k->horizontal_m, 0, 1e-9);  // they meet at t = 100 s
  EXPECT_NEAR(k->vertical_m, 0, 1e-9);
}

TEST(PredictConflict, BeyondLookAheadOrDivergingOrVerticallySeparated) {
  EXPECT_FALSE(predict_conflict({40000, 0, 0}, {-200, 0, 0}, 5556, 304.8, 120));  // t = 172 s
  EXPECT_FALSE(predict_conflict({20000, 0, 0}, {200, 0, 0}, 5556, 304.8, 120));
  EXPECT_FALSE(predict_conflict({20000, 0, 610}, {-200, 0, 0}, 5556, 304.8, 120));  // 2,000 ft
}

TEST(PredictConflict, ClimbingThroughTheLevel) {
  // Horizontally in conflict from t = 0 (2 km apart, parallel); vertically 600 m
  // below, climbing at 10 m/s: |600 - 10 t| < 304.8 from t = 29.52 s.
  auto k = predict_conflict({2000, 0, -600}, {0, 0, 10}, 5556, 304.8, 120);
  ASSERT_TRUE(k);
  EXPECT_NEAR(k->t_start_s, (600 - 304.8) / 10, 1e-9);
  EXPECT_NEAR(k->horizontal_m, 2000, 1e-9);
}

TEST(PredictConflict, CrossingMissDistance) {
  // b starts 10 km east and 10 km south, flying north at 100 m/s; a is still.
  // Closest approach at t = 100 s, 10 km: no 3 NM conflict; with 6 NM there is.
  EXPECT_FALSE(predict_conflict({10000, -10000, 0}, {0, 100, 0}, 5556, 304.8, 120));
  auto k = predict_conflict({10000, -10000, 0}, {0, 100, 0}, 11112, 304.8, 120);
  ASSERT_TRUE(k);
  EXPECT_NEAR(k->horizontal_m, 10000, 1e-6);
  // sqrt(11112^2 - 10000^2) = 4845.5 m before the closest approach.
  EXPECT_NEAR(k->t_start_s, 100 - std::sqrt(11112.0 * 11112 - 1e8) / 100, 1e-6);
}

const char* kZones = R"({"type":"FeatureCollection","features":[
 {"type":"Feature","properties":{"name":"R1","kind":"restricted","lower_ft":0,"upper_ft":5000},
  "geometry":{"type":"Polygon","coordinates":[[[8.1,47.0],[8.2,47.0],[8.2,47.1],[8.1,47.1],[8.1,47.0]],
                                               [[8.14,47.04],[8.16,47.04],[8.16,47.06],[8.14,47.06]]]}},
 {"type":"Feature","properties":{"name":"LSZH","kind":"airport","upper_m":500},
  "geometry":{"type":"MultiPolygon","coordinates":[[[[7.9,46.9],[7.95,46.9],[7.95,46.95],[7.9,46.95]]]]}}]})";

TEST(Zones, PolygonWithHoleAndBand) {
  auto zs = load_zones(kZones, "test");
  ASSERT_EQ(zs.size(), 2u);
  EXPECT_EQ(zs[0].name, "R1");
  EXPECT_EQ(zs[0].kind, ZoneKind::kRestricted);
  EXPECT_NEAR(zs[0].upper_m, 1524, 1e-9);
  EXPECT_TRUE(zs[0].contains({47.02, 8.12, 1000}));
  EXPECT_FALSE(zs[0].contains({47.05, 8.15, 1000}));  // in the hole
  EXPECT_FALSE(zs[0].contains({47.02, 8.12, 2000}));  // above 5,000 ft
  EXPECT_FALSE(zs[0].contains({47.02, 8.25, 1000}));
  EXPECT_EQ(zs[1].kind, ZoneKind::kAirport);
  EXPECT_TRUE(zs[1].contains({46.92, 7.92, 100}));
  // Round trip through the map's GeoJSON.
  auto again = load_zones(zones_geojson(zs), "again");
  ASSERT_EQ(again.size(), 2u);
  EXPECT_FALSE(again[0].contains({47.05, 8.15, 1000}));
  EXPECT_TRUE(again[1].contains({46.92, 7.92, 100}));
}

TEST(Zones, BadInputNamesTheFeature) {
  EXPECT_THROW(load_zones("{", "z.geojson"), ConfigError);
  try {
    load_zones(R"({"type":"FeatureCollection","features":[{"type":"Feature","geometry":
      {"type":"Point","coordinates":[8,47]}}]})",
               "z.geojson");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("z.geojson: feature 0"), std::string::npos) << e.what();
  }
  EXPECT_THROW(load_zones(R"({"type":"Feature","properties":{"kind":"nofly"},"geometry":
      {"type":"Polygon","coordinates":[[[8,47],[8.1,47],[8.1,47.1]]]}})",
                          "z"),
               ConfigError);
}

// Found by the recording fuzz target in CI: a member of the wrong JSON type
// ("type": 5, "kind": [], a geometry type that is a number) escaped as
// nlohmann's type_error instead of a configuration error naming the feature.
TEST(Zones, WrongJsonTypesAreConfigErrors) {
  const char* bad[] = {
      R"({"type":5})",
      R"({"type":"FeatureCollection","features":[{"type":{}}]})",
      R"({"type":"Feature","properties":{"kind":[]},"geometry":
        {"type":"Polygon","coordinates":[[[8,47],[8.1,47],[8.1,47.1]]]}})",
      R"({"type":"Feature","geometry":{"type":7,"coordinates":[]}})",
      R"({"type":"Feature","properties":{"lower_m":"low"},"geometry":
        {"type":"Polygon","coordinates":[[[8,47],[8.1,47],[8.1,47.1]]]}})",
  };
  for (const char* text : bad) {
    try {
      load_zones(text, "z.geojson");
      ADD_FAILURE() << "accepted " << text;
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find("z.geojson"), std::string::npos) << e.what();
    } catch (const std::exception& e) {
      ADD_FAILURE() << "not a ConfigError for " << text << ": " << e.what();
    }
  }
}

TEST(SafetyNets, StcaRaisedForConvergingPairOnlyAndClearedAfterwards) {
  SafetyConfig cfg;
  SafetyNets nets(cfg, {});
  const Time now = Time::from_seconds(1000);
  // a and b head-on 20 km apart at FL100; c parallel to a 20 km north; d 2,000 ft above b.
  std::vector<ObjectState> pic = {
      track("1", 0, 0, 3048, 100, 0), track("2", 20000, 0, 3048, -100, 0),
      track("3", 0, 20000, 3048, 100, 0), track("4", 20000, 200, 3048 + 610, -100, 0)};
  auto ev = nets.evaluate(now, pic);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_TRUE(ev[0].raised);
  EXPECT_EQ(ev[0].alert.key, "stca:1:2");
  EXPECT_NEAR(ev[0].alert.time_to_conflict_s, (20000 - 5556) / 200.0, 0.5);
  // Still in conflict a second later: no new event.
  for (auto& s : pic) s.time = s.time + Duration::from_seconds(1);
  EXPECT_TRUE(nets.evaluate(now + Duration::from_seconds(1), pic).empty());
  // b turns away: cleared only after clear_after_s.
  pic[1].velocity_enu_mps = Eigen::Vector3d(100, 0, 0);
  EXPECT_TRUE(nets.evaluate(now + Duration::from_seconds(2), pic).empty());
  auto cleared = nets.evaluate(now + Duration::from_seconds(2 + cfg.clear_after_s), pic);
  ASSERT_EQ(cleared.size(), 1u);
  EXPECT_FALSE(cleared[0].raised);
  EXPECT_EQ(cleared[0].alert.key, "stca:1:2");
}

TEST(SafetyNets, StcaIgnoresTwoTracksOfOneAircraft) {
  SafetyNets nets({}, {});
  std::vector<ObjectState> pic = {track("1", 0, 0, 3048, 100, 0), track("2", 300, 0, 3048, 100, 0)};
  pic[0].identity.icao24 = 0x4b1234;
  pic[1].identity.icao24 = 0x4b1234;
  EXPECT_TRUE(nets.evaluate(Time::from_seconds(1000), pic).empty());
  pic[1].identity.icao24 = 0x4b1235;  // two aircraft 300 m apart: conflict now
  auto ev = nets.evaluate(Time::from_seconds(1000), pic);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].alert.time_to_conflict_s, 0);
}

TEST(SafetyNets, StcaIgnoresSlowTracksAndDrones) {
  SafetyNets nets({}, {});
  std::vector<ObjectState> pic = {track("1", 0, 0, 400, 10, 0), track("2", 1000, 0, 400, -10, 0)};
  EXPECT_TRUE(nets.evaluate(Time::from_seconds(1000), pic).empty());
  pic = {track("1", 0, 0, 400, 60, 0), track("2", 1000, 0, 400, -60, 0)};
  pic[1].target_class = TargetClass::kSmallUav;
  EXPECT_TRUE(nets.evaluate(Time::from_seconds(1000), pic).empty());
}

TEST(SafetyNets, EmergencyCodesAndAdsbStatus) {
  SafetyNets nets({}, {});
  std::vector<ObjectState> pic = {
      track("1", 0, 0, 3000, 100, 0), track("2", 0, 50000, 3000, 100, 0),
      track("3", 0, 90000, 3000, 100, 0), track("4", 0, -50000, 3000, 100, 0)};
  pic[0].identity.mode3a = 07700;
  pic[1].identity.mode3a = 07000;
  pic[2].emergency = true;
  pic[3].identity.mode3a = 07500;
  auto ev = nets.evaluate(Time::from_seconds(1000), pic);
  ASSERT_EQ(ev.size(), 3u);
  EXPECT_EQ(ev[0].alert.key, "emergency:1");
  EXPECT_NE(ev[0].alert.detail.find("7700"), std::string::npos);
  EXPECT_EQ(ev[1].alert.key, "emergency:3");
  EXPECT_NE(ev[1].alert.detail.find("ADS-B"), std::string::npos);
  EXPECT_EQ(ev[2].alert.key, "emergency:4");
}

TEST(SafetyNets, ApwPredictsEntryAndDroneInAirportZone) {
  auto zs = load_zones(kZones, "test");
  SafetyNets nets({}, zs);
  // R1 spans lon 8.1..8.2 at 47.0..47.1: its west edge is 7,589 m east of 8 E at 47.05.
  const double edge = 0.1 * kDeg * kR * std::cos(47 * kDeg);
  const double north = 0.05 * kDeg * kR;
  std::vector<ObjectState> pic = {
      track("1", edge - 3000, north, 1000, 100, 0),           // enters in 30 s
      track("2", edge - 3000, north, 3000, 100, 0),           // above the band
      track("3", edge - 9000, north, 1000, 100, 0),           // 90 s: beyond the look-ahead
      track("4", edge - 3000, north - 30000, 1000, -100, 0),  // flying away (south of R1)
  };
  auto ev = nets.evaluate(Time::from_seconds(1000), pic);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].alert.key, "apw:1:R1");
  EXPECT_NEAR(ev[0].alert.time_to_conflict_s, 30, 2.0);  // 2 s prediction step

  // A Remote ID drone in LSZH below 500 m alerts; the same drone at 800 m or an
  // aircraft there does not.
  const double e_ap = (7.92 - 8) * kDeg * kR * std::cos(46.92 * kDeg);
  const double n_ap = (46.92 - 47) * kDeg * kR;
  ObjectState drone = track("9", e_ap, n_ap, 100, 0, 0);
  drone.target_class = TargetClass::kSmallUav;
  drone.identity.remote_id = "1596F3ABCDEF";
  ObjectState high = drone;
  high.id = "10";
  high.position.alt_m = 800;
  ObjectState plane = track("11", e_ap, n_ap, 100, 0, 0);
  SafetyNets nets2({}, zs);
  auto ev2 = nets2.evaluate(Time::from_seconds(1000), {drone, high, plane});
  ASSERT_EQ(ev2.size(), 1u);
  EXPECT_EQ(ev2[0].alert.key, "drone:9:LSZH");
  EXPECT_EQ(ev2[0].alert.kind, AlertKind::kDroneInZone);
}

// A Remote ID track the tracker flagged as spoofed: one alert naming its
// reasons, raised once while the flag holds; an unflagged drone: none.
TEST(SafetyNets, RemoteIdSpoofAlertOncePerTrack) {
  ObjectState fake = track("21", 50000, 50000, 600, 5, 0);
  fake.target_class = TargetClass::kSmallUav;
  fake.identity.remote_id = "1581F5SPOOF";
  fake.spoof_reasons =
      spoof_bit(SpoofReason::kTwoPlaces) | spoof_bit(SpoofReason::kNoRadarConfirmation);
  fake.spoof_confidence = 0.96;
  ObjectState honest = fake;
  honest.id = "22";
  honest.spoof_reasons = 0;
  SafetyNets nets({}, {});
  auto ev = nets.evaluate(Time::from_seconds(1000), {fake, honest});
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_TRUE(ev[0].raised);
  EXPECT_EQ(ev[0].alert.key, "remote_id_spoof:21");
  EXPECT_EQ(ev[0].alert.kind, AlertKind::kRemoteIdSpoof);
  EXPECT_NE(ev[0].alert.detail.find("two_places, no_radar_confirmation"), std::string::npos)
      << ev[0].alert.detail;
  fake.time = honest.time = Time::from_seconds(1001);
  EXPECT_TRUE(nets.evaluate(Time::from_seconds(1001), {fake, honest}).empty());  // not again
  EXPECT_EQ(std::string(to_string(AlertKind::kRemoteIdSpoof)), "remote_id_spoof");
}

// APW against a brute-force reference: every 2 s step of the 60 s look-ahead
// tested against the zone (the nets skip tracks whose whole path misses the
// zone's box and height band). Random tracks around R1, climbing and
// descending through its band.
TEST(SafetyNets, ApwMatchesEveryStepTestedOnRandomTracks) {
  auto zs = load_zones(kZones, "test");
  const Zone* r1 = nullptr;
  for (const Zone& z : zs)
    if (z.name == "R1") r1 = &z;
  ASSERT_NE(r1, nullptr);
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> e(-5000, 25000), n(-10000, 20000), alt(0, 4000),
      v(-150, 150), vu(-20, 20);
  std::vector<ObjectState> pic;
  std::set<std::string> expect;
  for (int k = 0; k < 400; ++k) {
    ObjectState s = track(std::to_string(k), e(rng), n(rng), alt(rng), v(rng), v(rng), vu(rng));
    for (double t = 0; t <= 60 + 1e-9; t += 2) {
      GeodeticPosition q = s.position;
      q.lat_deg += s.velocity_enu_mps.y() * t / kR / kDeg;
      q.lon_deg += s.velocity_enu_mps.x() * t / (kR * std::cos(s.position.lat_deg * kDeg)) / kDeg;
      q.alt_m += s.velocity_enu_mps.z() * t;
      if (r1->contains(q)) {
        expect.insert("apw:" + s.id + ":R1");
        break;
      }
    }
    pic.push_back(s);
  }
  SafetyNets nets({}, zs);
  std::set<std::string> got;
  for (const AlertEvent& ev : nets.evaluate(Time::from_seconds(1000), pic))
    if (ev.alert.kind == AlertKind::kApw) got.insert(ev.alert.key);
  EXPECT_EQ(got, expect);
  EXPECT_GT(expect.size(), 20u);   // many enter ...
  EXPECT_LT(expect.size(), 360u);  // ... and many do not
}

// STCA against a brute-force reference: every pair of 300 random aircraft
// (some climbing or descending, some at one level) through predict_conflict,
// with the same separation vector. The nets find pairs through a grid of
// swept boxes and reject by height first; they must find exactly these.
TEST(SafetyNets, StcaMatchesEveryPairTestedOnRandomTraffic) {
  std::mt19937 rng(8);
  std::uniform_real_distribution<double> pos(-60000, 60000), v(-250, 250), vu(-15, 15);
  std::uniform_int_distribution<int> level(30, 40);
  std::vector<ObjectState> pic;
  for (int k = 0; k < 300; ++k)
    pic.push_back(track(std::to_string(1000 + k), pos(rng), pos(rng), level(rng) * 304.8, v(rng),
                        v(rng), k % 3 == 0 ? vu(rng) : 0.0));
  const SafetyConfig cfg;
  std::set<std::string> expect;
  for (std::size_t i = 0; i < pic.size(); ++i)
    for (std::size_t j = i + 1; j < pic.size(); ++j) {
      const ObjectState &a = pic[i], &b = pic[j];
      if (a.velocity_enu_mps.head<2>().norm() < cfg.stca_min_speed_mps ||
          b.velocity_enu_mps.head<2>().norm() < cfg.stca_min_speed_mps)
        continue;
      const double midlat = (a.position.lat_deg + b.position.lat_deg) / 2 * kDeg;
      const Eigen::Vector3d dp(
          (b.position.lon_deg - a.position.lon_deg) * kDeg * kR * std::cos(midlat),
          (b.position.lat_deg - a.position.lat_deg) * kDeg * kR,
          b.position.alt_m - a.position.alt_m);
      const Eigen::Vector3d dv = b.velocity_enu_mps - a.velocity_enu_mps;
      if (predict_conflict(dp, dv, cfg.stca_horizontal_m, cfg.stca_vertical_m,
                           cfg.stca_lookahead_s))
        expect.insert("stca:" + a.id + ":" + b.id);
    }
  SafetyNets nets(cfg, {});
  std::set<std::string> got;
  for (const AlertEvent& ev : nets.evaluate(Time::from_seconds(1000), pic))
    if (ev.alert.kind == AlertKind::kStca) got.insert(ev.alert.key);
  EXPECT_EQ(got, expect);
  EXPECT_GT(expect.size(), 30u);
}

TEST(SafetyNets, StaleAndDeletedTracksClearTheirAlerts) {
  SafetyConfig cfg;
  SafetyNets nets(cfg, {});
  ObjectState s = track("1", 0, 0, 3000, 100, 0);
  s.identity.mode3a = 07600;
  ASSERT_EQ(nets.evaluate(Time::from_seconds(1000), {s}).size(), 1u);
  EXPECT_EQ(nets.active().size(), 1u);
  auto ev = nets.evaluate(Time::from_seconds(1000 + cfg.clear_after_s), {});
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_FALSE(ev[0].raised);
  EXPECT_TRUE(nets.active().empty());
}

}  // namespace
}  // namespace skyfuse::safety
