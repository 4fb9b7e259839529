// File: live/live_system.hpp
//
// `skyfuse run` as a library unit: every input on its own thread (UDP, TCP,
// the file replay), the bounded queue, the one pipeline thread that owns all
// state, the HTTP/WebSocket server on the live store, CAT062/065 over UDP, the
// crash-safe recording, and the main loop that ties them (sources' counters,
// zones posted through the API, the recorder's clock, a view refreshed every
// second of wall time). It stops at `stop`, after `duration_s`, or (with
// `exit_at_end`) when every file input has ended; whatever was queued is
// still processed.
//
//   LiveSystem::Options o{.specs_dir = "specs/asterix", .web_root = "web"};
//   int rc = run_live_system(cfg, o, stop_source.get_token());
#pragma once

#include <stop_token>
#include <string>
#include <vector>

#include "live/system_config.hpp"
#include "safety/zones.hpp"
#include "server/live_store.hpp"
#include "server/server_config.hpp"

namespace skyfuse::live {

// The single process ("all", no NATS), or one role on a NATS JetStream
// cluster (live/bus_roles.hpp): "ingest" publishes the inputs, "track" tracks
// what the input stream holds.
enum class Role { kAll, kIngest, kTrack };

struct LiveOptions {
  Role role = Role::kAll;
  std::string specs_dir;        // asterix-specs definitions
  std::string web_root;         // the map's files when [run] web_root is not set
  bool serve_any_port = false;  // serve on a free port even if [run] http_port is 0
  bool quiet = false;
};

int run_live_system(SystemConfig cfg, const LiveOptions& o, std::stop_token stop);

// The zones GeoJSON file ("" none: an empty collection) and its text.
std::vector<safety::Zone> load_zone_file(const std::string& path, std::string* text);
// What the live store needs to know of the system before any data.
// The map's and API's settings from the configuration; reads [run] aircraft_db
// (a ConfigError when it cannot be read, unless `replay`: a recording's
// configuration may name a database this machine does not have, which only
// costs the registrations, said in the log).
server::StoreInfo store_info(const SystemConfig& cfg, const std::vector<safety::Zone>& zones,
                             bool replay = false);
// The map's HTTP server as [run] configures it (bind, port, web root, token, limits).
server::ServerConfig server_config(const SystemConfig& cfg);

}  // namespace skyfuse::live
