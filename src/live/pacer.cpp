#include "live/pacer.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

namespace skyfuse::live {

Time wall_now() {
  return Time{std::chrono::duration_cast<std::chrono::nanoseconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count()};
}

void Pacer::anchor(Time data, Time wall) {
  data0_ = data;
  wall0_ = wall;
  last_data_ = data;
  anchored_ = true;
}

Time Pacer::due(Time data) const {
  return wall0_ +
         Duration{static_cast<std::int64_t>(static_cast<double>((data - data0_).ns) / speed_)};
}

bool Pacer::sleep_a_little(Time until) {
  const Time now = wall_now();
  if (now >= until) return false;
  std::this_thread::sleep_for(
      std::chrono::nanoseconds(std::min<std::int64_t>((until - now).ns, 100'000'000)));
  return true;
}

void Pacer::set_speed(double speed) {
  // The data time reached stays where it is on the wall clock: re-anchor it
  // now, so only what follows runs at the new speed.
  if (anchored_ && speed_ > 0 && speed > 0) {
    const Time now = wall_now();
    data0_ = last_data_;
    wall0_ = std::max(now, due(last_data_));
  } else {
    anchored_ = false;
  }
  speed_ = speed;
}

}  // namespace skyfuse::live
