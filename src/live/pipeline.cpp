#include "live/pipeline.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <condition_variable>
#include <ctime>
#include <fstream>
#include <map>
#include <mutex>
#include <numbers>
#include <optional>
#include <thread>

#include "core/error.hpp"
#include "decode/asterix/spec.hpp"
#include "feeds/feed_decoder.hpp"
#include "live/latency_histogram.hpp"
#include "log/log.hpp"
#include "output/sinks.hpp"
#include "record/recording.hpp"
#include "safety/safety_nets.hpp"
#include "tracking/time_guard.hpp"
#include "tracking/tracker.hpp"

namespace skyfuse::live {

namespace {
using Histogram = LatencyHistogram;

// Turns publications into the store's picture and the WebSocket message on
// its own thread: formatting 10,000 tracks takes tens of milliseconds, which
// on the pipeline thread held every packet behind it. A publication posted
// while the previous one is still waiting replaces it (the newer picture has
// every track), keeping the alert events of both in order. Nothing the
// pipeline records depends on it.
class Publisher {
 public:
  Publisher(server::LiveStore& store, std::function<void(std::shared_ptr<const std::string>)> sink)
      : store_(store), sink_(std::move(sink)), thread_([this] { run(); }) {}
  ~Publisher() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();  // publishes what is pending first
  }
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  void post(server::Publication p) {
    {
      std::lock_guard lock(mu_);
      if (pending_) {
        auto& older = pending_->alert_events;
        p.alert_events.insert(p.alert_events.begin(), std::make_move_iterator(older.begin()),
                              std::make_move_iterator(older.end()));
      }
      pending_ = std::move(p);
    }
    cv_.notify_all();
  }
  // Returns once everything posted so far is in the store.
  void flush() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return !pending_ && !busy_; });
  }

 private:
  void run() {
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait(lock, [this] { return pending_ || stop_; });
      if (!pending_) return;  // stopping, nothing left
      server::Publication p = std::move(*pending_);
      pending_.reset();
      busy_ = true;
      lock.unlock();
      auto msg = std::make_shared<const std::string>(store_.publish(std::move(p)));
      if (sink_) sink_(std::move(msg));
      lock.lock();
      busy_ = false;
      cv_.notify_all();
    }
  }

  server::LiveStore& store_;
  std::function<void(std::shared_ptr<const std::string>)> sink_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<server::Publication> pending_;
  bool busy_ = false;
  bool stop_ = false;
  std::thread thread_;  // last: starts after the members it uses
};

double resident_bytes() {
  std::ifstream in("/proc/self/statm");
  long pages = 0, rss = 0;
  in >> pages >> rss;
  return static_cast<double>(rss) * static_cast<double>(::sysconf(_SC_PAGESIZE));
}
}  // namespace

struct Pipeline::Impl {
  const SystemConfig& cfg;
  PipelineOutputs out;
  tracking::Tracker tracker;
  tracking::TimeGuard guard;
  safety::SafetyNets nets;
  std::vector<feeds::FeedDecoder> decoders;
  std::vector<SourceHealth> health;
  std::map<std::uint32_t, server::AircraftInfo> aircraft;  // by 24-bit address
  std::uint64_t messages = 0;  // Mode S frames and other reports admitted
  // Where track updates go, in this order: lines (file, recording), CAT062,
  // the picture (safety nets, live store).
  std::unique_ptr<output::JsonLinesSink> lines;
  std::unique_ptr<output::Cat062Sink> cat062;
  output::PictureSink picture;
  std::vector<output::TrackSink*> sinks;
  std::ofstream alerts_file;
  std::string alert_buf;
  Time next_publish;
  bool have_publish = false;
  std::uint64_t track_lines = 0, alert_lines = 0, reports = 0, input_errors = 0;
  std::vector<long> errors_seen;  // per source: its decoder's total already counted
  std::uint64_t packets = 0;
  std::size_t tracker_errors_logged = 0;  // the tracker's first rejections, logged so far
  Histogram latency;
  std::vector<Report> scratch;
  Time first_data{INT64_MAX}, last_data{INT64_MIN};
  std::uint64_t aircraft_added = 0, aircraft_single = 0;  // readsb's tracks.all, single_message
  bool viewed = false;  // a view was published since the last refresh
  std::map<std::string, safety::Alert> system_alerts;  // raised by the system about itself
  std::vector<safety::AlertEvent> system_events;       // not yet published
  // Network sources: hashes of the last datagrams, so a duplicate (a redundant
  // LAN, a looping switch) is dropped and counted, not tracked twice.
  std::vector<std::array<std::uint64_t, 32>> recent_hashes;
  std::vector<std::size_t> recent_next;
  std::uint64_t duplicates = 0;
  std::uint64_t reports_elsewhere = 0;  // not this region's (PipelineOutputs::track_report)
  // File sources replayed in a loop: each pass comes with a new time shift.
  // A source whose shift changed starts over; the tracker is told from the
  // first report of its new pass.
  std::vector<std::optional<std::int64_t>> pass_shift;
  std::vector<char> pass_started;
  std::unique_ptr<Publisher> publisher;  // with a store; destroyed first

