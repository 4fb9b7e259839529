// File: decode/modes/cpr.hpp
//
// Compact Position Reporting (DO-260B 2.2.3.2.7, ICAO Doc 9871 C.2.6): pure
// functions, no state. 17-bit encoded latitude/longitude in, degrees out;
// nullopt when the pair is inconsistent (different NL zones, |lat| > 90).
//
//   auto p = cpr::global_airborne(even, odd, /*newer_is_odd=*/false);
//   auto q = cpr::local(fix, ref_lat, ref_lon);
#pragma once

#include <optional>

#include "decode/modes/message.hpp"

namespace skyfuse::decode::modes::cpr {

struct LatLon {
  double lat_deg;
  double lon_deg;
};

// Number of longitude zones at a latitude (1..59).
int nl(double lat_deg);

// Airborne even/odd pair; the position is that of the newer message.
std::optional<LatLon> global_airborne(const CprFix& even, const CprFix& odd, bool newer_is_odd);

// Surface even/odd pair; the 90-degree ambiguity is resolved with a reference
// (receiver or last position) within 45 degrees.
std::optional<LatLon> global_surface(const CprFix& even, const CprFix& odd, bool newer_is_odd,
                                     double ref_lat_deg, double ref_lon_deg);

// One message against a reference within half a zone (airborne: < 180 NM
// reliably; surface: < 45 NM).
std::optional<LatLon> local(const CprFix& fix, double ref_lat_deg, double ref_lon_deg);

}  // namespace skyfuse::decode::modes::cpr
