// File: decode/asterix/generated/runtime.hpp
//
// The few helpers the generated typed ASTERIX decoders share: a bounds-checked
// octet cursor, the FSPEC, field extraction at compile-time bit offsets, sign
// extension and the ICAO 6-bit alphabet. Every ASTERIX item, sub-item, extent
// and repetition starts on an octet, so the decoders claim whole octets (one
// bounds check per part) and read the fields inside them with get<>.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

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
    // The octets [first, last] as one big-endian number: one fixed-size load.
    constexpr int nb = last - first + 1;
    std::uint64_t v = 0;
    if constexpr (nb == 1) {
      v = q[first];
    } else if constexpr (std::endian::native == std::endian::little) {
      std::memcpy(&v, q + first, nb);
      v = __builtin_bswap64(v) >> (64 - 8 * nb);
    } else {
      for (int i = first; i <= last; ++i) v = (v << 8) | q[i];
    }
    constexpr int shift = 8 * (last + 1) - (Off + Bits);
    v >>= shift;
    if constexpr (Bits < 64) v &= (std::uint64_t{1} << Bits) - 1;
    return v;
  }
}

// The FSPEC: up to 16 octets of 7 presence bits and an FX bit, packed so
// that FRN f (counted from 0) is bit 7 * (f / 7) + 6 - f % 7: a constant shift
// when f is a constant.
class Fspec {
 public:
  void read(Cursor& r) {
    for (;;) {
      const std::uint8_t b = *r.claim(1);
      const int at = 7 * n_;
      const std::uint64_t bits = b >> 1;
      if (at < 64) {
        words_[0] |= bits << at;
        if (at > 57) words_[1] |= bits >> (64 - at);
      } else {
        words_[1] |= bits << (at - 64);
      }
      ++n_;
      if ((b & 1) == 0) break;
      if (n_ == kMax) throw Fault{};
    }
  }
  int frns() const { return 7 * n_; }
  bool has(int frn) const {
    const int bit = 7 * (frn / 7) + 6 - frn % 7;
    return (words_[bit / 64] >> (bit % 64)) & 1;
  }

 private:
  static constexpr int kMax = 16;
  std::uint64_t words_[2]{};
  int n_ = 0;
};

inline std::int64_t sx(std::uint64_t v, int bits) {
  return bits < 64 && ((v >> (bits - 1)) & 1)
             ? static_cast<std::int64_t>(v) - (std::int64_t{1} << bits)
             : static_cast<std::int64_t>(v);
}

inline constexpr char kIcao[] = "#ABCDEFGHIJKLMNOPQRSTUVWXYZ##### ###############0123456789######";

}  // namespace skyfuse::decode::asterix::detail
