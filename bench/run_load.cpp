// Load test of the live system on loopback (issue #6): starts `skyfuse run`
// with one ADS-B ground station input on UDP, sends it CAT021 reports of N
// aircraft at a fixed rate in real time, and samples /metrics every 10 s:
// reports processed, datagrams lost, resident memory, pipeline latency.
//   build/release/bench/run_load --skyfuse build/release/skyfuse --rate 20000 --seconds 600
// Prints one line per sample and a summary; exit 1 if reports were lost.
#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <numbers>
#include <sstream>
#include <thread>

#include "decode/asterix/catalogue.hpp"
#include "io/udp_sender.hpp"
#include "output/sensor_asterix.hpp"

extern char** environ;

namespace {
using namespace skyfuse;
using Clock = std::chrono::steady_clock;

std::uint16_t free_udp_port() {
  const int s = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t n = sizeof a;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &n);
  ::close(s);
  return ntohs(a.sin_port);
}

std::string http_get(std::uint16_t port, const std::string& path) {
  const int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(s);
    return {};
  }
  const std::string req = fmt::format("GET {} HTTP/1.0\r\nHost: localhost\r\n\r\n", path);
  if (::write(s, req.data(), req.size()) < 0) {
    ::close(s);
    return {};
  }
  std::string out;
  char buf[65536];
  for (ssize_t n; (n = ::read(s, buf, sizeof buf)) > 0;)
    out.append(buf, static_cast<std::size_t>(n));
  ::close(s);
  return out;
}

double metric(const std::string& text, const std::string& name) {
  const auto at = text.find("\n" + name + " ");
  if (at == std::string::npos) return NAN;
  return std::stod(text.substr(at + name.size() + 2));
}

