#include "feeds/mlat_beast_feed.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <fstream>
#include <optional>
#include <unordered_map>

#include "core/error.hpp"
#include "core/input_file.hpp"
#include "decode/modes/decoder.hpp"
#include "decode/modes/framing.hpp"
#include "mlat/grouper.hpp"
#include "mlat/locards_csv.hpp"
#include "mlat/report_adapter.hpp"
#include "mlat/timestamp.hpp"

namespace skyfuse::feeds {

namespace {
namespace modes = decode::modes;
constexpr double kFt = 0.3048;
// A message without an altitude of its own takes its aircraft's last one this fresh.
constexpr double kAltitudeMaxAgeS = 10;

struct Input {
  std::string name;  // for messages: the path, or "sensor (input)"
  mlat::ReceiverId serial = 0;
  mlat::TimestampDecoder timestamps{mlat::ClockKind::kBeast};
  modes::BeastStream framing;
  std::size_t framing_messages = 0;  // framing messages already forwarded
  long framing_errors = 0;           // framing errors already counted
  Time start;                        // file: server time of the first frame
  bool have_first = false;
  std::int64_t first_ns = 0;  // file, free-running: the first frame's clock reading
  Time last_server;           // GPS: day hint
  long frames = 0;
};
}  // namespace

struct MlatBeastNetwork::Impl {
  Impl(const FeedConfig& feed, const Sensor& sensor, bool live, Diagnostics& d,
       mlat::ReceiverSet receivers)
      : live_(live),
        d_(d),
        receivers_(std::make_unique<mlat::ReceiverSet>(std::move(receivers))),
        grouper_({.window_s = feed.group_window_s,
                  .max_pending = static_cast<std::size_t>(std::max(1, feed.max_pending_groups))}),
        decoder_({.receiver = sensor.site, .sensor = sensor.id}) {
    if (feed.receiver_inputs.empty())
      throw ConfigError(fmt::format("sensor \"{}\": no receiver inputs", sensor.name));
    for (const ReceiverInput& ri : feed.receiver_inputs) {
      const mlat::Receiver* r = receivers_->find(ri.serial);
      if (!r)
        throw ConfigError(fmt::format("sensor \"{}\": receiver {} is not in {}", sensor.name,
                                      ri.serial, feed.receivers_path));
      Input& x = inputs_.emplace_back();
      x.name = live ? fmt::format("{} ({})", sensor.name, ri.input) : ri.path;
      x.serial = ri.serial;
      x.timestamps = mlat::TimestampDecoder(r->clock);
      double start = ri.start_unix;
      if (std::isnan(start)) start = start_from_name(ri.path);
      x.start = Time::from_seconds(start);
      x.last_server = x.start;
    }
    adapter_.emplace(*receivers_, mlat::MultilateratorConfig{}, sensor.id);
  }

  void forward_framing(Input& x) {
    const modes::FramingStats& fs = x.framing.stats();
    for (; x.framing_messages < fs.messages.size(); ++x.framing_messages)
      d_.error(fmt::format("{}: {}", x.name, fs.messages[x.framing_messages]));
    const long extra = fs.errors - static_cast<long>(fs.messages.size());
    if (extra > x.framing_errors) {
      d_.count(extra - x.framing_errors);
      x.framing_errors = extra;
    }
  }

