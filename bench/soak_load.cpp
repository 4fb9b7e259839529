// The traffic of the 30-minute soak test (issue #16; tools/soak.py runs it
// against `skyfuse run` and checks what skyfuse counted): several UDP sensors,
// ASTERIX CAT048 radars and CAT021 ADS-B ground stations, report a few thousand
// aircraft in real time; malformed datagrams are mixed in; every few minutes
// one sensor's clock jumps for some seconds. Everything sent is counted here,
// so skyfuse's counters can be checked exactly:
//   - good reports and datagrams per sensor;
//   - jumped reports: stamped with the lying clock (every one must be rejected);
//   - damaged datagrams (truncated, bit-flipped, garbage, a wrong length
//     field), each an extra datagram after a good one, with the decode errors
//     skyfuse's own feed decoder finds in it offline (the expected count). A
//     damaged datagram that still decodes into a report (a bit flipped in a
//     position: ASTERIX has no checksum) is not sent but drawn again, and
//     counted as undetectable.
// Records are written by hand (a few hundred ns each; the spec-driven encoder
// costs ~200,000 instructions per record, more than a core at 20,000/s) and
// checked byte for byte against output::encode_feed at start.
//
//   soak_load --sensor radar-1:mode_s:20:1:50.1:8.4:300:40001 --sensor ...
//             --aircraft 4000 --seconds 1800 --damage 0.01 --jump-every 300
// Prints JSON lines on stdout: "start", one "jump" per clock jump, "status"
// every second, "end" with every counter.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <deque>
#include <numbers>
#include <string>
#include <thread>
#include <vector>

#include "decode/asterix/catalogue.hpp"
#include "decode/asterix/encoder.hpp"
#include "feeds/feed_decoder.hpp"
#include "geo/radar_model.hpp"
#include "output/sensor_asterix.hpp"

