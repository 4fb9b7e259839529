// Fuzz target: Beast framing fed in arbitrary chunks, then the stateful decoder.
#include <cstddef>
#include <cstdint>
#include <span>

#include "decode/modes/decoder.hpp"
#include "decode/modes/framing.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace skyfuse::decode::modes;
  Decoder dec({.receiver = skyfuse::GeodeticPosition{59.7, 30.6, 0}});
  BeastStream beast;
  const std::size_t cut = size ? data[0] % 17 + 1 : 1;  // chunk size from the input
  long frames = 0;
  for (std::size_t i = 0; i < size; i += cut) {
    beast.feed(std::span<const std::uint8_t>(data + i, std::min(cut, size - i)),
               [&](const RawFrame& f) {
                 if (f.n_bytes > 14) __builtin_trap();
                 dec.decode(f, skyfuse::Time{static_cast<std::int64_t>(f.counter_12mhz)});
                 ++frames;
               });
  }
  beast.finish();
  if (beast.stats().frames != frames) __builtin_trap();
  return 0;
}