  void frame(std::uint32_t index, const modes::RawFrame& f, Time arrival,
             std::vector<NetworkFrame>& frames) {
    Input& x = inputs_[index];
    if (f.kind != modes::RawFrame::Kind::kModeS || (f.n_bytes != 7 && f.n_bytes != 14)) {
      ++mode_ac_;
      return;
    }
    if (!f.has_counter || f.counter_12mhz == 0) {  // no MLAT timestamp (dump1090 sends 0)
      ++no_timestamp_;
      return;
    }
    const Time hint = live_ ? arrival : x.last_server;
    const auto ns = x.timestamps.to_ns(f.counter_12mhz, hint);
    if (!ns) {
      d_.error(fmt::format("{}: offset {}: GPS timestamp out of range", x.name, f.offset));
      return;
    }
    NetworkFrame n;
    n.input = index;
    n.bytes = f.bytes;
    n.n_bytes = f.n_bytes;
    n.toa_ns = *ns;
    n.signal = f.signal;
    n.offset = f.offset;
    if (live_) {
      n.server_time = arrival;
    } else if (x.timestamps.kind() == mlat::ClockKind::kGps) {
      n.server_time = Time{*ns};
    } else {
      if (!x.have_first) {
        x.have_first = true;
        x.first_ns = *ns;
      }
      n.server_time = x.start + Duration{*ns - x.first_ns};
    }
    // As the CSV rows are bounded (mlat/locards_csv.cpp): clock readings below
    // 2^61 ns and times within 0..4e9 s, so sums of a few stay in 64 bits.
    if (n.toa_ns < 0 || n.toa_ns >= (std::int64_t{1} << 61) || n.server_time.ns < 0 ||
        n.server_time > Time::from_seconds(4e9)) {
      d_.error(fmt::format("{}: offset {}: timestamp out of range", x.name, f.offset));
      return;
    }
    x.last_server = n.server_time;
    ++x.frames;
    frames.push_back(n);
  }

  void push(const NetworkFrame& f, std::vector<Report>& out) {
    if (f.input >= inputs_.size()) return;
    const mlat::Copy copy{.receiver = inputs_[f.input].serial,
                          .toa_ns = f.toa_ns,
                          .server_time = f.server_time,
                          .rssi = static_cast<double>(f.signal),
                          .offset = f.offset};
    grouper_.push(std::span<const std::uint8_t>(f.bytes.data(), f.n_bytes), copy, groups_);
    drain(out);
  }

  void drain(std::vector<Report>& out) {
    for (const mlat::Group& g : groups_) group(g, out);
    groups_.clear();
  }

  // One transmission: decoded once, then a reference, a message to locate or nothing.
  void group(const mlat::Group& g, std::vector<Report>& out) {
    const modes::Decoded d = decoder_.decode(g.bytes.data(), g.n_bytes, g.time);
    if (g.copies.size() < 2) {
      ++single_;
      return;
    }
    const modes::Message& msg = d.msg;
    if (!d.address_known) {
      const bool announced = msg.df == 11 || msg.df == 17 || msg.df == 18;
      ++(announced ? bad_crc_ : unknown_);  // a failed CRC, or an AP frame of no known aircraft
      return;
    }
    if (msg.altitude_ft) altitude_[msg.icao] = {g.time, *msg.altitude_ft};
    if ((++grouped_ & 4095) == 0)
      std::erase_if(altitude_, [&](const auto& kv) {
        return (g.time - kv.second.first).seconds() > kAltitudeMaxAgeS;
      });
    mlat::Message m;
    m.id = grouped_;
    m.time = g.time;
    m.aircraft = fmt::format("{:06x}", msg.icao);
    m.icao24 = msg.icao;
    m.toas.reserve(g.copies.size());
    for (const mlat::Copy& c : g.copies)
      m.toas.push_back({.receiver = c.receiver, .toa_ns = c.toa_ns, .rssi = c.rssi});
    if (auto it = altitude_.find(msg.icao);
        it != altitude_.end() && (g.time - it->second.first).seconds() <= kAltitudeMaxAgeS)
      m.baro_alt_m = it->second.second * kFt;
    const bool airborne_position = (msg.df == 17 || msg.df == 18) && msg.cpr && !msg.cpr->surface;
    if (airborne_position && d.position) {
      if (msg.gnss_altitude_ft) m.geo_alt_m = *msg.gnss_altitude_ft * kFt;
      if (m.geo_alt_m || msg.altitude_ft) {
        const double h = m.geo_alt_m ? *m.geo_alt_m : *msg.altitude_ft * kFt;
        m.reference = GeodeticPosition{d.position->lat_deg, d.position->lon_deg, h};
        if (!msg.altitude_ft) m.baro_alt_m.reset();
      }
    }
    adapter_->push(m, out, g.copies.front().offset);
  }

