// File: apps/system_config.hpp
//
// The verbs' names for the system configuration and its loader, which lives in
// the live stage (live/system_config_loader.hpp) so that the Python module
// reads configurations exactly as `skyfuse track` and `run` do.
#pragma once

#include "live/system_config_loader.hpp"

namespace skyfuse::apps {

using live::load_system_config;
using live::load_system_config_text;
using live::RunConfig;
using live::SystemConfig;

}  // namespace skyfuse::apps
