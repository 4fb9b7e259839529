// File: tracking/lifecycle.hpp
//
// Track status rules, as pure functions so they can be tested alone:
// tentative -> confirmed after enough updates (fewer when the reports carry a
// 24-bit address or Remote ID serial); confirmed -> coasting when expected
// updates are missed; coasting -> confirmed on the next update; deletion of
// a tentative track after a few missed intervals, of any other after six
// missed intervals capped at `delete_after_s` (but at least 3.5 intervals).
#pragma once

#include "core/types.hpp"
#include "tracking/config.hpp"

namespace skyfuse::tracking {

// What a track's identity says about it being real.
enum class IdentityEvidence : std::uint8_t {
  kNone,            // anonymous (PSR, SSR without Mode S, drone radar)
  kUncorroborated,  // one reply carried an address: it may be garbled or false
  kCorroborated,    // the address or serial came again, or an SSR reply backed it
};

// Status after an associated update (hits counts it). A corroborated track
// confirms after `confirm_hits_identified` updates. Any other also needs its
// log-likelihood-ratio score (target vs clutter, Sittler / Blackman) to reach
// `confirm_score`: after `confirm_hits_identified` updates when one reply
// carried an address (the score then starts at `address_prior_score`), after
// `confirm_hits_anonymous` when none did. So a single plot never confirms.
TrackStatus status_after_update(TrackStatus s, int hits, IdentityEvidence identity, double score,
                                const TrackerConfig& cfg);

enum class Verdict : std::uint8_t { kKeep, kCoast, kDelete };

// What a track without updates for `silent_s` becomes; `interval_s` is the
// update interval its sensors promise.
Verdict silence_verdict(TrackStatus s, double silent_s, double interval_s,
                        const TrackerConfig& cfg);

}  // namespace skyfuse::tracking
