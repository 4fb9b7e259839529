#include "decode/remoteid/fix.hpp"

#include <cmath>
#include <numbers>

namespace skyfuse::decode::remoteid {

Time resolve_location_time(double seconds_after_hour, Time received) {
  constexpr std::int64_t kHourNs = 3600LL * 1000000000;
  const std::int64_t hour =
      (received.ns >= 0 ? received.ns / kHourNs : (received.ns - kHourNs + 1) / kHourNs) * kHourNs;
  Time t{hour + Duration::from_seconds(seconds_after_hour).ns};
  if ((t - received).ns > kHourNs / 2) t = t - Duration{kHourNs};
  if ((received - t).ns > kHourNs / 2) t = t + Duration{kHourNs};
  return t;
}

std::optional<PositionFix> to_fix(const Location& loc, Time received, std::string_view uas_id,
                                  const System* system) {
  if (!loc.lat_deg || !loc.lon_deg) return std::nullopt;
  PositionFix f;
  f.time_from_message = loc.timestamp_s.has_value();
  f.time = loc.timestamp_s ? resolve_location_time(*loc.timestamp_s, received) : received;
  f.uas_id = uas_id;
  f.status = loc.status;
  f.lat_deg = *loc.lat_deg;
  f.lon_deg = *loc.lon_deg;
  f.alt_geo_m = loc.alt_geo_m;
  f.alt_baro_m = loc.alt_baro_m;
  f.height_m = loc.height_m;
  f.height_type = loc.height_type;
  // A track is needed unless the UA stands still.
  if (loc.speed_h_mps && (loc.direction_deg || *loc.speed_h_mps == 0)) {
    const double track = loc.direction_deg.value_or(0) * std::numbers::pi / 180;
    f.velocity_east_mps = *loc.speed_h_mps * std::sin(track);
    f.velocity_north_mps = *loc.speed_h_mps * std::cos(track);
  }
  f.velocity_up_mps = loc.speed_v_mps;
  f.horizontal_accuracy_m = horizontal_accuracy_m(loc.horizontal_accuracy);
  f.vertical_accuracy_m = vertical_accuracy_m(loc.vertical_accuracy);
  f.baro_accuracy_m = vertical_accuracy_m(loc.baro_accuracy);
  f.speed_accuracy_mps = speed_accuracy_mps(loc.speed_accuracy);
  if (system) {
    f.operator_lat_deg = system->operator_lat_deg;
    f.operator_lon_deg = system->operator_lon_deg;
    f.operator_alt_geo_m = system->operator_alt_geo_m;
  }
  return f;
}

}  // namespace skyfuse::decode::remoteid