namespace {
using namespace skyfuse;
constexpr double kFt = 0.3048;
constexpr double kNm = 1852.0;
constexpr double kDeg = 180.0 / std::numbers::pi;
constexpr double kMPerDegLat = 111195.0;
constexpr std::int64_t kDayNs = 86400LL * 1000000000LL;

double now_unix() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Small, fast, reproducible.
struct Rng {
  std::uint64_t s;
  std::uint64_t next() {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    std::uint64_t x = s;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
  }
  double uniform() { return static_cast<double>(next() >> 11) / 9007199254740992.0; }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
  double normal() {
    const double u = std::max(uniform(), 1e-300), v = uniform();
    return std::sqrt(-2 * std::log(u)) * std::cos(2 * std::numbers::pi * v);
  }
};

// ---- the records, as output::encode_feed writes them ---------------------------

std::int64_t lsbs(double v, long double lsb) { return std::llround(v / lsb); }

void put(std::vector<std::uint8_t>& b, std::uint64_t v, int bytes) {
  for (int k = bytes - 1; k >= 0; --k) b.push_back(static_cast<std::uint8_t>(v >> (8 * k)));
}

// FSPEC of the items with these 0-based field reference numbers (ascending).
void fspec(std::vector<std::uint8_t>& b, std::initializer_list<int> frns) {
  const int last = *std::max_element(frns.begin(), frns.end());
  const int n = last / 7 + 1;
  const std::size_t at = b.size();
  b.resize(at + static_cast<std::size_t>(n), 0);
  for (int f : frns)
    b[at + static_cast<std::size_t>(f / 7)] |= static_cast<std::uint8_t>(0x80 >> (f % 7));
  for (int k = 0; k + 1 < n; ++k) b[at + static_cast<std::size_t>(k)] |= 1;
}

double time_of_day(Time t) {
  return static_cast<double>(((t.ns % kDayNs) + kDayNs) % kDayNs) * 1e-9;
}

// 8 characters, ICAO 6-bit alphabet (callsign8 pads with spaces).
void put_callsign(std::vector<std::uint8_t>& b, const std::string& c8) {
  std::uint64_t v = 0;
  for (char ch : c8) {
    unsigned code = 32;  // space
    if (ch >= 'A' && ch <= 'Z') code = static_cast<unsigned>(ch - 'A' + 1);
    if (ch >= '0' && ch <= '9') code = static_cast<unsigned>(ch);
    v = (v << 6) | code;
  }
  put(b, v, 6);
}

struct Identity {
  std::uint32_t icao = 0;
  std::uint16_t mode3a = 0;
  std::string callsign8;  // padded
};

// CAT048 1.31: 010 140 020 040 [070 090] [220 240] (PSR: no 070/090/220/240;
// SSR: no 220/240).
void cat048_record(std::vector<std::uint8_t>& b, const Sensor& s, Time t, double range_m,
                   double az_rad, double fl, const Identity& id) {
  const bool ssr = s.kind != SensorKind::kPsr, modes = s.kind == SensorKind::kModeSRadar;
  if (modes)
    fspec(b, {0, 1, 2, 3, 4, 5, 7, 8});
  else if (ssr)
    fspec(b, {0, 1, 2, 3, 4, 5});
  else
    fspec(b, {0, 1, 2, 3});
  b.push_back(s.sac);
  b.push_back(s.sic);
  put(b, static_cast<std::uint64_t>(lsbs(time_of_day(t), 1.0L / 128)), 3);
  const int typ = s.kind == SensorKind::kPsr ? 1 : s.kind == SensorKind::kSsr ? 2 : 5;
  b.push_back(static_cast<std::uint8_t>(typ << 5));
  double az = std::fmod(az_rad * kDeg, 360.0);
  if (az < 0) az += 360.0;
  if (az >= 360.0 - 360.0 / 131072) az = 0;
  put(b, static_cast<std::uint64_t>(lsbs(range_m / kNm, 1.0L / 256)), 2);
  put(b, static_cast<std::uint64_t>(lsbs(az, 360.0L / 65536)), 2);
  if (ssr) {
    put(b, id.mode3a & 07777u, 2);
    put(b, static_cast<std::uint64_t>(lsbs(fl, 0.25L)) & 0x3FFF, 2);
  }
  if (modes) {
    put(b, id.icao, 3);
    put_callsign(b, id.callsign8);
  }
}

// CAT021 2.6: 010 040 071 131 080 140 090 145 157 160 170, as adsb_record.
void cat021_record(std::vector<std::uint8_t>& b, const Sensor& s, Time t, double lat, double lon,
                   double height_m, double fl, double ve, double vn, int nic, int nacp,
                   const Identity& id) {
  fspec(b, {0, 1, 4, 6, 10, 15, 16, 20, 24, 25, 28});
  b.push_back(s.sac);
  b.push_back(s.sic);
  b.push_back(0x08);  // ATP 0, ARC 1 (100 ft), RC 0, RAB 0
  put(b, static_cast<std::uint64_t>(lsbs(time_of_day(t), 1.0L / 128)), 3);
  put(b, static_cast<std::uint64_t>(lsbs(lat, 180.0L / (1 << 30))) & 0xFFFFFFFFu, 4);
  put(b, static_cast<std::uint64_t>(lsbs(lon, 180.0L / (1 << 30))) & 0xFFFFFFFFu, 4);
  put(b, id.icao, 3);
  put(b,
      static_cast<std::uint64_t>(lsbs(std::clamp(height_m / kFt, -1500.0, 150000.0), 6.25L)) &
          0xFFFF,
      2);
  b.push_back(static_cast<std::uint8_t>(((nic & 15) << 1) | 1));  // NUCr 0, NUCp/NIC, FX
  b.push_back(static_cast<std::uint8_t>(0x80 | (2 << 5) | ((nacp & 15) << 1)));  // NICbaro 1, SIL 2
  put(b, static_cast<std::uint64_t>(lsbs(std::clamp(fl, -15.0, 1500.0), 0.25L)) & 0xFFFF, 2);
  put(b, static_cast<std::uint64_t>(lsbs(0.0, 6.25L)) & 0x7FFF, 2);  // level flight
  double ta = std::atan2(ve, vn) * kDeg;
  if (ta < 0) ta += 360;
  if (ta >= 360.0 - 360.0 / 131072) ta = 0;
  put(b, static_cast<std::uint64_t>(lsbs(std::hypot(ve, vn) / kNm, 1.0L / 16384)) & 0x7FFF, 2);
  put(b, static_cast<std::uint64_t>(lsbs(ta, 360.0L / 65536)) & 0xFFFF, 2);
  put_callsign(b, id.callsign8);
}

// ---- the scene -----------------------------------------------------------------

struct SensorSpec {
  Sensor sensor;
  std::uint16_t port = 0;
};

SensorKind parse_kind(const std::string& k) {
  if (k == "adsb") return SensorKind::kAdsb;
  if (k == "mode_s") return SensorKind::kModeSRadar;
  if (k == "ssr") return SensorKind::kSsr;
  if (k == "psr") return SensorKind::kPsr;
  throw std::runtime_error("unknown sensor kind " + k + " (adsb, mode_s, ssr, psr)");
}

SensorSpec parse_sensor(const std::string& text, SensorId id) {
  std::vector<std::string> f;
  std::size_t start = 0;
  for (std::size_t c; (c = text.find(':', start)) != std::string::npos; start = c + 1)
    f.push_back(text.substr(start, c - start));
  f.push_back(text.substr(start));
  if (f.size() != 8) throw std::runtime_error("--sensor NAME:KIND:SAC:SIC:LAT:LON:ALT:PORT");
  SensorSpec s;
  s.sensor.id = id;
  s.sensor.name = f[0];
  s.sensor.kind = parse_kind(f[1]);
  s.sensor.sac = static_cast<std::uint8_t>(std::stoi(f[2]));
  s.sensor.sic = static_cast<std::uint8_t>(std::stoi(f[3]));
  s.sensor.site = {std::stod(f[4]), std::stod(f[5]), std::stod(f[6])};
  s.port = static_cast<std::uint16_t>(std::stoi(f[7]));
  return s;
}

// An aircraft flies a circle (radius 20..80 km) at a constant level, for ever.
struct Aircraft {
  double clat, clon, radius_m, omega, phase, alt_m, fl;
  Identity id;
  GeodeticPosition at(double dt, double* ve, double* vn) const {
    const double th = phase + omega * dt;
    const double e = radius_m * std::cos(th), n = radius_m * std::sin(th);
    *ve = -radius_m * omega * std::sin(th);
    *vn = radius_m * omega * std::cos(th);
    return {clat + n / kMPerDegLat,
            clon + e / (kMPerDegLat * std::cos(clat * std::numbers::pi / 180)), alt_m};
  }
};

enum Damage { kTruncated, kBitFlip, kGarbage, kLength, kDamageKinds };
constexpr std::array<const char*, kDamageKinds> kDamageNames = {"truncated", "bitflip", "garbage",
                                                                "length"};

struct Counters {
  std::uint64_t good_reports = 0, good_datagrams = 0;
  std::uint64_t jumped_reports = 0, jumped_datagrams = 0;
  std::uint64_t out_of_range = 0;  // radar plots beyond 250 NM: not sent
  std::array<std::uint64_t, kDamageKinds> damaged{}, undetectable{};
  std::uint64_t expected_errors = 0;   // what skyfuse's decoder finds in the damaged ones
  std::uint64_t damaged_no_error = 0;  // sent, yet no error expected (e.g. another SAC/SIC)
  std::uint64_t send_errors = 0;
};

struct Jump {
  std::size_t sensor;
  std::string kind;
  double start, end;  // host time (Unix s)
  double offset_s;    // added to the report times
};

std::string json_counters(const std::vector<SensorSpec>& ss, const std::vector<Counters>& cs) {
  std::string out = "{";
  for (std::size_t i = 0; i < ss.size(); ++i) {
    const Counters& c = cs[i];
    std::uint64_t damaged = 0, undetectable = 0;
    std::string kinds, undetectable_kinds;
    for (std::size_t k = 0; k < kDamageKinds; ++k) {
      damaged += c.damaged[k];
      undetectable += c.undetectable[k];
      kinds += fmt::format("{}\"{}\":{}", k ? "," : "", kDamageNames[k], c.damaged[k]);
      undetectable_kinds +=
          fmt::format("{}\"{}\":{}", k ? "," : "", kDamageNames[k], c.undetectable[k]);
    }
    out += fmt::format(
        "{}\"{}\":{{\"good_reports\":{},\"good_datagrams\":{},\"jumped_reports\":{},"
        "\"jumped_datagrams\":{},\"out_of_range\":{},\"damaged\":{},\"damaged_kinds\":{{{}}},"
        "\"undetectable_redrawn\":{},\"undetectable_kinds\":{{{}}},\"expected_errors\":{},"
        "\"damaged_no_error\":{},\"send_errors\":{}}}",
        i ? "," : "", ss[i].sensor.name, c.good_reports, c.good_datagrams, c.jumped_reports,
        c.jumped_datagrams, c.out_of_range, damaged, kinds, undetectable, undetectable_kinds,
        c.expected_errors, c.damaged_no_error, c.send_errors);
  }
  return out + "}";
}

std::string hex(const std::vector<std::uint8_t>& b) {
  std::string s;
  for (auto x : b) s += fmt::format("{:02x}", x);
  return s;
}

// The hand-written records must be what output::encode_feed writes.
bool self_check(const std::vector<SensorSpec>& ss, const std::string& specs, Rng rng) {
  const auto cats = decode::asterix::load_categories(specs, {});
  for (const SensorSpec& sp : ss) {
    const Sensor& s = sp.sensor;
    for (int k = 0; k < 300; ++k) {
      Report r;
      r.time = Time::from_seconds(1.7e9 + rng.uniform() * 86400 * 3);
      r.sensor = s.id;
      r.sensor_kind = s.kind;
      Identity id{0x400000u + static_cast<std::uint32_t>(rng.below(4000)),
                  static_cast<std::uint16_t>(64 + rng.below(3800)),
                  decode::asterix::callsign8(fmt::format("SFA{:04d}", rng.below(10000)))};
      const double fl = 10 + rng.uniform() * 400;
      std::vector<std::uint8_t> mine;
      if (s.kind == SensorKind::kAdsb) {
        const double lat = -60 + rng.uniform() * 120, lon = -180 + rng.uniform() * 360;
        const double ve = (rng.uniform() - 0.5) * 500, vn = (rng.uniform() - 0.5) * 500;
        GeodeticMeasurement g;
        g.position = {lat, lon, fl * 100 * kFt};
        g.has_height = true;
        r.measurement = g;
        r.nacp = 9;
        r.nic = 8;
        r.baro_alt_m = fl * 100 * kFt;
        r.velocity_enu_mps = Eigen::Vector3d(ve, vn, 0);
        r.identity.icao24 = id.icao;
        r.identity.callsign = id.callsign8;
        cat021_record(mine, s, r.time, lat, lon, fl * 100 * kFt, fl, ve, vn, 8, 9, id);
      } else {
        PolarMeasurement m;
        m.range_m = rng.uniform() * 250 * kNm;
        m.azimuth_rad = rng.uniform() * 2 * std::numbers::pi;
        r.measurement = m;
        if (s.kind != SensorKind::kPsr) {
          r.identity.mode3a = id.mode3a;
          r.baro_alt_m = fl * 100 * kFt;
        }
        if (s.kind == SensorKind::kModeSRadar) {
          r.identity.icao24 = id.icao;
          r.identity.callsign = id.callsign8;
        }
        cat048_record(mine, s, r.time, m.range_m, m.azimuth_rad, fl, id);
      }
      const auto bytes = output::encode_feed(s, {r}, cats, r.time);
      // The report's own block (the status blocks, CAT034 / CAT023, are not compared).
      std::vector<std::uint8_t> theirs;
      for (std::size_t p = 0; p + 3 <= bytes.size();) {
        const std::size_t len = (std::size_t{bytes[p + 1]} << 8) | bytes[p + 2];
        if (bytes[p] == 21 || bytes[p] == 48)
          theirs.assign(bytes.begin() + static_cast<long>(p + 3),
                        bytes.begin() + static_cast<long>(p + len));
        p += std::max<std::size_t>(len, 3);
      }
      if (mine != theirs) {
        fmt::print(
            stderr,
            "soak_load: {} record differs from output::encode_feed:\n  mine   {}\n  theirs {}\n",
            s.name, hex(mine), hex(theirs));
        return false;
      }
    }
  }
  return true;
}
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Soak-test traffic for `skyfuse run` (tools/soak.py)"};
  std::vector<std::string> sensor_args;
  std::string specs = SKYFUSE_SPECS_DIR, host = "127.0.0.1";
  int aircraft = 4000;
  double seconds = 1800, adsb_hz = 2, damage = 0.01, jump_every = 300, jump_first = 0,
         jump_seconds = 10, tick_s = 0.01;
  std::uint64_t seed = 16;
  app.add_option("--sensor", sensor_args,
                 "NAME:KIND:SAC:SIC:LAT:LON:ALT:PORT (KIND adsb, mode_s, ssr, psr)")
      ->required();
  app.add_option("--host", host, "Where skyfuse listens (loopback only)");
  app.add_option("--aircraft", aircraft, "Aircraft");
  app.add_option("--seconds", seconds, "Duration (real time)");
  app.add_option("--adsb-hz", adsb_hz, "ADS-B reports per second per aircraft and station");
  app.add_option("--damage", damage, "Fraction of datagrams followed by a damaged one");
  app.add_option("--jump-every", jump_every, "One sensor's clock jumps this often (s; 0: never)");
  app.add_option("--jump-first", jump_first, "First jump after this long (s; 0: --jump-every)");
  app.add_option("--jump-seconds", jump_seconds, "How long each jump lasts (s)");
  app.add_option("--seed", seed, "Random seed");
  app.add_option("--specs", specs, "asterix-specs folder");
  CLI11_PARSE(app, argc, argv);

