// File: decode/modes/message.hpp
//
// One Mode S / ADS-B frame decoded to typed fields (ICAO Annex 10 Vol IV,
// DO-260B / ED-102A, ICAO Doc 9871). Stateless: CPR positions need pairs or a
// reference and are resolved by `Decoder` (decoder.hpp); Comm-B registers are
// inferred by commb.hpp. Units follow the names (ft, kt, deg, ft/min) because
// these are the units the protocol encodes; `Decoder` turns them into SI
// `Report`s.
//
//   auto m = modes::decode_frame(bytes, 14, {});
//   if (m.crc_ok && m.tc == 19) use(m.velocity);
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace skyfuse::decode::modes {

struct Velocity {
  std::uint8_t subtype = 0;     // 1, 2: ground speed; 3, 4: airspeed
  std::optional<double> gs_kt;  // subtypes 1, 2
  std::optional<double> track_deg;
  std::optional<double> airspeed_kt;  // subtypes 3, 4
  bool airspeed_is_tas = false;
  std::optional<double> heading_deg;  // subtypes 3, 4 (magnetic)
  std::optional<int> vrate_fpm;
  bool vrate_from_gnss = false;
  std::optional<int> geo_minus_baro_ft;
  std::uint8_t nacv = 0;
};

struct CprFix {
  bool odd = false;
  bool surface = false;
  std::uint32_t lat = 0;  // 17-bit encoded
  std::uint32_t lon = 0;
};

struct OperationalStatus {
  std::uint8_t version = 0;
  std::uint8_t nacp = 0;
  std::uint8_t sil = 0;
  std::uint8_t nic_supplement_a = 0;
  std::uint8_t nic_baro = 0;
};

struct TargetState {
  std::optional<int> selected_altitude_ft;
  bool selected_altitude_from_fms = false;
  std::optional<double> baro_setting_hpa;
  std::optional<double> selected_heading_deg;
  std::uint8_t nacp = 0;
  std::uint8_t sil = 0;
  bool autopilot = false, vnav = false, altitude_hold = false, approach = false, lnav = false;
  bool tcas_operational = false;
};

// Comm-B registers (BDS) as decoded from a DF20/21 MB field.
struct CommB {
  std::string bds;       // "1,0", "2,0", "3,0", "4,0", "5,0", "6,0"; empty if none fits
  std::string callsign;  // 2,0
  std::optional<int> selected_altitude_mcp_ft, selected_altitude_fms_ft;  // 4,0
  std::optional<double> baro_setting_hpa;
  std::optional<double> roll_deg, true_track_deg, track_rate_dps;  // 5,0
  std::optional<int> groundspeed_kt, true_airspeed_kt;
  std::optional<double> magnetic_heading_deg, mach;  // 6,0
  std::optional<int> indicated_airspeed_kt, baro_vrate_fpm, inertial_vrate_fpm;
  bool acas_operational = false;  // 1,0
  bool by_heuristic = false;      // chosen among several fitting registers by a rule, not uniquely
};

struct Message {
  std::array<std::uint8_t, 24> bytes{};  // the frame, zero-padded for 8-byte bit loads
  std::uint8_t n_bytes = 0;              // 7 or 14
  std::uint8_t df = 0;
  std::uint32_t icao = 0;  // announced (DF11/17/18) or recovered from the parity (AP)
  bool crc_ok = false;     // DF11/17/18: parity checks (after correction); AP: see address_known
  std::uint8_t corrected_bits = 0;
  std::uint32_t syndrome = 0;
  std::uint8_t ca = 0;  // capability (DF11/17), CF (DF18), FS (DF4/5/20/21)
  std::uint8_t tc = 0;  // ADS-B type code (DF17/18)
  std::uint8_t subtype = 0;

  std::optional<int> altitude_ft;  // barometric (AC field, or ES airborne position)
  std::optional<int> gnss_altitude_ft;
  std::optional<std::uint16_t> squawk;  // octal digits as an integer value: 7700 -> 07700
  std::string callsign;
  std::uint8_t category = 0;  // emitter category (TC 1-4: set * 8 + code)
  std::optional<CprFix> cpr;
  std::optional<std::uint8_t> nic;  // from the type code (with supplement where known)
  std::optional<Velocity> velocity;
  std::optional<std::uint8_t> emergency;  // TC28: emergency/priority state
  std::optional<OperationalStatus> opstatus;
  std::optional<TargetState> target_state;
  std::optional<CommB> commb;
  bool on_ground = false;
};

struct DecodeOptions {
  int max_corrected_bits = 1;  // DF11/17/18 error correction: 0, 1 or 2
};

// Decodes a 7- or 14-byte frame. Never fails: check crc_ok.
Message decode_frame(const std::uint8_t* bytes, std::size_t n_bytes, const DecodeOptions& opt);

// 13-bit altitude code (AC) -> feet; nullopt for "not available" or invalid Gillham.
std::optional<int> decode_ac13(std::uint32_t ac);
// 12-bit ES altitude (Q bit at 0x10) -> feet.
std::optional<int> decode_ac12(std::uint32_t ac);
// 13-bit identity code -> squawk as octal-valued integer (e.g. 0x0FC0 -> 07700).
std::uint16_t decode_id13(std::uint32_t id);

std::string to_hex(const std::uint8_t* bytes, std::size_t n);

}  // namespace skyfuse::decode::modes
