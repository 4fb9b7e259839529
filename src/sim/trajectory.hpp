// File: sim/trajectory.hpp
//
// A target's true trajectory: time-ordered WGS-84 samples with ENU velocity,
// and smooth evaluation at any time between them (cubic Hermite in latitude,
// longitude and height, using the sampled velocities as tangents), so sensors
// can look a target up at the exact instant the beam crosses it.
//
// Also the parametric flight model: a start state and a list of legs (straight,
// coordinated turn, climb/descent, speed change, hover), integrated over the
// ellipsoid; "straight" flies a geodesic (great circle), not a rhumb line.
//
//   sim::ParametricTarget p{...};
//   sim::Trajectory t = sim::fly(p, start, 0.1);
//   if (auto s = t.at(start + Duration::from_seconds(12.3))) use(s->position);
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/types.hpp"

namespace skyfuse::sim {

struct TrajectorySample {
  Time time;
  GeodeticPosition position;
  Eigen::Vector3d velocity_enu_mps = Eigen::Vector3d::Zero();
};

// What a target carries: it decides which sensors can see it and how.
struct Equipage {
  enum class Transponder : std::uint8_t { kNone, kModeAC, kModeS };
  Transponder transponder = Transponder::kModeS;
  bool adsb = false;
  bool remote_id = false;
  std::uint8_t nacp = 8;  // ADS-B navigation accuracy category for position
  std::uint8_t nacv = 2;  // ... for velocity
  double rcs_m2 = 10.0;   // radar cross-section, scales primary-radar range
  // Remote ID spoofing test options (docs/scenario.md): a second transmitter
  // replays the serial this far east/north of the true position; the
  // broadcast says 0 m/s; the RSSI is this constant instead of following the
  // range; a phantom is a broadcast only, no object a radar could see.
  std::optional<Eigen::Vector2d> remote_id_replay_offset_m;
  bool remote_id_zero_speed = false;
  std::optional<double> remote_id_rssi_dbm;
  bool phantom = false;
};

struct Trajectory {
  std::string id;
  TargetClass target_class = TargetClass::kUnknown;
  Identity identity;
  Equipage equipage;
  std::vector<TrajectorySample> samples;  // strictly increasing time
  double max_gap_s = 30;  // no state is reported inside a longer gap between samples

  Time begin() const { return samples.empty() ? Time{} : samples.front().time; }
  Time end() const { return samples.empty() ? Time{} : samples.back().time; }
  std::optional<TrajectorySample> at(Time t) const;
};

// One leg of a parametric flight. Rates act together over the leg's duration.
struct Leg {
  double duration_s = 0;
  double turn_rate_dps = 0;      // positive = right turn (clockwise seen from above)
  double vertical_rate_mps = 0;  // positive = climb
  double accel_mps2 = 0;         // along-track acceleration
  double min_speed_mps = 0;      // speed limits the acceleration stops at
  double max_speed_mps = 1e9;
};

struct ParametricTarget {
  std::string id;
  TargetClass target_class = TargetClass::kFixedWing;
  Identity identity;
  Equipage equipage;
  GeodeticPosition start;
  double heading_deg = 0;     // track over ground, clockwise from true north
  double speed_mps = 0;       // ground speed
  double start_offset_s = 0;  // appears this long after the scenario start
  std::vector<Leg> legs;
};

// Integrates a parametric target from `scenario_start + start_offset_s` with a
// fixed step `dt_s` (second-order Runge-Kutta on the ellipsoid), until its
// legs end or, if sooner, to the first sample at or after `until` (a scenario
// loader passes the scenario's end: a leg of 10^6 s at 0.01 s would otherwise
// be 10^8 samples, gigabytes for a scenario of minutes).
Trajectory fly(const ParametricTarget& target, Time scenario_start, double dt_s = 0.1,
               Time until = Time{INT64_MAX});

// Moves a trajectory so its first sample sits at `anchor` (keeping every
// sample's east/north/up offset from the first) and starts at `start`. Used to
// fly a real drone log near any airport.
void reanchor(Trajectory& trajectory, const GeodeticPosition& anchor, Time start);

// Fills velocities from positions by finite differences (for logs that carry
// positions only).
void derive_velocities(Trajectory& trajectory);

}  // namespace skyfuse::sim
