// File: live/latency_histogram.hpp
//
// A wall-clock latency histogram: 10 buckets per decade from 1 us to 1000 s,
// so a quantile is a bucket's upper bound (within 26 %). The pipeline's
// arrival -> processed latency and the serve role's arrival -> merged
// picture latency (docs/scale-out.md) use it.
//
//   LatencyHistogram h;
//   h.add(0.004);                 // seconds
//   double p99 = h.quantile(0.99);
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string>

#include "server/live_store.hpp"

namespace skyfuse::live {

class LatencyHistogram {
 public:
  void add(double s) {
    const double l = std::log10(std::max(s, 1e-6)) + 6;  // 0 at 1 us
    const auto b = static_cast<std::size_t>(std::clamp(l * 10, 0.0, 89.0));
    ++buckets_[b];
    ++n_;
    sum_ += s;
  }
  double sum() const { return sum_; }
  std::uint64_t count() const { return n_; }
  double quantile(double q) const {
    if (n_ == 0) return 0;
    const auto want = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(n_)));
    std::uint64_t seen = 0;
    for (std::size_t b = 0; b < buckets_.size(); ++b) {
      seen += buckets_[b];
      if (seen >= want) return std::pow(10.0, (static_cast<double>(b) + 1) / 10 - 6);
    }
    return 1000;
  }

 private:
  std::array<std::uint64_t, 90> buckets_{};
  std::uint64_t n_ = 0;
  double sum_ = 0;
};

// The histogram as a Prometheus summary (quantiles 0.5, 0.9, 0.99, _sum, _count).
inline server::Counter latency_summary(const LatencyHistogram& h, std::string name,
                                       std::string help) {
  return {std::move(name),
          std::move(help),
          "summary",
          {{"quantile=\"0.5\"", h.quantile(0.5)},
           {"quantile=\"0.9\"", h.quantile(0.9)},
           {"quantile=\"0.99\"", h.quantile(0.99)}},
          h.sum(),
          h.count()};
}

}  // namespace skyfuse::live
