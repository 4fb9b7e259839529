// File: decode/modes/crc.hpp
//
// Mode S CRC-24 (generator 0x1FFF409, ICAO Annex 10 Vol IV 3.1.2.3.3) and
// error correction by syndrome look-up.
//
//   std::uint32_t s = modes::syndrome(bytes, 14);   // 0 for a clean DF17
//   auto fix = modes::correction_for(s, 112, /*max_bits=*/1);
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace skyfuse::decode::modes {

// CRC of the first `n_bytes - 3` bytes XORed with the last three (the parity
// field): 0 for a frame whose parity is plain CRC, the address for AP frames.
std::uint32_t syndrome(const std::uint8_t* bytes, std::size_t n_bytes);

// The bit positions (0 = first bit of the frame) whose flip explains a
// syndrome, for frames of `n_bits` (56 or 112), with at most `max_bits` flips
// (1 or 2), never touching the 5 DF bits. count = 0 when none does.
struct Correction {
  int count = 0;
  std::array<int, 2> bits{-1, -1};
};
Correction correction_for(std::uint32_t syndrome, int n_bits, int max_bits);

}  // namespace skyfuse::decode::modes
