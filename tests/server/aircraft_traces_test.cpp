// readsb's per-aircraft trace files (issue #21): the paths tar1090 asks for,
// which states become points, the file's columns in readsb's units against
// hand-derived values, and every bound.
#include "server/aircraft_traces.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "server/live_store.hpp"

namespace skyfuse::server {
namespace {

TEST(TracePath, NamesWhatReadsbNames) {
  auto p = parse_trace_path("/data/traces/2c/trace_full_4b1a2c.json");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->hex, "4b1a2c");
  EXPECT_TRUE(p->full);
  p = parse_trace_path("/data/traces/07/trace_recent_~000007.json");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->hex, "~000007");
  EXPECT_FALSE(p->full);
  for (const char* bad :
       {"/data/traces/2d/trace_full_4b1a2c.json",   // folder is not the last two digits
        "/data/traces/2C/trace_full_4b1a2C.json",   // readsb's names are lower case
        "/data/traces/2c/trace_full_b1a2c.json",    // five digits
        "/data/traces/2c/trace_full_4b1a2c0.json",  // seven
        "/data/traces/2c/trace_full_4b1a2c.jsonx", "/data/traces/2c/trace_full_4b1a2c",
        "/data/traces/2c/trace_4b1a2c.json", "/data/traces/2c/trace_full_~~1a2c.json",
        "/data/traces/2c/../trace_full_4b1a2c.json", "/data/traces/2c//trace_full_4b1a2c.json",
        "/data/traces/2c", "/data/traces/", "/data/trace/2c/trace_full_4b1a2c.json",
        "/data/traces/2c/trace_full_4b1a2c.json/x"})
    EXPECT_FALSE(parse_trace_path(bad)) << bad;
}

TracePoint at(double t_s, double track_deg = 90, double baro_ft = 30000) {
  TracePoint p;
  p.time_s = t_s;
  p.lat_deg = 47.0;
  p.lon_deg = 8.0 + t_s * 1e-3;
  p.baro_alt_ft = baro_ft;
  p.geom_alt_ft = baro_ft + 500;
  p.gs_kt = 450;
  p.track_deg = track_deg;
  p.baro_rate_fpm = 0;
  p.type = "adsb_icao";
  p.details = R"({"type":"adsb_icao","flight":"SWR1    "})";
  return p;
}

nlohmann::json file(const AircraftTraces& t, const std::string& hex, bool full) {
  auto body = t.json(hex, full);
  EXPECT_TRUE(body) << hex;
  return body ? nlohmann::json::parse(*body) : nlohmann::json{};
}

TEST(AircraftTraces, KeepsAPointEveryIntervalAndOnTurnsAndClimbs) {
  AircraftTraces traces;  // 4 s, 4 deg, 200 ft, 1 s apart at least
  for (int t = 0; t <= 20; ++t) traces.note("4b1a2c", at(1000 + t));
  // Straight and level at 1 s: 0, 4, 8, 12, 16, 20.
  auto f = file(traces, "4b1a2c", true);
  ASSERT_EQ(f["trace"].size(), 6U);
  EXPECT_EQ(f["icao"], "4b1a2c");
  EXPECT_DOUBLE_EQ(f["timestamp"].get<double>(), 1000);
  for (int i = 0; i < 6; ++i) EXPECT_DOUBLE_EQ(f["trace"][i][0].get<double>(), 4.0 * i);
  // A 5 deg turn one second later is kept; a state 0.5 s after it is not,
  // however far it turned, nor 3 deg more a second after (3 deg from the
  // last kept point); 250 ft of climb two seconds after the turn is kept.
  traces.note("4b1a2c", at(1021, 95));
  traces.note("4b1a2c", at(1021.5, 120));
  traces.note("4b1a2c", at(1022, 98));
  traces.note("4b1a2c", at(1023, 98, 30250));
  f = file(traces, "4b1a2c", true);
  ASSERT_EQ(f["trace"].size(), 8U);
  EXPECT_DOUBLE_EQ(f["trace"][6][0].get<double>(), 21);
  EXPECT_DOUBLE_EQ(f["trace"][6][5].get<double>(), 95);
  EXPECT_DOUBLE_EQ(f["trace"][7][0].get<double>(), 23);
  EXPECT_DOUBLE_EQ(f["trace"][7][3].get<double>(), 30250);
  // An older state than the last one heard is ignored.
  traces.note("4b1a2c", at(1010, 200));
  EXPECT_EQ(file(traces, "4b1a2c", true)["trace"].size(), 8U);
  EXPECT_FALSE(traces.json("4b1a2d", true));
}

