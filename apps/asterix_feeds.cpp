#include "apps/asterix_feeds.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <mutex>
#include <nlohmann/json.hpp>
#include <numbers>

#include "core/error.hpp"
#include "core/quality.hpp"
#include "decode/asterix/decoder.hpp"
#include "decode/asterix/encoder.hpp"
#include "decode/asterix/framing.hpp"
#include "decode/asterix/generated/cat015_1_2.hpp"
#include "decode/asterix/generated/cat020_1_10.hpp"
#include "decode/asterix/generated/cat021_2_6.hpp"
#include "decode/asterix/generated/cat048_1_31.hpp"
#include "decode/asterix/time_of_day.hpp"

namespace skyfuse::apps {

namespace {
namespace ax = decode::asterix;
using json = nlohmann::ordered_json;
constexpr double kFt = 0.3048;
constexpr double kNm = 1852.0;
constexpr double kDeg = 180.0 / std::numbers::pi;
constexpr std::int64_t kDayNs = 86400LL * 1000000000LL;
constexpr std::size_t kMaxMessages = 20;

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

// j[k], or null when j is not an object holding k (operator[] on a const json
// must not be given a missing key).
const json& sub(const json& j, const char* k) {
  static const json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(k);
  return it == j.end() ? kNull : *it;
}

double number(const json& j, const char* a, const char* b = nullptr) {
  const json* x = &j;
  if (!x->contains(a)) return NAN;
  x = &(*x)[a];
  if (b) {
    if (!x->is_object() || !x->contains(b)) return NAN;
    x = &(*x)[b];
  }
  return x->is_number() ? x->get<double>() : NAN;
}

std::optional<std::uint16_t> mode3a(const json& it, const char* item) {
  if (!it.contains(item) || !it[item].contains("MODE3A")) return std::nullopt;
  const auto& m = it[item]["MODE3A"];
  if (!m.is_string()) return std::nullopt;
  if (it[item].value("V", 0) != 0) return std::nullopt;  // code not validated
  return static_cast<std::uint16_t>(std::strtoul(m.get<std::string>().c_str(), nullptr, 8));
}

std::string trim_callsign(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '#')) s.pop_back();
  return s;
}

std::string trimmed(const json& v) {
  return v.is_string() ? trim_callsign(v.get<std::string>()) : "";
}

// The report reader reads each category two ways (the interpreter's JSON items,
// or a generated typed record); these turn the fields either way extracts into
// the parts of a Report, so the two paths share one meaning. NaN = not sent.

// ADS-B NACp: the position covariance (EPU as a 95 % radius) and Report::nacp.
void apply_nacp(double nacp, GeodeticMeasurement& g, Report& r) {
  const double sigma =
      std::isnan(nacp) || nacp <= 0 ? 0.0 : nacp_epu_m(static_cast<int>(nacp)) / 2.4477;
  if (sigma > 0)
    g.covariance_enu =
        Eigen::Vector3d(sigma * sigma, sigma * sigma, 4 * sigma * sigma).asDiagonal();
  if (!std::isnan(nacp)) r.nacp = static_cast<std::uint8_t>(nacp);
}

// ADS-B ground speed (NM/s), track angle (deg) and geometric vertical rate
// (ft/min, 0 when not sent) as an ENU velocity.
Eigen::Vector3d adsb_velocity(double gs, double ta, double gvr) {
  const double v = gs * kNm;
  return {v * std::sin(ta / kDeg), v * std::cos(ta / kDeg), std::isnan(gvr) ? 0.0 : gvr * kFt / 60};
}

// MLAT I020/500 SDP (m, m, m^2; XY 0 when not sent), when X and Y are sent.
void apply_sdp(double sx, double sy, double sxy, GeodeticMeasurement& g) {
  if (std::isnan(sx) || std::isnan(sy)) return;
  const double xy = std::isnan(sxy) ? 0.0 : sxy;
  g.covariance_enu << sx * sx, xy, 0, xy, sy * sy, 0, 0, 0, 0;
}

