// File: tests/mlat/sim_network.hpp
//
// Test helper: a simulated receiver network with known clocks. Each receiver's
// timestamp is  true arrival time + offset + drift * t  (+ a jump after
// `jump_at_s`), plus Gaussian noise, quantised to its clock tick. Emitters fly
// at 10 km within the network. Truth comes from the simulation, never from the
// code under test.
#pragma once

#include <cmath>
#include <random>
#include <vector>

#include "geo/wgs84.hpp"
#include "mlat/clock_sync.hpp"
#include "mlat/propagation.hpp"
#include "mlat/receiver.hpp"

namespace skyfuse::mlat::testing {

struct SimClock {
  double offset_s = 0;
  double drift = 0;  // [s/s]
  double noise_s = 50e-9;
  double jump_at_s = INFINITY;
  double jump_s = 0;
};

struct SimNetwork {
  ReceiverSet receivers;
  std::vector<ReceiverId> ids;
  std::vector<SimClock> clocks;
  std::mt19937_64 rng{7};

  void add(ReceiverId id, double lat, double lon, double h, ClockKind kind, SimClock c) {
    receivers.add({.id = id, .position = {lat, lon, h}, .clock = kind});
    ids.push_back(id);
    clocks.push_back(c);
  }

  // Clock error of receiver k at true time t [s].
  double clock_error_s(std::size_t k, double t) const {
    const SimClock& c = clocks[k];
    return c.offset_s + c.drift * t + (t >= c.jump_at_s ? c.jump_s : 0.0);
  }

  // Timestamp [ns] of receiver k for a transmission at true time t from x.
  std::int64_t timestamp_ns(std::size_t k, double t, const Eigen::Vector3d& x, double h) {
    const Receiver& r = *receivers.find(ids[k]);
    const double arrival = t + flight_time_s(x, h, r.ecef_m, r.position.alt_m);
    std::normal_distribution<double> noise(0.0, clocks[k].noise_s);
    const double reading = arrival + clock_error_s(k, t) + noise(rng);
    const double tick = clock_spec(r.clock).tick_s;
    return static_cast<std::int64_t>(std::llround(std::round(reading / tick) * tick * 1e9));
  }

  GeodeticPosition random_emitter(double lat0, double lon0, double span_deg) {
    std::uniform_real_distribution<double> u(-span_deg, span_deg);
    return {lat0 + u(rng), lon0 + u(rng), 10000.0};
  }

  // A reference heard by `n` random receivers at true time t.
  std::vector<ReferenceObservation> reference(double t, const GeodeticPosition& p, std::size_t n) {
    std::vector<std::size_t> order(ids.size());
    for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
    std::shuffle(order.begin(), order.end(), rng);
    const Eigen::Vector3d x = geo::geodetic_to_ecef(p);
    std::vector<ReferenceObservation> obs;
    for (std::size_t i = 0; i < std::min(n, order.size()); ++i) {
      const std::size_t k = order[i];
      const Receiver& r = *receivers.find(ids[k]);
      obs.push_back({ids[k], timestamp_ns(k, t, x, p.alt_m),
                     flight_time_s(x, p.alt_m, r.ecef_m, r.position.alt_m)});
    }
    return obs;
  }
};

// A network of 8 receivers around Zurich: GPS, Beast and SBS clocks.
inline SimNetwork swiss_network() {
  SimNetwork n;
  n.add(1, 47.40, 8.63, 430, ClockKind::kGps, {.offset_s = 35e-9});
  n.add(2, 47.05, 7.62, 560, ClockKind::kGps, {.offset_s = -80e-9});
  n.add(3, 47.54, 7.56, 350, ClockKind::kGps, {.offset_s = 120e-9});
  n.add(4, 46.48, 6.84, 680, ClockKind::kGps, {.offset_s = 10e-9});
  n.add(5, 47.51, 10.28, 750, ClockKind::kBeast,
        {.offset_s = 1234.567891, .drift = 23e-6, .noise_s = 40e-9});
  n.add(6, 48.20, 9.18, 300, ClockKind::kBeast,
        {.offset_s = 87.0004, .drift = -41e-6, .noise_s = 40e-9});
  n.add(7, 46.51, 9.15, 1600, ClockKind::kSbs,
        {.offset_s = 5021.25, .drift = 7.5e-6, .noise_s = 40e-9});
  n.add(8, 47.04, 8.32, 480, ClockKind::kGps, {.offset_s = -30e-9});
  return n;
}

}  // namespace skyfuse::mlat::testing
