#include "association/grid.hpp"

namespace skyfuse::association {

void GridIndex::set(std::uint32_t key, const Eigen::Vector2d& xy) {
  if (!xy.allFinite()) {
    erase(key);
    return;
  }
  const std::int64_t c = pack(cell(xy.x()), cell(xy.y()));
  if (key >= where_.size()) where_.resize(key + 1);
  Where& w = where_[key];
  if (w.present && w.cell == c) return;
  erase(key);
  auto& v = cells_[c];
  w.cell = c;
  w.index = static_cast<std::uint32_t>(v.size());
  w.present = true;
  v.push_back(key);
  ++count_;
}

void GridIndex::erase(std::uint32_t key) {
  if (key >= where_.size() || !where_[key].present) return;
  Where& w = where_[key];
  auto it = cells_.find(w.cell);
  auto& v = it->second;
  const std::uint32_t moved = v.back();
  v[w.index] = moved;
  where_[moved].index = w.index;
  v.pop_back();
  if (v.empty()) cells_.erase(it);
  w.present = false;
  --count_;
}

void GridIndex::clear() {
  cells_.clear();
  where_.clear();
  count_ = 0;
}

}  // namespace skyfuse::association
