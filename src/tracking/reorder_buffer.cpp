#include "tracking/reorder_buffer.hpp"

namespace skyfuse::tracking {

void ReorderBuffer::push(const Report& r) {
  std::uint32_t slot;
  if (!free_slab_.empty()) {
    slot = free_slab_.back();
    free_slab_.pop_back();
    slab_[slot] = r;
  } else {
    slot = static_cast<std::uint32_t>(slab_.size());
    slab_.push_back(r);
  }
  heap_.push(HeapItem{r.time, r.sensor, slot, seq_++});
  if (r.time > newest_) newest_ = r.time;
}

}  // namespace skyfuse::tracking
