#include "io/trajectory_files.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace skyfuse::io {
namespace {

std::string src(const char* rel) { return std::string(SKYFUSE_SOURCE_DIR) + "/" + rel; }

TEST(ParseUtc, DateTimesAndPlainSeconds) {
  EXPECT_EQ(parse_utc("1970-01-01 00:00:29.900000000")->ns, 29900000000);
  EXPECT_EQ(parse_utc("2018-08-01T11:30:00Z")->ns, 1533123000000000000);
  EXPECT_EQ(parse_utc("2022-08-17 14:40:48.420")->ns, 1660747248420000000);
  EXPECT_EQ(parse_utc("2000-02-29T00:00:00Z")->ns, 951782400000000000);
  EXPECT_EQ(parse_utc("12.5")->ns, 12500000000);
  EXPECT_FALSE(parse_utc("2018-13-01T00:00:00Z"));
  EXPECT_FALSE(parse_utc("yesterday"));
}

TEST(StateVectors, BundledSwissSliceLoadsAsSmoothTrajectories) {
  auto f = read_state_vectors(src("data/traffic/switzerland_20180801_1130.jsonl"));
  ASSERT_TRUE(f) << f.error().detail;
  EXPECT_EQ(f->rows, 7107);
  EXPECT_GE(f->trajectories.size(), 90u);
  for (const auto& t : f->trajectories) {
    ASSERT_GE(t.samples.size(), 2u);
    EXPECT_TRUE(t.identity.icao24.has_value());
    EXPECT_TRUE(t.equipage.adsb);
    for (std::size_t i = 1; i < t.samples.size(); ++i) {
      ASSERT_LT(t.samples[i - 1].time, t.samples[i].time);
      // Split at gaps over 60 s: none remain inside a trajectory.
      ASSERT_LE((t.samples[i].time - t.samples[i - 1].time).seconds(), 60.0);
      ASSERT_LT(t.samples[i].velocity_enu_mps.norm(), 400.0);
    }
  }
  // DLH8JW (3003ae) appears with its callsign.
  bool found = false;
  for (const auto& t : f->trajectories) found |= t.identity.callsign.rfind("DLH", 0) == 0;
  EXPECT_TRUE(found);
}

TEST(StateVectors, BadRowsAreCountedWithLine) {
  const std::string path = std::string(SKYFUSE_BINARY_DIR) + "/sv_test.jsonl";
  {
    std::ofstream o(path);
    o << R"({"timestamp":1000,"icao24":"abc123","latitude":47,"longitude":8,"altitude":1000,"groundspeed":200,"track":90,"vertical_rate":0})"
         "\n"
      << "not json\n"
      << R"({"timestamp":11000,"icao24":"abc123","latitude":47,"longitude":8.013,"altitude":1000,"groundspeed":200,"track":90})"
         "\n"
      << R"({"timestamp":21000,"icao24":"abc123","latitude":95,"longitude":8.06,"altitude":1000,"groundspeed":200,"track":90})"
         "\n"
      << R"({"timestamp":31000,"icao24":"abc123","longitude":8.09})"
         "\n";
  }
  auto f = read_state_vectors(path);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->error_count, 3);
  EXPECT_NE(f->errors[0].find(":2: "), std::string::npos);
  EXPECT_NE(f->errors[1].find(":4: value out of range"), std::string::npos);
  EXPECT_NE(f->errors[2].find(":5: missing or mistyped"), std::string::npos);
  ASSERT_EQ(f->trajectories.size(), 1u);
  EXPECT_EQ(f->trajectories[0].samples.size(), 2u);
}

TEST(DroneCsv, RealPackageDeliveryFlight) {
  auto f = read_drone_csv(src("data/drones/flight_100_route_R1.csv"));
  ASSERT_TRUE(f) << f.error().detail;
  ASSERT_EQ(f->trajectories.size(), 1u);
  const auto& t = f->trajectories[0];
  EXPECT_EQ(t.samples.size(), 121u);
  EXPECT_EQ(t.target_class, TargetClass::kSmallUav);
  EXPECT_NEAR(t.samples[0].position.lat_deg, 40.45897643030073, 1e-12);
  // A delivery quadcopter: a few m/s, never airliner speeds.
  for (const auto& s : t.samples) EXPECT_LT(s.velocity_enu_mps.norm(), 30.0);
  EXPECT_FALSE(read_drone_csv(src("data/drones/README.md")));
}

}  // namespace
}  // namespace skyfuse::io
