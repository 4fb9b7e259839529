#include "decode/modes/decoder.hpp"

#include <cmath>

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

double epu_m(std::uint8_t nacp) {
  constexpr double kNm = 1852.0;
  static const double kTable[12] = {20 * kNm,  10 * kNm,  4 * kNm,    2 * kNm, 1 * kNm, 0.5 * kNm,
                                    0.3 * kNm, 0.1 * kNm, 0.05 * kNm, 30,      10,      3};
  return kTable[nacp <= 11 ? nacp : 0];
}

double rc_m(std::uint8_t nic) {
  constexpr double kNm = 1852.0;
  static const double kTable[12] = {40 * kNm,  20 * kNm,  8 * kNm,   4 * kNm, 2 * kNm, 1 * kNm,
                                    0.6 * kNm, 0.2 * kNm, 0.1 * kNm, 75,      25,      7.5};
  return kTable[nic <= 11 ? nic : 0];
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
      return d;
    }
  } else {
    ++stats_.crc_failures;  // length does not match the DF
    return d;
  }
  AircraftState& a = aircraft_[m.icao];
  a.icao = m.icao;
  a.last_seen = t;
  if (announced) a.clean = true;
  if (m.altitude_ft) a.altitude_ft = m.altitude_ft;
  if (m.gnss_altitude_ft) a.gnss_altitude_ft = m.gnss_altitude_ft;
  if (m.squawk) a.squawk = m.squawk;
  if (!m.callsign.empty()) {
    a.callsign = m.callsign;
    a.category = m.category;
  }
  if (m.velocity && m.tc == 19) a.velocity = m.velocity;
  if (m.opstatus) {
    a.version = m.opstatus->version;
    a.nacp = m.opstatus->nacp;
  }
  if (m.target_state && m.target_state->nacp) a.nacp = m.target_state->nacp;
  if (m.nic) a.nic = *m.nic;
  if (m.cpr && (m.df == 17 || m.df == 18)) update_position(a, d);
  return d;
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
  if (!p && a.position &&
      std::abs((t - a.position_time).seconds()) <= cfg_.local_reference_max_age_s) {
    p = cpr::local(fix, a.position->lat_deg, a.position->lon_deg);
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
  const double sigma = a.nacp ? epu_m(a.nacp) / 2.4477 : rc_m(a.nic) / 5.0;
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
  if (a.nacp) r.nacp = a.nacp;
  r.nic = a.nic;
  r.source_offset = d.offset;
  return r;
}

}  // namespace skyfuse::decode::modes
