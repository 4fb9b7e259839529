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
#include <vector>

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
  std::uint8_t subtype = 0;  // 0 airborne, 1 surface
  std::uint8_t version = 0;
  std::uint8_t nacp = 0;
  std::uint8_t sil = 0;
  std::uint8_t nic_supplement_a = 0;
  std::uint8_t nic_baro = 0;
  std::uint16_t capability_class = 0;  // CC (airborne: 16 bits)
  std::uint16_t operational_mode = 0;  // OM
  std::uint8_t gva = 0;
  std::uint8_t hrd = 0;  // heading reference: 0 true north, 1 magnetic
  std::uint8_t sil_supplement = 0;
};

// Surveillance reply fields (DF0/4/5/16/20/21).
struct SurveillanceFields {
  std::uint8_t vs = 0;  // vertical status (DF0/16): 0 airborne, 1 on ground
  std::uint8_t cc = 0;  // cross-link capability (DF0)
  std::uint8_t sl = 0;  // sensitivity level (DF0/16)
  std::uint8_t ri = 0;  // reply information (DF0/16)
  std::uint8_t fs = 0;  // flight status (DF4/5/20/21)
  std::uint8_t dr = 0;  // downlink request
  std::uint8_t um = 0;  // utility message
};

// ADS-B airborne/surface position extras.
struct PositionExtras {
  std::uint8_t surveillance_status =
      0;                          // airborne: 0 none, 1 permanent alert, 2 temporary alert, 3 SPI
  std::uint8_t nic_b = 0;         // NIC supplement B
  std::uint8_t movement = 0;      // surface: raw movement code
  std::uint8_t track_status = 0;  // surface: ground track valid
};

struct TargetState {
  std::optional<int> selected_altitude_ft;
  bool selected_altitude_from_fms = false;  // source: MCP/FCU (false) or FMS (true)
  std::optional<double> baro_setting_hpa;
  std::optional<double> selected_heading_deg;
  std::uint8_t nacp = 0;
  std::uint8_t nic_baro = 0;
  std::uint8_t sil = 0;
  bool modes_valid = false;  // the autopilot/VNAV/... bits below were sent
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
  struct DataLink {
    bool config = false, overlay_command = false, level5 = false, specific_services = false;
    std::uint8_t subnetwork_version = 0, uplink_elm = 0, downlink_elm = 0, acas_rtca_version = 0;
    bool identification = false, squitter = false, surveillance_identifier = false, gicb = false;
    bool acas_hybrid = false, acas_ra = false;
    std::uint16_t dte_status = 0;
  };
  std::optional<DataLink> data_link;       // 1,0
  std::vector<std::string> supported_bds;  // 1,7
  bool by_heuristic = false;  // chosen among several fitting registers by a rule, not uniquely
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
  std::optional<SurveillanceFields> surveillance;
  std::optional<PositionExtras> position_extras;
  std::string mv_hex;  // DF16 MV field (ACAS coordination), as hex
  bool on_ground = false;
};

// Descriptions as open decoders print them.
const char* capability_text(std::uint8_t ca);
const char* flight_status_text(std::uint8_t fs);
// Wake vortex / emitter category of TC 1-4 (category = (tc - 1) * 8 + code).
const char* wake_vortex_text(std::uint8_t category);

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
