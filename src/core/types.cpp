#include "core/types.hpp"

#include <string_view>

namespace skyfuse {

namespace {
constexpr std::array<std::pair<SensorKind, std::string_view>, 7> kSensorKinds{{
    {SensorKind::kPsr, "psr"},
    {SensorKind::kSsr, "ssr"},
    {SensorKind::kModeSRadar, "mode_s"},
    {SensorKind::kAdsb, "adsb"},
    {SensorKind::kMlat, "mlat"},
    {SensorKind::kRemoteId, "remote_id"},
    {SensorKind::kDroneRadar, "drone_radar"},
}};
static_assert(kSensorKinds.size() == kSensorKindCount);
constexpr std::array<std::pair<TargetClass, std::string_view>, 5> kClasses{{
    {TargetClass::kUnknown, "unknown"},
    {TargetClass::kFixedWing, "fixed_wing"},
    {TargetClass::kRotorcraft, "rotorcraft"},
    {TargetClass::kSmallUav, "small_uav"},
    {TargetClass::kFastMover, "fast_mover"},
}};
constexpr std::array<std::pair<SpoofReason, std::string_view>, kSpoofReasonCount> kSpoofReasons{{
    {SpoofReason::kSpeedMismatch, "speed_mismatch"},
    {SpoofReason::kImpossibleJump, "impossible_jump"},
    {SpoofReason::kTwoPlaces, "two_places"},
    {SpoofReason::kOutOfReceptionRange, "out_of_reception_range"},
    {SpoofReason::kRssiConstant, "rssi_constant"},
    {SpoofReason::kNoRadarConfirmation, "no_radar_confirmation"},
    {SpoofReason::kTimeInconsistent, "time_inconsistent"},
}};
constexpr std::array<std::pair<TrackStatus, std::string_view>, 4> kStatuses{{
    {TrackStatus::kTentative, "tentative"},
    {TrackStatus::kConfirmed, "confirmed"},
    {TrackStatus::kCoasting, "coasting"},
    {TrackStatus::kDeleted, "deleted"},
}};

template <typename E, std::size_t N>
const char* name_of(const std::array<std::pair<E, std::string_view>, N>& table, E e) {
  for (const auto& [k, v] : table)
    if (k == e) return v.data();
  return "unknown";
}
template <typename E, std::size_t N>
std::optional<E> value_of(const std::array<std::pair<E, std::string_view>, N>& table,
                          std::string_view s) {
  for (const auto& [k, v] : table)
    if (v == s) return k;
  return std::nullopt;
}
}  // namespace

const char* to_string(SensorKind kind) { return name_of(kSensorKinds, kind); }
std::optional<SensorKind> sensor_kind_from_string(std::string_view s) {
  return value_of(kSensorKinds, s);
}
const char* to_string(TargetClass c) { return name_of(kClasses, c); }
std::optional<TargetClass> target_class_from_string(std::string_view s) {
  return value_of(kClasses, s);
}
const char* to_string(SpoofReason r) { return name_of(kSpoofReasons, r); }
std::optional<SpoofReason> spoof_reason_from_string(std::string_view s) {
  return value_of(kSpoofReasons, s);
}
const char* to_string(TrackStatus s) { return name_of(kStatuses, s); }
std::optional<TrackStatus> track_status_from_string(std::string_view s) {
  return value_of(kStatuses, s);
}

}  // namespace skyfuse
