#include "tracking/merge.hpp"

#include <Eigen/Cholesky>
#include <cmath>
#include <numbers>

namespace skyfuse::tracking {

namespace {
double wrap_pi(double a) { return std::remainder(a, 2 * std::numbers::pi); }
}  // namespace

bool DuplicateMerger::shadows(const TrackTable& table, std::uint32_t slot, Time at) const {
  const TrackRecord& a = table[slot];
  const GatePrediction ga = gate_.predict(a, at);
  bool shadow = false;
  table.query(ga.xy, cfg_.merge_radius_m, [&](std::uint32_t other) {
    if (shadow || other == slot) return;
    {
      const TrackSummary& g = table.summary(other);
      if (!g.alive || g.status == TrackStatus::kTentative) return;
      // cheap first test: b's position, moved at its velocity, within the radius
      if (g.distance2(at, ga.xy) > cfg_.merge_radius_m * cfg_.merge_radius_m) return;
    }
    const TrackRecord& b = table[other];
    // Keep the identified track, else the older one (lower number on ties).
    const bool b_canonical = b.in_icao_map || b.in_rid_map;
    if (!b_canonical && (b.first_update > a.first_update ||
                         (b.first_update == a.first_update && b.number > a.number)))
      return;
    if (a.identity.icao24 && b.identity.icao24 && *a.identity.icao24 != *b.identity.icao24) return;
    if (!a.identity.remote_id.empty() && !b.identity.remote_id.empty() &&
        a.identity.remote_id != b.identity.remote_id)
      return;
    const GatePrediction gb = gate_.predict(b, at);
    if (!a.height_known() && b.height_known() && a.last_radar != 0) {
      // a's plots were placed at a guessed height: compare where the radar
      // sees both (slant range and azimuth), where the guess does not matter.
      const SensorInfo& si = sensors_.at(a.last_radar);
      if (!si.radar) return;
      const geo::Polar pa =
          si.radar->forward(frame_.from_plane(ga.xy, Gate::predicted_height(a, at)));
      const geo::Polar pb =
          si.radar->forward(frame_.from_plane(gb.xy, Gate::predicted_height(b, at)));
      const double dr = std::abs(pa.range_m - pb.range_m);
      const double dc = std::abs(wrap_pi(pa.azimuth_rad - pb.azimuth_rad)) * pb.range_m;
      if (dr > cfg_.merge_polar_sigmas * si.sensor.sigma_range_m + cfg_.merge_polar_margin_m ||
          dc > cfg_.merge_polar_sigmas * si.sensor.sigma_azimuth_rad * pb.range_m +
                   cfg_.merge_polar_margin_m)
        return;
      if (std::abs(a.imm.state().segment<2>(2).norm() - b.imm.state().segment<2>(2).norm()) >
          cfg_.merge_polar_speed_mps)
        return;
      shadow = true;
      return;
    }
    const Eigen::Matrix2d s = ga.cov + gb.cov;
    Eigen::LLT<Eigen::Matrix2d> llt(s);
    if (llt.info() != Eigen::Success) return;
    const Eigen::Vector2d d = ga.xy - gb.xy;
    const double dd = d.dot(llt.solve(d));
    if (a.identity.mode3a && b.identity.mode3a && *a.identity.mode3a == *b.identity.mode3a &&
        discrete_code(*a.identity.mode3a) && !a.identity.icao24 &&
        (dd < cfg_.merge_code_nis || d.norm() < cfg_.merge_code_distance_m)) {
      shadow = true;
      return;
    }
    if (dd > cfg_.merge_nis && d.norm() > cfg_.merge_distance_m) return;
    if ((a.imm.state().segment<2>(2) - b.imm.state().segment<2>(2)).norm() >
        cfg_.merge_velocity_mps)
      return;
    if ((a.seen_baro || a.seen_geometric) && (b.seen_baro || b.seen_geometric) &&
        std::abs(Gate::predicted_height(a, at) - Gate::predicted_height(b, at)) >
            cfg_.merge_height_m)
      return;
    shadow = true;
  });
  return shadow;
}

void DuplicateMerger::check(TrackTable& table, Time at,
                            absl::FunctionRef<void(std::uint32_t)> merge) const {
  for (std::uint32_t slot = 0; slot < table.slots(); ++slot) {
    {
      const TrackSummary& g = table.summary(slot);
      if (!g.alive || g.status == TrackStatus::kTentative) continue;
      // The canonical track of an address or serial is never the shadow.
      if (g.canonical) continue;
    }
    const bool shadow = shadows(table, slot, at);
    TrackRecord& a = table[slot];
    a.merge_count = shadow ? a.merge_count + 1 : 0;
    if (a.merge_count >= cfg_.merge_checks) merge(slot);
  }
}

}  // namespace skyfuse::tracking
