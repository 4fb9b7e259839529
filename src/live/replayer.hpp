// File: live/replayer.hpp
//
// `skyfuse replay` as a library unit: a recording through the same Pipeline
// as `run`, entries in recorded order, so the same tracks and alerts come out
// byte for byte (`verify` compares them with those recorded); on the map with
// a time slider, speed and pause (POST /api/replay, checked before anything
// is applied), a seek backwards restarting from the beginning; or as fast as
// possible. Damage in the recording is skipped and named, and fails verify.
//
//   ReplayOptions o{.recording = "rec/", .speed = 0, .no_http = true};
//   int rc = run_replay(o, stop);
//   int rc2 = print_index("rec/");  // what a recording holds, without running it
#pragma once

#include <functional>
#include <stop_token>
#include <string>

#include "live/system_config.hpp"

namespace skyfuse::live {

struct ReplayOptions {
  std::string recording;
  std::string specs;  // asterix-specs definitions
  double speed = 1;
  double from = 0;
  std::string out, alerts_out;
  int http_port = 8080;
  bool no_http = false;
  bool verify = false;
  bool index = false;
  bool quiet = false;
  std::string web_root;  // the map's files
  // Overrides the aircraft database the run used (the recording header's
  // "aircraft_db": [run] aircraft_db or run --aircraft-db).
  std::string aircraft_db;
  // Reads the configuration recorded in the header (TOML text, its file name).
  std::function<SystemConfig(const std::string& text, const std::string& name)> load_config;
};

int run_replay(ReplayOptions o, std::stop_token stop);
// Prints what the recording holds (files, chunks, entries, time span, damage)
// as JSON; 1 if anything was damaged.
int print_index(const std::string& path);

}  // namespace skyfuse::live