  std::vector<SensorSpec> ss;
  for (std::size_t i = 0; i < sensor_args.size(); ++i)
    ss.push_back(parse_sensor(sensor_args[i], static_cast<SensorId>(i + 1)));
  Rng rng{seed};
  if (!self_check(ss, specs, Rng{seed + 1})) return 2;

  // Radars: one rotation in 4 s; a plot of each aircraft every turn, when the
  // beam passes it. ADS-B: every station hears every aircraft at `adsb_hz`.
  const double t0 = now_unix();
  const GeodeticPosition centre{50.0, 8.5, 0};
  std::vector<Aircraft> ac(static_cast<std::size_t>(aircraft));
  for (std::size_t i = 0; i < ac.size(); ++i) {
    Aircraft& a = ac[i];
    a.clat = centre.lat_deg + (rng.uniform() - 0.5) * 3.0;
    a.clon = centre.lon_deg + (rng.uniform() - 0.5) * 4.4;
    a.radius_m = 20000 + rng.uniform() * 60000;
    const double v = 120 + rng.uniform() * 130;
    a.omega = (rng.uniform() < 0.5 ? -1 : 1) * v / a.radius_m;
    a.phase = rng.uniform() * 2 * std::numbers::pi;
    a.fl = 30 + std::floor(rng.uniform() * 360);
    a.alt_m = a.fl * 100 * kFt;
    a.id = {0x400000u + static_cast<std::uint32_t>(i), static_cast<std::uint16_t>(64 + i % 3800),
            decode::asterix::callsign8(fmt::format("SFA{:04d}", i))};
  }
  struct PerSensor {
    std::vector<double> next;  // per aircraft: its next report (host time)
    double period = 0;
    std::optional<geo::RadarModel> radar;
    std::optional<feeds::FeedDecoder> offline;  // the damaged datagrams, decoded as skyfuse does
    // The last damaged datagrams sent: one equal to a recent one (two
    // datagrams truncated to the same first bytes) would be dropped by
    // skyfuse as a duplicate, rightly, so it is drawn again instead.
    std::deque<std::vector<std::uint8_t>> recent_damaged;
  };
  std::vector<PerSensor> ps(ss.size());
  for (std::size_t j = 0; j < ss.size(); ++j) {
    const Sensor& s = ss[j].sensor;
    PerSensor& p = ps[j];
    p.period = s.kind == SensorKind::kAdsb ? 1.0 / adsb_hz : 4.0;
    if (s.kind != SensorKind::kAdsb) p.radar.emplace(s.site);
    const double north_at = rng.uniform() * p.period;  // the beam's phase at t0
    for (const Aircraft& a : ac) {
      double ve = 0, vn = 0;
      const auto pos = a.at(0, &ve, &vn);
      const double ph = p.radar ? std::fmod(north_at + p.radar->forward(pos).azimuth_rad /
                                                           (2 * std::numbers::pi) * p.period,
                                            p.period)
                                : rng.uniform() * p.period;
      p.next.push_back(t0 + ph);
    }
    feeds::FeedConfig f;
    f.input = fmt::format("udp:{}", ss[j].port);
    f.transport = feeds::Transport::kUdp;
    f.port = ss[j].port;
    f.format = feeds::FeedFormat::kAsterix;
    p.offline.emplace(f, s, specs, /*live=*/true);
  }

