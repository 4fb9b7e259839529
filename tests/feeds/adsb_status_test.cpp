// What an address announced of itself (feeds/adsb_status.hpp), decoded from
// real frames and checked against pyModeS 3's decoding of the same frames
// (../shared/data/adsb/oracles: pymodes_v3_test_literals.jsonl, and
// pymodes_v3_pipe_beastblackbox_ulss7.jsonl for the real ulss7 capture).
#include "feeds/adsb_status.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "decode/modes/decoder.hpp"

namespace skyfuse::feeds {
namespace {

std::vector<std::uint8_t> bytes(const std::string& hex) {
  std::vector<std::uint8_t> b;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    b.push_back(static_cast<std::uint8_t>(std::stoul(hex.substr(i, 2), nullptr, 16)));
  return b;
}

const decode::modes::AircraftState& heard(decode::modes::Decoder& d, const std::string& hex,
                                          std::uint32_t icao) {
  const auto b = bytes(hex);
  d.decode(b.data(), b.size(), Time::from_seconds(1522782150));
  return d.aircraft().at(icao);
}

TEST(AdsbStatus, TargetStateAndStatusAsPyModeSDecodesIt) {
  // pyModeS: selected_altitude 16992 (MCP/FCU), baro_pressure_setting 1012.8,
  // selected_heading 66.796875, nic_baro 1, sil 3, autopilot, vnav, lnav,
  // tcas_operational; altitude hold and approach off.
  decode::modes::Decoder d;
  const AdsbStatus q = announced_status(heard(d, "8DA05629EA21485CBF3F8CADAEEB", 0xA05629));
  EXPECT_EQ(q.nav_altitude_mcp_ft, 16992);
  EXPECT_FALSE(q.nav_altitude_fms_ft);
  ASSERT_TRUE(q.nav_qnh_hpa);
  EXPECT_NEAR(*q.nav_qnh_hpa, 1012.8, 1e-9);
  ASSERT_TRUE(q.nav_heading_deg);
  EXPECT_NEAR(*q.nav_heading_deg, 66.796875, 1e-9);
  EXPECT_EQ(q.nav_modes,
            AdsbStatus::kAutopilot | AdsbStatus::kVnav | AdsbStatus::kLnav | AdsbStatus::kTcas);
  EXPECT_EQ(q.sil, 3);
  EXPECT_EQ(q.nic_baro, 1);
  EXPECT_FALSE(q.version);  // no operational status heard
}

TEST(AdsbStatus, OperationalStatusOfTheRealCaptureAsPyModeSDecodesIt) {
  // ulss7, 400159: version 2, nac_p 9, sil 3, nic_baro 1, sil_supplement 0,
  // operational_mode 1536 (ME bits 30 and 31: single antenna, SDA 2).
  decode::modes::Decoder d;
  AdsbStatus q = announced_status(heard(d, "8D400159F82300060049B812CDB4", 0x400159));
  EXPECT_EQ(q.version, 2);
  EXPECT_EQ(q.sil, 3);
  EXPECT_EQ(q.sil_per_sample, false);
  EXPECT_EQ(q.nic_baro, 1);
  EXPECT_EQ(q.sda, 2);
  EXPECT_TRUE(q.gva);  // airborne, version 2
  // 71BE34: operational_mode 512 (SDA 2), nac_p 10.
  q = announced_status(heard(d, "8D71BE34F8230002004ABCA3FA11", 0x71BE34));
  EXPECT_EQ(q.version, 2);
  EXPECT_EQ(q.sda, 2);
  EXPECT_EQ(q.sil, 3);
}

}  // namespace
}  // namespace skyfuse::feeds
