#include "live/bus_roles.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <fstream>
#include <iostream>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "io/jsonl.hpp"
#include "live/file_replay.hpp"
#include "live/inputs.hpp"
#include "live/latency_histogram.hpp"
#include "live/pacer.hpp"
#include "live/track_merge.hpp"
#include "log/log.hpp"
#include "output/sinks.hpp"
#include "safety/safety_nets.hpp"
#include "server/http_server.hpp"
#include "server/live_store.hpp"

namespace skyfuse::live {

BusInputSource::BusInputSource(bus::NatsBus& bus, const SystemConfig& cfg, bool until_end)
    : bus_(bus), until_end_(until_end) {
  for (std::size_t i = 0; i < cfg.sensors.size(); ++i)
    index_[cfg.sensors[i].name] = static_cast<std::uint16_t>(i);
  if (until_end_) last_ = bus_.input_last_sequence();
}

std::string BusInputSource::note() const {
  return fmt::format("reading stream {} at {} from {}{}", bus_.config().input_stream,
                     bus_.connected_url(), bus_.config().start,
                     until_end_ ? fmt::format(" to its message {} (its last now)", last_) : "");
}

void BusInputSource::run(std::stop_token stop, PacketQueue& queue) {
  if (until_end_ && last_ == 0) {
    running_ = false;
    return;
  }
  std::unique_ptr<bus::InputReader> reader_made;
  try {
    reader_made = std::make_unique<bus::InputReader>(bus_, bus_.config().start);
  } catch (const ConfigError& e) {
    log::error("skyfuse run: {}", e.what());
    failed_ = true;
    running_ = false;
    return;
  }
  bus::InputReader& reader = *reader_made;
  bus::InputMessage m;
  std::string why;
  Time logged{};
  auto complain = [&](const std::string& what) {
    ++bad_;
    const Time now = wall_now();
    if ((now - logged).seconds() >= 10) {
      log::warn("skyfuse run: stream {}: message {}: {} (skipped; {} so far)",
                bus_.config().input_stream, m.stream_sequence, what, bad_.load());
      logged = now;
    }
  };
  // Each ingest's messages back in publish order (a resend lands later in
  // the stream), then into the queue.
  bus::Resequencer order(static_cast<std::size_t>(bus_.config().reorder_window));
  // From the stream's first message: an ingest's first messages may have been
  // resent and landed later (overtaken by at most those awaiting their
  // acknowledgement at once), so its start waits for them.
  if (bus_.config().start == "all")
    order.hold_start(static_cast<std::size_t>(bus_.config().max_pending_publishes));
  bool stopped = false;
  auto deliver = [&](bus::InputMessage&& in) {
    if (stopped) return;
    Packet p;
    p.source = index_.at(in.sensor);
    p.input = in.input;
    p.arrival = Time{in.arrival_ns};
    p.offset = in.offset;
    p.shift_ns = in.shift_ns;
    p.end = in.end;
    p.bytes = std::move(in.bytes);
    if (!queue.push_wait(std::move(p), stop)) stopped = true;
    ++messages_;
  };
  std::uint64_t gaps_seen = 0;
  while (!stop.stop_requested() && !stopped) {
    const auto r = reader.next(m, 100, why);
    if (r == bus::InputReader::Next::kTimeout) continue;
    if (r == bus::InputReader::Next::kClosed) {
      log::error("skyfuse run: stream {}: {}", bus_.config().input_stream, why);
      failed_ = true;
      break;
    }
    if (r == bus::InputReader::Next::kBad) {
      complain(why);
    } else if (!index_.count(m.sensor)) {
      complain(fmt::format("sensor \"{}\" is not in the configuration", m.sensor));
    } else if (m.input >= 256) {
      complain(fmt::format("input {} out of range", m.input));
    } else {
      order.push(std::move(m), deliver);
      if (order.gaps() != gaps_seen) {
        log::warn(
            "skyfuse run: stream {}: {} messages of an ingest never arrived (given up "
            "after {} further messages)",
            bus_.config().input_stream, order.gaps() - gaps_seen, bus_.config().reorder_window);
        gaps_seen = order.gaps();
      }
    }
    if (until_end_ && m.stream_sequence >= last_) break;
  }
  order.flush(deliver);
  reordered_ = order.reordered();
  gaps_ = order.gaps();
  running_ = false;
}

BusTrackSink::BusTrackSink(bus::NatsBus& bus, const std::string& holder,
                           const geo::Regions* regions, std::size_t region)
    : bus_(bus), lease_(bus, bus.config().region, holder), regions_(regions), region_(region) {}

void BusTrackSink::publish(std::uint64_t index, const std::string& line, Time arrival) {
  std::string why;
  if (bus_.publish_track(bus_.config().region, index, line, why, arrival.ns)) return;
  ++failed_;
  const Time now = wall_now();
  if ((now - logged_).seconds() >= 10) {
    log::warn("skyfuse run: publishing a track update on stream {}: {} ({} failed so far)",
              bus_.config().tracks_stream, why, failed_);
    logged_ = now;
  }
}

void BusTrackSink::update(const ObjectState& s) {
  if (regions_) {
    // The tracks its region owns; the end of one it published, wherever.
    const bool deleted = s.status == TrackStatus::kDeleted;
    if (regions_->owner(s.position.lat_deg, s.position.lon_deg) == region_) {
      if (deleted)
        published_.erase(s.id);
      else
        published_.insert(s.id);
    } else if (!(deleted && published_.erase(s.id))) {
      ++elsewhere_;
      return;
    }
  }
  batch_ += io::to_json(s);
  batch_ += '\n';
  if (batch_.size() >= kMaxBatchBytes) emit_batch();
}

void BusTrackSink::period(Time /*now*/) {
  if (!batch_.empty()) emit_batch();
}

void BusTrackSink::emit_batch() {
  if (stopped_) {
    batch_.clear();
    return;
  }
  ++index_;
  if (owner_) {
    if (index_ > floor_) publish(index_, batch_, arrival_);
  } else {
    // A standby keeps its last messages (up to 256 MiB, 5 minutes): what an
    // owner that died may not have published yet.
    const Time now = wall_now();
    kept_bytes_ += batch_.size();
    kept_.push_back({index_, std::move(batch_), now, arrival_});
    while (!kept_.empty() &&
           (kept_bytes_ > (std::size_t{256} << 20) || (now - kept_.front().wall).seconds() > 300)) {
      kept_bytes_ -= kept_.front().line.size();
      kept_.pop_front();
    }
  }
  batch_.clear();
}

bool BusTrackSink::tick(Time wall) {
  bus_.resend_failed();
  const bool held = lease_.held();
  if (held == owner_) return owner_;
  const std::string& region = bus_.config().region;
  if (!held) {
    owner_ = false;
    log::warn("skyfuse run: region \"{}\": lease lost; standby (publishing stopped)", region);
    return false;
  }
  // Owner from the update after the last one in the stream; until the stream
  // tells which that is, still a standby (asked again at the next tick).
  std::string why;
  const auto floor = bus_.last_track_index(region, why);
  if (!floor) {
    if ((wall - logged_).seconds() >= 10) {
      log::warn("skyfuse run: region \"{}\": lease taken, not publishing yet: {}", region, why);
      logged_ = wall;
    }
    return false;
  }
  owner_ = true;
  floor_ = *floor;
  std::uint64_t sent = 0;
  for (const Computed& c : kept_)
    if (c.index > floor_) {
      publish(c.index, c.line, c.arrival);
      ++sent;
    }
  kept_.clear();
  kept_bytes_ = 0;
  log::info(
      "skyfuse run: region \"{}\": this instance owns it now (lease {} in {}); the stream had "
      "its messages of updates to number {}; {} kept here published",
      region, lease_.holder(), bus_.config().lease_bucket, floor_, sent);
  return true;
}

void BusTrackSink::finish() {
  if (!batch_.empty()) emit_batch();
  std::string why;
  if (!bus_.flush(10, why))
    log::warn("skyfuse run: stream {}: not every track update acknowledged: {}",
              bus_.config().tracks_stream, why);
}

namespace {

void log_merge(const TrackMerger& merger, std::size_t regions, std::uint64_t other) {
  const auto& c = merger.counts();
  log::info(
      "skyfuse subscribe: the merged picture of {} regions: {} updates of {} system tracks, {} "
      "hand-overs between regions, {} deletions of handed-on tracks dropped, {} tracks no "
      "region updated ended, {} released before every region caught up, {} too late dropped, "
      "{} with implausible times refused, {} unreadable{}",
      regions, c.lines_out, c.system_tracks, c.handovers, c.stale_deletions, c.expired, c.forced,
      c.late, c.implausible, c.bad,
      other ? fmt::format("; {} messages of other regions skipped", other) : "");
}

void push_lines(TrackMerger& merger, std::size_t region, const std::vector<std::uint8_t>& bytes,
                const TrackMerger::Out& put) {
  std::string_view rest(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  while (!rest.empty()) {
    const std::size_t nl = rest.find('\n');
    const std::string_view line = rest.substr(0, nl);
    if (!line.empty()) merger.push(region, line, put);
    rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
  }
}

// The merged picture of what the stream holds now: each region read on its
// own, the one furthest behind in data time first, so the merge never waits
// on a region and its order does not depend on how the regions' messages
// interleave in the stream.
int write_merged(const bus::BusConfig& cfg, bus::NatsBus& bus, std::ostream& os,
                 const std::string& out, std::stop_token stop) {
  const std::size_t n = cfg.regions.size();
  std::vector<std::string> names;
  for (const auto& r : cfg.regions) names.push_back(r.name);
  // No lag bound: reading the region furthest behind first, every region's
  // line is waited for (a region silent for long must not reorder others).
  TrackMerger merger(names, cfg.handover_s, cfg.handover_gate_m, 1e9);
  const TrackMerger::Out put = [&](const std::string& line) { os << line << '\n'; };
  std::vector<std::uint64_t> last(n);
  std::vector<bool> done(n);
  std::vector<std::unique_ptr<bus::TrackReader>> readers(n);
  std::vector<std::unique_ptr<bus::Resequencer>> orders(n);
  for (std::size_t i = 0; i < n; ++i) {
    last[i] = bus.tracks_last_sequence(names[i]);
    done[i] = last[i] == 0;
    if (done[i]) {
      merger.end(i, put);
      continue;
    }
    readers[i] = std::make_unique<bus::TrackReader>(bus, names[i], "all");
    orders[i] = std::make_unique<bus::Resequencer>(static_cast<std::size_t>(cfg.reorder_window));
  }
  std::uint64_t bad = 0;
  int waited_ms = 0;
  std::vector<bus::TrackReader::TrackUpdate> updates(n);
  std::string why;
  while (!stop.stop_requested()) {
    std::optional<std::size_t> pick;
    for (std::size_t i = 0; i < n; ++i) {
      if (done[i]) continue;
      if (!pick) {
        pick = i;
        continue;
      }
      const auto a = merger.latest_us(i), b = merger.latest_us(*pick);
      if (!a ? b.has_value() : b && *a < *b) pick = i;
    }
    if (!pick) break;
    const std::size_t i = *pick;
    auto deliver = [&](bus::InputMessage&& m) { push_lines(merger, i, m.bytes, put); };
    bus::TrackReader::TrackUpdate& u = updates[i];
    const auto r = readers[i]->next(u, 1000, why);
    if (r == bus::InputReader::Next::kTimeout) {
      if ((waited_ms += 1000) >= 60000) {
        log::error("skyfuse subscribe: region \"{}\": nothing from stream {} for 60 s", names[i],
                   cfg.tracks_stream);
        return 1;
      }
      continue;
    }
    waited_ms = 0;
    if (r == bus::InputReader::Next::kClosed) {
      log::error("skyfuse subscribe: stream {}: {}", cfg.tracks_stream, why);
      return 1;
    }
    if (r == bus::InputReader::Next::kBad) {
      ++bad;
      log::warn("skyfuse subscribe: stream {}: {}", cfg.tracks_stream, why);
      continue;  // its sequence is not known: the end is not decided on it
    } else {
      bus::InputMessage m;
      m.ingest = "region " + names[i];
      m.sequence = u.index;
      m.bytes.assign(u.line.begin(), u.line.end());
      orders[i]->push(std::move(m), deliver);
    }
    if (u.stream_sequence >= last[i]) {
      orders[i]->flush(deliver);
      if (orders[i]->gaps() || orders[i]->late())
        log::warn("skyfuse subscribe: region \"{}\": {} messages missing, {} out of order",
                  names[i], orders[i]->gaps(), orders[i]->late());
      done[i] = true;
      readers[i].reset();
      merger.end(i, put);
    }
  }
  merger.flush(put);
  os.flush();
  if (!os) throw ConfigError(fmt::format("{}: write failed", out));
  log_merge(merger, n, 0);
  return bad || merger.counts().bad ? 1 : 0;
}

}  // namespace

int write_track_stream(const bus::BusConfig& cfg, const std::string& region, const std::string& out,
                       bool follow, bool merged, std::stop_token stop) {
  if (merged && cfg.regions.empty())
    throw ConfigError("--merged needs [[bus.regions]] in the configuration");
  bus::NatsBus bus(cfg, "skyfuse subscribe");
  const std::string subject_region = merged ? "" : region;
  const std::uint64_t last = follow ? 0 : bus.tracks_last_sequence(subject_region);
  std::ofstream file;
  if (out != "-") {
    file.open(out, std::ios::binary | std::ios::trunc);
    if (!file) throw ConfigError(fmt::format("{}: cannot write", out));
  }
  std::ostream& os = out == "-" ? std::cout : file;
  if (merged && !follow) return write_merged(cfg, bus, os, out, stop);
  if (!follow && last == 0) return 0;
  bus::TrackReader reader(bus, subject_region, "all");
  // Each region's updates in their number's order: an update resent after a
  // server failed lands later in the stream (the Resequencer of the input
  // stream, on the region and the number of the message id).
  bus::Resequencer order(static_cast<std::size_t>(cfg.reorder_window));
  order.hold_start(static_cast<std::size_t>(cfg.max_pending_publishes));
  std::uint64_t lines = 0, bad = 0, other = 0;
  std::vector<std::string> names;
  for (const auto& r : cfg.regions) names.push_back(r.name);
  // Live (--follow): a quiet region holds the picture back at most 3 s of data time.
  TrackMerger merger(names, cfg.handover_s, cfg.handover_gate_m, 3);
  const TrackMerger::Out put = [&](const std::string& line) {
    os << line << '\n';
    ++lines;
  };
  // A message is one or more JSON lines (a period's updates).
  auto write = [&](bus::InputMessage&& m) {
    if (merged) {
      const std::string name = m.ingest.starts_with("region ") ? m.ingest.substr(7) : "";
      const auto at = std::find(names.begin(), names.end(), name);
      if (at == names.end()) {
        ++other;  // a region not configured (or "all"): not part of the picture
        return;
      }
      const auto index = static_cast<std::size_t>(at - names.begin());
      std::string_view rest(reinterpret_cast<const char*>(m.bytes.data()), m.bytes.size());
      while (!rest.empty()) {
        const std::size_t nl = rest.find('\n');
        const std::string_view line = rest.substr(0, nl);
        if (!line.empty()) merger.push(index, line, put);
        rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
      }
    } else {
      os.write(reinterpret_cast<const char*>(m.bytes.data()),
               static_cast<std::streamsize>(m.bytes.size()));
      if (!m.bytes.empty() && m.bytes.back() != '\n') os << '\n';
      lines += static_cast<std::uint64_t>(std::count(m.bytes.begin(), m.bytes.end(), '\n'));
      if (!m.bytes.empty() && m.bytes.back() != '\n') ++lines;
    }
    if (follow) os.flush();
  };
  bus::TrackReader::TrackUpdate u;
  std::string why;
  while (!stop.stop_requested()) {
    const auto r = reader.next(u, 200, why);
    if (r == bus::InputReader::Next::kTimeout) continue;
    if (r == bus::InputReader::Next::kClosed) {
      log::error("skyfuse subscribe: stream {}: {}", cfg.tracks_stream, why);
      return 1;
    }
    if (r == bus::InputReader::Next::kBad) {
      ++bad;
      log::warn("skyfuse subscribe: stream {}: {}", cfg.tracks_stream, why);
    } else {
      bus::InputMessage m;
      m.ingest = u.region.empty() && u.index == 0 ? "" : "region " + u.region;
      m.sequence = u.index;
      m.bytes.assign(u.line.begin(), u.line.end());
      order.push(std::move(m), write);
    }
    if (!follow && u.stream_sequence >= last) break;
  }
  order.flush(write);
  if (merged) merger.flush(put);
  if (order.gaps() || order.late())
    log::warn(
        "skyfuse subscribe: {} messages of track updates missing from the stream, {} out of "
        "order",
        order.gaps(), order.late());
  os.flush();
  if (!os) throw ConfigError(fmt::format("{}: write failed", out));
  if (merged) {
    log_merge(merger, names.size(), other);
    bad += merger.counts().bad;
  } else {
    log::info("skyfuse subscribe: {} track updates from stream {}{}", lines, cfg.tracks_stream,
              bad ? fmt::format(", {} unreadable messages skipped", bad) : "");
  }
  return bad ? 1 : 0;
}

int run_serve(SystemConfig cfg, const LiveOptions& o, std::stop_token stop) {
  if (!cfg.bus.enabled()) throw ConfigError(fmt::format("{}: role serve needs [bus]", cfg.file));
  if (cfg.run.web_root.empty()) cfg.run.web_root = o.web_root;
  std::string zones_text;
  std::vector<safety::Zone> zones = load_zone_file(cfg.run.zones, &zones_text);
  bus::NatsBus bus(cfg.bus, "skyfuse serve");
  bus.ensure_streams();
  server::LiveStore store(store_info(cfg, zones));
  const server::ServerConfig sc = server_config(cfg);
  server::HttpServer http(sc, store, [](const std::string&, const std::string&) {
    return std::pair<int, std::string>{
        404, R"({"error":"role serve: zones are set in the trackers' configuration"})"};
  });
  http.start();
  const std::string line = fmt::format(
      "skyfuse serve: map at http://{}:{}/ (the {} of stream {} at {})",
      cfg.run.http_bind == "0.0.0.0" ? "localhost" : cfg.run.http_bind, http.port(),
      cfg.bus.regions.empty() ? fmt::format("region \"{}\"", cfg.bus.region)
                              : fmt::format("merged picture of {} regions", cfg.bus.regions.size()),
      cfg.bus.tracks_stream, bus.connected_url());
  if (log::enabled(log::Level::kInfo))
    log::info("{}", line);
  else
    fmt::print(stderr, "{}\n", line);

  // The picture: every region's updates merged (or the one region's as they
  // are), the safety nets on it each publication period of data time.
  std::vector<std::string> names;
  for (const auto& r : cfg.bus.regions) names.push_back(r.name);
  const bool merged = !names.empty();
  // A region behind the others holds an update back at most 1 s of wall time
  // (a live picture; data time would not bound it at replay speeds).
  TrackMerger merger(names, cfg.bus.handover_s, cfg.bus.handover_gate_m, 1e9);
  std::deque<std::pair<Time, std::int64_t>> pushed;  // (wall, latest data time then)
  output::PictureSink picture(&store);
  safety::SafetyNets nets(cfg.safety, zones);
  const std::int64_t period = Duration::from_seconds(cfg.run.publish_period_s).ns;
  Time now{}, next_publish{};
  std::uint64_t updates = 0, bad = 0, other = 0, raised = 0;
  // From the ingest's arrival stamp of the newest input a region's message
  // follows to its receipt here (ingest -> NATS -> tracker -> NATS -> serve).
  LatencyHistogram latency;
  auto publish = [&] {
    std::vector<ObjectState> pic;
    pic.reserve(picture.picture().size());
    for (const auto& [id, st] : picture.picture()) pic.push_back(st);
    server::Publication p;
    p.now = now;
    p.start = now;
    p.alert_events = nets.evaluate(now, pic);
    raised = nets.raised_total();
    for (const auto& [k, a] : nets.active()) p.active_alerts.push_back(a);
    auto c = [&](std::string name, std::string help, std::string type, double v) {
      p.counters.push_back({std::move(name), std::move(help), std::move(type), {{"", v}}});
    };
    c("track_updates_total", "Track updates received from the tracks stream", "counter",
      static_cast<double>(updates));
    c("track_updates_bad_total", "Unreadable track updates", "counter", static_cast<double>(bad));
    c("alerts_raised_total", "Safety-net alerts raised on the merged picture", "counter",
      static_cast<double>(raised));
    p.counters.push_back(
        latency_summary(latency, "merged_latency_seconds",
                        "Ingest arrival to the merged picture (wall clock), quantiles"));
    if (merged) {
      const auto& mc = merger.counts();
      c("merge_handovers_total", "A region's track continuing another region's", "counter",
        static_cast<double>(mc.handovers));
      c("merge_system_tracks_total", "System track numbers given", "counter",
        static_cast<double>(mc.system_tracks));
      c("merge_forced_total", "Updates released before every region had caught up", "counter",
        static_cast<double>(mc.forced));
    }
    http.broadcast(std::make_shared<const std::string>(store.publish(std::move(p))));
  };
  std::ofstream lines_out;
  if (!cfg.run.tracks_out.empty()) {
    lines_out.open(cfg.run.tracks_out, std::ios::binary | std::ios::trunc);
    if (!lines_out) throw ConfigError(fmt::format("{}: cannot write", cfg.run.tracks_out));
  }
  const TrackMerger::Out apply = [&](const std::string& text) {
    auto st = io::parse_state(text);
    if (!st) {
      ++bad;
      return;
    }
    // (Merged, the merge has refused what would move the time implausibly.)
    const Time t = st.value().time;
    if (!merged && now.ns != 0 && (t - now).seconds() > 3600) {
      ++bad;
      return;
    }
    if (lines_out.is_open()) lines_out << text << '\n';
    ++updates;
    picture.update(st.value());
    now = std::max(now, st.value().time);
    if (next_publish.ns == 0) next_publish = Time{(now.ns / period + 1) * period};
    if (now >= next_publish) {
      publish();
      next_publish = Time{(now.ns / period + 1) * period};
    }
  };
  bus::TrackReader reader(bus, merged ? "" : cfg.bus.region, cfg.bus.start);
  bus::Resequencer order(static_cast<std::size_t>(cfg.bus.reorder_window));
  if (cfg.bus.start == "all")
    order.hold_start(static_cast<std::size_t>(cfg.bus.max_pending_publishes));
  auto deliver = [&](bus::InputMessage&& m) {
    if (!merged) {
      std::string_view rest(reinterpret_cast<const char*>(m.bytes.data()), m.bytes.size());
      while (!rest.empty()) {
        const std::size_t nl = rest.find('\n');
        if (nl != 0) apply(std::string(rest.substr(0, nl)));
        rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
      }
      return;
    }
    const std::string name = m.ingest.starts_with("region ") ? m.ingest.substr(7) : "";
    const auto at = std::find(names.begin(), names.end(), name);
    if (at == names.end()) {
      ++other;
      return;
    }
    push_lines(merger, static_cast<std::size_t>(at - names.begin()), m.bytes, apply);
    if (pushed.empty() || pushed.back().second != merger.max_us())
      pushed.emplace_back(wall_now(), merger.max_us());
  };
  bus::TrackReader::TrackUpdate u;
  std::string why;
  int rc = 0;
  int idle_ms = 0;
  const Time serve_start = wall_now();
  while (!stop.stop_requested()) {
    if (cfg.run.duration_s > 0 && (wall_now() - serve_start).seconds() >= cfg.run.duration_s) break;
    if (merged) {
      const Time wall = wall_now();
      std::optional<std::int64_t> cut;
      while (!pushed.empty() && (wall - pushed.front().first).seconds() > 1) {
        cut = pushed.front().second;
        pushed.pop_front();
      }
      if (cut) merger.release_through(*cut, apply);
    }
    const auto r = reader.next(u, 200, why);
    if (r == bus::InputReader::Next::kTimeout) {
      // Nothing new for a second: what the merge holds is shown, and the
      // picture as it stands (the data stopped or every region is quiet).
      if ((idle_ms += 200) == 1000 && now.ns != 0) {
        merger.flush(apply);
        merger.idle(apply);
        publish();
      }
      continue;
    }
    idle_ms = 0;
    if (r == bus::InputReader::Next::kClosed) {
      log::error("skyfuse serve: stream {}: {}", cfg.bus.tracks_stream, why);
      rc = 1;
      break;
    }
    if (r == bus::InputReader::Next::kBad) {
      ++bad;
      log::warn("skyfuse serve: stream {}: {}", cfg.bus.tracks_stream, why);
      continue;
    }
    if (u.arrival_ns > 0)
      latency.add(std::max(0.0, static_cast<double>(wall_now().ns - u.arrival_ns) * 1e-9));
    bus::InputMessage m;
    m.ingest = u.region.empty() && u.index == 0 ? "" : "region " + u.region;
    m.sequence = u.index;
    m.bytes.assign(u.line.begin(), u.line.end());
    order.push(std::move(m), deliver);
  }
  http.stop();
  if (lines_out.is_open()) {
    lines_out.flush();
    if (!lines_out) log::error("skyfuse serve: {}: write failed", cfg.run.tracks_out);
  }
  if (!o.quiet) {
    log::info(
        "skyfuse serve: {} track updates shown, {} unreadable, {} alerts raised; latency from "
        "the ingest's arrival to the merged picture p50 {:.2f} ms, p90 {:.2f} ms, p99 {:.2f} ms "
        "({} messages)",
        updates, bad, raised, latency.quantile(0.5) * 1e3, latency.quantile(0.9) * 1e3,
        latency.quantile(0.99) * 1e3, latency.count());
    if (merged) log_merge(merger, names.size(), other);
  }
  return rc;
}

int run_ingest(SystemConfig cfg, const LiveOptions& o, std::stop_token stop) {
  if (!cfg.bus.enabled()) throw ConfigError(fmt::format("{}: role ingest needs [bus]", cfg.file));
  bus::NatsBus bus(cfg.bus, "skyfuse ingest");
  bus.ensure_streams();
  const Time start = wall_now();
  const Time epoch = replay_epoch(cfg.run, start);
  FileReplay files(cfg, o.specs_dir, epoch);
  PacketQueue queue(static_cast<std::size_t>(cfg.run.queue_packets));
  const std::size_t n = cfg.sensors.size();
  Inputs inputs(cfg, files, epoch, start, "skyfuse ingest", o.quiet);
  if (!o.quiet)
    log::info("skyfuse ingest: {} sensors to stream {} at {}", n, cfg.bus.input_stream,
              bus.connected_url());
  inputs.start(queue);

  std::uint64_t published = 0, failed = 0, bytes = 0;
  std::vector<std::uint64_t> drops_seen(n, 0);
  Time logged{}, last_status = start;
  std::string why;
  auto publish = [&](Packet& p) {
    bus::InputMessage m;
    m.sensor = cfg.sensors[p.source].name;
    m.input = p.input;
    m.arrival_ns = p.arrival.ns;
    m.offset = p.offset;
    m.shift_ns = p.shift_ns;
    m.end = p.end;
    m.bytes = std::move(p.bytes);
    if (bus.publish_input(m, why)) {
      ++published;
      bytes += m.bytes.size();
      return;
    }
    ++failed;
    const Time now = wall_now();
    if ((now - logged).seconds() >= 10) {
      log::warn("skyfuse ingest: sensor \"{}\": not published: {} ({} in all)", m.sensor, why,
                failed);
      logged = now;
    }
  };
  while (!stop.stop_requested()) {
    if (auto p = queue.pop(std::chrono::milliseconds(100))) publish(*p);
    bus.resend_failed();
    const Time now = wall_now();
    for (std::size_t i = 0; i < n; ++i) {
      inputs.poll(i);
      const std::uint64_t d = inputs.status(i).drops;
      if (d != drops_seen[i]) {
        log::warn("skyfuse ingest: sensor \"{}\": {} packets dropped (queue full) in all",
                  cfg.sensors[i].name, d);
        drops_seen[i] = d;
      }
    }
    if (cfg.run.status_period_s > 0 && (now - last_status).seconds() >= cfg.run.status_period_s) {
      log::info(
          "skyfuse ingest: {} packets ({:.1f} MB) published, {} not, {} resent, {} refused, "
          "queue {}, server {}",
          published, static_cast<double>(bytes) / 1e6, failed, bus.counters().resent.load(),
          bus.counters().lost.load(), queue.size(), bus.connected_url());
      last_status = now;
    }
    if (cfg.run.duration_s > 0 && (now - start).seconds() >= cfg.run.duration_s) break;
    if (!inputs.running() && queue.size() == 0) break;
  }
  inputs.stop(queue);
  while (auto p = queue.pop(std::chrono::milliseconds(0))) publish(*p);
  const bool acked = bus.flush(30, why);
  if (!acked) log::error("skyfuse ingest: not every packet acknowledged: {}", why);
  if (!o.quiet)
    log::info(
        "skyfuse ingest: {} packets ({:.1f} MB) published to {}, {} not, {} resent, {} "
        "refused by the server",
        published, static_cast<double>(bytes) / 1e6, cfg.bus.input_stream, failed,
        bus.counters().resent.load(), bus.counters().lost.load());
  return acked && failed == 0 && bus.counters().lost == 0 ? 0 : 1;
}

}  // namespace skyfuse::live
