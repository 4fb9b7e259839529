#include "live/live_system.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <ctime>
#include <fstream>
#include <iterator>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/error.hpp"
#include "core/input_file.hpp"
#include "geo/regions.hpp"
#include "io/udp_sender.hpp"
#include "live/bus_roles.hpp"
#include "live/file_replay.hpp"
#include "live/inputs.hpp"
#include "live/pacer.hpp"
#include "live/pipeline.hpp"
#include "live/sources.hpp"
#include "log/log.hpp"
#include "record/recording.hpp"
#include "server/http_server.hpp"

namespace skyfuse::live {

namespace {

// One status line ([run] status_period_s of wall time): the input rate over
// the period, the tracks held, the packets dropped so far (queue full), the
// pipeline's latency (arrival to processed) and queue, and the data time.
void log_status(const Pipeline& pipeline, double period_s, std::uint64_t reports_before,
                const std::vector<std::uint64_t>& drops, std::size_t queued) {
  std::uint64_t dropped = 0;
  for (const std::uint64_t d : drops) dropped += d;
  const auto q = pipeline.latency_p50_p90_p99();
  const std::uint64_t reports = pipeline.reports();
  const Time t = pipeline.data_time();
  std::string data_time = "none yet";
  if (reports > 0) {
    const auto s = static_cast<std::time_t>(t.ns / 1'000'000'000);
    data_time = fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", fmt::gmtime(s));
  }
  log::info(
      "status: {:.0f} reports/s, {} tracks, {} drops, latency p50 {:.1f} ms p99 {:.1f} ms, "
      "queue {}, data time {}",
      static_cast<double>(reports - reports_before) / period_s, pipeline.tracks(), dropped,
      q[0] * 1e3, q[2] * 1e3, queued, data_time);
}

}  // namespace

std::vector<safety::Zone> load_zone_file(const std::string& path, std::string* text) {
  if (path.empty()) {
    *text = R"({"type":"FeatureCollection","features":[]})";
    return {};
  }
  *text = read_input_file(path, "zones file");
  return safety::load_zones(*text, path);
}

server::StoreInfo store_info(const SystemConfig& cfg, const std::vector<safety::Zone>& zones,
                             bool replay) {
  server::StoreInfo info;
  if (!cfg.run.aircraft_db.empty()) {
    try {
      auto db = std::make_shared<server::AircraftDb>(server::AircraftDb::load(cfg.run.aircraft_db));
      log::info("aircraft database {}: {} aircraft ({} layout, {} line(s), {} bad{})",
                cfg.run.aircraft_db, db->size(), db->layout(), db->lines(), db->error_count(),
                db->errors().empty() ? "" : "; first: " + db->errors().front());
      info.aircraft_db = std::move(db);
    } catch (const ConfigError& e) {
      if (!replay) throw;
      log::warn("{} (replay goes on without registrations)", e.what());
    }
  }
  info.sensors = cfg.sensors;
  info.zones_geojson = safety::zones_geojson(zones);
  info.aircraft_history_interval_s = cfg.run.history_interval_s;
  info.map_layers_json = cfg.run.map_layers_json;
  return info;
}

server::ServerConfig server_config(const SystemConfig& cfg) {
  server::ServerConfig sc;
  sc.bind = cfg.run.http_bind;
  sc.port = static_cast<std::uint16_t>(cfg.run.http_port);
  sc.web_root = cfg.run.web_root;
  sc.token = cfg.run.token;
  sc.limits = cfg.run.http_limits;
  return sc;
}

namespace {
// Zones posted through the API, applied by the pipeline thread.
struct Control {
  std::mutex mu;
  std::vector<std::pair<std::vector<safety::Zone>, std::string>> zones;
};

std::unique_ptr<io::UdpSender> asterix_out(const SystemConfig& cfg) {
  if (cfg.run.asterix_udp.empty()) return nullptr;
  const auto colon = cfg.run.asterix_udp.rfind(':');
  if (colon == std::string::npos)
    throw ConfigError(fmt::format("{}: [run] asterix_udp must be \"HOST:PORT\"", cfg.file));
  return std::make_unique<io::UdpSender>(
      cfg.run.asterix_udp.substr(0, colon),
      static_cast<std::uint16_t>(std::stoi(cfg.run.asterix_udp.substr(colon + 1))));
}
}  // namespace

namespace {
// This instance in the lease bucket: host and process.
std::string holder_name() {
  char host[256] = {0};
  ::gethostname(host, sizeof host - 1);
  return fmt::format("{}-{}", host, ::getpid());
}
}  // namespace

int run_live_system(SystemConfig cfg, const LiveOptions& o, std::stop_token stop) {
  if (cfg.run.web_root.empty()) cfg.run.web_root = o.web_root;
  std::string zones_text;
  std::vector<safety::Zone> zones = load_zone_file(cfg.run.zones, &zones_text);

  const Time start = wall_now();
  const Time epoch = replay_epoch(cfg.run, start);
  // Role "track" (live/bus_roles.hpp): the input stream instead of the
  // configured inputs, each track update also published on the bus.
  const bool track_role = o.role == Role::kTrack;
  if (track_role && !cfg.bus.enabled())
    throw ConfigError(fmt::format("{}: role track needs [bus]", cfg.file));
  if (track_role && !cfg.bus.regions.empty() && cfg.bus.region != "all" &&
      std::none_of(cfg.bus.regions.begin(), cfg.bus.regions.end(),
                   [&](const bus::RegionConfig& r) { return r.name == cfg.bus.region; }))
    throw ConfigError(
        fmt::format("{}: region \"{}\" is not one of [[bus.regions]] (or \"all\": every report)",
                    cfg.file, cfg.bus.region));
  std::unique_ptr<bus::NatsBus> bus;
  if (track_role) {
    bus = std::make_unique<bus::NatsBus>(cfg.bus, "skyfuse track");
    bus->ensure_streams();  // a tracker may start before the ingest
  }
  // File sources: cut, scanned for their time span, shifted per clock group.
  const SystemConfig no_inputs;
  FileReplay files(track_role ? no_inputs : cfg, o.specs_dir, epoch);

  // Recording header: everything a replay needs.
  nlohmann::json header = {{"program", "skyfuse 0.1.0"}, {"config_file", cfg.file},
                           {"config", cfg.text},         {"zones", zones_text},
                           {"epoch_ns", epoch.ns},       {"started_unix", start.seconds()}};
  for (const auto& [g, s] : files.shifts()) header["shifts_ns"][g] = s;
  // The aircraft database the run used, also when given as run --aircraft-db
  // (not in the configuration's text): replay reads it again.
  if (!cfg.run.aircraft_db.empty()) header["aircraft_db"] = cfg.run.aircraft_db;
  std::unique_ptr<record::Recorder> recorder;
  if (!cfg.run.record_dir.empty()) {
    record::RecorderConfig rc;
    rc.dir = cfg.run.record_dir;
    rc.max_file_bytes = static_cast<std::uint64_t>(cfg.run.record_max_file_mb * 1048576);
    rc.max_file_s = cfg.run.record_max_file_s;
    rc.max_total_bytes = static_cast<std::uint64_t>(cfg.run.record_max_total_mb * 1048576);
    recorder = std::make_unique<record::Recorder>(rc, header.dump(), start);
  }
  std::unique_ptr<io::UdpSender> udp_out = asterix_out(cfg);

  server::LiveStore store(store_info(cfg, zones));
  Control control;
  std::unique_ptr<server::HttpServer> http;
  if (cfg.run.http_port > 0 || o.serve_any_port) {
    const server::ServerConfig sc = server_config(cfg);
    http = std::make_unique<server::HttpServer>(
        sc, store, [&control](const std::string& path, const std::string& body) {
          if (path != "/api/zones")
            return std::pair<int, std::string>{404, R"({"error":"no such control"})"};
          try {
            auto z = safety::load_zones(body, "POST /api/zones");
            const std::size_t n = z.size();
            std::lock_guard lock(control.mu);
            control.zones.emplace_back(std::move(z), body);
            return std::pair<int, std::string>{200, fmt::format("{{\"zones\":{}}}", n)};
          } catch (const ConfigError& e) {
            return std::pair<int, std::string>{400, nlohmann::json{{"error", e.what()}}.dump()};
          }
        });
  }

  PipelineOutputs po;
  po.tracks_out = cfg.run.tracks_out;
  po.alerts_out = cfg.run.alerts_out;
  po.recorder = recorder.get();
  po.store = &store;
  if (http)
    po.on_picture = [&http](std::shared_ptr<const std::string> m) {
      http->broadcast(std::move(m));
    };
  if (udp_out) po.on_asterix = [&udp_out](std::vector<std::uint8_t>&& b) { udp_out->send(b); };
  // A region of airspace ([[bus.regions]]): the tracker takes the reports of
  // the region and its margin, and publishes the tracks the region owns.
  std::unique_ptr<geo::Regions> regions;
  std::size_t region_index = 0;
  if (bus && !cfg.bus.regions.empty() && cfg.bus.region != "all") {
    std::vector<geo::RegionShape> shapes;
    for (const auto& r : cfg.bus.regions) shapes.push_back({r.name, r.polygon_deg});
    regions = std::make_unique<geo::Regions>(std::move(shapes), cfg.bus.margin_m);
    const auto i = regions->find(cfg.bus.region);
    if (!i)
      throw ConfigError(
          fmt::format("{}: region \"{}\" is not one of [[bus.regions]] (or \"all\": every report)",
                      cfg.file, cfg.bus.region));
    region_index = *i;
    po.track_report = [&regions, region_index, &cfg](const Report& r) {
      const auto p = geo::report_ground_position(r, cfg.sensors);
      return !p || regions->near(region_index, p->first, p->second);
    };
    if (!o.quiet)
      log::info("skyfuse run: region \"{}\" of {} and {:.0f} km beyond it", cfg.bus.region,
                regions->size(), cfg.bus.margin_m / 1000);
  }
  std::unique_ptr<BusTrackSink> bus_tracks;
  if (bus) {
    bus_tracks = std::make_unique<BusTrackSink>(*bus, holder_name(), regions.get(), region_index);
    bus_tracks->tick(wall_now());
    po.extra_sinks.push_back(bus_tracks.get());
  }
  Pipeline pipeline(cfg, zones, o.specs_dir, std::move(po));

  // A file size limit reached (RLIMIT_FSIZE) fails the write instead of killing
  // the process: the recorder stops, tracking goes on.
  std::signal(SIGXFSZ, SIG_IGN);
  PacketQueue queue(static_cast<std::size_t>(cfg.run.queue_packets));
  const std::size_t n = cfg.sensors.size();
  std::unique_ptr<BusInputSource> bus_in;
  if (bus) {
    bus_in = std::make_unique<BusInputSource>(*bus, cfg, cfg.run.exit_at_end);
    if (!o.quiet) log::info("skyfuse run: {}", bus_in->note());
  }
  // The configured inputs (none in role track: the input stream instead).
  Inputs inputs(cfg, files, epoch, start, "skyfuse run", o.quiet, !track_role);
  inputs.start(queue, bus_in.get());
  if (http) {
    http->start();
    // Printed even with --quiet (bare then): scripts read the port from it.
    const std::string line = fmt::format(
        "skyfuse run: map at http://{}:{}/ ({} sensors)",
        cfg.run.http_bind == "0.0.0.0" ? "localhost" : cfg.run.http_bind, http->port(), n);
    if (log::enabled(log::Level::kInfo))
      log::info("{}", line);
    else
      fmt::print(stderr, "{}\n", line);
  }

  std::vector<std::uint64_t> drops_seen(n, 0), kernel_seen(n, 0), filtered_seen(n, 0);
  std::vector<Time> kernel_logged(n);
  std::vector<SourceState> state_seen(n, SourceState::kIdle);
  bool ended_reported = false;
  bool data_ended = false;  // every input ended (not a stop, a duration, a failure)
  Time last_refresh = start;
  Time last_status = start;
  std::uint64_t reports_at_status = 0;
  while (!stop.stop_requested()) {
    if (auto p = queue.pop(std::chrono::milliseconds(100))) pipeline.process(*p, wall_now());
    const Time now = wall_now();
    for (std::size_t i = 0; i < n; ++i) {
      inputs.poll(i);
      SourceStatus& status = inputs.status(i);
      const std::uint64_t d = status.drops;
      if (d != drops_seen[i]) {
        pipeline.add_drops(static_cast<std::uint16_t>(i), d - drops_seen[i]);
        drops_seen[i] = d;
      }
      if (cfg.feeds[i].transport == feeds::Transport::kUdp) {
        // The kernel's drops (receive buffer full) and refused senders, logged
        // at most every 10 s per sensor.
        const std::uint64_t k = status.kernel_drops, f = status.filtered;
        if ((k != kernel_seen[i] || f != filtered_seen[i]) &&
            (now - kernel_logged[i]).seconds() >= 10) {
          log::warn(
              "skyfuse run: sensor \"{}\": {} datagrams dropped by the kernel (receive "
              "buffer full), {} from senders not in allow_from, in all",
              cfg.sensors[i].name, k, f);
          kernel_logged[i] = now;
          kernel_seen[i] = k;
          filtered_seen[i] = f;
        }
        pipeline.set_kernel_drops(static_cast<std::uint16_t>(i), k);
      }
      const SourceState s = status.state;
      if (s != state_seen[i] && s != SourceState::kEnded) {
        pipeline.set_source_state(static_cast<std::uint16_t>(i), to_string(s));
        state_seen[i] = s;
      }
    }
    {
      std::lock_guard lock(control.mu);
      for (auto& [z, text] : control.zones) pipeline.set_zones(std::move(z), text, now);
      control.zones.clear();
    }
    if (recorder) recorder->tick(now);
    if (bus_tracks) bus_tracks->tick(now);
    if ((now - last_refresh).seconds() >= 1.0) {
      pipeline.refresh();
      last_refresh = now;
    }
    if (cfg.run.status_period_s > 0 && (now - last_status).seconds() >= cfg.run.status_period_s) {
      log_status(pipeline, (now - last_status).seconds(), reports_at_status, drops_seen,
                 queue.size());
      last_status = now;
      reports_at_status = pipeline.reports();
    }
    if (cfg.run.duration_s > 0 && (now - start).seconds() >= cfg.run.duration_s) break;
    if (bus_in && bus_in->failed()) break;  // the input stream cannot be read (logged)
    if (!inputs.running() && !(bus_in && bus_in->running()) && queue.size() == 0) {
      if (cfg.run.exit_at_end) {
        data_ended = true;
        break;
      }
      if (!ended_reported) {
        pipeline.finish();
        ended_reported = true;
        if (!o.quiet)
          log::info("skyfuse run: every input has ended; serving the last picture (Ctrl-C stops)");
      }
    }
  }
  inputs.stop(queue);
  // Whatever was queued when stopping is still processed: nothing is lost.
  while (auto p = queue.pop(std::chrono::milliseconds(0))) pipeline.process(*p, wall_now());
  // A tracker stopped before its data ended does not publish what the final
  // flush computes: its standby goes on from the same point with other updates.
  if (bus_tracks && !ended_reported && !data_ended) bus_tracks->stop_publishing();
  if (!ended_reported) pipeline.finish();
  if (recorder) recorder->flush();
  if (http) http->stop();
  if (!o.quiet) {
    pipeline.print_summary();
    if (bus_in)
      log::info(
          "  stream {}: {} messages read, {} put back in publish order, {} never arrived, {} "
          "unreadable; track updates: {} not published",
          cfg.bus.input_stream, bus_in->messages(), bus_in->reordered(), bus_in->gaps(),
          bus_in->bad(), bus_tracks ? bus_tracks->failed() : 0);
    if (recorder)
      log::info("  recording: {} entries, {:.1f} MB raw -> {:.1f} MB in {} files ({})",
                recorder->stats().entries, static_cast<double>(recorder->stats().raw_bytes) / 1e6,
                static_cast<double>(recorder->stats().written_bytes) / 1e6, recorder->stats().files,
                cfg.run.record_dir);
  }
  return bus_in && bus_in->failed() ? 1 : 0;
}

}  // namespace skyfuse::live
