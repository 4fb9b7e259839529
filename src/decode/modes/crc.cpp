#include "decode/modes/crc.hpp"

#include <algorithm>
#include <vector>

namespace skyfuse::decode::modes {

namespace {
constexpr std::uint32_t kGenerator = 0xFFF409;  // x^24 term implicit

constexpr std::array<std::uint32_t, 256> make_table() {
  std::array<std::uint32_t, 256> t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i << 16;
    for (int k = 0; k < 8; ++k) c = (c & 0x800000) ? ((c << 1) ^ kGenerator) : (c << 1);
    t[i] = c & 0xFFFFFF;
  }
  return t;
}
constexpr std::array<std::uint32_t, 256> kTable = make_table();

// Syndromes of single-bit errors, sorted for binary search, per frame length.
struct SyndromeIndex {
  std::vector<std::pair<std::uint32_t, std::array<int, 2>>> one, two;
};

std::uint32_t syndrome_of_bits(int n_bits, std::array<int, 2> bits) {
  std::uint8_t buf[14] = {0};
  for (int b : bits)
    if (b >= 0) buf[b / 8] ^= static_cast<std::uint8_t>(0x80 >> (b % 8));
  return syndrome(buf, static_cast<std::size_t>(n_bits / 8));
}

SyndromeIndex build(int n_bits) {
  SyndromeIndex idx;
  for (int i = 5; i < n_bits; ++i) idx.one.push_back({syndrome_of_bits(n_bits, {i, -1}), {i, -1}});
  for (int i = 5; i < n_bits; ++i)
    for (int j = i + 1; j < n_bits; ++j)
      idx.two.push_back({syndrome_of_bits(n_bits, {i, j}), {i, j}});
  auto by_syndrome = [](const auto& a, const auto& b) { return a.first < b.first; };
  std::sort(idx.one.begin(), idx.one.end(), by_syndrome);
  std::stable_sort(idx.two.begin(), idx.two.end(), by_syndrome);
  return idx;
}

const SyndromeIndex& index_for(int n_bits) {
  static const SyndromeIndex k56 = build(56);
  static const SyndromeIndex k112 = build(112);
  return n_bits == 56 ? k56 : k112;
}

const std::array<int, 2>* find_unique(
    const std::vector<std::pair<std::uint32_t, std::array<int, 2>>>& v, std::uint32_t s) {
  auto lo = std::lower_bound(v.begin(), v.end(), s,
                             [](const auto& e, std::uint32_t x) { return e.first < x; });
  if (lo == v.end() || lo->first != s) return nullptr;
  auto next = lo + 1;
  if (next != v.end() && next->first == s) return nullptr;  // ambiguous: do not guess
  return &lo->second;
}
}  // namespace

std::uint32_t syndrome(const std::uint8_t* bytes, std::size_t n_bytes) {
  std::uint32_t crc = 0;
  const std::size_t data = n_bytes - 3;
  for (std::size_t i = 0; i < data; ++i)
    crc = ((crc << 8) ^ kTable[((crc >> 16) ^ bytes[i]) & 0xFF]) & 0xFFFFFF;
  const std::uint32_t parity = (static_cast<std::uint32_t>(bytes[data]) << 16) |
                               (static_cast<std::uint32_t>(bytes[data + 1]) << 8) | bytes[data + 2];
  return crc ^ parity;
}

Correction correction_for(std::uint32_t s, int n_bits, int max_bits) {
  Correction c;
  if (s == 0 || (n_bits != 56 && n_bits != 112)) return c;
  const SyndromeIndex& idx = index_for(n_bits);
  if (const auto* b = find_unique(idx.one, s)) {
    c.count = 1;
    c.bits = *b;
    return c;
  }
  if (max_bits >= 2) {
    if (const auto* b = find_unique(idx.two, s)) {
      c.count = 2;
      c.bits = *b;
    }
  }
  return c;
}

}  // namespace skyfuse::decode::modes
