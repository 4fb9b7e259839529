// The tracker's ASTERIX input path (feeds::AsterixReportReader: data blocks to
// Reports) with the generated typed decoders and with the interpreter, on the
// ADS-B, MLAT and radar feeds `skyfuse sim` writes (tests/data/asterix/sim_*):
//   build/release/bench/feed_bench
#include <benchmark/benchmark.h>

#include <fstream>
#include <iterator>

#include "decode/asterix/catalogue.hpp"
#include "decode/asterix/decoder.hpp"
#include "feeds/asterix_reports.hpp"

namespace {

using namespace skyfuse;
const std::string kSrc = SKYFUSE_SOURCE_DIR;

struct Feed {
  std::vector<std::uint8_t> bytes;
  Sensor sensor;
};

Feed load(const char* rel, SensorKind kind) {
  Feed f;
  std::ifstream in(kSrc + "/" + rel, std::ios::binary);
  f.bytes = {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  f.sensor.kind = kind;
  std::vector<decode::asterix::Category> cats;
  for (auto& [n, c] : decode::asterix::load_categories(kSrc + "/specs/asterix", {}))
    cats.push_back(std::move(c));
  decode::asterix::Decoder dec(std::move(cats));
  bool found = false;
  dec.decode_stream(f.bytes, 0, [&](const decode::asterix::Record& r) {
    if (found || (r.category != 48 && r.category != 21 && r.category != 20)) return;
    f.sensor.sac = r.items["010"]["SAC"].get<std::uint8_t>();
    f.sensor.sic = r.items["010"]["SIC"].get<std::uint8_t>();
    found = true;
  });
  return f;
}

void BM_Reader(benchmark::State& state) {
  const char* files[] = {"tests/data/asterix/sim_cat021_023.ast",
                         "tests/data/asterix/sim_cat020_019.ast",
                         "tests/data/asterix/sim_cat048_034.ast"};
  const SensorKind kinds[] = {SensorKind::kAdsb, SensorKind::kMlat, SensorKind::kModeSRadar};
  const Feed f = load(files[state.range(0)], kinds[state.range(0)]);
  feeds::FeedConfig cfg;
  cfg.path = files[state.range(0)];
  cfg.format = feeds::FeedFormat::kAsterix;
  feeds::AsterixReportReader reader(cfg, f.sensor, kSrc + "/specs/asterix", 1717200000.0);
  reader.use_typed_decoders(state.range(1) != 0);
  std::vector<Report> out;
  long reports = 0;
  for (auto _ : state) {
    out.clear();
    reader.blocks(f.bytes, 0, out);
    reports += static_cast<long>(out.size());
  }
  state.SetLabel(std::string(files[state.range(0)] + 19) +
                 (state.range(1) ? " typed" : " interpreter"));
  state.counters["reports_per_s"] =
      benchmark::Counter(static_cast<double>(reports), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Reader)->ArgsProduct({{0, 1, 2}, {1, 0}})->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
