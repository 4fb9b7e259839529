// File: tracking/time_guard.hpp
//
// The guard in front of the tracker that keeps any one source from moving the
// system's data time implausibly (issue #16). The system's data time is the
// latest report time accepted.
//   - A live network sensor's report is held to the host clock: more than
//     `max_ahead_s` after its packet's arrival, or more than
//     `max_host_offset_s` before it, and it is rejected.
//   - Any report more than `max_behind_s` behind the system's time is rejected.
//   - Any other report more than `max_ahead_s` ahead of the system's time (or
//     the very first one) is a claim that time has jumped: it is held, and
//     taken (with the reports held before it) when another sensor agrees
//     (reports the same time within `claim_agree_s`), or when `confirm_reports`
//     of its own sensor agree and no other sensor reported in the old time
//     meanwhile (a sensor alone, or a gap in all the data). A report of
//     another sensor in the old time refutes it: the held reports are rejected.
// Every rejection is counted against its sensor, with the reason. The same
// reports in the same order (arrival times are recorded) give the same
// decisions, so a replay is exact.
//
//   TimeGuard guard(cfg.time_guard, sensors.size());
//   guard.admit(index, std::move(report), arrival, [&](Report&& r) { tracker.push(r); });
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/types.hpp"

namespace skyfuse::tracking {

struct TimeGuardConfig {
  double max_ahead_s = 5;         // ahead of the system's data time (or of the host clock)
  double max_behind_s = 600;      // behind it: implausible (the tracker drops late ones sooner)
  double max_host_offset_s = 30;  // live network sensors: before their packet's arrival (0:
                                  // no host clock checks at all)
  double claim_agree_s = 30;      // reports of one claim (a sensor's, or two sensors') agree within
  int confirm_reports = 3;        // a jump seen by one sensor alone ...
  double confirm_span_s = 60;     // ... spanning this much of its time, once others have reported
  std::size_t max_held = 10000;   // reports held per sensor (older ones rejected beyond)
};

enum class TimeRejection : std::uint8_t { kNone, kHostClock, kBehind };
const char* to_string(TimeRejection r);

struct SensorTimeStats {
  std::uint64_t accepted = 0;
  std::uint64_t host_clock = 0;   // too far from the host clock
  std::uint64_t behind = 0;       // far behind the system's time
  std::uint64_t unconfirmed = 0;  // ahead, held, then refuted or never confirmed
  std::uint64_t rejected() const { return host_clock + behind + unconfirmed; }
};

class TimeGuard {
 public:
  TimeGuard(TimeGuardConfig cfg, std::size_t sensors);

  // Report `r` of sensor `index`; `arrival`: when its packet arrived, for a
  // live network sensor (nothing for files and batch). Accepted reports (this
  // one, or held ones now confirmed) go to `out(Report&&)`, in order. Returns
  // why `r` was rejected now (kNone: accepted or held); reports held and later
  // refuted are counted as `unconfirmed`.
  template <class Sink>
  TimeRejection admit(std::size_t index, Report&& r, std::optional<Time> arrival, Sink&& out) {
    released_.clear();
    const TimeRejection why = check(index, std::move(r), arrival);
    for (Report& x : released_) out(std::move(x));
    return why;
  }
  // Held reports that were never confirmed are dropped (end of data).
  void finish();

  std::optional<Time> now() const { return now_; }
  const SensorTimeStats& stats(std::size_t index) const { return sensors_[index].stats; }
  std::uint64_t rejected() const;

 private:
  struct PerSensor {
    std::vector<Report> held;  // a jump ahead waiting for confirmation
    SensorTimeStats stats;
  };
  bool others_reported(std::size_t index) const;
  TimeRejection check(std::size_t index, Report&& r, std::optional<Time> arrival);
  void accept(std::size_t index, Report&& r);
  void release(std::size_t index);
  void drop_held(PerSensor& s);
  void refute_others(std::size_t index);
  TimeGuardConfig cfg_;
  std::vector<PerSensor> sensors_;
  std::optional<Time> now_;
  std::vector<Report> released_;
};

}  // namespace skyfuse::tracking
