#include "mlat/multilaterator.hpp"

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>

#include "geo/wgs84.hpp"
#include "mlat/propagation.hpp"

namespace skyfuse::mlat {

const char* to_string(FixFlag f) {
  switch (f) {
    case FixFlag::kOk:
      return "ok";
    case FixFlag::kBadGeometry:
      return "bad_geometry";
    case FixFlag::kInconsistent:
      return "inconsistent";
    case FixFlag::kAmbiguous:
      return "ambiguous";
    case FixFlag::kTooFewReceivers:
      return "too_few_receivers";
    case FixFlag::kUnsynchronised:
      return "unsynchronised";
    case FixFlag::kNoConvergence:
      return "no_convergence";
  }
  return "?";
}

namespace {

Fix empty_fix(const Message& m, FixFlag flag) {
  Fix f;
  f.id = m.id;
  f.time = m.time;
  f.aircraft = m.aircraft;
  f.icao24 = m.icao24;
  f.flag = flag;
  f.heard = static_cast<int>(m.toas.size());
  return f;
}

// Solver input over the receivers of `m` that the set knows, with the given
// arrival times and covariance (indexed like `index` into m.toas).
SolverInput make_input(const ReceiverSet& receivers, const Message& m,
                       const std::vector<int>& index, const Eigen::VectorXd& toa_s,
                       const Eigen::MatrixXd& cov_s2) {
  SolverInput in;
  const int n = std::min(static_cast<int>(index.size()), kMaxSolverReceivers);
  in.toa_s = toa_s.head(n);
  in.toa_cov_s2 = cov_s2.topLeftCorner(n, n);
  for (int k = 0; k < n; ++k) {
    const Receiver* r = receivers.find(
        m.toas[static_cast<std::size_t>(index[static_cast<std::size_t>(k)])].receiver);
    in.receiver_ecef_m.push_back(r->ecef_m);
    in.receiver_h_m.push_back(r->position.alt_m);
    in.receiver_ids.push_back(r->id);
  }
  return in;
}

Fix finish(const Message& m, const SolverInput& in, const SolveResult& r, bool refraction) {
  Fix f = empty_fix(m, r.flag);
  if (!has_position(r.flag)) return f;
  f.position = r.position;
  f.ecef_m = r.solution.ecef_m;
  f.cov_enu_m2 = r.cov_enu_m2;
  f.gdop = r.gdop;
  f.chi2 = r.solution.chi2;
  f.dof = r.solution.dof;
  for (int k : r.used) f.receivers.push_back(in.receiver_ids[static_cast<std::size_t>(k)]);
  if (m.truth) {
    const GeodeticPosition t = *m.truth;
    if (auto crb = cramer_rao_bound(in, r.used, geo::geodetic_to_ecef(t), refraction)) {
      f.crb_en_m2 = ecef_cov_to_enu(crb->topLeftCorner<3, 3>(), t).topLeftCorner<2, 2>();
    }
  }
  return f;
}

}  // namespace

Multilaterator::Multilaterator(const ReceiverSet& receivers, MultilateratorConfig cfg)
    : receivers_(&receivers), cfg_(cfg), clocks_(receivers, cfg.clock) {
  cfg_.solver.refraction = cfg_.refraction;
}

std::vector<Fix> Multilaterator::push(const Message& m) {
  std::vector<Fix> out;
  if (m.reference) add_reference(m);
  while (!waiting_.empty() && (m.time - waiting_.front().time).seconds() >= cfg_.lookahead_s) {
    out.push_back(locate(waiting_.front()));
    waiting_.pop_front();
  }
  if (!m.reference) {
    if (cfg_.lookahead_s <= 0) {
      out.push_back(locate(m));
    } else {
      waiting_.push_back(m);
    }
  }
  stats_.located += static_cast<std::int64_t>(out.size());
  return out;
}

std::vector<Fix> Multilaterator::flush() {
  std::vector<Fix> out;
  for (const Message& m : waiting_) out.push_back(locate(m));
  waiting_.clear();
  stats_.located += static_cast<std::int64_t>(out.size());
  return out;
}

// The position in an ADS-B message is older than the message by the avionics'
// latency tau: the true emitter is at reported + v tau, so each timestamp's
// residual (after the clock correction) carries (u_s . v / c) tau with u_s the
// receiver-to-emitter direction. Differences across receivers cancel the
// emission time; tau is the running weighted least-squares slope over all
// references (forgetting `latency_forget`), bounded to [0, max_latency_s].
void Multilaterator::estimate_latency(const Message& m, const Eigen::Vector3d& x,
                                      const Eigen::Vector3d& v) {
  const CorrectedToas c = clocks_.correct(m.toas);
  const int n = static_cast<int>(c.index.size());
  if (n < 3) return;
  Eigen::VectorXd a(n), e(n);
  for (int k = 0; k < n; ++k) {
    const Receiver& r = *receivers_->find(
        m.toas[static_cast<std::size_t>(c.index[static_cast<std::size_t>(k)])].receiver);
    const Eigen::Vector3d u = (x - r.ecef_m).normalized();
    a(k) = u.dot(v) / kSpeedOfLight;
    e(k) = c.toa_s(k) -
           flight_time_s(x, m.reference->alt_m, r.ecef_m, r.position.alt_m, cfg_.refraction);
  }
  a.array() -= a.mean();
  e.array() -= e.mean();
  // Weighted by the mean timing variance (differences are what is observed).
  const double w = 1.0 / c.cov_s2.diagonal().mean();
  const double keep = 1.0 - cfg_.latency_forget;
  latency_aa_ = keep * latency_aa_ + w * a.squaredNorm();
  latency_ae_ = keep * latency_ae_ + w * a.dot(e);
  if (latency_aa_ > 0) {
    stats_.reference_latency_s = std::clamp(latency_ae_ / latency_aa_, 0.0, cfg_.max_latency_s);
  }
}

void Multilaterator::add_reference(const Message& m) {
  ++stats_.references;
  if (cfg_.calibrate_covariance && cfg_.calibrate_every > 0 &&
      stats_.references % cfg_.calibrate_every == 0) {
    calibrate(m);
  }
  const GeodeticPosition& p = *m.reference;
  const Eigen::Vector3d reported = geo::geodetic_to_ecef(p);
  Eigen::Vector3d x = reported;
  if (cfg_.reference_latency) {
    // Velocity from this aircraft's previous report (causal).
    std::optional<Eigen::Vector3d> v;
    if (auto it = last_reference_.find(m.aircraft); it != last_reference_.end()) {
      const double dt = (m.time - it->second.first).seconds();
      if (dt >= 0.5 && dt <= cfg_.max_velocity_age_s) v = (reported - it->second.second) / dt;
    }
    last_reference_[m.aircraft] = {m.time, reported};
    if (v && v->norm() < 400.0) {
      estimate_latency(m, reported, *v);
      x = reported + stats_.reference_latency_s * *v;
    }
  }
  std::vector<ReferenceObservation> obs;
  for (const Toa& t : m.toas) {
    const Receiver* r = receivers_->find(t.receiver);
    if (!r) continue;
    if ((x - r->ecef_m).norm() > cfg_.solver.max_range_m) continue;
    obs.push_back({t.receiver, t.toa_ns,
                   flight_time_s(x, p.alt_m, r->ecef_m, r->position.alt_m, cfg_.refraction)});
  }
  const ReferenceUpdate u = clocks_.add_reference(obs);
  stats_.references_applied += u.applied ? 1 : 0;
  stats_.reference_outliers += u.outliers;
  stats_.clock_jumps += u.jumps;

  if (m.baro_alt_m && m.geo_alt_m) {
    const double baro = *m.baro_alt_m, diff = *m.geo_alt_m - *m.baro_alt_m;
    const Eigen::Vector2d h(1.0, baro * 1e-4);  // scaled for conditioning
    if (alt_samples_ >= cfg_.min_altitude_samples) {
      const Eigen::Vector2d coef = alt_info_.ldlt().solve(alt_rhs_);
      const double e = diff - h.dot(coef);
      alt_resid_var_ += cfg_.altitude_forget * 2 * (e * e - alt_resid_var_);
    } else {
      alt_resid_var_ = cfg_.baro_raw_sigma_m * cfg_.baro_raw_sigma_m;
    }
    const double keep = 1.0 - cfg_.altitude_forget;
    alt_info_ = keep * alt_info_ + h * h.transpose();
    alt_rhs_ = keep * alt_rhs_ + h * diff;
    ++alt_samples_;
  }
}

std::optional<AltitudeAid> Multilaterator::altitude_aid(const Message& m) const {
  if (!cfg_.altitude_aid) return std::nullopt;
  if (m.geo_alt_m) return AltitudeAid{*m.geo_alt_m, cfg_.geo_alt_sigma_m};
  if (!m.baro_alt_m) return std::nullopt;
  if (alt_samples_ < cfg_.min_altitude_samples) {
    return AltitudeAid{*m.baro_alt_m, cfg_.baro_raw_sigma_m};
  }
  const Eigen::Vector2d h(1.0, *m.baro_alt_m * 1e-4);
  const Eigen::Vector2d coef = alt_info_.ldlt().solve(alt_rhs_);
  const double sigma = std::max(cfg_.min_baro_sigma_m, std::sqrt(alt_resid_var_));
  return AltitudeAid{*m.baro_alt_m + h.dot(coef), sigma};
}

Fix Multilaterator::locate(const Message& m) const {
  return locate_scaled(m, stats_.covariance_scale);
}

void Multilaterator::calibrate(const Message& reference) {
  Message probe = reference;
  probe.reference.reset();
  probe.geo_alt_m.reset();
  probe.truth.reset();
  const Fix f = locate_scaled(probe, 1.0);
  if (f.flag != FixFlag::kOk) return;
  const GeodeticPosition& p = *reference.reference;
  const Eigen::Matrix3d rot = geo::ecef_to_enu_rotation(p.lat_deg, p.lon_deg);
  const Eigen::Vector2d e = (rot * (f.ecef_m - geo::geodetic_to_ecef(p))).head<2>();
  const Eigen::Matrix2d c = f.cov_enu_m2.topLeftCorner<2, 2>();
  const double m2 = e.dot(c.ldlt().solve(e));
  if (!std::isfinite(m2)) return;
  calibration_m2_.push_back(m2);
  while (static_cast<int>(calibration_m2_.size()) > cfg_.calibration_window) {
    calibration_m2_.pop_front();
  }
  if (static_cast<int>(calibration_m2_.size()) < cfg_.calibration_min_samples) return;
  // chi-square(2) puts a share p below -2 ln(1 - p) (86.5 % below 4). The
  // share p of the samples is only an estimate of the quantile; take the
  // order statistic that is at or above it with 90 % confidence (binomial,
  // normal approximation), so a small sample does not under-state the
  // covariance (with 15 samples this is their largest, with 300 the 92nd
  // percentile).
  std::vector<double> v(calibration_m2_.begin(), calibration_m2_.end());
  const double p_share = cfg_.calibration_quantile;
  const double n = static_cast<double>(v.size());
  const double k = std::ceil(n * p_share + 1.2816 * std::sqrt(n * p_share * (1.0 - p_share)));
  const auto q = v.begin() + static_cast<std::ptrdiff_t>(std::clamp(k, 1.0, n) - 1.0);
  std::nth_element(v.begin(), q, v.end());
  stats_.covariance_scale = std::max(1.0, *q / (-2.0 * std::log(1.0 - p_share)));
}

Fix Multilaterator::locate_scaled(const Message& m, double covariance_scale) const {
  std::vector<Toa> known;
  for (const Toa& t : m.toas) {
    if (receivers_->find(t.receiver)) known.push_back(t);
  }
  const auto aid = altitude_aid(m);
  const std::size_t min_rx = aid ? 3 : 4;
  if (known.size() < min_rx) return empty_fix(m, FixFlag::kTooFewReceivers);
  const CorrectedToas c = clocks_.correct(known);
  if (c.index.size() < min_rx) return empty_fix(m, FixFlag::kUnsynchronised);
  Message sub = m;
  sub.toas = known;
  SolverInput in = make_input(*receivers_, sub, c.index, c.toa_s, c.cov_s2);
  in.altitude = aid;
  SolverConfig solver = cfg_.solver;
  solver.covariance_scale = covariance_scale;
  return finish(m, in, solve(in, solver), cfg_.refraction);
}

Fix locate_baseline(const ReceiverSet& receivers, const Message& m, const BaselineConfig& cfg) {
  Message sub = m;
  sub.toas.clear();
  for (const Toa& t : m.toas) {
    if (receivers.find(t.receiver)) sub.toas.push_back(t);
  }
  const std::size_t min_rx = m.baro_alt_m ? 3 : 4;
  if (sub.toas.size() < min_rx) return empty_fix(m, FixFlag::kTooFewReceivers);
  const int n = static_cast<int>(sub.toas.size());
  std::vector<int> index(static_cast<std::size_t>(n));
  Eigen::VectorXd toa(n);
  for (int k = 0; k < n; ++k) {
    index[static_cast<std::size_t>(k)] = k;
    toa(k) =
        static_cast<double>(sub.toas[static_cast<std::size_t>(k)].toa_ns - sub.toas[0].toa_ns) *
        1e-9;
  }
  const Eigen::MatrixXd cov = Eigen::MatrixXd::Identity(n, n) * cfg.noise_s * cfg.noise_s;
  SolverInput in = make_input(receivers, sub, index, toa, cov);
  if (m.baro_alt_m) in.altitude = AltitudeAid{*m.baro_alt_m, cfg.baro_sigma_m};
  return finish(m, in, solve(in, cfg.solver), cfg.solver.refraction);
}

}  // namespace skyfuse::mlat
