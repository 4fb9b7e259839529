// Mode S decoding throughput on the real Beast capture (beastblackbox, 13,954
// frames) repeated to ~10 M frames:
//   build/release/bench/modes_bench
// BM_FramingOnly: Beast unescaping and framing; BM_FramingCrcDecode: framing +
// CRC + full stateless decode of every Mode S frame (decode_frame); BM_Decoder:
// the stateful decoder (address/parity, CPR pairing, plausibility) on top.
// Figures are messages per second on one core.
#include <benchmark/benchmark.h>

#include <fstream>
#include <iterator>

#include "decode/modes/decoder.hpp"
#include "decode/modes/framing.hpp"

namespace {

using namespace skyfuse::decode::modes;

const std::vector<std::uint8_t>& capture() {
  static const std::vector<std::uint8_t> data = [] {
    std::ifstream in(std::string(SKYFUSE_SOURCE_DIR) +
                         "/data/adsb/ulss7-beast-bin-utc--1522782148.136310917--.log",
                     std::ios::binary);
    std::vector<std::uint8_t> one{std::istreambuf_iterator<char>(in),
                                  std::istreambuf_iterator<char>()};
    std::vector<std::uint8_t> all;
    all.reserve(one.size() * 717);
    for (int i = 0; i < 717; ++i)
      all.insert(all.end(), one.begin(), one.end());  // 13,954 x 717 = 10.0 M
    return all;
  }();
  return data;
}

void BM_FramingOnly(benchmark::State& state) {
  const auto& data = capture();
  long frames = 0;
  for (auto _ : state) {
    BeastStream b;
    long n = 0;
    b.feed_fast(data, [&](const RawFrame& f) { n += f.n_bytes; });
    frames += b.stats().frames;
    benchmark::DoNotOptimize(n);
  }
  state.counters["msgs_per_s"] =
      benchmark::Counter(static_cast<double>(frames), benchmark::Counter::kIsRate);
}

void BM_FramingCrcDecode(benchmark::State& state) {
  const auto& data = capture();
  long frames = 0;
  for (auto _ : state) {
    BeastStream b;
    long ok = 0;
    const DecodeOptions opt;
    b.feed_fast(data, [&](const RawFrame& f) {
      if (f.kind != RawFrame::Kind::kModeS) return;
      const Message m = decode_frame(f.bytes.data(), f.n_bytes, opt);
      ok += m.crc_ok;
    });
    frames += b.stats().frames;
    benchmark::DoNotOptimize(ok);
  }
  state.counters["msgs_per_s"] =
      benchmark::Counter(static_cast<double>(frames), benchmark::Counter::kIsRate);
}

void BM_Decoder(benchmark::State& state) {
  const auto& data = capture();
  long frames = 0;
  for (auto _ : state) {
    BeastStream b;
    Decoder dec;
    long pos = 0;
    b.feed_fast(data, [&](const RawFrame& f) {
      const skyfuse::Time t{static_cast<std::int64_t>(f.counter_12mhz * 1000 / 12)};
      pos += dec.decode(f, t).position.has_value();
    });
    frames += b.stats().frames;
    benchmark::DoNotOptimize(pos);
  }
  state.counters["msgs_per_s"] =
      benchmark::Counter(static_cast<double>(frames), benchmark::Counter::kIsRate);
}

BENCHMARK(BM_FramingOnly)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_FramingCrcDecode)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_Decoder)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
