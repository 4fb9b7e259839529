// File: decode/asterix/time_of_day.hpp
//
// ASTERIX carries UTC seconds since midnight (I048/140, I021/071 ...): this
// turns them into absolute times, robustly. With a trusted clock near the data
// (a live packet's arrival time) each time of day goes on the day that puts it
// nearest that clock. Without one (a file), the first record goes on the day
// of `start_unix` and each later one on the day nearest the sensor's recent
// times; a record more than `max_step_s` from them is an outlier that does not
// move them (one record at 23:59:59 among 12:00 ones is not a midnight
// crossing), unless `reanchor_after` consecutive outliers agree with each
// other (the recording really jumps). A true midnight crossing (23:59:59.9 then
// 00:00:00.1) is a step of 0.2 s and needs nothing special.
//
//   TimeOfDay tod(1533123000.0);
//   Time t = tod.resolve(43200.5);                   // a file: 2018-08-01T12:00:00.5Z
//   Time u = tod.resolve(86399.0, packet.arrival);  // live: the day nearest the arrival
#pragma once

#include <cstdint>
#include <optional>

#include "core/time.hpp"

namespace skyfuse::decode::asterix {

class TimeOfDay {
 public:
  explicit TimeOfDay(double start_unix, double max_step_s = 3600, int reanchor_after = 10);

  // `tod_s`: seconds since UTC midnight; `reference`: a trusted clock, if any.
  Time resolve(double tod_s, std::optional<Time> reference = std::nullopt);
  // Records that did not agree with the sensor's recent times (files only).
  long outliers() const { return outliers_; }

 private:
  static Time nearest(double tod_s, Time around);
  std::int64_t start_day_;
  std::int64_t max_step_ns_;
  int reanchor_after_;
  std::optional<Time> recent_;     // the last time that agreed with the ones before
  std::optional<Time> candidate_;  // the last outlier, and how many agreed in a row
  int candidate_run_ = 0;
  long outliers_ = 0;
};

}  // namespace skyfuse::decode::asterix
