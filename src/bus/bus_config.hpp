// File: bus/bus_config.hpp
//
// Where the NATS JetStream cluster is and how skyfuse uses it ([bus] in the
// system configuration, docs/config.md and docs/adr/0007-nats-jetstream.md):
// the servers, the credentials, the two durable streams (sensors' raw input,
// track updates) with their retention, and the region this instance tracks.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace skyfuse::bus {

// A region of airspace ([[bus.regions]]; geo/regions.hpp): a polygon of
// (lat, lon) vertices in degrees, or none for the rest of the airspace.
struct RegionConfig {
  std::string name;
  std::vector<std::pair<double, double>> polygon_deg;
};

struct BusConfig {
  std::vector<std::string> servers;              // "nats://127.0.0.1:4222", ...; empty: no bus
  std::string token;                             // or in the environment as SKYFUSE_NATS_TOKEN
  std::string creds_file;                        // a NATS .creds file (user JWT and nkey seed)
  std::string nkey;                              // an nkey user: its public key ...
  std::string nkey_seed_file;                    // ... and the file holding its seed
  std::string input_stream = "SKYFUSE_IN";       // subjects skyfuse.in.<sensor>
  std::string tracks_stream = "SKYFUSE_TRACKS";  // subjects skyfuse.tracks.<region>
  int replicas = 1;                              // copies of each stream in the cluster (1-5)
  double max_age_s = 86400;                      // retention by time ...
  double max_mb = 1024;                          // ... and by size, per stream
  std::string region = "all";                    // the region whose tracks this instance publishes
  std::string start = "all";                    // tracker: "all" the stream from its first message,
                                                // "new" from now, or Unix seconds
  std::string lease_bucket = "SKYFUSE_LEASES";  // key-value bucket of region ownership
  double lease_s = 2;                           // a dead owner's lease expires after this long
  int reorder_window = 100000;                  // messages a reader waits for one resent late
  double connect_timeout_s = 5;
  int max_pending_publishes = 4096;  // acknowledgements awaited at once (ingest)
  // Airspace split into regions (empty: each instance tracks everything).
  std::vector<RegionConfig> regions;
  double margin_m = 30000;  // a region's tracker also tracks this far beyond it
  // The merged picture: a region's new track continues another region's
  // (keeps its number) when that one was updated this recently and ...
  double handover_s = 30;
  double handover_gate_m = 5000;  // ... is this close (predicted), or has the same address

  bool enabled() const { return !servers.empty(); }
};

}  // namespace skyfuse::bus
