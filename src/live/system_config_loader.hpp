// File: live/system_config_loader.hpp
//
// Reads the system configuration (live/system_config.hpp; docs/config.md)
// from TOML: `[tracker]` settings, the system's own `[system]` identity,
// `[data_time]`, one `[[sensor]]` table per sensor with its kind, SAC/SIC,
// site, accuracy, rotation period and input, and for `run` `[run]` and
// `[safety]`. `skyfuse sim` writes a valid one (`sensors.toml`). Every problem
// throws ConfigError with FILE:LINE:COLUMN. Used by `track`, `run`, `replay`
// and the Python module.
//
//   live::SystemConfig c = live::load_system_config("config/zurich.toml");
#pragma once

#include <string>

#include "live/system_config.hpp"

namespace skyfuse::live {

// `live_inputs`: accept udp:/tcp: inputs, [run] and [safety] (skyfuse run).
SystemConfig load_system_config(const std::string& path, bool live_inputs = false);
// The same from text (a recording's header); `path` names it and anchors relative paths.
SystemConfig load_system_config_text(const std::string& text, const std::string& path,
                                     bool live_inputs);

}  // namespace skyfuse::live
