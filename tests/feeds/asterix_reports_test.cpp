// AsterixReportReader: the generated typed decoders (CAT048 1.31, CAT021 2.6,
// CAT020 1.10, CAT015 1.2) must give exactly the reports the interpreting
// decoder gives, on the feeds `skyfuse sim` writes (radar, ADS-B, MLAT) and on
// a drone-radar feed encoded here; and a damaged block must still be named.
#include "feeds/asterix_reports.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <iterator>

#include "decode/asterix/catalogue.hpp"
#include "decode/asterix/decoder.hpp"
#include "output/sensor_asterix.hpp"

namespace skyfuse::feeds {
namespace {

std::string src(const std::string& rel) { return std::string(SKYFUSE_SOURCE_DIR) + "/" + rel; }

std::vector<std::uint8_t> read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The sensor of the first target report in the file.
Sensor sensor_of(const std::vector<std::uint8_t>& bytes, SensorKind kind) {
  Sensor s;
  s.id = 7;
  s.kind = kind;
  std::vector<decode::asterix::Category> cats;
  for (auto& [n, c] : decode::asterix::load_categories(src("specs/asterix"), {}))
    cats.push_back(std::move(c));
  decode::asterix::Decoder dec(std::move(cats));
  bool found = false;
  dec.decode_stream(bytes, 0, [&](const decode::asterix::Record& r) {
    if (found || (r.category != 48 && r.category != 21 && r.category != 20 && r.category != 15))
      return;
    s.sac = r.items["010"]["SAC"].get<std::uint8_t>();
    s.sic = r.items["010"]["SIC"].get<std::uint8_t>();
    found = true;
  });
  EXPECT_TRUE(found);
  return s;
}

std::vector<Report> read(const std::vector<std::uint8_t>& bytes, const Sensor& s, bool typed,
                         long* errors = nullptr) {
  FeedConfig feed;
  feed.path = "feed.ast";
  feed.format = FeedFormat::kAsterix;
  AsterixReportReader reader(feed, s, src("specs/asterix"), 1717200000.0);
  reader.use_typed_decoders(typed);
  std::vector<Report> out;
  reader.blocks(bytes, 0, out);
  if (errors) *errors = reader.errors();
  return out;
}

void expect_same(const Report& a, const Report& b) {
  ASSERT_EQ(a.time.ns, b.time.ns);
  ASSERT_EQ(a.source_offset, b.source_offset);
  ASSERT_EQ(a.measurement.index(), b.measurement.index());
  if (const auto* p = std::get_if<PolarMeasurement>(&a.measurement)) {
    const auto& q = std::get<PolarMeasurement>(b.measurement);
    EXPECT_EQ(p->range_m, q.range_m);
    EXPECT_EQ(p->azimuth_rad, q.azimuth_rad);
    EXPECT_EQ(p->elevation_rad, q.elevation_rad);
    EXPECT_EQ(p->covariance, q.covariance);
  } else {
    const auto& p2 = std::get<GeodeticMeasurement>(a.measurement);
    const auto& q = std::get<GeodeticMeasurement>(b.measurement);
    EXPECT_EQ(p2.position.lat_deg, q.position.lat_deg);
    EXPECT_EQ(p2.position.lon_deg, q.position.lon_deg);
    EXPECT_EQ(p2.position.alt_m, q.position.alt_m);
    EXPECT_EQ(p2.has_height, q.has_height);
    EXPECT_EQ(p2.covariance_enu, q.covariance_enu);
  }
  EXPECT_EQ(a.baro_alt_m, b.baro_alt_m);
  EXPECT_EQ(a.identity.icao24, b.identity.icao24);
  EXPECT_EQ(a.identity.mode3a, b.identity.mode3a);
  EXPECT_EQ(a.identity.callsign, b.identity.callsign);
  EXPECT_EQ(a.nacp, b.nacp);
  EXPECT_EQ(a.emergency, b.emergency);
  ASSERT_EQ(a.velocity_enu_mps.has_value(), b.velocity_enu_mps.has_value());
  if (a.velocity_enu_mps) {
    EXPECT_EQ(*a.velocity_enu_mps, *b.velocity_enu_mps);
  }
}

TEST(AsterixReportReader, TypedDecodersGiveTheInterpretersReports) {
  const std::pair<const char*, SensorKind> feeds[] = {
      {"tests/data/asterix/sim_cat048_034.ast", SensorKind::kModeSRadar},
      {"tests/data/asterix/sim_cat021_023.ast", SensorKind::kAdsb},
      {"tests/data/asterix/sim_cat020_019.ast", SensorKind::kMlat}};
  for (const auto& [file, kind] : feeds) {
    const auto bytes = read_all(src(file));
    const Sensor s = sensor_of(bytes, kind);
    const auto typed = read(bytes, s, true);
    const auto interpreted = read(bytes, s, false);
    ASSERT_EQ(typed.size(), interpreted.size()) << file;
    EXPECT_GT(typed.size(), 100u) << file;
    for (std::size_t k = 0; k < typed.size(); ++k) {
      SCOPED_TRACE(std::string(file) + " report " + std::to_string(k));
      expect_same(typed[k], interpreted[k]);
    }
    long identities = 0;
    for (const auto& r : typed) identities += r.identity.icao24 || r.identity.mode3a;
    EXPECT_GT(identities, 0) << file;
  }
}

TEST(AsterixReportReader, DroneRadarPlotsRoundTripThroughCat015) {
  Sensor s;
  s.id = 3;
  s.kind = SensorKind::kDroneRadar;
  s.sac = 20;
  s.sic = 30;
  std::vector<Report> plots;
  for (int k = 0; k < 50; ++k) {
    Report r;
    r.time = Time{1717232400LL * 1000000000LL + k * 250000000LL};  // 4 Hz
    r.sensor = s.id;
    r.sensor_kind = s.kind;
    PolarMeasurement m;
    m.range_m = 1500.0 + 7.3 * k;
    m.azimuth_rad = 0.02 * k;
    m.elevation_rad = 0.05 + 0.001 * k;
    m.covariance = Eigen::Vector3d(25.0, 4.9e-5, 1.1e-4).asDiagonal();
    r.measurement = m;
    plots.push_back(r);
  }
  long skipped = -1;
  const auto bytes =
      output::encode_feed(s, plots, decode::asterix::load_categories(src("specs/asterix"), {}),
                          plots[0].time, &skipped);
  EXPECT_EQ(skipped, 0);
  const auto typed = read(bytes, s, true);
  const auto interpreted = read(bytes, s, false);
  ASSERT_EQ(typed.size(), plots.size());
  ASSERT_EQ(interpreted.size(), plots.size());
  for (std::size_t k = 0; k < plots.size(); ++k) {
    expect_same(typed[k], interpreted[k]);
    const auto& in = std::get<PolarMeasurement>(plots[k].measurement);
    const auto& out = std::get<PolarMeasurement>(typed[k].measurement);
    // The LSBs of CAT015 1.2: 0.1 m, 360/2^16 deg, 180/2^16 deg, 1/128 s.
    EXPECT_NEAR(out.range_m, in.range_m, 0.05);
    EXPECT_NEAR(out.azimuth_rad, in.azimuth_rad, 0.5 * 360.0 / 65536 * M_PI / 180);
    EXPECT_NEAR(*out.elevation_rad, *in.elevation_rad, 0.5 * 180.0 / 65536 * M_PI / 180);
    EXPECT_NEAR(std::sqrt(out.covariance(0, 0)), 5.0, 0.05);
    EXPECT_NEAR(std::abs((typed[k].time - plots[k].time).seconds()), 0.0, 0.5 / 128);
  }
}

TEST(AsterixReportReader, ABlockTheTypedDecoderRefusesIsNamedByTheInterpreter) {
  auto bytes = read_all(src("tests/data/asterix/sim_cat048_034.ast"));
  const Sensor s = sensor_of(bytes, SensorKind::kModeSRadar);
  const auto all = read(bytes, s, true);
  // Cut the first CAT048 data block short inside its last record (LEN stays
  // consistent with the bytes, so only the record is malformed).
  std::size_t at = 0;
  while (bytes[at] != 48) at += (std::size_t{bytes[at + 1]} << 8) | bytes[at + 2];
  const std::size_t len = (std::size_t{bytes[at + 1]} << 8) | bytes[at + 2];
  std::vector<std::uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<long>(at + len - 2));
  cut[at + 1] = static_cast<std::uint8_t>((len - 2) >> 8);
  cut[at + 2] = static_cast<std::uint8_t>(len - 2);
  cut.insert(cut.end(), bytes.begin() + static_cast<long>(at + len), bytes.end());
  long typed_errors = 0, interp_errors = 0;
  const auto typed = read(cut, s, true, &typed_errors);
  const auto interpreted = read(cut, s, false, &interp_errors);
  EXPECT_EQ(typed_errors, 1);
  EXPECT_EQ(typed_errors, interp_errors);
  ASSERT_EQ(typed.size(), interpreted.size());
  EXPECT_LT(typed.size(), all.size());
  EXPECT_GT(typed.size(), all.size() - 20);  // only the damaged block's records are lost
  for (std::size_t k = 0; k < typed.size(); ++k) expect_same(typed[k], interpreted[k]);
}

}  // namespace
}  // namespace skyfuse::feeds
