#include "io/jsonl.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numbers>
#include <random>
#include <string>
#include <vector>

namespace skyfuse::io {
namespace {

TEST(Jsonl, FormatsTimeExactlyFromNanoseconds) {
  EXPECT_EQ(format_time(Time{1533123000250000000}), "1533123000.250000");
  EXPECT_EQ(format_time(Time{1533123000999999600}), "1533123001.000000");
  EXPECT_EQ(format_time(Time{0}), "0.000000");
  EXPECT_EQ(format_time(Time{-1500000000}), "-1.500000");
}

TEST(Jsonl, StateRoundTrip) {
  ObjectState s;
  s.time = Time::from_seconds(1533123000.5);
  s.id = "4b1a01";
  s.position = {47.123456789, -179.5, 10668.25};
  s.velocity_enu_mps = {100.5, -20.25, 3.125};
  s.status = TrackStatus::kConfirmed;
  s.target_class = TargetClass::kRotorcraft;
  s.identity.icao24 = 0x4b1a01;
  s.identity.callsign = "SWR123";
  const std::string line = to_json(s);
  auto back = parse_state(line);
  ASSERT_TRUE(back) << back.error().detail;
  EXPECT_EQ(back->time, s.time);
  EXPECT_EQ(back->id, s.id);
  EXPECT_NEAR(back->position.lat_deg, s.position.lat_deg, 1e-8);
  EXPECT_DOUBLE_EQ(back->position.lon_deg, -179.5);
  EXPECT_DOUBLE_EQ(back->velocity_enu_mps.y(), -20.25);
  EXPECT_EQ(back->status, TrackStatus::kConfirmed);
  EXPECT_EQ(back->target_class, TargetClass::kRotorcraft);
  EXPECT_EQ(back->identity.icao24, 0x4b1a01u);
  EXPECT_EQ(back->identity.callsign, "SWR123");
  EXPECT_EQ(to_json(*back), line);
}

TEST(Jsonl, StateCarriesPressureAltitudeAndSources) {
  ObjectState s;
  s.time = Time::from_seconds(1533123000);
  s.id = "7";
  s.baro_alt_m = 35000 * 0.3048;
  s.sources[static_cast<std::size_t>(SensorKind::kModeSRadar)] = 2;
  s.sources[static_cast<std::size_t>(SensorKind::kAdsb)] = 1;
  const std::string line = to_json(s);
  EXPECT_NE(line.find(R"("baro_alt_ft":35000,"sources":{"mode_s":2,"adsb":1}})"), std::string::npos)
      << line;
  auto back = parse_state(line);
  ASSERT_TRUE(back) << back.error().detail;
  EXPECT_NEAR(*back->baro_alt_m, 35000 * 0.3048, 1e-9);
  EXPECT_EQ(back->sources, s.sources);
  EXPECT_EQ(to_json(*back), line);
  for (const char* bad :
       {R"({"time":1,"id":"a","lat_deg":1,"lon_deg":1,"alt_m":1,"sources":[1]})",
        R"({"time":1,"id":"a","lat_deg":1,"lon_deg":1,"alt_m":1,"sources":{"x":1}})",
        R"({"time":1,"id":"a","lat_deg":1,"lon_deg":1,"alt_m":1,"sources":{"psr":256}})"})
    EXPECT_FALSE(parse_state(bad)) << bad;
}

// A Remote ID track's operator position (issue #20): 7 decimals, the height
// only when given, both coordinates or neither; absent on other tracks.
TEST(Jsonl, OperatorPositionOnTrackLines) {
  ObjectState s;
  s.time = Time::from_seconds(1680365730.1);
  s.id = "1";
  s.position = {47.1987103, 8.7302371, 500};
  s.identity.remote_id = "1588E040445AC004418";
  EXPECT_EQ(to_json(s).find("operator"), std::string::npos);
  s.operator_position = OperatorPosition{47.198656, 8.7302205, std::nullopt};
  const std::string line = to_json(s);
  EXPECT_NE(line.find(R"("operator_lat_deg":47.1986560,"operator_lon_deg":8.7302205})"),
            std::string::npos)
      << line;
  auto back = parse_state(line);
  ASSERT_TRUE(back) << back.error().detail;
  ASSERT_TRUE(back->operator_position);
  EXPECT_DOUBLE_EQ(back->operator_position->lat_deg, 47.198656);
  EXPECT_FALSE(back->operator_position->alt_m);
  EXPECT_EQ(to_json(*back), line);
  s.operator_position->alt_m = 512.3;
  EXPECT_NE(to_json(s).find(R"("operator_alt_m":512.3})"), std::string::npos) << to_json(s);
  auto half = parse_state(
      R"({"time":1,"id":"1","lat_deg":47,"lon_deg":8,"alt_m":0,"operator_lat_deg":47.2})");
  ASSERT_FALSE(half);
  EXPECT_NE(half.error().detail.find("operator_lon_deg"), std::string::npos);
  auto r = parse_report(
      R"({"time":1,"kind":"remote_id","lat_deg":47,"lon_deg":8,"cov_enu_m2":[1,0,0,1,0,1],)"
      R"("remote_id":"X","operator_lat_deg":47.1,"operator_lon_deg":8.1,"operator_alt_m":400})");
  ASSERT_TRUE(r) << r.error().detail;
  ASSERT_TRUE(r->operator_position);
  EXPECT_EQ(r->operator_position->alt_m, 400.0);
}

// The state line against independent formatting: printf's correctly rounded
// "%.Nf" for every number (signs, values that round to zero or carry over,
// large and tiny magnitudes), format_time for the time, printf's "%06x" and
// "%04o" for the address and code, and nlohmann's escaping for strings that
// need it.
TEST(Jsonl, StateLineNumbersMatchPrintfAndEscaping) {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(-1, 1);
  auto fixed = [](double v, int n) {
    char buf[128];
    std::snprintf(buf, sizeof buf, "%.*f", n, v);
    return std::string(buf);
  };
  const std::vector<double> edges = {
      0.0,    -0.0,   -0.0004,      0.0005, 0.0015,         -0.0015, 1e-9,  -1e-9,
      0.9995, -179.5, 89.999999995, 1e15,   -123456789.125, 2.5e-5,  0.125, 999.9995};
  for (int k = 0; k < 2000; ++k) {
    ObjectState s;
    s.time = Time{static_cast<std::int64_t>(u(rng) * 2e18)};
    const double scale = std::pow(10.0, static_cast<int>(u(rng) * 8));
    const auto pick = [&](int i) {
      return k < static_cast<int>(edges.size()) ? edges[(k + i) % edges.size()] : u(rng) * scale;
    };
    s.id = k % 3 == 0 ? "trk\"7\\\n\xc3\xa9" : std::to_string(k);
    s.position = {pick(0), pick(1), pick(2)};
    s.velocity_enu_mps = {pick(3), pick(4), pick(5)};
    std::string ident;
    if (k % 2 == 0) {
      s.identity.icao24 = static_cast<std::uint32_t>(rng() % 0x1000000);
      s.identity.mode3a = static_cast<std::uint16_t>(rng() % 010000);
      s.identity.callsign = k % 4 == 0 ? "SWR12" : "A\"B";
      s.identity.emitter_category = static_cast<std::uint8_t>(rng() % 32);
      char buf[64];
      std::snprintf(buf, sizeof buf, ",\"icao24\":\"%06x\",\"mode3a\":\"%04o\"", *s.identity.icao24,
                    static_cast<unsigned>(*s.identity.mode3a));
      ident = buf + std::string(",\"callsign\":") + nlohmann::json(s.identity.callsign).dump() +
              ",\"emitter_category\":" + std::to_string(*s.identity.emitter_category);
    }
    const std::string want = "{\"time\":" + format_time(s.time) +
                             ",\"id\":" + nlohmann::json(s.id).dump() +
                             ",\"lat_deg\":" + fixed(s.position.lat_deg, 8) +
                             ",\"lon_deg\":" + fixed(s.position.lon_deg, 8) +
                             ",\"alt_m\":" + fixed(s.position.alt_m, 2) +
                             ",\"ve_mps\":" + fixed(s.velocity_enu_mps.x(), 3) +
                             ",\"vn_mps\":" + fixed(s.velocity_enu_mps.y(), 3) +
                             ",\"vu_mps\":" + fixed(s.velocity_enu_mps.z(), 3) + ident + "}";
    ASSERT_EQ(to_json(s), want) << k;
  }
}

TEST(Jsonl, BadLinesNameTheProblem) {
  struct Case {
    const char* line;
    const char* says;
  } cases[] = {
      {"{\"time\":1,\"id\":\"a\",\"lat_deg\":1,\"lon_deg\":2", "not valid JSON"},
      {"[1,2,3]", "not a JSON object"},
      {"{\"id\":\"a\",\"lat_deg\":1,\"lon_deg\":2,\"alt_m\":3}", "missing field \"time\""},
      {"{\"time\":1,\"lat_deg\":1,\"lon_deg\":2,\"alt_m\":3}", "missing field \"id\""},
      {"{\"time\":1,\"id\":\"a\",\"lat_deg\":\"x\",\"lon_deg\":2,\"alt_m\":3}",
       "\"lat_deg\" is not a number"},
      {"{\"time\":1,\"id\":\"a\",\"lat_deg\":91,\"lon_deg\":2,\"alt_m\":3}", "lat_deg\" outside"},
      {"{\"time\":1,\"id\":\"a\",\"lat_deg\":1,\"lon_deg\":2}", "missing field \"alt_m\""},
      {"{\"time\":1,\"id\":\"a\",\"lat_deg\":1,\"lon_deg\":2,\"alt_m\":3,\"status\":\"alive\"}",
       "unknown \"status\""},
      {"{\"time\":1,\"id\":\"a\",\"lat_deg\":1,\"lon_deg\":2,\"alt_m\":3,\"icao24\":\"xyz\"}",
       "icao24"},
      // A sign is not a hex digit (strtoul would wrap it; found by the fuzzer).
      {"{\"time\":1,\"id\":\"a\",\"lat_deg\":1,\"lon_deg\":2,\"alt_m\":3,\"icao24\":\"-003ae\"}",
       "icao24"},
      {"{\"time\":1e300,\"id\":\"a\",\"lat_deg\":1,\"lon_deg\":2,\"alt_m\":3}",
       "time\" is out of range"},
  };
  for (const auto& c : cases) {
    auto r = parse_state(c.line);
    ASSERT_FALSE(r) << c.line;
    EXPECT_NE(r.error().detail.find(c.says), std::string::npos) << r.error().detail;
  }
}

TEST(Jsonl, ReadStatesSkipsAndCountsBadLinesWithFileAndLine) {
  const std::string path = std::string(SKYFUSE_BINARY_DIR) + "/jsonl_test_states.jsonl";
  {
    std::ofstream o(path);
    o << "{\"time\":1,\"id\":\"a\",\"lat_deg\":1,\"lon_deg\":2,\"alt_m\":3}\n"
      << "garbage\n"
      << "\n"
      << "{\"time\":2,\"id\":7,\"lat_deg\":1,\"lon_deg\":2,\"alt_m\":3}\r\n"
      << "{\"time\":3,\"id\":\"a\",\"lat_deg\":1,\"lon_deg\":2}\n";
  }
  auto f = read_states(path);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->states.size(), 2u);
  EXPECT_EQ(f->states[1].id, "7");
  EXPECT_EQ(f->error_count, 2);
  ASSERT_EQ(f->errors.size(), 2u);
  EXPECT_EQ(f->errors[0].rfind(path + ":2: ", 0), 0u) << f->errors[0];
  EXPECT_EQ(f->errors[1].rfind(path + ":5: missing field \"alt_m\"", 0), 0u) << f->errors[1];
  EXPECT_FALSE(read_states(path + ".missing"));
}

TEST(Jsonl, ReportLinesCarryUnitsInNames) {
  Sensor s;
  s.name = "rad-1";
  s.sac = 20;
  s.sic = 1;
  Report r;
  r.time = Time::from_seconds(10);
  r.sensor_kind = SensorKind::kSsr;
  PolarMeasurement m;
  m.range_m = 12345.678;
  m.azimuth_rad = 3.14159265358979 / 2;
  m.covariance.diagonal() << 900, 1e-6, 0;
  r.measurement = m;
  r.baro_alt_m = 10000 * 0.3048;
  r.identity.mode3a = 07700;
  const std::string line = to_json(r, s);
  EXPECT_EQ(line,
            "{\"time\":10.000000,\"sensor\":\"rad-1\",\"kind\":\"ssr\",\"sac\":20,\"sic\":1,"
            "\"range_m\":12345.68,\"azimuth_deg\":90.00000,\"sigma_range_m\":30.000,"
            "\"sigma_azimuth_deg\":0.05730,\"baro_alt_ft\":10000,\"mode3a\":\"7700\"}");
}

}  // namespace
}  // namespace skyfuse::io

