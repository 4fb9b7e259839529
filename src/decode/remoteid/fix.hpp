// File: decode/remoteid/fix.hpp
//
// A decoded Location/Vector message as a position fix: what a tracker input
// (`Report`) needs, in SI units and WGS-84, with the accuracy codes turned into
// their bounds in metres (FORMAT.md's tables) and the ground speed and track
// into east/north velocity. Pure functions, no state: the caller pairs the
// Location with the UA's Basic ID (serial number) and System message.
//
// The Location time stamp only holds tenths of a second after the full UTC
// hour; resolve_location_time() puts it in the hour of reception, the one that
// brings it within 30 minutes of the reception time.
//
//   if (auto fix = to_fix(loc, d.time, "1588E040445AC004418", &system))
//     report_from(fix->lat_deg, fix->lon_deg, fix->alt_geo_m, fix->horizontal_accuracy_m);
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/time.hpp"
#include "decode/remoteid/message.hpp"

namespace skyfuse::decode::remoteid {

struct PositionFix {
  Time time;                       // of the position (see time_from_message)
  bool time_from_message = false;  // false: the message had no time stamp, `time` is the reception
  std::string uas_id;              // Basic ID given by the caller (may be empty)
  std::uint8_t status = 0;  // Location status: 0 undeclared, 1 ground, 2 airborne, 3 emergency
  double lat_deg = 0;
  double lon_deg = 0;
  std::optional<double> alt_geo_m;   // WGS-84 height above the ellipsoid
  std::optional<double> alt_baro_m;  // pressure altitude
  std::optional<double> height_m;    // above take-off or ground (height_type)
  HeightType height_type = HeightType::kAboveTakeoff;
  std::optional<double> velocity_east_mps;  // both or neither
  std::optional<double> velocity_north_mps;
  std::optional<double> velocity_up_mps;
  std::optional<double> horizontal_accuracy_m;  // 95 % bounds of the encoded classes
  std::optional<double> vertical_accuracy_m;
  std::optional<double> baro_accuracy_m;
  std::optional<double> speed_accuracy_mps;
  std::optional<double> operator_lat_deg;  // from the System message, if given
  std::optional<double> operator_lon_deg;
  std::optional<double> operator_alt_geo_m;
};

// The instant `seconds_after_hour` (0..3600) names, taking the hour from
// `received` and wrapping across the hour boundary.
Time resolve_location_time(double seconds_after_hour, Time received);

// Empty when the Location has no position (lat/lon unknown).
std::optional<PositionFix> to_fix(const Location& loc, Time received, std::string_view uas_id = {},
                                  const System* system = nullptr);

}  // namespace skyfuse::decode::remoteid
