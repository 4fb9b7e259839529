// FeedDecoder: every input error of a live UDP feed is named by its sensor,
// its input and the offset of the fault in the bytes the sensor has sent
// ("radar-1 (udp:8600): offset N: ..."), whichever layer found it (issue #16:
// UDP error messages had no sensor name; a live ASTERIX feed has no path).
#include "feeds/feed_decoder.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "decode/asterix/catalogue.hpp"
#include "output/sensor_asterix.hpp"

namespace skyfuse::feeds {
namespace {

std::string specs() { return std::string(SKYFUSE_SOURCE_DIR) + "/specs/asterix"; }

Sensor radar() {
  Sensor s;
  s.id = 1;
  s.name = "radar-1";
  s.kind = SensorKind::kModeSRadar;
  s.sac = 20;
  s.sic = 3;
  s.site = {47.0, 8.0, 500.0};
  return s;
}

FeedConfig udp_feed() {
  FeedConfig f;
  f.input = "udp:8600";
  f.transport = Transport::kUdp;
  f.port = 8600;
  f.format = FeedFormat::kAsterix;
  return f;
}

// One CAT048 data block of three target reports at `t`.
std::vector<std::uint8_t> cat048_block(const Sensor& s, Time t) {
  std::vector<Report> rs;
  for (int k = 0; k < 3; ++k) {
    Report r;
    r.time = t;
    r.sensor = s.id;
    r.sensor_kind = s.kind;
    PolarMeasurement m;
    m.range_m = 50000.0 + 1000.0 * k;
    m.azimuth_rad = 0.5 + 0.1 * k;
    r.measurement = m;
    r.identity.icao24 = 0x400000u + static_cast<std::uint32_t>(k);
    r.baro_alt_m = 9000;
    rs.push_back(r);
  }
  const auto cats = decode::asterix::load_categories(specs(), {});
  const auto bytes = output::encode_feed(s, rs, cats, t);
  // The CAT048 block alone (a CAT034 north marker comes first).
  for (std::size_t p = 0; p + 3 <= bytes.size();) {
    const std::size_t len = (std::size_t{bytes[p + 1]} << 8) | bytes[p + 2];
    if (bytes[p] == 48)
      return {bytes.begin() + static_cast<long>(p), bytes.begin() + static_cast<long>(p + len)};
    p += std::max<std::size_t>(len, 3);
  }
  ADD_FAILURE() << "no CAT048 block";
  return {};
}

struct Case {
  const char* what;
  std::int64_t offset;   // of the datagram in the sensor's bytes
  std::string expected;  // the start of the first message
};

TEST(FeedDecoder, LiveAsterixErrorsNameTheSensorAndTheOffset) {
  const Sensor s = radar();
  const Time t = Time::from_seconds(1717243200.0);
  const auto good = cat048_block(s, t);
  ASSERT_GT(good.size(), 20u);

  // A block whose length field claims more than the datagram holds.
  auto oversized = good;
  oversized[1] = 0xFF;
  oversized[2] = 0xF0;
  // A block cut inside its last record, its length field consistent: only the
  // record is malformed.
  std::vector<std::uint8_t> cut(good.begin(), good.end() - 2);
  cut[1] = static_cast<std::uint8_t>(cut.size() >> 8);
  cut[2] = static_cast<std::uint8_t>(cut.size());

  const std::vector<std::pair<std::vector<std::uint8_t>, Case>> cases = {
      {oversized, {"oversized length field", 5000, "radar-1 (udp:8600): offset 5000: "}},
      {cut, {"truncated record", 7000, "radar-1 (udp:8600): offset 70"}},
  };
  for (const auto& [bytes, c] : cases) {
    FeedDecoder d(udp_feed(), s, specs(), /*live=*/true);
    std::vector<Report> out;
    d.feed(good, t, c.offset - static_cast<std::int64_t>(good.size()), out);
    EXPECT_EQ(out.size(), 3u) << c.what;
    EXPECT_EQ(d.errors(), 0) << c.what;
    out.clear();
    d.feed(bytes, t, c.offset, out);
    EXPECT_GE(d.errors(), 1) << c.what;
    const auto msgs = d.take_messages();
    ASSERT_FALSE(msgs.empty()) << c.what;
    EXPECT_EQ(msgs[0].rfind(c.expected, 0), 0u) << c.what << ": " << msgs[0];
  }
}

TEST(FeedDecoder, FileAsterixErrorsStillNameTheFile) {
  const Sensor s = radar();
  const Time t = Time::from_seconds(1717243200.0);
  auto bytes = cat048_block(s, t);
  bytes[1] = 0xFF;
  FeedConfig f;
  f.input = "file:radar.ast";
  f.path = "/data/radar.ast";
  f.format = FeedFormat::kAsterix;
  f.start_unix = 1717243200.0;
  FeedDecoder d(f, s, specs(), /*live=*/false);
  std::vector<Report> out;
  d.feed(bytes, t, 0, out);
  const auto msgs = d.take_messages();
  ASSERT_FALSE(msgs.empty());
  EXPECT_EQ(msgs[0].rfind("/data/radar.ast: offset 0: ", 0), 0u) << msgs[0];
}

}  // namespace
}  // namespace skyfuse::feeds