// A CAT015 polar plot: range (m), azimuth and elevation (deg) and their
// standard deviations (else the sensor's configured ones are used).
PolarMeasurement incs_polar(double range, double az, double el, double sdr, double sdaz,
                            double sdel) {
  PolarMeasurement m;
  m.range_m = range;
  m.azimuth_rad = az / kDeg;
  if (!std::isnan(el)) m.elevation_rad = el / kDeg;
  if (!std::isnan(sdr)) m.covariance(0, 0) = sdr * sdr;
  if (!std::isnan(sdaz)) m.covariance(1, 1) = std::pow(sdaz / kDeg, 2);
  if (!std::isnan(sdel)) m.covariance(2, 2) = std::pow(sdel / kDeg, 2);
  return m;
}

// A CAT015 WGS-84 plot (I015/600 P84, HPP standard deviations in m).
GeodeticMeasurement incs_wgs84(double lat, double lon, double sdx, double sdy) {
  GeodeticMeasurement g;
  g.position = {lat, lon, 0};
  if (!std::isnan(sdx) && !std::isnan(sdy))
    g.covariance_enu = Eigen::Vector3d(sdx * sdx, sdy * sdy, 0).asDiagonal();
  return g;
}

template <class T>
double opt(const std::optional<T>& v) {
  return v ? static_cast<double>(*v) : NAN;
}
}  // namespace

double time_of_day_s(Time t) {
  return static_cast<double>(((t.ns % kDayNs) + kDayNs) % kDayNs) * 1e-9;
}

std::string mode3a_digits(std::uint16_t code) { return fmt::format("{:04o}", code & 07777); }

std::string callsign8(const std::string& c) {
  std::string s = c.substr(0, 8);
  s.resize(8, ' ');
  return s;
}

const std::map<int, std::string>& default_editions() {
  static const std::map<int, std::string> kEditions = {
      {1, "1.2"},   {2, "1.2"},   {19, "1.3"}, {20, "1.10"}, {21, "2.6"}, {23, "1.3"}, {34, "1.29"},
      {48, "1.31"}, {62, "1.18"}, {63, "1.7"}, {65, "1.6"},  {15, "1.2"}, {16, "1.0"}};
  return kEditions;
}

namespace {
// Each definition file parsed once per process: every ASTERIX feed's reader
// (and the encoder) loads all the default editions, and parsing the JSON
// costs far more than copying the result (whose item trees are shared).
// Entries are never removed, so a returned reference stays valid.
const ax::Category& cached_category(const std::string& path) {
  static std::mutex mutex;
  static std::map<std::string, ax::Category> cache;
  const std::lock_guard lock(mutex);
  auto it = cache.find(path);
  if (it == cache.end()) it = cache.emplace(path, ax::load_category(path)).first;
  return it->second;
}
}  // namespace

std::map<int, ax::Category> load_categories(const std::string& specs_dir,
                                            const std::map<int, std::string>& overrides) {
  std::map<int, std::string> editions = default_editions();
  for (const auto& [c, e] : overrides) editions[c] = e;
  std::map<int, ax::Category> out;
  for (const auto& [cat, ed] : editions)
    out.emplace(cat, cached_category(
                         fmt::format("{}/cat{:03d}/cat{:03d}-{}.json", specs_dir, cat, cat, ed)));
  return out;
}

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

struct AsterixReportReader::Impl {
  const Sensor sensor;
  std::string path;
  ax::Decoder dec;
  ax::TimeOfDay day;
  std::optional<Time> reference;  // live: the packet's arrival
  long other_source = 0;
  long errors = 0;
  std::vector<std::string> messages;
  std::vector<Report>* out = nullptr;
  // The generated typed decoders serve the categories whose configured edition
  // is the one they were generated for; other editions, and any block a typed
  // decoder refuses (so that the error is named), go through the interpreter.
  bool use_typed = true;
  std::map<int, bool> typed;
  ax::cat048_1_31::Record r48;
  ax::cat021_2_6::Record r21;
  ax::cat020_1_10::Record r20;
  ax::cat015_1_2::Record r15;

  Impl(const Sensor& s, std::string p, std::vector<ax::Category> cats, double start)
      : sensor(s), path(std::move(p)), dec(std::move(cats)), day(start) {
    auto is = [&](int cat, const char* edition) {
      const ax::Category* c = dec.category(cat);
      typed[cat] = c && c->edition == edition;
    };
    is(48, ax::cat048_1_31::kEdition);
    is(21, ax::cat021_2_6::kEdition);
    is(20, ax::cat020_1_10::kEdition);
    is(15, ax::cat015_1_2::kEdition);
  }