double now_unix() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Loopback load test of `skyfuse run` (CAT021 over UDP)"};
  std::string skyfuse = "build/release/skyfuse", specs = SKYFUSE_SPECS_DIR,
              work = "/tmp/skyfuse_load";
  double rate = 20000, seconds = 600, per_aircraft_hz = 2;
  app.add_option("--skyfuse", skyfuse, "The skyfuse binary");
  app.add_option("--rate", rate, "Reports per second");
  app.add_option("--seconds", seconds, "Duration (real time)");
  app.add_option("--hz", per_aircraft_hz, "Reports per second per aircraft (aircraft = rate / hz)");
  app.add_option("--work", work, "Folder for the configuration and logs");
  app.add_option("--specs", specs, "asterix-specs folder");
  CLI11_PARSE(app, argc, argv);

  std::filesystem::create_directories(work);
  const std::uint16_t in_port = free_udp_port();
  const std::string config = work + "/load.toml";
  std::ofstream(config) << fmt::format(R"([tracker]
origin_lat_deg = 50.0
origin_lon_deg = 8.5

[[sensor]]
name = "load-adsb"
kind = "adsb"
sac = 1
sic = 10
lat_deg = 50.0
lon_deg = 8.5
alt_m = 100
max_range_m = 1000000
input = "udp:{}"
format = "asterix"

[run]
queue_packets = 200000
)",
                                       in_port);
  const std::string log = work + "/run.log";
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 2, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const std::string dur = fmt::format("{}", seconds + 15);
  std::vector<std::string> args = {skyfuse,       "run", "--config",   config,
                                   "--http-port", "0",   "--duration", dur};
  std::vector<char*> cargs;
  for (auto& a : args) cargs.push_back(a.data());
  cargs.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawn(&pid, skyfuse.c_str(), &fa, nullptr, cargs.data(), environ) != 0) {
    fmt::print(stderr, "cannot start {}\n", skyfuse);
    return 2;
  }
  std::uint16_t http_port = 0;
  for (int i = 0; i < 100 && http_port == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::ifstream in(log);
    std::stringstream ss;
    ss << in.rdbuf();
    const auto at = ss.str().find("map at http://");
    if (at != std::string::npos) {
      const std::string rest = ss.str().substr(at + 14);
      http_port = static_cast<std::uint16_t>(std::stoi(rest.substr(rest.find(':') + 1)));
    }
  }
  if (http_port == 0) {
    fmt::print(stderr, "skyfuse run did not start (see {})\n", log);
    kill(pid, SIGKILL);
    return 2;
  }

  // N aircraft on straight lines within 250 km, each reporting at `hz`, phases staggered.
  const int n = std::max(1, static_cast<int>(std::lround(rate / per_aircraft_hz)));
  const double period = 1.0 / per_aircraft_hz;
  Sensor sensor;
  sensor.id = 1;
  sensor.name = "load-adsb";
  sensor.kind = SensorKind::kAdsb;
  sensor.sac = 1;
  sensor.sic = 10;
  const auto cats = decode::asterix::load_categories(specs, {});
  io::UdpSender tx("127.0.0.1", in_port);
  struct Ac {
    double lat0, lon0, ve, vn, alt, next;
  };
  std::vector<Ac> ac(static_cast<std::size_t>(n));
  std::uint64_t seed = 12345;
  auto rnd = [&] {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(seed >> 11) / 9007199254740992.0;
  };
  const double t0 = now_unix();
  for (auto& a : ac) {
    a.lat0 = 50.0 + (rnd() - 0.5) * 4;
    a.lon0 = 8.5 + (rnd() - 0.5) * 6;
    const double hdg = rnd() * 2 * std::numbers::pi, v = 120 + rnd() * 130;
    a.ve = v * std::sin(hdg);
    a.vn = v * std::cos(hdg);
    a.alt = 1000 + rnd() * 11000;
    a.next = t0 + rnd() * period;
  }
  fmt::print(
      "load: {} aircraft x {} Hz = {:.0f} reports/s for {:.0f} s into skyfuse run (UDP {}, HTTP "
      "{})\n",
      n, per_aircraft_hz, n * per_aircraft_hz, seconds, in_port, http_port);
  fmt::print("{:>6} {:>10} {:>10} {:>8} {:>7} {:>9} {:>9} {:>9} {:>8}\n", "t_s", "sent",
             "processed", "dropped", "tracks", "rss_MB", "p50_ms", "p99_ms", "cpu");
  std::uint64_t sent = 0, datagrams = 0;
  std::vector<double> rss_samples;
  double next_sample = t0 + 10;
  std::vector<Report> batch;
  const auto rusage_ticks = [pid] {
    std::ifstream st(fmt::format("/proc/{}/stat", pid));
    std::string s((std::istreambuf_iterator<char>(st)), std::istreambuf_iterator<char>());
    const auto close = s.rfind(')');
    std::istringstream in(s.substr(close + 2));
    std::string f;
    double utime = 0, stime = 0;
    for (int i = 3; i <= 15 && in >> f; ++i) {
      if (i == 14) utime = std::stod(f);
      if (i == 15) stime = std::stod(f);
    }
    return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
  };
  double last_cpu = rusage_ticks(), last_cpu_t = t0;
  auto sample = [&](double t) {
    const std::string m = http_get(http_port, "/metrics");
    const double processed = metric(m, "skyfuse_sensor_reports_total{sensor=\"load-adsb\"}");
    const double drops = metric(m, "skyfuse_sensor_drops_total{sensor=\"load-adsb\"}");
    const double rss = metric(m, "skyfuse_process_resident_bytes");
    const double tracks = metric(m, "skyfuse_tracks");
    const double p50 = metric(m, "skyfuse_pipeline_latency_seconds{quantile=\"0.5\"}");
    const double p99 = metric(m, "skyfuse_pipeline_latency_seconds{quantile=\"0.99\"}");
    const double cpu = rusage_ticks();
    fmt::print("{:>6.0f} {:>10} {:>10.0f} {:>8.0f} {:>7.0f} {:>9.1f} {:>9.3f} {:>9.3f} {:>7.0f}%\n",
               t - t0, sent, processed, drops, tracks, rss / 1e6, p50 * 1e3, p99 * 1e3,
               100 * (cpu - last_cpu) / std::max(1e-9, t - last_cpu_t));
    std::fflush(stdout);
    last_cpu = cpu;
    last_cpu_t = t;
    rss_samples.push_back(rss);
    return processed;
  };
  while (true) {
    const double now = now_unix();
    if (now - t0 >= seconds) break;
    batch.clear();
    for (std::size_t i = 0; i < ac.size(); ++i) {
      Ac& a = ac[i];
      while (a.next <= now) {
        const double dt = a.next - t0;
        Report r;
        r.time = Time::from_seconds(a.next);
        r.sensor = 1;
        r.sensor_kind = SensorKind::kAdsb;
        GeodeticMeasurement g;
        g.position = {a.lat0 + a.vn * dt / 111195.0,
                      a.lon0 + a.ve * dt / (111195.0 * std::cos(a.lat0 * std::numbers::pi / 180)),
                      a.alt};
        g.has_height = true;
        g.covariance_enu = Eigen::Vector3d(100, 100, 400).asDiagonal();
        r.measurement = g;
        r.nacp = 9;
        r.velocity_enu_mps = Eigen::Vector3d(a.ve, a.vn, 0);
        r.baro_alt_m = a.alt;
        r.identity.icao24 = 0x100000 + static_cast<std::uint32_t>(i);
        batch.push_back(r);
        a.next += period;
      }
    }
    if (!batch.empty()) {
      std::sort(batch.begin(), batch.end(),
                [](const Report& x, const Report& y) { return x.time < y.time; });
      const auto bytes = output::encode_feed(sensor, batch, cats, batch.front().time);
      for (std::size_t p = 0; p + 3 <= bytes.size();) {
        const std::size_t len = (static_cast<std::size_t>(bytes[p + 1]) << 8) | bytes[p + 2];
        if (len < 3 || p + len > bytes.size()) break;
        if (bytes[p] == 21) {  // the status (CAT023) blocks are not counted as reports
          tx.send(std::span<const std::uint8_t>(bytes.data() + p, len));
          ++datagrams;
        }
        p += len;
      }
      sent += batch.size();
    }
    if (now >= next_sample) {
      sample(now);
      next_sample += 10;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::this_thread::sleep_for(std::chrono::seconds(3));
  const double processed = sample(now_unix());
  kill(pid, SIGINT);
  int status = 0;
  waitpid(pid, &status, 0);
  // Memory flatness: the second half of the run against its first sample.
  double lo = INFINITY, hi = 0;
  for (std::size_t k = rss_samples.size() / 2; k < rss_samples.size(); ++k) {
    lo = std::min(lo, rss_samples[k]);
    hi = std::max(hi, rss_samples[k]);
  }
  const auto lost = static_cast<long long>(sent) - static_cast<long long>(processed);
  fmt::print(
      "summary: {} reports sent in {} datagrams over {:.0f} s ({:.0f}/s), {} processed, {} lost; "
      "resident memory over the second half {:.1f}..{:.1f} MB ({:+.1f} %); log {}\n",
      sent, datagrams, seconds, static_cast<double>(sent) / seconds, processed, lost, lo / 1e6,
      hi / 1e6, 100 * (hi - lo) / std::max(1.0, lo), log);
  return lost == 0 ? 0 : 1;
}
