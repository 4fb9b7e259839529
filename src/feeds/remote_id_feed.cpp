#include "feeds/remote_id_feed.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <map>

#include "core/error.hpp"
#include "decode/remoteid/capture.hpp"
#include "decode/remoteid/decoder.hpp"

namespace skyfuse::feeds {

namespace rid = decode::remoteid;

namespace {
// A 95 % bound -> one sigma: per axis of a circular 2-D Gaussian (the
// horizontal class bounds the radial error: sqrt(chi2_2(0.95)) = 2.4477),
// and of a 1-D one (vertical, speed: 1.96).
constexpr double kHorizontal95 = 2.4477;
constexpr double kOneD95 = 1.96;
constexpr double kGroundSigmaM = 30;            // the ground near a receiver vs its site height
constexpr std::size_t kMaxHeld = 16;            // Locations waiting for a Basic ID, per transmitter
constexpr std::size_t kMaxTransmitters = 4096;  // remembered at once (oldest forgotten)

template <class T>
void put(std::vector<std::uint8_t>& out, T v) {
  std::uint8_t b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));  // little-endian hosts only (x86-64, arm64)
  out.insert(out.end(), b, b + sizeof(T));
}
template <class T>
T get(const std::uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

// What a Basic ID names the UA by, and how much that name is worth: a serial
// number above a session ID above a UTM UUID above a registration.
int id_rank(std::uint8_t id_type) {
  switch (id_type) {
    case 1:
      return 4;
    case 4:
      return 3;
    case 3:
      return 2;
    case 2:
      return 1;
    default:
      return 0;
  }
}
std::string id_of(const rid::BasicId& b) {
  if (b.id_type == 3 || b.id_type == 4) {  // binary: hex, trailing padding cut
    std::size_t n = b.raw_id.size();
    while (n > 0 && b.raw_id[n - 1] == 0) --n;
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s += fmt::format("{:02X}", b.raw_id[i]);
    return s;
  }
  return std::string(b.uas_id.view());
}

class RemoteIdFeed final : public FormatDecoder {
 public:
  RemoteIdFeed(const FeedConfig& feed, const Sensor& sensor, bool live, Diagnostics& d)
      : sensor_(sensor),
        name_(live ? fmt::format("{} ({})", sensor.name, feed.input) : feed.path),
        d_(d) {}

  void feed(std::span<const std::uint8_t> bytes, Time, std::int64_t,
            std::vector<Report>& out) override {
    out_ = &out;
    buf_.insert(buf_.end(), bytes.begin(), bytes.end());
    std::size_t pos = 0;
    while (buf_.size() - pos >= kPacketRecordHeader) {
      const std::uint8_t* h = buf_.data() + pos;
      const auto len = get<std::uint32_t>(h);
      if (len > kMaxPacketRecordData) {  // not a record stream: nothing to resynchronise on
        d_.error(fmt::format("{}: packet record of {} bytes: stream dropped", name_, len));
        buf_.clear();
        pos = 0;
        break;
      }
      if (buf_.size() - pos < kPacketRecordHeader + len) break;
      const int dlt = get<std::int32_t>(h + 4);
      const Time t{get<std::int64_t>(h + 8)};
      const auto number = get<std::int64_t>(h + 16);
      packet(dlt, t, number, std::span<const std::uint8_t>(h + kPacketRecordHeader, len));
      pos += kPacketRecordHeader + len;
    }
    buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(pos));
    out_ = nullptr;
  }

  void finish(std::vector<Report>& out) override {
    out_ = &out;
    if (!buf_.empty())
      d_.error(fmt::format("{}: {} bytes of a truncated packet record", name_, buf_.size()));
    buf_.clear();
    for (auto& [mac, u] : uas_) release_held(u, true);
    out_ = nullptr;
  }

 private:
  struct Held {
    Report report;
    Time capture;
  };
  struct Uas {
    std::string id;
    int id_rank = -1;
    std::optional<OperatorPosition> op;
    std::array<std::uint8_t, rid::kMessageSize> last_location{};
    bool has_location = false;
    std::vector<Held> held;
    Time last_seen;
  };

  void packet(int dlt, Time t, std::int64_t number, std::span<const std::uint8_t> data) {
    if (!rid::link_supported(dlt)) {
      if (!unsupported_told_)
        d_.error(fmt::format("{}: packet {}: link-layer type {} is not a Remote ID capture", name_,
                             number, dlt));
      else
        d_.count(1);
      unsupported_told_ = true;
      return;
    }
    now_ = t;
    const long errors_before = decoder_.stats().errors;
    const std::size_t kept_before = decoder_.stats().first_errors.size();
    decoder_.decode(dlt, t, number, data, [this](const rid::Decoded& m) { message(m); });
    const auto& st = decoder_.stats();
    for (std::size_t k = kept_before; k < st.first_errors.size(); ++k)
      d_.error(fmt::format("{}: packet {}: {}", name_, st.first_errors[k].frame,
                           st.first_errors[k].error.detail));
    d_.count(st.errors - errors_before - static_cast<long>(st.first_errors.size() - kept_before));
    // Locations that waited long enough for a Basic ID go without one.
    if (held_ > 0)
      for (auto& [mac, u] : uas_) release_held(u, false);
  }

  Uas& uas_of(const rid::Decoded& m) {
    const rid::Mac key = m.mac.value_or(rid::Mac{});
    auto it = uas_.find(key);
    if (it == uas_.end()) {
      if (uas_.size() >= kMaxTransmitters) forget_oldest();
      it = uas_.emplace(key, Uas{}).first;
    }
    it->second.last_seen = m.time;
    return it->second;
  }

  void forget_oldest() {
    auto oldest = uas_.begin();
    for (auto it = uas_.begin(); it != uas_.end(); ++it)
      if (it->second.last_seen < oldest->second.last_seen) oldest = it;
    release_held(oldest->second, true);
    uas_.erase(oldest);
  }

  void message(const rid::Decoded& m) {
    Uas& u = uas_of(m);
    if (const auto* b = std::get_if<rid::BasicId>(&m.message.body)) {
      std::string id = id_of(*b);
      const int rank = id_rank(b->id_type);
      if (id.empty() || rank < u.id_rank || id == u.id) return;
      u.id = std::move(id);
      u.id_rank = rank;
      for (Held& h : u.held) {
        h.report.identity.remote_id = u.id;
        out_->push_back(std::move(h.report));
      }
      held_ -= u.held.size();
      u.held.clear();
    } else if (const auto* s = std::get_if<rid::System>(&m.message.body)) {
      if (s->operator_lat_deg && s->operator_lon_deg)
        u.op = OperatorPosition{*s->operator_lat_deg, *s->operator_lon_deg, s->operator_alt_geo_m};
    } else if (const auto* loc = std::get_if<rid::Location>(&m.message.body)) {
      // Beacons repeat a message until the next one: one report per change.
      if (m.raw.size() == rid::kMessageSize && u.has_location &&
          std::equal(m.raw.begin(), m.raw.end(), u.last_location.begin()))
        return;
      if (m.raw.size() == rid::kMessageSize) {
        std::copy(m.raw.begin(), m.raw.end(), u.last_location.begin());
        u.has_location = true;
      }
      const auto fix = rid::to_fix(*loc, m.time, u.id);
      if (!fix) return;  // no position in it
      Report r = remote_id_report(*fix, sensor_, m.time, u.op);
      r.source_offset = m.frame;
      if (m.rssi_dbm) r.rssi_dbm = *m.rssi_dbm;
      if (!u.id.empty()) {
        out_->push_back(std::move(r));
      } else if (u.held.size() < kMaxHeld) {
        u.held.push_back({std::move(r), m.time});
        ++held_;
      } else {
        out_->push_back(std::move(r));
      }
    }
  }

  void release_held(Uas& u, bool all) {
    std::size_t n = 0;
    while (n < u.held.size() && (all || (now_ - u.held[n].capture).seconds() > kHoldS))
      out_->push_back(std::move(u.held[n++].report));
    u.held.erase(u.held.begin(), u.held.begin() + static_cast<std::ptrdiff_t>(n));
    held_ -= n;
  }

  Sensor sensor_;
  std::string name_;
  Diagnostics& d_;
  rid::Decoder decoder_;
  std::map<rid::Mac, Uas> uas_;
  std::vector<std::uint8_t> buf_;  // a partial packet record
  std::size_t held_ = 0;           // Locations held, all transmitters
  bool unsupported_told_ = false;
  Time now_;
  std::vector<Report>* out_ = nullptr;
};
}  // namespace

