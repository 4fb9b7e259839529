#include "decode/modes/decoder.hpp"

#include <cmath>

#include "core/quality.hpp"
#include "decode/modes/commb.hpp"
#include "geo/wgs84.hpp"

namespace skyfuse::decode::modes {

namespace {
constexpr double kFt = 0.3048;
constexpr double kKt = 1852.0 / 3600.0;

double distance_m(const cpr::LatLon& a, const cpr::LatLon& b) {
  const Eigen::Vector3d pa = geo::geodetic_to_ecef({a.lat_deg, a.lon_deg, 0});
  const Eigen::Vector3d pb = geo::geodetic_to_ecef({b.lat_deg, b.lon_deg, 0});
  return (pa - pb).norm();
}

}  // namespace

Decoder::Decoder(DecoderConfig cfg) : cfg_(cfg) {
  opt_.max_corrected_bits = cfg.max_corrected_bits;
}

Decoded Decoder::decode(const RawFrame& frame, Time t) {
  if (frame.kind == RawFrame::Kind::kModeAC) {
    ++stats_.messages;
    ++stats_.mode_ac;
    Decoded d;
    d.time = t;
    d.offset = frame.offset;
    return d;
  }
  Decoded d = decode(frame.bytes.data(), frame.n_bytes, t);
  d.offset = frame.offset;
  return d;
}

Decoded Decoder::decode(const std::uint8_t* bytes, std::size_t n, Time t) {
  ++stats_.messages;
  Decoded d;
  d.time = t;
  d.msg = decode_frame(bytes, n, opt_);
  Message& m = d.msg;
  const bool announced = m.df == 11 || m.df == 17 || m.df == 18;
  if (announced) {
    if (!m.crc_ok) {
      ++stats_.crc_failures;
      return d;
    }
    if (m.corrected_bits) ++stats_.corrected;
    d.address_known = true;
  } else if ((m.df >= 16) == (m.n_bytes == 14)) {
    auto it = aircraft_.find(m.icao);
    d.address_known = it != aircraft_.end() && it->second.clean;
    if (!d.address_known) {
      ++stats_.unknown_address;
      // Still resolve Comm-B registers by continuity, on a separate history
      // keyed by the parity-derived address (noise gives random addresses
      // with no history, so it changes nothing).
      if (m.commb) {
        if ((stats_.unknown_address & 4095) == 0)
          std::erase_if(unverified_,
                        [&](const auto& kv) { return (t - kv.second.last_seen).seconds() > 300; });
        AircraftState& u = unverified_[m.icao];
        u.last_seen = t;
        resolve_commb(u, m);
      }
      return d;
    }
  } else {
    ++stats_.crc_failures;  // length does not match the DF
    return d;
  }
  // Forget aircraft not heard for 5 minutes (checked every 4096 messages), so
  // state stays bounded whatever the input.
  if ((stats_.messages & 4095) == 0)
    std::erase_if(aircraft_,
                  [&](const auto& kv) { return (t - kv.second.last_seen).seconds() > 300; });
  AircraftState& a = aircraft_[m.icao];
  a.icao = m.icao;
  a.last_seen = t;
  if (announced) a.clean = true;
  if (m.altitude_ft) a.altitude_ft = m.altitude_ft;
  if (m.gnss_altitude_ft) a.gnss_altitude_ft = m.gnss_altitude_ft;
  if (m.squawk) a.squawk = m.squawk;
  if (m.emergency) a.emergency = *m.emergency;
  if (!m.callsign.empty()) {
    a.callsign = m.callsign;
    a.category = m.category;
  }
  if (m.velocity && m.tc == 19) a.velocity = m.velocity;
  if (m.opstatus) {
    a.version = m.opstatus->version;
    a.nacp = m.opstatus->nacp;
    a.opstatus = m.opstatus;
  }
  if (m.target_state) {
    if (m.target_state->nacp) a.nacp = m.target_state->nacp;
    a.target_state = m.target_state;
  }
  if (m.nic) a.nic = *m.nic;
  if (m.cpr && (m.df == 17 || m.df == 18)) update_position(a, d);
  if (m.commb) resolve_commb(a, m);
  return d;
}

namespace {
double angle_diff_deg(double a, double b) { return std::abs(std::remainder(a - b, 360.0)); }
}  // namespace

// An ambiguous reply (or one chosen only by a rule) is settled by continuity
// with what this aircraft last reported: each fitting register either
// continues its history (same selected altitude for 4,0; ground speed and
// track near the last 5,0 or ADS-B velocity for 5,0; airspeed and heading near
// the last 6,0 for 6,0), contradicts it, or has none. One continuing register
// wins; otherwise the only one not contradicted, if any was.
void Decoder::resolve_commb(AircraftState& a, Message& m) {
  CommB& c = *m.commb;
  if (c.bds.empty() || c.by_heuristic) {
    const std::uint8_t* f = m.bytes.data();
    enum Fit { kNone, kFits, kContradicts };
    struct Cand {
      std::optional<CommB> reg;
      Fit fit = kNone;
    };
    Cand c40{decode_bds40(f)}, c50{decode_bds50(f)}, c60{decode_bds60(f)};
    if (c40.reg && a.last40) {
      const auto& x = *c40.reg;
      const auto& y = *a.last40;
      if (x.selected_altitude_mcp_ft && y.selected_altitude_mcp_ft)
        c40.fit = *x.selected_altitude_mcp_ft == *y.selected_altitude_mcp_ft ? kFits : kContradicts;
      else if (x.selected_altitude_fms_ft && y.selected_altitude_fms_ft)
        c40.fit = *x.selected_altitude_fms_ft == *y.selected_altitude_fms_ft ? kFits : kContradicts;
    }
    if (c50.reg && c50.reg->groundspeed_kt && c50.reg->true_track_deg) {
      std::optional<double> gs, trk;
      if (a.last50 && a.last50->groundspeed_kt && a.last50->true_track_deg) {
        gs = *a.last50->groundspeed_kt;
        trk = *a.last50->true_track_deg;
      } else if (a.velocity && a.velocity->gs_kt && a.velocity->track_deg) {
        gs = a.velocity->gs_kt;
        trk = a.velocity->track_deg;
      }
      if (gs)
        c50.fit = std::abs(*c50.reg->groundspeed_kt - *gs) <= 50 &&
                          angle_diff_deg(*c50.reg->true_track_deg, *trk) <= 30
                      ? kFits
                      : kContradicts;
    }
    if (c60.reg && a.last60 && c60.reg->indicated_airspeed_kt && a.last60->indicated_airspeed_kt &&
        c60.reg->magnetic_heading_deg && a.last60->magnetic_heading_deg) {
      c60.fit =
          std::abs(*c60.reg->indicated_airspeed_kt - *a.last60->indicated_airspeed_kt) <= 50 &&
                  angle_diff_deg(*c60.reg->magnetic_heading_deg, *a.last60->magnetic_heading_deg) <=
                      30
              ? kFits
              : kContradicts;
    }
    // Across registers: true airspeed (5,0) cannot be far below indicated (6,0).
    if (c50.reg && c50.reg->true_airspeed_kt && a.last60 && a.last60->indicated_airspeed_kt &&
        *c50.reg->true_airspeed_kt < *a.last60->indicated_airspeed_kt - 20)
      c50.fit = kContradicts;
    if (c60.reg && c60.reg->indicated_airspeed_kt && a.last50 && a.last50->true_airspeed_kt &&
        *c60.reg->indicated_airspeed_kt > *a.last50->true_airspeed_kt + 20 && c60.fit != kFits)
      c60.fit = kContradicts;
    Cand* all[3] = {&c40, &c50, &c60};
    Cand* fits = nullptr;
    Cand* open = nullptr;
    int n_fits = 0, n_open = 0, n_contra = 0;
    for (Cand* k : all) {
      if (!k->reg) continue;
      if (k->fit == kFits) fits = k, ++n_fits;
      if (k->fit != kContradicts) open = k, ++n_open;
      if (k->fit == kContradicts) ++n_contra;
    }
    const Cand* pick = n_fits == 1 ? fits : (n_open == 1 && n_contra > 0 ? open : nullptr);
    if (pick) {
      const bool changed = pick->reg->bds != c.bds;
      c = *pick->reg;
      if (changed) ++stats_.commb_resolved;
    } else {
      if (c.bds.empty()) ++stats_.commb_ambiguous;
      return;  // a rule's choice is reported but does not become history
    }
  }
  if (c.bds == "4,0") a.last40 = c;
  if (c.bds == "5,0") a.last50 = c;
  if (c.bds == "6,0") a.last60 = c;
}

bool Decoder::plausible(const AircraftState& a, const cpr::LatLon& p, Time t) const {
  if (cfg_.receiver) {
    const cpr::LatLon rx{cfg_.receiver->lat_deg, cfg_.receiver->lon_deg};
    if (distance_m(rx, p) > cfg_.max_range_m) return false;
  }
  if (a.position) {
    const double dt = std::abs((t - a.position_time).seconds());
    // Allowance: the speed limit over the elapsed time, plus 1 km of CPR and
    // timing slack.
    if (distance_m(*a.position, p) > cfg_.max_speed_kt * kKt * dt + 1000) return false;
  }
  return true;
}

void Decoder::update_position(AircraftState& a, Decoded& d) {
  const CprFix& fix = *d.msg.cpr;
  const Time t = d.time;
  ++(fix.surface ? stats_.cpr_surface : stats_.cpr_airborne);
  if (fix.odd) {
    a.odd = fix;
    a.odd_time = t;
  } else {
    a.even = fix;
    a.even_time = t;
  }
  if (fix.lat == 0 && fix.lon == 0 && !fix.surface && !d.msg.altitude_ft) return;  // empty position
  std::optional<cpr::LatLon> p;
  const double window = fix.surface ? cfg_.surface_pair_window_s : cfg_.airborne_pair_window_s;
  const bool pair = a.even && a.odd && a.even->surface == fix.surface &&
                    a.odd->surface == fix.surface &&
                    std::abs((a.even_time - a.odd_time).seconds()) <= window;
  bool global_failed = false;
  if (pair) {
    if (fix.surface) {
      const cpr::LatLon* ref = a.position ? &*a.position : nullptr;
      if (ref || cfg_.receiver) {
        const double rl = ref ? ref->lat_deg : cfg_.receiver->lat_deg;
        const double rn = ref ? ref->lon_deg : cfg_.receiver->lon_deg;
        p = cpr::global_surface(*a.even, *a.odd, fix.odd, rl, rn);
      }
    } else {
      p = cpr::global_airborne(*a.even, *a.odd, fix.odd);
    }
    global_failed = !p;
  }
  const bool global = p.has_value();
  if (!p && a.position &&
      std::abs((t - a.position_time).seconds()) <= cfg_.local_reference_max_age_s) {
    p = cpr::local(fix, a.position->lat_deg, a.position->lon_deg);
  } else if (!p && !a.position && cfg_.receiver && !fix.surface) {
    // Relative to the receiver: unambiguous within half a latitude zone
    // (about 333 km); accepted only well inside that.
    p = cpr::local(fix, cfg_.receiver->lat_deg, cfg_.receiver->lon_deg);
    if (p && distance_m({cfg_.receiver->lat_deg, cfg_.receiver->lon_deg}, *p) >
                 std::min(cfg_.max_range_m, 300e3))
      p.reset();
  }
  if (!p) {
    if (global_failed) {
      ++stats_.positions_rejected;
      d.position_rejected = true;
    }
    return;
  }
  if (!plausible(a, *p, t)) {
    ++stats_.positions_rejected;
    d.position_rejected = true;
    return;
  }
  a.position = p;
  a.position_time = t;
  d.position = p;
  ++stats_.positions;
  if (global) ++stats_.positions_global;
}

std::optional<Report> Decoder::to_report(const Decoded& d) const {
  if (!d.position) return std::nullopt;
  auto it = aircraft_.find(d.msg.icao);
  if (it == aircraft_.end()) return std::nullopt;
  const AircraftState& a = it->second;
  Report r;
  r.time = d.time;
  r.sensor = cfg_.sensor;
  r.sensor_kind = SensorKind::kAdsb;
  GeodeticMeasurement g;
  g.position = {d.position->lat_deg, d.position->lon_deg, 0};
  const double sigma = a.nacp ? nacp_epu_m(a.nacp) / 2.4477 : nic_rc_m(a.nic) / 5.0;
  g.covariance_enu = Eigen::Vector3d(sigma * sigma, sigma * sigma, 0).asDiagonal();
  if (a.gnss_altitude_ft && d.msg.tc >= 20 && d.msg.tc <= 22) {
    g.has_height = true;
    g.position.alt_m = *a.gnss_altitude_ft * kFt;
    g.covariance_enu(2, 2) = 4 * sigma * sigma;
  }
  r.measurement = g;
  if (a.altitude_ft) r.baro_alt_m = *a.altitude_ft * kFt;
  if (a.velocity && a.velocity->gs_kt && a.velocity->track_deg) {
    const double gs = *a.velocity->gs_kt * kKt, trk = *a.velocity->track_deg * M_PI / 180;
    const double vu = a.velocity->vrate_fpm ? *a.velocity->vrate_fpm * kFt / 60 : 0.0;
    r.velocity_enu_mps = Eigen::Vector3d(gs * std::sin(trk), gs * std::cos(trk), vu);
  }
  r.identity.icao24 = a.icao;
  r.identity.callsign = a.callsign;
  if (a.squawk) r.identity.mode3a = a.squawk;
  if (a.category) r.identity.emitter_category = a.category;
  r.emergency = a.emergency != 0;
  if (a.nacp) r.nacp = a.nacp;
  r.nic = a.nic;
  r.source_offset = d.offset;
  return r;
}

}  // namespace skyfuse::decode::modes
