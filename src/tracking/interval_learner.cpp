#include "tracking/interval_learner.hpp"

#include <algorithm>
#include <cmath>

namespace skyfuse::tracking {

namespace {
constexpr double kMin = 0.05, kMax = 120;
const double kLogSpan = std::log(kMax / kMin);
}  // namespace

void IntervalLearner::observe(std::uint64_t key, Time t) {
  if (key == 0) return;
  if (last_.size() >= 65536) last_.clear();  // bounded: a fresh start of the map
  auto [it, fresh] = last_.try_emplace(key, t);
  if (fresh) return;
  const double dt = (t - it->second).seconds();
  it->second = t;
  if (!(dt >= kMin && dt <= kMax)) return;
  const int bin =
      std::clamp(static_cast<int>(std::log(dt / kMin) / kLogSpan * kBins), 0, kBins - 1);
  ++bins_[static_cast<std::size_t>(bin)];
  ++revisits_;
  if (++total_ >= 20000) {  // forget slowly: halve the history
    total_ = 0;
    for (auto& b : bins_) total_ += (b /= 2);
  }
  if (revisits_ % 16 == 0) update();
}

void IntervalLearner::update() {
  if (revisits_ < 20) return;
  std::uint32_t seen = 0;
  int bin = 0;
  for (; bin < kBins; ++bin) {
    seen += bins_[static_cast<std::size_t>(bin)];
    if (2 * seen >= total_) break;
  }
  const double median = kMin * std::exp((bin + 0.5) / kBins * kLogSpan);
  // Only a clearly longer interval replaces the default (the default already
  // serves sensors that report as often as it says, or more often).
  interval_s_ = median > 1.5 * default_s_ ? median : default_s_;
}

}  // namespace skyfuse::tracking