  Impl(const SystemConfig& c, std::vector<safety::Zone> zones, const std::string& specs,
       PipelineOutputs o)
      : cfg(c),
        out(std::move(o)),
        tracker(c.tracker, c.sensors),
        guard(c.data_time, c.sensors.size()),
        nets(c.safety, std::move(zones)),
        picture(out.store) {
    for (std::size_t i = 0; i < cfg.sensors.size(); ++i) {
      decoders.emplace_back(cfg.feeds[i], cfg.sensors[i], specs,
                            cfg.feeds[i].transport != feeds::Transport::kFile);
      health.emplace_back();
    }
    errors_seen.assign(cfg.sensors.size(), 0);
    recent_hashes.assign(cfg.sensors.size(), {});
    recent_next.assign(cfg.sensors.size(), 0);
    pass_shift.assign(cfg.sensors.size(), std::nullopt);
    pass_started.assign(cfg.sensors.size(), 1);
    if (!out.tracks_out.empty() || out.recorder) {
      lines = std::make_unique<output::JsonLinesSink>(out.tracks_out, out.recorder);
      sinks.push_back(lines.get());
    }
    if (!out.alerts_out.empty()) {
      alerts_file.open(out.alerts_out, std::ios::binary | std::ios::trunc);
      if (!alerts_file) throw ConfigError(fmt::format("{}: cannot write", out.alerts_out));
    }
    if (out.store) publisher = std::make_unique<Publisher>(*out.store, out.on_picture);
    if (out.on_asterix) {
      auto udp = [this](std::vector<std::uint8_t>&& b) { out.on_asterix(std::move(b)); };
      cat062 = std::make_unique<output::Cat062Sink>(
          std::make_unique<output::Cat062Writer>(udp, specs, cfg.sac, cfg.sic),
          decode::asterix::load_category(specs + "/cat065/cat065-1.6.json"), udp, cfg.sac, cfg.sic);
      sinks.push_back(cat062.get());
    }
    for (output::TrackSink* k : out.extra_sinks) sinks.push_back(k);
    sinks.push_back(&picture);
  }

  // Each track update the tracker published, to every sink by reference.
  void drain() {
    tracker.drain([this](const ObjectState& s) {
      for (output::TrackSink* k : sinks) k->update(s);
      ++track_lines;
    });
  }

  // A datagram seen among its source's last 32 (UDP only: a byte stream's
  // pieces may repeat).
  bool duplicate(std::uint16_t source, std::span<const std::uint8_t> bytes) {
    if (cfg.feeds[source].transport != feeds::Transport::kUdp) return false;
    std::uint64_t h = 1469598103934665603ull ^ bytes.size();  // FNV-1a
    for (std::uint8_t b : bytes) h = (h ^ b) * 1099511628211ull;
    h |= 1;  // 0 marks an empty slot
    auto& ring = recent_hashes[source];
    for (std::uint64_t x : ring)
      if (x == h) return true;
    ring[recent_next[source]++ % ring.size()] = h;
    return false;
  }

  // A system alert (raised once; cleared never: it needs an operator).
  void raise_system(const std::string& key, const std::string& detail) {
    if (system_alerts.count(key)) return;
    safety::Alert a;
    a.key = key;
    a.kind = safety::AlertKind::kSystem;
    a.detail = detail;
    a.raised = a.last_seen = tracker.now();
    system_alerts[key] = a;
    system_events.push_back({tracker.now(), true, a});
    log::warn("skyfuse run: ALERT {}", detail);
  }

