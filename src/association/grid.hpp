// File: association/grid.hpp
//
// Uniform grid over the tracking plane holding small integer keys (track
// slots), so gating looks only at tracks in the cells around a report: cost
// grows with local density, not with the number of tracks. Moving a key
// between cells is O(1) (swap-and-pop).
//
//   GridIndex g(5000.0);
//   g.set(7, {1200, -300});
//   g.query({1000, 0}, 6000, [](std::uint32_t key) { ... });
#pragma once

#include <absl/container/flat_hash_map.h>

#include <Eigen/Core>
#include <cmath>
#include <cstdint>
#include <vector>

namespace skyfuse::association {

class GridIndex {
 public:
  explicit GridIndex(double cell_m = 5000) : cell_m_(cell_m) {}

  void set(std::uint32_t key, const Eigen::Vector2d& xy);
  void erase(std::uint32_t key);
  void clear();
  std::size_t size() const { return count_; }

  // Calls f(key) for every key in the cells overlapping the square of
  // half-width `radius_m` around xy (a superset of the keys within radius).
  template <class F>
  void query(const Eigen::Vector2d& xy, double radius_m, F&& f) const {
    const std::int64_t x0 = cell(xy.x() - radius_m), x1 = cell(xy.x() + radius_m);
    const std::int64_t y0 = cell(xy.y() - radius_m), y1 = cell(xy.y() + radius_m);
    for (std::int64_t cx = x0; cx <= x1; ++cx)
      for (std::int64_t cy = y0; cy <= y1; ++cy) {
        auto it = cells_.find(pack(cx, cy));
        if (it == cells_.end()) continue;
        for (std::uint32_t k : it->second) f(k);
      }
  }

 private:
  std::int64_t cell(double v) const { return static_cast<std::int64_t>(std::floor(v / cell_m_)); }
  static std::int64_t pack(std::int64_t cx, std::int64_t cy) {
    return (cx << 32) ^ (cy & 0xffffffffLL);
  }
  struct Where {
    std::int64_t cell = 0;
    std::uint32_t index = 0;
    bool present = false;
  };
  double cell_m_;
  absl::flat_hash_map<std::int64_t, std::vector<std::uint32_t>> cells_;
  std::vector<Where> where_;
  std::size_t count_ = 0;
};

}  // namespace skyfuse::association
