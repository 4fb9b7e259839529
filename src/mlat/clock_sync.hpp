// File: mlat/clock_sync.hpp
//
// Network clock synchronisation from reference transmissions. A reference is a
// message whose emitter position is known (an ADS-B position heard by several
// receivers): its flight time to each receiver is known, so each receiver's
// timestamp minus the flight time is the common emission time plus that
// receiver's clock offset. Differences between receivers cancel the emission
// time and observe the offset differences; one Kalman filter over every
// receiver's (offset, drift) pair, with per-clock-kind random-walk process
// noise (receiver.hpp), solves the whole network at once. Receivers never seen
// together are linked through the others. Offsets with free-running counters
// (Beast, SBS) are held as an integer nanosecond base plus a small float.
//
// Robustness: per reference, a receiver whose residual from the median
// emission time exceeds `outlier_z` sigma is left out of the update and
// counted; `jump_after` consecutive outliers that agree with each other are a
// clock jump: the offset is moved to the new value, its uncertainty reset and
// the jump counted. Each receiver's timing noise is measured from its
// post-fit residuals (clipped, exponentially weighted), which down-weights a
// noisy receiver in the clock filter and in the solver; a receiver whose
// outlier rate exceeds `max_outlier_rate` is reported unsynchronised.
//
//   mlat::ClockSync sync(receivers, {});
//   sync.add_reference(observations);                  // each: receiver, toa_ns, flight_s
//   mlat::CorrectedToas c = sync.correct(message.toas);  // common-time arrivals + covariance
//
// Units: timestamps in integer ns of each receiver's clock, everything else s.
#pragma once

#include <Eigen/Core>
#include <array>
#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "mlat/message.hpp"
#include "mlat/receiver.hpp"

namespace skyfuse::mlat {

struct ClockSyncConfig {
  // Clock model per ClockKind (indexed by it); defaults from clock_spec().
  std::array<ClockSpec, 3> specs = {clock_spec(ClockKind::kGps), clock_spec(ClockKind::kBeast),
                                    clock_spec(ClockKind::kSbs)};
  double outlier_z = 5.0;          // |residual| / sigma above which a timestamp is an outlier
  int jump_after = 3;              // consecutive agreeing outliers taken as a clock jump
  double jump_spread_z = 6.0;      // they agree within this many noise sigmas
  double noise_gain = 0.05;        // gain of the exponentially weighted noise estimate
  double noise_clip_z = 4.0;       // residuals clipped at this many sigmas for that estimate
  double min_noise_s = 10e-9;      // floor of the noise estimate [s]
  double max_outlier_rate = 0.35;  // above it a receiver counts as unsynchronised
  double outlier_rate_gain = 0.1;
  int min_references = 2;            // references before a receiver counts as synchronised
  double jump_reset_sigma_s = 2e-6;  // offset sigma after a detected jump [s]
};

struct ReferenceObservation {
  ReceiverId receiver = 0;
  std::int64_t toa_ns = 0;  // the receiver's timestamp [ns]
  double flight_s = 0;      // known emitter-to-receiver travel time [s]
};

struct ReferenceUpdate {
  int used = 0;      // timestamps that entered the update
  int outliers = 0;  // left out as outliers
  int jumps = 0;     // clock jumps detected in this reference
  bool applied = false;
};

struct ClockEstimate {
  bool known = false;         // the receiver has a clock state
  bool synchronised = false;  // usable for fixes
  std::int64_t base_ns = 0;   // clock reading = true time + base + offset + drift * (t - anchor)
  double offset_s = 0;
  double drift = 0;            // [s/s]
  double offset_sigma_s = 0;   // at the anchor
  double noise_s = 0;          // measured timing noise (1 sigma)
  std::int64_t anchor_ns = 0;  // clock reading where offset_s applies
  int references = 0;
  int outliers = 0;
  int jumps = 0;
  double outlier_rate = 0;
};

// Arrival times moved onto the common time base, relative to an epoch.
struct CorrectedToas {
  std::vector<int> index;  // which input toas are synchronised (indices into the span)
  Eigen::VectorXd toa_s;   // their corrected arrival times [s] since the epoch
  Eigen::MatrixXd cov_s2;  // timing noise + clock-estimate covariance [s^2]
};

class ClockSync {
 public:
  ClockSync(const ReceiverSet& receivers, ClockSyncConfig cfg);

  ReferenceUpdate add_reference(std::span<const ReferenceObservation> obs);
  ClockEstimate estimate(ReceiverId id) const;
  CorrectedToas correct(std::span<const Toa> toas) const;
  std::size_t receiver_count() const { return clocks_.size(); }

 private:
  struct Clock {
    ReceiverId id = 0;
    ClockSpec spec{};
    std::int64_t base_ns = 0;
    std::int64_t anchor_ns = 0;
    double noise_var = 0;
    int references = 0;
    int outliers = 0;
    int jumps = 0;
    double outlier_rate = 0;
    std::vector<double> pending;  // residuals of consecutive outliers [s]
  };
  int add_clock(ReceiverId id, std::int64_t base_ns, std::int64_t anchor_ns, double offset_sigma_s);
  void predict_to(int i, std::int64_t toa_ns);
  bool synchronised(const Clock& c, int i) const;
  void reset_offset(int i, double shift_s);

  const ReceiverSet* receivers_;
  ClockSyncConfig cfg_;
  std::vector<Clock> clocks_;
  std::unordered_map<ReceiverId, int> index_;
  Eigen::VectorXd x_;  // (offset_0, drift_0, offset_1, drift_1, ...)
  Eigen::MatrixXd p_;
};

}  // namespace skyfuse::mlat