  void publish(Time now) {
    // Reports the tracker rejected (impossible values) are counted in
    // reports_rejected_total; the first ones are named, as `track` does.
    const auto& rejected = tracker.errors();
    for (; tracker_errors_logged < rejected.size(); ++tracker_errors_logged)
      log::warn("skyfuse run: rejected: {}", rejected[tracker_errors_logged]);
    std::vector<ObjectState> pic;
    pic.reserve(picture.picture().size());
    for (const auto& [id, s] : picture.picture()) pic.push_back(s);
    auto events = nets.evaluate(now, pic);
    events.insert(events.end(), system_events.begin(), system_events.end());
    system_events.clear();
    for (const auto& ev : events) {
      std::string line = safety::to_json(ev);
      if (alerts_file.is_open()) {
        alert_buf += line;
        alert_buf += '\n';
      }
      if (out.recorder) {
        record::Entry e;
        e.type = record::EntryType::kAlert;
        e.data = now;
        e.bytes = std::move(line);
        out.recorder->add(e);
      }
      ++alert_lines;
    }
    if (alerts_file.is_open() && !alert_buf.empty()) {
      alerts_file << alert_buf;
      alerts_file.flush();
      alert_buf.clear();
    }
    for (output::TrackSink* k : sinks) k->period(now);
    publish_view(now, std::move(events));
  }

  // The picture, sensors, alerts and counters to the store and the WebSocket
  // (no state changes: also called on wall-clock idle).
  void publish_view(Time now, std::vector<safety::AlertEvent> events) {
    if (!out.store) return;
    server::Publication p;
    p.now = now;
    p.mode = out.mode;
    p.speed = out.speed;
    // What the Mode S inputs said per address (aircraft.json, flight levels);
    // addresses silent for five minutes of data time are forgotten.
    std::erase_if(aircraft, [this, now](const auto& e) {
      if ((now - e.second.last_seen).seconds() <= 300) return false;
      aircraft_single += e.second.messages <= 1 ? 1 : 0;
      return true;
    });
    p.aircraft = aircraft;
    p.messages = messages;
    p.start = first_data.ns == INT64_MAX ? now : first_data;
    p.counts = receiver_counts();
    for (const Track& t : tracker.tracks()) {
      server::TrackExtra x;
      x.class_confidence = t.class_confidence;
      x.mode_probability = t.mode_probability;
      const double se = std::sqrt(std::max(0.0, t.covariance(0, 0)));
      const double sn = std::sqrt(std::max(0.0, t.covariance(1, 1)));
      x.sigma_east_m = se;
      x.sigma_north_m = sn;
      x.corr_en = se > 0 && sn > 0 ? t.covariance(0, 1) / (se * sn) : 0;
      x.sensors = t.sensors;
      x.first_update = t.first_update;
      x.last_update = t.last_update;
      p.extras[std::to_string(t.id)] = std::move(x);
    }
    for (std::size_t i = 0; i < cfg.sensors.size(); ++i) {
      const Sensor& s = cfg.sensors[i];
      const SourceHealth& h = health[i];
      server::SensorHealth sh;
      sh.name = s.name;
      sh.kind = to_string(s.kind);
      sh.input = cfg.feeds[i].input;
      sh.sac = s.sac;
      sh.sic = s.sic;
      sh.site = s.site;
      sh.max_range_m = s.max_range_m;
      sh.packets = h.packets;
      sh.bytes = h.bytes;
      sh.reports = h.reports;
      sh.errors = h.errors;
      sh.drops = h.drops;
      sh.kernel_drops = h.kernel_drops;
      sh.time_rejected = guard.stats(i).rejected();
      sh.last_data = h.last_data;
      sh.state = h.state;
      sh.last_error = h.last_error;
      for (const auto& [name, n] : decoders[i].counters())
        sh.counters.emplace_back(name, static_cast<std::uint64_t>(std::max(0L, n)));
      if (const auto b = tracker.radar_bias(s.id)) {
        constexpr double kDegPerRad = 180 / std::numbers::pi;
        server::SensorRegistration& r = sh.registration.emplace();
        r.range_m = b->range_m;
        r.gain_ppm = b->gain_ppm;
        r.azimuth_deg = b->azimuth_rad * kDegPerRad;
        r.time_s = b->time_s;
        r.sigma_range_m = b->sigma_range_m;
        r.sigma_gain_ppm = b->sigma_gain_ppm;
        r.sigma_azimuth_deg = b->sigma_azimuth_rad * kDegPerRad;
        r.sigma_time_s = b->sigma_time_s;
        r.chi2_dof = b->chi2_dof;
        r.model_fits = b->model_fits;
        r.samples = b->samples;
      }
      p.sensors.push_back(std::move(sh));
    }
    for (const auto& [k, a] : nets.active()) p.active_alerts.push_back(a);
    for (const auto& [k, a] : system_alerts) p.active_alerts.push_back(a);
    p.alert_events = std::move(events);
    const auto& st = tracker.stats();
    auto c = [&](std::string name, std::string help, std::string type, double v) {
      p.counters.push_back({std::move(name), std::move(help), std::move(type), {{"", v}}});
    };
    // The tracker's counters (tracking::describe), then the pipeline's own.
    for (const tracking::StatEntry& e : tracking::describe(st))
      c(std::string(e.metric), std::string(e.help), e.gauge ? "gauge" : "counter",
        static_cast<double>(e.value));
    c("reports_time_rejected_total", "Reports rejected for an implausible time (data-time guard)",
      "counter", static_cast<double>(guard.rejected()));
    c("input_errors_total", "Input decode errors", "counter", static_cast<double>(input_errors));
    if (out.track_report)
      c("reports_outside_region_total",
        "Reports outside this instance's region and margin (tracked by another)", "counter",
        static_cast<double>(reports_elsewhere));
    c("duplicate_datagrams_total", "UDP datagrams dropped as duplicates of a recent one", "counter",
      static_cast<double>(duplicates));
    c("track_updates_total", "Track updates published", "counter",
      static_cast<double>(track_lines));
    c("alerts_raised_total", "Safety-net alerts raised", "counter",
      static_cast<double>(nets.raised_total()));
    c("tracker_memory_bytes", "Tracker heap (approximate)", "gauge",
      static_cast<double>(tracker.memory_bytes()));
    c("process_resident_bytes", "Resident memory of the process", "gauge", resident_bytes());
    p.counters.push_back(latency_summary(latency, "pipeline_latency_seconds",
                                         "Arrival to processed (wall clock), quantiles"));
    publisher->post(std::move(p));
    viewed = true;
  }

