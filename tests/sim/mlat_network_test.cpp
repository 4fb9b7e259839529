// The simulated receiver network's raw arrival times ([[mlat_network]]):
// timestamps follow each receiver's clock model, references carry the
// reported position, the rest only the pressure altitude, output is
// deterministic per seed, and the CSV written reads back as the same rows.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "core/quality.hpp"
#include "geo/wgs84.hpp"
#include "mlat/locards_csv.hpp"
#include "sim/simulator.hpp"

namespace skyfuse::sim {
namespace {

constexpr double kC = 299'792'458.0;
const Time kStart = Time::from_seconds(1.7e9);

Trajectory straight(const std::string& id, std::uint32_t icao, GeodeticPosition start,
                    double heading, bool adsb) {
  ParametricTarget p;
  p.id = id;
  p.identity.icao24 = icao;
  p.start = start;
  p.heading_deg = heading;
  p.speed_mps = 200;
  p.equipage.adsb = adsb;
  p.legs = {{.duration_s = 120}};
  return fly(p, kStart);
}

Scenario network_scenario(double jitter_ns) {
  Scenario sc;
  sc.start = kStart;
  sc.duration_s = 120;
  sc.geometric_minus_baro_m = 40;
  sc.targets.push_back(straight("adsb", 0x3c0001, {47.3, 8.3, 10000}, 80, true));
  sc.targets.push_back(straight("modes", 0x3c0002, {47.5, 8.7, 7000}, 250, false));
  Trajectory none = straight("none", 0x3c0003, {47.4, 8.5, 3000}, 0, false);
  none.equipage.transponder = Equipage::Transponder::kModeAC;
  sc.targets.push_back(none);
  MlatNetworkConfig n;
  n.name = "net";
  n.jitter_gps_ns = n.jitter_beast_ns = n.jitter_sbs_ns = jitter_ns;
  n.receivers = {
      {.id = 11, .site = {47.6, 8.2, 400}, .clock = mlat::ClockKind::kGps, .pd = 1},
      {.id = 12,
       .site = {47.1, 8.3, 500},
       .clock = mlat::ClockKind::kBeast,
       .offset_s = 123.25,
       .drift_ppm = 30,
       .pd = 1},
      {.id = 13,
       .site = {47.4, 9.0, 600},
       .clock = mlat::ClockKind::kSbs,
       .offset_s = 7.5,
       .drift_ppm = -12,
       .pd = 1},
      {.id = 14, .site = {47.3, 8.6, 450}, .clock = mlat::ClockKind::kBeast, .pd = 1},
  };
  sc.mlat_networks.push_back(n);
  return sc;
}

TEST(MlatNetwork, TimestampsFollowEachReceiversClock) {
  const Scenario sc = network_scenario(0);
  const NetworkFeed f = simulate(sc, 5).networks.at(0);
  ASSERT_EQ(f.receivers.size(), 4u);
  ASSERT_GT(f.messages.size(), 300u);  // 2 aircraft x ~2/s x 120 s
  int refs = 0, located = 0;
  double sum_h2 = 0;
  for (const mlat::Message& m : f.messages) {
    ASSERT_TRUE(m.icao24);
    EXPECT_NE(*m.icao24, 0x3c0003u) << "Mode A/C aircraft do not transmit Mode S";
    ASSERT_TRUE(m.baro_alt_m);
    EXPECT_EQ(m.toas.size(), 4u);  // pd 1, all in reach
    const bool adsb = *m.icao24 == 0x3c0001;
    EXPECT_EQ(m.reference.has_value(), adsb);
    EXPECT_EQ(m.geo_alt_m.has_value(), adsb);
    (adsb ? refs : located)++;
    // Emission time and position, from the truth: timeAtServer is the first
    // arrival, so the emission is that less the shortest flight time.
    const Trajectory& t = sc.targets[adsb ? 0 : 1];
    double min_flight = INFINITY;
    for (const auto& r : f.receivers.all()) {
      const auto s = t.at(m.time);
      min_flight =
          std::min(min_flight, (geo::geodetic_to_ecef(s->position) - r.ecef_m).norm() / kC);
    }
    const Time emit = m.time - Duration::from_seconds(min_flight);
    const auto s = t.at(emit);
    const Eigen::Vector3d x = geo::geodetic_to_ecef(s->position);
    for (const mlat::Toa& toa : m.toas) {
      const mlat::Receiver& r = *f.receivers.find(toa.receiver);
      // Vacuum flight time; refraction adds at most ~100 ns at these ranges.
      const double arrival = (emit - sc.start).seconds() + (x - r.ecef_m).norm() / kC;
      double expected_ns = 0, tick_ns = 1;
      switch (toa.receiver) {
        case 11:
          expected_ns = arrival * 1e9;  // absolute: compared after removing the start
          break;
        case 12:
          expected_ns = (arrival * (1 + 30e-6) + 123.25) * 1e9;
          tick_ns = 1e9 / 12e6;
          break;
        case 13:
          expected_ns = (arrival * (1 - 12e-6) + 7.5) * 1e9;
          tick_ns = 50;
          break;
        default: {
          const auto& [offset, drift] = f.clocks[3];
          EXPECT_GE(offset, 0);
          EXPECT_LT(offset, 1000);
          EXPECT_LT(std::abs(drift), 200e-6);  // 10 sigma of 20 ppm
          expected_ns = (arrival * (1 + drift) + offset) * 1e9;
          tick_ns = 1e9 / 12e6;
        }
      }
      const std::int64_t reading = toa.toa_ns - (toa.receiver == 11 ? sc.start.ns : 0);
      EXPECT_NEAR(static_cast<double>(reading), expected_ns, tick_ns + 150)
          << "receiver " << toa.receiver;
      // On the tick (free-running counters).
      if (toa.receiver != 11) {
        const double ticks = static_cast<double>(toa.toa_ns) / tick_ns;
        EXPECT_NEAR(ticks, std::round(ticks), 1e-3 * ticks / 1e9 + 0.01);
      }
    }
    if (adsb) {  // the reported position: NACp noise around the truth
      const Eigen::Vector3d e =
          geo::ecef_to_enu_rotation(s->position.lat_deg, s->position.lon_deg) *
          (geo::geodetic_to_ecef(*m.reference) - x);
      sum_h2 += e.head<2>().squaredNorm();
      EXPECT_NEAR(*m.geo_alt_m, m.reference->alt_m, 1e-9);
    }
    EXPECT_NEAR(*m.baro_alt_m, s->position.alt_m - 40, 0.3048 * 12.5 + 0.01);
  }
  // NACp 8: EPU 92.6 m (95 %), sigma 37.8 m per axis: E[e_h^2] = 2 sigma^2.
  const double sigma = nacp_epu_m(8) / kCircular95;
  EXPECT_NEAR(std::sqrt(sum_h2 / refs / 2), sigma, 0.15 * sigma);
  EXPECT_GT(refs, 150);
  EXPECT_GT(located, 150);
  for (std::size_t i = 1; i < f.messages.size(); ++i) {
    EXPECT_LE(f.messages[i - 1].time, f.messages[i].time);
    EXPECT_EQ(f.messages[i].id, static_cast<std::int64_t>(i + 1));
  }
}

TEST(MlatNetwork, SameSeedSameRowsOtherSeedOtherNoiseAndCsvRoundTrip) {
  const Scenario sc = network_scenario(50);
  const NetworkFeed a = simulate(sc, 1).networks.at(0);
  const NetworkFeed b = simulate(sc, 1).networks.at(0);
  const NetworkFeed c = simulate(sc, 2).networks.at(0);
  std::string ta, tb, tc;
  for (const auto& m : a.messages) ta += mlat::to_csv_line(m, true) + "\n";
  for (const auto& m : b.messages) tb += mlat::to_csv_line(m, true) + "\n";
  for (const auto& m : c.messages) tc += mlat::to_csv_line(m, true) + "\n";
  EXPECT_EQ(ta, tb);
  EXPECT_NE(ta, tc);
  // Written and read back: the same rows (times to the nanosecond-ish, the
  // reader goes through seconds as a double).
  std::istringstream in(mlat::measurement_header(true) + "\n" + ta);
  const mlat::MeasurementFile rf = mlat::read_measurements(in);
  ASSERT_TRUE(rf.errors.empty()) << rf.errors.front().detail;
  ASSERT_EQ(rf.messages.size(), a.messages.size());
  for (std::size_t i = 0; i < a.messages.size(); ++i) {
    const auto &x = a.messages[i], &y = rf.messages[i];
    EXPECT_EQ(x.id, y.id);
    EXPECT_NEAR(static_cast<double>(x.time.ns), static_cast<double>(y.time.ns), 1000);
    EXPECT_EQ(x.icao24, y.icao24);
    EXPECT_EQ(x.reference.has_value(), y.reference.has_value());
    ASSERT_EQ(x.toas.size(), y.toas.size());
    for (std::size_t k = 0; k < x.toas.size(); ++k) {
      EXPECT_EQ(x.toas[k].receiver, y.toas[k].receiver);
      EXPECT_EQ(x.toas[k].toa_ns, y.toas[k].toa_ns);
    }
  }
  // Without the icao24 column (the real LocaRDS layout) the rows read too.
  std::istringstream plain(mlat::measurement_header(false) + "\n" +
                           mlat::to_csv_line(a.messages.front(), false) + "\n");
  const mlat::MeasurementFile pf = mlat::read_measurements(plain);
  ASSERT_EQ(pf.messages.size(), 1u);
  EXPECT_FALSE(pf.messages[0].icao24);
}

}  // namespace
}  // namespace skyfuse::sim
