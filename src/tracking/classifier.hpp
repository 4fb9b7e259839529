// File: tracking/classifier.hpp
//
// Target classification from identity, sensors and kinematics, with a
// confidence in [0, 1]. Evidence, strongest first:
//   - a Remote ID serial or Remote ID receiver: small UAV;
//   - the ADS-B emitter category (DO-260B set A/B: A7 rotorcraft, A6 high
//     performance, A1-A5 fixed wing, B6 UAV, B1/B4 glider/ultralight);
//   - kinematics: a sustained speed above 400 m/s is a fast mover; a
//     transponder-equipped target hovering (below 5 m/s) is a rotorcraft; an
//     anonymous target seen only by drone sensors, or slow (below 40 m/s) and
//     low (below 1,000 m), is a small UAV; 60-350 m/s is fixed wing.
//
//   ClassEvidence e; e.max_speed_mps = 230; e.has_transponder = true;
//   auto [cls, conf] = classify(e);   // fixed_wing, 0.8
#pragma once

#include <optional>
#include <utility>

#include "core/types.hpp"

namespace skyfuse::tracking {

struct ClassEvidence {
  std::optional<std::uint8_t> emitter_category;  // (tc - 1) * 8 + code, as decoded
  bool has_remote_id = false;
  bool has_transponder = false;    // any of 24-bit address, Mode 3/A, Mode C
  bool drone_sensors_only = true;  // only drone radar / Remote ID updates so far
  double speed_mps = 0;            // smoothed current ground speed
  double max_speed_mps = 0;        // over the track's life (smoothed)
  double min_speed_mps = 1e9;      // over the track's life, after the first 10 s
  double height_m = 0;             // above the ellipsoid
  int updates = 0;
};

std::pair<TargetClass, double> classify(const ClassEvidence& e);

}  // namespace skyfuse::tracking
