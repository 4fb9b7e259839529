// File: mlat/evaluation.hpp
//
// Leave-one-aircraft-out evaluation on reference data (LocaRDS): every row has
// a reported position; each aircraft in turn has its rows blanked (position and
// GNSS height removed, pressure altitude kept, as for a Mode S-only aircraft)
// and located from the clocks the other aircraft's rows synchronise. Errors are
// 2-D (north/east at the reported position). The same rows also go through the
// no-clock-correction baseline. `summarise()` gives the figures of
// docs/mlat.md, including the Cramer-Rao comparison: for each "ok" fix the bound
// at the true position from the measured timing noise and the geometry, and
// the error quantiles that bound predicts (Monte Carlo over the per-fix
// Gaussians, fixed seed), and the same split along and across each
// aircraft's track (its velocity from its own nearest other row within 60 s,
// at least 30 m/s): an ADS-B position is older than the message that carries
// it, an error of the reported "truth" that lies along the track only.
//
//   auto records = mlat::leave_one_aircraft_out(receivers, file.messages, {});
//   mlat::EvalSummary s = mlat::summarise(records);
//   fmt::print("{} rows, {:.1f} % ok, median {:.0f} m\n", s.rows, s.ok_pct, s.median_m);
//
// Units: m.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "mlat/multilaterator.hpp"

namespace skyfuse::mlat {

struct EvalConfig {
  MultilateratorConfig mlat;
  BaselineConfig baseline;
  int max_aircraft = 0;            // 0: every aircraft; else an evenly spaced subset of them
  bool keep_geo_altitude = false;  // leave the GNSS height in the blanked rows (diagnostic)
};

struct EvalRecord {
  Fix fix;
  Fix baseline;
  GeodeticPosition truth;
  double error_m = NAN;           // 2-D error of fix (NaN without a position)
  double baseline_error_m = NAN;  // 2-D error of the baseline
  double mahalanobis2 = NAN;      // e^T C^-1 e of the fix's 2-D error
  // Split along/across the aircraft's track (NaN without a velocity):
  double along_m = NAN, across_m = NAN;          // signed error components (+: ahead, left)
  double crb_along_m = NAN, crb_across_m = NAN;  // the bound's sigma in those directions
  double speed_mps = NAN;
};

// `messages` in time order, all references.
std::vector<EvalRecord> leave_one_aircraft_out(const ReceiverSet& receivers,
                                               const std::vector<Message>& messages,
                                               const EvalConfig& cfg);

struct EvalSummary {
  int rows = 0;
  int aircraft = 0;
  int located = 0;  // has a position (any flag that carries one)
  int ok = 0;
  std::array<int, 7> by_flag{};                                  // indexed by FixFlag
  double located_pct = 0, ok_pct = 0, handled_pct = 0;           // handled: located or flagged
  double median_m = NAN, p90_m = NAN, p99_m = NAN, max_m = NAN;  // over ok fixes
  int ok_over_1km = 0;
  double inside_2sigma = NAN;  // share of ok fixes with mahalanobis2 <= 4 (2-sigma ellipse)
  // Cramer-Rao comparison over ok fixes with a bound.
  double crb_rms_m = NAN, error_rms_m = NAN;
  double crb_median_m = NAN, crb_p90_m = NAN;  // quantiles the bound predicts
  // Along/across track over ok fixes with a velocity and a bound: |error|
  // quantiles and those the bound predicts; the along-track error in seconds
  // of flight (+: the fix is ahead of the reported position).
  int split_n = 0;
  double across_p50_m = NAN, across_p90_m = NAN, crb_across_p50_m = NAN, crb_across_p90_m = NAN;
  double along_p50_m = NAN, along_p90_m = NAN, crb_along_p50_m = NAN, crb_along_p90_m = NAN;
  double lead_p10_s = NAN, lead_p50_s = NAN, lead_p90_s = NAN;
  // The same ok fixes of aircraft with at least 3 of them, once more with the
  // along-track lead that the aircraft shows on its *other* fixes (their
  // median, in seconds, times this fix's speed) taken out: how much of the
  // error is a constant lag of that aircraft's reported positions. The fix's
  // own error never enters its correction. 2-D |error| quantiles before and
  // after, and those the bound predicts for the same fixes.
  int lag_n = 0;
  double lag_raw_p50_m = NAN, lag_raw_p90_m = NAN;
  double lag_removed_p50_m = NAN, lag_removed_p90_m = NAN;
  double lag_crb_p50_m = NAN, lag_crb_p90_m = NAN;
  // Baseline (no clock correction).
  int baseline_located = 0, baseline_ok = 0;
  double baseline_median_m = NAN, baseline_p90_m = NAN, baseline_ok_median_m = NAN;
  // The baseline on the rows skyfuse flags ok (like for like).
  double baseline_same_median_m = NAN, baseline_same_p90_m = NAN;
};

EvalSummary summarise(const std::vector<EvalRecord>& records);

}  // namespace skyfuse::mlat
