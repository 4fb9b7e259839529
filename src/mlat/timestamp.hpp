// File: mlat/timestamp.hpp
//
// A receiver's raw timestamp (the 48-bit MLAT field of a Beast frame) as
// nanoseconds of its clock, per clock kind:
//   kBeast  12 MHz free-running counter (Mode-S Beast, dump1090, readsb):
//           ticks x 1000 / 12 ns, unwrapped past 2^48 (271 days);
//   kSbs    20 MHz free-running counter: ticks x 50 ns, unwrapped;
//   kGps    GPS-disciplined 1 GHz stamp (Radarcape, GRX1090 style): the upper
//           18 bits are seconds since UTC midnight, the lower 30 nanoseconds;
//           placed on the UTC day nearest the server time, so the result is
//           absolute time (ns since the Unix epoch), as ClockSync expects.
// A counter that goes back by less than half its range (a receiver restart)
// is taken as it is: ClockSync sees a clock jump and re-anchors.
//
//   mlat::TimestampDecoder ts(mlat::ClockKind::kBeast);
//   std::optional<std::int64_t> ns = ts.to_ns(frame.counter_12mhz, arrival);
#pragma once

#include <cstdint>
#include <optional>

#include "core/time.hpp"
#include "mlat/receiver.hpp"

namespace skyfuse::mlat {

class TimestampDecoder {
 public:
  explicit TimestampDecoder(ClockKind kind) : kind_(kind) {}
  // nullopt for a stamp that cannot be (a GPS stamp with >= 1e9 ns or >= 86400 s).
  std::optional<std::int64_t> to_ns(std::uint64_t counter48, Time server_time);
  ClockKind kind() const { return kind_; }

 private:
  ClockKind kind_;
  bool have_last_ = false;
  std::uint64_t last_ = 0;
  std::uint64_t wraps_ = 0;
};

}  // namespace skyfuse::mlat
