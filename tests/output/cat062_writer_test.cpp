// Cat062Writer: its direct path must give exactly the bytes of the
// spec-driven encoder (whose CAT062 output Wireshark reads back in
// tracking.cat062_out) for every kind of track update: each status, identities
// present or absent, callsigns with characters outside the ICAO alphabet,
// values at and beyond their fields' limits, values that are not finite.
#include "output/cat062_writer.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace skyfuse::output {
namespace {

std::string specs() { return std::string(SKYFUSE_SOURCE_DIR) + "/specs/asterix"; }

TEST(Cat062Writer, DirectPathGivesTheSpecEncodersBytes) {
  std::vector<std::vector<std::uint8_t>> direct_blocks, spec_blocks;
  Cat062Writer direct([&](std::vector<std::uint8_t>&& b) { direct_blocks.push_back(b); }, specs(),
                      25, 7);
  Cat062Writer spec([&](std::vector<std::uint8_t>&& b) { spec_blocks.push_back(b); }, specs(), 25,
                    7);
  spec.use_spec_encoder_only();
  ASSERT_TRUE(direct.writes_directly());  // edition 1.18 has the layout it writes
  ASSERT_FALSE(spec.writes_directly());
  std::mt19937_64 rng(62);
  std::uniform_real_distribution<double> u(-1, 1);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::string chars = "ABCXYZ019 #-abc/_";
  for (int k = 0; k < 6000; ++k) {
    ObjectState s;
    s.time = Time{static_cast<std::int64_t>(1.7e18 + u(rng) * 4e14)};
    s.id = k % 11 == 0 ? "trk-" + std::to_string(k) : std::to_string(k % 300);
    s.position = {u(rng) * 90, u(rng) * 180, 5000 + u(rng) * 8000};
    s.velocity_enu_mps = {u(rng) * 300, u(rng) * 300, u(rng) * 30};
    switch (k % 13) {  // field limits and beyond
      case 1:
        s.velocity_enu_mps.x() = 1e5;
        break;  // clamped
      case 2:
        s.velocity_enu_mps.z() = 2000;
        break;  // rate clamped, then rounds past 16 bits
      case 3:
        s.position.alt_m = -5000;
        break;  // clamped
      case 4:
        s.position.lat_deg = nan;
        break;  // refused
      case 5:
        s.velocity_enu_mps.y() = -8192.1;
        break;  // clamped to the field's end
      case 6:
        s.position.lon_deg = 179.99999999;
        break;
      default:
        break;
    }
    const int st = static_cast<int>(rng() % 5);
    if (st < 4) s.status = static_cast<TrackStatus>(st);
    if (rng() % 2)
      s.identity.icao24 = static_cast<std::uint32_t>(rng() % 0x1100000);  // some > 24 bits
    if (rng() % 2) s.identity.mode3a = static_cast<std::uint16_t>(rng() % 0x10000);
    if (rng() % 2) {
      const std::size_t n = 1 + rng() % 10;
      for (std::size_t i = 0; i < n; ++i) s.identity.callsign += chars[rng() % chars.size()];
    }
    direct.add(s);
    spec.add(s);
  }
  direct.flush();
  spec.flush();
  EXPECT_EQ(direct.records(), spec.records());
  EXPECT_EQ(direct.errors(), spec.errors());
  EXPECT_GT(spec.records(), 4800);  // most updates encodable
  // and the refusals exercised: at least every NaN latitude (k % 13 == 4: 462
  // updates; before clang's UBSan found it, NaN was cast to an integer and
  // written as latitude 0)
  EXPECT_GE(spec.errors(), 462);
  ASSERT_EQ(direct_blocks.size(), spec_blocks.size());
  for (std::size_t i = 0; i < spec_blocks.size(); ++i)
    ASSERT_EQ(direct_blocks[i], spec_blocks[i]) << "block " << i;
}

}  // namespace
}  // namespace skyfuse::output
