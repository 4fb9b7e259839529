// Tracker throughput at 100 (everything in cache), 1,000, 10,000 and 100,000
// simultaneous targets, and at 10,000 with the default 2 s reorder window;
// BM_ImmCycle: the horizontal IMM alone, hot in cache.
//   build/release/bench/tracker_bench
// Traffic: targets spread uniformly over a square (density 0.05 per km^2, so
// 100,000 targets cover 1,400 km x 1,400 km), straight flights at 150-250 m/s
// in random directions at 1-12 km. Half carry ADS-B (1 Hz, 24-bit address:
// identity-aided association); every target is also seen by the nearest of a
// grid of 4 s primary radars (anonymous plots: spatial gating, clusters,
// assignment, and the plot-to-plane conversion). Reports are generated before
// timing, in time order; with no reorder window (window_s:0) each push()
// processes its report: its duration is that report's latency.
// Counters: reports_per_s (one core), p50/p99 latency, live tracks, and heap
// bytes per track (glibc mallinfo2, heap plus mmapped blocks, before and after).
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <GeographicLib/Geodesic.hpp>
#include <GeographicLib/LocalCartesian.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <numbers>
#include <random>

#include "estimation/imm.hpp"
#include "geo/radar_model.hpp"
#include "tracking/tracker.hpp"

namespace {

using namespace skyfuse;
constexpr double kDeg = std::numbers::pi / 180;

struct Traffic {
  std::vector<Sensor> sensors;
  std::vector<Report> reports;
};

Traffic make_traffic(int n_targets, double seconds) {
  std::mt19937_64 rng(42);
  const double side_m = std::sqrt(n_targets / 0.05) * 1000;  // 0.05 targets per km^2
  const GeodeticPosition origin{50.0, 10.0, 0};
  const GeographicLib::LocalCartesian lc(origin.lat_deg, origin.lon_deg, 0);
  Traffic t;
  Sensor adsb;
  adsb.id = 1;
  adsb.name = "adsb";
  adsb.kind = SensorKind::kAdsb;
  adsb.site = origin;
  t.sensors.push_back(adsb);
  // Radars every 300 km.
  const int per_side = std::max(1, static_cast<int>(std::ceil(side_m / 300e3)));
  std::vector<geo::RadarModel> radars;
  for (int i = 0; i < per_side; ++i)
    for (int j = 0; j < per_side; ++j) {
      Sensor r;
      r.id = static_cast<SensorId>(t.sensors.size() + 1);
      r.name = "psr" + std::to_string(r.id);
      r.kind = SensorKind::kPsr;
      double lat, lon, h;
      lc.Reverse((i + 0.5) * side_m / per_side - side_m / 2,
                 (j + 0.5) * side_m / per_side - side_m / 2, 0, lat, lon, h);
      r.site = {lat, lon, 100};
      r.rotation_period_s = 4;
      r.sigma_range_m = 40;
      r.sigma_azimuth_rad = 0.08 * kDeg;
      r.max_range_m = 250e3;
      t.sensors.push_back(r);
      radars.emplace_back(r.site);
    }
  struct Target {
    double x, y, h, vx, vy;
    bool adsb;
    double adsb_phase, radar_phase;
    int radar;
  };
  std::uniform_real_distribution<double> u(0, 1);
  std::normal_distribution<double> n(0, 1);
  std::vector<Target> targets(n_targets);
  for (auto& g : targets) {
    g.x = (u(rng) - 0.5) * side_m;
    g.y = (u(rng) - 0.5) * side_m;
    g.h = 1000 + 11000 * u(rng);
    const double v = 150 + 100 * u(rng), hd = 2 * std::numbers::pi * u(rng);
    g.vx = v * std::sin(hd);
    g.vy = v * std::cos(hd);
    g.adsb = u(rng) < 0.5;
    g.adsb_phase = u(rng);
    g.radar_phase = 4 * u(rng);
    const int i =
        std::clamp(static_cast<int>((g.x + side_m / 2) / (side_m / per_side)), 0, per_side - 1);
    const int j =
        std::clamp(static_cast<int>((g.y + side_m / 2) / (side_m / per_side)), 0, per_side - 1);
    g.radar = i * per_side + j;
  }
  for (std::size_t k = 0; k < targets.size(); ++k) {
    const Target& g = targets[k];
    auto pos = [&](double s) {
      double lat, lon, h;
      lc.Reverse(g.x + g.vx * s, g.y + g.vy * s, 0, lat, lon, h);
      return GeodeticPosition{lat, lon, g.h};
    };
    if (g.adsb) {
      for (double s = g.adsb_phase; s < seconds; s += 1.0) {
        Report r;
        r.time = Time::from_seconds(1.7e9 + s);
        r.sensor = 1;
        r.sensor_kind = SensorKind::kAdsb;
        GeodeticMeasurement m;
        m.position = pos(s);
        m.position.lat_deg += 20 * n(rng) / 111e3;
        m.has_height = true;
        m.covariance_enu = Eigen::Vector3d(400, 400, 900).asDiagonal();
        r.measurement = m;
        r.velocity_enu_mps = Eigen::Vector3d(g.vx, g.vy, 0);
        r.identity.icao24 = static_cast<std::uint32_t>(0x100000 + k);
        t.reports.push_back(r);
      }
    }
    for (double s = g.radar_phase; s < seconds; s += 4.0) {
      const geo::Polar z = radars[g.radar].forward(pos(s));
      Report r;
      r.time = Time::from_seconds(1.7e9 + s);
      r.sensor = static_cast<SensorId>(2 + g.radar);
      r.sensor_kind = SensorKind::kPsr;
      PolarMeasurement m;
      m.range_m = z.range_m + 40 * n(rng);
      m.azimuth_rad = z.azimuth_rad + 0.08 * kDeg * n(rng);
      m.covariance.diagonal() << 1600, std::pow(0.08 * kDeg, 2), 0;
      r.measurement = m;
      r.baro_alt_m = g.h;  // SSR-style Mode C keeps plots placed at the right height
      t.reports.push_back(r);
    }
  }
  std::stable_sort(t.reports.begin(), t.reports.end(),
                   [](const Report& a, const Report& b) { return a.time < b.time; });
  return t;
}

// range(1): the reorder window in seconds (0: each push() processes its
// report; the default configuration's 2 s: reports wait in the window and
// are processed in time order as newer data arrives, as `skyfuse track` and
// `skyfuse run` do).
void BM_Tracker(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const double seconds = n >= 100000 ? 24 : n >= 10000 ? 60 : 120;
  const Traffic traffic = make_traffic(n, seconds);
  tracking::TrackerConfig cfg;
  cfg.latency_s = static_cast<double>(state.range(1));
  std::vector<double> lat_ns;
  lat_ns.reserve(traffic.reports.size());
  double rate = 0, steady_rate = 0;
  std::size_t live = 0, heap_per_track = 0, approx_per_track = 0;
  for (auto _ : state) {
    const std::size_t heap0 = mallinfo2().uordblks + mallinfo2().hblkhd;
    tracking::Tracker tracker(cfg, traffic.sensors);
    lat_ns.clear();
    const auto t0 = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point t_steady;
    std::size_t steady_from = traffic.reports.size() / 3;
    for (std::size_t i = 0; i < traffic.reports.size(); ++i) {
      if (i == steady_from) t_steady = std::chrono::steady_clock::now();
      const auto a = std::chrono::steady_clock::now();
      tracker.push(traffic.reports[i]);
      tracker.drain([](const ObjectState& s) { benchmark::DoNotOptimize(s.position.lat_deg); });
      lat_ns.push_back(
          std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - a).count());
    }
    tracker.flush();
    tracker.drain([](const ObjectState& s) { benchmark::DoNotOptimize(s.position.lat_deg); });
    const auto t1 = std::chrono::steady_clock::now();
    rate = static_cast<double>(traffic.reports.size()) /
           std::chrono::duration<double>(t1 - t0).count();
    steady_rate = static_cast<double>(traffic.reports.size() - steady_from) /
                  std::chrono::duration<double>(t1 - t_steady).count();
    live = tracker.stats().live_tracks;
    heap_per_track = live ? (mallinfo2().uordblks + mallinfo2().hblkhd - heap0) / live : 0;
    approx_per_track = live ? tracker.memory_bytes() / live : 0;
  }
  std::sort(lat_ns.begin(), lat_ns.end());
  state.counters["reports"] = static_cast<double>(traffic.reports.size());
  state.counters["reports_per_s"] = rate;
  state.counters["steady_reports_per_s"] = steady_rate;
  state.counters["p50_us"] = lat_ns[lat_ns.size() / 2] / 1000;
  state.counters["p99_us"] = lat_ns[lat_ns.size() * 99 / 100] / 1000;
  state.counters["live_tracks"] = static_cast<double>(live);
  state.counters["heap_B_per_track"] = static_cast<double>(heap_per_track);
  state.counters["own_B_per_track"] = static_cast<double>(approx_per_track);
}

