// File: mlat/message.hpp
//
// What the multilaterator consumes and produces. A `Message` is one Mode S
// transmission as several receivers timestamped it (`Toa`, each in the
// receiver's own clock); a reference message also carries the position the
// emitter reported (ADS-B), which makes it a clock-synchronisation sample
// instead of something to locate. A `Fix` is the located result: time,
// position, covariance, receivers used and a `FixFlag` that says whether the
// fix is usable (`kOk`) or why not.
//
//   mlat::Message m{.id = 1, .time = Time::from_seconds(12.5), .aircraft = "4b1805"};
//   m.toas = {{.receiver = 10, .toa_ns = 12'500'100'000}, ...};
//   m.baro_alt_m = 10'363.2;        // Mode C / ADS-B pressure altitude, if any
//   // m.reference = GeodeticPosition{...};  for an ADS-B position (a reference)
//
// Units: receiver timestamps in integer nanoseconds of that receiver's clock;
// everything else SI. Covariances in m^2 in the local east/north/up axes at
// the fix.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "core/types.hpp"
#include "mlat/receiver.hpp"

namespace skyfuse::mlat {

struct Toa {
  ReceiverId receiver = 0;
  std::int64_t toa_ns = 0;  // receiver clock reading at arrival [ns]
  double rssi = 0;          // as the receiver reports it (informative)
};

struct Message {
  std::int64_t id = 0;                  // caller's row/message id, copied to the fix
  Time time;                            // common (server) time of reception, ms accuracy is enough
  std::string aircraft;                 // aircraft label as the source gives it
  std::optional<std::uint32_t> icao24;  // 24-bit address when known
  std::vector<Toa> toas;
  std::optional<double> baro_alt_m;  // pressure altitude (ISA) [m]
  std::optional<double> geo_alt_m;   // GNSS height above the ellipsoid [m]
  // Reported emitter position (ADS-B): set for references, never for messages to
  // locate. Height: geo_alt_m if present, else baro_alt_m.
  std::optional<GeodeticPosition> reference;
  // Evaluation only: the true position, never read by the solver; when set, the
  // fix carries the Cramer-Rao bound at it.
  std::optional<GeodeticPosition> truth;
};

enum class FixFlag : std::uint8_t {
  kOk,
  kBadGeometry,      // located, but the covariance (GDOP) is too large to be useful
  kInconsistent,     // located, but the timestamps do not agree (chi-square test)
  kAmbiguous,        // two distinct positions fit the timestamps equally well
  kTooFewReceivers,  // fewer receivers than unknowns
  kUnsynchronised,   // too few of the receivers have a synchronised clock
  kNoConvergence,    // the least-squares iterations did not converge
};

const char* to_string(FixFlag f);
// A position is reported for these flags (usable only for kOk).
constexpr bool has_position(FixFlag f) {
  return f == FixFlag::kOk || f == FixFlag::kBadGeometry || f == FixFlag::kInconsistent ||
         f == FixFlag::kAmbiguous;
}

struct Fix {
  std::int64_t id = 0;
  Time time;
  std::string aircraft;
  std::optional<std::uint32_t> icao24;
  FixFlag flag = FixFlag::kNoConvergence;
  GeodeticPosition position;                             // valid if has_position(flag)
  Eigen::Vector3d ecef_m = Eigen::Vector3d::Zero();      // same point in ECEF
  Eigen::Matrix3d cov_enu_m2 = Eigen::Matrix3d::Zero();  // east, north, up at the fix
  double gdop = 0;                                       // see solver.hpp
  double chi2 = 0;                                       // whitened residual sum of squares
  int dof = 0;                                           // degrees of freedom of chi2
  std::vector<ReceiverId> receivers;                     // receivers used in the fix
  int heard = 0;                                         // timestamps the message carried
  std::optional<Eigen::Matrix2d> crb_en_m2;              // CRB (east, north) at Message::truth
  // Horizontal covariance in (north, east) order, as the JSON line writes it.
  Eigen::Matrix2d cov_ne_m2() const {
    Eigen::Matrix2d c;
    c << cov_enu_m2(1, 1), cov_enu_m2(1, 0), cov_enu_m2(0, 1), cov_enu_m2(0, 0);
    return c;
  }
};

}  // namespace skyfuse::mlat