  std::vector<std::pair<std::string, long>> counters() const {
    std::vector<std::pair<std::string, long>> c;
    const mlat::GrouperStats& gs = grouper_.stats();
    long frames = 0;
    for (const Input& x : inputs_) frames += x.frames;
    c.emplace_back("mlat_frames", frames);
    c.emplace_back("mlat_frames_mode_ac", mode_ac_);
    c.emplace_back("mlat_frames_no_timestamp", no_timestamp_);
    c.emplace_back("mlat_groups", static_cast<long>(gs.groups));
    c.emplace_back("mlat_groups_single_receiver", single_);
    c.emplace_back("mlat_groups_unknown_address", unknown_);
    c.emplace_back("mlat_groups_bad_crc", bad_crc_);
    c.emplace_back("mlat_groups_evicted", static_cast<long>(gs.evicted));
    c.emplace_back("mlat_copies_late", static_cast<long>(gs.late));
    c.emplace_back("mlat_copies_repeated", static_cast<long>(gs.repeats));
    c.emplace_back("mlat_groups_peak_pending", static_cast<long>(gs.peak_pending));
    c.emplace_back("mlat_messages", static_cast<long>(adapter_->messages()));
    c.emplace_back("mlat_references",
                   static_cast<long>(adapter_->multilaterator().stats().references));
    for (std::size_t f = 0; f < mlat::kFixFlagCount; ++f) {
      const auto flag = static_cast<mlat::FixFlag>(f);
      c.emplace_back(fmt::format("mlat_fixes_{}", mlat::to_string(flag)),
                     static_cast<long>(adapter_->counts(flag)));
    }
    return c;
  }

  bool live_;
  Diagnostics& d_;
  std::unique_ptr<mlat::ReceiverSet> receivers_;  // stable address for the adapter
  std::vector<Input> inputs_;
  std::optional<mlat::ReportAdapter> adapter_;
  mlat::Grouper grouper_;
  modes::Decoder decoder_;
  std::vector<mlat::Group> groups_;
  std::unordered_map<std::uint32_t, std::pair<Time, int>> altitude_;  // icao -> (time, ft)
  std::int64_t grouped_ = 0;
  long mode_ac_ = 0, no_timestamp_ = 0, single_ = 0, unknown_ = 0, bad_crc_ = 0;
};

namespace {
mlat::ReceiverSet read_receiver_list(const FeedConfig& feed, const Sensor& sensor, Diagnostics& d) {
  std::ifstream in(feed.receivers_path);
  if (!in)
    throw ConfigError(fmt::format("{}: cannot open the receiver list of sensor \"{}\"",
                                  feed.receivers_path, sensor.name));
  mlat::ReceiverFile rf = mlat::read_receivers(in);
  for (const Error& e : rf.errors)
    d.error(fmt::format("{}:{}: {}", feed.receivers_path, e.offset, e.detail));
  return std::move(rf.receivers);
}
}  // namespace

MlatBeastNetwork::MlatBeastNetwork(const FeedConfig& feed, const Sensor& sensor, bool live,
                                   Diagnostics& d)
    : impl_(std::make_unique<Impl>(feed, sensor, live, d, read_receiver_list(feed, sensor, d))) {}
MlatBeastNetwork::MlatBeastNetwork(const FeedConfig& feed, const Sensor& sensor, bool live,
                                   Diagnostics& d, mlat::ReceiverSet receivers)
    : impl_(std::make_unique<Impl>(feed, sensor, live, d, std::move(receivers))) {}
MlatBeastNetwork::~MlatBeastNetwork() = default;

std::size_t MlatBeastNetwork::inputs() const { return impl_->inputs_.size(); }

void MlatBeastNetwork::parse(std::size_t input, std::span<const std::uint8_t> bytes, Time arrival,
                             std::int64_t /*offset*/, std::vector<NetworkFrame>& frames) {
  if (input >= impl_->inputs_.size()) return;
  Input& x = impl_->inputs_[input];
  const auto index = static_cast<std::uint32_t>(input);
  x.framing.feed_fast(bytes,
                      [&](const modes::RawFrame& f) { impl_->frame(index, f, arrival, frames); });
  impl_->forward_framing(x);
}

void MlatBeastNetwork::end(std::size_t input) {
  if (input >= impl_->inputs_.size()) return;
  Input& x = impl_->inputs_[input];
  x.framing.finish();
  impl_->forward_framing(x);
}

void MlatBeastNetwork::push(const NetworkFrame& frame, std::vector<Report>& out) {
  impl_->push(frame, out);
}

void MlatBeastNetwork::finish(std::vector<Report>& out) {
  impl_->grouper_.flush(impl_->groups_);
  impl_->drain(out);
  impl_->adapter_->flush(out);
}

std::vector<std::pair<std::string, long>> MlatBeastNetwork::counters() const {
  return impl_->counters();
}

const mlat::Multilaterator& MlatBeastNetwork::multilaterator() const {
  return impl_->adapter_->multilaterator();
}

namespace {
class MlatBeastDecoder final : public FormatDecoder {
 public:
  MlatBeastDecoder(const FeedConfig& feed, const Sensor& sensor, bool live, Diagnostics& d)
      : net_(feed, sensor, live, d) {}
  void feed(std::span<const std::uint8_t> bytes, Time arrival, std::int64_t offset,
            std::vector<Report>& out) override {
    feed_input(0, bytes, arrival, offset, out);
  }
  void feed_input(std::uint16_t input, std::span<const std::uint8_t> bytes, Time arrival,
                  std::int64_t offset, std::vector<Report>& out) override {
    frames_.clear();
    net_.parse(input, bytes, arrival, offset, frames_);  // an unknown input: nothing
    for (const NetworkFrame& f : frames_) net_.push(f, out);
  }
  void finish(std::vector<Report>& out) override {
    for (std::size_t i = 0; i < net_.inputs(); ++i) net_.end(i);
    net_.finish(out);
  }
  std::vector<std::pair<std::string, long>> counters() const override { return net_.counters(); }

