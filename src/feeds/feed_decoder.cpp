#include "feeds/feed_decoder.hpp"

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <numbers>
#include <optional>
#include <unordered_map>

#include "core/error.hpp"
#include "decode/modes/decoder.hpp"
#include "decode/modes/framing.hpp"
#include "feeds/adsb_status.hpp"
#include "feeds/asterix_reports.hpp"
#include "feeds/mlat_beast_feed.hpp"
#include "feeds/mlat_feed.hpp"
#include "feeds/remote_id_feed.hpp"
#include "io/jsonl.hpp"

namespace skyfuse::feeds {

void Diagnostics::error(std::string message) {
  ++errors_;
  if (pending_.size() < kMaxPending) pending_.push_back(std::move(message));
}

std::vector<std::string> Diagnostics::take_messages() {
  std::vector<std::string> v;
  v.swap(pending_);
  return v;
}

namespace {
namespace modes = decode::modes;
constexpr double kFt = 0.3048;
constexpr double kKt = 1852.0 / 3600.0;

// The name messages carry: the sensor and its input live, the path of a file.
std::string source_name(const FeedConfig& feed, const Sensor& sensor, bool live) {
  return live ? fmt::format("{} ({})", sensor.name, feed.input) : feed.path;
}

// A lower layer's framing errors into the diagnostics: its messages (the
// first ones it keeps) and the errors beyond them, each counted once.
class FramingForwarder {
 public:
  FramingForwarder(Diagnostics& d, std::string name) : d_(d), name_(std::move(name)) {}
  void operator()(const modes::FramingStats& fs) {
    for (; seen_ < fs.messages.size(); ++seen_)
      d_.error(fmt::format("{}: {}", name_, fs.messages[seen_]));
    const long extra = fs.errors - static_cast<long>(fs.messages.size());
    if (extra > counted_extra_) {
      d_.count(extra - counted_extra_);
      counted_extra_ = extra;
    }
  }

 private:
  Diagnostics& d_;
  std::string name_;
  std::size_t seen_ = 0;
  long counted_extra_ = 0;
};

// Text in any chunks, split into lines (with the offset and number of each).
class LineSplitter {
 public:
  template <class F>
  void feed(std::span<const std::uint8_t> bytes, std::int64_t offset, F&& on_line, Diagnostics& d,
            const std::string& name) {
    if (!have_offset_) {
      line_offset_ = offset;
      have_offset_ = true;
    }
    std::size_t start = 0;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      if (bytes[i] != '\n') continue;
      line_.append(reinterpret_cast<const char*>(bytes.data()) + start, i - start);
      ++line_number_;
      on_line(std::string_view(line_), line_offset_, line_number_);
      line_offset_ += static_cast<std::int64_t>(line_.size()) + 1;
      line_.clear();
      start = i + 1;
    }
    line_.append(reinterpret_cast<const char*>(bytes.data()) + start, bytes.size() - start);
    if (line_.size() > (1 << 20)) {  // no newline in 1 MiB: not a text feed
      d.error(fmt::format("{}: offset {}: line longer than 1 MiB dropped", name, line_offset_));
      line_offset_ += static_cast<std::int64_t>(line_.size());
      line_.clear();
    }
  }
  template <class F>
  void finish(F&& on_line) {
    if (line_.empty()) return;
    ++line_number_;
    on_line(std::string_view(line_), line_offset_, line_number_);
    line_.clear();
  }

 private:
  std::string line_;  // a partial text line
  std::int64_t line_offset_ = 0;
  long line_number_ = 0;
  bool have_offset_ = false;
};

std::string_view strip_cr(std::string_view text) {
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  return text;
}

// ASTERIX data blocks (raw, or FINAL / pcap payloads cut by the caller).
class AsterixFeed final : public FormatDecoder {
 public:
  AsterixFeed(const FeedConfig& feed, const Sensor& sensor, const std::string& specs, bool live,
              Diagnostics& d)
      : feed_(feed), sensor_(sensor), specs_(specs), live_(live), d_(d) {
    // The reader names the source in its messages: a file by its path, a live
    // input (no path) by the sensor and its input, "radar-1 (udp:8600)".
    feed_.path = source_name(feed, sensor, live);
    double start = feed.start_unix;
    if (std::isnan(start)) start = start_from_name(feed.path);
    // Live without start_unix: the day comes from the first packet's arrival.
    if (start > 0) reader_.emplace(feed_, sensor_, specs_, start);
    if (!(start > 0) && !live)
      throw ConfigError(fmt::format(
          "sensor \"{}\": ASTERIX carries only the time of day; set start_unix", sensor.name));
  }
  void feed(std::span<const std::uint8_t> bytes, Time arrival, std::int64_t offset,
            std::vector<Report>& out) override {
    if (!reader_) reader_.emplace(feed_, sensor_, specs_, arrival.seconds());
    const long before = reader_->errors();
    const auto& msgs = reader_->messages();
    const std::size_t shown = msgs.size();
    reader_->blocks(bytes, offset, out, live_ ? std::optional<Time>(arrival) : std::nullopt);
    const long added = reader_->errors() - before;
    long with_message = 0;
    for (std::size_t k = shown; k < msgs.size(); ++k, ++with_message) d_.error(msgs[k]);
    d_.count(added - with_message);
  }

