// ASTERIX throughput on the JADE 30-minute recording (real CAT062/063/065,
// 34,225 records), one core:
//   build/release/bench/asterix_bench
// BM_TypedDecode: FINAL framing + block walk + the generated typed decoders
// (decode to typed structs); BM_InterpretedDecode: the spec-interpreting decoder
// building its generic records (what `skyfuse decode` prints); BM_EncodeCat062:
// the spec-driven encoder re-encoding every CAT062 record.
#include <benchmark/benchmark.h>

#include <fstream>
#include <iterator>

#include "decode/asterix/decoder.hpp"
#include "decode/asterix/encoder.hpp"
#include "decode/asterix/framing.hpp"
#include "decode/asterix/generated/cat062_1_18.hpp"
#include "decode/asterix/generated/cat063_1_7.hpp"
#include "decode/asterix/generated/cat065_1_6.hpp"

namespace {

using namespace skyfuse::decode::asterix;

const std::string kSrc = SKYFUSE_SOURCE_DIR;

const std::vector<std::uint8_t>& jade() {
  static const std::vector<std::uint8_t> d = [] {
    std::ifstream in(kSrc + "/tests/data/asterix/final_frame_062_065_large_packet_30min.ff",
                     std::ios::binary);
    return std::vector<std::uint8_t>{std::istreambuf_iterator<char>(in),
                                     std::istreambuf_iterator<char>()};
  }();
  return d;
}

void BM_TypedDecode(benchmark::State& state) {
  const auto& data = jade();
  long records = 0;
  for (auto _ : state) {
    long ok = 0;
    FramingStats fs;
    cat062_1_18::Record r62;
    cat063_1_7::Record r63;
    cat065_1_6::Record r65;
    read_final(
        data,
        [&](const Payload& p) {
          std::size_t pos = 0;
          while (pos + 3 <= p.bytes.size()) {
            const int cat = p.bytes[pos];
            const std::size_t len = (std::size_t{p.bytes[pos + 1]} << 8) | p.bytes[pos + 2];
            if (len < 3 || pos + len > p.bytes.size()) break;
            std::size_t q = pos + 3;
            while (q < pos + len) {
              std::size_t used = 0;
              const std::uint8_t* b = p.bytes.data() + q;
              const std::size_t n = pos + len - q;
              if (cat == 62)
                used = cat062_1_18::decode(b, n, r62);
              else if (cat == 63)
                used = cat063_1_7::decode(b, n, r63);
              else if (cat == 65)
                used = cat065_1_6::decode(b, n, r65);
              if (used == 0) break;
              q += used;
              ++ok;
            }
            pos += len;
          }
        },
        fs);
    records += ok;
    benchmark::DoNotOptimize(ok);
  }
  state.counters["records_per_s"] =
      benchmark::Counter(static_cast<double>(records), benchmark::Counter::kIsRate);
}

Decoder make() {
  return Decoder({load_category(kSrc + "/specs/asterix/cat062/cat062-1.18.json"),
                  load_category(kSrc + "/specs/asterix/cat063/cat063-1.7.json"),
                  load_category(kSrc + "/specs/asterix/cat065/cat065-1.6.json")});
}

void BM_InterpretedDecode(benchmark::State& state) {
  const auto& data = jade();
  Decoder dec = make();
  long records = 0;
  for (auto _ : state) {
    FramingStats fs;
    read_final(
        data,
        [&](const Payload& p) {
          dec.decode_stream(p.bytes, p.offset, [&](const Record&) { ++records; });
        },
        fs);
  }
  state.counters["records_per_s"] =
      benchmark::Counter(static_cast<double>(records), benchmark::Counter::kIsRate);
}

void BM_EncodeCat062(benchmark::State& state) {
  Decoder dec = make();
  std::vector<nlohmann::ordered_json> recs;
  FramingStats fs;
  read_final(
      jade(),
      [&](const Payload& p) {
        dec.decode_stream(p.bytes, p.offset, [&](const Record& r) {
          if (r.category == 62) recs.push_back(r.items);
        });
      },
      fs);
  const Category* cat = dec.category(62);
  long records = 0;
  for (auto _ : state) {
    std::size_t bytes = 0;
    for (const auto& r : recs) bytes += encode_record(*cat, r)->size();
    records += static_cast<long>(recs.size());
    benchmark::DoNotOptimize(bytes);
  }
  state.counters["records_per_s"] =
      benchmark::Counter(static_cast<double>(records), benchmark::Counter::kIsRate);
}

BENCHMARK(BM_TypedDecode)->Unit(benchmark::kMillisecond)->Iterations(300);
BENCHMARK(BM_InterpretedDecode)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_EncodeCat062)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
