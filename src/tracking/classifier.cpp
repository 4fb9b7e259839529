#include "tracking/classifier.hpp"

namespace skyfuse::tracking {

std::pair<TargetClass, double> classify(const ClassEvidence& e) {
  if (e.has_remote_id) return {TargetClass::kSmallUav, 0.95};
  if (e.emitter_category) {
    const int set = *e.emitter_category / 8, code = *e.emitter_category % 8;
    if (set == 3) {  // TC 4: set A
      if (code == 7) return {TargetClass::kRotorcraft, 0.95};
      if (code == 6) return {TargetClass::kFastMover, 0.8};
      if (code >= 1) return {TargetClass::kFixedWing, 0.95};
    } else if (set == 2) {  // TC 3: set B
      if (code == 6) return {TargetClass::kSmallUav, 0.9};
      if (code == 1 || code == 4) return {TargetClass::kFixedWing, 0.8};
    }
  }
  if (e.updates < 3) return {TargetClass::kUnknown, 0.0};
  if (!e.has_transponder && e.drone_sensors_only && e.max_speed_mps < 100)
    return {TargetClass::kSmallUav, 0.8};
  if (e.max_speed_mps > 400) return {TargetClass::kFastMover, e.speed_mps > 400 ? 0.9 : 0.7};
  if (e.has_transponder && e.min_speed_mps < 5) return {TargetClass::kRotorcraft, 0.7};
  if (!e.has_transponder && (e.drone_sensors_only || (e.max_speed_mps < 40 && e.height_m < 1000)))
    return {TargetClass::kSmallUav, e.drone_sensors_only ? 0.8 : 0.5};
  if (e.speed_mps >= 60 && e.speed_mps <= 350)
    return {TargetClass::kFixedWing, e.has_transponder ? 0.8 : 0.6};
  if (e.has_transponder && e.max_speed_mps < 70) return {TargetClass::kRotorcraft, 0.4};
  return {TargetClass::kUnknown, 0.2};
}

}  // namespace skyfuse::tracking