void append_packet_record(std::vector<std::uint8_t>& out, int dlt, Time t, std::int64_t number,
                          std::span<const std::uint8_t> data) {
  put(out, static_cast<std::uint32_t>(data.size()));
  put(out, static_cast<std::int32_t>(dlt));
  put(out, t.ns);
  put(out, number);
  out.insert(out.end(), data.begin(), data.end());
}

std::string capture_to_records(std::span<const std::uint8_t> file,
                               std::vector<std::uint8_t>& records, std::vector<RecordSpan>& spans) {
  auto reader = rid::CaptureReader::open_memory(file);
  if (!reader) return reader.error().detail;
  const int dlt = reader->link_type();
  for (;;) {
    auto p = reader->next();
    if (!p) return fmt::format("packet {}: {}", p.error().offset, p.error().detail);
    if (!p->has_value()) return "";
    const rid::CapturedPacket& c = **p;
    if (c.data.size() > kMaxPacketRecordData) continue;
    const std::size_t begin = records.size();
    append_packet_record(records, dlt, c.time, c.number, c.data);
    spans.push_back({c.number, begin, records.size() - begin});
  }
}

Report remote_id_report(const rid::PositionFix& fix, const Sensor& sensor, Time capture,
                        const std::optional<OperatorPosition>& op) {
  Report r;
  r.time = fix.time;
  if (fix.time_from_message) r.clock_offset_s = (fix.time - capture).seconds();
  if (!fix.time_from_message || std::abs((fix.time - capture).seconds()) > kMaxClockOffsetS)
    r.time = capture;
  r.sensor = sensor.id;
  r.source = sensor.id;
  r.sensor_kind = SensorKind::kRemoteId;
  GeodeticMeasurement g;
  g.position = {fix.lat_deg, fix.lon_deg, 0};
  std::optional<double> vertical_95;
  if (fix.alt_geo_m) {
    g.has_height = true;
    g.position.alt_m = *fix.alt_geo_m;
    vertical_95 = fix.vertical_accuracy_m;
  } else if (fix.height_m && fix.height_type == rid::HeightType::kAboveTakeoff && op && op->alt_m) {
    // The operator stands near the take-off point (the System message's
    // location type says take-off, live GNSS or fixed: all at the pilot).
    g.has_height = true;
    g.position.alt_m = *op->alt_m + *fix.height_m;
  }
  if (!g.has_height && fix.alt_baro_m) r.baro_alt_m = *fix.alt_baro_m;
  if (!g.has_height && !r.baro_alt_m && fix.height_m) {
    // Remote ID reaches a few kilometres: the ground there is near the
    // receiver's height (its site), give or take kGroundSigmaM.
    g.has_height = true;
    g.position.alt_m = sensor.site.alt_m + *fix.height_m;
    g.covariance_enu(2, 2) = kGroundSigmaM * kGroundSigmaM;
  }
  if (fix.horizontal_accuracy_m) {
    const double s = *fix.horizontal_accuracy_m / kHorizontal95;
    g.covariance_enu(0, 0) = g.covariance_enu(1, 1) = s * s;
  }
  if (g.has_height && vertical_95) {
    const double s = *vertical_95 / kOneD95;
    g.covariance_enu(2, 2) = s * s;
  }
  r.measurement = g;
  if (fix.velocity_east_mps && fix.velocity_north_mps) {
    r.velocity_enu_mps = Eigen::Vector3d(*fix.velocity_east_mps, *fix.velocity_north_mps,
                                         fix.velocity_up_mps.value_or(0.0));
    if (fix.speed_accuracy_mps) {
      const double s = *fix.speed_accuracy_mps / kOneD95;
      r.velocity_covariance = Eigen::Matrix3d::Identity() * (s * s);
    }
  }
  r.identity.remote_id = fix.uas_id;
  r.emergency = fix.status == 3;
  r.operator_position = op;
  return r;
}