 private:
  FeedConfig feed_;
  Sensor sensor_;
  std::string specs_;
  bool live_;
  Diagnostics& d_;
  std::optional<AsterixReportReader> reader_;
};

// Mode S receiver recordings and streams: Beast, AVR, CSV.
class ModeSFeed final : public FormatDecoder {
 public:
  ModeSFeed(const FeedConfig& feed, const Sensor& sensor, bool live, Diagnostics& d)
      : format_(feed.format),
        sensor_(sensor),
        name_(source_name(feed, sensor, live)),
        d_(d),
        forward_(d, name_) {
    modes::DecoderConfig cfg;
    cfg.sensor = sensor.id;
    if (sensor.site.lat_deg != 0 || sensor.site.lon_deg != 0) cfg.receiver = sensor.site;
    if (sensor.max_range_m > 0) cfg.max_range_m = sensor.max_range_m;
    decoder_.emplace(cfg);
    if (!live)
      clock_.emplace(std::isnan(feed.start_unix) ? start_from_name(feed.path) : feed.start_unix);
  }
  void feed(std::span<const std::uint8_t> bytes, Time arrival, std::int64_t offset,
            std::vector<Report>& out) override {
    arrival_ = arrival;
    out_ = &out;
    if (format_ == FeedFormat::kBeast) {
      beast_.feed(bytes, [this](const modes::RawFrame& f) { frame(f); });
      forward_(beast_.stats());
    } else {
      lines_.feed(
          bytes, offset, [this](std::string_view text, std::int64_t at, long) { line(text, at); },
          d_, name_);
    }
    out_ = nullptr;
  }
  void finish(std::vector<Report>& out) override {
    out_ = &out;
    if (format_ == FeedFormat::kBeast) {
      beast_.finish();
      forward_(beast_.stats());
    } else {
      lines_.finish([this](std::string_view text, std::int64_t at, long) { line(text, at); });
    }
    out_ = nullptr;
  }
  // The Mode S decoder's counts (readsb's stats.json "remote", server/live_store.hpp).
  std::vector<std::pair<std::string, long>> counters() const override {
    const modes::DecoderStats& s = decoder_->stats();
    return {{"modes_frames", s.messages},
            {"modes_mode_ac", s.mode_ac},
            {"modes_bad", s.crc_failures},
            {"modes_unknown_address", s.unknown_address},
            {"modes_corrected", s.corrected},
            {"modes_positions", s.positions},
            {"modes_positions_global", s.positions_global},
            {"modes_cpr_airborne", s.cpr_airborne},
            {"modes_cpr_surface", s.cpr_surface}};
  }

