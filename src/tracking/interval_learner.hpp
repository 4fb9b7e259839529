// File: tracking/interval_learner.hpp
//
// The update interval of a sensor that does not declare one (no
// `rotation_period_s`: ADS-B, multilateration, Remote ID), learned from the
// data: the time between consecutive reports of the same target (24-bit
// address or serial), as a median over a log-spaced histogram (0.05-120 s).
// Until enough is seen, or when the data says the default is right, the
// default stands; a sensor that reports each target every 4 s (an MLAT feed)
// gets ~4 s, so its tentative tracks live to see their second report (before:
// a 1 s default deleted every one). Deterministic, bounded memory.
//
//   IntervalLearner l(1.0);
//   l.observe(0x3c6444, t);  ...
//   double dt = l.interval_s();  // the default until 20 revisits are seen
#pragma once

#include <absl/container/flat_hash_map.h>

#include <array>
#include <cstdint>

#include "core/time.hpp"

namespace skyfuse::tracking {

class IntervalLearner {
 public:
  explicit IntervalLearner(double default_s) : default_s_(default_s), interval_s_(default_s) {}

  // A report of target `key` (0: anonymous, not counted) at `t`.
  void observe(std::uint64_t key, Time t);
  // The learned interval, if well above the default; else the default.
  double interval_s() const { return interval_s_; }
  std::uint64_t revisits() const { return revisits_; }

 private:
  static constexpr int kBins = 64;
  void update();
  double default_s_;
  double interval_s_;
  absl::flat_hash_map<std::uint64_t, Time> last_;
  std::array<std::uint32_t, kBins> bins_{};
  std::uint64_t revisits_ = 0;
  std::uint32_t total_ = 0;
};

}  // namespace skyfuse::tracking