TEST(AircraftTraces, ColumnsAreReadsbs) {
  AircraftTraces traces;
  TracePoint p = at(1000);
  p.baro_rate_fpm.reset();  // rate geometric: flag 4
  p.geom_rate_fpm = -1216;
  traces.note("4b1a2c", p);
  TracePoint q = at(1030);  // 30 s after: stale (flag 1)
  q.baro_alt_ft.reset();    // altitude geometric: flag 8, the geometric height in column 3
  q.geom_rate_fpm = 64;
  q.baro_rate_fpm = 128;
  traces.note("4b1a2c", q);
  TracePoint g = at(1034);
  g.on_ground = true;
  g.details = R"({"type":"adsb_icao","flight":"SWR2    "})";
  traces.note("4b1a2c", g);
  const auto f = file(traces, "4b1a2c", true);
  ASSERT_EQ(f["trace"].size(), 3U);
  const auto& a = f["trace"][0];
  ASSERT_EQ(a.size(), 14U);
  EXPECT_DOUBLE_EQ(a[1].get<double>(), 47.0);
  EXPECT_DOUBLE_EQ(a[2].get<double>(), 9.0);
  EXPECT_EQ(a[3], 30000);
  EXPECT_DOUBLE_EQ(a[4].get<double>(), 450);
  EXPECT_DOUBLE_EQ(a[5].get<double>(), 90);
  EXPECT_EQ(a[6], 4);
  EXPECT_EQ(a[7], -1216);  // the geometric rate where no barometric one is known
  EXPECT_EQ(a[8]["flight"], "SWR1    ");
  EXPECT_EQ(a[9], "adsb_icao");
  EXPECT_EQ(a[10], 30500);
  EXPECT_EQ(a[11], -1216);
  EXPECT_TRUE(a[12].is_null() && a[13].is_null());
  const auto& b = f["trace"][1];
  EXPECT_EQ(b[6], 1 | 8);
  EXPECT_EQ(b[3], 30500);
  EXPECT_EQ(b[7], 128);
  EXPECT_EQ(b[11], 64);
  EXPECT_TRUE(b[8].is_null());  // the details unchanged: not repeated
  const auto& c = f["trace"][2];
  EXPECT_EQ(c[3], "ground");
  EXPECT_EQ(c[6], 0);
  EXPECT_EQ(c[8]["flight"], "SWR2    ");  // changed: repeated
}

TEST(AircraftTraces, RecentIsTheLastPointsAndEveryBoundHolds) {
  TraceLimits limits;
  limits.recent_points = 3;
  limits.max_points = 5;
  limits.max_total = 12;
  limits.keep_s = 100;
  AircraftTraces traces(limits);
  for (int t = 0; t < 10; ++t) traces.note("000001", at(1000 + 4 * t));
  EXPECT_EQ(traces.points(), 5U);  // per aircraft
  EXPECT_EQ(traces.points_dropped(), 5U);
  auto recent = file(traces, "000001", false);
  ASSERT_EQ(recent["trace"].size(), 3U);
  EXPECT_DOUBLE_EQ(recent["timestamp"].get<double>(), 1028);
  EXPECT_FALSE(recent["trace"][0][8].is_null());  // a file's first point has the details
  auto full = file(traces, "000001", true);
  ASSERT_EQ(full["trace"].size(), 5U);
  EXPECT_DOUBLE_EQ(full["timestamp"].get<double>(), 1020);
  // Two more aircraft: 15 points > 12 in all, the least recently heard goes.
  for (int t = 0; t < 5; ++t) traces.note("000002", at(1040 + 4 * t));
  for (int t = 0; t < 5; ++t) traces.note("000003", at(1041 + 4 * t));
  EXPECT_LE(traces.points(), 12U);
  EXPECT_FALSE(traces.json("000001", true));
  EXPECT_TRUE(traces.json("000002", true) && traces.json("000003", true));
  // Silent for more than keep_s: forgotten.
  traces.expire(1056 + 101);
  EXPECT_EQ(traces.aircraft(), 1U);
  EXPECT_TRUE(traces.json("000003", true));
  traces.expire(1057 + 101);
  EXPECT_EQ(traces.aircraft(), 0U);
  EXPECT_EQ(traces.points(), 0U);
  // Not finite: not kept.
  TracePoint nan = at(2000);
  nan.lat_deg = std::nan("");
  traces.note("000004", nan);
  EXPECT_EQ(traces.aircraft(), 0U);
}

