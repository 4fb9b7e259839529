#include "output/sensor_asterix.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <numbers>

#include "decode/asterix/encoder.hpp"

namespace skyfuse::output {

using decode::asterix::callsign8;
using decode::asterix::mode3a_digits;
using decode::asterix::time_of_day_s;

namespace {
namespace ax = decode::asterix;
using json = nlohmann::ordered_json;
constexpr double kFt = 0.3048;
constexpr double kNm = 1852.0;
constexpr double kDeg = 180.0 / std::numbers::pi;

class BlockWriter {
 public:
  explicit BlockWriter(std::vector<std::uint8_t>& out) : out_(out) {}
  void add(int cat, std::vector<std::uint8_t> rec) {
    if (cat != cat_ || records_.size() >= 20) flush();
    cat_ = cat;
    records_.push_back(std::move(rec));
  }
  void flush() {
    if (records_.empty()) return;
    auto b = ax::encode_block(cat_, records_);
    if (b) out_.insert(out_.end(), b->begin(), b->end());
    records_.clear();
  }

 private:
  std::vector<std::uint8_t>& out_;
  int cat_ = -1;
  std::vector<std::vector<std::uint8_t>> records_;
};

json sac_sic(const Sensor& s) { return {{"SAC", s.sac}, {"SIC", s.sic}}; }

json radar_record(const Sensor& s, const Report& r) {
  json it;
  it["010"] = sac_sic(s);
  it["140"] = time_of_day_s(r.time);
  const int typ = s.kind == SensorKind::kPsr ? 1 : s.kind == SensorKind::kSsr ? 2 : 5;
  it["020"] = {{"TYP", typ}, {"SIM", 0}, {"RDP", 0}, {"SPI", 0}, {"RAB", 0}};
  const auto& m = std::get<PolarMeasurement>(r.measurement);
  double az = std::fmod(m.azimuth_rad * kDeg, 360.0);
  if (az < 0) az += 360.0;
  if (az >= 360.0 - 360.0 / 131072) az = 0;  // would round to 2^16 LSB
  it["040"] = {{"RHO", m.range_m / kNm}, {"THETA", az}};
  if (r.identity.mode3a)
    it["070"] = {{"V", 0}, {"G", 0}, {"L", 0}, {"MODE3A", mode3a_digits(*r.identity.mode3a)}};
  if (r.baro_alt_m) it["090"] = {{"V", 0}, {"G", 0}, {"FL", *r.baro_alt_m / kFt / 100}};
  if (r.identity.icao24) it["220"] = *r.identity.icao24;
  if (!r.identity.callsign.empty()) it["240"] = callsign8(r.identity.callsign);
  return it;
}

// A drone-detection radar plot as CAT015 1.2: a sensor-centric plot (range,
// azimuth, elevation with their standard deviations, I015/625/627/628).
json drone_radar_record(const Sensor& s, const Report& r, std::uint32_t plot) {
  json it;
  it["010"] = sac_sic(s);
  it["000"] = {{"MT", 3}, {"RG", 0}};  // sensor centric plot, periodic
  it["020"] = {{"MOMU", 0}, {"TTAX", 0}, {"SCD", 0}};
  it["145"] = time_of_day_s(r.time);
  it["161"] = plot & 0xFFFF;
  const auto& m = std::get<PolarMeasurement>(r.measurement);
  double az = std::fmod(m.azimuth_rad * kDeg, 360.0);
  if (az < 0) az += 360.0;
  if (az >= 360.0 - 360.0 / 131072) az = 0;  // would round to 2^16 LSB
  auto sd = [&](int k, double scale, double max) {
    return std::clamp(std::sqrt(std::max(m.covariance(k, k), 0.0)) * scale, 0.0, max);
  };
  it["625"] = {{"R", std::clamp(m.range_m, 0.0, 838860.0)}, {"SDR", sd(0, 1.0, 167772.0)}};
  it["627"] = {{"AZ", az}, {"SDASZ", sd(1, kDeg, 44.99)}};
  if (m.elevation_rad)
    it["628"] = {{"EL", std::clamp(*m.elevation_rad * kDeg, -90.0, 89.99)},
                 {"SDEL", sd(2, kDeg, 44.99)}};
  return it;
}

json adsb_record(const Sensor& s, const Report& r) {
  json it;
  it["010"] = sac_sic(s);
  it["040"] = {{"ATP", 0}, {"ARC", 1}, {"RC", 0}, {"RAB", 0}};
  it["071"] = time_of_day_s(r.time);
  const auto& g = std::get<GeodeticMeasurement>(r.measurement);
  it["131"] = {{"LAT", g.position.lat_deg}, {"LON", g.position.lon_deg}};
  if (r.identity.icao24) it["080"] = *r.identity.icao24;
  if (g.has_height) it["140"] = std::clamp(g.position.alt_m / kFt, -1500.0, 150000.0);
  const int nacp = r.nacp.value_or(0), nic = r.nic.value_or(0);
  it["090"] = {
      {"NUCRNACV", 0}, {"NUCPNIC", nic & 15}, {"NICBARO", 1}, {"SIL", 2}, {"NACP", nacp & 15}};
  if (r.baro_alt_m) it["145"] = std::clamp(*r.baro_alt_m / kFt / 100, -15.0, 1500.0);
  if (r.velocity_enu_mps) {
    const Eigen::Vector3d& v = *r.velocity_enu_mps;
    double ta = std::atan2(v.x(), v.y()) * kDeg;
    if (ta < 0) ta += 360;
    if (ta >= 360.0 - 360.0 / 131072) ta = 0;
    it["157"] = {{"RE", 0}, {"GVR", std::clamp(v.z() / kFt * 60, -16384.0, 16383.0)}};
    it["160"] = {{"RE", 0}, {"GS", std::hypot(v.x(), v.y()) / kNm}, {"TA", ta}};
  }
  if (!r.identity.callsign.empty()) it["170"] = callsign8(r.identity.callsign);
  return it;
}

json mlat_record(const Sensor& s, const Report& r) {
  json it;
  it["010"] = sac_sic(s);
  it["020"] = {{"SSR", 0}, {"MS", 1}, {"HF", 0}, {"VDL4", 0}, {"UAT", 0}, {"DME", 0}, {"OT", 0}};
  it["140"] = time_of_day_s(r.time);
  const auto& g = std::get<GeodeticMeasurement>(r.measurement);
  it["041"] = {{"LAT", g.position.lat_deg}, {"LON", g.position.lon_deg}};
  if (r.identity.mode3a)
    it["070"] = {{"V", 0}, {"G", 0}, {"L", 0}, {"MODE3A", mode3a_digits(*r.identity.mode3a)}};
  if (r.baro_alt_m) it["090"] = {{"V", 0}, {"G", 0}, {"FL", *r.baro_alt_m / kFt / 100}};
  if (r.identity.icao24) it["220"] = *r.identity.icao24;
  if (!r.identity.callsign.empty())
    it["245"] = {{"STI", 0}, {"CHR", callsign8(r.identity.callsign)}};
  const Eigen::Matrix3d& c = g.covariance_enu;
  it["500"] = {{"SDP",
                {{"X", std::clamp(std::sqrt(std::max(c(0, 0), 0.0)), 0.0, 16383.0)},
                 {"Y", std::clamp(std::sqrt(std::max(c(1, 1), 0.0)), 0.0, 16383.0)},
                 // asterix-specs CAT020 1.10 defines XY as unsigned: a negative
                 // covariance cannot be carried and is sent as 0.
                 {"XY", std::clamp(c(0, 1), 0.0, 16383.0)}}}};
  return it;
}

json status_record(int cat, const Sensor& s, Time t) {
  json it;
  if (cat == 34) {
    it["010"] = sac_sic(s);
    it["000"] = 1;  // north marker
    it["030"] = time_of_day_s(t);
  } else if (cat == 23) {
    it["010"] = sac_sic(s);
    it["000"] = 1;  // ground station status
    it["070"] = time_of_day_s(t);
    it["100"] = {{"NOGO", 0}, {"ODP", 0}, {"OXT", 0}, {"MSC", 1},
                 {"TSV", 0},  {"SPO", 0}, {"RN", 0}};
  } else {
    it["010"] = sac_sic(s);
    it["000"] = 2;  // periodic status
    it["140"] = time_of_day_s(t);
    it["550"] = {{"NOGO", 0}, {"OVL", 0}, {"TSV", 0}, {"TTF", 0}};
  }
  return it;
}

}  // namespace

bool has_asterix_format(SensorKind kind) {
  return is_atc_radar(kind) || kind == SensorKind::kAdsb || kind == SensorKind::kMlat ||
         kind == SensorKind::kDroneRadar;
}

std::vector<std::uint8_t> encode_feed(const Sensor& sensor, const std::vector<Report>& reports,
                                      const std::map<int, ax::Category>& cats, Time start,
                                      long* skipped, std::string* first_error) {
  std::vector<std::uint8_t> out;
  BlockWriter w(out);
  const bool radar = is_atc_radar(sensor.kind);
  const bool drone_radar = sensor.kind == SensorKind::kDroneRadar;
  const int data_cat = radar ? 48 : sensor.kind == SensorKind::kAdsb ? 21 : 20;
  // CAT015 has no status category of its own (CAT016 is configuration).
  const int status_cat = drone_radar ? 0 : radar ? 34 : sensor.kind == SensorKind::kAdsb ? 23 : 19;
  std::uint32_t plots = 0;
  const double period = radar && sensor.rotation_period_s > 0 ? sensor.rotation_period_s : 10.0;
  Time next_status = start;
  long bad = 0;
  auto add = [&](int cat, const json& items) {
    auto rec = ax::encode_record(cats.at(cat), items);
    if (!rec) {
      if (bad++ == 0 && first_error) *first_error = rec.error().detail;
      return;
    }
    w.add(cat, std::move(*rec));
  };
  for (const Report& r : reports) {
    while (status_cat != 0 && next_status <= r.time) {
      add(status_cat, status_record(status_cat, sensor, next_status));
      next_status = next_status + Duration::from_seconds(period);
    }
    if (drone_radar && std::holds_alternative<PolarMeasurement>(r.measurement)) {
      add(15, drone_radar_record(sensor, r, plots++));
    } else if (radar && std::holds_alternative<PolarMeasurement>(r.measurement)) {
      add(48, radar_record(sensor, r));
    } else if (!radar && std::holds_alternative<GeodeticMeasurement>(r.measurement)) {
      add(data_cat, data_cat == 21 ? adsb_record(sensor, r) : mlat_record(sensor, r));
    } else {
      ++bad;
    }
  }
  w.flush();
  if (skipped) *skipped = bad;
  return out;
}

}  // namespace skyfuse::output