 private:
  void line(std::string_view text, std::int64_t offset) {
    text = strip_cr(text);
    if (format_ == FeedFormat::kAvr) {
      avr_.line(text, offset, [this](const modes::RawFrame& f) { frame(f); });
      forward_(avr_.stats());
    } else {
      csv_.line(text, offset, [this](const modes::RawFrame& f) { frame(f); });
      forward_(csv_.stats());
    }
  }
  void frame(const modes::RawFrame& f) {
    Time t = arrival_;
    if (clock_) {
      t = (*clock_)(f);
    } else if (f.has_unix_time) {
      t = Time::from_seconds(f.unix_time_s);
    }
    const modes::Decoded dm = decoder_->decode(f, t);
    // Frames per known address until its next report, with their power
    // (Beast only: AVR and CSV carry no signal level).
    const auto& known = decoder_->aircraft();
    const auto ac = known.find(dm.msg.icao);
    if (ac != known.end()) {
      FrameTally& tally = tally_[dm.msg.icao];
      ++tally.frames;
      if (format_ == FeedFormat::kBeast && f.signal > 0) {
        const double level = f.signal / 255.0;
        tally.power += level * level;
        ++tally.measured;
      }
    }
    if (auto r = decoder_->to_report(dm)) {
      r->source = sensor_.id;
      Report::ModeSDetails m;
      if (auto it = tally_.find(dm.msg.icao); it != tally_.end()) {
        m.frames = it->second.frames;
        if (it->second.measured)
          m.signal_dbfs = 10 * std::log10(it->second.power / it->second.measured);
        tally_.erase(it);
      }
      if (ac != known.end()) {
        const auto& v = ac->second.velocity;
        if (v && v->vrate_fpm && !v->vrate_from_gnss) m.baro_rate_mps = *v->vrate_fpm * 0.3048 / 60;
        m.status = announced_status(ac->second);
      }
      m.on_ground = dm.msg.cpr && dm.msg.cpr->surface;
      r->mode_s = m;
      out_->push_back(std::move(*r));
    }
    if (tally_.size() > 2 * known.size() + 64)  // addresses the decoder forgot
      std::erase_if(tally_, [&known](const auto& e) { return !known.contains(e.first); });
  }
  struct FrameTally {
    std::uint32_t frames = 0, measured = 0;
    double power = 0;
  };
  std::unordered_map<std::uint32_t, FrameTally> tally_;
  FeedFormat format_;
  Sensor sensor_;
  std::string name_;
  Diagnostics& d_;
  FramingForwarder forward_;
  std::optional<modes::Decoder> decoder_;
  std::optional<modes::FrameClock> clock_;
  modes::BeastStream beast_;
  modes::AvrParser avr_;
  modes::CsvParser csv_;
  LineSplitter lines_;
  Time arrival_;
  std::vector<Report>* out_ = nullptr;
};

// BaseStation (SBS) text: already decoded by the receiver; what it spreads
// over message types 1..8 is kept per aircraft.
class SbsFeed final : public FormatDecoder {
 public:
  SbsFeed(const FeedConfig& feed, const Sensor& sensor, bool live, Diagnostics& d)
      : sensor_(sensor),
        live_(live),
        name_(source_name(feed, sensor, live)),
        d_(d),
        forward_(d, name_) {}
  void feed(std::span<const std::uint8_t> bytes, Time arrival, std::int64_t offset,
            std::vector<Report>& out) override {
    arrival_ = arrival;
    out_ = &out;
    lines_.feed(
        bytes, offset, [this](std::string_view text, std::int64_t at, long) { line(text, at); }, d_,
        name_);
    out_ = nullptr;
  }
  void finish(std::vector<Report>& out) override {
    out_ = &out;
    lines_.finish([this](std::string_view text, std::int64_t at, long) { line(text, at); });
    out_ = nullptr;
  }

 private:
  struct Aircraft {
    std::string callsign;
    std::optional<std::uint16_t> squawk;
    std::optional<Eigen::Vector3d> velocity;
    bool emergency = false;
  };
  void line(std::string_view text, std::int64_t offset) {
    sbs_.line(strip_cr(text), offset, [this](const modes::SbsRecord& s) { record(s); });
    forward_(sbs_.stats());
  }
  void record(const modes::SbsRecord& s) {
    Aircraft& a = aircraft_[s.icao];
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
    r.time = live_ ? arrival_ : Time{s.time_ns};
    r.sensor = sensor_.id;
    r.sensor_kind = SensorKind::kAdsb;
    r.source = sensor_.id;
    r.source_offset = s.offset;
    GeodeticMeasurement g;
    g.position = {*s.lat_deg, *s.lon_deg, 0};
    const double sigma = sensor_.sigma_position_m > 0 ? sensor_.sigma_position_m : 50.0;
    g.covariance_enu = Eigen::Vector3d(sigma * sigma, sigma * sigma, 0).asDiagonal();
    r.measurement = g;
    if (s.altitude_ft) r.baro_alt_m = *s.altitude_ft * kFt;
    r.velocity_enu_mps = a.velocity;
    r.identity.icao24 = s.icao;
    r.identity.callsign = a.callsign;
    r.identity.mode3a = a.squawk;
    r.emergency = a.emergency;
    out_->push_back(std::move(r));
  }
  Sensor sensor_;
  bool live_;
  std::string name_;
  Diagnostics& d_;
  FramingForwarder forward_;
  modes::SbsParser sbs_;
  std::map<std::uint32_t, Aircraft> aircraft_;
  LineSplitter lines_;
  Time arrival_;
  std::vector<Report>* out_ = nullptr;
};

// Sensor reports as JSON Lines (docs/formats.md).
class JsonlFeed final : public FormatDecoder {
 public:
  JsonlFeed(const FeedConfig& feed, const Sensor& sensor, bool live, Diagnostics& d)
      : sensor_(sensor), live_(live), name_(source_name(feed, sensor, live)), d_(d) {}
  void feed(std::span<const std::uint8_t> bytes, Time, std::int64_t offset,
            std::vector<Report>& out) override {
    out_ = &out;
    lines_.feed(
        bytes, offset,
        [this](std::string_view text, std::int64_t at, long number) { line(text, at, number); }, d_,
        name_);
    out_ = nullptr;
  }
  void finish(std::vector<Report>& out) override {
    out_ = &out;
    lines_.finish(
        [this](std::string_view text, std::int64_t at, long number) { line(text, at, number); });
    out_ = nullptr;
  }