  // readsb's stats.json counts: the Mode S decoders' (feeds/feed_decoder.cpp
  // names them), the addresses heard, this thread's CPU time.
  server::ReceiverCounts receiver_counts() const {
    server::ReceiverCounts c;
    std::map<std::string, std::uint64_t> m;
    for (std::size_t i = 0; i < decoders.size(); ++i) {
      if (!feeds::is_mode_s(cfg.feeds[i].format)) continue;
      c.mode_s = true;
      for (const auto& [k, v] : decoders[i].counters()) m[k] += static_cast<std::uint64_t>(v);
    }
    c.modeac = m["modes_mode_ac"];
    c.modes = m["modes_frames"] - c.modeac;
    c.bad = m["modes_bad"];
    c.unknown_icao = m["modes_unknown_address"];
    c.corrected = m["modes_corrected"];
    c.accepted = c.modes - c.bad - c.unknown_icao - c.corrected;
    c.positions = m["modes_positions"];
    c.positions_global = m["modes_positions_global"];
    c.cpr_airborne = m["modes_cpr_airborne"];
    c.cpr_surface = m["modes_cpr_surface"];
    c.aircraft = aircraft_added;
    c.aircraft_single_message = aircraft_single;
    timespec ts{};
    if (::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == 0)
      c.cpu_ms = static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
    return c;
  }

  // Every report through the data-time guard; the accepted ones (this one, or
  // held ones now confirmed) into the tracker.
  void admit(std::uint16_t source, Report&& r, Time arrival) {
    const bool network = cfg.feeds[source].transport != feeds::Transport::kFile;
    const Time t = r.time;
    const auto why = guard.admit(
        source, std::move(r), network ? std::optional<Time>(arrival) : std::nullopt,
        [this](Report&& a) {
          SourceHealth& h = health[a.sensor >= 1 && a.sensor <= health.size() ? a.sensor - 1 : 0];
          h.last_data = std::max(h.last_data, a.time);
          first_data = std::min(first_data, a.time);
          last_data = std::max(last_data, a.time);
          ++h.reports;
          ++reports;
          messages += a.mode_s ? std::max<std::uint32_t>(1, a.mode_s->frames) : 1;
          if (out.track_report && !out.track_report(a)) {
            ++reports_elsewhere;
            return;
          }
          if (out.store && a.identity.icao24) {
            const auto [it, added] = aircraft.try_emplace(*a.identity.icao24);
            aircraft_added += added ? 1 : 0;
            it->second.note(a);
          }
          tracker.push(a);
          drain();
          maybe_publish();
        });
    if (why == tracking::TimeRejection::kNone) return;
    SourceHealth& h = health[source];
    const auto now = guard.now();
    h.last_error = fmt::format("report at {} rejected ({}): {:.1f} s from {}", format_time(t),
                               tracking::to_string(why),
                               network ? (t - arrival).seconds()
                               : now   ? (t - *now).seconds()
                                       : 0.0,
                               network ? "its arrival (host clock)" : "the system's data time");
    if (h.time_logged++ < 5)
      log::warn("skyfuse run: sensor \"{}\": {}", cfg.sensors[source].name, h.last_error);
  }

