// File: live/system_config.hpp
//
// The whole system's configuration as plain values (docs/config.md): the
// tracker's own ASTERIX identity, the tracker and data-time guard settings,
// one Sensor and one FeedConfig per sensor, and for `skyfuse run` the live
// system's settings ([run]) and the safety nets ([safety]). apps/ reads it
// from TOML (apps/system_config.hpp); the stages take it as it is.
//
//   live::SystemConfig c = apps::load_system_config("config/demo_run.toml", true);
//   live::Pipeline p(c, zones, specs_dir, sinks);
#pragma once

#include <string>
#include <vector>

#include "bus/bus_config.hpp"
#include "core/types.hpp"
#include "feeds/feed.hpp"
#include "safety/safety_nets.hpp"
#include "server/server_config.hpp"
#include "tracking/config.hpp"
#include "tracking/time_guard.hpp"

namespace skyfuse::live {

// `skyfuse run`: the live system's own settings ([run] and [safety]).
struct RunConfig {
  std::string http_bind = "127.0.0.1";
  int http_port = 8080;
  std::string web_root;       // default: the web/ folder of the source tree
  std::string token;          // POST (zones) allowed with it; empty: read-only
  double speed = 1.0;         // file inputs: x real time; 0 as fast as possible
  bool loop = false;          // file inputs start again at their end
  std::string epoch = "now";  // file replay time base: "now" or Unix seconds
  std::string record_dir;     // empty: no recording
  double record_max_file_mb = 256;
  double record_max_file_s = 3600;
  double record_max_total_mb = 0;  // all recording files of the folder (0: no cap)
  std::string asterix_udp;         // CAT062 + CAT065 out: "HOST:PORT"
  std::string zones;               // GeoJSON file (resolved against the config's folder)
  std::string aircraft_db;         // registrations and types by address (readsb/OpenSky CSV)
  int queue_packets = 20000;       // input queue; full: files wait, network packets are dropped
  double publish_period_s = 1.0;   // data time between pictures (map, API, safety nets)
  double history_interval_s = 30;  // data time between tar1090 history_N.json copies
  double status_period_s = 10;     // wall time between status lines in the log (0: none)
  double duration_s = 0;           // stop after this much wall time (0: run until stopped / end)
  bool exit_at_end = false;        // stop when every file input has ended (tests, batch)
  std::string tracks_out;          // also write track updates as JSON Lines
  std::string alerts_out;          // also write alert events as JSON Lines
  // The operator's map layers ([[run.map_layer]]), as /api/info's
  // "map_layers" JSON array (docs/api.md); empty: none.
  std::string map_layers_json;

  // The HTTP / WebSocket server's limits: [run] http_* and ws_* (docs/config.md).
  server::ServerLimits http_limits;
};

struct SystemConfig {
  std::string file;
  std::uint8_t sac = 0;  // the tracker's own ASTERIX identity (CAT062/065)
  std::uint8_t sic = 1;
  tracking::TrackerConfig tracker;
  tracking::TimeGuardConfig data_time;
  std::vector<Sensor> sensors;           // ids 1..n in file order
  std::vector<feeds::FeedConfig> feeds;  // one per sensor
  RunConfig run;
  safety::SafetyConfig safety;
  bus::BusConfig bus;  // [bus]: NATS JetStream (roles ingest and track of `run`)
  std::string text;    // the file as read (recordings keep it)
  // Sections of `skyfuse run` read by a batch verb, which ignores them ("run", "safety").
  std::vector<std::string> ignored_sections;
};

}  // namespace skyfuse::live
