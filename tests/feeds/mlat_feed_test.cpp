// The mlat_receivers feed (format mlat_csv): rows in any chunks, bad rows
// named by file and line, bad receivers counted, a missing receiver list a
// ConfigError, fixes counted per flag, and the simulated network of
// scenarios-like geometry located into kMlat reports carrying the address.
#include "feeds/mlat_feed.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "mlat/locards_csv.hpp"
#include "sim/simulator.hpp"

namespace skyfuse::feeds {
namespace {

std::string write(const std::string& name, const std::string& text) {
  const std::string path = std::string(SKYFUSE_BINARY_DIR) + "/" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

Sensor network_sensor() {
  Sensor s;
  s.id = 4;
  s.name = "net";
  s.kind = SensorKind::kMlat;
  return s;
}

long counter(const std::vector<std::pair<std::string, long>>& c, const std::string& key) {
  for (const auto& [k, v] : c)
    if (k == key) return v;
  return -1;
}

// A simulated network (sim::simulate_network, 4 GPS receivers around two
// aircraft, one with ADS-B) as the CSV sim writes, fed in 100-byte chunks.
TEST(MlatFeed, LocatesTheRowsOfASimulatedNetwork) {
  sim::Scenario sc;
  sc.start = Time::from_seconds(1.7e9);
  sc.duration_s = 60;
  for (int k = 0; k < 2; ++k) {
    sim::ParametricTarget p;
    p.id = k ? "dark" : "adsb";
    p.identity.icao24 = 0x3c0001u + static_cast<std::uint32_t>(k);
    p.start = {47.2 + 0.2 * k, 8.3 + 0.3 * k, 9000.0};
    p.speed_mps = 200;
    p.heading_deg = 90;
    p.equipage.adsb = k == 0;
    p.legs = {{.duration_s = 60}};
    sc.targets.push_back(sim::fly(p, sc.start));
  }
  sim::MlatNetworkConfig n;
  n.name = "net";
  const GeodeticPosition sites[] = {
      {47.6, 8.2, 400}, {47.0, 8.2, 500}, {47.3, 9.0, 450}, {47.7, 8.9, 420}, {47.3, 8.55, 430}};
  for (std::uint32_t k = 0; k < 5; ++k)
    n.receivers.push_back({.id = k + 1, .site = sites[k], .pd = 1});
  sc.mlat_networks.push_back(n);
  const sim::NetworkFeed net = sim::simulate(sc, 3).networks.at(0);
  std::string rx = std::string(mlat::kReceiverHeader) + "\n";
  for (const auto& r : net.receivers.all()) rx += mlat::to_csv_line(r) + "\n";
  rx += "99,0,0,0,Radarcape,TRUE\n";  // at 0,0: an input error, skipped
  std::string rows = mlat::measurement_header(true) + "\n";
  int dark_rows = 0;
  for (const auto& m : net.messages) {
    rows += mlat::to_csv_line(m, true) + "\n";
    dark_rows += m.reference ? 0 : 1;
  }
  rows += "this is not a row\n";
  FeedConfig f;
  f.format = FeedFormat::kMlatCsv;
  f.path = write("mlat_feed_rows.csv", rows);
  f.receivers_path = write("mlat_feed_receivers.csv", rx);
  FeedDecoder dec(f, network_sensor(), "", false);
  std::vector<Report> out;
  for (std::size_t p = 0; p < rows.size(); p += 100) {
    const auto* b = reinterpret_cast<const std::uint8_t*>(rows.data()) + p;
    dec.feed(std::span<const std::uint8_t>(b, std::min<std::size_t>(100, rows.size() - p)), Time{},
             static_cast<std::int64_t>(p), out);
  }
  dec.finish(out);
  EXPECT_EQ(dec.errors(), 2);
  const auto msgs = dec.take_messages();
  ASSERT_EQ(msgs.size(), 2u);
  EXPECT_NE(msgs[0].find("mlat_feed_receivers.csv:7:"), std::string::npos) << msgs[0];
  const std::string last_line = std::to_string(net.messages.size() + 2);
  EXPECT_NE(msgs[1].find("mlat_feed_rows.csv:" + last_line + ": "), std::string::npos) << msgs[1];
  const auto c = dec.counters();
  EXPECT_EQ(counter(c, "mlat_messages"), static_cast<long>(net.messages.size()));
  long fixes = 0;
  for (const auto& [k, v] : c)
    if (k.rfind("mlat_fixes_", 0) == 0) fixes += v;
  EXPECT_EQ(fixes, dark_rows);  // every row to locate has a fix with some flag
  EXPECT_EQ(counter(c, "mlat_fixes_ok"), static_cast<long>(out.size()));
  ASSERT_GT(out.size(), static_cast<std::size_t>(dark_rows) * 8 / 10);
  for (const Report& r : out) {
    EXPECT_EQ(r.sensor, 4u);
    EXPECT_EQ(r.sensor_kind, SensorKind::kMlat);
    ASSERT_TRUE(r.identity.icao24);
    EXPECT_EQ(*r.identity.icao24, 0x3c0002u);
    EXPECT_GE(r.source_offset, 0);
    // Where the aircraft was (within 200 m: 5 receivers, 30 ns GPS jitter).
    const auto truth = sc.targets[1].at(r.time);
    ASSERT_TRUE(truth);
    const auto& g = std::get<GeodeticMeasurement>(r.measurement);
    const double dn = (g.position.lat_deg - truth->position.lat_deg) * 111e3;
    const double de = (g.position.lon_deg - truth->position.lon_deg) * 111e3 * 0.68;
    EXPECT_LT(std::hypot(dn, de), 200.0);
  }
}

TEST(MlatFeed, MissingReceiverListIsAConfigError) {
  FeedConfig f;
  f.format = FeedFormat::kMlatCsv;
  f.path = "rows.csv";
  f.receivers_path = "/nonexistent/receivers.csv";
  EXPECT_THROW(FeedDecoder(f, network_sensor(), "", false), ConfigError);
}

}  // namespace
}  // namespace skyfuse::feeds
