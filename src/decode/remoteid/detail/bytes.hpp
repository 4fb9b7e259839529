// File: decode/remoteid/detail/bytes.hpp (internal)
//
// Little-endian field readers over byte spans whose bounds the caller has
// already checked (Remote ID, 802.11 and Bluetooth fields are little-endian).
#pragma once

#include <cstdint>

namespace skyfuse::decode::remoteid::detail {

inline std::uint16_t le16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>(p[0] | p[1] << 8);
}
inline std::uint32_t le32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
         static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}
inline std::int32_t le32s(const std::uint8_t* p) { return static_cast<std::int32_t>(le32(p)); }

}  // namespace skyfuse::decode::remoteid::detail