  // The clock jumps: one sensor at a time, in turn, each kind in turn.
  std::vector<Jump> jumps;
  if (jump_every > 0) {
    const double host_tod = std::fmod(t0, 86400);
    std::size_t k = 0;
    for (double js = t0 + (jump_first > 0 ? jump_first : jump_every);
         js + jump_seconds < t0 + seconds; js += jump_every, ++k) {
      Jump j;
      j.sensor = (k * 5 + 1) % ss.size();  // each sensor in turn (5 and 6 are coprime)
      j.start = js;
      j.end = js + jump_seconds;
      switch (k % 5) {
        case 0:
          j.kind = "+11 h";
          j.offset_s = 11 * 3600;
          break;
        case 1: {
          // A midnight crossing that is not one: 23:59:5x rolling over to 00:00:0x.
          const double day0 = js - std::fmod(js, 86400);
          const double claim = day0 + 86400 - jump_seconds / 2;
          const double tod = std::fmod(js, 86400);
          if (tod < 3600 || tod > 82800 || host_tod < 3600) {  // too near a real midnight
            j.kind = "-11 h (midnight too near for a lie about it)";
            j.offset_s = -11 * 3600;
          } else {
            const int half = static_cast<int>(jump_seconds / 2);
            j.kind = fmt::format("midnight crossing lie (23:59:{:02d} to 00:00:{:02d})", 60 - half,
                                 half);
            j.offset_s = claim - js;
          }
          break;
        }
        case 2:
          j.kind = "+6 h (far future: the time of day's limit)";
          j.offset_s = 6 * 3600;
          break;
        case 3:
          j.kind = "-1 h";
          j.offset_s = -3600;
          break;
        default:
          j.kind = "+90 s";
          j.offset_s = 90;
          break;
      }
      jumps.push_back(j);
    }
  }

