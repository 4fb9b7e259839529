#include "apps/feed_decoder.hpp"

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <numbers>

#include "apps/asterix_feeds.hpp"
#include "apps/feed_reader.hpp"
#include "core/error.hpp"
#include "decode/asterix/framing.hpp"
#include "decode/modes/decoder.hpp"
#include "decode/modes/framing.hpp"
#include "io/jsonl.hpp"

namespace skyfuse::apps {

namespace {
namespace modes = decode::modes;
constexpr double kFt = 0.3048;
constexpr double kKt = 1852.0 / 3600.0;
constexpr std::size_t kMaxPending = 50;

// What SBS spreads over message types 1..8, kept per aircraft.
struct SbsAircraft {
  std::string callsign;
  std::optional<std::uint16_t> squawk;
  std::optional<Eigen::Vector3d> velocity;
  bool emergency = false;
};
}  // namespace

struct FeedDecoder::Impl {
  FeedConfig feed;
  Sensor sensor;
  bool live;
  std::string name;  // for messages: the sensor and its input
  bool is_asterix = false;
  std::string specs_dir;
  double asterix_start = NAN;
  std::optional<AsterixReportReader> asterix;
  std::optional<modes::Decoder> modes_dec;
  std::optional<modes::FrameClock> clock;
  modes::BeastStream beast;
  modes::AvrParser avr;
  modes::CsvParser csv;
  modes::SbsParser sbs;
  std::map<std::uint32_t, SbsAircraft> sbs_aircraft;
  std::size_t framing_seen = 0;  // messages of the framer already forwarded
  std::string line;              // a partial text line
  std::int64_t line_offset = 0;
  long line_number = 0;  // of the line being handled, from 1
  bool have_line_offset = false;
  long errors = 0;
  std::vector<std::string> pending;
  Time arrival;
  std::vector<Report>* out = nullptr;

  Impl(const FeedConfig& f, const Sensor& s, const std::string& specs, bool is_live)
      : feed(f),
        sensor(s),
        live(is_live),
        name(is_live ? fmt::format("{} ({})", s.name, f.input) : f.path) {
    const std::string& fmt_ = feed.format;
    if (fmt_ == "asterix" || fmt_ == "final" || fmt_ == "pcap") {
      double start = feed.start_unix;
      if (std::isnan(start)) start = start_from_name(feed.path);
      is_asterix = true;
      specs_dir = specs;
      asterix_start = start;
      // Live without start_unix: the day comes from the first packet's arrival.
      if (start > 0) asterix.emplace(feed, sensor, specs, start);
      if (!(start > 0) && !live)
        throw ConfigError(fmt::format(
            "sensor \"{}\": ASTERIX carries only the time of day; set start_unix", sensor.name));
    } else if (fmt_ == "beast" || fmt_ == "avr" || fmt_ == "csv") {
      modes::DecoderConfig cfg;
      cfg.sensor = sensor.id;
      if (sensor.site.lat_deg != 0 || sensor.site.lon_deg != 0) cfg.receiver = sensor.site;
      if (sensor.max_range_m > 0) cfg.max_range_m = sensor.max_range_m;
      modes_dec.emplace(cfg);
      if (!live) {
        const double t0 =
            std::isnan(feed.start_unix) ? start_from_name(feed.path) : feed.start_unix;
        clock.emplace(t0);
      }
    } else if (fmt_ != "sbs" && fmt_ != "jsonl") {
      throw ConfigError(fmt::format("sensor \"{}\": unknown format \"{}\"", sensor.name, fmt_));
    }
  }

  void note(std::string msg) {
    ++errors;
    if (pending.size() < kMaxPending) pending.push_back(std::move(msg));
  }

  void forward_framing(const modes::FramingStats& fs) {
    for (; framing_seen < fs.messages.size(); ++framing_seen)
      note(fmt::format("{}: {}", name, fs.messages[framing_seen]));
    // Errors beyond the framer's kept messages are still counted.
    const long extra = fs.errors - static_cast<long>(fs.messages.size());
    if (extra > counted_extra) {
      errors += extra - counted_extra;
      counted_extra = extra;
    }
  }
  long counted_extra = 0;

  void frame(const modes::RawFrame& f) {
    Time t = arrival;
    if (clock) {
      t = (*clock)(f);
    } else if (f.has_unix_time) {
      t = Time::from_seconds(f.unix_time_s);
    }
    const modes::Decoded dm = modes_dec->decode(f, t);
    if (auto r = modes_dec->to_report(dm)) {
      r->source = sensor.id;
      out->push_back(std::move(*r));
    }
  }