  // Decodes one data block (LEN checked) with a typed decoder; false when a
  // record is malformed, and nothing is emitted then.
  bool typed_block(std::span<const std::uint8_t> block, std::int64_t offset) {
    const int cat = block[0];
    auto decode_one = [&](const std::uint8_t* p, std::size_t n) -> std::size_t {
      switch (cat) {
        case 48:
          return ax::cat048_1_31::decode(p, n, r48);
        case 21:
          return ax::cat021_2_6::decode(p, n, r21);
        case 20:
          return ax::cat020_1_10::decode(p, n, r20);
        default:
          return ax::cat015_1_2::decode(p, n, r15);
      }
    };
    for (std::size_t q = 3; q < block.size();) {  // validate the whole block first
      const std::size_t used = decode_one(block.data() + q, block.size() - q);
      if (used == 0) return false;
      q += used;
    }
    for (std::size_t q = 3; q < block.size();) {
      const std::size_t used = decode_one(block.data() + q, block.size() - q);
      const std::int64_t at = offset + static_cast<std::int64_t>(q);
      switch (cat) {
        case 48:
          from048(at);
          break;
        case 21:
          from021(at);
          break;
        case 20:
          from020(at);
          break;
        default:
          from015(at);
          break;
      }
      q += used;
    }
    return true;
  }

  template <class Sac>
  bool ours(const std::optional<Sac>& i010) {
    if (!i010 || i010->SAC != sensor.sac || i010->SIC != sensor.sic) {
      ++other_source;
      return false;
    }
    return true;
  }
  Report start_report(std::int64_t at) const {
    Report r;
    r.sensor = sensor.id;
    r.sensor_kind = sensor.kind;
    r.source = sensor.id;
    r.source_offset = at;
    return r;
  }
  void bad_typed(std::int64_t at, int cat, const char* what) {
    note(fmt::format("{}: offset {}: CAT{:03d}: {}", path, at, cat, what));
  }
  static std::optional<std::uint16_t> octal(std::uint8_t v, const std::array<char, 4>& digits) {
    if (v != 0) return std::nullopt;  // code not validated
    unsigned code = 0;
    for (char c : digits) code = code * 8 + static_cast<unsigned>(c - '0');
    return static_cast<std::uint16_t>(code);
  }
  static std::string chars(const std::array<char, 8>& a) {
    return trim_callsign(std::string(a.begin(), a.end()));
  }

  void from048(std::int64_t at) {
    const auto& t = r48;
    if (!ours(t.i010)) return;
    if (!t.i140 || !t.i040) return bad_typed(at, 48, "target report without 140 or 040");
    Report r = start_report(at);
    r.time = to_time(*t.i140);
    PolarMeasurement m;
    m.range_m = t.i040->RHO * kNm;
    m.azimuth_rad = t.i040->THETA / kDeg;
    r.measurement = m;
    if (t.i070) r.identity.mode3a = octal(t.i070->V, t.i070->MODE3A);
    if (t.i090 && t.i090->V == 0) r.baro_alt_m = t.i090->FL * 100 * kFt;
    if (t.i220) r.identity.icao24 = *t.i220;
    if (t.i240) r.identity.callsign = chars(*t.i240);
    out->push_back(std::move(r));
  }