 private:
  void line(std::string_view text, std::int64_t offset, long number) {
    text = strip_cr(text);
    if (text.find_first_not_of(" \t") == std::string_view::npos) return;
    auto r = io::parse_report(text);
    if (!r) {
      // Files: FILE:LINE; live feeds have no lines to count from, so the offset.
      d_.error(live_ ? fmt::format("{}: offset {}: {}", name_, offset, r.error().detail)
                     : fmt::format("{}:{}: {}", name_, number, r.error().detail));
      return;
    }
    Report rep = std::move(r).value();
    rep.sensor = sensor_.id;
    rep.source = sensor_.id;
    rep.source_offset = offset;
    out_->push_back(std::move(rep));
  }
  Sensor sensor_;
  bool live_;
  std::string name_;
  Diagnostics& d_;
  LineSplitter lines_;
  std::vector<Report>* out_ = nullptr;
};
}  // namespace

std::unique_ptr<FormatDecoder> make_format_decoder(const FeedConfig& feed, const Sensor& sensor,
                                                   const std::string& specs_dir, bool live,
                                                   Diagnostics& diagnostics) {
  switch (feed.format) {
    case FeedFormat::kAsterix:
    case FeedFormat::kFinal:
    case FeedFormat::kPcap:
      return std::make_unique<AsterixFeed>(feed, sensor, specs_dir, live, diagnostics);
    case FeedFormat::kBeast:
    case FeedFormat::kAvr:
    case FeedFormat::kCsv:
      return std::make_unique<ModeSFeed>(feed, sensor, live, diagnostics);
    case FeedFormat::kSbs:
      return std::make_unique<SbsFeed>(feed, sensor, live, diagnostics);
    case FeedFormat::kJsonl:
      return std::make_unique<JsonlFeed>(feed, sensor, live, diagnostics);
    case FeedFormat::kMlatCsv:
      return make_mlat_feed(feed, sensor, live, diagnostics);
    case FeedFormat::kRemoteIdPcap:
      return make_remote_id_decoder(feed, sensor, live, diagnostics);
    case FeedFormat::kMlatBeast:
      return make_mlat_beast_decoder(feed, sensor, live, diagnostics);
  }
  throw ConfigError(fmt::format("sensor \"{}\": unknown feed format", sensor.name));
}

FeedDecoder::FeedDecoder(const FeedConfig& feed, const Sensor& sensor, const std::string& specs_dir,
                         bool live)
    : diagnostics_(std::make_unique<Diagnostics>()),
      decoder_(make_format_decoder(feed, sensor, specs_dir, live, *diagnostics_)) {}
FeedDecoder::~FeedDecoder() = default;
FeedDecoder::FeedDecoder(FeedDecoder&&) noexcept = default;

void FeedDecoder::feed(std::span<const std::uint8_t> bytes, Time arrival, std::int64_t offset,
                       std::vector<Report>& out, std::uint16_t input) {
  if (input == 0)
    decoder_->feed(bytes, arrival, offset, out);
  else
    decoder_->feed_input(input, bytes, arrival, offset, out);
}

void FeedDecoder::finish(std::vector<Report>& out) { decoder_->finish(out); }

long FeedDecoder::errors() const { return diagnostics_->errors(); }

std::vector<std::string> FeedDecoder::take_messages() { return diagnostics_->take_messages(); }

}  // namespace skyfuse::feeds
