#include "server/live_store.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <numbers>

#include "io/jsonl.hpp"

namespace skyfuse::server {

namespace {
constexpr double kFt = 0.3048;
constexpr double kKt = 1852.0 / 3600.0;
constexpr double kRad = 180.0 / std::numbers::pi;

using io::json_string;
double track_deg(const ObjectState& s) {
  double d = std::atan2(s.velocity_enu_mps.x(), s.velocity_enu_mps.y()) * kRad;
  return d < 0 ? d + 360 : d;
}
double ground_speed(const ObjectState& s) { return s.velocity_enu_mps.head<2>().norm(); }
// ADS-B emitter category: decoded as (type code - 1) * 8 + code; the sets
// are lettered from type code 4 down (DO-260B 2.2.3.2.5.2: set A = TC 4,
// B = TC 3, C = TC 2, D = TC 1), so an airliner (TC 4, code 5) is "A5".
std::string category(std::uint8_t c) {
  return fmt::format("{}{}", static_cast<char>('D' - (c / 8) % 4), c % 8);
}
// How long a pressure altitude, baro rate or signal level stays current
// without a newer one (readsb drops such data after about a minute).
constexpr double kStale_s = 60;
const AircraftInfo* info_for(const std::map<std::uint32_t, AircraftInfo>& m, const ObjectState& s) {
  if (!s.identity.icao24) return nullptr;
  auto it = m.find(*s.identity.icao24);
  return it == m.end() ? nullptr : &it->second;
}
// Great-circle distance on the mean sphere (IUGG R1 = 6,371,008.8 m), as
// readsb's max_distance: metres.
double great_circle_m(double lat1_deg, double lon1_deg, double lat2_deg, double lon2_deg) {
  constexpr double kR = 6371008.8;
  const double p1 = lat1_deg / kRad, p2 = lat2_deg / kRad;
  const double dp = p2 - p1, dl = (lon2_deg - lon1_deg) / kRad;
  const double a = std::sin(dp / 2) * std::sin(dp / 2) +
                   std::cos(p1) * std::cos(p2) * std::sin(dl / 2) * std::sin(dl / 2);
  return 2 * kR * std::asin(std::min(1.0, std::sqrt(a)));
}
// readsb's version, integrity and intent keys of one aircraft (README-json.md).
std::string status_json(const AdsbStatus& q) {
  std::string o;
  if (q.rc_m) o += fmt::format(",\"rc\":{:.0f}", *q.rc_m);
  if (q.version) o += fmt::format(",\"version\":{}", *q.version);
  if (q.nic_baro) o += fmt::format(",\"nic_baro\":{}", *q.nic_baro);
  if (q.nac_v) o += fmt::format(",\"nac_v\":{}", *q.nac_v);
  if (q.sil) {
    o += fmt::format(",\"sil\":{},\"sil_type\":\"{}\"", *q.sil,
                     !q.sil_per_sample   ? "unknown"
                     : *q.sil_per_sample ? "persample"
                                         : "perhour");
  }
  if (q.gva) o += fmt::format(",\"gva\":{}", *q.gva);
  if (q.sda) o += fmt::format(",\"sda\":{}", *q.sda);
  if (q.nav_qnh_hpa) o += fmt::format(",\"nav_qnh\":{:.1f}", *q.nav_qnh_hpa);
  if (q.nav_altitude_mcp_ft) o += fmt::format(",\"nav_altitude_mcp\":{}", *q.nav_altitude_mcp_ft);
  if (q.nav_altitude_fms_ft) o += fmt::format(",\"nav_altitude_fms\":{}", *q.nav_altitude_fms_ft);
  if (q.nav_heading_deg) o += fmt::format(",\"nav_heading\":{:.1f}", *q.nav_heading_deg);
  if (q.nav_modes) {
    static constexpr std::pair<std::uint8_t, const char*> kModes[] = {
        {AdsbStatus::kAutopilot, "autopilot"},
        {AdsbStatus::kVnav, "vnav"},
        {AdsbStatus::kAltitudeHold, "althold"},
        {AdsbStatus::kApproach, "approach"},
        {AdsbStatus::kLnav, "lnav"},
        {AdsbStatus::kTcas, "tcas"}};
    std::string list;
    for (const auto& [bit, name] : kModes)
      if (*q.nav_modes & bit) list += fmt::format("{}\"{}\"", list.empty() ? "" : ",", name);
    o += ",\"nav_modes\":[" + list + "]";
  }
  return o;
}
// aircraft.json's "hex": the 24-bit address, or for a track without one "~"
// and its track number (not an ICAO address).
std::string aircraft_hex(const ObjectState& s) {
  if (s.identity.icao24) return fmt::format("{:06x}", *s.identity.icao24);
  std::uint64_t n = 0;  // the id's digits (wrapping: never throws)
  for (const char c : s.id)
    if (c >= '0' && c <= '9') n = n * 10 + static_cast<std::uint64_t>(c - '0');
  return fmt::format("~{:06x}", n & 0xffffff);
}
const char* aircraft_type(const ObjectState& s, const AircraftInfo* info) {
  return !s.identity.icao24 ? "other" : info && info->adsb ? "adsb_icao" : "mode_s";
}
bool fresh(Time now, Time t) { return t.ns != 0 && (now - t).seconds() <= kStale_s; }
std::optional<double> flight_level(const AircraftInfo* a, Time now) {
  if (!a || !a->pressure_alt_m || !fresh(now, a->pressure_alt_time)) return std::nullopt;
  return *a->pressure_alt_m / kFt / 100;
}
}  // namespace

void AircraftInfo::note(const Report& r) {
  last_seen = std::max(last_seen, r.time);
  if (r.baro_alt_m) {
    pressure_alt_m = r.baro_alt_m;
    pressure_alt_time = r.time;
  }
  if (r.sensor_kind == SensorKind::kAdsb) {
    adsb = true;
    if (r.nic) nic = r.nic;
    if (r.nacp) nacp = r.nacp;
  }
  if (!r.mode_s) {
    ++messages;
    return;
  }
  messages += std::max<std::uint32_t>(1, r.mode_s->frames);
  on_ground = r.mode_s->on_ground;
  if (status.merge(r.mode_s->status)) status_time = r.time;
  if (r.mode_s->baro_rate_mps) {
    baro_rate_mps = r.mode_s->baro_rate_mps;
    baro_rate_time = r.time;
  }
  if (r.mode_s->signal_dbfs) {
    rssi_dbfs = r.mode_s->signal_dbfs;
    rssi_time = r.time;
  }
}

LiveStore::LiveStore(StoreInfo info) : info_(std::move(info)), traces_(info_.traces) {
  picture_ = R"({"type":"picture","time":0,"tracks":[]})";
}

void LiveStore::apply(std::span<const ObjectState> updates) {
  std::lock_guard lock(mu_);
  for (const ObjectState& s : updates) {
    if (s.status && *s.status == TrackStatus::kDeleted) {
      tracks_.erase(s.id);
      continue;
    }
    Entry& e = tracks_[s.id];
    e.state = s;
    ++e.updates;
    e.history.push_back(
        {s.time.seconds(), s.position.lat_deg, s.position.lon_deg, s.position.alt_m});
    while (e.history.size() > info_.history_points) e.history.pop_front();
    note_trace_locked(s);
  }
}

// The track's state as a readsb trace point of aircraft.json's "hex"; the
// Mode S details (pressure altitude, baro rate) are the last publication's.
void LiveStore::note_trace_locked(const ObjectState& s) {
  const AircraftInfo* info = info_for(last_.aircraft, s);
  TracePoint p;
  p.time_s = s.time.seconds();
  p.lat_deg = s.position.lat_deg;
  p.lon_deg = s.position.lon_deg;
  p.on_ground = info && info->on_ground && fresh(s.time, info->last_seen);
  if (auto fl = flight_level(info, s.time)) p.baro_alt_ft = *fl * 100;
  p.geom_alt_ft = s.position.alt_m / kFt;
  p.gs_kt = ground_speed(s) / kKt;
  p.track_deg = track_deg(s);
  if (info && info->baro_rate_mps && fresh(s.time, info->baro_rate_time))
    p.baro_rate_fpm = *info->baro_rate_mps / kFt * 60;
  p.geom_rate_fpm = s.velocity_enu_mps.z() / kFt * 60;
  p.type = aircraft_type(s, info);
  p.details = fmt::format("{{\"type\":\"{}\"", p.type);
  if (!s.identity.callsign.empty())
    p.details += ",\"flight\":" + json_string(fmt::format("{:<8}", s.identity.callsign));
  if (s.identity.mode3a) p.details += fmt::format(",\"squawk\":\"{:04o}\"", *s.identity.mode3a);
  if (s.identity.emitter_category)
    p.details += ",\"category\":\"" + category(*s.identity.emitter_category) + "\"";
  p.details += '}';
  traces_.note(aircraft_hex(s), p);
}

std::optional<std::string> LiveStore::trace_json(std::string_view hex, bool full) const {
  std::lock_guard lock(mu_);
  return traces_.json(hex, full);
}

void LiveStore::clear() {
  std::lock_guard lock(mu_);
  ++publications_;
  tracks_.clear();
  alert_log_.clear();
  aircraft_history_.clear();
  aircraft_history_bytes_ = 0;
  next_history_.reset();
  traces_.clear();
  stats_marks_.clear();
  minute_max_distance_m_ = total_max_distance_m_ = 0;
}

void LiveStore::set_zones(std::string geojson) {
  std::lock_guard lock(mu_);
  info_.zones_geojson = std::move(geojson);
}

void LiveStore::set_time_range(Time first, Time last) {
  std::lock_guard lock(mu_);
  first_time_ = first;
  last_time_ = last;
}

void LiveStore::set_speed(double speed) {
  std::lock_guard lock(mu_);
  last_.speed = speed;
}

const AircraftRecord* LiveStore::registered(const ObjectState& s) const {
  return info_.aircraft_db && s.identity.icao24 ? info_.aircraft_db->find(*s.identity.icao24)
                                                : nullptr;
}

std::string LiveStore::track_compact(const ObjectState& s, const TrackExtra& x,
                                     std::optional<double> fl) const {
  std::string o = fmt::format(
      "{{\"id\":{},\"t\":{},\"lat\":{:.6f},\"lon\":{:.6f},\"alt\":{:.0f},\"gs\":{:.1f},"
      "\"trk\":{:.1f},\"vr\":{:.1f},\"cls\":\"{}\",\"st\":\"{}\"",
      json_string(s.id), format_time(s.time), s.position.lat_deg, s.position.lon_deg,
      s.position.alt_m, ground_speed(s), track_deg(s), s.velocity_enu_mps.z(),
      to_string(s.target_class), s.status ? to_string(*s.status) : "confirmed");
  if (s.identity.icao24) o += fmt::format(",\"hex\":\"{:06x}\"", *s.identity.icao24);
  if (s.identity.mode3a) o += fmt::format(",\"sq\":\"{:04o}\"", *s.identity.mode3a);
  if (!s.identity.callsign.empty()) o += ",\"cs\":" + json_string(s.identity.callsign);
  if (const AircraftRecord* r = registered(s)) {
    if (!r->registration.empty()) o += ",\"reg\":" + json_string(r->registration);
    if (!r->type.empty()) o += ",\"typ\":" + json_string(r->type);
  }
  if (!s.identity.remote_id.empty()) o += ",\"rid\":" + json_string(s.identity.remote_id);
  if (s.emergency) o += ",\"em\":true";
  if (s.operator_position)  // Remote ID: where its operator is, [lat, lon]
    o += fmt::format(",\"op\":[{:.7f},{:.7f}]", s.operator_position->lat_deg,
                     s.operator_position->lon_deg);
  if (s.spoof_suspect()) {  // Remote ID spoofing suspected: reasons and confidence
    o += ",\"spoof\":[";
    bool first = true;
    for (std::size_t k = 0; k < kSpoofReasonCount; ++k) {
      const auto r = static_cast<SpoofReason>(k);
      if ((s.spoof_reasons & spoof_bit(r)) == 0) continue;
      o += first ? "\"" : ",\"";
      o += to_string(r);
      o += '"';
      first = false;
    }
    o += fmt::format("],\"spoof_conf\":{:.2f}", s.spoof_confidence);
  }
  if (fl) o += fmt::format(",\"fl\":{:.2f}", *fl);
  o += fmt::format(
      ",\"conf\":{:.2f},\"modes\":[{:.3f},{:.3f},{:.3f}],\"sx\":{:.1f},\"sy\":{:.1f},\"rho\":{:.3f}"
      ",\"sen\":[",
      x.class_confidence, x.mode_probability[0], x.mode_probability[1], x.mode_probability[2],
      x.sigma_east_m, x.sigma_north_m, x.corr_en);
  for (std::size_t i = 0; i < x.sensors.size(); ++i)
    o += fmt::format("{}{}", i ? "," : "", x.sensors[i]);
  o += "]}";
  return o;
}

// The store's lock is held only to merge the publication and copy the
// tracks' current states; the JSON is formatted outside it, so track updates
// (apply()) and API reads wait milliseconds, not the formatting.
std::string LiveStore::publish(Publication p) {
  std::vector<std::pair<ObjectState, TrackExtra>> snapshot;
  Time first, last;
  std::optional<Time> previous;  // the last publication's time (none at a start)
  std::vector<GeodeticPosition> sites;
  {
    std::lock_guard lock(mu_);
    for (auto& [id, extra] : p.extras) {
      auto it = tracks_.find(id);
      if (it != tracks_.end()) it->second.extra = std::move(extra);
    }
    p.extras.clear();
    for (const auto& ev : p.alert_events) {
      alert_log_.push_back(ev);
      while (alert_log_.size() > info_.alert_log) alert_log_.pop_front();
    }
    snapshot.reserve(tracks_.size());
    for (const auto& [id, e] : tracks_) snapshot.emplace_back(e.state, e.extra);
    first = first_time_;
    last = last_time_;
    if (!stats_marks_.empty()) previous = last_.now;
    for (const Sensor& sensor : info_.sensors) sites.push_back(sensor.site);
  }
  // Each track updated since the last publication: its distance from the
  // nearest of the sensors with a site that saw it (stats.json's max_distance).
  std::vector<double> distances_m;
  for (const auto& [s, x] : snapshot) {
    if (previous && s.time <= *previous) continue;
    double d = -1;
    for (const SensorId sid : x.sensors) {
      if (sid < 1 || sid > sites.size()) continue;
      const GeodeticPosition& site = sites[sid - 1];
      if (site.lat_deg == 0 && site.lon_deg == 0) continue;  // no site configured
      const double r =
          great_circle_m(site.lat_deg, site.lon_deg, s.position.lat_deg, s.position.lon_deg);
      d = d < 0 ? r : std::min(d, r);
    }
    if (d >= 0) distances_m.push_back(d);
  }
  std::string tracks;
  tracks.reserve(snapshot.size() * 260);
  for (std::size_t i = 0; i < snapshot.size(); ++i) {
    if (i) tracks += ',';
    tracks += track_compact(snapshot[i].first, snapshot[i].second,
                            flight_level(info_for(p.aircraft, snapshot[i].first), p.now));
  }
  std::string alerts;
  for (std::size_t i = 0; i < p.active_alerts.size(); ++i)
    alerts += (i ? "," : "") + safety::to_json(p.active_alerts[i]);
  std::string picture = fmt::format(
      "{{\"type\":\"picture\",\"time\":{},\"mode\":\"{}\",\"speed\":{},\"first\":{},\"last\":{},"
      "\"tracks\":[{}],\"alerts\":[{}]}}",
      format_time(p.now), p.mode, p.speed, format_time(first), format_time(last), tracks, alerts);
  std::lock_guard lock(mu_);
  ++publications_;
  picture_ = picture;
  last_ = std::move(p);
  note_stats_locked(distances_m);
  traces_.expire(last_.now.seconds());
  if (info_.aircraft_history > 0 && (!next_history_ || last_.now >= *next_history_)) {
    aircraft_history_.push_back(aircraft_json_locked());
    aircraft_history_bytes_ += aircraft_history_.back().size();
    while (aircraft_history_.size() > info_.aircraft_history ||
           (aircraft_history_.size() > 1 &&
            aircraft_history_bytes_ > info_.aircraft_history_max_bytes)) {
      aircraft_history_bytes_ -= aircraft_history_.front().size();
      aircraft_history_.pop_front();
    }
    next_history_ = last_.now + Duration::from_seconds(info_.aircraft_history_interval_s);
  }
  return picture;
}

std::string LiveStore::picture_json() const {
  std::lock_guard lock(mu_);
  return picture_;
}

std::optional<std::string> LiveStore::track_json(const std::string& id) const {
  std::lock_guard lock(mu_);
  auto it = tracks_.find(id);
  if (it == tracks_.end()) return std::nullopt;
  const Entry& e = it->second;
  std::string o =
      track_compact(e.state, e.extra, flight_level(info_for(last_.aircraft, e.state), last_.now));
  o.pop_back();  // reopen the object
  o += ",\"sensor_names\":[";
  for (std::size_t i = 0; i < e.extra.sensors.size(); ++i) {
    const SensorId sid = e.extra.sensors[i];
    const std::string name =
        sid >= 1 && sid <= info_.sensors.size() ? info_.sensors[sid - 1].name : std::to_string(sid);
    o += (i ? "," : "") + json_string(name);
  }
  o += fmt::format("],\"first_update\":{},\"last_update\":{},\"updates\":{},\"history\":[",
                   format_time(e.extra.first_update), format_time(e.extra.last_update), e.updates);
  for (std::size_t i = 0; i < e.history.size(); ++i) {
    const auto& h = e.history[i];
    o += fmt::format("{}[{:.3f},{:.6f},{:.6f},{:.0f}]", i ? "," : "", h[0], h[1], h[2], h[3]);
  }
  o += "]}";
  return o;
}

std::string LiveStore::sensors_json() const {
  std::lock_guard lock(mu_);
  std::string o = "{\"sensors\":[";
  for (std::size_t i = 0; i < last_.sensors.size(); ++i) {
    const SensorHealth& s = last_.sensors[i];
    o += fmt::format(
        "{}{{\"id\":{},\"name\":{},\"kind\":\"{}\",\"input\":{},\"sac\":{},\"sic\":{},"
        "\"lat\":{:.6f},\"lon\":{:.6f},\"alt\":{:.1f},\"max_range_m\":{:.0f},\"state\":\"{}\","
        "\"packets\":{},\"bytes\":{},\"reports\":{},\"errors\":{},\"drops\":{},"
        "\"kernel_drops\":{},\"time_rejected\":{},\"last_data\":{}",
        i ? "," : "", i + 1, json_string(s.name), s.kind, json_string(s.input), s.sac, s.sic,
        s.site.lat_deg, s.site.lon_deg, s.site.alt_m, s.max_range_m, s.state, s.packets, s.bytes,
        s.reports, s.errors, s.drops, s.kernel_drops, s.time_rejected, format_time(s.last_data));
    if (!s.last_error.empty()) o += ",\"last_error\":" + json_string(s.last_error);
    if (!s.counters.empty()) {
      o += ",\"counters\":{";
      for (std::size_t k = 0; k < s.counters.size(); ++k)
        o += fmt::format("{}{}:{}", k ? "," : "", json_string(s.counters[k].first),
                         s.counters[k].second);
      o += '}';
    }
    if (const auto& r = s.registration)
      o += fmt::format(
          ",\"registration\":{{\"range_bias_m\":{:.3f},\"range_gain_ppm\":{:.2f},"
          "\"azimuth_bias_deg\":{:.5f},\"time_offset_s\":{:.4f},\"sigma_range_m\":{:.3f},"
          "\"sigma_gain_ppm\":{:.2f},\"sigma_azimuth_deg\":{:.5f},\"sigma_time_s\":{:.4f},"
          "\"chi2_dof\":{:.3f},\"model_fits\":{},\"samples\":{}}}",
          r->range_m, r->gain_ppm, r->azimuth_deg, r->time_s, r->sigma_range_m, r->sigma_gain_ppm,
          r->sigma_azimuth_deg, r->sigma_time_s, r->chi2_dof, r->model_fits, r->samples);
    o += '}';
  }
  o += "]}";
  return o;
}

std::string LiveStore::alerts_json() const {
  std::lock_guard lock(mu_);
  std::string o = "{\"active\":[";
  for (std::size_t i = 0; i < last_.active_alerts.size(); ++i)
    o += (i ? "," : "") + safety::to_json(last_.active_alerts[i]);
  o += "],\"events\":[";
  for (std::size_t i = 0; i < alert_log_.size(); ++i)
    o += (i ? "," : "") + safety::to_json(alert_log_[i]);
  o += "]}";
  return o;
}

void LiveStore::set_counter_source(CounterSource source) {
  std::lock_guard lock(source_mu_);
  source_ = std::move(source);
}

std::vector<Counter> LiveStore::external_counters() const {
  CounterSource source;
  {
    std::lock_guard lock(source_mu_);
    source = source_;
  }
  return source ? source() : std::vector<Counter>{};
}

std::string LiveStore::stats_json() const {
  const std::vector<Counter> external = external_counters();
  std::lock_guard lock(mu_);
  nlohmann::json j = nlohmann::json::object();
  j["time"] = last_.now.seconds();
  j["tracks"] = tracks_.size();
  auto add = [&j](const Counter& c) {
    if (c.values.size() == 1 && c.values[0].first.empty()) {
      j[c.name] = c.values[0].second;
    } else {
      nlohmann::json m = nlohmann::json::object();
      for (const auto& [l, v] : c.values) m[l] = v;
      j[c.name] = m;
    }
    if (c.type == "summary") {
      j[c.name + "_sum"] = c.sum;
      j[c.name + "_count"] = c.count;
    }
  };
  for (const Counter& c : last_.counters) add(c);
  for (const Counter& c : external) add(c);
  return j.dump();
}

std::string LiveStore::zones_json() const {
  std::lock_guard lock(mu_);
  return info_.zones_geojson;
}

std::shared_ptr<const std::string> LiveStore::aircraft_json_shared() const {
  std::lock_guard lock(mu_);
  if (!aircraft_ || aircraft_of_ != publications_) {
    aircraft_ = std::make_shared<const std::string>(aircraft_json_locked());
    aircraft_of_ = publications_;
  }
  return aircraft_;
}

std::optional<std::string> LiveStore::aircraft_history_json(std::size_t n) const {
  std::lock_guard lock(mu_);
  if (n >= aircraft_history_.size()) return std::nullopt;
  return aircraft_history_[n];
}

std::string LiveStore::aircraft_json_locked() const {
  // readsb's README-json.md, field by field (docs/api.md says where each
  // value comes from): feet, knots, ft/min, dBFS; a field skyfuse does not
  // know is left out, as readsb does.
  const Time now = last_.now;
  std::string o =
      fmt::format("{{\"now\":{:.1f},\"messages\":{},\"aircraft\":[", now.seconds(), last_.messages);
  bool first = true;
  for (const auto& [id, e] : tracks_) {
    const ObjectState& s = e.state;
    const AircraftInfo* info = info_for(last_.aircraft, s);
    const std::string hex = aircraft_hex(s);
    const char* type = aircraft_type(s, info);
    const double seen_pos = std::max(0.0, (now - s.time).seconds());
    const double seen =
        info ? std::max(0.0, (now - std::max(info->last_seen, s.time)).seconds()) : seen_pos;
    std::string a = fmt::format("{{\"hex\":\"{}\",\"type\":\"{}\"", hex, type);
    if (!s.identity.callsign.empty())
      a += ",\"flight\":" + json_string(fmt::format("{:<8}", s.identity.callsign));
    if (const AircraftRecord* r = registered(s)) {  // readsb's database fields
      if (!r->registration.empty()) a += ",\"r\":" + json_string(r->registration);
      if (!r->type.empty()) a += ",\"t\":" + json_string(r->type);
      if (!r->description.empty()) a += ",\"desc\":" + json_string(r->description);
      if (!r->owner_operator.empty()) a += ",\"ownOp\":" + json_string(r->owner_operator);
      if (!r->year.empty()) a += ",\"year\":" + json_string(r->year);
      if (r->flags) a += fmt::format(",\"dbFlags\":{}", r->flags);
    }
    if (info && info->on_ground && fresh(now, info->last_seen)) {
      a += ",\"alt_baro\":\"ground\"";
    } else if (auto fl = flight_level(info, now)) {
      a += fmt::format(",\"alt_baro\":{:.0f}", *fl * 100);
    }
    a += fmt::format(",\"alt_geom\":{:.0f},\"gs\":{:.1f},\"track\":{:.1f}", s.position.alt_m / kFt,
                     ground_speed(s) / kKt, track_deg(s));
    if (info && info->baro_rate_mps && fresh(now, info->baro_rate_time))
      a += fmt::format(",\"baro_rate\":{:.0f}", *info->baro_rate_mps / kFt * 60);
    a += fmt::format(",\"geom_rate\":{:.0f}", s.velocity_enu_mps.z() / kFt * 60);
    if (s.identity.mode3a) a += fmt::format(",\"squawk\":\"{:04o}\"", *s.identity.mode3a);
    std::string em = "none";
    if (s.identity.mode3a && *s.identity.mode3a == 07700) em = "general";
    if (s.identity.mode3a && *s.identity.mode3a == 07600) em = "nordo";
    if (s.identity.mode3a && *s.identity.mode3a == 07500) em = "unlawful";
    if (s.emergency && em == "none") em = "general";
    a += ",\"emergency\":\"" + em + "\"";
    if (s.identity.emitter_category)
      a += ",\"category\":\"" + category(*s.identity.emitter_category) + "\"";
    a += fmt::format(",\"lat\":{:.6f},\"lon\":{:.6f}", s.position.lat_deg, s.position.lon_deg);
    if (info && info->nic) a += fmt::format(",\"nic\":{}", *info->nic);
    if (info && info->nacp) a += fmt::format(",\"nac_p\":{}", *info->nacp);
    if (info && fresh(now, info->status_time)) a += status_json(info->status);
    a += fmt::format(",\"seen_pos\":{:.1f},\"mlat\":[],\"tisb\":[],\"messages\":{},\"seen\":{:.1f}",
                     seen_pos, info ? info->messages : e.updates, seen);
    if (info && info->rssi_dbfs && fresh(now, info->rssi_time))
      a += fmt::format(",\"rssi\":{:.1f}", *info->rssi_dbfs);
    a += fmt::format(",\"skyfuse\":{{\"track\":{},\"class\":\"{}\"}}}}", json_string(id),
                     to_string(s.target_class));
    if (!first) o += ',';
    first = false;
    o += a;
  }
  o += "]}";
  return o;
}

std::string LiveStore::receiver_json() const {
  std::lock_guard lock(mu_);
  double lat = 0, lon = 0;
  if (!info_.sensors.empty()) {
    lat = info_.sensors.front().site.lat_deg;
    lon = info_.sensors.front().site.lon_deg;
  }
  return fmt::format(
      "{{\"version\":\"skyfuse\",\"refresh\":1000,\"history\":{},"
      "\"lat\":{:.4f},\"lon\":{:.4f}}}",
      aircraft_history_.size(), lat, lon);
}

void LiveStore::note_stats_locked(const std::vector<double>& distances_m) {
  const Time now = last_.now;
  if (stats_marks_.empty()) {  // the start: nothing counted yet
    stats_start_ = last_.start.ns != 0 && last_.start <= now ? last_.start : now;
    stats_marks_.push_back({stats_start_, {}, 0, 0});
  }
  for (const double d : distances_m) {
    minute_max_distance_m_ = std::max(minute_max_distance_m_, d);
    total_max_distance_m_ = std::max(total_max_distance_m_, d);
  }
  if ((now - stats_marks_.back().t).seconds() < 60) return;
  // A minute of data time has closed: readsb's "latest" becomes "last1min".
  stats_marks_.push_back({now, last_.counts, last_.messages, minute_max_distance_m_});
  minute_max_distance_m_ = 0;
  while (stats_marks_.size() > 16) stats_marks_.pop_front();  // 15 minutes back
}

std::string LiveStore::readsb_stats_json() const {
  std::lock_guard lock(mu_);
  const Time now = last_.now;
  // One period: the differences of the counts between two marks.
  auto period = [&](Time start, Time end, const ReceiverCounts& a, std::uint64_t msg_a,
                    const ReceiverCounts& b, std::uint64_t msg_b, double max_distance_m) {
    nlohmann::json j = nlohmann::json::object();
    j["start"] = std::round(start.seconds() * 10) / 10;
    j["end"] = std::round(end.seconds() * 10) / 10;
    j["messages"] = msg_b - msg_a;
    if (b.mode_s) {
      j["remote"] = {{"modeac", b.modeac - a.modeac},
                     {"modes", b.modes - a.modes},
                     {"bad", b.bad - a.bad},
                     {"unknown_icao", b.unknown_icao - a.unknown_icao},
                     {"accepted", {b.accepted - a.accepted, b.corrected - a.corrected}}};
      const std::uint64_t global = b.positions_global - a.positions_global;
      j["cpr"] = {{"surface", b.cpr_surface - a.cpr_surface},
                  {"airborne", b.cpr_airborne - a.cpr_airborne},
                  {"global_ok", global},
                  {"local_ok", b.positions - a.positions - global}};
    }
    if (b.cpu_ms)
      j["cpu"] = {{"background", static_cast<std::int64_t>(*b.cpu_ms - a.cpu_ms.value_or(0))}};
    j["tracks"] = {{"all", b.aircraft - a.aircraft},
                   {"single_message", b.aircraft_single_message - a.aircraft_single_message}};
    j["max_distance"] = static_cast<std::int64_t>(std::lround(max_distance_m));
    return j;
  };
  nlohmann::json j = nlohmann::json::object();
  j["now"] = std::round(now.seconds() * 10) / 10;
  if (stats_marks_.empty()) {  // nothing published yet: empty periods
    const nlohmann::json empty = period(now, now, {}, 0, {}, 0, 0);
    for (const char* k : {"latest", "last1min", "last5min", "last15min", "total"}) j[k] = empty;
    return j.dump();
  }
  const std::size_t n = stats_marks_.size();
  const StatsMark& last = stats_marks_.back();
  j["latest"] = period(last.t, now, last.c, last.messages, last_.counts, last_.messages,
                       minute_max_distance_m_);
  // The last `minutes` closed minutes (fewer at the start).
  auto back = [&](std::size_t minutes) {
    const std::size_t k = n - 1 - std::min(minutes, n - 1);
    double m = 0;
    for (std::size_t i = k + 1; i < n; ++i) m = std::max(m, stats_marks_[i].max_distance_m);
    const StatsMark& from = stats_marks_[k];
    return period(from.t, last.t, from.c, from.messages, last.c, last.messages, m);
  };
  j["last1min"] = back(1);
  j["last5min"] = back(5);
  j["last15min"] = back(15);
  j["total"] =
      period(stats_start_, now, {}, 0, last_.counts, last_.messages, total_max_distance_m_);
  return j.dump();
}

std::string LiveStore::metrics_text() const {
  const std::vector<Counter> external = external_counters();
  std::lock_guard lock(mu_);
  std::string o;
  o += "# HELP skyfuse_tracks Live system tracks\n# TYPE skyfuse_tracks gauge\n";
  o += fmt::format("skyfuse_tracks {}\n", tracks_.size());
  o += "# HELP skyfuse_data_time_seconds Data time of the air picture\n"
       "# TYPE skyfuse_data_time_seconds gauge\n";
  o += fmt::format("skyfuse_data_time_seconds {:.3f}\n", last_.now.seconds());
  o +=
      "# HELP skyfuse_alerts_active Active safety-net alerts\n# TYPE skyfuse_alerts_active gauge\n";
  std::map<std::string, int> by_kind = {
      {"stca", 0}, {"apw", 0}, {"emergency", 0}, {"drone", 0}, {"remote_id_spoof", 0}};
  for (const auto& a : last_.active_alerts) ++by_kind[safety::to_string(a.kind)];
  for (const auto& [k, n] : by_kind)
    o += fmt::format("skyfuse_alerts_active{{kind=\"{}\"}} {}\n", k, n);
  auto sensor_metric = [&](const char* name, const char* help, const char* type, auto get) {
    o += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
    for (const SensorHealth& s : last_.sensors)
      o += fmt::format("{}{{sensor=\"{}\"}} {}\n", name, s.name, get(s));
  };
  sensor_metric("skyfuse_sensor_up",
                "1 unless the sensor's input is down (a live input not connected)", "gauge",
                [](const SensorHealth& s) { return s.state == "disconnected" ? 0 : 1; });
  sensor_metric("skyfuse_sensor_packets_total", "Packets received per sensor", "counter",
                [](const SensorHealth& s) { return s.packets; });
  sensor_metric("skyfuse_sensor_bytes_total", "Bytes received per sensor", "counter",
                [](const SensorHealth& s) { return s.bytes; });
  sensor_metric("skyfuse_sensor_reports_total", "Reports decoded per sensor", "counter",
                [](const SensorHealth& s) { return s.reports; });
  sensor_metric("skyfuse_sensor_errors_total", "Decode errors per sensor", "counter",
                [](const SensorHealth& s) { return s.errors; });
  sensor_metric("skyfuse_sensor_drops_total", "Packets dropped (queue full) per sensor", "counter",
                [](const SensorHealth& s) { return s.drops; });
  sensor_metric("skyfuse_sensor_kernel_drops_total",
                "Datagrams dropped by the kernel (receive buffer full) per sensor", "counter",
                [](const SensorHealth& s) { return s.kernel_drops; });
  sensor_metric("skyfuse_sensor_time_rejected_total",
                "Reports rejected for an implausible time per sensor", "counter",
                [](const SensorHealth& s) { return s.time_rejected; });
  o += "# HELP skyfuse_sensor_feed_events_total The feed decoder's own counters per sensor "
       "(mlat_fixes_ok, modes_frames, ...)\n# TYPE skyfuse_sensor_feed_events_total counter\n";
  for (const SensorHealth& s : last_.sensors)
    for (const auto& [event, n] : s.counters)
      o += fmt::format("skyfuse_sensor_feed_events_total{{sensor=\"{}\",event=\"{}\"}} {}\n",
                       s.name, event, n);
  // Registration, for the radars that have an estimate.
  auto registration_metric = [&](const char* name, const char* help, auto get) {
    o += fmt::format("# HELP {} {}\n# TYPE {} gauge\n", name, help, name);
    for (const SensorHealth& s : last_.sensors)
      if (s.registration)
        o += fmt::format("{}{{sensor=\"{}\"}} {}\n", name, s.name, get(*s.registration));
  };
  registration_metric("skyfuse_sensor_registration_range_bias_meters", "Registration: range offset",
                      [](const SensorRegistration& r) { return r.range_m; });
  registration_metric("skyfuse_sensor_registration_range_gain_ppm", "Registration: range gain",
                      [](const SensorRegistration& r) { return r.gain_ppm; });
  registration_metric("skyfuse_sensor_registration_azimuth_bias_degrees",
                      "Registration: azimuth offset",
                      [](const SensorRegistration& r) { return r.azimuth_deg; });
  registration_metric("skyfuse_sensor_registration_time_offset_seconds",
                      "Registration: time offset (plots stamped late by this)",
                      [](const SensorRegistration& r) { return r.time_s; });
  registration_metric("skyfuse_sensor_registration_chi2_per_dof",
                      "Registration: residuals after the fit, chi-square per degree of freedom",
                      [](const SensorRegistration& r) { return r.chi2_dof; });
  registration_metric("skyfuse_sensor_registration_model_fits",
                      "Registration: 1 when the residuals fit the model",
                      [](const SensorRegistration& r) { return r.model_fits ? 1 : 0; });
  auto add = [&o](const Counter& c) {
    o +=
        fmt::format("# HELP skyfuse_{} {}\n# TYPE skyfuse_{} {}\n", c.name, c.help, c.name, c.type);
    for (const auto& [l, v] : c.values)
      o += fmt::format("skyfuse_{}{} {}\n", c.name, l.empty() ? "" : "{" + l + "}", v);
    if (c.type == "summary")
      o += fmt::format("skyfuse_{}_sum {}\nskyfuse_{}_count {}\n", c.name, c.sum, c.name, c.count);
  };
  for (const Counter& c : last_.counters) add(c);
  for (const Counter& c : external) add(c);
  return o;
}

std::string LiveStore::info_json() const {
  std::lock_guard lock(mu_);
  return fmt::format(
      "{{\"name\":{},\"mode\":\"{}\",\"speed\":{},\"time\":{},\"first\":{},\"last\":{},"
      "\"tracks\":{}{}}}",
      json_string(info_.system_name), last_.mode, last_.speed, format_time(last_.now),
      format_time(first_time_), format_time(last_time_), tracks_.size(),
      info_.map_layers_json.empty() ? "" : ",\"map_layers\":" + info_.map_layers_json);
}

std::size_t LiveStore::track_count() const {
  std::lock_guard lock(mu_);
  return tracks_.size();
}

Time LiveStore::now() const {
  std::lock_guard lock(mu_);
  return last_.now;
}

}  // namespace skyfuse::server