  void from021(std::int64_t at) {
    const auto& t = r21;
    if (!ours(t.i010)) return;
    const std::optional<double> tod = t.i071 ? t.i071 : t.i073 ? t.i073 : t.i077;
    double lat = NAN, lon = NAN;
    if (t.i131) {
      lat = t.i131->LAT;
      lon = t.i131->LON;
    } else if (t.i130) {
      lat = t.i130->LAT;
      lon = t.i130->LON;
    }
    if (!tod || std::isnan(lat)) return;  // no position: skip
    Report r = start_report(at);
    r.time = to_time(*tod);
    GeodeticMeasurement g;
    g.position = {lat, lon, 0};
    if (t.i140) {
      g.has_height = true;
      g.position.alt_m = *t.i140 * kFt;
    }
    // NACp is in the second extent of I021/090.
    apply_nacp(t.i090 && t.i090->parts >= 2 ? t.i090->NACP : NAN, g, r);
    r.measurement = g;
    if (t.i145) r.baro_alt_m = *t.i145 * 100 * kFt;
    if (t.i080) r.identity.icao24 = *t.i080;
    if (t.i170) r.identity.callsign = chars(*t.i170);
    if (t.i200 && t.i200->PS > 0) r.emergency = true;
    if (t.i160)
      r.velocity_enu_mps = adsb_velocity(t.i160->GS, t.i160->TA, t.i157 ? t.i157->GVR : NAN);
    out->push_back(std::move(r));
  }

  void from020(std::int64_t at) {
    const auto& t = r20;
    if (!ours(t.i010)) return;
    if (!t.i140 || !t.i041) return bad_typed(at, 20, "MLAT report without 140 or 041");
    Report r = start_report(at);
    r.time = to_time(*t.i140);
    GeodeticMeasurement g;
    g.position = {t.i041->LAT, t.i041->LON, 0};
    if (t.i500 && t.i500->SDP) apply_sdp(t.i500->SDP->X, t.i500->SDP->Y, t.i500->SDP->XY, g);
    r.measurement = g;
    if (t.i070) r.identity.mode3a = octal(t.i070->V, t.i070->MODE3A);
    if (t.i090 && t.i090->V == 0) r.baro_alt_m = t.i090->FL * 100 * kFt;
    if (t.i220) r.identity.icao24 = *t.i220;
    if (t.i245) r.identity.callsign = chars(t.i245->CHR);
    out->push_back(std::move(r));
  }

  void from015(std::int64_t at) {
    const auto& t = r15;
    if (!ours(t.i010)) return;
    if (!t.i145) return bad_typed(at, 15, "report without 145 (time of applicability)");
    if (t.i000 && t.i000->MT == 5) return;
    Report r = start_report(at);
    r.time = to_time(*t.i145);
    if (t.i625 && t.i625->R && t.i627 && t.i627->AZ) {
      const double el = t.i628 ? opt(t.i628->EL) : NAN, sdel = t.i628 ? opt(t.i628->SDEL) : NAN;
      r.measurement =
          incs_polar(*t.i625->R, *t.i627->AZ, el, opt(t.i625->SDR), opt(t.i627->SDASZ), sdel);
    } else if (t.i600 && t.i600->P84) {
      const auto& h = t.i600->HPP;
      r.measurement = incs_wgs84(t.i600->P84->LATITUDE, t.i600->P84->LONGITUDE, h ? h->SDHPX : NAN,
                                 h ? h->SDHPY : NAN);
    } else {
      return bad_typed(at, 15, "plot without 625/627 (range, azimuth) or 600 (WGS-84 position)");
    }
    out->push_back(std::move(r));
  }

  Time to_time(double tod) { return day.resolve(tod, reference); }

  void note(std::string msg) {
    ++errors;
    if (messages.size() < kMaxMessages) messages.push_back(std::move(msg));
  }

