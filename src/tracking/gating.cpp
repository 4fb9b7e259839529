#include "tracking/gating.hpp"

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>

namespace skyfuse::tracking {

bool discrete_code(std::uint16_t code) {
  switch (code) {
    case 01000:
    case 02000:
    case 07000:
    case 01200:
    case 00000:
    case 07500:
    case 07600:
    case 07700:
      return false;
    default:
      return true;
  }
}

namespace {
// A discrete Mode 3/A code shared by plot and track.
bool discrete_code_match(const Prepared& p, const TrackRecord& t) {
  const auto& a = p.report->identity.mode3a;
  if (!a || !t.identity.mode3a || *a != *t.identity.mode3a) return false;
  return discrete_code(*a);
}

// A new track with an address or Mode 3/A code and a single reply has an
// unknown velocity, so its gate is kilometres wide: in a busy terminal area a
// plot without any identity or altitude (PSR) inside it is as likely another
// aircraft's or clutter, and taking it would drag the track off its own next
// reply. It waits for a report that carries identity or altitude.
bool takes_anonymous(const TrackRecord& t, const Prepared& p) {
  if (t.status != TrackStatus::kTentative || t.hits >= 2) return true;
  if (!t.identity.icao24 && !t.identity.mode3a) return true;
  const Identity& id = p.report->identity;
  return id.icao24 || id.mode3a || p.baro_m || p.geometric_h;
}

bool contains(const std::vector<std::uint32_t>& v, std::uint32_t x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}
}  // namespace

void Gate::by_identity(std::span<const Prepared> prepared, const TrackTable& table,
                       GateResult& result, TrackerStats& stats,
                       absl::FunctionRef<void(std::uint32_t, Time)> restart) const {
  const int n = static_cast<int>(prepared.size());
  result.direct.assign(n, -1);
  result.candidates.clear();
  result.identity_slots.clear();
  result.identity_by.clear();
  for (int i = 0; i < n; ++i) {
    const Prepared& p = prepared[i];
    const std::optional<std::uint32_t> slot = table.find(p.report->identity);
    if (!slot) continue;
    const TrackRecord& t = table[*slot];
    const std::optional<double> d2 = nis(p, t, cfg_.identity_gate_nis);
    const auto taken = std::find(result.identity_slots.begin(), result.identity_slots.end(), *slot);
    if (taken != result.identity_slots.end()) {
      // Two reports of one address in a batch (a split plot, a duplicate
      // reply): the closer one updates the track, the other goes through
      // gating (and is usually found to be a split plot).
      auto& [by, by_d2] =
          result.identity_by[static_cast<std::size_t>(taken - result.identity_slots.begin())];
      if (d2 && *d2 < by_d2) {
        result.direct[by] = -1;
        result.direct[i] = static_cast<int>(*slot);
        by = i;
        by_d2 = *d2;
      }
      continue;
    }
    if (d2) {
      result.direct[i] = static_cast<int>(*slot);
      result.identity_slots.push_back(*slot);
      result.identity_by.emplace_back(i, *d2);
      ++stats.identity_associated;
    } else {
      ++stats.identity_conflicts;
      // A track silent for several intervals has lost its aircraft: restart it here.
      if ((p.report->time - t.last_update).seconds() >
          cfg_.identity_restart_intervals * t.interval_s)
        restart(*slot, p.report->time);
    }
  }
}

void Gate::by_position(std::span<const Prepared> prepared, const TrackTable& table,
                       GateResult& result) const {
  const int n = static_cast<int>(prepared.size());
  for (int i = 0; i < n; ++i) {
    if (result.direct[i] >= 0) continue;
    const Prepared& p = prepared[i];
    const Time at = p.report->time;
    // (A plot without height sits at the default height; its position for
    // a track may lie kilometres away, so it searches wider and only the
    // exact gate decides.)
    const double radius = p.needs_height ? cfg_.search_radius_2d_m : cfg_.search_radius_m;
    table.query(p.xy, radius, [&](std::uint32_t slot) {
      const TrackSummary& g = table.summary(slot);
      if (!g.alive) return;
      if (!p.needs_height) {  // cheap distance test first
        if (g.distance2(at, p.xy) > std::pow(search_radius(g, at), 2)) return;
      }
      const TrackRecord& t = table[slot];
      if (contains(result.identity_slots, slot)) return;
      if (!takes_anonymous(t, p)) return;
      const std::optional<double> penalty = compatibility(p, t);
      if (!penalty) return;
      // A shared discrete Mode 3/A code widens the gate (identity-aided).
      const bool code = discrete_code_match(p, t);
      auto d2 = nis(p, t, code ? cfg_.discrete_code_gate_factor * cfg_.gate_nis : cfg_.gate_nis);
      if (!d2) return;
      double cost = std::max(std::min(*d2, cfg_.gate_nis) + *penalty, 0.0);
      // Prefer established tracks over tentative ones at equal distance, and
      // for a plot without height, a track that knows its height (the plot's
      // position is then exact, not guessed at the default height).
      if (t.status == TrackStatus::kTentative) cost += cfg_.tentative_cost;
      if (p.needs_height && !t.height_known()) cost += cfg_.unknown_height_cost;
      result.candidates.push_back({i, static_cast<int>(slot), cost});
    });
  }
}

// Constant-acceleration extrapolation of the combined estimate, F = [I, dt I,
// dt^2/2 I] on (p, v, a), written out: F P F' on 2x2 blocks.
GatePrediction Gate::predict(const TrackRecord& t, Time at) const {
  const double dt = (at - t.time).seconds();
  const double h = 0.5 * dt * dt;
  const estimation::StateVec& x = t.imm.state();
  const auto block = [&](int r, int c) {
    Eigen::Matrix2d b;
    b << t.imm.covariance(r, c), t.imm.covariance(r, c + 1), t.imm.covariance(r + 1, c),
        t.imm.covariance(r + 1, c + 1);
    return b;
  };
  GatePrediction g;
  g.xy = x.head<2>() + dt * x.segment<2>(2) + h * x.segment<2>(4);
  const Eigen::Matrix2d pp = block(0, 0), pv = block(0, 2), pa = block(0, 4), vv = block(2, 2),
                        va = block(2, 4), aa = block(4, 4);
  const double q = cfg_.gate_accel_mps2 * h;
  g.cov = pp + dt * (pv + pv.transpose()) + h * (pa + pa.transpose()) + (dt * dt) * vv +
          (dt * h) * (va + va.transpose()) + (h * h) * aa;
  g.cov.diagonal().array() += q * q + 1.0;
  return g;
}

std::optional<double> Gate::compatibility(const Prepared& p, const TrackRecord& t) const {
  const Identity& a = p.report->identity;
  if (a.icao24 && t.identity.icao24 && *a.icao24 != *t.identity.icao24) return std::nullopt;
  if (!a.remote_id.empty() && !t.identity.remote_id.empty() && a.remote_id != t.identity.remote_id)
    return std::nullopt;
  double penalty = 0;
  if (a.mode3a && t.identity.mode3a && *a.mode3a != *t.identity.mode3a)
    penalty += cfg_.mode3a_mismatch_cost;
  if (discrete_code_match(p, t)) penalty -= cfg_.discrete_code_bonus;
  if (p.baro_m && (t.seen_baro || t.seen_geometric)) {
    const double d2 = t.vert.nis_baro(*p.baro_m, p.baro_var);
    if (d2 > cfg_.height_gate_nis &&
        std::abs(*p.baro_m - (t.vert.height() - t.vert.offset())) > cfg_.baro_height_gate_m)
      return std::nullopt;
  }
  if (p.geometric_h && (t.seen_baro || t.seen_geometric)) {
    const double d2 = t.vert.nis_geometric(*p.geometric_h, p.geometric_var);
    if (d2 > cfg_.height_gate_nis &&
        std::abs(*p.geometric_h - t.vert.height()) > cfg_.geometric_height_gate_m)
      return std::nullopt;
  }
  return penalty;
}

std::optional<PlaneMeasurement> Gate::measurement_for(const Prepared& p, const TrackRecord& t,
                                                      Time at, bool with_slope) const {
  PlaneMeasurement m;
  if (!p.needs_height || !(t.seen_baro || t.seen_geometric || t.hits >= 2)) {
    m.xy = p.xy;
    m.cov = p.cov;
    return m;
  }
  Prepared q = p;
  const double h = predicted_height(t, at);
  if (!preparer_.place(*p.sensor, q, h, t.vert.covariance()(0, 0))) return std::nullopt;
  m.xy = q.xy;
  m.cov = q.cov;
  if (with_slope) {
    const double dh = h - p.sensor->sensor.site.alt_m;
    const double ground = std::sqrt(std::max(p.range_m * p.range_m - dh * dh, 1.0));
    Eigen::Vector2d u = q.xy - p.sensor->site_xy;
    if (u.norm() > 1) m.dxy_dh = -(dh / ground) * u.normalized();
  }
  return m;
}

std::optional<double> Gate::report_height(const Prepared& p) const {
  if (p.geometric_h) return *p.geometric_h;
  if (p.baro_m) return *p.baro_m + offsets_.offset_m(*p.baro_m);
  return std::nullopt;
}

Eigen::Vector2d Gate::at_height(const TrackRecord& t, const Eigen::Vector2d& xy, double h_now,
                                double h) const {
  if (t.last_radar == 0) return xy;
  const SensorInfo& si = sensors_.at(t.last_radar);
  if (!si.radar) return xy;
  const geo::Polar z = si.radar->forward(frame_.from_plane(xy, h_now));
  const auto g = si.radar->reverse_with_height(z.range_m, z.azimuth_rad, h);
  if (!g) return xy;
  return frame_.to_plane(g->lat_deg, g->lon_deg).xy;
}

std::optional<double> Gate::nis(const Prepared& p, const TrackRecord& t, double limit) const {
  const Time at = p.report->time;
  GatePrediction g = predict(t, at);
  if (!t.height_known())
    if (const auto h = report_height(p)) g.xy = at_height(t, g.xy, predicted_height(t, at), *h);
  const std::optional<PlaneMeasurement> m = measurement_for(p, t, at);
  if (!m) return std::nullopt;
  const Eigen::Matrix2d s = g.cov + m->cov;
  Eigen::LLT<Eigen::Matrix2d> llt(s);
  if (llt.info() != Eigen::Success) return std::nullopt;
  const Eigen::Vector2d nu = m->xy - g.xy;
  if (nu.squaredNorm() > std::pow(search_radius(t, at), 2)) return std::nullopt;
  const double d2 = nu.dot(llt.solve(nu));
  if (!(d2 < limit)) return std::nullopt;
  return d2;
}

// Five sigmas of position and velocity, the manoeuvre allowance, 2 km (the
// defaults), never beyond max_gate_m.
double Gate::search_radius(double sigma_pos_m, double sigma_vel_mps, Time from, Time at) const {
  const double dt = std::abs((at - from).seconds());
  return std::min(cfg_.search_radius_sigmas * (sigma_pos_m + sigma_vel_mps * dt) +
                      0.5 * cfg_.gate_accel_mps2 * dt * dt + cfg_.search_radius_margin_m,
                  cfg_.max_gate_m);
}

double Gate::search_radius(const TrackRecord& t, Time at) const {
  const estimation::Imm& f = t.imm;
  return search_radius(std::sqrt(f.covariance(0, 0) + f.covariance(1, 1)),
                       std::sqrt(f.covariance(2, 2) + f.covariance(3, 3)), t.time, at);
}

int Gate::radars_feeding(const TrackRecord& t, Time at) const {
  int n = 0;
  for (const auto& [sid, when] : t.sensors)
    if ((at - when).seconds() < cfg_.sensor_memory_s && sensors_.at(sid).radar) ++n;
  return n;
}

}  // namespace skyfuse::tracking
