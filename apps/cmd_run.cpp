// `skyfuse run` (the live system) and `skyfuse replay` (a recording, exactly):
// options, the configuration file, and Ctrl-C; the work is live/live_system
// and live/replayer.
#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <stop_token>
#include <thread>

#include "apps/commands.hpp"
#include "apps/system_config.hpp"
#include "core/error.hpp"
#include "live/bus_roles.hpp"
#include "live/live_system.hpp"
#include "live/replayer.hpp"

namespace skyfuse::apps {

namespace {

// Ctrl-C and SIGTERM set a flag (all a signal handler may do); a watcher
// turns it into a stop request for the library's stop token.
std::atomic<bool> g_signalled{false};
extern "C" void on_signal(int) { g_signalled = true; }

class StopOnSignal {
 public:
  StopOnSignal() {
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    watcher_ = std::jthread([this](std::stop_token done) {
      while (!done.stop_requested()) {
        if (g_signalled) source_.request_stop();
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    });
  }
  std::stop_token token() const { return source_.get_token(); }

 private:
  std::stop_source source_;
  std::jthread watcher_;  // last: stops before source_ goes
};

struct RunOptions {
  std::string config;
  std::string specs = SKYFUSE_SPECS_DIR;
  int http_port = -1;
  double speed = -1;
  double duration_s = -1;
  std::string record_dir;
  std::string tracks_out, alerts_out, aircraft_db;
  bool exit_at_end = false;
  bool once = false;
  std::string role = "all";
  std::string nats, region;
  LogOptions log;
};

// --nats (comma-separated URLs) and --region over [bus].
void apply_bus_options(bus::BusConfig& b, const std::string& nats, const std::string& region) {
  if (!nats.empty()) {
    b.servers.clear();
    std::size_t from = 0;
    while (from <= nats.size()) {
      const std::size_t comma = std::min(nats.find(',', from), nats.size());
      if (comma > from) b.servers.push_back(nats.substr(from, comma - from));
      from = comma + 1;
    }
  }
  if (!region.empty()) b.region = region;
}

int run_live(const RunOptions& o) {
  SystemConfig cfg = load_system_config(o.config, true);
  if (o.http_port >= 0) cfg.run.http_port = o.http_port;
  if (o.speed >= 0) cfg.run.speed = o.speed;
  if (o.duration_s >= 0) cfg.run.duration_s = o.duration_s;
  if (!o.record_dir.empty()) cfg.run.record_dir = o.record_dir;
  if (!o.tracks_out.empty()) cfg.run.tracks_out = o.tracks_out;
  if (!o.alerts_out.empty()) cfg.run.alerts_out = o.alerts_out;
  if (!o.aircraft_db.empty())  // absolute: the recording's header names it for replay
    cfg.run.aircraft_db = std::filesystem::absolute(o.aircraft_db).lexically_normal().string();
  if (o.exit_at_end) cfg.run.exit_at_end = true;
  if (o.once) cfg.run.loop = false;
  apply_bus_options(cfg.bus, o.nats, o.region);
  live::LiveOptions lo;
  lo.specs_dir = o.specs;
  lo.web_root = SKYFUSE_WEB_DIR;
  lo.serve_any_port = o.http_port == 0;
  lo.quiet = configure_logging(o.log, true);
  StopOnSignal stop;
  if (o.role == "ingest") return live::run_ingest(std::move(cfg), lo, stop.token());
  if (o.role == "serve") return live::run_serve(std::move(cfg), lo, stop.token());
  lo.role = o.role == "track" ? live::Role::kTrack : live::Role::kAll;
  return live::run_live_system(std::move(cfg), lo, stop.token());
}

}  // namespace

Runner add_run_command(CLI::App& app) {
  auto o = std::make_shared<RunOptions>();
  CLI::App* cmd = app.add_subcommand(
      "run", "The live system: ingest feeds, track, raise alerts, record, serve the map");
  cmd->add_option("--config", o->config, "System configuration TOML (docs/config.md)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--http-port", o->http_port,
                  "Map and API port (0: any free port; default [run] http_port, 8080)")
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--speed", o->speed,
                  "File inputs at this many times real time (0: as fast as possible)")
      ->check(CLI::Range(0.0, 10000.0));
  cmd->add_option("--duration", o->duration_s, "Stop after this many seconds of wall time")
      ->check(CLI::Range(0.0, 1e9));
  cmd->add_option("--record", o->record_dir, "Record every input and output into this folder");
  cmd->add_option("--tracks-out", o->tracks_out, "Also write track updates as JSON Lines");
  cmd->add_option("--alerts-out", o->alerts_out, "Also write alert events as JSON Lines");
  cmd->add_option("--aircraft-db", o->aircraft_db,
                  "Registrations and types by 24-bit address: readsb's/tar1090-db's aircraft.csv "
                  "or OpenSky's aircraft database, plain or .gz (default [run] aircraft_db)");
  cmd->add_flag("--exit-at-end", o->exit_at_end,
                "Stop when every file input has ended (role track: at the input stream's last "
                "message when it started)");
  cmd->add_option("--role", o->role,
                  "all: the single process (default); on the NATS JetStream cluster of [bus]: "
                  "ingest (publish the inputs), track (track the input stream, publish tracks) "
                  "or serve (the map of the tracks stream's picture, regions merged)")
      ->check(CLI::IsMember({"all", "ingest", "track", "serve"}));
  cmd->add_option("--nats", o->nats,
                  "NATS servers, comma-separated (\"nats://127.0.0.1:4222,...\"), instead of "
                  "[bus] servers; the token from [bus] or SKYFUSE_NATS_TOKEN");
  cmd->add_option("--region", o->region, "Role track: the region this instance publishes");
  cmd->add_flag("--once", o->once, "Play file inputs once even if [run] loop = true");
  cmd->add_option("--specs", o->specs, "Directory of the asterix-specs category definitions");
  add_log_options(cmd, o->log);
  cmd->footer(
      "Example:\n  skyfuse run --config config/demo_run.toml      # map at http://localhost:8080\n"
      "  skyfuse run --config C.toml --record rec/ --speed 10 --exit-at-end\n"
      "  skyfuse run --config C.toml --role ingest   # and --role track: docs/scale-out.md\n"
      "Stop with Ctrl-C; the recording stays readable even after kill -9.");
  return [o] { return run_live(*o); };
}

Runner add_subscribe_command(CLI::App& app) {
  struct Options {
    std::string config, nats, region, out = "-";
    bool follow = false, all_regions = false, merged = false;
    LogOptions log;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "subscribe", "Write a region's track updates from the NATS tracks stream as JSON Lines");
  cmd->add_option("--config", o->config, "System configuration TOML with [bus] (docs/config.md)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--nats", o->nats, "NATS servers, comma-separated, instead of [bus] servers");
  cmd->add_option("--region", o->region, "The region (default [bus] region)");
  cmd->add_flag("--all-regions", o->all_regions, "Every region's updates, in the stream's order");
  cmd->add_flag("--merged", o->merged,
                "The merged picture of the [[bus.regions]]: one order, system track numbers kept "
                "across boundaries");
  cmd->add_option("--out", o->out, "JSON Lines file (default -: standard output)");
  cmd->add_flag("--follow", o->follow,
                "Go on with new updates until stopped (default: stop at the stream's last)");
  add_log_options(cmd, o->log);
  cmd->footer(
      "Example:\n  skyfuse subscribe --config C.toml --region north --out north.jsonl\n"
      "  skyfuse subscribe --config C.toml --merged --out picture.jsonl\n"
      "Reads from the stream's first message kept (docs/scale-out.md).");
  return [o] {
    configure_logging(o->log, true);
    SystemConfig cfg = load_system_config(o->config, true);
    apply_bus_options(cfg.bus, o->nats, o->region);
    if (!cfg.bus.enabled())
      throw ConfigError(fmt::format("{}: no [bus] servers (or --nats)", o->config));
    StopOnSignal stop;
    return live::write_track_stream(cfg.bus, o->all_regions ? "" : cfg.bus.region, o->out,
                                    o->follow, o->merged, stop.token());
  };
}

Runner add_replay_command(CLI::App& app) {
  auto o = std::make_shared<live::ReplayOptions>();
  auto log_options = std::make_shared<LogOptions>();
  o->specs = SKYFUSE_SPECS_DIR;
  CLI::App* cmd = app.add_subcommand(
      "replay", "Replay a recording through the same pipeline: the same tracks and alerts");
  cmd->add_option("recording", o->recording, "A .sfrec file or a folder of them")->required();
  cmd->add_option("--speed", o->speed, "Times real time (0: as fast as possible)")
      ->check(CLI::Range(0.0, 10000.0));
  cmd->add_option(
      "--from", o->from,
      "Start showing at this data time (Unix seconds); earlier data is processed at full speed");
  cmd->add_option("--out", o->out, "Track updates as JSON Lines");
  cmd->add_option("--alerts-out", o->alerts_out, "Alert events as JSON Lines");
  cmd->add_option("--http-port", o->http_port, "Map and API port")->check(CLI::Range(0, 65535));
  cmd->add_flag("--no-http", o->no_http, "No map; exit at the end");
  cmd->add_flag("--verify", o->verify,
                "Compare the replayed tracks and alerts with those recorded (needs --out and "
                "--alerts-out); exit 1 if they differ");
  cmd->add_flag(
      "--index", o->index,
      "Print what the recording holds (files, chunks, entries, time span, damage) and exit");
  cmd->add_option("--specs", o->specs, "Directory of the asterix-specs category definitions");
  cmd->add_option("--web-root", o->web_root, "The map's files");
  cmd->add_option("--aircraft-db", o->aircraft_db,
                  "Registrations and types by address (as run --aircraft-db; default the one the "
                  "recorded run used)");
  add_log_options(cmd, *log_options);
  cmd->footer(
      "Example:\n  skyfuse replay rec/ --speed 0 --no-http --out t.jsonl --alerts-out a.jsonl "
      "--verify");
  return [o, log_options] {
    o->quiet = configure_logging(*log_options, true);
    if (o->index) return live::print_index(o->recording);
    if (o->verify && (o->out.empty() || o->alerts_out.empty()))
      throw ConfigError("--verify needs --out and --alerts-out");
    if (o->web_root.empty()) o->web_root = SKYFUSE_WEB_DIR;
    o->load_config = [](const std::string& text, const std::string& name) {
      return load_system_config_text(text, name, true);
    };
    StopOnSignal stop;
    return live::run_replay(*o, stop.token());
  };
}

}  // namespace skyfuse::apps
