#include "tracking/spoof_check.hpp"

#include <algorithm>
#include <cmath>

namespace skyfuse::tracking {

namespace {
constexpr std::size_t kMaxSerials = 4096;  // the oldest is forgotten beyond this
constexpr std::size_t kMaxSamples = 512;   // per deque: a flood of reports stays bounded
constexpr std::size_t kMaxPlaces = 8;

// How much each reason alone says (docs/tracking.md): several combine as
// independent evidence, 1 - prod(1 - c).
double weight(SpoofReason r) {
  switch (r) {
    case SpoofReason::kTwoPlaces:
      return 0.9;
    case SpoofReason::kImpossibleJump:
      return 0.8;
    case SpoofReason::kOutOfReceptionRange:
      return 0.7;
    case SpoofReason::kSpeedMismatch:
    case SpoofReason::kNoRadarConfirmation:
      return 0.6;
    case SpoofReason::kRssiConstant:
    case SpoofReason::kTimeInconsistent:
      return 0.5;
  }
  return 0.5;
}

template <class D>
void bound(D& d) {
  while (d.size() > kMaxSamples) d.pop_front();
}
}  // namespace

SpoofChecker::SpoofChecker(const SpoofConfig& cfg, bool has_remote_id)
    : cfg_(cfg), active_(cfg.enabled && has_remote_id) {}

void SpoofChecker::flag(Uas& u, SpoofReason why) const {
  u.verdict.reasons |= spoof_bit(why);
  // Two transmitters explain the jump: it is not reported as well.
  if ((u.verdict.reasons & spoof_bit(SpoofReason::kTwoPlaces)) != 0)
    u.verdict.reasons &= static_cast<std::uint16_t>(~spoof_bit(SpoofReason::kImpossibleJump));
  double clear = 1;
  for (std::size_t k = 0; k < kSpoofReasonCount; ++k) {
    const auto r = static_cast<SpoofReason>(k);
    if ((u.verdict.reasons & spoof_bit(r)) != 0) clear *= 1 - weight(r);
  }
  u.verdict.confidence = 1 - clear;
}

void SpoofChecker::radar_plot(const SensorInfo& radar, const Eigen::Vector2d& xy, double h,
                              Time t) {
  if (!active_ || radar.sensor.kind != SensorKind::kDroneRadar) return;
  Radar& r = radars_[radar.sensor.id];
  if (r.info == nullptr) {
    r.info = &radar;
    r.reach_m = radar.sensor.max_range_m * std::pow(std::max(cfg_.radar_uav_rcs_m2, 1e-9), 0.25);
  }
  r.plots.push_back({t, xy, h});
  // Kept long enough for the pending claims (evaluate() runs each second).
  const double keep_s = 4 * radar.interval_s + 5;
  while (!r.plots.empty() && (t - r.plots.front().t).seconds() > keep_s) r.plots.pop_front();
  while (r.plots.size() > 16 * kMaxSamples) r.plots.pop_front();
}

void SpoofChecker::forget_oldest() {
  auto oldest = uas_.begin();
  for (auto it = uas_.begin(); it != uas_.end(); ++it)
    if (it->second.last_seen < oldest->second.last_seen) oldest = it;
  uas_.erase(oldest);
}

void SpoofChecker::remote_id(const SensorInfo& receiver, const std::string& serial,
                             const Eigen::Vector2d& xy, double h, Time t, const Report& r) {
  if (!active_ || serial.empty()) return;
  auto it = uas_.find(serial);
  if (it == uas_.end()) {
    if (uas_.size() >= kMaxSerials) forget_oldest();
    it = uas_.emplace(serial, Uas{}).first;
  }
  Uas& u = it->second;
  u.last_seen = std::max(u.last_seen, t);

  check_places(u, xy, t, r);

  const double dz = h - receiver.sensor.site.alt_m;
  const double range_m = std::hypot((xy - receiver.site_xy).norm(), dz);
  if (cfg_.reception_range_factor > 0 && receiver.sensor.max_range_m > 0 &&
      range_m > cfg_.reception_range_factor * receiver.sensor.max_range_m)
    flag(u, SpoofReason::kOutOfReceptionRange);
  if (r.rssi_dbm) check_rssi(u, receiver.sensor.id, range_m, t, *r.rssi_dbm);
  if (r.clock_offset_s) check_clock(u, t, *r.clock_offset_s);
  if (!radars_.empty()) {
    u.pending.push_back({t, xy, h});
    bound(u.pending);
  }
}

void SpoofChecker::check_places(Uas& u, const Eigen::Vector2d& xy, Time t, const Report& r) const {
  std::erase_if(u.places,
                [&](const Place& p) { return (t - p.last).seconds() > cfg_.place_memory_s; });
  // The place this report continues: reachable from its last position.
  Place* match = nullptr;
  double best = 0;
  for (Place& p : u.places) {
    const double d = (xy - p.xy).norm();
    const double reach =
        cfg_.max_uav_speed_mps * std::abs((t - p.last).seconds()) + cfg_.place_slack_m;
    if (d <= reach && (match == nullptr || d < best)) {
      match = &p;
      best = d;
    }
  }
  if (match == nullptr) {
    if (u.places.size() >= kMaxPlaces)
      u.places.erase(
          std::min_element(u.places.begin(), u.places.end(),
                           [](const Place& a, const Place& b) { return a.last < b.last; }));
    const Place* latest = nullptr;
    for (const Place& q : u.places)
      if (latest == nullptr || q.last > latest->last) latest = &q;
    Place p;
    p.first = t;
    p.last = t;
    p.number = u.next_place++;
    if (latest != nullptr) p.jumped_from = latest->number;
    u.places.push_back(std::move(p));
    match = &u.places.back();
  } else if (match->reports >= 2) {
    // Another place heard since this one began (and more than once: not a
    // single glitch) while this one is heard again: two places at once.
    for (const Place& q : u.places)
      if (&q != match && q.reports >= 2 && q.last >= match->first) {
        flag(u, SpoofReason::kTwoPlaces);
        break;
      }
  }
  Place& p = *match;
  p.xy = xy;
  p.last = std::max(p.last, t);
  ++p.reports;
  p.history.push_back({t, xy,
                       r.velocity_enu_mps
                           ? std::optional<Eigen::Vector2d>(r.velocity_enu_mps->head<2>())
                           : std::nullopt});
  bound(p.history);
  if (p.jumped_from && p.reports >= cfg_.jump_confirm_reports) {
    // Stayed at the new place: the old one was left by a jump unless it is
    // still heard (then two_places, above).
    const auto old = std::find_if(u.places.begin(), u.places.end(),
                                  [&](const Place& q) { return q.number == *p.jumped_from; });
    if (old == u.places.end() || old->last < p.first) flag(u, SpoofReason::kImpossibleJump);
    p.jumped_from.reset();
  }
  check_speed(u, p, t);
}

void SpoofChecker::check_speed(Uas& u, Place& p, Time t) const {
  // Drop what the window no longer needs (keep one sample at or before its start).
  while (p.history.size() > 2 && (t - p.history[1].t).seconds() >= cfg_.speed_window_s)
    p.history.pop_front();
  const Sample& a = p.history.front();
  const Sample& b = p.history.back();
  const double dt = (b.t - a.t).seconds();
  if (dt < cfg_.speed_window_s) return;
  Eigen::Vector2d mean = Eigen::Vector2d::Zero();
  int n = 0;
  for (const Sample& s : p.history) {
    if (!s.velocity) continue;
    mean += *s.velocity;
    ++n;
  }
  if (n < 2) return;
  mean /= n;
  const Eigen::Vector2d implied = (b.xy - a.xy) / dt;
  const double tol = std::max(cfg_.speed_tolerance_mps, cfg_.speed_tolerance_fraction *
                                                            std::max(mean.norm(), implied.norm()));
  if ((mean - implied).norm() <= tol) {
    p.mismatch_since.reset();
    return;
  }
  if (!p.mismatch_since) p.mismatch_since = t;
  if ((t - *p.mismatch_since).seconds() >= cfg_.speed_sustain_s)
    flag(u, SpoofReason::kSpeedMismatch);
}

void SpoofChecker::check_rssi(Uas& u, SensorId receiver, double range_m, Time t,
                              double rssi) const {
  if (range_m < cfg_.rssi_min_range_m) return;
  auto& d = u.rssi[receiver];
  d.push_back({t, std::log10(range_m), rssi});
  while (!d.empty() && (t - d.front().t).seconds() > cfg_.rssi_window_s) d.pop_front();
  bound(d);
  if (static_cast<int>(d.size()) < cfg_.rssi_min_samples) return;
  double lo = d.front().log_range, hi = lo, mx = 0, my = 0;
  for (const RssiSample& s : d) {
    lo = std::min(lo, s.log_range);
    hi = std::max(hi, s.log_range);
    mx += s.log_range;
    my += s.rssi_dbm;
  }
  if (hi - lo < std::log10(cfg_.rssi_min_range_ratio)) return;
  const double n = static_cast<double>(d.size());
  mx /= n;
  my /= n;
  double sxx = 0, sxy = 0;
  for (const RssiSample& s : d) {
    sxx += (s.log_range - mx) * (s.log_range - mx);
    sxy += (s.log_range - mx) * (s.rssi_dbm - my);
  }
  if (sxx <= 0) return;
  const double slope = sxy / sxx;  // dB per decade of range
  if (slope > -cfg_.rssi_max_slope_db_per_decade) flag(u, SpoofReason::kRssiConstant);
}

void SpoofChecker::check_clock(Uas& u, Time t, double offset_s) const {
  if (std::abs(offset_s) > cfg_.max_clock_offset_s) {
    flag(u, SpoofReason::kTimeInconsistent);
    return;
  }
  u.clock.emplace_back(t, offset_s);
  while (!u.clock.empty() && (t - u.clock.front().first).seconds() > cfg_.clock_window_s)
    u.clock.pop_front();
  bound(u.clock);
  const auto [lo, hi] =
      std::minmax_element(u.clock.begin(), u.clock.end(),
                          [](const auto& a, const auto& b) { return a.second < b.second; });
  if (hi->second - lo->second > cfg_.max_clock_spread_s) flag(u, SpoofReason::kTimeInconsistent);
}

void SpoofChecker::confirm(Uas& u, const Claim& c) {
  for (auto& [id, radar] : radars_) {
    const SensorInfo& s = *radar.info;
    const double range = std::hypot((c.xy - s.site_xy).norm(), c.h - s.sensor.site.alt_m);
    if (range < cfg_.radar_min_range_m || range > radar.reach_m) continue;
    // The scan that covers the claim: plots within one interval of it.
    const double scan = s.interval_s;
    bool others = false, near = false;
    for (const Plot& p : radar.plots) {
      if (std::abs((p.t - c.t).seconds()) > scan) continue;
      if ((p.xy - c.xy).norm() <= cfg_.radar_confirm_distance_m) {
        near = true;
        break;
      }
      others = true;
    }
    if (!near && !others) continue;  // the radar saw nothing at all then: no evidence
    auto& w = u.radar[id];
    w.emplace_back(c.t, near);
    while (!w.empty() && (c.t - w.front().first).seconds() > cfg_.radar_window_s) w.pop_front();
    bound(w);
    if (static_cast<int>(w.size()) < cfg_.radar_min_samples) continue;
    const auto seen = std::count_if(w.begin(), w.end(), [](const auto& e) { return e.second; });
    if (static_cast<double>(seen) < cfg_.radar_min_fraction * static_cast<double>(w.size()))
      flag(u, SpoofReason::kNoRadarConfirmation);
  }
}

void SpoofChecker::evaluate(Time now, bool all) {
  if (!active_ || radars_.empty()) return;
  double wait_s = 0;
  for (const auto& [id, r] : radars_) wait_s = std::max(wait_s, 1.5 * r.info->interval_s);
  for (auto& [serial, u] : uas_) {
    while (!u.pending.empty() && (all || (now - u.pending.front().t).seconds() >= wait_s)) {
      confirm(u, u.pending.front());
      u.pending.pop_front();
    }
  }
}

const SpoofVerdict* SpoofChecker::verdict(const std::string& serial) const {
  if (!active_ || serial.empty()) return nullptr;
  const auto it = uas_.find(serial);
  if (it == uas_.end() || it->second.verdict.reasons == 0) return nullptr;
  return &it->second.verdict;
}

}  // namespace skyfuse::tracking
