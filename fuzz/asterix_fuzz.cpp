// Fuzz targets, one per framing (built once per framing with
// SKYFUSE_FUZZ_FRAMING = 0 raw data blocks, 1 FINAL/IOSS, 2 pcap/pcapng,
// 3 pcap with ORADIS payloads, 4 GPS recording), each decoding with every
// bundled category definition. GPS inputs get a 2200-byte zero header
// prepended (the fuzzer would rarely grow an input that long by itself).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "decode/asterix/decoder.hpp"
#include "decode/asterix/framing.hpp"

using namespace skyfuse::decode::asterix;

static Decoder& decoder() {
  static Decoder* d = [] {
    std::vector<Category> cats;
    for (const char* f :
         {"cat001/cat001-1.2.json", "cat002/cat002-1.2.json", "cat019/cat019-1.3.json",
          "cat020/cat020-1.10.json", "cat021/cat021-2.6.json", "cat023/cat023-1.3.json",
          "cat034/cat034-1.29.json", "cat048/cat048-1.31.json", "cat062/cat062-1.18.json",
          "cat063/cat063-1.7.json", "cat065/cat065-1.6.json", "cat015/cat015-1.2.json",
          "cat016/cat016-1.0.json"})
      cats.push_back(load_category(std::string(SKYFUSE_SPECS_DIR) + "/" + f));
    return new Decoder(std::move(cats));
  }();
  return *d;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> rest(data, size);
  Decoder& dec = decoder();
  auto sink = [](const Record& r) {
    if (r.items.is_null()) __builtin_trap();
  };
  FramingStats fs;
  switch (SKYFUSE_FUZZ_FRAMING) {
    case 0:
      dec.decode_stream(rest, 0, sink);
      break;
    case 1:
      read_final(
          rest, [&](const Payload& p) { dec.decode_stream(p.bytes, p.offset, sink); }, fs);
      break;
    case 2:
      read_pcap(
          rest, [&](const Payload& p) { dec.decode_stream(p.bytes, p.offset, sink); }, fs);
      break;
    case 3:
      read_pcap(
          rest,
          [&](const Payload& p) {
            split_oradis(
                p, [&](const Payload& f) { dec.decode_stream(f.bytes, f.offset, sink); }, fs);
          },
          fs);
      break;
    default: {
      std::vector<std::uint8_t> gps(2200 + rest.size());
      std::copy(rest.begin(), rest.end(), gps.begin() + 2200);
      read_gps(
          gps, [&](const Payload& p) { dec.decode_stream(p.bytes, p.offset, sink); }, fs);
      break;
    }
  }
  return 0;
}
