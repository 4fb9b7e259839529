// File: decode/modes/bits.hpp (internal)
//
// Bit fields of a Mode S frame numbered as in the standards: bit 1 is the most
// significant bit of the first byte; bits(b, 33, 37) is the ADS-B type code.
#pragma once

#include <cstdint>

namespace skyfuse::decode::modes::detail {

inline std::uint64_t bits(const std::uint8_t* b, int first, int last) {
  std::uint64_t v = 0;
  for (int i = first; i <= last; ++i)
    v = (v << 1) | ((b[(i - 1) >> 3] >> (7 - ((i - 1) & 7))) & 1u);
  return v;
}

inline std::uint32_t bits32(const std::uint8_t* b, int first, int last) {
  return static_cast<std::uint32_t>(bits(b, first, last));
}

// ME / MB field (frame bits 33-88) numbered 1-56.
inline std::uint32_t me(const std::uint8_t* b, int first, int last) {
  return bits32(b, first + 32, last + 32);
}

}  // namespace skyfuse::decode::modes::detail
