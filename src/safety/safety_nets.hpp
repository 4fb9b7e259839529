// File: safety/safety_nets.hpp
//
// Ground-based safety nets on the system tracks, evaluated once per data
// second on the current picture (linear prediction from each track's last
// update):
//   stca       short-term conflict alert: two tracks predicted closer than the
//              horizontal AND vertical separation within the look-ahead
//   apw        area proximity warning: a track inside, or predicted to enter
//              within the look-ahead, a restricted zone's polygon and band
//   emergency  Mode 3/A 7500 / 7600 / 7700 or an ADS-B emergency status
//   drone      a small UAV (class or Remote ID) inside an airport zone
//   remote_id_spoof  a Remote ID track the tracker suspects of spoofing
//              (ObjectState::spoof_reasons): one alert per track while it lives
// and `system` alerts the live system raises about itself (the recording
// stopped), which SafetyNets never evaluates.
// An alert is raised when its condition first holds and cleared when it has
// not held for `clear_after_s`; both are events with the data time. The same
// picture sequence gives the same events.
//
//   SafetyNets nets(cfg, zones);
//   for (const AlertEvent& e : nets.evaluate(now, picture)) out << to_json(e) << "\n";
#pragma once

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "core/types.hpp"
#include "safety/zones.hpp"

namespace skyfuse::safety {

struct SafetyConfig {
  double stca_horizontal_m = 5556;  // 3 NM
  double stca_vertical_m = 304.8;   // 1,000 ft
  double stca_lookahead_s = 120;
  double stca_min_speed_mps = 30;  // slower tracks (taxiing, hovering) are not paired
  double apw_lookahead_s = 60;
  double apw_step_s = 2;
  double clear_after_s = 6;     // an alert ends this long after its condition
  double max_track_age_s = 15;  // older picture entries are not evaluated
};

enum class AlertKind : std::uint8_t {
  kStca,
  kApw,
  kEmergency,
  kDroneInZone,
  kSystem,
  kRemoteIdSpoof,
};
const char* to_string(AlertKind k);

struct Alert {
  std::string key;  // stable: "stca:12:40", "apw:12:CTR", "emergency:12", "drone:7:LSZH",
                    // "remote_id_spoof:7"
  AlertKind kind = AlertKind::kStca;
  std::vector<std::string> tracks;
  std::string zone;
  std::string detail;
  double time_to_conflict_s = 0;  // 0: the condition holds now
  double horizontal_m = NAN;      // STCA: predicted minimum separation in the alert window
  double vertical_m = NAN;
  Time raised;
  Time last_seen;
};

struct AlertEvent {
  Time time;
  bool raised = true;  // false: cleared
  Alert alert;
};

std::string to_json(const AlertEvent& e);
std::string to_json(const Alert& a);

// Conflict of two straight-line motions: relative position `dp` and velocity
// `dv` (east, north, up; metres, m/s). The first time in [0, lookahead] at which
// both separations are infringed, with the minimum horizontal distance and the
// vertical distance at that time, or nothing.
struct Conflict {
  double t_start_s;
  double horizontal_m;
  double vertical_m;
};
std::optional<Conflict> predict_conflict(const Eigen::Vector3d& dp, const Eigen::Vector3d& dv,
                                         double horizontal_m, double vertical_m,
                                         double lookahead_s);

class SafetyNets {
 public:
  SafetyNets(SafetyConfig cfg, std::vector<Zone> zones);

  // `picture`: the latest state of every live track (deleted ones absent).
  std::vector<AlertEvent> evaluate(Time now, const std::vector<ObjectState>& picture);

  const std::map<std::string, Alert>& active() const { return active_; }
  const std::vector<Zone>& zones() const { return zones_; }
  const SafetyConfig& config() const { return cfg_; }
  std::uint64_t raised_total() const { return raised_total_; }

 private:
  // The alerts whose conditions hold now (by key) against the active ones:
  // raised and cleared events; `found`'s alerts are moved out.
  std::vector<AlertEvent> update_active(Time now, std::map<std::string, Alert>& found);

  SafetyConfig cfg_;
  std::vector<Zone> zones_;
  std::map<std::string, Alert> active_;
  std::uint64_t raised_total_ = 0;
};

}  // namespace skyfuse::safety