  const int sock = ::socket(AF_INET, SOCK_DGRAM, 0);
  const int sndbuf = 4 << 20;
  ::setsockopt(sock, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  std::vector<sockaddr_in> to(ss.size());
  for (std::size_t j = 0; j < ss.size(); ++j) {
    to[j].sin_family = AF_INET;
    to[j].sin_port = htons(ss[j].port);
    if (::inet_pton(AF_INET, host.c_str(), &to[j].sin_addr) != 1) {
      fmt::print(stderr, "soak_load: --host {}: not an IPv4 address\n", host);
      return 2;
    }
  }
  std::vector<Counters> cs(ss.size());
  auto send = [&](std::size_t j, const std::vector<std::uint8_t>& d) {
    if (::sendto(sock, d.data(), d.size(), 0, reinterpret_cast<const sockaddr*>(&to[j]),
                 sizeof to[j]) != static_cast<ssize_t>(d.size()))
      ++cs[j].send_errors;
  };
  // A damaged copy of `good` (or garbage), sent after it, when it decodes
  // into no report; its errors, as skyfuse's decoder counts them, expected.
  std::vector<std::uint8_t> bad;
  std::vector<Report> scratch;
  auto send_damaged = [&](std::size_t j, const std::vector<std::uint8_t>& good, Time arrival) {
    const auto kind = static_cast<Damage>(rng.below(kDamageKinds));
    Counters& c = cs[j];
    for (int attempt = 0; attempt < 50; ++attempt) {
      bad = good;
      switch (kind) {
        case kTruncated:
          bad.resize(1 + rng.below(good.size() - 1));
          break;
        case kBitFlip:
          for (std::size_t n = 1 + rng.below(3); n > 0; --n)
            bad[rng.below(bad.size())] ^= static_cast<std::uint8_t>(1u << rng.below(8));
          break;
        case kGarbage:
          bad.resize(1 + rng.below(1400));
          for (auto& x : bad) x = static_cast<std::uint8_t>(rng.next());
          break;
        default: {
          // The length field: beyond the datagram, below the block header, or
          // inside a record.
          std::size_t len = 0;
          const auto r = rng.below(3);
          if (r == 0) len = good.size() + 1 + rng.below(65535 - good.size());
          if (r == 1) len = rng.below(3);
          if (r == 2) len = 3 + rng.below(good.size() - 3);
          bad[1] = static_cast<std::uint8_t>(len >> 8);
          bad[2] = static_cast<std::uint8_t>(len);
          break;
        }
      }
      if (bad == good) continue;
      auto& recent = ps[j].recent_damaged;
      if (std::find(recent.begin(), recent.end(), bad) != recent.end()) continue;
      feeds::FeedDecoder& dec = *ps[j].offline;
      const long before = dec.errors();
      scratch.clear();
      dec.feed(bad, arrival, 0, scratch);
      dec.take_messages();
      const long errors = dec.errors() - before;
      if (!scratch.empty()) {  // undetectable: it would be tracked
        ++c.undetectable[kind];
        continue;
      }
      ++c.damaged[kind];
      c.expected_errors += static_cast<std::uint64_t>(errors);
      if (errors == 0) ++c.damaged_no_error;
      recent.push_back(bad);
      if (recent.size() > 64) recent.pop_front();
      send(j, bad);
      return;
    }
  };

  fmt::print(
      "{{\"event\":\"start\",\"t0\":{:.3f},\"aircraft\":{},\"sensors\":{},\"seconds\":{},"
      "\"damage\":{},\"jumps\":{}}}\n",
      t0, ac.size(), ss.size(), seconds, damage, jumps.size());
  std::fflush(stdout);
  struct Due {
    double t;
    std::size_t a;
  };
  std::vector<Due> due;
  std::vector<std::uint8_t> block, rec;
  std::size_t next_jump_note = 0;
  double next_status = t0 + 1;
  auto tick = std::chrono::system_clock::now();
  while (true) {
    const double now = now_unix();
    if (now - t0 >= seconds) break;
    for (; next_jump_note < jumps.size() && jumps[next_jump_note].start <= now; ++next_jump_note) {
      const Jump& jp = jumps[next_jump_note];
      fmt::print(
          "{{\"event\":\"jump\",\"sensor\":\"{}\",\"kind\":\"{}\",\"start\":{:.3f},\"end\":{:.3f},"
          "\"offset_s\":{:.3f}}}\n",
          ss[jp.sensor].sensor.name, jp.kind, jp.start, jp.end, jp.offset_s);
      std::fflush(stdout);
    }
    for (std::size_t j = 0; j < ss.size(); ++j) {
      const Sensor& s = ss[j].sensor;
      PerSensor& p = ps[j];
      due.clear();
      for (std::size_t i = 0; i < ac.size(); ++i)
        while (p.next[i] <= now) {
          due.push_back({p.next[i], i});
          p.next[i] += p.period;
        }
      if (due.empty()) continue;
      std::sort(due.begin(), due.end(), [](const Due& x, const Due& y) { return x.t < y.t; });
      // Data blocks of at most 20 records, one per datagram (BlockWriter's size).
      std::size_t records = 0, jumped = 0;
      auto flush = [&] {
        if (records == 0) return;
        block[1] = static_cast<std::uint8_t>(block.size() >> 8);
        block[2] = static_cast<std::uint8_t>(block.size());
        send(j, block);
        Counters& c = cs[j];
        c.good_reports += records - jumped;
        c.jumped_reports += jumped;
        ++(jumped ? c.jumped_datagrams : c.good_datagrams);
        if (rng.uniform() < damage) send_damaged(j, block, Time::from_seconds(now));
        records = jumped = 0;
      };
      for (const Due& d : due) {
        if (records == 0)
          block.assign({static_cast<std::uint8_t>(s.kind == SensorKind::kAdsb ? 21 : 48), 0, 0});
        const Aircraft& a = ac[d.a];
        double ve = 0, vn = 0;
        GeodeticPosition pos = a.at(d.t - t0, &ve, &vn);
        double t = d.t;
        bool is_jumped = false;
        for (const Jump& jp : jumps)
          if (jp.sensor == j && d.t >= jp.start && d.t < jp.end) {
            t += jp.offset_s;
            is_jumped = true;
          }
        rec.clear();
        if (s.kind == SensorKind::kAdsb) {
          // NACp 9 (EPU < 30 m): about 10 m of noise.
          pos.lat_deg += 10 * rng.normal() / kMPerDegLat;
          pos.lon_deg +=
              10 * rng.normal() / (kMPerDegLat * std::cos(pos.lat_deg * std::numbers::pi / 180));
          cat021_record(rec, s, Time::from_seconds(t), pos.lat_deg, pos.lon_deg, a.alt_m, a.fl, ve,
                        vn, 8, 9, a.id);
        } else {
          const geo::Polar z = p.radar->forward(pos);
          const double range = z.range_m + 40 * rng.normal();
          if (range >= 250 * kNm || range <= 0) {
            ++cs[j].out_of_range;
            continue;
          }
          cat048_record(rec, s, Time::from_seconds(t), range,
                        z.azimuth_rad + 0.08 / kDeg * rng.normal(), a.fl, a.id);
        }
        block.insert(block.end(), rec.begin(), rec.end());
        ++records;
        if (is_jumped) ++jumped;
        if (records == 20) flush();
      }
      flush();
    }
    if (now >= next_status) {
      fmt::print("{{\"event\":\"status\",\"t\":{:.3f},\"sensors\":{}}}\n", now,
                 json_counters(ss, cs));
      std::fflush(stdout);
      next_status += 1;
    }
    tick += std::chrono::microseconds(static_cast<std::int64_t>(tick_s * 1e6));
    if (std::chrono::system_clock::now() - tick > std::chrono::seconds(1))
      tick = std::chrono::system_clock::now();  // far behind (the machine is busy): go on from now
    std::this_thread::sleep_until(tick);
  }
  ::close(sock);
  fmt::print("{{\"event\":\"end\",\"t\":{:.3f},\"sensors\":{}}}\n", now_unix(),
             json_counters(ss, cs));
  std::fflush(stdout);
  return 0;
}
