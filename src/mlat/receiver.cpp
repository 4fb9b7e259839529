#include "mlat/receiver.hpp"

#include <algorithm>
#include <cctype>

#include "geo/wgs84.hpp"

namespace skyfuse::mlat {

const char* to_string(ClockKind k) {
  switch (k) {
    case ClockKind::kGps:
      return "gps";
    case ClockKind::kBeast:
      return "beast";
    case ClockKind::kSbs:
      return "sbs";
  }
  return "?";
}

std::optional<ClockKind> clock_kind_from_type(std::string_view type) {
  std::string t(type);
  std::transform(t.begin(), t.end(), t.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  // GPS-disciplined nanosecond timestamps.
  if (t == "radarcape" || t == "grx1090" || t == "gps" || t == "dump1090-hptoa") {
    return ClockKind::kGps;
  }
  if (t == "dump1090" || t == "beast" || t == "modesbeast" || t == "aero" || t == "asterix") {
    return ClockKind::kBeast;
  }
  if (t == "sbs-3" || t == "sbs" || t == "sbs3" || t == "sbs-1") return ClockKind::kSbs;
  return std::nullopt;
}

ClockSpec clock_spec(ClockKind k) {
  // Offsets wander slowly on GPS-disciplined clocks (tens of ns over hours) and
  // drift is held near zero; free-running crystals drift by up to ~100 ppm and
  // the drift itself moves with temperature.
  switch (k) {
    case ClockKind::kGps:
      return {.tick_s = 1e-9,
              .noise_s = 100e-9,
              .offset_walk_s2_per_s = 1e-18,  // ~ (30 ns)^2 per 1000 s
              .drift_walk_per_s = 1e-28,
              .prior_offset_s = 300e-9,
              .prior_drift = 1e-12,  // 1 ns per 1000 s
              .absolute = true};
    case ClockKind::kBeast:
      return {.tick_s = 1.0 / 12e6,
              .noise_s = 100e-9,
              .offset_walk_s2_per_s = 1e-20,
              .drift_walk_per_s = 1e-19,
              .prior_offset_s = 1e-3,
              .prior_drift = 1e-4,
              .absolute = false};
    case ClockKind::kSbs:
      return {.tick_s = 1.0 / 20e6,
              .noise_s = 80e-9,
              .offset_walk_s2_per_s = 1e-20,
              .drift_walk_per_s = 1e-19,
              .prior_offset_s = 1e-3,
              .prior_drift = 1e-4,
              .absolute = false};
  }
  return clock_spec(ClockKind::kGps);
}

void ReceiverSet::add(Receiver r) {
  r.ecef_m = geo::geodetic_to_ecef(r.position);
  if (auto it = index_.find(r.id); it != index_.end()) {
    receivers_[it->second] = r;
    return;
  }
  index_.emplace(r.id, receivers_.size());
  receivers_.push_back(r);
}

const Receiver* ReceiverSet::find(ReceiverId id) const {
  const auto it = index_.find(id);
  return it == index_.end() ? nullptr : &receivers_[it->second];
}

}  // namespace skyfuse::mlat
