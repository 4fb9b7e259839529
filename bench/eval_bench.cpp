// Benchmark of `skyfuse eval`'s core: evaluate() over N objects x T steps.
//
//   build/release/bench/eval_bench                       # 1,000 objects x 3,600 steps
//   build/release/bench/eval_bench --benchmark_filter=/100/  # a quick smoke run
//
// Truth: N aircraft on straight legs over a 600 km x 600 km area at 1 s; tracks:
// the truth displaced by 50 m Gaussian noise, updated every 4 s, with every
// 50th object missing and one false track per 100 objects. The figure that
// matters is steps/s (and object-steps/s) of the whole evaluation: sorting,
// presence, extrapolation, gating, assignment and metrics.
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>

#include "eval/evaluator.hpp"
#include "geo/wgs84.hpp"

namespace {

using skyfuse::Duration;
using skyfuse::ObjectState;
using skyfuse::Time;

struct Data {
  std::vector<ObjectState> truth, tracks;
};

Data make(int objects, int steps) {
  Data d;
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> u(-1, 1);
  std::normal_distribution<double> noise(0, 50);
  const skyfuse::geo::LocalFrame area({47, 8, 0});
  const Time t0 = Time::from_seconds(1.6e9);
  d.truth.reserve(static_cast<std::size_t>(objects) * steps);
  d.tracks.reserve(static_cast<std::size_t>(objects) * steps / 4 + 100000);
  std::vector<Eigen::Vector3d> pos(objects), vel(objects);
  for (int i = 0; i < objects; ++i) {
    pos[i] = {300e3 * u(rng), 300e3 * u(rng), 9000 + 2000 * u(rng)};
    const double hdg = M_PI * u(rng);
    vel[i] = {200 * std::sin(hdg), 200 * std::cos(hdg), 0};
  }
  for (int k = 0; k < steps; ++k) {
    const Time t = t0 + Duration::from_seconds(k);
    for (int i = 0; i < objects; ++i) {
      const Eigen::Vector3d p = pos[i] + vel[i] * k;
      ObjectState s;
      s.time = t;
      s.id = std::to_string(i);
      s.position = area.reverse(p);
      s.velocity_enu_mps = vel[i];
      d.truth.push_back(s);
      if (k % 4 == i % 4 && i % 50 != 7) {
        const double nz = noise(rng), ny = noise(rng), nx = noise(rng);  // written order
        s.position = area.reverse(p + Eigen::Vector3d(nx, ny, nz));
        s.id = "T" + std::to_string(i);
        d.tracks.push_back(s);
      }
      if (k % 4 == 0 && i % 100 == 3) {
        s.position = area.reverse(p + Eigen::Vector3d(20e3, 0, 0));
        s.id = "F" + std::to_string(i);
        d.tracks.push_back(s);
      }
    }
  }
  return d;
}

void BM_Evaluate(benchmark::State& state) {
  const int objects = static_cast<int>(state.range(0));
  const int steps = static_cast<int>(state.range(1));
  const Data d = make(objects, steps);
  skyfuse::eval::Summary s;
  for (auto _ : state) {
    const auto e = skyfuse::eval::evaluate(d.truth, d.tracks, {});
    s = e.summary;
    benchmark::DoNotOptimize(s);
  }
  state.counters["steps_per_s"] =
      benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["object_steps_per_s"] = benchmark::Counter(
      static_cast<double>(objects) * steps, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["gospa_per_object_m"] = s.gospa_per_object_m;
  state.counters["rms_horizontal_m"] = s.rms_horizontal_m;
}

BENCHMARK(BM_Evaluate)
    ->Args({100, 360})
    ->Args({1000, 3600})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
