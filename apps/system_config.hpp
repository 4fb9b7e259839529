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
#include "tracking/config.hpp"

namespace skyfuse::apps {

struct FeedConfig {
  std::string input;                    // as written: "file:radar.jsonl"
  std::string path;                     // file input resolved against the configuration's folder
  std::string format;                   // jsonl, beast, avr, csv, asterix, final, pcap
  std::map<int, std::string> editions;  // ASTERIX category -> edition
  double start_unix = NAN;              // Beast/AVR without timestamps: time of the first frame
};

struct SystemConfig {
  std::string file;
  std::uint8_t sac = 0;  // the tracker's own ASTERIX identity (CAT062/065)
  std::uint8_t sic = 1;
  tracking::TrackerConfig tracker;
  std::vector<Sensor> sensors;    // ids 1..n in file order
  std::vector<FeedConfig> feeds;  // one per sensor
};

SystemConfig load_system_config(const std::string& path);

}  // namespace skyfuse::apps
