// The real Beast capture (beastblackbox, 11 aircraft, 61 s) against Debian
// dump1090-mutability's positions of the same bytes; and pyModeS's stateful
// decode of its ADS-B sample.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "decode/modes/decoder.hpp"
#include "decode/modes/framing.hpp"

namespace skyfuse::decode::modes {
namespace {

std::string src(const char* rel) { return std::string(SKYFUSE_SOURCE_DIR) + "/" + rel; }

double metres(double lat1, double lon1, double lat2, double lon2) {
  const double dn = (lat1 - lat2) * 111195.0;
  const double de = (lon1 - lon2) * 111195.0 * std::cos(lat1 * M_PI / 180);
  return std::hypot(dn, de);
}

std::vector<std::uint8_t> read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(BeastBlackbox, PositionsMatchDump1090Mutability) {
  const auto bytes = read_all(src("data/adsb/ulss7-beast-bin-utc--1522782148.136310917--.log"));
  ASSERT_EQ(bytes.size(), 227244u);
  Decoder dec;
  BeastStream beast;
  std::map<std::uint32_t, std::vector<std::pair<double, double>>> ours;
  std::map<std::uint32_t, std::vector<int>> alts;
  std::uint64_t first = 0;
  bool have = false;
  beast.feed(bytes, [&](const RawFrame& f) {
    if (!have) first = f.counter_12mhz, have = true;
    const Time t = Time::from_seconds(1522782148.136) +
                   Duration{static_cast<std::int64_t>((f.counter_12mhz - first) * 1000 / 12)};
    const Decoded d = dec.decode(f, t);
    if (d.position) {
      ours[d.msg.icao].push_back({d.position->lat_deg, d.position->lon_deg});
      alts[d.msg.icao].push_back(d.msg.altitude_ft.value_or(-1));
    }
  });
  beast.finish();
  EXPECT_EQ(beast.stats().frames, 13954);
  EXPECT_EQ(beast.stats().errors, 0);
  EXPECT_EQ(dec.stats().crc_failures, 0);
  EXPECT_EQ(dec.stats().mode_ac, 5026);
  EXPECT_EQ(dec.aircraft().size(), 11u);

  std::ifstream csv(src("tests/data/adsb/dump1090_beastblackbox_positions.csv"));
  std::string line;
  std::getline(csv, line);  // header
  std::map<std::uint32_t, std::size_t> next;
  int compared = 0;
  double worst = 0;
  while (std::getline(csv, line)) {
    std::stringstream ss(line);
    std::string icao, t, lat, lon, alt;
    std::getline(ss, icao, ',');
    std::getline(ss, t, ',');
    std::getline(ss, lat, ',');
    std::getline(ss, lon, ',');
    std::getline(ss, alt, ',');
    const std::uint32_t a = static_cast<std::uint32_t>(std::stoul(icao, nullptr, 16));
    const std::size_t k = next[a]++;
    ASSERT_LT(k, ours[a].size()) << icao << ": dump1090 has more positions";
    const double d = metres(ours[a][k].first, ours[a][k].second, std::stod(lat), std::stod(lon));
    worst = std::max(worst, d);
    EXPECT_LT(d, 1.0) << icao << " #" << k;  // dump1090 prints 5 decimals (0.55 m)
    EXPECT_EQ(alts[a][k], std::stoi(alt)) << icao << " #" << k;
    ++compared;
  }
  EXPECT_EQ(compared, 1456);
  long total = 0;
  for (const auto& [a, v] : ours) total += static_cast<long>(v.size());
  EXPECT_GE(total, compared);  // at least as many positions as dump1090
  std::printf("beastblackbox: %ld positions (dump1090: %d), worst difference %.3f m\n", total,
              compared, worst);
}

TEST(PyModeSSample, PositionsAndVelocitiesMatchPyModeSPipe) {
  std::ifstream in(src("tests/data/adsb/sample_data_adsb.csv"));
  std::ifstream oracle(src("tests/data/adsb/pymodes_v3_pipe_pymodes_sample_data_adsb.jsonl"));
  CsvParser csv;
  Decoder dec;
  std::string line, oline;
  std::int64_t offset = 0;
  int positions_both = 0, positions_theirs = 0, positions_ours = 0, velocities = 0;
  double worst = 0;
  while (std::getline(in, line) && std::getline(oracle, oline)) {
    const nlohmann::json o = nlohmann::json::parse(oline);
    csv.line(line, offset++, [&](const RawFrame& f) {
      const Decoded d = dec.decode(f, Time::from_seconds(f.unix_time_s));
      const auto& od = o["dec"];
      ASSERT_EQ(o["msg"].get<std::string>(), to_hex(f.bytes.data(), f.n_bytes));
      const bool theirs = od.contains("latitude") && !od["latitude"].is_null();
      positions_theirs += theirs;
      positions_ours += d.position.has_value();
      if (theirs && d.position) {
        ++positions_both;
        const double m =
            metres(d.position->lat_deg, d.position->lon_deg, od["latitude"], od["longitude"]);
        worst = std::max(worst, m);
        EXPECT_LT(m, 1.0) << line;
      }
      if (od.contains("groundspeed") && d.msg.velocity && d.msg.velocity->gs_kt) {
        ++velocities;
        // pyModeS prints ground speed truncated to whole knots.
        EXPECT_EQ(std::floor(*d.msg.velocity->gs_kt), od["groundspeed"].get<double>());
        EXPECT_NEAR(*d.msg.velocity->track_deg, od["track"].get<double>(), 1e-4);
        EXPECT_EQ(d.msg.velocity->vrate_fpm, od["vertical_rate"].get<int>());
      }
    });
  }
  EXPECT_EQ(positions_theirs, 329);
  EXPECT_EQ(positions_both, positions_theirs);
  // pyModeS holds a new aircraft's first positions until it trusts them
  // ("bootstrap_held": 5 in its stats) and pairs only within its own window;
  // skyfuse decodes every globally or locally resolvable fix.
  EXPECT_GE(positions_ours, positions_theirs);
  EXPECT_GT(velocities, 300);
  std::printf("pyModeS sample: %d positions (pyModeS: %d), worst difference %.3f m\n",
              positions_ours, positions_theirs, worst);
}

}  // namespace
}  // namespace skyfuse::decode::modes