 private:
  MlatBeastNetwork net_;
  std::vector<NetworkFrame> frames_;
};
}  // namespace

std::unique_ptr<FormatDecoder> make_mlat_beast_decoder(const FeedConfig& feed, const Sensor& sensor,
                                                       bool live, Diagnostics& diagnostics) {
  return std::make_unique<MlatBeastDecoder>(feed, sensor, live, diagnostics);
}

FeedData read_mlat_beast_feed(const FeedConfig& feed, const Sensor& sensor) {
  Diagnostics d;
  MlatBeastNetwork net(feed, sensor, false, d);
  FeedData out;
  read_mlat_beast_files(feed, sensor, net, out);
  out.errors = d.errors();
  for (auto& m : d.take_messages())
    if (out.messages.size() < 20) out.messages.push_back(std::move(m));
  return out;
}

void read_mlat_beast_files(const FeedConfig& feed, const Sensor& sensor, MlatBeastNetwork& net,
                           FeedData& out) {
  struct File {
    std::ifstream in;
    std::int64_t offset = 0;
    bool eof = false;
    std::deque<NetworkFrame> frames;
  };
  std::vector<File> files(net.inputs());
  for (std::size_t i = 0; i < files.size(); ++i) {
    const std::string& path = feed.receiver_inputs[i].path;
    files[i].in = open_input_file(path, fmt::format("input of sensor \"{}\"", sensor.name));
  }
  std::vector<std::uint8_t> buf(1 << 16);
  std::vector<NetworkFrame> parsed;
  for (;;) {
    // Every file with nothing queued reads on until it has a frame or ends.
    for (std::size_t i = 0; i < files.size(); ++i) {
      File& f = files[i];
      while (f.frames.empty() && !f.eof) {
        f.in.read(reinterpret_cast<char*>(buf.data()), static_cast<std::streamsize>(buf.size()));
        const auto got = static_cast<std::size_t>(f.in.gcount());
        if (got == 0) {
          f.eof = true;
          net.end(i);
          break;
        }
        parsed.clear();
        net.parse(i, std::span<const std::uint8_t>(buf.data(), got), Time{}, f.offset, parsed);
        f.offset += static_cast<std::int64_t>(got);
        f.frames.insert(f.frames.end(), parsed.begin(), parsed.end());
      }
    }
    // The earliest head frame of all files next (ties: the lower input).
    std::size_t best = files.size();
    for (std::size_t i = 0; i < files.size(); ++i)
      if (!files[i].frames.empty() &&
          (best == files.size() ||
           files[i].frames.front().server_time < files[best].frames.front().server_time))
        best = i;
    if (best == files.size()) break;
    net.push(files[best].frames.front(), out.reports);
    files[best].frames.pop_front();
  }
  net.finish(out.reports);
  out.counters = net.counters();
}

}  // namespace skyfuse::feeds
