// Hand-built neighbours for the tracker's unit tests: a plane at (47, 8),
// one ADS-B receiver and one radar, tracks placed directly in a TrackTable
// (no reports, no filter history) and reports already on the plane.
#pragma once

#include <Eigen/Core>
#include <deque>
#include <optional>

#include "estimation/frame.hpp"
#include "tracking/config.hpp"
#include "tracking/gating.hpp"
#include "tracking/height_offset.hpp"
#include "tracking/measurement.hpp"
#include "tracking/registration.hpp"
#include "tracking/sensor_table.hpp"
#include "tracking/track_table.hpp"

namespace skyfuse::tracking::testing {

inline const Time kT0 = Time::from_seconds(1717236000.0);
inline Time at(double s) { return kT0 + Duration::from_seconds(s); }

inline constexpr SensorId kAdsb = 1;
inline constexpr SensorId kRadar = 2;

inline std::vector<Sensor> two_sensors() {
  Sensor adsb;
  adsb.id = kAdsb;
  adsb.name = "adsb";
  adsb.kind = SensorKind::kAdsb;
  adsb.site = {47.0, 8.0, 400};
  Sensor radar;
  radar.id = kRadar;
  radar.name = "radar";
  radar.kind = SensorKind::kSsr;
  radar.site = {47.1, 8.1, 500};
  radar.rotation_period_s = 4;
  radar.sigma_range_m = 40;
  radar.sigma_azimuth_rad = 0.0015;
  return {adsb, radar};
}

// What a track is, in the few numbers a test cares about.
struct FakeTrack {
  Eigen::Vector2d xy = Eigen::Vector2d::Zero();  // on the plane [m]
  Eigen::Vector2d velocity = Eigen::Vector2d(200, 0);
  double height_m = 9000;
  std::optional<double> height_known = std::nullopt;  // unset: default-height track, no height seen
  TrackStatus status = TrackStatus::kConfirmed;
  std::optional<std::uint32_t> icao24 = std::nullopt;
  std::optional<std::uint16_t> mode3a = std::nullopt;
  double time_s = 0;  // of its state and last update
  double first_update_s = 0;
  double position_sigma_m = 50;
  int hits = 10;
  SensorId last_radar = 0;
};

// Everything gating, merging and the updates look at.
struct World {
  TrackerConfig cfg;
  estimation::TrackingFrame frame{GeodeticPosition{47.0, 8.0, 0}};
  SensorTable sensors{two_sensors(), frame, cfg};
  Registration registration;
  HeightOffsetModel offsets{cfg.atmosphere, false};
  MeasurementPreparer preparer{cfg, frame, sensors, registration, offsets};
  Gate gate{cfg, frame, sensors, offsets, preparer};
  TrackTable table{cfg};
  std::deque<Report> reports;  // prepared reports point into it

  std::uint32_t add(const FakeTrack& f) {
    const std::uint32_t slot = table.create();
    TrackRecord& t = table[slot];
    estimation::StateVec x0 = estimation::StateVec::Zero();
    x0.head<2>() = f.xy;
    x0.segment<2>(2) = f.velocity;
    estimation::StateCov p0 = estimation::StateCov::Zero();
    p0(0, 0) = p0(1, 1) = f.position_sigma_m * f.position_sigma_m;
    p0(2, 2) = p0(3, 3) = 25;
    p0(4, 4) = p0(5, 5) = 1;
    p0(6, 6) = 1e-4;
    t.imm = estimation::Imm(cfg.imm, x0, p0);
    t.vert =
        estimation::VerticalFilter(cfg.vertical, f.height_known.value_or(f.height_m), 100, 0, 100);
    t.seen_geometric = f.height_known.has_value();
    t.time = at(f.time_s);
    t.first_update = at(f.first_update_s);
    t.last_update = at(f.time_s);
    t.status = f.status;
    t.hits = f.hits;
    t.interval_s = 1;
    t.identity.icao24 = f.icao24;
    t.identity.mode3a = f.mode3a;
    t.identity_hits = f.icao24 ? f.hits : 0;
    t.last_radar = f.last_radar;
    t.number = table.number_for(t.identity, t.time);
    if (f.icao24) table.bind_address(slot);
    table.moved(slot);
    return slot;
  }

  // An ADS-B-like report at plane position xy with a geometric height.
  Prepared report(const Eigen::Vector2d& xy, double time_s, std::optional<std::uint32_t> icao24,
                  std::optional<double> height_m = 9000, double sigma_m = 30) {
    Report& r = reports.emplace_back();
    r.time = at(time_s);
    r.sensor = kAdsb;
    r.sensor_kind = SensorKind::kAdsb;
    r.identity.icao24 = icao24;
    Prepared p;
    p.report = &r;
    p.stamp = r.time;
    p.sensor = sensors.find(kAdsb);
    p.xy = xy;
    p.cov = Eigen::Matrix2d::Identity() * sigma_m * sigma_m;
    if (height_m) {
      p.geometric_h = *height_m;
      p.geometric_var = 400;
    }
    return p;
  }
};

}  // namespace skyfuse::tracking::testing
