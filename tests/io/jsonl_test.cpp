#include "io/jsonl.hpp"

#include <gtest/gtest.h>

#include <fstream>

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
