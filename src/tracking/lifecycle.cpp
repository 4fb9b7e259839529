#include "tracking/lifecycle.hpp"

#include <algorithm>

namespace skyfuse::tracking {

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

Verdict silence_verdict(TrackStatus s, double silent_s, double interval_s,
                        const TrackerConfig& cfg) {
  if (s == TrackStatus::kDeleted) return Verdict::kDelete;
  if (s == TrackStatus::kTentative)
    return silent_s > cfg.tentative_miss_factor * interval_s ? Verdict::kDelete : Verdict::kKeep;
  // Fast-updating sensors (drone radar, Remote ID, ADS-B) lose a target
  // sooner: `delete_after_intervals` missed intervals (6), but never fewer than 3.5 nor more than
  // `delete_after_s` unless a slow radar needs 3.5 of its scans.
  const double limit = std::max(
      std::min(cfg.delete_after_s, cfg.delete_after_intervals * interval_s), 3.5 * interval_s);
  if (silent_s > limit) return Verdict::kDelete;
  if (silent_s > cfg.coast_factor * interval_s) return Verdict::kCoast;
  return Verdict::kKeep;
}

}  // namespace skyfuse::tracking
