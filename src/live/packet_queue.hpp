// File: live/packet_queue.hpp
//
// The bounded multi-producer queue between the sources' threads and the
// pipeline thread: file sources wait when it is full (back-pressure), network
// sources drop and count (try_push). A packet is what a source delivered: a
// datagram, a piece of a byte stream, a piece of a file, or its end.
//
//   PacketQueue q(20000);
//   if (!q.try_push(std::move(p))) ++drops;       // UDP
//   while (auto p = q.pop(100ms)) pipeline.process(*p, wall_now());
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <stop_token>
#include <vector>

#include "core/time.hpp"

namespace skyfuse::live {

struct Packet {
  std::uint16_t source = 0;   // index into the configuration's sensors
  std::uint16_t input = 0;    // the receiver within the sensor (a receiver network's streams)
  Time arrival;               // wall clock when it arrived (live) or was read (file)
  std::int64_t offset = 0;    // of bytes[0] in the source
  std::int64_t shift_ns = 0;  // added to the report times (file replay on a new epoch)
  std::vector<std::uint8_t> bytes;
  bool end = false;  // the source has ended (no bytes)
};

class PacketQueue {
 public:
  explicit PacketQueue(std::size_t capacity) : cap_(capacity) {}
  // Waits while full; false if stopped or closed first (the packet is dropped).
  bool push_wait(Packet&& p, std::stop_token stop = {}) {
    std::unique_lock lock(mu_);
    while (q_.size() >= cap_) {
      if (stop.stop_requested() || closed_) return false;
      not_full_.wait_for(lock, std::chrono::milliseconds(100));
    }
    q_.push_back(std::move(p));
    not_empty_.notify_one();
    return true;
  }
  // False when full (the caller counts the drop).
  bool try_push(Packet&& p) {
    std::lock_guard lock(mu_);
    if (q_.size() >= cap_) return false;
    q_.push_back(std::move(p));
    not_empty_.notify_one();
    return true;
  }
  std::optional<Packet> pop(std::chrono::milliseconds wait) {
    std::unique_lock lock(mu_);
    if (q_.empty()) not_empty_.wait_for(lock, wait);
    if (q_.empty()) return std::nullopt;
    Packet p = std::move(q_.front());
    q_.pop_front();
    not_full_.notify_one();
    return p;
  }
  void close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    not_full_.notify_all();
  }
  std::size_t size() {
    std::lock_guard lock(mu_);
    return q_.size();
  }

 private:
  std::mutex mu_;
  std::condition_variable not_empty_, not_full_;
  std::deque<Packet> q_;
  std::size_t cap_;
  bool closed_ = false;
};

}  // namespace skyfuse::live
