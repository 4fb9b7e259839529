// Fuzz target: SBS-1 / BaseStation lines.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "decode/modes/framing.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace skyfuse::decode::modes;
  SbsParser sbs;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::int64_t offset = 0;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    sbs.line(text.substr(0, nl), offset, [](const SbsRecord& r) {
      if (r.lat_deg && (std::abs(*r.lat_deg) > 90 || !r.lon_deg)) __builtin_trap();
      if (r.icao > 0xFFFFFF) __builtin_trap();
    });
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
    offset += static_cast<std::int64_t>(nl + 1);
  }
  return 0;
}
