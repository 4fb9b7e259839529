// File: live/pacer.hpp
//
// Data time to wall time at `speed` x real time, for the live replay of files
// (`run`) and of recordings (`replay`): wait_until(data) sleeps until the
// wall clock reaches the moment that data time should be shown. A new speed
// is taken from now on (the data time reached keeps its place: the picture
// does not jump), a seek or a pause re-anchors at the next data time; speed 0
// is as fast as possible. The wall clock is read here, at the edge, never in
// a stage.
//
//   Pacer pacer(1.0);
//   pacer.wait_until(report_time, stop);  // returns early on stop
//   pacer.set_speed(10);                  // from the data time reached, 10x
#pragma once

#include <optional>
#include <stop_token>

#include "core/time.hpp"

namespace skyfuse::live {

// The wall clock (UTC) as a Time.
Time wall_now();

class Pacer {
 public:
  explicit Pacer(double speed) : speed_(speed) {}
  // Anchors data time `data` at wall time `wall` (file replay: the epoch at
  // the start); without it the first wait_until anchors there.
  void anchor(Time data, Time wall);
  // Sleeps until `data` is due; false if `stop` was requested (or `interrupt`
  // returned true) first. Speed 0: returns at once.
  template <class Interrupt>
  bool wait_until(Time data, std::stop_token stop, Interrupt&& interrupt);
  bool wait_until(Time data, std::stop_token stop) {
    return wait_until(data, stop, [] { return false; });
  }
  // From now on at the new speed: the data time showing now (at the old
  // speed) keeps its place, so the picture neither jumps nor stalls.
  void set_speed(double speed);
  double speed() const { return speed_; }
  // The next wait_until anchors afresh (after a seek or a pause).
  void reset() { anchored_ = false; }

 private:
  Time due(Time data) const;
  bool sleep_a_little(Time until);
  double speed_;
  bool anchored_ = false;
  Time data0_, wall0_;
  Time last_data_;  // the latest data time waited for
};

template <class Interrupt>
bool Pacer::wait_until(Time data, std::stop_token stop, Interrupt&& interrupt) {
  if (!anchored_) anchor(data, wall_now());
  last_data_ = data;
  if (speed_ <= 0) return !stop.stop_requested();
  const Time target = due(data);
  while (!stop.stop_requested()) {
    if (interrupt()) return false;
    if (!sleep_a_little(target)) return true;
  }
  return false;
}

}  // namespace skyfuse::live
