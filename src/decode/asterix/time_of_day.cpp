#include "decode/asterix/time_of_day.hpp"

#include <cmath>
#include <cstdlib>

namespace skyfuse::decode::asterix {

namespace {
constexpr std::int64_t kDayNs = 86400LL * 1000000000LL;

std::int64_t abs_ns(Duration d) { return d.ns < 0 ? -d.ns : d.ns; }
}  // namespace

TimeOfDay::TimeOfDay(double start_unix, double max_step_s, int reanchor_after)
    : start_day_(static_cast<std::int64_t>(std::floor(start_unix / 86400.0))),
      max_step_ns_(Duration::from_seconds(max_step_s).ns),
      reanchor_after_(reanchor_after) {}

Time TimeOfDay::nearest(double tod_s, Time around) {
  const std::int64_t day = around.ns >= 0 ? around.ns / kDayNs : (around.ns + 1) / kDayNs - 1;
  const Duration tod = Duration::from_seconds(tod_s);
  Time best{day * kDayNs + tod.ns};
  for (std::int64_t d : {day - 1, day + 1}) {
    const Time t{d * kDayNs + tod.ns};
    if (abs_ns(t - around) < abs_ns(best - around)) best = t;
  }
  return best;
}

Time TimeOfDay::resolve(double tod_s, std::optional<Time> reference) {
  if (reference) {
    const Time t = nearest(tod_s, *reference);
    recent_ = t;
    return t;
  }
  if (!recent_) {
    recent_ = Time{start_day_ * kDayNs + Duration::from_seconds(tod_s).ns};
    return *recent_;
  }
  const Time t = nearest(tod_s, *recent_);
  if (abs_ns(t - *recent_) <= max_step_ns_) {
    recent_ = t;
    candidate_.reset();
    candidate_run_ = 0;
    return t;
  }
  ++outliers_;
  if (candidate_ && abs_ns(t - *candidate_) <= max_step_ns_) {
    if (++candidate_run_ >= reanchor_after_) {
      recent_ = t;
      candidate_.reset();
      candidate_run_ = 0;
      return t;
    }
  } else {
    candidate_run_ = 1;
  }
  candidate_ = t;
  return t;
}

}  // namespace skyfuse::decode::asterix
