#include "feeds/adsb_status.hpp"

#include "core/quality.hpp"
#include "decode/modes/decoder.hpp"

namespace skyfuse::feeds {
namespace modes = decode::modes;

AdsbStatus announced_status(const modes::AircraftState& a) {
  AdsbStatus q;
  if (a.opstatus) {
    const modes::OperationalStatus& o = *a.opstatus;
    q.version = o.version;
    q.sil = o.sil;
    if (o.version >= 2) {
      q.sil_per_sample = o.sil_supplement != 0;
      q.sda = static_cast<std::uint8_t>((o.operational_mode >> 8) & 3);  // OM bits 31-32
    }
    if (o.subtype == 0) {  // airborne: NICbaro and GVA (version 2)
      q.nic_baro = o.nic_baro;
      if (o.version >= 2) q.gva = o.gva;
    }
  }
  if (a.velocity) q.nac_v = a.velocity->nacv;
  if (a.nic > 0) q.rc_m = nic_rc_m(a.nic);
  if (a.target_state) {
    const modes::TargetState& t = *a.target_state;
    if (t.selected_altitude_ft)
      (t.selected_altitude_from_fms ? q.nav_altitude_fms_ft : q.nav_altitude_mcp_ft) =
          t.selected_altitude_ft;
    q.nav_qnh_hpa = t.baro_setting_hpa;
    q.nav_heading_deg = t.selected_heading_deg;
    if (t.modes_valid) {
      std::uint8_t bits = 0;
      if (t.autopilot) bits |= AdsbStatus::kAutopilot;
      if (t.vnav) bits |= AdsbStatus::kVnav;
      if (t.altitude_hold) bits |= AdsbStatus::kAltitudeHold;
      if (t.approach) bits |= AdsbStatus::kApproach;
      if (t.lnav) bits |= AdsbStatus::kLnav;
      if (t.tcas_operational) bits |= AdsbStatus::kTcas;
      q.nav_modes = bits;
    }
    if (!q.sil) q.sil = t.sil;
    if (!q.nic_baro) q.nic_baro = t.nic_baro;
  }
  if (a.last40) {  // Comm-B selected vertical intention, where ADS-B did not say
    if (!q.nav_altitude_mcp_ft) q.nav_altitude_mcp_ft = a.last40->selected_altitude_mcp_ft;
    if (!q.nav_altitude_fms_ft) q.nav_altitude_fms_ft = a.last40->selected_altitude_fms_ft;
    if (!q.nav_qnh_hpa) q.nav_qnh_hpa = a.last40->baro_setting_hpa;
  }
  return q;
}

}  // namespace skyfuse::feeds
