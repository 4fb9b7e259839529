// File: core/types.hpp
//
// The plain value types passed between stages (docs/design.md): `Sensor`,
// `Report` (one observation in the sensor's own frame, with covariance),
// `Track` (a system track) and `ObjectState` (one time-stamped kinematic state
// of a truth object or a track, as read from and written to JSON Lines).
//
// Units: SI inside (m, s, rad, m/s). Anything else carries its unit in the
// name (`lat_deg`, `baro_alt_ft` ...). Heights are above the WGS-84 ellipsoid
// unless the name says otherwise (`baro_alt_m` is pressure altitude, i.e. the
// ISA height the Mode C / ADS-B barometric code encodes).
//
//   Report r;
//   r.time = Time::from_seconds(1533123000.0);
//   r.measurement = PolarMeasurement{.range_m = 41000, .azimuth_rad = 1.2};
#pragma once

#include <Eigen/Core>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/time.hpp"

namespace skyfuse {

using SensorId = std::uint32_t;

enum class SensorKind : std::uint8_t {
  kPsr,         // primary surveillance radar: range/azimuth only
  kSsr,         // secondary radar, Mode A/C: adds Mode 3/A code and Mode C altitude
  kModeSRadar,  // Mode S radar: adds the 24-bit address, 25 ft altitude
  kAdsb,        // ADS-B ground station / receiver
  kMlat,        // wide-area or airport multilateration
  kRemoteId,    // drone Remote ID receiver (ASTM F3411 / EN 4709-002)
  kDroneRadar,  // 3-D drone-detection radar
};
inline constexpr std::size_t kSensorKindCount = 7;

const char* to_string(SensorKind kind);
std::optional<SensorKind> sensor_kind_from_string(std::string_view s);

// Air traffic surveillance radars: PSR, SSR, Mode S (plots in CAT048).
constexpr bool is_atc_radar(SensorKind k) {
  return k == SensorKind::kPsr || k == SensorKind::kSsr || k == SensorKind::kModeSRadar;
}
// Any sensor measuring range and azimuth (ATC radars and drone radars).
constexpr bool is_radar(SensorKind k) { return is_atc_radar(k) || k == SensorKind::kDroneRadar; }

enum class TargetClass : std::uint8_t { kUnknown, kFixedWing, kRotorcraft, kSmallUav, kFastMover };

const char* to_string(TargetClass c);
std::optional<TargetClass> target_class_from_string(std::string_view s);

struct GeodeticPosition {
  double lat_deg = 0;
  double lon_deg = 0;
  double alt_m = 0;  // height above the WGS-84 ellipsoid
};

// Static description of a sensor; bias estimates live with the tracker.
struct Sensor {
  SensorId id = 0;
  std::string name;
  SensorKind kind = SensorKind::kPsr;
  std::uint8_t sac = 0;  // ASTERIX system area code
  std::uint8_t sic = 0;  // ASTERIX system identification code
  GeodeticPosition site;
  double rotation_period_s = 0;  // 0 for non-rotating sensors
  double max_range_m = 0;
  double sigma_range_m = 0;  // radar accuracy (1 sigma)
  double sigma_azimuth_rad = 0;
  double sigma_elevation_rad = 0;
  double sigma_position_m = 0;  // non-radar accuracy (1 sigma, horizontal)
  // Radars: the effective-earth factor of the ranges it reports (4/3: its
  // data processor corrects standard refraction; 1: straight-line range).
  double refraction_k = 4.0 / 3.0;
};

// Slant range / azimuth (clockwise from true north) / optional elevation, in the
// sensor's local tangent frame, with the measurement covariance.
struct PolarMeasurement {
  double range_m = 0;
  double azimuth_rad = 0;
  std::optional<double> elevation_rad;
  Eigen::Matrix3d covariance = Eigen::Matrix3d::Zero();  // (range, azimuth, elevation)
};

// A WGS-84 position with covariance in the local east/north/up frame at that point.
struct GeodeticMeasurement {
  GeodeticPosition position;
  bool has_height = false;  // alt_m holds a geometric height
  Eigen::Matrix3d covariance_enu = Eigen::Matrix3d::Zero();
};

struct Identity {
  std::optional<std::uint32_t> icao24;  // 24-bit ICAO address
  std::optional<std::uint16_t> mode3a;  // octal code held as its integer value (e.g. 07700)
  std::string callsign;                 // flight identification, trimmed
  std::string remote_id;                // Remote ID serial number / session id
  std::optional<std::uint8_t> emitter_category;  // ADS-B emitter category (set A..D encoded 0..31)
};

// Where a drone's operator (remote pilot) is, as its Remote ID System
// message declares it (take-off point, live GNSS or a fixed place).
struct OperatorPosition {
  double lat_deg = 0;
  double lon_deg = 0;
  std::optional<double> alt_m;  // above the WGS-84 ellipsoid, when given
};

// An ADS-B aircraft's version, integrity and intent as it announced them
// (operational status TC 31, target state and status TC 29, airborne velocity
// TC 19, Comm-B BDS 4,0), for readsb's aircraft.json; absent until heard.
struct AdsbStatus {
  enum NavMode : std::uint8_t {  // nav_modes bits
    kAutopilot = 1,
    kVnav = 2,
    kAltitudeHold = 4,
    kApproach = 8,
    kLnav = 16,
    kTcas = 32,
  };
  std::optional<std::uint8_t> version;     // 0 DO-260, 1 DO-260A, 2 DO-260B
  std::optional<std::uint8_t> nic_baro;    // 1: barometric altitude cross-checked
  std::optional<std::uint8_t> nac_v;       // velocity accuracy category
  std::optional<std::uint8_t> sil;         // source integrity level
  std::optional<bool> sil_per_sample;      // SIL supplement (version 2); false: per hour
  std::optional<std::uint8_t> gva;         // geometric vertical accuracy
  std::optional<std::uint8_t> sda;         // system design assurance (version 2)
  std::optional<double> rc_m;              // radius of containment of the NIC
  std::optional<double> nav_qnh_hpa;       // selected barometric setting
  std::optional<int> nav_altitude_mcp_ft;  // selected altitude, MCP/FCU
  std::optional<int> nav_altitude_fms_ft;  // selected altitude, FMS
  std::optional<double> nav_heading_deg;   // selected heading
  std::optional<std::uint8_t> nav_modes;   // NavMode bits, when announced
  // The newer status's known fields over this one's; true if it knew any.
  bool merge(const AdsbStatus& newer) {
    bool any = false;
    auto take = [&any](auto& mine, const auto& theirs) {
      if (!theirs) return;
      mine = theirs;
      any = true;
    };
    take(version, newer.version);
    take(nic_baro, newer.nic_baro);
    take(nac_v, newer.nac_v);
    take(sil, newer.sil);
    take(sil_per_sample, newer.sil_per_sample);
    take(gva, newer.gva);
    take(sda, newer.sda);
    take(rc_m, newer.rc_m);
    take(nav_qnh_hpa, newer.nav_qnh_hpa);
    take(nav_altitude_mcp_ft, newer.nav_altitude_mcp_ft);
    take(nav_altitude_fms_ft, newer.nav_altitude_fms_ft);
    take(nav_heading_deg, newer.nav_heading_deg);
    take(nav_modes, newer.nav_modes);
    return any;
  }
};

struct Report {
  Time time;
  SensorId sensor = 0;
  SensorKind sensor_kind = SensorKind::kPsr;
  std::variant<PolarMeasurement, GeodeticMeasurement> measurement;
  std::optional<Eigen::Vector3d> velocity_enu_mps;  // east, north, up
  std::optional<Eigen::Matrix3d> velocity_covariance;
  std::optional<double> baro_alt_m;  // pressure altitude (Mode C / ADS-B baro)
  Identity identity;
  std::optional<std::uint8_t> nacp;
  std::optional<std::uint8_t> nic;
  bool emergency = false;
  std::optional<OperatorPosition> operator_position;  // Remote ID
  // Remote ID: the received signal strength of the message, where the
  // receiver measures it, and the message's own time stamp minus the capture
  // time (when the message carries one); the spoofing checks read them.
  std::optional<double> rssi_dbm;
  std::optional<double> clock_offset_s;
  // Mode S / ADS-B receiver details for the ecosystem's aircraft.json (the
  // tracker does not use them): frames decoded from this address since its
  // previous report (this one's included), their mean received power when the
  // input measures it (Beast signal level), the barometric vertical rate and
  // the surface/airborne state when the aircraft announced them.
  struct ModeSDetails {
    std::uint32_t frames = 0;
    std::optional<double> signal_dbfs;    // 10 log10(mean (level/255)^2), as readsb's rssi
    std::optional<double> baro_rate_mps;  // ADS-B vertical rate with a barometric source
    bool on_ground = false;               // surface position
    AdsbStatus status;                    // what the address announced of itself
  };
  std::optional<ModeSDetails> mode_s;
  // Traceability: which input and where in it this report came from.
  std::uint32_t source = 0;
  std::int64_t source_offset = -1;
};

// Why a Remote ID track is suspected of being spoofed (tracking/spoof_check.hpp):
// one bit each, in ObjectState::spoof_reasons.
enum class SpoofReason : std::uint8_t {
  kSpeedMismatch,        // reported speed vs the speed its positions imply
  kImpossibleJump,       // a move no small UAV can make
  kTwoPlaces,            // one serial reported in two places at once
  kOutOfReceptionRange,  // heard by a receiver that cannot hear that far
  kRssiConstant,         // signal strength flat while the claimed range changes
  kNoRadarConfirmation,  // a covering drone radar sees nothing there
  kTimeInconsistent,     // message time stamp does not follow the capture time
};
inline constexpr std::size_t kSpoofReasonCount = 7;
const char* to_string(SpoofReason r);
std::optional<SpoofReason> spoof_reason_from_string(std::string_view s);
constexpr std::uint16_t spoof_bit(SpoofReason r) {
  return static_cast<std::uint16_t>(1u << static_cast<unsigned>(r));
}

enum class TrackStatus : std::uint8_t { kTentative, kConfirmed, kCoasting, kDeleted };

const char* to_string(TrackStatus s);
std::optional<TrackStatus> track_status_from_string(std::string_view s);

// A system track as the tracker publishes it.
struct Track {
  std::uint32_t id = 0;  // system track number, stable for the track's life
  Time time;
  Eigen::Matrix<double, 9, 1> state = Eigen::Matrix<double, 9, 1>::Zero();  // ENU pos, vel, acc
  Eigen::Matrix<double, 9, 9> covariance = Eigen::Matrix<double, 9, 9>::Identity();
  std::array<double, 3> mode_probability{1, 0, 0};  // IMM: CV, CT, CA
  TrackStatus status = TrackStatus::kTentative;
  Identity identity;
  TargetClass target_class = TargetClass::kUnknown;
  double class_confidence = 0;
  std::vector<SensorId> sensors;
  Time first_update;
  Time last_update;
};

// One time-stamped kinematic state of an object: a truth sample or a track
// update, the unit of the truth and track JSON Lines files (docs/formats.md).
struct ObjectState {
  Time time;
  std::string id;
  GeodeticPosition position;
  Eigen::Vector3d velocity_enu_mps = Eigen::Vector3d::Zero();
  std::optional<TrackStatus> status;  // tracks only
  TargetClass target_class = TargetClass::kUnknown;
  Identity identity;
  bool emergency = false;  // ADS-B emergency/priority status declared (tracks only)
  // Pressure altitude (truth: what a barometric altimeter reads; tracks: the
  // filtered Mode C / Mode S / ADS-B pressure altitude, when one was received).
  std::optional<double> baro_alt_m;
  // Tracks: how many distinct sensors of each kind (indexed by SensorKind)
  // updated the track lately (within 2.5 of their update intervals), the
  // coverage `eval` scores by (docs/metrics.md). All zero for truth.
  std::array<std::uint8_t, kSensorKindCount> sources{};
  std::optional<OperatorPosition> operator_position;  // Remote ID: the last one declared
  // Remote ID tracks: suspected of spoofing when any bit is set (one per
  // SpoofReason), with a confidence in (0, 1].
  std::uint16_t spoof_reasons = 0;
  double spoof_confidence = 0;
  bool spoof_suspect() const { return spoof_reasons != 0; }
};

}  // namespace skyfuse
