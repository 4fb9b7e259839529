// tar1090's /data/aircraft.json at 4,000 aircraft: what one request cost when
// every request made the text and compressed it (Render + Gzip), against what
// it costs now that the store makes it once per publication and the server
// keeps its gzip (Cached: the shared text; CopyGzip: the body copied into a
// response).
//
//   build/release/bench/server_bench
#include <benchmark/benchmark.h>

#include <cmath>
#include <string>
#include <vector>

#include "server/http_encoding.hpp"
#include "server/live_store.hpp"

namespace {
using namespace skyfuse;
using namespace skyfuse::server;

constexpr int kAircraft = 4000;

LiveStore& store_with_aircraft() {
  static LiveStore* store = [] {
    auto* s = new LiveStore(StoreInfo{});
    std::vector<ObjectState> tracks;
    for (int i = 0; i < kAircraft; ++i) {
      ObjectState o;
      o.time = Time::from_seconds(1000);
      o.id = std::to_string(i + 1);
      o.position = {40 + 20.0 * (i % 97) / 97, -10 + 30.0 * (i % 89) / 89, 3000 + 10.0 * i};
      o.velocity_enu_mps = {200 * std::cos(i), 200 * std::sin(i), 0};
      o.status = TrackStatus::kConfirmed;
      o.identity.icao24 = 0x400000u + static_cast<std::uint32_t>(i);
      o.identity.callsign = "SKY" + std::to_string(i);
      tracks.push_back(o);
    }
    s->apply(tracks);
    Publication p;
    p.now = Time::from_seconds(1000);
    s->publish(p);
    return s;
  }();
  return *store;
}

// Each iteration a new publication (not timed), then the text made for it:
// what every request cost before.
void BM_AircraftJsonRender(benchmark::State& state) {
  LiveStore& s = store_with_aircraft();
  double t = 1000;
  std::size_t bytes = 0;
  for (auto _ : state) {
    state.PauseTiming();  // the publication (the map's picture) is not timed
    Publication p;
    p.now = Time::from_seconds(t += 1);
    s.publish(p);
    state.ResumeTiming();
    auto text = s.aircraft_json_shared();
    bytes = text->size();
    benchmark::DoNotOptimize(text);
  }
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_AircraftJsonRender)->Unit(benchmark::kMillisecond);

void BM_AircraftJsonGzip(benchmark::State& state) {
  const auto text = store_with_aircraft().aircraft_json_shared();
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string z = gzip(*text);
    bytes = z.size();
    benchmark::DoNotOptimize(z);
  }
  state.counters["gzip_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_AircraftJsonGzip)->Unit(benchmark::kMillisecond);

// A request between publications now: the shared text, and its kept gzip copied.
void BM_AircraftJsonCached(benchmark::State& state) {
  LiveStore& s = store_with_aircraft();
  for (auto _ : state) benchmark::DoNotOptimize(s.aircraft_json_shared());
}
BENCHMARK(BM_AircraftJsonCached)->Unit(benchmark::kMicrosecond);

void BM_AircraftJsonCopyGzip(benchmark::State& state) {
  const std::string z = gzip(*store_with_aircraft().aircraft_json_shared());
  for (auto _ : state) {
    std::string body = z;
    benchmark::DoNotOptimize(body);
  }
}
BENCHMARK(BM_AircraftJsonCopyGzip)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
