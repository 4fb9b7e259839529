// File: sim/simulator.hpp
//
// Runs a scenario: samples every target's truth on a regular grid and produces
// each sensor's reports (rotating radars with beam-sweep timing, Pd, noise,
// bias, Poisson clutter, horizon and range; ADS-B with NACp-consistent noise,
// random 0.5-2 s intervals and dropouts; multilateration with geometry-dependent
// noise; Remote ID at 1 Hz; 3-D drone radars) and receiver networks' raw arrival
// times. Deterministic: each sensor draws
// from its own random stream derived from the seed and the sensor's name.
//
//   sim::SimOutput out = sim::simulate(scenario, 42);
//   for (const auto& feed : out.feeds) write(feed.sensor.name, feed.reports);
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "core/types.hpp"
#include "mlat/message.hpp"
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

// A receiver network's raw output: the receiver list and one message per
// transmission heard by enough receivers (time order, ids 1..n), references
// (ADS-B positions) and messages to locate mixed, as `skyfuse mlat` reads them.
struct NetworkFeed {
  std::string name;
  mlat::ReceiverSet receivers;
  std::vector<mlat::Message> messages;
  // Truth of the simulated clocks, per receiver (for tests): offset at the
  // start [s] and drift [s/s].
  std::vector<std::pair<double, double>> clocks;
  bool beast = false;  // MlatNetworkConfig::beast
};

NetworkFeed simulate_network(const MlatNetworkConfig& network, const Scenario& scenario,
                             std::uint64_t seed);

struct SimOutput {
  std::vector<ObjectState> truth;     // ordered by time, then id
  std::vector<Feed> feeds;            // in scenario order: radars, ADS-B, MLAT, Remote ID
  std::vector<NetworkFeed> networks;  // [[mlat_network]] in scenario order
};

// Progress: (parts done, parts in all), a part being the truth or one sensor
// (each sensor draws its own stream, so the parts are natural units); it
// never changes the output.
using SimProgress = std::function<void(std::size_t done, std::size_t total)>;

SimOutput simulate(const Scenario& scenario, std::uint64_t seed, const SimProgress& progress = {});

// The pressure altitude a barometric altimeter reads at this height above the
// ellipsoid: through the scenario's atmosphere, or its constant offset [m].
double pressure_altitude_m(const Scenario& scenario, double height_m);

// ADS-B NACv -> 95 % horizontal velocity bound in m/s.
double nacv_bound_mps(std::uint8_t nacv);

}  // namespace skyfuse::sim
