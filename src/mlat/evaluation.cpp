#include "mlat/evaluation.hpp"

#include <Eigen/Cholesky>
#include <Eigen/LU>
#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>

#include "geo/wgs84.hpp"

namespace skyfuse::mlat {

namespace {

// (east, north) error of `f` relative to `truth` [m].
Eigen::Vector2d error_en(const Fix& f, const GeodeticPosition& truth) {
  const Eigen::Matrix3d rot = geo::ecef_to_enu_rotation(truth.lat_deg, truth.lon_deg);
  return (rot * (f.ecef_m - geo::geodetic_to_ecef(truth))).head<2>();
}

// 200 draws of |error| from the bound's 2-D Gaussian (covariance c), for the
// quantiles it predicts.
void add_crb_samples(const Eigen::Matrix2d& c, std::mt19937_64& rng, std::vector<double>& out) {
  std::normal_distribution<double> gauss;
  const Eigen::Matrix2d l = Eigen::LLT<Eigen::Matrix2d>(c).matrixL();
  for (int k = 0; k < 200; ++k) {
    const double g2 = gauss(rng);  // drawn in a written order, last first (as GCC
    const double g1 = gauss(rng);  // evaluated the arguments; unspecified in C++)
    out.push_back((l * Eigen::Vector2d(g1, g2)).norm());
  }
}

double quantile(std::vector<double> v, double q) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

double pct(int a, int b) { return b > 0 ? 100.0 * a / b : 0.0; }

// The record's error along and across its aircraft's track: the velocity from
// the report nearest in time (within 60 s, not the record's own).
void split_along_track(EvalRecord& r, const std::vector<std::pair<Time, GeodeticPosition>>& track) {
  const std::pair<Time, GeodeticPosition>* other = nullptr;
  double best = 60.0;
  for (const auto& p : track) {
    const double dt = std::abs((p.first - r.fix.time).seconds());
    if (dt > 0.0 && dt <= best) {
      best = dt;
      other = &p;
    }
  }
  if (!other) return;
  const Eigen::Matrix3d rot = geo::ecef_to_enu_rotation(r.truth.lat_deg, r.truth.lon_deg);
  const Eigen::Vector2d d =
      (rot * (geo::geodetic_to_ecef(other->second) - geo::geodetic_to_ecef(r.truth))).head<2>();
  const Eigen::Vector2d v = d / (other->first - r.fix.time).seconds();
  if (!(v.norm() >= 30.0)) return;
  const Eigen::Vector2d u = v.normalized(), left(-u.y(), u.x());
  const Eigen::Vector2d e = error_en(r.fix, r.truth);
  r.speed_mps = v.norm();
  r.along_m = e.dot(u);
  r.across_m = e.dot(left);
  if (r.fix.crb_en_m2) {
    r.crb_along_m = std::sqrt(std::max(0.0, u.dot(*r.fix.crb_en_m2 * u)));
    r.crb_across_m = std::sqrt(std::max(0.0, left.dot(*r.fix.crb_en_m2 * left)));
  }
}

}  // namespace

std::vector<EvalRecord> leave_one_aircraft_out(const ReceiverSet& receivers,
                                               const std::vector<Message>& messages,
                                               const EvalConfig& cfg) {
  std::set<std::string> all;
  for (const Message& m : messages) {
    if (m.reference) all.insert(m.aircraft);
  }
  std::vector<std::string> aircraft(all.begin(), all.end());
  if (cfg.max_aircraft > 0 && static_cast<int>(aircraft.size()) > cfg.max_aircraft) {
    std::vector<std::string> sub;
    const double step = static_cast<double>(aircraft.size()) / cfg.max_aircraft;
    for (int i = 0; i < cfg.max_aircraft; ++i) {
      sub.push_back(aircraft[static_cast<std::size_t>(i * step)]);
    }
    aircraft = sub;
  }
  std::vector<EvalRecord> out;
  for (const std::string& a : aircraft) {
    Multilaterator ml(receivers, cfg.mlat);
    std::map<std::int64_t, GeodeticPosition> truth;
    std::vector<std::pair<Time, GeodeticPosition>> track;  // the blanked aircraft's reports
    std::vector<Fix> fixes;
    for (const Message& m : messages) {
      if (!m.reference) continue;
      if (m.aircraft != a) {
        for (Fix& f : ml.push(m)) fixes.push_back(std::move(f));
        continue;
      }
      Message blank = m;
      blank.truth = GeodeticPosition{m.reference->lat_deg, m.reference->lon_deg,
                                     m.geo_alt_m ? *m.geo_alt_m : m.reference->alt_m};
      blank.reference.reset();
      if (!cfg.keep_geo_altitude) blank.geo_alt_m.reset();
      truth[m.id] = *blank.truth;
      track.emplace_back(m.time, *blank.truth);
      EvalRecord r;
      r.baseline = locate_baseline(receivers, blank, cfg.baseline);
      r.truth = *blank.truth;
      if (has_position(r.baseline.flag)) r.baseline_error_m = error_en(r.baseline, r.truth).norm();
      out.push_back(std::move(r));
      for (Fix& f : ml.push(blank)) fixes.push_back(std::move(f));
    }
    for (Fix& f : ml.flush()) fixes.push_back(std::move(f));
    // Attach the fixes to their records (ids are unique within a set).
    std::map<std::int64_t, Fix*> by_id;
    for (Fix& f : fixes) by_id[f.id] = &f;
    for (auto it = out.end() - static_cast<std::ptrdiff_t>(truth.size()); it != out.end(); ++it) {
      it->fix = *by_id.at(it->baseline.id);
      if (has_position(it->fix.flag)) {
        const Eigen::Vector2d e = error_en(it->fix, it->truth);
        it->error_m = e.norm();
        const Eigen::Matrix2d c = it->fix.cov_enu_m2.topLeftCorner<2, 2>();
        it->mahalanobis2 = e.dot(c.inverse() * e);
        split_along_track(*it, track);
      }
    }
  }
  return out;
}

EvalSummary summarise(const std::vector<EvalRecord>& records) {
  EvalSummary s;
  s.rows = static_cast<int>(records.size());
  std::set<std::string> aircraft;
  std::vector<double> ok_err, base_err, base_ok_err, same_err, crb_samples;
  std::vector<double> across, along, crb_across, crb_along, lead;
  int inside = 0, crb_n = 0;
  double crb_sum = 0, err_sum = 0;
  std::mt19937_64 rng(19);
  std::mt19937_64 rng_split(23);
  std::normal_distribution<double> gauss;
  for (const EvalRecord& r : records) {
    aircraft.insert(r.fix.aircraft);
    ++s.by_flag[static_cast<std::size_t>(r.fix.flag)];
    if (has_position(r.fix.flag)) ++s.located;
    if (has_position(r.baseline.flag)) {
      ++s.baseline_located;
      base_err.push_back(r.baseline_error_m);
    }
    if (r.baseline.flag == FixFlag::kOk) {
      ++s.baseline_ok;
      base_ok_err.push_back(r.baseline_error_m);
    }
    if (r.fix.flag != FixFlag::kOk) continue;
    ++s.ok;
    ok_err.push_back(r.error_m);
    if (has_position(r.baseline.flag)) same_err.push_back(r.baseline_error_m);
    if (r.error_m > 1000) ++s.ok_over_1km;
    if (r.mahalanobis2 <= 4.0) ++inside;
    if (std::isfinite(r.along_m) && std::isfinite(r.crb_along_m)) {
      across.push_back(std::abs(r.across_m));
      along.push_back(std::abs(r.along_m));
      lead.push_back(r.along_m / r.speed_mps);
      for (int k = 0; k < 200; ++k) {
        const double g_across = gauss(rng_split);
        const double g_along = gauss(rng_split);
        crb_across.push_back(std::abs(r.crb_across_m * g_across));
        crb_along.push_back(std::abs(r.crb_along_m * g_along));
      }
    }
    if (r.fix.crb_en_m2) {
      const Eigen::Matrix2d& c = *r.fix.crb_en_m2;
      crb_sum += c.trace();
      err_sum += r.error_m * r.error_m;
      ++crb_n;
      add_crb_samples(c, rng, crb_samples);
    }
  }
  s.aircraft = static_cast<int>(aircraft.size());
  s.located_pct = pct(s.located, s.rows);
  s.ok_pct = pct(s.ok, s.rows);
  s.handled_pct =
      pct(s.rows - s.by_flag[static_cast<std::size_t>(FixFlag::kNoConvergence)], s.rows);
  s.median_m = quantile(ok_err, 0.5);
  s.p90_m = quantile(ok_err, 0.9);
  s.p99_m = quantile(ok_err, 0.99);
  s.max_m = quantile(ok_err, 1.0);
  s.inside_2sigma = s.ok > 0 ? static_cast<double>(inside) / s.ok : NAN;
  if (crb_n > 0) {
    s.crb_rms_m = std::sqrt(crb_sum / crb_n);
    s.error_rms_m = std::sqrt(err_sum / crb_n);
    s.crb_median_m = quantile(crb_samples, 0.5);
    s.crb_p90_m = quantile(crb_samples, 0.9);
  }
  s.split_n = static_cast<int>(along.size());
  s.across_p50_m = quantile(across, 0.5);
  s.across_p90_m = quantile(across, 0.9);
  s.crb_across_p50_m = quantile(crb_across, 0.5);
  s.crb_across_p90_m = quantile(crb_across, 0.9);
  s.along_p50_m = quantile(along, 0.5);
  s.along_p90_m = quantile(along, 0.9);
  s.crb_along_p50_m = quantile(crb_along, 0.5);
  s.crb_along_p90_m = quantile(crb_along, 0.9);
  s.lead_p10_s = quantile(lead, 0.1);
  s.lead_p50_s = quantile(lead, 0.5);
  s.lead_p90_s = quantile(lead, 0.9);
  // The lag each aircraft shows on its other fixes, taken out (see the header).
  {
    std::map<std::string, std::vector<const EvalRecord*>> by_aircraft;
    for (const EvalRecord& r : records)
      if (r.fix.flag == FixFlag::kOk && std::isfinite(r.along_m) && r.fix.crb_en_m2)
        by_aircraft[r.fix.aircraft].push_back(&r);
    std::vector<double> raw, removed, crb;
    std::mt19937_64 rng_lag(29);
    for (const auto& [name, fixes] : by_aircraft) {
      if (fixes.size() < 3) continue;
      for (const EvalRecord* r : fixes) {
        std::vector<double> others;
        for (const EvalRecord* o : fixes)
          if (o != r) others.push_back(o->along_m / o->speed_mps);
        const double tau = quantile(others, 0.5);
        raw.push_back(r->error_m);
        removed.push_back(std::hypot(r->along_m - tau * r->speed_mps, r->across_m));
        add_crb_samples(*r->fix.crb_en_m2, rng_lag, crb);
      }
    }
    s.lag_n = static_cast<int>(raw.size());
    s.lag_raw_p50_m = quantile(raw, 0.5);
    s.lag_raw_p90_m = quantile(raw, 0.9);
    s.lag_removed_p50_m = quantile(removed, 0.5);
    s.lag_removed_p90_m = quantile(removed, 0.9);
    s.lag_crb_p50_m = quantile(crb, 0.5);
    s.lag_crb_p90_m = quantile(crb, 0.9);
  }
  s.baseline_median_m = quantile(base_err, 0.5);
  s.baseline_p90_m = quantile(base_err, 0.9);
  s.baseline_ok_median_m = quantile(base_ok_err, 0.5);
  s.baseline_same_median_m = quantile(same_err, 0.5);
  s.baseline_same_p90_m = quantile(same_err, 0.9);
  return s;
}

}  // namespace skyfuse::mlat
