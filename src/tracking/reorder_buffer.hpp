// File: tracking/reorder_buffer.hpp
//
// The tracker's reorder buffer: reports come in any order within the latency
// window and leave in data-time order (ties: sensor id, then arrival), once
// they are `latency_s` older than the newest report pushed, grouped into the
// batches the cycle associates jointly (a report and the later released
// plots of its sensor within that sensor's batch window).
//
// Reports are kept in a slab whose slots are reused (a report's strings keep
// their capacity), and a heap orders small keys: sifting moves 24 bytes, not
// a whole Report.
//
//   ReorderBuffer buffer(2.0);
//   buffer.push(r);
//   if (buffer.due())
//     buffer.release(/*all=*/false, [](SensorId) { return 0.1; },
//                    [](std::span<const Report* const> batch, const Report* next) { ... });
#pragma once

#include <cstdint>
#include <queue>
#include <span>
#include <vector>

#include "core/types.hpp"

namespace skyfuse::tracking {

class ReorderBuffer {
 public:
  explicit ReorderBuffer(double latency_s) : latency_(Duration::from_seconds(latency_s)) {}

  // Queues a copy of `r`.
  void push(const Report& r);
  // Whether the oldest queued report is due (latency_s older than the newest).
  bool due() const { return !heap_.empty() && heap_.top().time <= newest_ - latency_; }
  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }
  Time newest() const { return newest_; }

  // Takes out every due report (every queued one with `all`), oldest first,
  // and calls on_batch(std::span<const Report* const> batch, const Report*
  // next) per batch. A batch is the oldest report not yet taken and, when
  // window_of(its sensor) > 0 seconds, the later released reports of the same
  // sensor within that window. `next` is the first report of the next batch
  // (or the oldest still queued), for prefetching; nullptr when unknown.
  // The reports stay valid until release() returns.
  template <class WindowOf, class OnBatch>
  void release(bool all, WindowOf&& window_of, OnBatch&& on_batch);

 private:
  struct HeapItem {
    Time time;
    SensorId sensor = 0;
    std::uint32_t slot = 0;
    std::uint64_t seq = 0;
  };
  struct HeapLater {
    bool operator()(const HeapItem& a, const HeapItem& b) const {
      if (a.time != b.time) return a.time > b.time;
      if (a.sensor != b.sensor) return a.sensor > b.sensor;
      return a.seq > b.seq;
    }
  };

  Duration latency_;
  std::priority_queue<HeapItem, std::vector<HeapItem>, HeapLater> heap_;
  std::vector<Report> slab_;  // queued reports, indexed by HeapItem::slot
  std::vector<std::uint32_t> free_slab_;
  std::uint64_t seq_ = 0;
  Time newest_;
  // Scratch of release().
  std::vector<HeapItem> ready_;
  std::vector<char> consumed_;
  std::vector<const Report*> batch_;
};

template <class WindowOf, class OnBatch>
void ReorderBuffer::release(bool all, WindowOf&& window_of, OnBatch&& on_batch) {
  ready_.clear();
  const Time limit = newest_ - latency_;
  while (!heap_.empty() && (all || heap_.top().time <= limit)) {
    ready_.push_back(heap_.top());
    heap_.pop();
  }
  if (ready_.empty()) return;
  consumed_.assign(ready_.size(), 0);
  for (std::size_t i = 0; i < ready_.size(); ++i) {
    if (consumed_[i]) continue;
    const Report& r = slab_[ready_[i].slot];
    batch_.clear();
    batch_.push_back(&r);
    consumed_[i] = 1;
    const double window = window_of(r.sensor);
    if (window > 0) {
      const Time end = r.time + Duration::from_seconds(window);
      for (std::size_t j = i + 1; j < ready_.size() && ready_[j].time <= end; ++j) {
        if (!consumed_[j] && ready_[j].sensor == r.sensor) {
          batch_.push_back(&slab_[ready_[j].slot]);
          consumed_[j] = 1;
        }
      }
    }
    const Report* next = nullptr;
    if (std::size_t k = i + 1; k < ready_.size()) {
      while (k < ready_.size() && consumed_[k]) ++k;
      if (k < ready_.size()) next = &slab_[ready_[k].slot];
    } else if (!heap_.empty()) {
      next = &slab_[heap_.top().slot];
    }
    on_batch(std::span<const Report* const>(batch_), next);
  }
  for (const HeapItem& h : ready_) free_slab_.push_back(h.slot);
  ready_.clear();
}

}  // namespace skyfuse::tracking