  void record(const ax::Record& rec) {
    const json& it = rec.items;
    if (rec.category != 48 && rec.category != 21 && rec.category != 20 && rec.category != 15)
      return;
    if (number(it, "010", "SAC") != sensor.sac || number(it, "010", "SIC") != sensor.sic) {
      ++other_source;
      return;
    }
    Report r;
    r.sensor = sensor.id;
    r.sensor_kind = sensor.kind;
    r.source = sensor.id;
    r.source_offset = rec.offset;
    auto bad = [&](const char* what) {
      note(fmt::format("{}: offset {}: CAT{:03d}: {}", path, rec.offset, rec.category, what));
    };
    if (rec.category == 15) {
      // Drone-detection radar (CAT015): plots in polar (625/627/628) or WGS-84
      // (600 P84); track-end messages (MT 5) carry no measurement.
      const double tod = number(it, "145");
      if (std::isnan(tod)) return bad("report without 145 (time of applicability)");
      if (number(it, "000", "MT") == 5) return;
      r.time = to_time(tod);
      const double rng = number(sub(it, "625"), "R"), az = number(sub(it, "627"), "AZ");
      const double lat = number(sub(it, "600"), "P84", "LATITUDE"),
                   lon = number(sub(it, "600"), "P84", "LONGITUDE");
      if (!std::isnan(rng) && !std::isnan(az)) {
        r.measurement =
            incs_polar(rng, az, number(sub(it, "628"), "EL"), number(sub(it, "625"), "SDR"),
                       number(sub(it, "627"), "SDASZ"), number(sub(it, "628"), "SDEL"));
      } else if (!std::isnan(lat) && !std::isnan(lon)) {
        r.measurement = incs_wgs84(lat, lon, number(sub(it, "600"), "HPP", "SDHPX"),
                                   number(sub(it, "600"), "HPP", "SDHPY"));
      } else {
        return bad("plot without 625/627 (range, azimuth) or 600 (WGS-84 position)");
      }
    } else if (rec.category == 48) {
      const double tod = number(it, "140"), rho = number(it, "040", "RHO"),
                   theta = number(it, "040", "THETA");
      if (std::isnan(tod) || std::isnan(rho) || std::isnan(theta))
        return bad("target report without 140 or 040");
      r.time = to_time(tod);
      PolarMeasurement m;
      m.range_m = rho * kNm;
      m.azimuth_rad = theta / kDeg;
      r.measurement = m;
      if (auto a = mode3a(it, "070")) r.identity.mode3a = a;
      const double fl = number(it, "090", "FL");
      if (!std::isnan(fl) && it["090"].value("V", 0) == 0) r.baro_alt_m = fl * 100 * kFt;
      if (it.contains("220") && it["220"].is_number())
        r.identity.icao24 = it["220"].get<std::uint32_t>();
      if (it.contains("240")) r.identity.callsign = trimmed(it["240"]);
    } else if (rec.category == 21) {
      double tod = number(it, "071");
      if (std::isnan(tod)) tod = number(it, "073");
      if (std::isnan(tod)) tod = number(it, "077");
      double lat = number(it, "131", "LAT"), lon = number(it, "131", "LON");
      if (std::isnan(lat)) {
        lat = number(it, "130", "LAT");
        lon = number(it, "130", "LON");
      }
      if (std::isnan(tod) || std::isnan(lat) || std::isnan(lon)) return;  // no position: skip
      r.time = to_time(tod);
      GeodeticMeasurement g;
      g.position = {lat, lon, 0};
      const double h = number(it, "140");
      if (!std::isnan(h)) {
        g.has_height = true;
        g.position.alt_m = h * kFt;
      }
      apply_nacp(number(it, "090", "NACP"), g, r);
      r.measurement = g;
      const double fl = number(it, "145");
      if (!std::isnan(fl)) r.baro_alt_m = fl * 100 * kFt;
      if (it.contains("080") && it["080"].is_number())
        r.identity.icao24 = it["080"].get<std::uint32_t>();
      if (it.contains("170")) r.identity.callsign = trimmed(it["170"]);
      if (const double ps = number(it, "200", "PS"); !std::isnan(ps) && ps > 0) r.emergency = true;
      const double gs = number(it, "160", "GS"), ta = number(it, "160", "TA");
      if (!std::isnan(gs) && !std::isnan(ta))
        r.velocity_enu_mps = adsb_velocity(gs, ta, number(it, "157", "GVR"));
    } else {
      const double tod = number(it, "140"), lat = number(it, "041", "LAT"),
                   lon = number(it, "041", "LON");
      if (std::isnan(tod) || std::isnan(lat) || std::isnan(lon))
        return bad("MLAT report without 140 or 041");
      r.time = to_time(tod);
      GeodeticMeasurement g;
      g.position = {lat, lon, 0};
      apply_sdp(number(sub(it, "500"), "SDP", "X"), number(sub(it, "500"), "SDP", "Y"),
                number(sub(it, "500"), "SDP", "XY"), g);
      r.measurement = g;
      if (auto a = mode3a(it, "070")) r.identity.mode3a = a;
      const double fl = number(it, "090", "FL");
      if (!std::isnan(fl) && it["090"].value("V", 0) == 0) r.baro_alt_m = fl * 100 * kFt;
      if (it.contains("220") && it["220"].is_number())
        r.identity.icao24 = it["220"].get<std::uint32_t>();
      if (it.contains("245") && it["245"].contains("CHR"))
        r.identity.callsign = trimmed(it["245"]["CHR"]);
    }
    out->push_back(std::move(r));
  }
};

