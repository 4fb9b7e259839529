// Fuzz target: CSV lines (timestamp, ..., hex).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "decode/modes/decoder.hpp"
#include "decode/modes/framing.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace skyfuse::decode::modes;
  Decoder dec;
  CsvParser avr;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::int64_t offset = 0;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    avr.line(line, offset, [&](const RawFrame& f) { dec.decode(f, skyfuse::Time{0}); });
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
    offset += static_cast<std::int64_t>(nl + 1);
  }
  return 0;
}
