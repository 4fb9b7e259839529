// File: live/track_merge.cpp
#include "live/track_merge.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "io/jsonl.hpp"

namespace skyfuse::live {

namespace {

constexpr double kEarthRadiusM = 6371008.8;
constexpr double kDeg = std::numbers::pi / 180;
constexpr double kForgetS = 600;                  // a system track silent this long is forgotten
constexpr std::size_t kMaxHeld = 200'000;         // lines held at most ...
constexpr std::size_t kMaxHeldBytes = 64u << 20;  // ... and bytes (then the oldest go out)
constexpr std::size_t kMaxSystems = 100'000;      // system tracks known at most
constexpr double kMaxJumpS = 3600;  // a line this far ahead of every region's latest is refused
constexpr double kVelocityGateMps = 60;  // a track without an address: speeds must agree

}  // namespace

TrackMerger::TrackMerger(std::vector<std::string> regions, double handover_s, double gate_m,
                         double lag_s)
    : regions_(std::move(regions)),
      handover_s_(handover_s),
      gate_m_(gate_m),
      lag_s_(lag_s),
      latest_us_(regions_.size()),
      ended_(regions_.size(), false) {}

void TrackMerger::push(std::size_t region, std::string_view text, const Out& out) {
  ++counts_.lines_in;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  auto parsed = io::parse_state(text);
  if (region >= regions_.size() || !parsed || parsed.value().id.empty()) {
    ++counts_.bad;
    return;
  }
  const ObjectState& s = parsed.value();
  Line l;
  l.text.assign(text);
  l.id = s.id;
  l.icao24 = s.identity.icao24;
  l.time_s = s.time.seconds();
  l.lat_deg = s.position.lat_deg;
  l.lon_deg = s.position.lon_deg;
  l.ve_mps = s.velocity_enu_mps.x();
  l.vn_mps = s.velocity_enu_mps.y();
  l.deleted = s.status == TrackStatus::kDeleted;
  if (!std::isfinite(l.time_s) || std::abs(l.time_s) > 1e11) {
    ++counts_.bad;
    return;
  }
  // No line may move the merge's time implausibly: beyond the caller's limit
  // (the wall clock), or an hour past every region's latest.
  std::optional<std::int64_t> reference;
  for (const auto& r : latest_us_)
    if (r) reference = reference ? std::max(*reference, *r) : *r;
  if ((time_limit_s_ && l.time_s > *time_limit_s_) ||
      (reference && l.time_s * 1e6 > static_cast<double>(*reference) + kMaxJumpS * 1e6)) {
    ++counts_.implausible;
    return;
  }
  // A region's time never goes back in the merge's order.
  std::int64_t t = std::llround(l.time_s * 1e6);
  if (latest_us_[region]) t = std::max(t, *latest_us_[region]);
  latest_us_[region] = t;
  max_us_ = std::max(max_us_, t);
  held_bytes_ += l.text.size();
  pending_.emplace(Key{t, region, arrival_++}, std::move(l));
  drain(out);
}

void TrackMerger::drain(const Out& out) {
  std::optional<std::int64_t> all = std::numeric_limits<std::int64_t>::max();
  for (std::size_t i = 0; i < latest_us_.size(); ++i) {
    if (ended_[i]) continue;
    const auto& r = latest_us_[i];
    if (!r) {
      all.reset();
      break;
    }
    all = std::min(*all, *r);
  }
  const std::int64_t lag_us = std::llround(lag_s_ * 1e6);
  while (!pending_.empty()) {
    const auto it = pending_.begin();
    const std::int64_t t = std::get<0>(it->first);
    const bool complete = all && t < *all;
    if (!complete && t >= max_us_ - lag_us && pending_.size() <= kMaxHeld &&
        held_bytes_ <= kMaxHeldBytes)
      break;
    if (!complete) ++counts_.forced;
    release(it->second, std::get<1>(it->first), out);
    held_bytes_ -= it->second.text.size();
    pending_.erase(it);
  }
}

void TrackMerger::end(std::size_t region, const Out& out) {
  if (region < ended_.size()) ended_[region] = true;
  drain(out);
}

void TrackMerger::release_through(std::int64_t time_us, const Out& out) {
  while (!pending_.empty() && std::get<0>(pending_.begin()->first) <= time_us) {
    ++counts_.forced;
    release(pending_.begin()->second, std::get<1>(pending_.begin()->first), out);
    held_bytes_ -= pending_.begin()->second.text.size();
    pending_.erase(pending_.begin());
  }
}

void TrackMerger::flush(const Out& out) {
  for (const auto& [k, l] : pending_) release(l, std::get<1>(k), out);
  pending_.clear();
  held_bytes_ = 0;
}

std::optional<std::string> TrackMerger::continues(const Line& l, std::size_t region) const {
  std::optional<std::string> best;
  double best_d = std::numeric_limits<double>::infinity();
  for (const auto& [number, s] : systems_) {
    const double dt = l.time_s - s.last_s;
    if (dt > handover_s_ || dt < -handover_s_) continue;
    if (l.icao24 && s.icao24) {
      if (*l.icao24 != *s.icao24) continue;
      // The same address: the same aircraft, even from the same region (its
      // tracker's duplicate, or the aircraft found again after its track
      // ended, as the single process keeps its number); the lowest if two.
      if (best_d > -1 || number < *best) {
        best = number;
        best_d = -1;
      }
      continue;
    }
    if (best_d < 0 || s.deleted || s.holder == region) continue;  // an address match wins
    const double lat = s.lat_deg + s.vn_mps * dt / kEarthRadiusM / kDeg;
    const double lon =
        s.lon_deg + s.ve_mps * dt / (kEarthRadiusM * std::cos(s.lat_deg * kDeg)) / kDeg;
    const double dx = (l.lon_deg - lon) * kDeg * kEarthRadiusM * std::cos(l.lat_deg * kDeg);
    const double dy = (l.lat_deg - lat) * kDeg * kEarthRadiusM;
    const double d = std::hypot(dx, dy);
    if (d > gate_m_ || std::hypot(l.ve_mps - s.ve_mps, l.vn_mps - s.vn_mps) > kVelocityGateMps)
      continue;
    if (d < best_d || (d == best_d && best && number < *best)) {
      best = number;
      best_d = d;
    }
  }
  return best;
}

void TrackMerger::end_track(const std::string& number, System& s, double now_s, const Out& out) {
  // No region has updated it for long: its end, so that no picture keeps it
  // (its last region handed it on while another named it anew).
  auto st = io::parse_state(s.last_text);
  s.deleted = true;
  s.last_text.clear();
  if (!st) return;
  ObjectState e = std::move(st).value();
  e.status = TrackStatus::kDeleted;
  e.time = Time::from_seconds(now_s);
  std::string text = io::to_json(e);
  const std::string from = "\"id\":" + io::json_string(number);
  if (const std::size_t at = text.find(from); at != std::string::npos)
    text.insert(at + from.size(), ",\"region\":" + io::json_string(regions_[s.holder]));
  out(text);
  ++counts_.lines_out;
  ++counts_.expired;
}

void TrackMerger::idle(const Out& out) {
  if (released_s_ <= -1e299) return;
  expire_checked_s_ = -1e300;
  expire(released_s_, out);
}

void TrackMerger::expire(double now_s, const Out& out) {
  if (now_s < expire_checked_s_ + 1) return;
  expire_checked_s_ = now_s;
  const double horizon = now_s - std::max(handover_s_, 10.0);
  for (auto& [number, s] : systems_)
    if (!s.deleted && s.last_s < horizon && !s.last_text.empty()) end_track(number, s, now_s, out);
}

void TrackMerger::release(const Line& l, std::size_t region, const Out& out) {
  // The line's own "id" is rewritten, found where the trackers write it
  // (`{"time":T,"id":...`) before anything changes, or the line is refused.
  const std::string from = "\"id\":" + io::json_string(l.id);
  const std::size_t at = l.text.find(',') + 1;
  if (!l.text.starts_with("{\"time\":") || at == 0 || l.text.compare(at, from.size(), from) != 0) {
    ++counts_.bad;
    return;
  }
  // An update older than the merge's time by more than the time a system
  // track is remembered (a region far behind, live) is history: what it
  // would update may be forgotten. (A younger one may bring back a track the
  // merge ended: the next expiry, or the caller's idle(), ends it again.)
  if (l.time_s < released_s_ - std::max(kForgetS, 2 * handover_s_)) {
    ++counts_.late;
    return;
  }
  released_s_ = std::max(released_s_, l.time_s);
  const auto key = std::make_pair(region, l.id);
  auto it = regional_.find(key);
  std::string number;
  if (it != regional_.end()) {
    number = it->second;
  } else if (l.deleted) {
    ++counts_.stale_deletions;  // the end of a track this region never published
    return;
  } else if (const auto c = continues(l, region)) {
    number = *c;
    ++counts_.handovers;
    regional_.emplace(key, number);
  } else {
    if (systems_.size() >= kMaxSystems) {
      forget(l.time_s - std::max(handover_s_, 10.0), l.time_s, out);
      if (systems_.size() >= kMaxSystems) {
        ++counts_.bad;  // more live system tracks than any sky holds
        return;
      }
    }
    number = regions_[region] + "-" + l.id;
    ++counts_.system_tracks;
    regional_.emplace(key, number);
  }
  System& s = systems_[number];
  s.number = number;
  if (l.deleted) {
    regional_.erase(key);
    if (s.holder != region && s.last_s > 0) {
      ++counts_.stale_deletions;  // handed on: the other region goes on with it
      return;
    }
    s.deleted = true;
  } else {
    s.deleted = false;
  }
  s.holder = region;
  s.last_s = l.time_s;
  s.lat_deg = l.lat_deg;
  s.lon_deg = l.lon_deg;
  s.ve_mps = l.ve_mps;
  s.vn_mps = l.vn_mps;
  if (l.icao24) s.icao24 = l.icao24;

  // "id" becomes the system number, then the publishing region.
  std::string text;
  text.reserve(l.text.size() + 32);
  text.append(l.text, 0, at);
  text += "\"id\":" + io::json_string(number) + ",\"region\":" + io::json_string(regions_[region]);
  text.append(l.text, at + from.size());
  out(text);
  ++counts_.lines_out;
  s.last_text = std::move(text);
  if (s.deleted) s.last_text.clear();
  expire(l.time_s, out);

  // Forget what has been silent for long (bounded memory).
  if (l.time_s > forget_before_s_ + 60) {
    forget_before_s_ = l.time_s;
    forget(l.time_s - std::max(kForgetS, 2 * handover_s_), l.time_s, out);
  }
}

void TrackMerger::forget(double before_s, double now_s, const Out& out) {
  // A live one is ended first (a late line may have kept it alive past the
  // expiry's horizon): never forgotten while a picture shows it.
  for (auto i = systems_.begin(); i != systems_.end();) {
    if (i->second.last_s >= before_s) {
      ++i;
      continue;
    }
    if (!i->second.deleted && !i->second.last_text.empty())
      end_track(i->first, i->second, now_s, out);
    i = systems_.erase(i);
  }
  for (auto i = regional_.begin(); i != regional_.end();)
    i = systems_.contains(i->second) ? std::next(i) : regional_.erase(i);
}

}  // namespace skyfuse::live
