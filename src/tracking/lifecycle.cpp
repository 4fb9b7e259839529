#include "tracking/lifecycle.hpp"

#include <algorithm>
#include <cmath>

namespace skyfuse::tracking {

namespace {
bool is_reference(SensorKind k) { return k == SensorKind::kAdsb || k == SensorKind::kMlat; }
bool is_drone_sensor(SensorKind k) {
  return k == SensorKind::kDroneRadar || k == SensorKind::kRemoteId;
}
}  // namespace

IdentityEvidence identity_evidence(const TrackRecord& t) {
  return t.corroborated() ? IdentityEvidence::kCorroborated
         : t.identified() ? IdentityEvidence::kUncorroborated
                          : IdentityEvidence::kNone;
}

TrackStatus status_after_update(TrackStatus s, int hits, IdentityEvidence identity, double score,
                                const TrackerConfig& cfg) {
  switch (s) {
    case TrackStatus::kTentative: {
      const int min_hits =
          std::max(2, identity == IdentityEvidence::kNone ? cfg.confirm_hits_anonymous
                                                          : cfg.confirm_hits_identified);
      if (hits < min_hits) return TrackStatus::kTentative;
      if (identity == IdentityEvidence::kCorroborated) return TrackStatus::kConfirmed;
      return score >= cfg.confirm_score ? TrackStatus::kConfirmed : TrackStatus::kTentative;
    }
    case TrackStatus::kCoasting:
    case TrackStatus::kConfirmed:
      return TrackStatus::kConfirmed;
    case TrackStatus::kDeleted:
      return TrackStatus::kDeleted;
  }
  return s;
}

Confirmation confirm(TrackStatus s, int hits, IdentityEvidence identity, double score,
                     double speed_mps, const TrackerConfig& cfg, double speed_sigma_mps) {
  const TrackStatus next = status_after_update(s, hits, identity, score, cfg);
  if (s != TrackStatus::kTentative || next != TrackStatus::kConfirmed) return {next, false, false};
  if (speed_mps > cfg.confirm_max_speed_mps && hits < cfg.confirm_hits_fast)
    return {TrackStatus::kTentative, true, false};
  if (speed_sigma_mps > cfg.confirm_max_velocity_sigma_mps)
    return {TrackStatus::kTentative, false, true};
  return {next, false, false};
}

Confirmation confirm(const TrackRecord& t, const TrackerConfig& cfg) {
  return confirm(t.status, t.hits, identity_evidence(t), t.score,
                 t.imm.state().segment<2>(2).norm(), cfg,
                 std::sqrt(t.imm.covariance(2, 2) + t.imm.covariance(3, 3)));
}

Verdict silence_verdict(TrackStatus s, double silent_s, double interval_s,
                        const TrackerConfig& cfg) {
  if (s == TrackStatus::kDeleted) return Verdict::kDelete;
  if (s == TrackStatus::kTentative)
    return silent_s > cfg.tentative_miss_factor * interval_s ? Verdict::kDelete : Verdict::kKeep;
  // Fast-updating sensors (drone radar, Remote ID, ADS-B) lose a target
  // sooner: `delete_after_intervals` missed intervals (6), but never fewer than 3.5 nor more than
  // `delete_after_s` unless a slow radar needs 3.5 of its scans.
  const double limit =
      std::max(std::min(cfg.delete_after_s, cfg.delete_after_intervals * interval_s),
               cfg.delete_min_intervals * interval_s);
  if (silent_s > limit) return Verdict::kDelete;
  if (silent_s > cfg.coast_factor * interval_s) return Verdict::kCoast;
  return Verdict::kKeep;
}

std::uint32_t Initiator::initiate(const Prepared& p) {
  const Report& r = *p.report;
  const std::uint32_t slot = table_.create();
  TrackRecord& t = table_[slot];
  t.time = r.time;
  // Horizontal: the reported position (and velocity), the rest unknown.
  estimation::StateVec x0 = estimation::StateVec::Zero();
  estimation::StateCov p0 = estimation::StateCov::Zero();
  x0.head<2>() = p.xy;
  p0.topLeftCorner<2, 2>() = p.cov;
  if (p.velocity) {
    const double se = cfg_.initial_velocity_extra_sigma_mps;
    x0.segment<2>(2) = *p.velocity;
    p0.block<2, 2>(2, 2) = p.velocity_cov + Eigen::Matrix2d::Identity() * (se * se);
  } else {
    const double sv = cfg_.initial_speed_sigma_mps;
    p0(2, 2) = p0(3, 3) = sv * sv;
  }
  p0(4, 4) = p0(5, 5) = cfg_.initial_accel_sigma_mps2 * cfg_.initial_accel_sigma_mps2;
  p0(6, 6) = cfg_.initial_turn_rate_sigma_radps * cfg_.initial_turn_rate_sigma_radps;
  t.imm = estimation::Imm(cfg_.imm, x0, p0);
  // Vertical: the reported height, else the default; the offset from the model.
  const double b0 = p.baro_m        ? offsets_.offset_m(*p.baro_m)
                    : p.geometric_h ? offsets_.offset_m(*p.geometric_h)
                                    : offsets_.offset_m(cfg_.default_height_m);
  const double var_b = p.baro_m ? offsets_.variance_m2(*p.baro_m)
                                : cfg_.unknown_offset_sigma_m * cfg_.unknown_offset_sigma_m;
  double h = cfg_.default_height_m,
         var_h = cfg_.default_height_sigma_m * cfg_.default_height_sigma_m;
  if (p.geometric_h) {
    h = *p.geometric_h;
    var_h = p.geometric_var;
  } else if (p.baro_m) {
    h = *p.baro_m + b0;
    var_h = p.baro_var + var_b;
  }
  t.vert = estimation::VerticalFilter(cfg_.vertical, h, var_h, b0, var_b);
  if (p.vertical_rate)
    t.vert.update_rate(*p.vertical_rate,
                       cfg_.vertical_rate_sigma_mps * cfg_.vertical_rate_sigma_mps);
  if (p.geometric_h && p.baro_m) t.vert.update_baro(*p.baro_m, p.baro_var);
  t.seen_geometric = p.geometric_h.has_value();
  t.seen_baro = p.baro_m.has_value();
  // Status, identity, sensors.
  t.status = TrackStatus::kTentative;
  t.hits = 1;
  t.first_update = t.last_update = r.time;
  if (is_reference(r.sensor_kind)) t.last_reference = r.time;
  t.identity = r.identity;
  t.operator_position = r.operator_position;
  t.identity_hits = t.identified() ? 1 : 0;
  t.score = t.identified() ? cfg_.address_prior_score : 0.0;
  t.sensors.emplace_back(r.sensor, r.time);
  t.interval_s = p.sensor->interval_s;
  if (p.polar) t.last_radar = r.sensor;
  // A radar reply with an address no track has is as unexplained as an
  // anonymous plot (garbled and false Mode S replies carry one): both count.
  sensors_.note_initiation(r.sensor, r.time,
                           p.polar || (!r.identity.icao24 && r.identity.remote_id.empty()), p.xy);
  t.evidence.has_transponder = r.identity.icao24 || r.identity.mode3a || r.baro_alt_m;
  t.evidence.has_remote_id =
      !r.identity.remote_id.empty() || r.sensor_kind == SensorKind::kRemoteId;
  t.evidence.drone_sensors_only = is_drone_sensor(r.sensor_kind);
  t.evidence.emitter_category = r.identity.emitter_category;
  // Number: an address seen recently keeps the number it had.
  t.number = table_.number_for(r.identity, r.time);
  if (r.identity.icao24 && !table_.bind_address(slot)) ++stats_.duplicate_identities;
  if (!r.identity.remote_id.empty()) table_.bind_serial(slot);
  table_.moved(slot);
  ++stats_.initiated;
  ++stats_.live_tracks;
  stats_.max_live_tracks = std::max(stats_.max_live_tracks, stats_.live_tracks);
  return slot;
}

}  // namespace skyfuse::tracking