  // The feed's input errors (its decoder counts them all, once): totals, and
  // the first messages to the log.
  void count_errors(std::uint16_t source) {
    feeds::FeedDecoder& dec = decoders[source];
    const long total = dec.errors();
    if (total > errors_seen[source]) {
      const auto n = static_cast<std::uint64_t>(total - errors_seen[source]);
      health[source].errors += n;
      input_errors += n;
      errors_seen[source] = total;
    }
    for (auto& msg : dec.take_messages()) {
      health[source].last_error = msg;
      if (input_errors <= 20) log::warn("skyfuse run: {}", msg);
    }
  }

  void maybe_publish() {
    const Time now = tracker.now();
    if (now.ns == 0) return;
    const std::int64_t period = Duration::from_seconds(cfg.run.publish_period_s).ns;
    if (!have_publish) {
      next_publish = Time{(now.ns / period + 1) * period};
      have_publish = true;
      return;
    }
    if (now < next_publish) return;
    publish(now);
    next_publish = Time{(now.ns / period + 1) * period};
  }
};

Pipeline::Pipeline(const SystemConfig& cfg, std::vector<safety::Zone> zones,
                   const std::string& specs_dir, PipelineOutputs out)
    : impl_(std::make_unique<Impl>(cfg, std::move(zones), specs_dir, std::move(out))) {}

Pipeline::~Pipeline() = default;

void Pipeline::process(const Packet& p, Time wall_now) {
  Impl& m = *impl_;
  if (p.source >= m.decoders.size()) return;
  SourceHealth& h = m.health[p.source];
  if (p.end) {
    if (m.out.recorder) {
      record::Entry e;
      e.type = record::EntryType::kEnd;
      e.source = p.source;
      e.arrival = p.arrival;
      e.data = m.tracker.now();
      e.shift_ns = p.shift_ns;
      m.out.recorder->add(e);
    }
    std::vector<Report>& rs = m.scratch;
    rs.clear();
    m.decoders[p.source].finish(rs);
    m.count_errors(p.source);
    for (Report& r : rs) {
      r.time = r.time + Duration{p.shift_ns};
      m.admit(p.source, std::move(r), p.arrival);
    }
    h.state = "ended";
    m.drain();
    return;
  }
  if (m.out.recorder) {
    record::Entry e;
    const bool receiver = m.cfg.feeds[p.source].format == feeds::FeedFormat::kMlatBeast;
    e.type = receiver ? record::EntryType::kReceiverInput : record::EntryType::kInput;
    e.source = p.source;
    e.input = p.input;
    e.arrival = p.arrival;
    e.data = m.tracker.now();
    e.shift_ns = p.shift_ns;
    e.offset = p.offset;
    e.bytes.assign(p.bytes.begin(), p.bytes.end());
    m.out.recorder->add(e);
    if (!m.out.recorder->failed().empty())
      m.raise_system("system:recording",
                     "recording stopped: " + m.out.recorder->failed() + " (tracking goes on)");
  }
  if (m.duplicate(p.source, p.bytes)) {
    ++m.duplicates;
    return;
  }
  ++m.packets;
  ++h.packets;
  h.bytes += p.bytes.size();
  if (h.state == "idle") h.state = "receiving";
  std::vector<Report>& rs = m.scratch;
  rs.clear();
  feeds::FeedDecoder& dec = m.decoders[p.source];
  dec.feed(p.bytes, p.arrival, p.offset, rs, p.input);
  m.count_errors(p.source);
  std::optional<std::int64_t>& shift = m.pass_shift[p.source];
  if (shift && *shift != p.shift_ns) m.pass_started[p.source] = 0;  // a looped file starts over
  shift = p.shift_ns;
  if (!m.pass_started[p.source] && !rs.empty()) {
    Time first{INT64_MAX};
    for (const Report& r : rs) first = std::min(first, r.time + Duration{p.shift_ns});
    m.tracker.restart_sensor(rs.front().sensor, first);
    m.pass_started[p.source] = 1;
  }
  for (Report& r : rs) {
    r.time = r.time + Duration{p.shift_ns};
    m.admit(p.source, std::move(r), p.arrival);
  }
  if (wall_now.ns != 0) m.latency.add(std::max(0.0, (wall_now - p.arrival).seconds()));
  for (output::TrackSink* k : m.sinks) k->input_arrived(p.arrival);
}

