// Fuzz target: one truth/track JSON line (io::parse_state) and a whole file of them.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "io/jsonl.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = skyfuse::io::parse_state(text);
  if (r) {
    // What parses must print and parse back to the same line.
    const std::string line = skyfuse::io::to_json(*r);
    auto again = skyfuse::io::parse_state(line);
    if (!again || skyfuse::io::to_json(*again) != line) __builtin_trap();
  }
  return 0;
}