std::unique_ptr<FormatDecoder> make_remote_id_decoder(const FeedConfig& feed, const Sensor& sensor,
                                                      bool live, Diagnostics& diagnostics) {
  return std::make_unique<RemoteIdFeed>(feed, sensor, live, diagnostics);
}

FeedData read_remote_id_capture(const FeedConfig& feed, const Sensor& sensor) {
  auto reader = rid::CaptureReader::open(feed.path);
  if (!reader)
    throw ConfigError(fmt::format("{}: cannot read the Remote ID capture of sensor \"{}\": {}",
                                  feed.path, sensor.name, reader.error().detail));
  FeedData d;
  FeedDecoder dec(feed, sensor, "", false);
  std::vector<std::uint8_t> rec;
  const int dlt = reader->link_type();
  for (;;) {
    auto p = reader->next();
    if (!p) {
      d.errors += 1;
      d.messages.push_back(fmt::format("{}: packet {}: capture damaged, reading stopped: {}",
                                       feed.path, p.error().offset, p.error().detail));
      break;
    }
    if (!p->has_value()) break;
    const rid::CapturedPacket& c = **p;
    rec.clear();
    append_packet_record(rec, dlt, c.time, c.number, c.data);
    dec.feed(rec, c.time, c.number, d.reports);
  }
  dec.finish(d.reports);
  d.errors += dec.errors();
  for (auto& m : dec.take_messages())
    if (d.messages.size() < 20) d.messages.push_back(std::move(m));
  return d;
}

}  // namespace skyfuse::feeds
