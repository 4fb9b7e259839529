// What a Mode S address announced of itself, for readsb's aircraft.json
// (docs/api.md): ADS-B version and integrity (operational status, TC 31),
// intent (target state and status, TC 29; else Comm-B BDS 4,0), velocity
// accuracy (TC 19) and the NIC's radius of containment.
#pragma once

#include "core/types.hpp"

namespace skyfuse::decode::modes {
struct AircraftState;
}

namespace skyfuse::feeds {

AdsbStatus announced_status(const decode::modes::AircraftState& a);

}  // namespace skyfuse::feeds
