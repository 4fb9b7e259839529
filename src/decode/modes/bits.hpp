// File: decode/modes/bits.hpp (internal)
//
// Bit fields of a Mode S frame numbered as in the standards: bit 1 is the most
// significant bit of the first byte; bits(b, 33, 37) is the ADS-B type code.
// The buffer must be readable for 8 bytes past the field's first byte
// (Message::bytes is zero-padded to 24).
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>

namespace skyfuse::decode::modes::detail {

inline std::uint64_t bits(const std::uint8_t* b, int first, int last) {
  const int byte = (first - 1) >> 3;
  std::uint64_t w = 0;
  std::memcpy(&w, b + byte, 8);
  if constexpr (std::endian::native == std::endian::little)
    w = __builtin_bswap64(w);  // big-endian load
  const int shift = 64 - ((first - 1) & 7) - (last - first + 1);
  const int width = last - first + 1;
  return (w >> shift) & (width == 64 ? ~0ULL : ((1ULL << width) - 1));
}

inline std::uint32_t bits32(const std::uint8_t* b, int first, int last) {
  return static_cast<std::uint32_t>(bits(b, first, last));
}

// The 6-bit character set of identification fields (ES TC 1-4, BDS 2,0).
inline constexpr char kCharset[] =
    "#ABCDEFGHIJKLMNOPQRSTUVWXYZ##### ###############0123456789######";

// ME / MB field (frame bits 33-88) numbered 1-56.
inline std::uint32_t me(const std::uint8_t* b, int first, int last) {
  return bits32(b, first + 32, last + 32);
}

}  // namespace skyfuse::decode::modes::detail
