// File: decode/asterix/generated/runtime.hpp
//
// The few helpers the generated typed ASTERIX decoders share: a bounds-checked
// MSB-first bit reader, sign extension and the ICAO 6-bit alphabet.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace skyfuse::decode::asterix::detail {

struct Fault {};

class Reader {
 public:
  Reader(const std::uint8_t* p, std::size_t n) : p_(p), n_bits_(n * 8) {}
  // Reads `bits` (<= 64) bits; throws Fault past the end.
  std::uint64_t take(int bits) {
    if (pos_ + static_cast<std::size_t>(bits) > n_bits_) throw Fault{};
    std::uint64_t v = 0;
    int left = bits;
    while (left > 0) {
      const std::size_t byte = pos_ >> 3;
      const int off = static_cast<int>(pos_ & 7);
      const int avail = 8 - off;
      const int take = left < avail ? left : avail;
      const std::uint32_t chunk = (p_[byte] >> (avail - take)) & ((1u << take) - 1);
      v = (v << take) | chunk;
      pos_ += static_cast<std::size_t>(take);
      left -= take;
    }
    return v;
  }
  std::size_t bytes_used() const { return (pos_ + 7) >> 3; }

 private:
  const std::uint8_t* p_;
  std::size_t n_bits_;
  std::size_t pos_ = 0;
};

inline std::int64_t sx(std::uint64_t v, int bits) {
  return bits < 64 && ((v >> (bits - 1)) & 1)
             ? static_cast<std::int64_t>(v) - (std::int64_t{1} << bits)
             : static_cast<std::int64_t>(v);
}

inline constexpr char kIcao[] = "#ABCDEFGHIJKLMNOPQRSTUVWXYZ##### ###############0123456789######";

}  // namespace skyfuse::decode::asterix::detail
