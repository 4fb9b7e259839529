// Multilateration throughput on one core.
//   build/release/bench/mlat_bench
// Network: 8 GPS-clock receivers around Zurich (up to ~150 km apart); each
// message comes from a random point within +-1 deg at 10 km, is heard by 5
// random receivers with 100 ns timing noise, and carries its pressure altitude.
// BM_Locate: Multilaterator::locate on a synchronised network (clock correction,
// the solver with its several starts, flags, geodetic output): located messages
// per second. BM_Solve: the solver alone. BM_Reference: clock-sync updates.
#include <benchmark/benchmark.h>

#include <memory>
#include <random>

#include "geo/wgs84.hpp"
#include "mlat/multilaterator.hpp"
#include "mlat/propagation.hpp"

namespace {

using namespace skyfuse;
using namespace skyfuse::mlat;

struct Network {
  ReceiverSet receivers;
  std::vector<Message> references, targets;
};

Network make_network(int n_messages) {
  Network n;
  const double sites[8][3] = {{47.40, 8.63, 430},  {47.05, 7.62, 560},  {47.54, 7.56, 350},
                              {46.48, 6.84, 680},  {47.51, 10.28, 750}, {48.20, 9.18, 300},
                              {46.51, 9.15, 1600}, {47.04, 8.32, 480}};
  for (std::uint32_t i = 0; i < 8; ++i) {
    n.receivers.add({.id = i + 1, .position = {sites[i][0], sites[i][1], sites[i][2]}});
  }
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  std::normal_distribution<double> noise(0.0, 100e-9);
  auto make = [&](double t, bool reference) {
    const GeodeticPosition p{47.2 + u(rng), 8.5 + u(rng), 10000};
    const Eigen::Vector3d x = geo::geodetic_to_ecef(p);
    Message m;
    m.time = Time::from_seconds(t);
    m.baro_alt_m = p.alt_m + 150;
    m.geo_alt_m = p.alt_m;
    if (reference) m.reference = p;
    std::vector<std::uint32_t> ids = {1, 2, 3, 4, 5, 6, 7, 8};
    std::shuffle(ids.begin(), ids.end(), rng);
    for (int k = 0; k < 5; ++k) {
      const Receiver& r = *n.receivers.find(ids[static_cast<std::size_t>(k)]);
      const double arrival = t + flight_time_s(x, p.alt_m, r.ecef_m, r.position.alt_m) + noise(rng);
      m.toas.push_back({r.id, static_cast<std::int64_t>(std::llround(arrival * 1e9)), 0});
    }
    if (!reference) m.geo_alt_m.reset();
    return m;
  };
  for (int i = 0; i < 600; ++i) n.references.push_back(make(i * 0.5, true));
  for (int i = 0; i < n_messages; ++i) n.targets.push_back(make(300.0 + i * 1e-3, false));
  return n;
}

void BM_Locate(benchmark::State& state) {
  const Network n = make_network(4096);
  Multilaterator ml(n.receivers, {});
  for (const Message& m : n.references) ml.push(m);
  std::size_t i = 0, ok = 0;
  for (auto _ : state) {
    const Fix f = ml.locate(n.targets[i++ % n.targets.size()]);
    ok += f.flag == FixFlag::kOk ? 1 : 0;
    benchmark::DoNotOptimize(f);
  }
  state.counters["messages_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["ok_share"] = static_cast<double>(ok) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_Locate);

void BM_Solve(benchmark::State& state) {
  const Network n = make_network(1024);
  Multilaterator ml(n.receivers, {});
  for (const Message& m : n.references) ml.push(m);
  // Solver inputs prepared as locate() would.
  std::vector<SolverInput> inputs;
  for (const Message& m : n.targets) {
    const CorrectedToas c = ml.clocks().correct(m.toas);
    SolverInput in;
    for (int k : c.index) {
      const Receiver& r = *n.receivers.find(m.toas[static_cast<std::size_t>(k)].receiver);
      in.receiver_ecef_m.push_back(r.ecef_m);
      in.receiver_h_m.push_back(r.position.alt_m);
      in.receiver_ids.push_back(r.id);
    }
    in.toa_s = c.toa_s;
    in.toa_cov_s2 = c.cov_s2;
    in.altitude = ml.altitude_aid(m);
    inputs.push_back(in);
  }
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(solve(inputs[i++ % inputs.size()], SolverConfig{}));
  }
  state.counters["solves_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Solve);

void BM_Reference(benchmark::State& state) {
  const Network n = make_network(0);
  std::size_t i = 0;
  auto ml = std::make_unique<Multilaterator>(n.receivers, MultilateratorConfig{});
  for (auto _ : state) {
    if (i == n.references.size()) {
      state.PauseTiming();
      ml = std::make_unique<Multilaterator>(n.receivers, MultilateratorConfig{});
      i = 0;
      state.ResumeTiming();
    }
    benchmark::DoNotOptimize(ml->push(n.references[i++]));
  }
  state.counters["references_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Reference);

}  // namespace

BENCHMARK_MAIN();
