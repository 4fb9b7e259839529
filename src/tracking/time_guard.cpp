#include "tracking/time_guard.hpp"

#include <cstdlib>

namespace skyfuse::tracking {

const char* to_string(TimeRejection r) {
  switch (r) {
    case TimeRejection::kNone:
      return "none";
    case TimeRejection::kHostClock:
      return "host_clock";
    case TimeRejection::kBehind:
      return "behind";
  }
  return "?";
}

TimeGuard::TimeGuard(TimeGuardConfig cfg, std::size_t sensors) : cfg_(cfg), sensors_(sensors) {}

std::uint64_t TimeGuard::rejected() const {
  std::uint64_t n = 0;
  for (const PerSensor& s : sensors_) n += s.stats.rejected();
  return n;
}

void TimeGuard::accept(std::size_t index, Report&& r) {
  if (!now_ || r.time > *now_) now_ = r.time;
  ++sensors_[index].stats.accepted;
  released_.push_back(std::move(r));
}

void TimeGuard::release(std::size_t index) {
  std::vector<Report> held;
  held.swap(sensors_[index].held);
  for (Report& x : held) accept(index, std::move(x));
}

void TimeGuard::drop_held(PerSensor& s) {
  s.stats.unconfirmed += s.held.size();
  s.held.clear();
}

void TimeGuard::refute_others(std::size_t index) {
  for (std::size_t j = 0; j < sensors_.size(); ++j)
    if (j != index) drop_held(sensors_[j]);
}

bool TimeGuard::others_reported(std::size_t index) const {
  for (std::size_t j = 0; j < sensors_.size(); ++j)
    if (j != index && sensors_[j].stats.accepted > 0) return true;
  return false;
}

void TimeGuard::finish() {
  for (PerSensor& s : sensors_) drop_held(s);
}

TimeRejection TimeGuard::check(std::size_t index, Report&& r, std::optional<Time> arrival) {
  if (index >= sensors_.size()) return TimeRejection::kNone;
  PerSensor& s = sensors_[index];
  const Time t = r.time;
  if (arrival && cfg_.max_host_offset_s > 0) {
    // A live network sensor: the host clock says what time it is.
    const double after_arrival_s = (t - *arrival).seconds();
    if (after_arrival_s > cfg_.max_ahead_s || after_arrival_s < -cfg_.max_host_offset_s) {
      ++s.stats.host_clock;
      return TimeRejection::kHostClock;
    }
  }
  const bool vouched = arrival && cfg_.max_host_offset_s > 0;
  // The very first time is a claim like a jump (unless the host clock vouches
  // for it): a lying first report must not set the system's time.
  const double ahead_s = now_ ? (t - *now_).seconds() : 0;
  if (now_ && ahead_s < -cfg_.max_behind_s) {
    ++s.stats.behind;
    return TimeRejection::kBehind;
  }
  if (vouched || (now_ && ahead_s <= cfg_.max_ahead_s)) {
    // In the system's time (or vouched for by the host clock): any jump
    // another sensor still holds is refuted by it.
    drop_held(s);
    refute_others(index);
    accept(index, std::move(r));
    return TimeRejection::kNone;
  }
  // A claim that time has jumped ahead (or the first time). Another sensor
  // holding the same claim agrees: both are taken.
  for (std::size_t j = 0; j < sensors_.size(); ++j) {
    if (j == index || sensors_[j].held.empty()) continue;
    if (std::abs((t - sensors_[j].held.back().time).seconds()) <= cfg_.claim_agree_s) {
      release(j);
      drop_held(s);
      accept(index, std::move(r));
      refute_others(index);
      return TimeRejection::kNone;
    }
  }
  // Alone so far: wait for the sensor's own next reports to agree, and take
  // them if no other sensor holds a different claim (two single claims that
  // disagree wait for a second sensor; a long stand-off goes to the first
  // sensor whose claim is eight times confirmed). Once other sensors have
  // reported, a claim must also span `confirm_span_s` of the sensor's time.
  if (!s.held.empty() && std::abs((t - s.held.back().time).seconds()) > cfg_.claim_agree_s)
    drop_held(s);
  if (s.held.size() >= cfg_.max_held) {
    s.held.erase(s.held.begin());
    ++s.stats.unconfirmed;
  }
  s.held.push_back(std::move(r));
  const auto n = static_cast<int>(s.held.size());
  bool disputed = false;
  for (std::size_t j = 0; j < sensors_.size(); ++j)
    disputed = disputed || (j != index && !sensors_[j].held.empty());
  const bool long_enough =
      !others_reported(index) ||
      (s.held.back().time - s.held.front().time).seconds() >= cfg_.confirm_span_s;
  if (n >= cfg_.confirm_reports * (disputed ? 8 : 1) && long_enough) {
    release(index);
    refute_others(index);
  }
  return TimeRejection::kNone;
}

}  // namespace skyfuse::tracking
