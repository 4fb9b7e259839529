// File: decode/asterix/generated/runtime.hpp
//
// The few helpers the generated typed ASTERIX decoders share: a bounds-checked
// octet cursor, the FSPEC, field extraction at compile-time bit offsets, sign
// extension and the ICAO 6-bit alphabet. Every ASTERIX item, sub-item, extent
// and repetition starts on an octet, so the decoders claim whole octets (one
// bounds check per part) and read the fields inside them with get<>.
#pragma once

#include <cstddef>
#include <cstdint>

namespace skyfuse::decode::asterix::detail {

struct Fault {};

class Cursor {
 public:
  Cursor(const std::uint8_t* p, std::size_t n) : p_(p), n_(n) {}
  // The next k octets; throws Fault past the end.
  const std::uint8_t* claim(std::size_t k) {
    if (k > n_ - pos_) throw Fault{};
    const std::uint8_t* q = p_ + pos_;
    pos_ += k;
    return q;
  }
  std::size_t bytes_used() const { return pos_; }

 private:
  const std::uint8_t* p_;
  std::size_t n_;
  std::size_t pos_ = 0;
};

// Bits [Off, Off + Bits) of the octets at q, MSB first (Bits <= 64).
template <int Off, int Bits>
inline std::uint64_t get(const std::uint8_t* q) {
  static_assert(Bits >= 1 && Bits <= 64);
  constexpr int first = Off / 8;
  constexpr int last = (Off + Bits - 1) / 8;
  if constexpr (last - first + 1 > 8) {
    // 9 octets (an unaligned 64-bit field): the top bits, then the last octet.
    return (get<Off, Bits - 8>(q) << 8) | get<Off + Bits - 8, 8>(q);
  } else {
    std::uint64_t v = 0;
    for (int i = first; i <= last; ++i) v = (v << 8) | q[i];
    constexpr int shift = 8 * (last + 1) - (Off + Bits);
    v >>= shift;
    if constexpr (Bits < 64) v &= (std::uint64_t{1} << Bits) - 1;
    return v;
  }
}

// The FSPEC: up to 16 octets of 7 presence bits and an FX bit.
class Fspec {
 public:
  void read(Cursor& r) {
    for (;;) {
      const std::uint8_t b = *r.claim(1);
      octets_[n_++] = b;
      if ((b & 1) == 0) break;
      if (n_ == kMax) throw Fault{};
    }
  }
  int frns() const { return 7 * n_; }
  // FRN counted from 0.
  bool has(int frn) const {
    const int o = frn / 7;
    return o < n_ && ((octets_[o] >> (7 - frn % 7)) & 1);
  }

 private:
  static constexpr int kMax = 16;
  std::uint8_t octets_[kMax]{};
  int n_ = 0;
};

inline std::int64_t sx(std::uint64_t v, int bits) {
  return bits < 64 && ((v >> (bits - 1)) & 1)
             ? static_cast<std::int64_t>(v) - (std::int64_t{1} << bits)
             : static_cast<std::int64_t>(v);
}

inline constexpr char kIcao[] = "#ABCDEFGHIJKLMNOPQRSTUVWXYZ##### ###############0123456789######";

}  // namespace skyfuse::decode::asterix::detail
