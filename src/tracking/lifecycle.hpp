// File: tracking/lifecycle.hpp
//
// A track's life: initiation, confirmation, coasting and deletion.
//
// The status rules are pure functions so they can be tested alone:
// tentative -> confirmed after enough updates (fewer when the reports carry a
// 24-bit address or Remote ID serial, more when the new track is faster than
// common aircraft); confirmed -> coasting when expected updates are missed;
// coasting -> confirmed on the next update; deletion of a tentative track
// after a few missed intervals, of any other after six missed intervals
// capped at `delete_after_s` (but at least 3.5 intervals).
//
// `Initiator::initiate` starts a tentative track from an unassociated report:
// its horizontal state (position, and velocity if reported), its height
// (reported, or the default with a wide variance), identity, number and
// sensors.
//
//   Initiator initiator(cfg, table, sensors, offsets, stats);
//   std::uint32_t slot = initiator.initiate(prepared);
//   ...
//   Confirmation c = confirm(table[slot], cfg);   // after each update
#pragma once

#include "core/types.hpp"
#include "tracking/config.hpp"
#include "tracking/height_offset.hpp"
#include "tracking/measurement.hpp"
#include "tracking/sensor_table.hpp"
#include "tracking/stats.hpp"
#include "tracking/track_table.hpp"

namespace skyfuse::tracking {

// What a track's identity says about it being real.
enum class IdentityEvidence : std::uint8_t {
  kNone,            // anonymous (PSR, SSR without Mode S, drone radar)
  kUncorroborated,  // one reply carried an address: it may be garbled or false
  kCorroborated,    // the address or serial came again, or an SSR reply backed it
};

IdentityEvidence identity_evidence(const TrackRecord& t);

// Status after an associated update (hits counts it). A corroborated track
// confirms after `confirm_hits_identified` updates. Any other also needs its
// log-likelihood-ratio score (target vs clutter, Sittler / Blackman) to reach
// `confirm_score`: after `confirm_hits_identified` updates when one reply
// carried an address (the score then starts at `address_prior_score`), after
// `confirm_hits_anonymous` when none did. So a single plot never confirms.
TrackStatus status_after_update(TrackStatus s, int hits, IdentityEvidence identity, double score,
                                const TrackerConfig& cfg);

// The status rule with the plausibility check: a new track faster than
// `confirm_max_speed_mps` (a false plot and a real one make a fast pair) is
// confirmed only after `confirm_hits_fast` updates; `refused_fast` says the
// check held back a confirmation.
struct Confirmation {
  TrackStatus status = TrackStatus::kTentative;
  bool refused_fast = false;
  bool refused_velocity = false;
};
// status_after_update(), then a new track must be kinematically plausible
// (faster than `confirm_max_speed_mps` needs `confirm_hits_fast` updates) and
// its velocity known (sigma <= `confirm_max_velocity_sigma_mps`: two replies a
// fraction of a second apart, two beams crossing it together, leave it at the
// initiation prior's).
Confirmation confirm(TrackStatus s, int hits, IdentityEvidence identity, double score,
                     double speed_mps, const TrackerConfig& cfg, double speed_sigma_mps = 0);
// ... for a track just updated (hits and score counted).
Confirmation confirm(const TrackRecord& t, const TrackerConfig& cfg);

enum class Verdict : std::uint8_t { kKeep, kCoast, kDelete };

// What a track without updates for `silent_s` becomes; `interval_s` is the
// update interval its sensors promise.
Verdict silence_verdict(TrackStatus s, double silent_s, double interval_s,
                        const TrackerConfig& cfg);

class Initiator {
 public:
  // Keeps references: all must outlive it.
  Initiator(const TrackerConfig& cfg, TrackTable& table, SensorTable& sensors,
            const HeightOffsetModel& offsets, TrackerStats& stats)
      : cfg_(cfg), table_(table), sensors_(sensors), offsets_(offsets), stats_(stats) {}

  // A tentative track from the report; its slot.
  std::uint32_t initiate(const Prepared& p);

 private:
  const TrackerConfig& cfg_;
  TrackTable& table_;
  SensorTable& sensors_;
  const HeightOffsetModel& offsets_;
  TrackerStats& stats_;
};

}  // namespace skyfuse::tracking
