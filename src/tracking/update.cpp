#include "tracking/update.hpp"

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>
#include <numbers>
#include <tuple>

#include "tracking/lifecycle.hpp"

namespace skyfuse::tracking {

namespace {
constexpr double kPi = std::numbers::pi;

double wrap_pi(double a) { return std::remainder(a, 2 * kPi); }

bool is_reference(SensorKind k) { return k == SensorKind::kAdsb || k == SensorKind::kMlat; }
bool is_drone_sensor(SensorKind k) {
  return k == SensorKind::kDroneRadar || k == SensorKind::kRemoteId;
}

std::uint64_t fault_count(const TrackRecord& t) {
  return t.imm.faults().repaired_covariance + t.imm.faults().singular_innovation +
         t.imm.faults().non_finite + t.vert.faults();
}
}  // namespace

// ------------------------------------------------------------ the four parts

void update_kinematics(estimation::Imm& imm, const PlaneMeasurement& m, const Prepared& p) {
  if (p.velocity) {
    Eigen::Vector4d z;
    z << m.xy, *p.velocity;
    Eigen::Matrix4d rr = Eigen::Matrix4d::Zero();
    rr.topLeftCorner<2, 2>() = m.cov;
    rr.bottomRightCorner<2, 2>() = p.velocity_cov;
    imm.update(z, rr);
  } else {
    imm.update(m.xy, m.cov);
  }
}

int update_height(TrackRecord& t, const Prepared& p, const PlaneMeasurement& m, bool triangulate,
                  const HeightOffsetModel& offsets, const TrackerConfig& cfg) {
  int outliers = 0;
  // A 2-D plot of a track without measured height: the horizontal
  // innovation also tells the height (two radars triangulate it).
  if (triangulate) {
    const Eigen::Vector2d nu = m.xy - t.imm.state().head<2>();
    const Eigen::Matrix2d& cov = m.cov;
    Eigen::Matrix2d sm;
    sm << t.imm.covariance(0, 0) + cov(0, 0), t.imm.covariance(0, 1) + cov(0, 1),
        t.imm.covariance(1, 0) + cov(1, 0), t.imm.covariance(1, 1) + cov(1, 1);
    t.vert.update_from_plane(-m.dxy_dh, sm, nu);  // m = x - J (h - h_pred)
  }
  const double offset_var = cfg.unknown_offset_sigma_m * cfg.unknown_offset_sigma_m;
  if (p.geometric_h) {
    if (!t.seen_geometric && !t.seen_baro) {
      t.vert = estimation::VerticalFilter(cfg.vertical, *p.geometric_h, p.geometric_var,
                                          offsets.offset_m(*p.geometric_h), offset_var);
    } else if (t.vert.nis_geometric(*p.geometric_h, p.geometric_var) < cfg.height_gate_nis ||
               t.hits < cfg.height_gate_min_hits) {
      t.vert.update_geometric(*p.geometric_h, p.geometric_var);
    } else {
      ++outliers;
    }
    t.seen_geometric = true;
  }
  if (p.baro_m) {
    if (!t.seen_geometric && !t.seen_baro) {
      const double b = offsets.offset_m(*p.baro_m), var_b = offsets.variance_m2(*p.baro_m);
      t.vert =
          estimation::VerticalFilter(cfg.vertical, *p.baro_m + b, p.baro_var + var_b, b, var_b);
    } else if (t.vert.nis_baro(*p.baro_m, p.baro_var) < cfg.height_gate_nis ||
               t.hits < cfg.height_gate_min_hits) {
      t.vert.update_baro(*p.baro_m, p.baro_var);
    } else {
      // A vertical manoeuvre the filter lags: accept with inflated noise.
      t.vert.update_baro(*p.baro_m, p.baro_var * cfg.baro_outlier_var_factor);
      ++outliers;
    }
    t.seen_baro = true;
    // No geometric height of its own lately: its offset is the fleet's at
    // its pressure altitude (which changes as it climbs or descends).
    if (!p.geometric_h && (!t.seen_geometric || t.last_reference.ns == 0 ||
                           (p.report->time - t.last_reference).seconds() > cfg.own_offset_memory_s))
      t.vert.set_offset(offsets.offset_m(*p.baro_m), offsets.variance_m2(*p.baro_m));
  }
  if (p.vertical_rate)
    t.vert.update_rate(*p.vertical_rate, cfg.vertical_rate_sigma_mps * cfg.vertical_rate_sigma_mps);
  return outliers;
}

bool backs_identity(const TrackRecord& t, const Prepared& p, const TrackerConfig& cfg) {
  const Identity& id = p.report->identity;
  if (!t.identity.icao24 || id.icao24 || !id.mode3a || !t.identity.mode3a ||
      *id.mode3a != *t.identity.mode3a)
    return false;
  return !p.baro_m || !t.seen_baro ||
         std::abs(*p.baro_m - (t.vert.height() - t.vert.offset())) < cfg.backs_identity_height_m;
}

void update_identity(TrackTable& table, std::uint32_t slot, const Report& r, bool backs) {
  TrackRecord& t = table[slot];
  const Identity& id = r.identity;
  if ((id.icao24 && (!t.identity.icao24 || *t.identity.icao24 == *id.icao24)) ||
      (!id.remote_id.empty() &&
       (t.identity.remote_id.empty() || t.identity.remote_id == id.remote_id)) ||
      backs)
    ++t.identity_hits;
  if (id.icao24 && !t.identity.icao24) {
    t.identity.icao24 = id.icao24;
    table.bind_address(slot);
  }
  if (id.mode3a) t.identity.mode3a = id.mode3a;
  if (r.sensor_kind == SensorKind::kAdsb) t.emergency = r.emergency;
  if (r.operator_position) t.operator_position = r.operator_position;
  if (!id.callsign.empty()) t.identity.callsign = id.callsign;
  if (!id.remote_id.empty() && t.identity.remote_id.empty()) {
    t.identity.remote_id = id.remote_id;
    table.bind_serial(slot);
  }
  if (id.emitter_category) {
    t.identity.emitter_category = id.emitter_category;
    t.evidence.emitter_category = id.emitter_category;
  }
}

void update_class(TrackRecord& t, const Report& r, const TrackerConfig& cfg) {
  const Identity& id = r.identity;
  ClassEvidence& e = t.evidence;
  e.has_transponder = e.has_transponder || id.icao24 || id.mode3a || r.baro_alt_m;
  e.has_remote_id =
      e.has_remote_id || !id.remote_id.empty() || r.sensor_kind == SensorKind::kRemoteId;
  e.drone_sensors_only = e.drone_sensors_only && is_drone_sensor(r.sensor_kind);
  e.speed_mps = t.imm.state().segment<2>(2).norm();
  e.height_m = t.vert.height();
  ++e.updates;
  if (e.updates >= cfg.class_min_updates) {
    e.max_speed_mps = std::max(e.max_speed_mps, e.speed_mps);
    if ((t.time - t.first_update).seconds() > cfg.class_min_span_s)
      e.min_speed_mps = std::min(e.min_speed_mps, e.speed_mps);
  }
  std::tie(t.cls, t.class_confidence) = classify(e);
}

// ------------------------------------------------------------ the whole update

UpdateOutcome Updater::update(std::uint32_t slot, const Prepared& p) {
  TrackRecord& t = table_[slot];
  const Report& r = *p.report;
  const double dt = (r.time - t.time).seconds();
  const bool late = dt < 0;
  const bool backs = !t.corroborated() && backs_identity(t, p, cfg_);
  if (late && -dt > cfg_.max_oosm_lag_s) {
    ++stats_.late_dropped;
    return UpdateOutcome::kTooLate;
  }
  const std::optional<PlaneMeasurement> m = gate_.measurement_for(p, t, r.time, true);
  if (!m) {
    ++stats_.unassociated;
    return UpdateOutcome::kNotPlaced;
  }
  registration_residual(p, t);
  if (t.status == TrackStatus::kTentative && !t.corroborated() && !late) update_score(t, p, *m);
  if (!t.height_known() && !late)
    if (const auto h = gate_.report_height(p)) {
      // Its first height: move it to where its radar's plots put it there.
      const Eigen::Vector2d xy0 = t.imm.state().head<2>();
      t.imm.shift_position(gate_.at_height(t, xy0, t.vert.height(), *h) - xy0);
    }
  if (p.polar) t.last_radar = r.sensor;
  const std::uint64_t faults_before = fault_count(t);
  // Out of sequence: retrodict to the report, update, predict back.
  t.imm.predict(dt);
  t.vert.predict(dt);
  const bool triangulate = p.needs_height && !t.height_known() && m->dxy_dh.squaredNorm() > 1e-6 &&
                           gate_.radars_feeding(t, r.time) >= 2;
  // (Height before kinematics: the triangulation reads the IMM's prediction.)
  stats_.height_outliers += update_height(t, p, *m, triangulate, offsets_, cfg_);
  update_kinematics(t.imm, *m, p);
  if (late) {
    t.imm.predict(-dt);
    t.vert.predict(-dt);
    ++stats_.out_of_sequence;
  } else {
    t.time = r.time;
  }
  stats_.numerical_faults += fault_count(t) - faults_before;

  update_identity(table_, slot, r, backs);
  update_sensors(t, p);
  if (is_reference(r.sensor_kind) && r.time >= t.last_reference) update_reference(t, p);
  t.last_update = std::max(t.last_update, r.time);
  ++t.hits;
  const TrackStatus before = t.status;
  const Confirmation c = confirm(t, cfg_);
  if (c.refused_fast) ++stats_.implausible_initiations;
  if (c.refused_velocity) ++stats_.unobserved_velocity;
  t.status = c.status;
  if (before == TrackStatus::kTentative && t.status == TrackStatus::kConfirmed) ++stats_.confirmed;
  update_class(t, r, cfg_);
  t.merge_count = 0;
  table_.moved(slot);
  ++stats_.associated;
  return late ? UpdateOutcome::kUpdatedLate : UpdateOutcome::kUpdated;
}

void Updater::registration_residual(const Prepared& p, const TrackRecord& t) {
  if (!cfg_.registration || !p.polar || !p.sensor->radar) return;
  if (!t.seen_geometric && !t.seen_baro) return;
  // The plot's own time stamp (before any time-offset correction): the model
  // is of the radar's raw reports.
  const Time at = p.stamp;
  if (t.last_reference.ns == 0 || (at - t.last_reference).seconds() > cfg_.reference_max_age_s)
    return;
  // Reference: the last ADS-B/MLAT fix moved along its own velocity, so the
  // radar's earlier plots (already in the track) do not bias the residual.
  const double dt_ref = (at - t.last_reference).seconds();
  const Eigen::Vector2d ref = t.ref_xy + t.ref_velocity * dt_ref;
  const double var_ref =
      t.ref_var + std::pow((t.ref_has_velocity ? cfg_.reference_sigma_mps
                                               : cfg_.reference_sigma_no_velocity_mps) *
                               dt_ref,
                           2);
  const double h = Gate::predicted_height(t, at);
  const GeodeticPosition pos = frame_.from_plane(ref, h);
  const geo::Polar pred = p.sensor->radar->forward(pos);
  // The reference's range and azimuth rates (one second along its velocity).
  constexpr double kStep = 1.0;
  const geo::Polar ahead = p.sensor->radar->forward(
      frame_.from_plane(ref + t.ref_velocity * kStep, h + t.vert.rate() * kStep));
  const auto& m = std::get<PolarMeasurement>(p.report->measurement);
  RegistrationSample s;
  s.range_m = pred.range_m;
  s.range_rate_mps = (ahead.range_m - pred.range_m) / kStep;
  s.azimuth_rate_radps = wrap_pi(ahead.azimuth_rad - pred.azimuth_rad) / kStep;
  s.height_above_site_m = pos.alt_m - p.sensor->sensor.site.alt_m;
  s.d_range_m = m.range_m - pred.range_m;
  s.d_azimuth_rad = wrap_pi(m.azimuth_rad - pred.azimuth_rad);
  const double ground = std::max(pred.range_m, cfg_.registration_min_ground_m);
  s.var_range_m2 = p.sigma_range_m * p.sigma_range_m + var_ref;
  s.var_azimuth_rad2 = p.sigma_azimuth_rad * p.sigma_azimuth_rad + var_ref / (ground * ground);
  // (The gate is on the raw residual, as before the full model: gating what
  // the current fit leaves moved fast_mover's radar-only RMS 97.3 -> 97.9 m.)
  if (s.d_range_m * s.d_range_m >
          cfg_.registration_gate_sigmas2 * s.var_range_m2 + cfg_.registration_range_slack_m2 ||
      s.d_azimuth_rad * s.d_azimuth_rad > cfg_.registration_gate_sigmas2 * s.var_azimuth_rad2 +
                                              cfg_.registration_azimuth_slack_rad2)
    return;  // not this target
  registration_.add(p.report->sensor, s);
}

void Updater::update_score(TrackRecord& t, const Prepared& p, const PlaneMeasurement& m) {
  const Time at = p.report->time;
  const GatePrediction g = gate_.predict(t, at);
  const Eigen::Matrix2d sm = g.cov + m.cov;
  Eigen::LLT<Eigen::Matrix2d> llt(sm);
  if (llt.info() != Eigen::Success) return;
  const Eigen::Vector2d nu = m.xy - g.xy;
  const Eigen::Matrix2d l = llt.matrixL();
  const double ll = -0.5 * nu.dot(llt.solve(nu)) - std::log(l(0, 0) * l(1, 1)) - std::log(2 * kPi);
  t.score +=
      ll - std::log(p.sensor->clutter_density(at, m.xy)) + std::log(cfg_.detection_probability);
}

void Updater::update_sensors(TrackRecord& t, const Prepared& p) {
  const Report& r = *p.report;
  auto s = std::find_if(t.sensors.begin(), t.sensors.end(),
                        [&](const auto& e) { return e.first == r.sensor; });
  if (s == t.sensors.end()) {
    t.sensors.emplace_back(r.sensor, r.time);
  } else {
    s->second = std::max(s->second, r.time);
  }
  t.interval_s = p.sensor->interval_s;
  for (const auto& [sid, when] : t.sensors) {
    if ((r.time - when).seconds() > cfg_.sensor_memory_s) continue;
    t.interval_s = std::min(t.interval_s, sensors_.at(sid).interval_s);
  }
}

void Updater::update_reference(TrackRecord& t, const Prepared& p) {
  t.last_reference = p.report->time;
  t.ref_xy = p.xy;
  t.ref_var = 0.5 * p.cov.trace();
  t.ref_has_velocity = p.velocity.has_value();
  t.ref_velocity = p.velocity ? *p.velocity : Eigen::Vector2d(t.imm.state().segment<2>(2));
}

}  // namespace skyfuse::tracking
