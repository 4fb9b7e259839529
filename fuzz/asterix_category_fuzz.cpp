// Fuzz target, one per ASTERIX category (built once per category with
// SKYFUSE_FUZZ_HEADER / SKYFUSE_FUZZ_NS / SKYFUSE_FUZZ_SPEC): the input is one
// record body (FSPEC and items) for the generated typed decoder of that
// category, and the same bytes wrapped in a data block for the interpreting
// decoder. Neither may crash or read past the input; when both accept the
// record they must agree on its length.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "decode/asterix/decoder.hpp"
#include SKYFUSE_FUZZ_HEADER

using namespace skyfuse::decode::asterix;

static Decoder& decoder() {
  static Decoder* d = new Decoder({load_category(SKYFUSE_FUZZ_SPEC)});
  return *d;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 60000) return 0;
  SKYFUSE_FUZZ_NS::Record typed;
  const std::size_t typed_len = SKYFUSE_FUZZ_NS::decode(data, size, typed);
  if (typed_len > size) __builtin_trap();
  std::vector<std::uint8_t> block(3 + size);
  static const int number = [] {
    for (int c = 1; c < 256; ++c)
      if (decoder().category(c)) return c;
    return 0;
  }();
  block[0] = static_cast<std::uint8_t>(number);
  block[1] = static_cast<std::uint8_t>((3 + size) >> 8);
  block[2] = static_cast<std::uint8_t>(3 + size);
  std::copy(data, data + size, block.begin() + 3);
  std::size_t first_len = 0;
  bool first = true;
  decoder().decode_block(block, 0, [&](const Record& r) {
    if (first) first_len = r.length;
    first = false;
  });
  if (typed_len > 0 && first_len > 0 && typed_len != first_len) __builtin_trap();
  return 0;
}
