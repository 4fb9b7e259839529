// Remote ID decoding throughput on the shared captures (tests/data/remoteid:
// the Parrot ANAFI flight, the Wi-Fi beacon and NAN samples, the Bluetooth 5
// long-range sample; 3,511 messages in 1,498 packets):
//   build/release/bench/remoteid_bench
// BM_Message: decode_message() alone over every message's 25 bytes;
// BM_Packets: the packets in memory through the Decoder (link layer, FCS/CRC,
// transport, pack, messages); BM_Capture: the same read from the files through
// libpcap (decode_capture). Figures are messages per second on one core.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "decode/remoteid/capture.hpp"

namespace {

using namespace skyfuse::decode::remoteid;

const char* kFiles[] = {"parrot_anafi4_real_rid_only.pcapng", "odid_wifi_bcn_sample.pcap",
                        "odid_wifi_sample.pcap", "odid_bt5_lr_sample.pcapng"};

std::string path(const char* name) {
  return std::string(SKYFUSE_SOURCE_DIR) + "/tests/data/remoteid/" + name;
}

struct Packets {
  int dlt = 0;
  std::vector<std::vector<std::uint8_t>> data;
  std::vector<skyfuse::Time> times;
};

const std::vector<Packets>& packets() {
  static const std::vector<Packets> all = [] {
    std::vector<Packets> v;
    for (const char* f : kFiles) {
      auto r = CaptureReader::open(path(f));
      Packets p;
      p.dlt = r->link_type();
      for (;;) {
        auto n = r->next();
        if (!n || !n->has_value()) break;
        p.data.emplace_back((*n)->data.begin(), (*n)->data.end());
        p.times.push_back((*n)->time);
      }
      v.push_back(std::move(p));
    }
    return v;
  }();
  return all;
}

const std::vector<std::uint8_t>& messages() {
  static const std::vector<std::uint8_t> all = [] {
    std::vector<std::uint8_t> m;
    for (const Packets& p : packets()) {
      Decoder dec;
      for (std::size_t i = 0; i < p.data.size(); ++i)
        dec.decode(p.dlt, p.times[i], static_cast<std::int64_t>(i + 1), p.data[i],
                   [&](const Decoded& d) { m.insert(m.end(), d.raw.begin(), d.raw.end()); });
    }
    return m;
  }();
  return all;
}

void BM_Message(benchmark::State& state) {
  const auto& m = messages();
  long n = 0;
  for (auto _ : state) {
    double sum = 0;
    for (std::size_t i = 0; i + kMessageSize <= m.size(); i += kMessageSize) {
      auto r = decode_message(Bytes(m.data() + i, kMessageSize));
      sum += static_cast<double>(r->protocol_version);
      ++n;
    }
    benchmark::DoNotOptimize(sum);
  }
  state.counters["msgs_per_s"] =
      benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsRate);
}

void BM_Packets(benchmark::State& state) {
  const auto& all = packets();
  long n = 0;
  for (auto _ : state) {
    for (const Packets& p : all) {
      Decoder dec;
      for (std::size_t i = 0; i < p.data.size(); ++i)
        dec.decode(p.dlt, p.times[i], static_cast<std::int64_t>(i + 1), p.data[i],
                   [&](const Decoded& d) {
                     benchmark::DoNotOptimize(d.frame);
                     ++n;
                   });
    }
  }
  state.counters["msgs_per_s"] =
      benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsRate);
}

void BM_Capture(benchmark::State& state) {
  long n = 0;
  for (auto _ : state) {
    for (const char* f : kFiles) {
      auto st = decode_capture(path(f), [&](const Decoded&) { ++n; });
      benchmark::DoNotOptimize(st);
    }
  }
  state.counters["msgs_per_s"] =
      benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsRate);
}

BENCHMARK(BM_Message)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Packets)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Capture)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