AsterixReportReader::AsterixReportReader(const FeedConfig& feed, const Sensor& sensor,
                                         const std::string& specs_dir, double start_unix) {
  std::vector<ax::Category> list;
  for (auto& [c, cat] : load_categories(specs_dir, feed.editions)) list.push_back(std::move(cat));
  impl_ = std::make_unique<Impl>(sensor, feed.path, std::move(list), start_unix);
}
AsterixReportReader::~AsterixReportReader() = default;
AsterixReportReader::AsterixReportReader(AsterixReportReader&&) noexcept = default;

void AsterixReportReader::blocks(std::span<const std::uint8_t> data, std::int64_t offset,
                                 std::vector<Report>& out, std::optional<Time> reference) {
  impl_->out = &out;
  impl_->reference = reference;
  const long before = impl_->dec.stats().errors;
  const std::size_t shown = impl_->dec.stats().messages.size();
  auto sink = [this](const ax::Record& rec) { impl_->record(rec); };
  impl_->dec.walk_blocks(data, offset, [&](std::span<const std::uint8_t> block, std::int64_t at) {
    const auto t = impl_->typed.find(block[0]);
    if (impl_->use_typed && t != impl_->typed.end() && t->second && impl_->typed_block(block, at))
      return true;
    return impl_->dec.decode_block(block, at, sink).whole;
  });
  impl_->errors += impl_->dec.stats().errors - before;
  const auto& m = impl_->dec.stats().messages;
  for (std::size_t k = shown; k < m.size() && impl_->messages.size() < kMaxMessages; ++k)
    impl_->messages.push_back(fmt::format("{}: {}", impl_->path, m[k]));
  impl_->out = nullptr;
}

void AsterixReportReader::framing_error(const std::string& message) {
  impl_->note(fmt::format("{}: {}", impl_->path, message));
}
long AsterixReportReader::errors() const { return impl_->errors; }
void AsterixReportReader::use_typed_decoders(bool on) { impl_->use_typed = on; }
const std::vector<std::string>& AsterixReportReader::messages() const { return impl_->messages; }
long AsterixReportReader::other_sources() const { return impl_->other_source; }

FeedData read_asterix_feed(const FeedConfig& feed, const Sensor& sensor,
                           const std::string& specs_dir) {
  std::ifstream in(feed.path, std::ios::binary);
  if (!in)
    throw ConfigError(
        fmt::format("{}: cannot open input of sensor \"{}\"", feed.path, sensor.name));
  const std::vector<std::uint8_t> data{std::istreambuf_iterator<char>(in),
                                       std::istreambuf_iterator<char>()};
  const double start = std::isnan(feed.start_unix) ? start_from_name(feed.path) : feed.start_unix;
  if (!(start > 0))
    throw ConfigError(fmt::format(
        "sensor \"{}\": ASTERIX carries only the time of day; set start_unix (any time on the "
        "recording's first UTC day)",
        sensor.name));
  AsterixReportReader reader(feed, sensor, specs_dir, start);
  FeedData d;
  ax::FramingStats fs;
  auto payload = [&](const ax::Payload& p) { reader.blocks(p.bytes, p.offset, d.reports); };
  if (feed.format == "final") {
    ax::read_final(data, payload, fs);
  } else if (feed.format == "pcap") {
    ax::read_pcap(data, payload, fs);
  } else {
    reader.blocks(data, 0, d.reports);
  }
  for (const auto& m : fs.messages) {
    ++d.errors;
    if (d.messages.size() < kMaxMessages) d.messages.push_back(fmt::format("{}: {}", feed.path, m));
  }
  d.errors += reader.errors();
  for (const auto& m : reader.messages())
    if (d.messages.size() < kMaxMessages) d.messages.push_back(m);
  return d;
}

}  // namespace skyfuse::apps
