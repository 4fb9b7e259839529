// File: mlat/multilaterator.hpp
//
// The streaming multilaterator: feed messages in time order; references
// (messages with a reported position) synchronise the receiver clocks and
// calibrate the barometric altitude, every other message is located and comes
// back as a `Fix`. With `lookahead_s` > 0 a message waits until data that much
// newer has arrived, so the references just after it also count (the clock
// model is evaluated at the message's own timestamps either way); with 0 the
// processing is strictly causal.
//
//   mlat::MultilateratorConfig cfg;                   // causal (lookahead_s = 0)
//   mlat::Multilaterator ml(receivers, cfg);
//   for (const mlat::Message& m : messages)          // in time order
//     for (const mlat::Fix& f : ml.push(m)) sink(f);
//   for (const mlat::Fix& f : ml.flush()) sink(f);
//
// The altitude aid: a GNSS height if the message has one (`geo_alt_sigma_m`),
// otherwise the pressure altitude corrected by the references' recent
// (GNSS - pressure) difference, fitted as a + b * pressure altitude, with the
// fit's residual spread as its sigma; raw pressure altitude with
// `baro_raw_sigma_m` until enough references have been seen.
//
// References also calibrate the reported covariance (each is first located as
// if unknown) and the ADS-B position latency (see the config fields).
//
// `locate_baseline()` is the plain per-message least squares with no clock
// correction (raw timestamps, nominal noise, raw pressure altitude), kept as the
// reference point of docs/mlat.md.
//
// Units: SI; see message.hpp.
#pragma once

#include <deque>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "mlat/clock_sync.hpp"
#include "mlat/message.hpp"
#include "mlat/receiver.hpp"
#include "mlat/solver.hpp"

namespace skyfuse::mlat {

struct MultilateratorConfig {
  double lookahead_s = 0;  // hold messages to locate this long [s]
  bool altitude_aid = true;
  double geo_alt_sigma_m = 15;    // GNSS height aid sigma [m]
  double baro_raw_sigma_m = 200;  // uncorrected pressure altitude sigma [m]
  double min_baro_sigma_m = 25;   // floor of the corrected pressure altitude sigma [m]
  int min_altitude_samples = 8;   // references before the correction is used
  double altitude_forget = 0.02;  // per-reference forgetting of the correction fit
  bool refraction = true;
  // Covariance calibration: every `calibrate_every`-th reference is first
  // located as if it had no position (pressure altitude only) and its 2-D
  // error normalised by the fix covariance (m2 = e^T C^-1 e) is kept (last
  // `calibration_window`); reported covariances are scaled by the factor that
  // puts the share `calibration_quantile` of those below the chi-square(2)
  // quantile of that share, as for 2-D Gaussian errors (never below 1).
  bool calibrate_covariance = true;
  int calibrate_every = 1;
  int calibration_window = 300;
  int calibration_min_samples = 15;
  double calibration_quantile = 0.9;  // share of references matched to the Gaussian
  // ADS-B position latency: estimate one latency for all references from
  // their timestamps and the aircraft's velocity (from its previous report)
  // and move each reference forward by velocity x latency before it updates
  // the clocks (see estimate_latency in multilaterator.cpp).
  bool reference_latency = true;
  double max_velocity_age_s = 60;  // previous report at most this old [s]
  double max_latency_s = 2.0;
  double latency_forget = 0.002;  // per reference
  ClockSyncConfig clock;
  SolverConfig solver;
};

struct MultilateratorStats {
  std::int64_t references = 0;
  std::int64_t references_applied = 0;
  std::int64_t reference_outliers = 0;
  std::int64_t clock_jumps = 0;
  std::int64_t located = 0;
  double covariance_scale = 1.0;   // current calibration factor (1: none yet)
  double reference_latency_s = 0;  // current ADS-B position latency estimate [s]
};

class Multilaterator {
 public:
  Multilaterator(const ReceiverSet& receivers, MultilateratorConfig cfg);

  std::vector<Fix> push(const Message& m);
  std::vector<Fix> flush();
  // Locates `m` now, with the clocks as they are.
  Fix locate(const Message& m) const;

  const ClockSync& clocks() const { return clocks_; }
  const MultilateratorStats& stats() const { return stats_; }
  // The altitude aid `locate` would use for a message.
  std::optional<AltitudeAid> altitude_aid(const Message& m) const;

 private:
  void add_reference(const Message& m);
  void calibrate(const Message& reference);
  void estimate_latency(const Message& m, const Eigen::Vector3d& x, const Eigen::Vector3d& v);
  Fix locate_scaled(const Message& m, double covariance_scale) const;

  const ReceiverSet* receivers_;
  MultilateratorConfig cfg_;
  ClockSync clocks_;
  std::deque<Message> waiting_;
  MultilateratorStats stats_;
  // Weighted least squares of (geo - baro) = a + b * baro, with forgetting.
  Eigen::Matrix2d alt_info_ = Eigen::Matrix2d::Zero();
  Eigen::Vector2d alt_rhs_ = Eigen::Vector2d::Zero();
  double alt_resid_var_ = 0;
  int alt_samples_ = 0;
  std::deque<double> calibration_m2_;
  std::unordered_map<std::string, std::pair<Time, Eigen::Vector3d>> last_reference_;
  double latency_aa_ = 0, latency_ae_ = 0;
};

struct BaselineConfig {
  double noise_s = 100e-9;    // assumed timing noise [s]
  double baro_sigma_m = 200;  // raw pressure altitude aid sigma [m]
  SolverConfig solver{.refraction = false, .drop_one_outlier = false};
};

Fix locate_baseline(const ReceiverSet& receivers, const Message& m, const BaselineConfig& cfg);

}  // namespace skyfuse::mlat
