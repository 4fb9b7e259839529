#include "server/live_store.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace skyfuse::server {
namespace {

ObjectState track(const std::string& id, double t_s, double lat_deg) {
  ObjectState s;
  s.time = Time::from_seconds(t_s);
  s.id = id;
  s.position = {lat_deg, 8.5, 3000};
  s.velocity_enu_mps = {100, 0, 0};
  s.status = TrackStatus::kConfirmed;
  s.identity.callsign = "SWR1";
  return s;
}

Publication at(double t_s) {
  Publication p;
  p.now = Time::from_seconds(t_s);
  p.counters.push_back({"reports_total", "Reports", "counter", {{"", 7}}});
  return p;
}

TEST(LiveStore, PicturesAndTracksFollowTheUpdates) {
  LiveStore store(StoreInfo{});
  EXPECT_EQ(nlohmann::json::parse(store.picture_json())["tracks"].size(), 0U);
  store.apply(std::vector<ObjectState>{track("1", 100, 47.0), track("2", 100, 47.1),
                                       track("1", 101, 47.2)});
  const auto picture = nlohmann::json::parse(store.publish(at(101)));
  EXPECT_EQ(picture["type"], "picture");
  ASSERT_EQ(picture["tracks"].size(), 2U);
  EXPECT_EQ(picture["tracks"][0]["id"], "1");
  EXPECT_EQ(picture["tracks"][0]["cs"], "SWR1");
  EXPECT_EQ(nlohmann::json::parse(store.picture_json()), picture);  // /api/tracks
  const auto one = nlohmann::json::parse(*store.track_json("1"));
  EXPECT_EQ(one["updates"], 2);
  ASSERT_EQ(one["history"].size(), 2U);
  EXPECT_DOUBLE_EQ(one["history"][1][1].get<double>(), 47.2);
  EXPECT_FALSE(store.track_json("3"));

  ObjectState gone = track("2", 102, 47.1);
  gone.status = TrackStatus::kDeleted;
  store.apply(std::vector<ObjectState>{gone});
  EXPECT_EQ(store.track_count(), 1U);
  EXPECT_FALSE(store.track_json("2"));
  store.clear();
  EXPECT_EQ(store.track_count(), 0U);
}

// A Remote ID drone's operator goes to the map as "op": [lat, lon] (issue #20).
TEST(LiveStore, PictureCarriesTheRemoteIdOperator) {
  LiveStore store(StoreInfo{});
  ObjectState drone = track("7", 100, 47.1987);
  drone.identity.callsign.clear();
  drone.identity.remote_id = "1588E040445AC004418";
  drone.operator_position = OperatorPosition{47.198656, 8.7302205, std::nullopt};
  store.apply(std::vector<ObjectState>{drone, track("8", 100, 47.0)});
  const auto picture = nlohmann::json::parse(store.publish(at(100)));
  ASSERT_EQ(picture["tracks"].size(), 2U);
  const auto& d = picture["tracks"][0];
  EXPECT_EQ(d["rid"], "1588E040445AC004418");
  ASSERT_EQ(d["op"].size(), 2U);
  EXPECT_NEAR(d["op"][0].get<double>(), 47.198656, 1e-9);
  EXPECT_NEAR(d["op"][1].get<double>(), 8.7302205, 1e-9);
  EXPECT_FALSE(picture["tracks"][1].contains("op"));
}

TEST(LiveStore, HistoryKeepsTheLastPoints) {
  StoreInfo info;
  info.history_points = 3;
  LiveStore store(info);
  for (int i = 0; i < 10; ++i)
    store.apply(std::vector<ObjectState>{track("9", 100 + i, 47 + 0.01 * i)});
  const auto one = nlohmann::json::parse(*store.track_json("9"));
  ASSERT_EQ(one["history"].size(), 3U);
  EXPECT_DOUBLE_EQ(one["history"][0][0].get<double>(), 107);
}

TEST(LiveStore, StatsAndMetricsCarryThePublicationsCounters) {
  LiveStore store(StoreInfo{});
  store.apply(std::vector<ObjectState>{track("1", 100, 47.0)});
  store.publish(at(100));
  const auto stats = nlohmann::json::parse(store.stats_json());
  EXPECT_EQ(stats["tracks"], 1);
  EXPECT_EQ(stats["reports_total"], 7);
  const std::string metrics = store.metrics_text();
  EXPECT_NE(metrics.find("skyfuse_tracks 1\n"), std::string::npos);
  EXPECT_NE(metrics.find("# TYPE skyfuse_reports_total counter\nskyfuse_reports_total 7\n"),
            std::string::npos);
}

TEST(LiveStore, SensorsAndMetricsCarryARadarsRegistration) {
  LiveStore store(StoreInfo{});
  Publication p = at(100);
  SensorHealth radar;
  radar.name = "ssr-1";
  radar.kind = "ssr";
  SensorRegistration r;
  r.range_m = 41.5;
  r.gain_ppm = 1010;
  r.time_s = 0.497;
  r.chi2_dof = 4.5;
  r.model_fits = false;
  r.samples = 900;
  radar.registration = r;
  SensorHealth adsb;
  adsb.name = "adsb-1";
  adsb.kind = "adsb";
  p.sensors = {radar, adsb};
  store.publish(std::move(p));
  const auto sensors = nlohmann::json::parse(store.sensors_json())["sensors"];
  ASSERT_EQ(sensors.size(), 2U);
  EXPECT_DOUBLE_EQ(sensors[0]["registration"]["range_bias_m"].get<double>(), 41.5);
  EXPECT_DOUBLE_EQ(sensors[0]["registration"]["range_gain_ppm"].get<double>(), 1010);
  EXPECT_DOUBLE_EQ(sensors[0]["registration"]["time_offset_s"].get<double>(), 0.497);
  EXPECT_EQ(sensors[0]["registration"]["model_fits"], false);
  EXPECT_EQ(sensors[0]["registration"]["samples"], 900);
  EXPECT_FALSE(sensors[1].contains("registration"));
  const std::string metrics = store.metrics_text();
  EXPECT_NE(metrics.find("skyfuse_sensor_registration_range_gain_ppm{sensor=\"ssr-1\"} 1010\n"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("skyfuse_sensor_registration_model_fits{sensor=\"ssr-1\"} 0\n"),
            std::string::npos);
  EXPECT_EQ(metrics.find("skyfuse_sensor_registration_range_gain_ppm{sensor=\"adsb-1\"}"),
            std::string::npos);
}

TEST(LiveStore, CounterSourceIsAppendedToStatsAndMetrics) {
  LiveStore store(StoreInfo{});
  store.publish(at(100));
  int calls = 0;
  store.set_counter_source([&] {
    ++calls;
    return std::vector<Counter>{{"http_requests_total", "Requests", "counter", {{"", 42}}},
                                {"http_open", "Open", "gauge", {{"kind=\"ws\"", 3}}}};
  });
  const auto stats = nlohmann::json::parse(store.stats_json());
  EXPECT_EQ(stats["http_requests_total"], 42);
  EXPECT_EQ(stats["http_open"]["kind=\"ws\""], 3);
  EXPECT_EQ(stats["reports_total"], 7);  // the pipeline's stay
  const std::string metrics = store.metrics_text();
  EXPECT_NE(metrics.find("# HELP skyfuse_http_requests_total Requests\n"
                         "# TYPE skyfuse_http_requests_total counter\n"
                         "skyfuse_http_requests_total 42\n"),
            std::string::npos);
  EXPECT_NE(metrics.find("skyfuse_http_open{kind=\"ws\"} 3\n"), std::string::npos);
  EXPECT_EQ(calls, 2);
  store.set_counter_source(nullptr);
  EXPECT_FALSE(nlohmann::json::parse(store.stats_json()).contains("http_requests_total"));
}

TEST(LiveStore, CounterSourceRunsWithoutTheStoresLock) {
  // A source may read the store itself (it would deadlock under the lock).
  LiveStore store(StoreInfo{});
  store.apply(std::vector<ObjectState>{track("1", 100, 47.0)});
  store.set_counter_source([&store] {
    return std::vector<Counter>{
        {"seen_tracks", "Tracks", "gauge", {{"", static_cast<double>(store.track_count())}}}};
  });
  EXPECT_EQ(nlohmann::json::parse(store.stats_json())["seen_tracks"], 1);
  EXPECT_NE(store.metrics_text().find("skyfuse_seen_tracks 1\n"), std::string::npos);
}

// readsb's README-json.md (wiedehopf/readsb), the aircraft object: each key
// skyfuse may write, its JSON type and unit as documented there. A key
// outside this table, or of another type, fails.
enum class J { kString, kNumber, kInteger, kArray, kNumberOrGround, kObject };
struct ReadsbField {
  const char* key;
  J type;
  const char* unit;  // as README-json.md gives it
};
constexpr ReadsbField kReadsbAircraft[] = {
    {"hex", J::kString, "24-bit address, 6 hex digits, '~' first for a non-ICAO address"},
    {"type", J::kString, "adsb_icao, mode_s, mlat, other, ..."},
    {"flight", J::kString, "callsign, 8 characters"},
    {"alt_baro", J::kNumberOrGround, "ft (pressure altitude) or \"ground\""},
    {"alt_geom", J::kNumber, "ft above the WGS-84 ellipsoid"},
    {"gs", J::kNumber, "kt"},
    {"track", J::kNumber, "deg true, 0-360"},
    {"baro_rate", J::kNumber, "ft/min"},
    {"geom_rate", J::kNumber, "ft/min"},
    {"squawk", J::kString, "4 octal digits"},
    {"emergency", J::kString,
     "none, general, lifeguard, minfuel, nordo, unlawful, downed, reserved"},
    {"category", J::kString, "A0-D7"},
    {"lat", J::kNumber, "deg"},
    {"lon", J::kNumber, "deg"},
    {"nic", J::kInteger, "NIC"},
    {"nac_p", J::kInteger, "NACp"},
    {"seen_pos", J::kNumber, "s"},
    {"mlat", J::kArray, "fields from MLAT"},
    {"tisb", J::kArray, "fields from TIS-B"},
    {"messages", J::kInteger, "Mode S messages from this aircraft"},
    {"seen", J::kNumber, "s"},
    {"rssi", J::kNumber, "dBFS, negative"},
    {"rc", J::kInteger, "m, radius of containment"},
    {"version", J::kInteger, "ADS-B version: 0, 1, 2"},
    {"nic_baro", J::kInteger, "NICbaro: 0 or 1"},
    {"nac_v", J::kInteger, "NACv"},
    {"sil", J::kInteger, "SIL"},
    {"sil_type", J::kString, "unknown, perhour, persample"},
    {"gva", J::kInteger, "GVA"},
    {"sda", J::kInteger, "SDA"},
    {"nav_qnh", J::kNumber, "hPa"},
    {"nav_altitude_mcp", J::kInteger, "ft, selected on the MCP/FCU"},
    {"nav_altitude_fms", J::kInteger, "ft, selected in the FMS"},
    {"nav_heading", J::kNumber, "deg, selected heading"},
    {"nav_modes", J::kArray, "autopilot, vnav, althold, approach, lnav, tcas"},
    {"r", J::kString, "registration, from the aircraft database"},
    {"t", J::kString, "ICAO type designator, from the aircraft database"},
    {"desc", J::kString, "long type name, from the aircraft database"},
    {"ownOp", J::kString, "owner or operator, from the aircraft database"},
    {"year", J::kString, "year built, from the aircraft database"},
    {"dbFlags", J::kInteger, "military & 1, interesting & 2, PIA & 4, LADD & 8"},
    {"skyfuse", J::kObject, "(skyfuse's own: track id, class)"},
};

bool has_type(const nlohmann::json& v, J t) {
  switch (t) {
    case J::kString:
      return v.is_string();
    case J::kNumber:
      return v.is_number();
    case J::kInteger:
      return v.is_number_integer();
    case J::kArray:
      return v.is_array();
    case J::kNumberOrGround:
      return v.is_number() || v == "ground";
    case J::kObject:
      return v.is_object();
  }
  return false;
}

AircraftInfo heard(const Report& r) {
  AircraftInfo a;
  a.note(r);
  return a;
}

TEST(LiveStore, AircraftJsonFollowsReadsbFieldByField) {
  constexpr double kFt = 0.3048;
  StoreInfo info;  // the airliner is in the aircraft database, the light aircraft is not
  info.aircraft_db = std::make_shared<AircraftDb>(AircraftDb::parse(
      "4B1814;HB-JCA;BCS3;0100;AIRBUS A-220-300;2016;Swiss \"Intl\";\n", "test.csv"));
  LiveStore store(info);
  // An airliner at FL350 (pressure altitude 35,000 ft) whose geometric height
  // is 35,600 ft, climbing at 1,000 ft/min (baro) from a Beast feed; a light
  // aircraft (TC 1 code 0, set D) on an AVR feed (no signal level); a radar
  // track without an address.
  ObjectState airliner = track("1", 100, 47.0);
  airliner.identity.icao24 = 0x4b1814;
  airliner.identity.emitter_category = (4 - 1) * 8 + 5;
  airliner.identity.mode3a = 01000;
  airliner.position.alt_m = 35600 * kFt;
  airliner.velocity_enu_mps = {0, 100, 2.54};
  ObjectState light = track("2", 100, 47.1);
  light.identity.icao24 = 0x3c6444;
  light.identity.emitter_category = 0;
  ObjectState radar = track("12", 100, 47.2);
  radar.identity.callsign.clear();
  store.apply(std::vector<ObjectState>{airliner, light, radar});

  Publication p = at(101);
  p.messages = 1234;
  Report r;
  r.time = Time::from_seconds(100);
  r.sensor_kind = SensorKind::kAdsb;
  r.identity.icao24 = 0x4b1814;
  r.baro_alt_m = 35000 * kFt;
  r.nic = 8;
  r.nacp = 9;
  r.mode_s = Report::ModeSDetails{.frames = 7,
                                  .signal_dbfs = 20 * std::log10(128 / 255.0),
                                  .baro_rate_mps = 1000 * kFt / 60,
                                  .on_ground = false,
                                  .status = {}};
  // What it announced (TC 31 version 2, TC 29, TC 19).
  AdsbStatus& q = r.mode_s->status;
  q.version = 2;
  q.nic_baro = 1;
  q.nac_v = 2;
  q.sil = 3;
  q.sil_per_sample = false;
  q.gva = 2;
  q.sda = 3;
  q.rc_m = 185.2;
  q.nav_qnh_hpa = 1013.6;
  q.nav_altitude_mcp_ft = 35008;
  q.nav_heading_deg = 56.25;
  q.nav_modes = AdsbStatus::kAutopilot | AdsbStatus::kVnav | AdsbStatus::kTcas;
  p.aircraft[0x4b1814] = heard(r);
  r.identity.icao24 = 0x3c6444;
  r.baro_alt_m = 2500 * kFt;
  r.mode_s = Report::ModeSDetails{};
  r.mode_s->frames = 3;
  p.aircraft[0x3c6444] = heard(r);
  store.publish(p);

  const auto j = nlohmann::json::parse(store.aircraft_json());
  EXPECT_DOUBLE_EQ(j["now"].get<double>(), 101);
  EXPECT_EQ(j["messages"], 1234);
  ASSERT_EQ(j["aircraft"].size(), 3U);
  for (const auto& a : j["aircraft"]) {
    for (const auto& item : a.items()) {  // not a structured binding: clang 14 cannot capture one
      const std::string& key = item.key();
      const auto& value = item.value();
      const auto* f = std::find_if(std::begin(kReadsbAircraft), std::end(kReadsbAircraft),
                                   [&](const ReadsbField& x) { return key == x.key; });
      ASSERT_NE(f, std::end(kReadsbAircraft)) << "not a readsb field: " << key;
      EXPECT_TRUE(has_type(value, f->type)) << key << " = " << value << " (" << f->unit << ")";
    }
    {  // "~?[0-9a-f]{6}" (std::regex trips GCC 12's -Wmaybe-uninitialized under ASan)
      std::string hex = a["hex"].get<std::string>();
      if (!hex.empty() && hex[0] == '~') hex.erase(0, 1);
      EXPECT_EQ(hex.size(), 6u) << a["hex"];
      EXPECT_EQ(hex.find_first_not_of("0123456789abcdef"), std::string::npos) << a["hex"];
    }
    if (a.contains("rssi")) {
      EXPECT_LT(a["rssi"].get<double>(), 0);
    }
  }
  auto by_track = [](const nlohmann::json& list, const char* key, const char* id) {
    for (const auto& a : list)
      if ((key[0] ? a[key]["track"] : a["id"]) == id) return a;
    return nlohmann::json();
  };
  const auto al = by_track(j["aircraft"], "skyfuse", "1");
  EXPECT_EQ(al["hex"], "4b1814");
  EXPECT_EQ(al["r"], "HB-JCA");
  EXPECT_EQ(al["t"], "BCS3");
  EXPECT_EQ(al["desc"], "AIRBUS A-220-300");
  EXPECT_EQ(al["year"], "2016");
  EXPECT_EQ(al["ownOp"], "Swiss \"Intl\"");
  EXPECT_EQ(al["dbFlags"], 2);  // interesting
  EXPECT_FALSE(by_track(j["aircraft"], "skyfuse", "2").contains("r"));
  const auto tracks = nlohmann::json::parse(store.picture_json());  // the map's tracks
  EXPECT_EQ(by_track(tracks["tracks"], "", "1")["reg"], "HB-JCA");
  EXPECT_EQ(by_track(tracks["tracks"], "", "1")["typ"], "BCS3");
  EXPECT_FALSE(by_track(tracks["tracks"], "", "2").contains("reg"));
  EXPECT_EQ(al["type"], "adsb_icao");
  EXPECT_EQ(al["category"], "A5");
  EXPECT_EQ(al["alt_baro"], 35000);
  EXPECT_EQ(al["alt_geom"], 35600);
  EXPECT_EQ(al["baro_rate"], 1000);
  EXPECT_EQ(al["geom_rate"], 500);  // 2.54 m/s
  EXPECT_NEAR(al["gs"].get<double>(), 194.4, 0.05);
  EXPECT_DOUBLE_EQ(al["track"].get<double>(), 0);
  EXPECT_EQ(al["squawk"], "1000");
  EXPECT_EQ(al["flight"], "SWR1    ");
  EXPECT_EQ(al["nic"], 8);
  EXPECT_EQ(al["nac_p"], 9);
  EXPECT_EQ(al["messages"], 7);
  EXPECT_DOUBLE_EQ(al["seen"].get<double>(), 1);
  EXPECT_NEAR(al["rssi"].get<double>(), -5.99, 0.05);  // 20 log10(128/255)
  EXPECT_EQ(al["version"], 2);
  EXPECT_EQ(al["nic_baro"], 1);
  EXPECT_EQ(al["nac_v"], 2);
  EXPECT_EQ(al["sil"], 3);
  EXPECT_EQ(al["sil_type"], "perhour");
  EXPECT_EQ(al["gva"], 2);
  EXPECT_EQ(al["sda"], 3);
  EXPECT_EQ(al["rc"], 185);
  EXPECT_DOUBLE_EQ(al["nav_qnh"].get<double>(), 1013.6);
  EXPECT_EQ(al["nav_altitude_mcp"], 35008);
  EXPECT_FALSE(al.contains("nav_altitude_fms"));
  EXPECT_DOUBLE_EQ(al["nav_heading"].get<double>(), 56.2);  // 0.1 deg, as readsb
  EXPECT_EQ(al["nav_modes"], nlohmann::json({"autopilot", "vnav", "tcas"}));
  const auto lt = by_track(j["aircraft"], "skyfuse", "2");
  EXPECT_EQ(lt["category"], "D0");
  EXPECT_EQ(lt["alt_baro"], 2500);
  EXPECT_FALSE(lt.contains("rssi"));  // not measured
  EXPECT_FALSE(lt.contains("baro_rate"));
  EXPECT_FALSE(lt.contains("version"));  // announced nothing of itself
  EXPECT_FALSE(lt.contains("nav_modes"));
  const auto rd = by_track(j["aircraft"], "skyfuse", "12");
  EXPECT_EQ(rd["hex"], "~00000c");  // track 12, not an ICAO address
  EXPECT_EQ(rd["type"], "other");
  EXPECT_FALSE(rd.contains("alt_baro"));
  EXPECT_FALSE(rd.contains("rssi"));

  // The map's flight level: the pressure altitude, not the geometric height.
  const auto picture = nlohmann::json::parse(store.picture_json());
  EXPECT_DOUBLE_EQ(by_track(picture["tracks"], "", "1")["fl"].get<double>(), 350);
  EXPECT_FALSE(by_track(picture["tracks"], "", "12").contains("fl"));
  EXPECT_DOUBLE_EQ(nlohmann::json::parse(*store.track_json("1"))["fl"].get<double>(), 350);
}

TEST(LiveStore, AircraftOnTheSurfaceIsOnTheGround) {
  LiveStore store(StoreInfo{});
  ObjectState s = track("1", 100, 47.0);
  s.identity.icao24 = 0x4b1814;
  store.apply(std::vector<ObjectState>{s});
  Publication p = at(100);
  Report r;
  r.time = Time::from_seconds(100);
  r.sensor_kind = SensorKind::kAdsb;
  r.mode_s = Report::ModeSDetails{};
  r.mode_s->frames = 1;
  r.mode_s->on_ground = true;
  p.aircraft[0x4b1814] = heard(r);
  store.publish(p);
  EXPECT_EQ(nlohmann::json::parse(store.aircraft_json())["aircraft"][0]["alt_baro"], "ground");
}

// aircraft.json is made once per publication (readsb writes it once a
// second): the same text, the same shared object, until the next one; the
// server compresses it once per text.
TEST(LiveStore, AircraftJsonMadeOncePerPublication) {
  LiveStore store(StoreInfo{});
  store.apply(std::vector<ObjectState>{track("1", 100, 47.0)});
  store.publish(at(100));
  const auto a = store.aircraft_json_shared();
  EXPECT_EQ(a, store.aircraft_json_shared());
  store.apply(std::vector<ObjectState>{track("2", 100.5, 47.1)});
  EXPECT_EQ(a, store.aircraft_json_shared());  // the update waits for the next publication
  EXPECT_EQ(nlohmann::json::parse(*a)["aircraft"].size(), 1U);
  store.publish(at(101));
  const auto b = store.aircraft_json_shared();
  EXPECT_NE(a, b);
  EXPECT_EQ(nlohmann::json::parse(*b)["aircraft"].size(), 2U);
  EXPECT_EQ(nlohmann::json::parse(*b)["now"].get<double>(), 101);
  store.clear();  // a replay seek
  EXPECT_EQ(nlohmann::json::parse(store.aircraft_json())["aircraft"].size(), 0U);
}

// tar1090 starts with trails from readsb's history files (issue #21): a copy
// of aircraft.json every 30 s of data time, counted by receiver.json.
TEST(LiveStore, AircraftHistoryForTar1090) {
  StoreInfo info;
  info.aircraft_history = 3;
  LiveStore store(info);
  EXPECT_EQ(nlohmann::json::parse(store.receiver_json())["history"], 0);
  double lat = 47.0;
  for (double t : {100.0, 110.0, 129.9, 130.0, 145.0, 160.0, 175.0, 190.0}) {
    store.apply(std::vector<ObjectState>{track("1", t, lat)});
    store.publish(at(t));
    lat += 0.01;
  }
  // Copies at 100, 130, 160, 190; the last three are kept, oldest first.
  EXPECT_EQ(nlohmann::json::parse(store.receiver_json())["history"], 3);
  const double expect_now[] = {130, 160, 190};
  const double expect_lat[] = {47.03, 47.05, 47.07};
  for (std::size_t n = 0; n < 3; ++n) {
    const auto h = store.aircraft_history_json(n);
    ASSERT_TRUE(h) << n;
    const auto j = nlohmann::json::parse(*h);  // the format of aircraft.json
    EXPECT_DOUBLE_EQ(j["now"].get<double>(), expect_now[n]);
    ASSERT_EQ(j["aircraft"].size(), 1U);
    EXPECT_NEAR(j["aircraft"][0]["lat"].get<double>(), expect_lat[n], 1e-9);
  }
  EXPECT_FALSE(store.aircraft_history_json(3));
  EXPECT_EQ(*store.aircraft_history_json(2), store.aircraft_json());
  store.clear();  // a replay seek: the history is of the old timeline
  EXPECT_EQ(nlohmann::json::parse(store.receiver_json())["history"], 0);
}

TEST(LiveStore, AircraftHistoryIsBoundedInBytes) {
  StoreInfo info;
  info.aircraft_history = 120;
  info.aircraft_history_max_bytes = 1000;  // about three copies of one aircraft
  LiveStore store(info);
  for (int k = 0; k < 20; ++k) {
    store.apply(std::vector<ObjectState>{track("1", 100 + 30 * k, 47.0)});
    store.publish(at(100 + 30 * k));
  }
  const int n = nlohmann::json::parse(store.receiver_json())["history"];
  std::size_t bytes = 0;
  for (int i = 0; i < n; ++i)
    bytes += store.aircraft_history_json(static_cast<std::size_t>(i))->size();
  EXPECT_GE(n, 1);
  EXPECT_LT(n, 20);
  EXPECT_LE(bytes, 1000U);
  EXPECT_DOUBLE_EQ(
      nlohmann::json::parse(*store.aircraft_history_json(static_cast<std::size_t>(n - 1)))["now"]
          .get<double>(),
      100 + 30 * 19);
}

// readsb's stats.json (README-json.md "stats.json"): every period is the
// difference of the counts between its start and end, in data time; minutes
// close at the first publication 60 s after the last mark. Values by hand:
// counts grow by a fixed amount per second since the start (990 s), and the
// track's distance from the one sensor is its latitude offset times
// 6,371,008.8 m * pi / 180 = 111,195.08 m per degree.
TEST(LiveStore, StatsJsonPeriodsForReadsb) {
  StoreInfo info;
  Sensor s;
  s.id = 1;
  s.site = {47.0, 8.5, 400};
  info.sensors = {s};
  LiveStore store(info);
  const auto empty = nlohmann::json::parse(store.readsb_stats_json());
  EXPECT_EQ(empty["total"]["messages"], 0);
  auto counts = [](double t) {
    const auto k = static_cast<std::uint64_t>(t - 990);
    ReceiverCounts c;
    c.mode_s = true;
    c.modes = 8 * k;
    c.modeac = k;
    c.bad = k;
    c.unknown_icao = k;
    c.corrected = k;
    c.accepted = 5 * k;
    c.positions = 3 * k;
    c.positions_global = 2 * k;
    c.cpr_airborne = 4 * k;
    c.aircraft = k / 10;
    c.cpu_ms = 2.0 * static_cast<double>(k);
    return c;
  };
  // (publication time, latitude offset of the track updated just before it)
  const std::pair<double, double> steps[] = {{1000, 0.1},  {1030, 0.3},  {1060, 0.2},
                                             {1090, 0.05}, {1120, 0.15}, {1130, -1}};
  for (const auto& [t, dlat] : steps) {
    if (dlat >= 0) store.apply(std::vector<ObjectState>{track("1", t - 0.5, 47.0 + dlat)});
    // A track seen by no sensor with a site: no distance.
    store.apply(std::vector<ObjectState>{track("2", t - 0.5, 49.0)});
    Publication p = at(t);
    p.start = Time::from_seconds(990);
    p.messages = 10 * static_cast<std::uint64_t>(t - 990);
    p.counts = counts(t);
    p.extras["1"].sensors = {1};
    store.publish(std::move(p));
  }
  const auto j = nlohmann::json::parse(store.readsb_stats_json());
  EXPECT_DOUBLE_EQ(j["now"].get<double>(), 1130);
  struct Want {
    const char* key;
    double start, end;
    std::int64_t max_distance_m;
  };
  // The track was not updated for the 1130 publication: "latest" has no distance.
  const Want want[] = {{"latest", 1120, 1130, 0},
                       {"last1min", 1060, 1120, 16679},
                       {"last5min", 990, 1120, 33359},
                       {"last15min", 990, 1120, 33359},
                       {"total", 990, 1130, 33359}};
  for (const Want& w : want) {
    SCOPED_TRACE(w.key);
    const auto& p = j[w.key];
    const auto secs = static_cast<std::uint64_t>(w.end - w.start);
    EXPECT_DOUBLE_EQ(p["start"].get<double>(), w.start);
    EXPECT_DOUBLE_EQ(p["end"].get<double>(), w.end);
    EXPECT_EQ(p["messages"], 10 * secs);
    EXPECT_EQ(p["remote"]["modes"], 8 * secs);  // Mode S frames (Mode A/C apart)
    EXPECT_EQ(p["remote"]["modeac"], secs);
    EXPECT_EQ(p["remote"]["bad"], secs);
    EXPECT_EQ(p["remote"]["unknown_icao"], secs);
    EXPECT_EQ(p["remote"]["accepted"], (nlohmann::json{5 * secs, secs}));
    EXPECT_EQ(p["cpr"]["airborne"], 4 * secs);
    EXPECT_EQ(p["cpr"]["surface"], 0);
    EXPECT_EQ(p["cpr"]["global_ok"], 2 * secs);
    EXPECT_EQ(p["cpr"]["local_ok"], secs);
    EXPECT_EQ(p["tracks"]["all"], secs / 10);
    EXPECT_EQ(p["tracks"]["single_message"], 0);
    EXPECT_EQ(p["cpu"]["background"], 2 * secs);
    EXPECT_EQ(p["max_distance"], w.max_distance_m);
    EXPECT_FALSE(p.contains("local"));  // no SDR: readsb's --net-only
  }
  store.clear();  // a replay seek starts the counting again
  EXPECT_EQ(nlohmann::json::parse(store.readsb_stats_json())["total"]["messages"], 0);
}

TEST(LiveStore, StatsJsonWithoutModeSHasNoRemote) {
  LiveStore store(StoreInfo{});
  Publication p = at(100);
  p.messages = 42;  // radar plots only
  store.publish(std::move(p));
  const auto j = nlohmann::json::parse(store.readsb_stats_json());
  EXPECT_EQ(j["total"]["messages"], 42);
  EXPECT_FALSE(j["total"].contains("remote"));
  EXPECT_FALSE(j["total"].contains("cpu"));  // not measured here
}

TEST(LiveStore, SummaryHasQuantilesSumAndCount) {
  // Prometheus' text format: quantile labels only on a summary, with _sum
  // and _count (a gauge with quantile labels fails `promtool check metrics`).
  LiveStore store(StoreInfo{});
  Publication p = at(100);
  p.counters.push_back({"latency_seconds",
                        "Latency",
                        "summary",
                        {{"quantile=\"0.5\"", 0.25}, {"quantile=\"0.99\"", 2}},
                        7.5,
                        12});
  store.publish(p);
  EXPECT_NE(store.metrics_text().find("# TYPE skyfuse_latency_seconds summary\n"
                                      "skyfuse_latency_seconds{quantile=\"0.5\"} 0.25\n"
                                      "skyfuse_latency_seconds{quantile=\"0.99\"} 2\n"
                                      "skyfuse_latency_seconds_sum 7.5\n"
                                      "skyfuse_latency_seconds_count 12\n"),
            std::string::npos)
      << store.metrics_text();
  EXPECT_EQ(nlohmann::json::parse(store.stats_json())["latency_seconds_count"], 12);
}

TEST(LiveStore, InfoReportsTheReplaySpeedAtOnce) {
  LiveStore store(StoreInfo{});
  Publication p = at(100);
  p.mode = "replay";
  store.publish(p);
  EXPECT_EQ(nlohmann::json::parse(store.info_json())["speed"], 1);
  store.set_speed(8);
  const auto info = nlohmann::json::parse(store.info_json());
  EXPECT_EQ(info["speed"], 8);
  EXPECT_EQ(info["mode"], "replay");
}

}  // namespace
}  // namespace skyfuse::server
