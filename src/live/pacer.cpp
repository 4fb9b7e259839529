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
    // The data time showing now, at the old speed: not beyond the data
    // waited for (a replay running behind), not before the anchor.
    const Time now = wall_now();
    Time shown =
        data0_ +
        Duration{static_cast<std::int64_t>(static_cast<double>((now - wall0_).ns) * speed_)};
    shown = std::clamp(shown, data0_, std::max(data0_, last_data_));
    data0_ = shown;
    wall0_ = now;
  } else {
    anchored_ = false;
  }
  speed_ = speed;
}

}  // namespace skyfuse::live
