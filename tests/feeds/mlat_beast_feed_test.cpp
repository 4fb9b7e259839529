// The mlat_receivers sensor fed with one Beast stream per receiver (format
// beast, feeds/mlat_beast_feed.hpp): a simulated network (sim, 8 receivers:
// Beast 12 MHz with offsets up to 1,000 s and drifts, SBS 20 MHz, GPS; 50-80 ns
// jitter) of ADS-B and Mode S-only aircraft written as Beast files
// (sim::to_beast_streams: real frames with parity) and read back: the Mode
// S-only aircraft are located against the simulated truth, the clocks against
// the simulated clocks; a flood of single-receiver messages stays bounded; a
// receiver whose stream stops and restarts is taken back.
#include "feeds/mlat_beast_feed.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "decode/modes/cpr.hpp"
#include "decode/modes/message.hpp"
#include "feeds/feed_reader.hpp"
#include "mlat/locards_csv.hpp"
#include "mlat/multilaterator.hpp"
#include "sim/beast_network.hpp"
#include "sim/simulator.hpp"

namespace skyfuse::feeds {
namespace {

constexpr double kDeg = 3.14159265358979323846 / 180.0;

std::string write(const std::string& name, std::span<const std::uint8_t> bytes) {
  const std::string path = std::string(SKYFUSE_BINARY_DIR) + "/" + name;
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
  return path;
}
std::string write(const std::string& name, const std::string& text) {
  return write(name, std::span<const std::uint8_t>(
                         reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

long counter(const std::vector<std::pair<std::string, long>>& c, const std::string& key) {
  for (const auto& [k, v] : c)
    if (k == key) return v;
  return -1;
}

Sensor network_sensor() {
  Sensor s;
  s.id = 3;
  s.name = "net";
  s.kind = SensorKind::kMlat;
  s.site = {47.3, 8.6, 430};
  return s;
}

struct Network {
  sim::Scenario scenario;
  sim::NetworkFeed feed;
  std::vector<std::uint32_t> dark;  // addresses without ADS-B
};

// Eight receivers around Zurich: four Beast (drawn offsets up to 1,000 s,
// drifts ~20 ppm, one given 35 ppm), one SBS, three GPS; three ADS-B aircraft
// (references) and three Mode S-only ones crossing the network.
Network swiss_network(double duration_s, std::uint64_t seed) {
  Network n;
  sim::Scenario& sc = n.scenario;
  sc.start = Time::from_seconds(1.7e9);
  sc.duration_s = duration_s;
  const double starts[6][3] = {{47.05, 8.1, 10'000}, {47.55, 8.2, 9'000}, {47.2, 9.1, 11'000},
                               {47.45, 8.05, 7'500}, {47.1, 8.8, 6'000},  {47.6, 8.9, 8'500}};
  for (int k = 0; k < 6; ++k) {
    sim::ParametricTarget p;
    p.id = "ac" + std::to_string(k);
    p.identity.icao24 = 0x4b0100u + static_cast<std::uint32_t>(k);
    p.start = {starts[k][0], starts[k][1], starts[k][2]};
    p.speed_mps = 180 + 10 * k;
    p.heading_deg = 40.0 + 55.0 * k;
    p.equipage.adsb = k < 3;
    p.legs = {{.duration_s = duration_s}};
    sc.targets.push_back(sim::fly(p, sc.start));
    if (k >= 3) n.dark.push_back(*p.identity.icao24);
  }
  sim::MlatNetworkConfig c;
  c.name = "net";
  c.jitter_beast_ns = 70;
  c.jitter_sbs_ns = 80;
  c.jitter_gps_ns = 50;
  c.messages_per_s = 3;
  const GeodeticPosition sites[8] = {{47.62, 8.21, 400}, {46.98, 8.25, 500}, {47.31, 9.05, 450},
                                     {47.71, 8.93, 420}, {47.35, 8.55, 430}, {47.05, 8.85, 600},
                                     {47.50, 7.90, 350}, {47.20, 8.45, 480}};
  const mlat::ClockKind kinds[8] = {mlat::ClockKind::kBeast, mlat::ClockKind::kBeast,
                                    mlat::ClockKind::kGps,   mlat::ClockKind::kBeast,
                                    mlat::ClockKind::kSbs,   mlat::ClockKind::kGps,
                                    mlat::ClockKind::kBeast, mlat::ClockKind::kGps};
  for (std::uint32_t k = 0; k < 8; ++k)
    c.receivers.push_back({.id = 101 + k, .site = sites[k], .clock = kinds[k], .pd = 0.95});
  c.receivers[3].drift_ppm = 35;
  sc.mlat_networks.push_back(c);
  n.feed = sim::simulate(sc, seed).networks.at(0);
  return n;
}

// The network as files: the receiver list and one Beast file per receiver.
FeedConfig write_files(const Network& n, const std::string& tag, const sim::BeastStreams& b) {
  std::string rx = std::string(mlat::kReceiverHeader) + "\n";
  for (const auto& r : n.feed.receivers.all()) rx += mlat::to_csv_line(r) + "\n";
  FeedConfig f;
  f.format = FeedFormat::kMlatBeast;
  f.receivers_path = write("mlat_beast_" + tag + "_receivers.csv", rx);
  const auto& all = n.feed.receivers.all();
  for (std::size_t k = 0; k < all.size(); ++k) {
    ReceiverInput ri;
    ri.serial = all[k].id;
    ri.path = write(fmt::format("mlat_beast_{}_{}.beast", tag, all[k].id), b.streams[k]);
    ri.input = "file:" + ri.path;
    ri.start_unix = b.start_unix[k];
    f.receiver_inputs.push_back(ri);
  }
  return f;
}

// 2-D error of each report against the truth of its aircraft [m].
std::vector<double> errors(const Network& n, const std::vector<Report>& reports,
                           std::map<std::uint32_t, int>* per_address = nullptr) {
  std::vector<double> e;
  for (const Report& r : reports) {
    EXPECT_EQ(r.sensor, 3u);
    EXPECT_EQ(r.sensor_kind, SensorKind::kMlat);
    if (!r.identity.icao24) {
      ADD_FAILURE() << "a fix without an address";
      continue;
    }
    const std::uint32_t a = *r.identity.icao24;
    EXPECT_NE(std::find(n.dark.begin(), n.dark.end(), a), n.dark.end())
        << "located an ADS-B position message";
    if (per_address) ++(*per_address)[a];
    const auto& target = n.scenario.targets[a - 0x4b0100u];
    const auto truth = target.at(r.time);
    if (!truth) continue;
    const auto& g = std::get<GeodeticMeasurement>(r.measurement);
    const double dn = (g.position.lat_deg - truth->position.lat_deg) * kDeg * 6'371e3;
    const double de = (g.position.lon_deg - truth->position.lon_deg) * kDeg * 6'371e3 *
                      std::cos(truth->position.lat_deg * kDeg);
    e.push_back(std::hypot(dn, de));
  }
  return e;
}

double rms(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x * x;
  return v.empty() ? INFINITY : std::sqrt(s / static_cast<double>(v.size()));
}

// Clock error (reading - true time) relative to GPS receiver 103, estimated
// against simulated, at each receiver's last reading [s].
std::vector<double> expect_clocks_recovered(const Network& n, const mlat::Multilaterator& ml,
                                            double bound_s, const char* what) {
  const auto& all = n.feed.receivers.all();
  auto reading_of = [&](mlat::ReceiverId id) {
    std::int64_t last = 0;
    for (const auto& m : n.feed.messages)
      for (const auto& t : m.toas)
        if (t.receiver == id) last = t.toa_ns;
    return last;
  };
  // Clock error = base_ns + small: base_ns (integer ns, large: a counter is
  // not Unix time) kept apart so that no double holds a Unix time in ns.
  struct Error {
    std::int64_t big_ns;
    double small_ns;
  };
  auto estimated = [&](mlat::ReceiverId id, std::int64_t reading) {
    const mlat::ClockEstimate e = ml.clocks().estimate(id);
    EXPECT_TRUE(e.synchronised) << what << ": receiver " << id;
    return Error{e.base_ns,
                 (e.offset_s + e.drift * static_cast<double>(reading - e.anchor_ns) * 1e-9) * 1e9};
  };
  auto simulated = [&](std::size_t k, std::int64_t reading) {
    if (all[k].clock == mlat::ClockKind::kGps) return Error{0, 0.0};
    // reading = (t - start)(1 + drift) + offset: t - start from the reading.
    const auto [offset_s, drift] = n.feed.clocks[k];
    const double since_start = (static_cast<double>(reading) * 1e-9 - offset_s) / (1 + drift);
    // The counter is floored to its tick: on average half a tick behind.
    const double half_tick_ns = all[k].clock == mlat::ClockKind::kBeast ? 1e9 / 24e6 : 25.0;
    return Error{reading - n.scenario.start.ns, -since_start * 1e9 - half_tick_ns};
  };
  const std::int64_t ref_reading = reading_of(103);
  const Error ref = estimated(103, ref_reading);
  double worst = 0;
  std::vector<double> out;
  for (std::size_t k = 0; k < all.size(); ++k) {
    const std::int64_t r = reading_of(all[k].id);
    const Error est = estimated(all[k].id, r);
    const Error sim = simulated(k, r);
    const double err_ns = static_cast<double>((est.big_ns - ref.big_ns) - sim.big_ns) +
                          (est.small_ns - ref.small_ns - sim.small_ns);
    EXPECT_LT(std::abs(err_ns), bound_s * 1e9) << what << ": receiver " << all[k].id;
    out.push_back(err_ns);
    worst = std::max(worst, std::abs(err_ns) * 1e-9);
  }
  std::printf("  %s: largest clock error %.1f ns\n", what, worst * 1e9);
  return out;
}

// The clocks of the same network's messages as simulated (exact grouping,
// unquantised reference positions with their GNSS heights: the LocaRDS-file
// path) against those from the Beast streams: the grouping and decoding add
// at most `bound_s`.
void expect_same_clocks_as_csv_path(const Network& n, const std::vector<double>& beast_ns,
                                    double bound_s) {
  mlat::Multilaterator direct(n.feed.receivers, {});
  for (const auto& m : n.feed.messages) (void)direct.push(m);
  const std::vector<double> csv_ns = expect_clocks_recovered(n, direct, 1, "csv path");
  ASSERT_EQ(csv_ns.size(), beast_ns.size());
  for (std::size_t k = 0; k < csv_ns.size(); ++k) {
    EXPECT_LT(std::abs(beast_ns[k] - csv_ns[k]), bound_s * 1e9) << k;
    std::printf("  receiver %u: clock error %.1f ns from Beast streams, %.1f ns from the rows\n",
                n.feed.receivers.all()[k].id, beast_ns[k], csv_ns[k]);
  }
}

TEST(MlatBeastFrames, EncodedFramesDecodeToWhatWasEncoded) {
  namespace modes = decode::modes;
  const auto df11 = sim::encode_df11(0x4b0103);
  auto m = modes::decode_frame(df11.data(), df11.size(), {});
  EXPECT_TRUE(m.crc_ok);
  EXPECT_EQ(m.df, 11);
  EXPECT_EQ(m.icao, 0x4b0103u);
  const auto df4 = sim::encode_df4(0x4b0103, 36'025);
  m = modes::decode_frame(df4.data(), df4.size(), {});
  EXPECT_EQ(m.df, 4);
  EXPECT_EQ(m.icao, 0x4b0103u);  // recovered from the parity
  ASSERT_TRUE(m.altitude_ft);
  EXPECT_EQ(*m.altitude_ft, 36'025);
  for (bool odd : {false, true}) {
    const auto df17 = sim::encode_df17_airborne_position(0x4b0100, 47.3, 8.6, 10'025, odd);
    m = modes::decode_frame(df17.data(), df17.size(), {});
    EXPECT_TRUE(m.crc_ok);
    EXPECT_EQ(m.df, 17);
    EXPECT_EQ(m.tc, 11);
    ASSERT_TRUE(m.altitude_ft);
    EXPECT_EQ(*m.altitude_ft, 10'025);
    ASSERT_TRUE(m.cpr);
    EXPECT_EQ(m.cpr->odd, odd);
    const auto p = modes::cpr::local(*m.cpr, 47.25, 8.55);
    ASSERT_TRUE(p);
    EXPECT_NEAR(p->lat_deg, 47.3, 1e-4);  // 17-bit CPR: ~5 m
    EXPECT_NEAR(p->lon_deg, 8.6, 1e-4);
  }
  // Beast framing: a 0x1A byte in the stamp, signal or frame is doubled.
  std::vector<std::uint8_t> out;
  const std::array<std::uint8_t, 7> f{0x1A, 1, 2, 3, 4, 5, 6};
  sim::append_beast_frame(out, f, 0x1A, 0x1A);
  const std::vector<std::uint8_t> expected{0x1A, '2',  0,    0, 0, 0, 0, 0x1A, 0x1A, 0x1A,
                                           0x1A, 0x1A, 0x1A, 1, 2, 3, 4, 5,    6};
  EXPECT_EQ(out, expected);
}

TEST(MlatBeastFeed, LocatesModeSOnlyAircraftFromEightReceiversStreams) {
  const Network n = swiss_network(120, 11);
  const sim::BeastStreams b = sim::to_beast_streams(n.feed);
  FeedConfig f = write_files(n, "net", b);
  Diagnostics d;
  MlatBeastNetwork net(f, network_sensor(), false, d);
  FeedData data;
  read_mlat_beast_files(f, network_sensor(), net, data);
  EXPECT_EQ(d.errors(), 0);
  const auto& c = data.counters;
  long frames = 0;
  for (long x : b.frames) frames += x;
  EXPECT_EQ(counter(c, "mlat_frames"), frames);
  // Every transmission is one group: the copies of each message found each other.
  EXPECT_EQ(counter(c, "mlat_groups"), static_cast<long>(n.feed.messages.size()));
  EXPECT_EQ(counter(c, "mlat_copies_late"), 0);
  long references = 0, dark = 0;
  for (const auto& m : n.feed.messages) (m.reference ? references : dark) += 1;
  EXPECT_GT(counter(c, "mlat_references"),
            references * 9 / 10);  // the first one per aircraft waits
  long fixes = 0;
  for (const auto& [k, v] : c)
    if (k.rfind("mlat_fixes_", 0) == 0) fixes += v;
  EXPECT_EQ(fixes, dark);  // every Mode S-only message gets a fix with a flag
  EXPECT_EQ(counter(c, "mlat_fixes_ok"), static_cast<long>(data.reports.size()));
  std::map<std::uint32_t, int> per_address;
  const std::vector<double> e = errors(n, data.reports, &per_address);
  EXPECT_GT(static_cast<long>(e.size()), dark * 7 / 10);
  EXPECT_EQ(per_address.size(), 3u);  // all three Mode S-only aircraft
  const double r = rms(e);
  std::printf("  %zu fixes of %ld messages to locate, rms %.1f m\n", e.size(), dark, r);
  EXPECT_LT(r, 50.0);
  expect_same_clocks_as_csv_path(
      n, expect_clocks_recovered(n, net.multilaterator(), 30e-9, "clocks"), 10e-9);
  // Same files, same result (bit-identical positions).
  const FeedData again = read_mlat_beast_feed(f, network_sensor());
  ASSERT_EQ(again.reports.size(), data.reports.size());
  for (std::size_t i = 0; i < again.reports.size(); ++i) {
    const auto& p = std::get<GeodeticMeasurement>(again.reports[i].measurement).position;
    const auto& q = std::get<GeodeticMeasurement>(data.reports[i].measurement).position;
    EXPECT_EQ(p.lat_deg, q.lat_deg);
    EXPECT_EQ(p.lon_deg, q.lon_deg);
  }
}

TEST(MlatBeastFeed, AReceiverWhoseStreamStopsAndRestartsIsTakenBack) {
  Network n = swiss_network(120, 12);
  // Receiver 104 (Beast, 35 ppm) hears nothing from 30 s to 70 s: its stream
  // stops and comes back with its counter running on.
  const Time gap_from = n.scenario.start + Duration::from_seconds(30);
  const Time gap_to = n.scenario.start + Duration::from_seconds(70);
  for (auto& m : n.feed.messages)
    if (m.time >= gap_from && m.time < gap_to)
      std::erase_if(m.toas, [](const mlat::Toa& t) { return t.receiver == 104; });
  const sim::BeastStreams b = sim::to_beast_streams(n.feed);
  FeedConfig f = write_files(n, "gap", b);
  Diagnostics d;
  MlatBeastNetwork net(f, network_sensor(), false, d);
  FeedData data;
  read_mlat_beast_files(f, network_sensor(), net, data);
  EXPECT_EQ(d.errors(), 0);
  std::vector<Report> after;
  for (const Report& r : data.reports)
    if (r.time > gap_to + Duration::from_seconds(5)) after.push_back(r);
  const std::vector<double> e = errors(n, after);
  EXPECT_GT(e.size(), 50u);
  std::printf("  after the restart: %zu fixes, rms %.1f m\n", e.size(), rms(e));
  EXPECT_LT(rms(e), 50.0);
  expect_clocks_recovered(n, net.multilaterator(), 30e-9, "after the restart");
  EXPECT_EQ(net.multilaterator().clocks().estimate(104).jumps, 0);
}

TEST(MlatBeastFeed, AFloodOfSingleReceiverMessagesStaysBounded) {
  Network n = swiss_network(20, 13);
  // Receiver 101 (Beast) also hears 30,000 transmissions of random addresses
  // within the 20 s (1.5 kHz) that no other receiver hears.
  const auto [offset_s, drift] = n.feed.clocks[0];
  std::uint64_t x = 0x9E3779B97F4A7C15ULL;
  for (int i = 0; i < 30'000; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    const double since_start = i * (20.0 / 30'000);
    mlat::Message m;
    m.time = n.scenario.start + Duration::from_seconds(since_start);
    m.icao24 = static_cast<std::uint32_t>(x) & 0xFFFFFF;
    m.baro_alt_m = 3000;
    const double reading = since_start * (1 + drift) + offset_s;
    m.toas.push_back(
        {.receiver = 101, .toa_ns = std::llround(std::floor(reading * 12e6) / 12e6 * 1e9)});
    n.feed.messages.push_back(std::move(m));
  }
  const sim::BeastStreams b = sim::to_beast_streams(n.feed);
  FeedConfig f = write_files(n, "flood", b);
  f.max_pending_groups = 50;
  const FeedData data = read_mlat_beast_feed(f, network_sensor());
  const auto& c = data.counters;
  EXPECT_LE(counter(c, "mlat_groups_peak_pending"), 50);
  EXPECT_GT(counter(c, "mlat_groups_evicted"), 0);
  EXPECT_GE(counter(c, "mlat_groups_single_receiver"), 30'000 - counter(c, "mlat_copies_late"));
  EXPECT_EQ(data.errors, 0);
  for (const Report& r : data.reports) ASSERT_TRUE(r.identity.icao24);
}

TEST(MlatBeastFeed, BadBytesAreCountedWithTheirSourceAndOffset) {
  Network n = swiss_network(10, 14);
  sim::BeastStreams b = sim::to_beast_streams(n.feed);
  std::vector<std::uint8_t> bad = {0x1A, '9', 1, 2, 3, 0x55, 0x66};  // unknown frame type
  bad.insert(bad.end(), b.streams[1].begin(), b.streams[1].end());
  bad.push_back(0x1A);  // truncated frame at the end
  bad.push_back('3');
  b.streams[1] = bad;
  FeedConfig f = write_files(n, "bad", b);
  const FeedData data = read_mlat_beast_feed(f, network_sensor());
  EXPECT_GE(data.errors, 2);
  ASSERT_FALSE(data.messages.empty());
  EXPECT_NE(data.messages[0].find("mlat_beast_bad_102.beast: offset 0"), std::string::npos)
      << data.messages[0];
  EXPECT_GT(counter(data.counters, "mlat_groups"), 0);
}

TEST(MlatBeastFeed, AReceiverNotInTheListIsAConfigError) {
  Network n = swiss_network(5, 15);
  FeedConfig f = write_files(n, "cfg", sim::to_beast_streams(n.feed));
  f.receiver_inputs[0].serial = 999;
  EXPECT_THROW(read_mlat_beast_feed(f, network_sensor()), ConfigError);
  f.receivers_path = "/nonexistent/receivers.csv";
  EXPECT_THROW(read_mlat_beast_feed(f, network_sensor()), ConfigError);
}

}  // namespace
}  // namespace skyfuse::feeds