namespace skyfuse::io {
namespace {

TEST(JsonlReport, PolarReportRoundTripsThroughParse) {
  Sensor s;
  s.name = "psr-1";
  Report r;
  r.time = Time::from_seconds(1717236001.675066);
  r.sensor_kind = SensorKind::kModeSRadar;
  PolarMeasurement p;
  p.range_m = 25445.66;
  p.azimuth_rad = 150.87317 * std::numbers::pi / 180;
  p.covariance.diagonal() << 30.0 * 30.0, std::pow(0.05 * std::numbers::pi / 180, 2), 0;
  r.measurement = p;
  r.baro_alt_m = 1350 * 0.3048;
  r.identity.icao24 = 0x400005;
  r.identity.mode3a = 07700;
  const auto back = parse_report(to_json(r, s));
  ASSERT_TRUE(back.has_value()) << back.error().detail;
  const auto& q = std::get<PolarMeasurement>(back->measurement);
  EXPECT_EQ(back->time, r.time);
  EXPECT_EQ(back->sensor_kind, SensorKind::kModeSRadar);
  EXPECT_NEAR(q.range_m, 25445.66, 1e-9);
  EXPECT_NEAR(q.azimuth_rad, p.azimuth_rad, 1e-9);
  EXPECT_NEAR(std::sqrt(q.covariance(0, 0)), 30.0, 1e-9);
  EXPECT_NEAR(*back->baro_alt_m, 1350 * 0.3048, 1e-9);
  EXPECT_EQ(*back->identity.icao24, 0x400005u);
  EXPECT_EQ(*back->identity.mode3a, 07700);
}

TEST(JsonlReport, GeodeticReportKeepsCovarianceAndVelocity) {
  const std::string line =
      R"({"time":1717236000.352730,"sensor":"adsb-london","kind":"adsb","sac":0,"sic":3,)"
      R"("lat_deg":51.54911969,"lon_deg":-0.19991026,"alt_m":6916.56,)"
      R"("cov_enu_m2":[1431.163,1.5,0.000,1431.163,0.000,3220.116],"ve_mps":-0.787,)"
      R"("vn_mps":-181.020,"vu_mps":0.492,"baro_alt_ft":22825,"icao24":"400002","nacp":8,"nic":8})";
  const auto r = parse_report(line);
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  const auto& g = std::get<GeodeticMeasurement>(r->measurement);
  EXPECT_TRUE(g.has_height);
  EXPECT_DOUBLE_EQ(g.position.alt_m, 6916.56);
  EXPECT_DOUBLE_EQ(g.covariance_enu(0, 1), 1.5);
  EXPECT_DOUBLE_EQ(g.covariance_enu(1, 0), 1.5);
  EXPECT_DOUBLE_EQ(g.covariance_enu(2, 2), 3220.116);
  EXPECT_DOUBLE_EQ(r->velocity_enu_mps->y(), -181.020);
  EXPECT_EQ(*r->nacp, 8);
}

TEST(JsonlReport, ImpossibleValuesAreErrorsNamingTheField) {
  const char* bad[] = {
      R"({"time":1,"kind":"psr","range_m":-5,"azimuth_deg":10})",
      R"({"time":1,"kind":"adsb","lat_deg":95,"lon_deg":0,"cov_enu_m2":[1,0,0,1,0,1]})",
      R"({"time":1,"kind":"adsb","lat_deg":45,"lon_deg":0,"cov_enu_m2":[1,0,0]})",
      R"({"time":1,"kind":"adsb","lat_deg":45,"lon_deg":0,"cov_enu_m2":[-1,0,0,1,0,1]})",
      R"({"time":1,"kind":"radar","range_m":5,"azimuth_deg":10})",
      R"({"time":1,"kind":"psr","range_m":5,"azimuth_deg":10,"icao24":"12"})",
      R"({"time":1,"kind":"adsb","lat_deg":45,"lon_deg":0,"cov_enu_m2":[1,0,0,1,0,1],"ve_mps":9000})",
      R"({"kind":"psr","range_m":5,"azimuth_deg":10})",
      "not json",
  };
  for (const char* line : bad) {
    const auto r = parse_report(line);
    EXPECT_FALSE(r.has_value()) << line;
    if (!r.has_value()) {
      EXPECT_FALSE(r.error().detail.empty());
    }
  }
}

}  // namespace
}  // namespace skyfuse::io