void Pipeline::set_zones(std::vector<safety::Zone> zones, const std::string& geojson,
                         Time wall_now) {
  Impl& m = *impl_;
  if (m.out.recorder) {
    record::Entry e;
    e.type = record::EntryType::kZones;
    e.arrival = wall_now;
    e.data = m.tracker.now();
    e.bytes = geojson;
    m.out.recorder->add(e);
  }
  // Active alerts carry over; new conditions are found at the next publication.
  m.nets = safety::SafetyNets(m.cfg.safety, std::move(zones));
  if (m.out.store) m.out.store->set_zones(safety::zones_geojson(m.nets.zones()));
}

void Pipeline::finish() {
  Impl& m = *impl_;
  m.guard.finish();
  m.tracker.flush();
  m.drain();
  if (m.tracker.now().ns != 0) m.publish(m.tracker.now());
  if (m.publisher) m.publisher->flush();
  for (output::TrackSink* k : m.sinks) k->finish();
  if (m.alerts_file.is_open()) m.alerts_file.flush();
}

void Pipeline::refresh() {
  Impl& m = *impl_;
  if (!m.viewed) m.publish_view(m.tracker.now(), {});
  m.viewed = false;
}

void Pipeline::show_now() {
  Impl& m = *impl_;
  if (m.tracker.now().ns != 0) m.publish_view(m.tracker.now(), {});
}

void Pipeline::set_source_state(std::uint16_t source, const std::string& state,
                                const std::string& error) {
  if (source >= impl_->health.size()) return;
  impl_->health[source].state = state;
  if (!error.empty()) impl_->health[source].last_error = error;
}

void Pipeline::add_drops(std::uint16_t source, std::uint64_t n) {
  if (source < impl_->health.size()) impl_->health[source].drops += n;
}

void Pipeline::set_speed(double speed) { impl_->out.speed = speed; }

void Pipeline::set_kernel_drops(std::uint16_t source, std::uint64_t total) {
  if (source < impl_->health.size()) impl_->health[source].kernel_drops = total;
}

Time Pipeline::data_time() const { return impl_->tracker.now(); }
std::uint64_t Pipeline::track_lines() const { return impl_->track_lines; }
std::uint64_t Pipeline::alert_lines() const { return impl_->alert_lines; }
std::uint64_t Pipeline::reports() const { return impl_->reports; }
std::size_t Pipeline::tracks() const { return impl_->tracker.tracks().size(); }

std::array<double, 3> Pipeline::latency_p50_p90_p99() const {
  return {impl_->latency.quantile(0.5), impl_->latency.quantile(0.9),
          impl_->latency.quantile(0.99)};
}

void Pipeline::print_summary() const {
  const Impl& m = *impl_;
  const auto& st = m.tracker.stats();
  const auto q = latency_p50_p90_p99();
  log::info(
      "run: {} packets, {} reports ({} input errors, {} rejected, {} late, {} with an "
      "implausible time) -> {} track updates, {} alert events; latency p50 {:.2f} ms, p90 "
      "{:.2f} ms, p99 {:.2f} ms",
      m.packets, m.reports, m.input_errors, st.rejected, st.late_dropped, m.guard.rejected(),
      m.track_lines, m.alert_lines, q[0] * 1e3, q[1] * 1e3, q[2] * 1e3);
  log::info("  tracker: {}", tracking::to_text(st));
  for (std::size_t i = 0; i < m.health.size(); ++i) {
    const SourceHealth& h = m.health[i];
    log::info(
        "  {:<16} {:<10} {:>8} packets {:>9} reports {:>6} errors {:>6} drops {:>6} kernel "
        "drops {:>6} time rejected",
        m.cfg.sensors[i].name, h.state, h.packets, h.reports, h.errors, h.drops, h.kernel_drops,
        m.guard.stats(i).rejected());
  }
}

}  // namespace skyfuse::live
