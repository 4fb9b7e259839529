// File: mlat/grouper.hpp
//
// One transmission's copies across a receiver network, brought together: the
// copies of a Mode S message that several receivers heard carry the same
// bytes, each with the receiver's own timestamp. `Grouper` collects copies
// with identical bytes whose common ("server") times lie within `window_s`
// of the first copy, as mlat-server does with the arrival times of its
// clients' messages; a group is complete once the server time has moved past
// its window, and groups come out in the order of their first copy. A second
// copy from a receiver already in the group is a new transmission of the same
// bytes (DF11/DF4 replies repeat): the group is closed and a new one opened.
// At most `max_pending` groups wait; beyond that the oldest is closed early
// (counted), so a flood of messages never grows memory without bound.
//
// The server time is what the caller has: a live stream's arrival time, or a
// recorded file's start time plus its counter. Receiver timestamps are never
// compared here (they are in different clocks); ClockSync does that.
//
//   mlat::Grouper g({.window_s = 0.1, .max_pending = 20000});
//   std::vector<mlat::Group> done;
//   g.push(frame_bytes, {.receiver = 7, .toa_ns = t_ns, .server_time = arrival}, done);
//   g.flush(done);                    // end of the input
//
// Units: SI; timestamps in integer nanoseconds of each receiver's clock.
#pragma once

#include <array>
#include <cstdint>
#include <list>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/time.hpp"
#include "mlat/receiver.hpp"

namespace skyfuse::mlat {

struct GrouperConfig {
  double window_s = 0.1;             // copies this close to the first one (server time) [s]
  std::size_t max_pending = 20'000;  // groups waiting at most; the oldest is closed beyond
};

struct Copy {
  ReceiverId receiver = 0;
  std::int64_t toa_ns = 0;  // the receiver's own clock [ns]
  Time server_time;         // common time the copy is placed at (arrival, file time)
  double rssi = 0;
  std::int64_t offset = -1;  // where the copy came from in its receiver's input
};

struct Group {
  std::array<std::uint8_t, 14> bytes{};
  std::uint8_t n_bytes = 0;
  Time time;  // server time of the first copy
  std::vector<Copy> copies;
  std::span<const std::uint8_t> frame() const { return {bytes.data(), n_bytes}; }
};

struct GrouperStats {
  std::int64_t copies = 0;
  std::int64_t groups = 0;       // closed groups, any size
  std::int64_t repeats = 0;      // a receiver's second copy opened a new group
  std::int64_t evicted = 0;      // closed early: max_pending groups were waiting
  std::int64_t late = 0;         // copies too old to join or open a group (dropped)
  std::size_t peak_pending = 0;  // most groups waiting at once
};

class Grouper {
 public:
  explicit Grouper(GrouperConfig cfg = {});

  // Adds one copy of a frame (1..14 bytes; longer is cut) and appends the
  // groups it completes to `done`, in the order of their first copy. Copies
  // should come in server-time order; one older than the newest time by more
  // than the window is counted as late and opens a group of its own.
  void push(std::span<const std::uint8_t> frame, const Copy& copy, std::vector<Group>& done);
  // Closes every waiting group (end of input).
  void flush(std::vector<Group>& done);

  std::size_t pending() const { return open_.size(); }
  const GrouperStats& stats() const { return stats_; }

 private:
  void close_front(std::vector<Group>& done);

  GrouperConfig cfg_;
  Duration window_;
  Time newest_;
  bool have_newest_ = false;
  std::list<Group> open_;  // by first copy's server time (push order)
  // The newest open group of each frame's bytes.
  std::unordered_map<std::string, std::list<Group>::iterator> by_bytes_;
  GrouperStats stats_;
};

}  // namespace skyfuse::mlat