// The horizontal IMM filter alone, one track hot in L1 cache: the floor under
// the tracker's cost per report (every report predicts and updates it; the
// tracker adds projection, association, the vertical filter, publication and
// memory traffic). Straight flight at 200 m/s, measured without noise so the
// model probabilities settle as they do on real straight legs. `radar`: 4 s
// apart, position only; otherwise 1 s apart, position and velocity (ADS-B).
void BM_ImmCycle(benchmark::State& state) {
  const bool radar = state.range(0) != 0;
  const double dt = radar ? 4.0 : 1.0;
  estimation::StateVec x0 = estimation::StateVec::Zero();
  x0[3] = 200;
  estimation::StateCov p0 = estimation::StateCov::Identity() * 100;
  estimation::Imm imm(estimation::ImmParams{}, x0, p0);
  const Eigen::Matrix2d r2 = Eigen::Vector2d(1600, 900).asDiagonal();
  const Eigen::Matrix4d r4 = Eigen::Vector4d(400, 400, 4, 4).asDiagonal();
  double t = 0;
  for (auto _ : state) {
    t += dt;
    imm.predict(dt);
    if (radar) {
      imm.update(Eigen::Vector2d(0, 200 * t), r2);
    } else {
      imm.update(Eigen::Vector4d(0, 200 * t, 0, 200), r4);
    }
    benchmark::DoNotOptimize(imm.state()[0]);
  }
  state.counters["reports_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

}  // namespace

BENCHMARK(BM_ImmCycle)->Arg(0)->Arg(1)->ArgName("radar");
BENCHMARK(BM_Tracker)
    ->ArgNames({"", "window_s"})
    ->Args({100, 0})
    ->Args({1000, 0})
    ->Args({10000, 0})
    ->Args({100000, 0})
    ->Args({10000, 2})
    ->Unit(benchmark::kSecond)
    ->Iterations(1);

BENCHMARK_MAIN();
