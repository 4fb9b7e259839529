// File: apps/scenario_loader.hpp
//
// Reads a scenario TOML file (docs/scenario.md) into sim::Scenario: parametric
// targets, real traffic slices, drone logs and sensors. The only place that
// parses scenario files. Every problem throws ConfigError naming the file and
// line: "scenarios/demo.toml:14:1: [[sensor]] \"rad-1\": unknown key 'rotaton_period_s'".
//
//   sim::Scenario s = apps::load_scenario("scenarios/demo.toml");
#pragma once

#include <string>

#include "sim/scenario.hpp"

namespace skyfuse::apps {

sim::Scenario load_scenario(const std::string& path);

}  // namespace skyfuse::apps
