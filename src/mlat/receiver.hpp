// File: mlat/receiver.hpp
//
// Multilateration receiver sites and their clock models. A `Receiver` is a
// fixed site (WGS-84 position, ECEF cached) whose timestamps come from a clock of
// one `ClockKind`; `clock_spec()` gives each kind's resolution, nominal timing
// noise and how fast its offset and drift wander (the clock synchroniser's
// process noise). `ReceiverSet` looks receivers up by their numeric id.
//
//   mlat::ReceiverSet set;
//   set.add({.id = 10, .position = {47.40017, 8.63068, 430.7}, .clock = mlat::ClockKind::kGps});
//   const mlat::Receiver* r = set.find(10);   // r->ecef_m filled in by add()
//
// Units: SI (s, m); drift is dimensionless (s/s, 1e-6 = 1 ppm).
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/types.hpp"

namespace skyfuse::mlat {

using ReceiverId = std::uint32_t;

enum class ClockKind : std::uint8_t {
  kGps,    // GPS-disciplined 1 GHz timestamps (Radarcape, GRX1090): absolute time
  kBeast,  // free-running 12 MHz counter (Mode-S Beast / dump1090)
  kSbs,    // free-running 20 MHz counter (Kinetic SBS-3)
};

const char* to_string(ClockKind k);

// Clock kind of a receiver type name as sensor lists spell it ("Radarcape",
// "GRX1090", "dump1090", "SBS-3", ...); nullopt if unknown.
std::optional<ClockKind> clock_kind_from_type(std::string_view type);

struct ClockSpec {
  double tick_s;                // timestamp resolution [s]
  double noise_s;               // nominal timing noise, 1 sigma, quantisation included [s]
  double offset_walk_s2_per_s;  // offset random walk, spectral density [s^2/s]
  double drift_walk_per_s;      // drift random walk, spectral density [(s/s)^2/s]
  double prior_offset_s;        // a-priori offset sigma before any reference [s]
  double prior_drift;           // a-priori drift sigma [s/s]
  bool absolute;                // timestamps are absolute time (offset ~0 a priori)
};

ClockSpec clock_spec(ClockKind k);

struct Receiver {
  ReceiverId id = 0;
  GeodeticPosition position;  // antenna, height above the WGS-84 ellipsoid
  ClockKind clock = ClockKind::kGps;
  bool good = true;  // the sensor list's own quality mark (informative)
  Eigen::Vector3d ecef_m = Eigen::Vector3d::Zero();  // filled in by ReceiverSet::add
};

class ReceiverSet {
 public:
  // Adds or replaces a receiver; computes its ECEF position.
  void add(Receiver r);
  const Receiver* find(ReceiverId id) const;
  std::size_t size() const { return receivers_.size(); }
  const std::vector<Receiver>& all() const { return receivers_; }

 private:
  std::vector<Receiver> receivers_;
  std::unordered_map<ReceiverId, std::size_t> index_;
};

}  // namespace skyfuse::mlat
