// File: sim/simulator.hpp
//
// Runs a scenario: samples every target's truth on a regular grid and produces
// each sensor's reports (rotating radars with beam-sweep timing, Pd, noise,
// bias, Poisson clutter, horizon and range; ADS-B with NACp-consistent noise,
// random 0.5-2 s intervals and dropouts; multilateration with geometry-dependent
// noise; Remote ID at 1 Hz; 3-D drone radars). Deterministic: each sensor draws
// from its own random stream derived from the seed and the sensor's name.
//
//   sim::SimOutput out = sim::simulate(scenario, 42);
//   for (const auto& feed : out.feeds) write(feed.sensor.name, feed.reports);
#pragma once

#include <cstdint>
#include <vector>

#include "core/types.hpp"
#include "sim/scenario.hpp"

namespace skyfuse::sim {

struct Feed {
  Sensor sensor;
  std::vector<Report> reports;  // time-ordered
  // Simulated systematic errors (truth for registration tests; radars only).
  double bias_range_m = 0;
  double bias_azimuth_deg = 0;
  double range_gain_ppm = 0;
  double time_bias_s = 0;
};

struct SimOutput {
  std::vector<ObjectState> truth;  // ordered by time, then id
  std::vector<Feed> feeds;         // in scenario order: radars, ADS-B, MLAT, Remote ID
};

SimOutput simulate(const Scenario& scenario, std::uint64_t seed);

// ADS-B NACv -> 95 % horizontal velocity bound in m/s.
double nacv_bound_mps(std::uint8_t nacv);

}  // namespace skyfuse::sim
