#include "apps/scenario_loader.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "core/error.hpp"

namespace skyfuse::apps {
namespace {

std::string src(const char* rel) { return std::string(SKYFUSE_SOURCE_DIR) + "/" + rel; }

std::string write(const std::string& name, const std::string& text) {
  const std::string path = std::string(SKYFUSE_BINARY_DIR) + "/" + name;
  std::ofstream(path) << text;
  return path;
}

std::string error_of(const std::string& path) {
  try {
    load_scenario(path);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

const char* kHead = "[scenario]\nname = \"t\"\nstart = \"2020-01-01T00:00:00Z\"\nduration_s = 60\n";

TEST(ScenarioLoader, LoadsTheBundledScenarios) {
  const sim::Scenario demo = load_scenario(src("scenarios/demo_zurich.toml"));
  EXPECT_EQ(demo.name, "zurich-demo");
  EXPECT_EQ(demo.start, Time::from_seconds(1533123000));
  EXPECT_GE(demo.targets.size(), 95u);
  EXPECT_EQ(demo.radars.size(), 4u);
  EXPECT_EQ(demo.adsb.size(), 1u);
  EXPECT_EQ(demo.mlat.size(), 1u);
  EXPECT_EQ(demo.mlat[0].receivers.size(), 5u);
  EXPECT_EQ(demo.remote_id.size(), 1u);
  const sim::Scenario net = load_scenario(src("scenarios/mlat_network.toml"));
  ASSERT_EQ(net.mlat_networks.size(), 1u);
  const sim::MlatNetworkConfig& n = net.mlat_networks[0];
  EXPECT_EQ(n.name, "mlat-ch");
  ASSERT_EQ(n.receivers.size(), 10u);
  EXPECT_EQ(n.receivers[2].id, 3u);
  EXPECT_EQ(n.receivers[2].clock, mlat::ClockKind::kBeast);
  EXPECT_EQ(n.receivers[4].clock, mlat::ClockKind::kSbs);
  EXPECT_EQ(n.receivers[0].clock, mlat::ClockKind::kGps);
  EXPECT_FALSE(n.receivers[2].offset_s);
  EXPECT_DOUBLE_EQ(n.jitter_beast_ns, 80);
  int without_adsb = 0;
  for (const auto& t : net.targets) without_adsb += t.equipage.adsb ? 0 : 1;
  EXPECT_EQ(without_adsb, 5);
  const sim::Scenario man = load_scenario(src("scenarios/manoeuvres.toml"));
  ASSERT_EQ(man.targets.size(), 6u);
  EXPECT_EQ(man.targets[5].target_class, TargetClass::kFastMover);
}

// Found by the scenario fuzz target: a leg of 555,546 s in a 5 s scenario was
// integrated whole (5.6 million samples, 9.5 s under ASan); a week at 0.01 s
// would have been 60 million samples per target.
TEST(ScenarioLoader, TargetsAreFlownToTheScenarioEndOnly) {
  const std::string target =
      "[[target]]\nid = \"a\"\nlat_deg = 5\nlon_deg = 2\nalt_m = 1000\nspeed_mps = 100\n"
      "legs = [{ duration_s = 555546 }, { duration_s = 900000 }]\n";
  const sim::Scenario sc = load_scenario(write(
      "short_long_leg.toml",
      "[scenario]\nname = \"t\"\nstart = \"2020-01-01T00:00:00Z\"\nduration_s = 5\n" + target));
  ASSERT_EQ(sc.targets.size(), 1u);
  const auto& samples = sc.targets[0].samples;
  ASSERT_EQ(samples.size(), 51u);  // 0 to 5 s at the default 0.1 s: the end is covered
  EXPECT_EQ(samples.back().time, sc.start + Duration::from_seconds(5));
  // 100 m/s due north for 5 s: 500 m, i.e. 0.004522 deg of latitude at 5 deg N.
  EXPECT_NEAR(samples.back().position.lat_deg - 5, 500 / 110577.0, 1e-6);
  const std::string week =
      "[scenario]\nname = \"t\"\nstart = \"2020-01-01T00:00:00Z\"\nduration_s = 604800\n" + target +
      "step_s = 0.01\n";
  EXPECT_NE(error_of(write("week_fine_step.toml", week)).find("samples over the scenario"),
            std::string::npos)
      << error_of(write("week_fine_step.toml", week));
}

TEST(ScenarioLoader, ErrorsNameFileLineAndKey) {
  struct Case {
    std::string text;
    std::string says;
  } cases[] = {
      {std::string(kHead) +
           "[[sensor]]\nname = \"r\"\nkind = \"radar\"\nlat_deg = 1\nlon_deg = 2\n",
       ":7:8: [[sensor]] \"r\": 'kind' must be psr"},
      {std::string(kHead) +
           "[[sensor]]\nname = \"r\"\nkind = \"psr\"\nlat_deg = 100\nlon_deg = 2\n",
       ":8:11: [[sensor]] \"r\": 'lat_deg' must be within [-90, 90]"},
      {std::string(kHead) + "[[sensor]]\nname = \"r\"\nkind = \"psr\"\nlon_deg = 2\n",
       "missing required key 'lat_deg'"},
      {std::string(kHead) + "[[target]]\nid = \"a\"\nlat_deg = 1\nlon_deg = 2\nlegs = [{ "
                            "duration_s = 5, turnrate = 3 }]\n",
       ":9:27: target \"a\" leg: unknown key 'turnrate'"},
      {std::string(kHead) + "[[target]]\nid = \"a\"\nlat_deg = 1\nlon_deg = 2\n", "needs 'legs"},
      {std::string(kHead) + "[[traffic]]\nfile = \"nowhere.jsonl\"\n",
       "nowhere.jsonl: cannot open file"},
      {std::string(kHead) +
           "[[sensor]]\nname = \"a b\"\nkind = \"adsb\"\nlat_deg = 1\nlon_deg = 2\n",
       "'name' may hold only"},
      {std::string(kHead) +
           "[[sensor]]\nname = \"m\"\nkind = \"mlat\"\nreceivers = [{lat_deg = 1, lon_deg = 2}]\n",
       "needs at least 3 receivers"},
      {std::string(kHead) + "[[sensors]]\nname = \"r\"\n", ":5:3: unknown section 'sensors'"},
      {std::string(kHead) + "[[mlat_network]]\nname = \"n\"\nreceivers = [{id = 1, lat_deg = 1, "
                            "lon_deg = 2, type = \"atomic\"}, {id = 2, lat_deg = 1, lon_deg = 3}, "
                            "{id = 3, lat_deg = 2, lon_deg = 2}]\n",
       "[[mlat_network]] \"n\" receiver: 'type' must be gps"},
      {std::string(kHead) + "[[mlat_network]]\nname = \"n\"\nreceivers = [{id = 1, lat_deg = 1, "
                            "lon_deg = 2}, {id = 1, lat_deg = 1, lon_deg = 3}, "
                            "{id = 3, lat_deg = 2, lon_deg = 2}]\n",
       "'id' is used by another receiver"},
      {std::string(kHead) + "[[mlat_network]]\nname = \"n\"\njitter_gps_ns = -1\n",
       "'jitter_gps_ns' must be within"},
      {std::string(kHead) + "[[traffic]]\nfile = \"" +
           src("data/traffic/switzerland_20180801_1130.jsonl") + "\"\nwithout_adsb = [\"4b1a\"]\n",
       "'without_adsb' entries are 24-bit addresses"},
      {"[scenario]\nstart = \"last tuesday\"\nduration_s = 5\n",
       ":2:9: [scenario]: 'start' must be a UTC date-time"},
      {"[scenario\n", ":1:"},
      {"duration_s = 1\n", "missing [scenario] table"},
  };
  int k = 0;
  for (const auto& c : cases) {
    const std::string path = write("scenario_case_" + std::to_string(k++) + ".toml", c.text);
    const std::string e = error_of(path);
    EXPECT_NE(e.find(path), std::string::npos) << e;
    EXPECT_NE(e.find(c.says), std::string::npos) << "expected '" << c.says << "' in: " << e;
  }
}

}  // namespace
}  // namespace skyfuse::apps
