// File: apps/system_config.hpp
//
// The system configuration (docs/config.md): `[tracker]` settings, the
// system's own `[system]` identity, and one `[[sensor]]` table per sensor with
// its kind, SAC/SIC, site, accuracy, rotation period and input. `skyfuse sim`
// writes a valid one (`sensors.toml`). Every problem throws ConfigError with
// FILE:LINE:COLUMN.
//
//   SystemConfig c = apps::load_system_config("config/zurich.toml");
#pragma once

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "core/types.hpp"
#include "safety/safety_nets.hpp"
#include "server/server_config.hpp"
#include "tracking/config.hpp"
#include "tracking/time_guard.hpp"

namespace skyfuse::apps {

enum class Transport : std::uint8_t { kFile, kUdp, kTcp };

struct FeedConfig {
  std::string input;  // as written: "file:radar.jsonl", "udp:8600", "tcp:host:30005"
  Transport transport = Transport::kFile;
  std::string path;                     // file input resolved against the configuration's folder
  std::string host;                     // tcp: the server; udp: the multicast group ("" unicast)
  std::uint16_t port = 0;               // udp / tcp
  std::string interface_address;        // udp multicast: the local interface's IPv4 address
  std::string bind_address;             // udp unicast: the local address to listen on ("" any)
  std::string device;                   // udp: the network interface (SO_BINDTODEVICE) ("" any)
  std::vector<std::string> allow_from;  // udp: sender addresses or prefixes ("" list: any)
  int receive_buffer_bytes = 0;         // udp: SO_RCVBUF (0: the receiver's default)
  std::string clock_group = "main";     // run: files of one group share one replay time shift
  std::string format;                   // jsonl, beast, avr, csv, asterix, final, pcap
  std::map<int, std::string> editions;  // ASTERIX category -> edition
  double start_unix = NAN;              // Beast/AVR without timestamps: time of the first frame
};

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
  int queue_packets = 20000;       // input queue; full: files wait, network packets are dropped
  double publish_period_s = 1.0;   // data time between pictures (map, API, safety nets)
  double duration_s = 0;           // stop after this much wall time (0: run until stopped / end)
  bool exit_at_end = false;        // stop when every file input has ended (tests, batch)
  std::string tracks_out;          // also write track updates as JSON Lines
  std::string alerts_out;          // also write alert events as JSON Lines

  // The HTTP / WebSocket server's limits: [run] http_* and ws_* (docs/config.md).
  server::ServerLimits http_limits;
};

struct SystemConfig {
  std::string file;
  std::uint8_t sac = 0;  // the tracker's own ASTERIX identity (CAT062/065)
  std::uint8_t sic = 1;
  tracking::TrackerConfig tracker;
  tracking::TimeGuardConfig data_time;
  std::vector<Sensor> sensors;    // ids 1..n in file order
  std::vector<FeedConfig> feeds;  // one per sensor
  RunConfig run;
  safety::SafetyConfig safety;
  std::string text;  // the file as read (recordings keep it)
};

// `live_inputs`: accept udp:/tcp: inputs, [run] and [safety] (skyfuse run).
SystemConfig load_system_config(const std::string& path, bool live_inputs = false);
// The same from text (a recording's header); `path` names it and anchors relative paths.
SystemConfig load_system_config_text(const std::string& text, const std::string& path,
                                     bool live_inputs);

}  // namespace skyfuse::apps
