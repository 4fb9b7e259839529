// FeedDecoder: every input error of a live UDP feed is named by its sensor,
// its input and the offset of the fault in the bytes the sensor has sent
// ("radar-1 (udp:8600): offset N: ..."), whichever layer found it (issue #16:
// UDP error messages had no sensor name; a live ASTERIX feed has no path).
#include "feeds/feed_decoder.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
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

namespace skyfuse::feeds {
namespace {

// One Beast Mode S long frame (type '3'): escape, type, 6-byte counter,
// signal level, 14 bytes; 0x1A doubled.
void beast_frame(std::vector<std::uint8_t>& out, const char* hex, std::uint8_t signal,
                 std::uint64_t counter) {
  std::vector<std::uint8_t> body;
  for (int i = 5; i >= 0; --i) body.push_back(static_cast<std::uint8_t>(counter >> (8 * i)));
  body.push_back(signal);
  for (int i = 0; i < 14; ++i)
    body.push_back(static_cast<std::uint8_t>(std::stoi(std::string(hex + 2 * i, 2), nullptr, 16)));
  out.push_back(0x1a);
  out.push_back('3');
  for (std::uint8_t b : body) {
    out.push_back(b);
    if (b == 0x1a) out.push_back(b);
  }
}

TEST(FeedDecoder, BeastReportsCarryTheirFramesAndSignalLevel) {
  // The classic even/odd pair of 40621D (pyModeS, "The 1090 MHz Riddle"):
  // the second frame gives a position report counting both frames, and their
  // mean power: ((128/255)^2 + (64/255)^2) / 2 -> -8.03 dBFS (readsb's rssi).
  Sensor s;
  s.id = 1;
  s.name = "beast-1";
  s.kind = SensorKind::kAdsb;
  FeedConfig f;
  f.input = "tcp:127.0.0.1:30005";
  f.transport = Transport::kTcp;
  f.format = FeedFormat::kBeast;
  std::vector<std::uint8_t> bytes;
  beast_frame(bytes, "8D40621D58C382D690C8AC2863A7", 128, 12'000'000);
  beast_frame(bytes, "8D40621D58C386435CC412692AD6", 64, 24'000'000);
  FeedDecoder beast(f, s, specs(), /*live=*/true);
  std::vector<Report> out;
  beast.feed(bytes, Time::from_seconds(1000), 0, out);
  ASSERT_EQ(out.size(), 1U);
  ASSERT_TRUE(out[0].mode_s);
  EXPECT_EQ(out[0].mode_s->frames, 2U);
  ASSERT_TRUE(out[0].mode_s->signal_dbfs);
  const double expected = 10 * std::log10((std::pow(128 / 255.0, 2) + std::pow(64 / 255.0, 2)) / 2);
  EXPECT_NEAR(*out[0].mode_s->signal_dbfs, expected, 1e-9);
  EXPECT_NEAR(expected, -8.03, 0.01);
  EXPECT_FALSE(out[0].mode_s->on_ground);
  ASSERT_TRUE(out[0].baro_alt_m);
  EXPECT_NEAR(*out[0].baro_alt_m, 38000 * 0.3048, 1e-6);

  // The same frames as AVR text: no signal level, so no rssi.
  f.format = FeedFormat::kAvr;
  FeedDecoder avr(f, s, specs(), /*live=*/true);
  const std::string text = "*8D40621D58C382D690C8AC2863A7;\n*8D40621D58C386435CC412692AD6;\n";
  out.clear();
  avr.feed({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()},
           Time::from_seconds(1000), 0, out);
  ASSERT_EQ(out.size(), 1U);
  ASSERT_TRUE(out[0].mode_s);
  EXPECT_EQ(out[0].mode_s->frames, 2U);
  EXPECT_FALSE(out[0].mode_s->signal_dbfs);
}

}  // namespace
}  // namespace skyfuse::feeds