// Through the store: a track's states in readsb's units, keyed as
// aircraft.json keys it; kept after the track is deleted, gone on clear().
TEST(AircraftTraces, TheStoreKeepsEachAircraftsTrace) {
  LiveStore store(StoreInfo{});
  std::vector<ObjectState> updates;
  for (int t = 0; t <= 8; ++t) {
    ObjectState s;
    s.time = Time::from_seconds(1000 + t);
    s.id = "17";
    s.position = {47.0, 8.5 + t * 1e-3, 3048};              // 10,000 ft
    s.velocity_enu_mps = {0, 1852.0 / 3600 * 300, 0.3048};  // north, 300 kt, 60 ft/min
    s.status = TrackStatus::kConfirmed;
    s.identity.icao24 = 0x4b1a2c;
    s.identity.callsign = "SWR1";
    s.identity.mode3a = 01000;
    updates.push_back(s);
  }
  ObjectState anonymous = updates.front();
  anonymous.id = "42";
  anonymous.identity = {};
  updates.push_back(anonymous);
  store.apply(updates);
  Publication pub;
  pub.now = Time::from_seconds(1008);
  store.publish(pub);
  const auto f = nlohmann::json::parse(*store.trace_json("4b1a2c", true));
  ASSERT_EQ(f["trace"].size(), 3U);  // 0, 4, 8 s
  const auto& p = f["trace"][2];
  EXPECT_DOUBLE_EQ(p[0].get<double>(), 8);
  EXPECT_NEAR(p[2].get<double>(), 8.508, 1e-9);
  EXPECT_EQ(p[10], 10000);
  EXPECT_EQ(p[3], 10000);  // no pressure altitude known: the geometric one, flag 8
  EXPECT_EQ(p[6], 4 | 8);
  EXPECT_DOUBLE_EQ(p[4].get<double>(), 300);
  EXPECT_DOUBLE_EQ(p[5].get<double>(), 0);
  EXPECT_EQ(p[11], 60);
  EXPECT_EQ(p[9], "mode_s");
  const auto d = f["trace"][0][8];
  EXPECT_EQ(d["flight"], "SWR1    ");
  EXPECT_EQ(d["squawk"], "1000");
  // The track without an address: "~" and its number, as in aircraft.json.
  EXPECT_TRUE(store.trace_json("~00002a", true));
  const auto aircraft = nlohmann::json::parse(store.aircraft_json());
  std::vector<std::string> hexes;
  for (const auto& a : aircraft["aircraft"]) hexes.push_back(a["hex"]);
  EXPECT_EQ(hexes, (std::vector<std::string>{"4b1a2c", "~00002a"}));

  ObjectState gone = updates.front();
  gone.time = Time::from_seconds(1009);
  gone.status = TrackStatus::kDeleted;
  store.apply(std::vector<ObjectState>{gone});
  EXPECT_TRUE(store.trace_json("4b1a2c", false));
  store.clear();
  EXPECT_FALSE(store.trace_json("4b1a2c", false));
}

}  // namespace
}  // namespace skyfuse::server
