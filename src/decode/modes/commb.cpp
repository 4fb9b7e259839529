#include "decode/modes/commb.hpp"

#include <cmath>

#include "decode/modes/bits.hpp"

namespace skyfuse::decode::modes {

using detail::kCharset;
using detail::me;

namespace {

// A status bit of 0 requires its value bits to be 0.
bool wrong_status(const std::uint8_t* f, int status, int first, int last) {
  return me(f, status, status) == 0 && me(f, first, last) != 0;
}

int signed_value(const std::uint8_t* f, int sign, int first, int last) {
  const int v = static_cast<int>(me(f, first, last));
  return me(f, sign, sign) ? v - (1 << (last - first + 1)) : v;
}

bool all_zero(const std::uint8_t* f) {
  for (int i = 4; i < 11; ++i)
    if (f[i]) return false;
  return true;
}
}  // namespace

std::optional<CommB> decode_bds10(const std::uint8_t* f) {
  if (me(f, 1, 8) != 0x10 || me(f, 10, 14) != 0) return std::nullopt;
  const bool overlay = me(f, 15, 15) != 0;
  const std::uint32_t version = me(f, 17, 23);
  if (overlay && version < 5) return std::nullopt;
  if (!overlay && version > 4) return std::nullopt;
  CommB c;
  c.bds = "1,0";
  c.acas_operational = me(f, 16, 16) != 0;
  CommB::DataLink d;
  d.config = me(f, 9, 9) != 0;
  d.overlay_command = overlay;
  d.subnetwork_version = static_cast<std::uint8_t>(version);
  d.level5 = me(f, 24, 24) != 0;
  d.specific_services = me(f, 25, 25) != 0;
  d.uplink_elm = static_cast<std::uint8_t>(me(f, 26, 28));
  d.downlink_elm = static_cast<std::uint8_t>(me(f, 29, 32));
  d.identification = me(f, 33, 33) != 0;
  d.squitter = me(f, 34, 34) != 0;
  d.surveillance_identifier = me(f, 35, 35) != 0;
  d.gicb = me(f, 36, 36) != 0;
  d.acas_hybrid = me(f, 37, 37) != 0;
  d.acas_ra = me(f, 38, 38) != 0;
  d.acas_rtca_version = static_cast<std::uint8_t>(me(f, 39, 40));
  d.dte_status = static_cast<std::uint16_t>(me(f, 41, 56));
  c.data_link = d;
  return c;
}

std::optional<CommB> decode_bds17(const std::uint8_t* f, std::vector<std::string>* supported) {
  static const char* kNames[24] = {"0,5", "0,6", "0,7", "0,8", "0,9", "0,A", "2,0", "2,1",
                                   "4,0", "4,1", "4,2", "4,3", "4,4", "4,5", "4,8", "5,0",
                                   "5,1", "5,2", "5,3", "5,4", "5,5", "5,6", "5,F", "6,0"};
  if (all_zero(f) || me(f, 29, 56) != 0 || me(f, 7, 7) == 0)
    return std::nullopt;  // 2,0 always supported
  CommB c;
  c.bds = "1,7";
  for (int i = 0; i < 24; ++i)
    if (me(f, i + 1, i + 1)) c.supported_bds.push_back(kNames[i]);
  if (supported) *supported = c.supported_bds;
  return c;
}

std::optional<CommB> decode_bds20(const std::uint8_t* f) {
  if (me(f, 1, 8) != 0x20) return std::nullopt;
  std::string cs;
  for (int i = 0; i < 8; ++i) {
    const char ch = kCharset[me(f, 9 + 6 * i, 14 + 6 * i)];
    if (ch == '#') return std::nullopt;
    cs += ch;
  }
  while (!cs.empty() && cs.back() == ' ') cs.pop_back();
  CommB c;
  c.bds = "2,0";
  c.callsign = cs;
  return c;
}

std::optional<CommB> decode_bds30(const std::uint8_t* f) {
  if (me(f, 1, 8) != 0x30) return std::nullopt;
  if (me(f, 29, 30) == 3) return std::nullopt;  // threat type 3 is invalid
  if (me(f, 9, 15) >= 48) return std::nullopt;  // ACAS III/IV RA bits unused
  CommB c;
  c.bds = "3,0";
  return c;
}

std::optional<CommB> decode_bds40(const std::uint8_t* f) {
  if (all_zero(f)) return std::nullopt;
  if (wrong_status(f, 1, 2, 13) || wrong_status(f, 14, 15, 26) || wrong_status(f, 27, 28, 39) ||
      wrong_status(f, 48, 49, 51) || wrong_status(f, 54, 55, 56))
    return std::nullopt;
  if (me(f, 40, 47) != 0 || me(f, 52, 53) != 0) return std::nullopt;
  CommB c;
  c.bds = "4,0";
  if (me(f, 1, 1)) c.selected_altitude_mcp_ft = static_cast<int>(me(f, 2, 13)) * 16;
  if (me(f, 14, 14)) c.selected_altitude_fms_ft = static_cast<int>(me(f, 15, 26)) * 16;
  if (me(f, 27, 27)) c.baro_setting_hpa = me(f, 28, 39) * 0.1 + 800.0;
  if (c.selected_altitude_mcp_ft && *c.selected_altitude_mcp_ft > 50000) return std::nullopt;
  if (c.selected_altitude_fms_ft && *c.selected_altitude_fms_ft > 50000) return std::nullopt;
  return c;
}

std::optional<CommB> decode_bds50(const std::uint8_t* f) {
  if (all_zero(f)) return std::nullopt;
  if (wrong_status(f, 1, 3, 11) || wrong_status(f, 12, 13, 23) || wrong_status(f, 24, 25, 34) ||
      wrong_status(f, 35, 36, 45) || wrong_status(f, 46, 47, 56))
    return std::nullopt;
  CommB c;
  c.bds = "5,0";
  if (me(f, 1, 1)) {
    c.roll_deg = signed_value(f, 2, 3, 11) * 45.0 / 256.0;
    if (std::abs(*c.roll_deg) > 50) return std::nullopt;
  }
  if (me(f, 12, 12)) {
    double trk = signed_value(f, 13, 14, 23) * 90.0 / 512.0;
    if (trk < 0) trk += 360.0;
    c.true_track_deg = trk;
  }
  if (me(f, 24, 24)) {
    c.groundspeed_kt = static_cast<int>(me(f, 25, 34)) * 2;
    if (*c.groundspeed_kt > 600) return std::nullopt;
  }
  if (me(f, 35, 35)) c.track_rate_dps = signed_value(f, 36, 37, 45) * 8.0 / 256.0;
  if (me(f, 46, 46)) {
    c.true_airspeed_kt = static_cast<int>(me(f, 47, 56)) * 2;
    if (*c.true_airspeed_kt > 600) return std::nullopt;
  }
  if (c.groundspeed_kt && c.true_airspeed_kt &&
      std::abs(*c.groundspeed_kt - *c.true_airspeed_kt) > 200)
    return std::nullopt;
  return c;
}

std::optional<CommB> decode_bds60(const std::uint8_t* f) {
  if (all_zero(f)) return std::nullopt;
  if (wrong_status(f, 1, 2, 12) || wrong_status(f, 13, 14, 23) || wrong_status(f, 24, 25, 34) ||
      wrong_status(f, 35, 36, 45) || wrong_status(f, 46, 47, 56))
    return std::nullopt;
  CommB c;
  c.bds = "6,0";
  if (me(f, 1, 1)) {
    double hdg = signed_value(f, 2, 3, 12) * 90.0 / 512.0;
    if (hdg < 0) hdg += 360.0;
    c.magnetic_heading_deg = hdg;
  }
  if (me(f, 13, 13)) {
    c.indicated_airspeed_kt = static_cast<int>(me(f, 14, 23));
    if (*c.indicated_airspeed_kt > 500) return std::nullopt;
  }
  if (me(f, 24, 24)) {
    c.mach = me(f, 25, 34) * 2.048 / 512.0;
    if (*c.mach > 1) return std::nullopt;
  }
  if (me(f, 35, 35)) {
    c.baro_vrate_fpm = signed_value(f, 36, 37, 45) * 32;
    if (std::abs(*c.baro_vrate_fpm) > 6000) return std::nullopt;
  }
  if (me(f, 46, 46)) {
    c.inertial_vrate_fpm = signed_value(f, 47, 48, 56) * 32;  // sign bit 47, value 48-56
    if (std::abs(*c.inertial_vrate_fpm) > 6000) return std::nullopt;
  }
  return c;
}

std::vector<std::string> commb_candidates(const std::uint8_t* f) {
  std::vector<std::string> out;
  if (decode_bds10(f)) out.push_back("1,0");
  if (decode_bds17(f, nullptr)) out.push_back("1,7");
  if (decode_bds20(f)) out.push_back("2,0");
  if (decode_bds30(f)) out.push_back("3,0");
  if (decode_bds40(f)) out.push_back("4,0");
  if (decode_bds50(f)) out.push_back("5,0");
  if (decode_bds60(f)) out.push_back("6,0");
  return out;
}

std::optional<CommB> infer_commb(const std::uint8_t* f) {
  // Registers with an identifying first byte win outright.
  if (auto c = decode_bds20(f)) return c;
  if (auto c = decode_bds10(f)) return c;
  if (auto c = decode_bds30(f)) return c;
  const auto c40 = decode_bds40(f), c50 = decode_bds50(f), c60 = decode_bds60(f),
             c17 = decode_bds17(f, nullptr);
  const int n = (c40 ? 1 : 0) + (c50 ? 1 : 0) + (c60 ? 1 : 0) + (c17 ? 1 : 0);
  if (n == 1) {
    if (c40) return c40;
    if (c50) return c50;
    if (c60) return c60;
    return c17;
  }
  if (n == 0) return std::nullopt;
  // 5,0 against 6,0: barometric and inertial vertical rates that disagree by
  // more than 2,000 ft/min cannot describe one aircraft, so 5,0 it is.
  if (n == 2 && c50 && c60 && c60->baro_vrate_fpm && c60->inertial_vrate_fpm &&
      std::abs(*c60->baro_vrate_fpm - *c60->inertial_vrate_fpm) > 2000) {
    CommB c = *c50;
    c.by_heuristic = true;
    return c;
  }
  CommB amb;  // ambiguous: bds empty
  return amb;
}

}  // namespace skyfuse::decode::modes