  void sbs_record(const modes::SbsRecord& s) {
    SbsAircraft& a = sbs_aircraft[s.icao];
    if (!s.callsign.empty()) a.callsign = s.callsign;
    if (s.squawk) a.squawk = s.squawk;
    if (s.emergency) a.emergency = true;
    if (s.gs_kt && s.track_deg) {
      const double gs = *s.gs_kt * kKt, trk = *s.track_deg * std::numbers::pi / 180;
      a.velocity = Eigen::Vector3d(gs * std::sin(trk), gs * std::cos(trk),
                                   s.vrate_fpm ? *s.vrate_fpm * kFt / 60 : 0.0);
    }
    if (!s.lat_deg || !s.lon_deg) return;
    Report r;
    r.time = live ? arrival : Time{s.time_ns};
    r.sensor = sensor.id;
    r.sensor_kind = SensorKind::kAdsb;
    r.source = sensor.id;
    r.source_offset = s.offset;
    GeodeticMeasurement g;
    g.position = {*s.lat_deg, *s.lon_deg, 0};
    const double sigma = sensor.sigma_position_m > 0 ? sensor.sigma_position_m : 50.0;
    g.covariance_enu = Eigen::Vector3d(sigma * sigma, sigma * sigma, 0).asDiagonal();
    r.measurement = g;
    if (s.altitude_ft) r.baro_alt_m = *s.altitude_ft * kFt;
    r.velocity_enu_mps = a.velocity;
    r.identity.icao24 = s.icao;
    r.identity.callsign = a.callsign;
    r.identity.mode3a = a.squawk;
    r.emergency = a.emergency;
    out->push_back(std::move(r));
  }

  void text_line(std::string_view text, std::int64_t offset) {
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    const std::string& f = feed.format;
    if (f == "avr") {
      avr.line(text, offset, [this](const modes::RawFrame& fr) { frame(fr); });
      forward_framing(avr.stats());
    } else if (f == "csv") {
      csv.line(text, offset, [this](const modes::RawFrame& fr) { frame(fr); });
      forward_framing(csv.stats());
    } else if (f == "sbs") {
      sbs.line(text, offset, [this](const modes::SbsRecord& s) { sbs_record(s); });
      forward_framing(sbs.stats());
    } else {  // jsonl
      if (text.find_first_not_of(" \t") == std::string_view::npos) return;
      auto r = io::parse_report(text);
      if (!r) {
        // Files: FILE:LINE; live feeds have no lines to count from, so the offset.
        note(live ? fmt::format("{}: offset {}: {}", name, offset, r.error().detail)
                  : fmt::format("{}:{}: {}", name, line_number, r.error().detail));
        return;
      }
      Report rep = std::move(r).value();
      rep.sensor = sensor.id;
      rep.source = sensor.id;
      rep.source_offset = offset;
      out->push_back(std::move(rep));
    }
  }

  void text(std::span<const std::uint8_t> bytes, std::int64_t offset) {
    if (!have_line_offset) {
      line_offset = offset;
      have_line_offset = true;
    }
    std::size_t start = 0;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      if (bytes[i] != '\n') continue;
      line.append(reinterpret_cast<const char*>(bytes.data()) + start, i - start);
      ++line_number;
      text_line(line, line_offset);
      line_offset += static_cast<std::int64_t>(line.size()) + 1;
      line.clear();
      start = i + 1;
    }
    line.append(reinterpret_cast<const char*>(bytes.data()) + start, bytes.size() - start);
    if (line.size() > (1 << 20)) {  // no newline in 1 MiB: not a text feed
      note(fmt::format("{}: offset {}: line longer than 1 MiB dropped", name, line_offset));
      line_offset += static_cast<std::int64_t>(line.size());
      line.clear();
    }
  }
};

FeedDecoder::FeedDecoder(const FeedConfig& feed, const Sensor& sensor, const std::string& specs_dir,
                         bool live)
    : impl_(std::make_unique<Impl>(feed, sensor, specs_dir, live)) {}
FeedDecoder::~FeedDecoder() = default;
FeedDecoder::FeedDecoder(FeedDecoder&&) noexcept = default;

void FeedDecoder::feed(std::span<const std::uint8_t> bytes, Time arrival, std::int64_t offset,
                       std::vector<Report>& out) {
  Impl& m = *impl_;
  m.arrival = arrival;
  m.out = &out;
  if (m.is_asterix && !m.asterix)
    m.asterix.emplace(m.feed, m.sensor, m.specs_dir, arrival.seconds());
  if (m.asterix) {
    const long before = m.asterix->errors();
    const std::size_t shown = m.asterix->messages().size();
    m.asterix->blocks(bytes, offset, out, m.live ? std::optional<Time>(arrival) : std::nullopt);
    const auto& msgs = m.asterix->messages();
    for (std::size_t k = shown; k < msgs.size(); ++k) m.pending.push_back(msgs[k]);
    m.errors += m.asterix->errors() - before;
  } else if (m.feed.format == "beast") {
    m.beast.feed(bytes, [&m](const modes::RawFrame& f) { m.frame(f); });
    m.forward_framing(m.beast.stats());
  } else {
    m.text(bytes, offset);
  }
  m.out = nullptr;
}

void FeedDecoder::finish(std::vector<Report>& out) {
  Impl& m = *impl_;
  m.out = &out;
  if (m.feed.format == "beast") {
    m.beast.finish();
    m.forward_framing(m.beast.stats());
  } else if (!m.is_asterix && !m.line.empty()) {
    ++m.line_number;
    m.text_line(m.line, m.line_offset);
    m.line.clear();
  }
  m.out = nullptr;
}

long FeedDecoder::errors() const { return impl_->errors; }

std::vector<std::string> FeedDecoder::take_messages() {
  std::vector<std::string> v;
  v.swap(impl_->pending);
  return v;
}

}  // namespace skyfuse::apps
