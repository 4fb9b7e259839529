#include "feeds/asterix_reports.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <numbers>

#include "core/error.hpp"
#include "core/input_file.hpp"
#include "core/quality.hpp"
#include "decode/asterix/catalogue.hpp"
#include "decode/asterix/decoder.hpp"
#include "decode/asterix/framing.hpp"
#include "decode/asterix/generated/cat015_1_2.hpp"
#include "decode/asterix/generated/cat020_1_10.hpp"
#include "decode/asterix/generated/cat021_2_6.hpp"
#include "decode/asterix/generated/cat048_1_31.hpp"
#include "decode/asterix/time_of_day.hpp"

namespace skyfuse::feeds {

namespace {
namespace ax = decode::asterix;
using json = nlohmann::ordered_json;
constexpr double kFt = 0.3048;
constexpr double kNm = 1852.0;
constexpr double kDeg = 180.0 / std::numbers::pi;
constexpr std::size_t kMaxMessages = 20;

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

  // Decodes one data block (LEN checked) with a typed decoder, each record
  // once; false when a record is malformed, and nothing is emitted or counted
  // then (the reports, counts and time-of-day state of the block are staged
  // and only committed when the whole block decoded).
  bool typed_block(std::span<const std::uint8_t> block, std::int64_t offset) {
    const int cat = block[0];
    std::vector<Report>* const target = out;
    const ax::TimeOfDay day_before = day;
    staged.clear();
    staged_notes.clear();
    staged_other = 0;
    staging = true;
    out = &staged;
    for (std::size_t q = 3; q < block.size();) {
      std::size_t used = 0;
      const std::int64_t at = offset + static_cast<std::int64_t>(q);
      switch (cat) {
        case 48:
          if ((used = ax::cat048_1_31::decode(block.data() + q, block.size() - q, r48)))
            from048(at);
          break;
        case 21:
          if ((used = ax::cat021_2_6::decode(block.data() + q, block.size() - q, r21))) from021(at);
          break;
        case 20:
          if ((used = ax::cat020_1_10::decode(block.data() + q, block.size() - q, r20)))
            from020(at);
          break;
        default:
          if ((used = ax::cat015_1_2::decode(block.data() + q, block.size() - q, r15))) from015(at);
          break;
      }
      if (used == 0) {
        out = target;
        staging = false;
        day = day_before;
        return false;
      }
      q += used;
    }
    out = target;
    staging = false;
    for (Report& r : staged) out->push_back(std::move(r));
    other_source += staged_other;
    for (std::string& m : staged_notes) note(std::move(m));
    return true;
  }
  bool staging = false;
  std::vector<Report> staged;
  std::vector<std::string> staged_notes;
  long staged_other = 0;

  template <class Sac>
  bool ours(const std::optional<Sac>& i010) {
    if (!i010 || i010->SAC != sensor.sac || i010->SIC != sensor.sic) {
      ++(staging ? staged_other : other_source);
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
    std::string m = fmt::format("{}: offset {}: CAT{:03d}: {}", path, at, cat, what);
    if (staging)
      staged_notes.push_back(std::move(m));
    else
      note(std::move(m));
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
  for (auto& [c, cat] : ax::load_categories(specs_dir, feed.editions))
    list.push_back(std::move(cat));
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
  const std::vector<std::uint8_t> data =
      read_input_bytes(feed.path, fmt::format("input of sensor \"{}\"", sensor.name));
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
  if (feed.format == FeedFormat::kFinal) {
    ax::read_final(data, payload, fs);
  } else if (feed.format == FeedFormat::kPcap) {
    ax::read_pcap(data, payload, fs, feed.udp_port);  // another stream: not an error
  } else {
    reader.blocks(data, 0, d.reports);
  }
  for (const auto& m : fs.messages) {
    ++d.errors;
    if (d.messages.size() < kMaxMessages) d.messages.push_back(fmt::format("{}: {}", feed.path, m));
  }
  d.errors += reader.errors();
  if (feed.format == FeedFormat::kPcap) {
    d.counters.emplace_back("packets_without_udp", fs.skipped);
    if (feed.udp_port != 0) d.counters.emplace_back("datagrams_to_other_ports", fs.other_port);
  }
  for (const auto& m : reader.messages())
    if (d.messages.size() < kMaxMessages) d.messages.push_back(m);
  return d;
}

}  // namespace skyfuse::feeds
