// File: tracking/sensor_table.hpp
//
// What the tracker knows of each configured sensor: its radar model (range,
// azimuth <-> WGS-84), its site on the tracking plane, its update interval
// (the rotation period, or learned from the data for sensors without one),
// its batch window, and the clutter density its anonymous plots imply.
// Built once; entries never move, so `const SensorInfo*` stays valid.
//
//   SensorTable sensors(list, frame, cfg);
//   if (SensorInfo* s = sensors.find(report.sensor)) ... s->interval_s ...
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/types.hpp"
#include "estimation/frame.hpp"
#include "geo/radar_model.hpp"
#include "tracking/config.hpp"
#include "tracking/interval_learner.hpp"

namespace skyfuse::tracking {

struct SensorInfo {
  Sensor sensor;
  std::unique_ptr<geo::RadarModel> radar;
  Eigen::Vector2d site_xy = Eigen::Vector2d::Zero();
  double interval_s = 1;
  std::unique_ptr<IntervalLearner> learner;  // sensors without a rotation period
  double batch_window_s = 0;
  double area_m2 = 0;       // covered area, for the clutter density
  double unassociated = 0;  // radar plots (and anonymous reports) that started tracks
  Time first_time;
  bool seen = false;
  // The same counted per cell of a polar map around a radar's site (empty:
  // no map): ring = ground range / ring_m, sector of 360 / sectors degrees.
  std::vector<std::uint32_t> cell_counts;
  double ring_m = 0;
  int sectors = 0;
  // The map's cell of a point on the tracking plane (-1 outside or no map).
  int cell_of(const Eigen::Vector2d& xy) const;
  // Clutter density estimate [1/m^2 per scan]: unassociated plots per scan
  // per area, sensor-wide; where the map's cell at `xy` holds significantly
  // more (its count less two Poisson sigmas), that cell's density.
  double clutter_density(Time now, const Eigen::Vector2d& xy) const;
};

class SensorTable {
 public:
  SensorTable(std::vector<Sensor> list, const estimation::TrackingFrame& frame,
              const TrackerConfig& cfg);

  // The mean of the sites (the default plane origin).
  static GeodeticPosition centre(const std::vector<Sensor>& list);

  SensorInfo* find(SensorId id) {
    auto it = index_.find(id);
    return it == index_.end() ? nullptr : &sensors_[it->second];
  }
  const SensorInfo* find(SensorId id) const {
    auto it = index_.find(id);
    return it == index_.end() ? nullptr : &sensors_[it->second];
  }
  // Whether any sensor is of this kind.
  bool any(SensorKind kind) const {
    for (const SensorInfo& s : sensors_)
      if (s.sensor.kind == kind) return true;
    return false;
  }
  // A sensor known to exist (throws std::out_of_range otherwise).
  SensorInfo& at(SensorId id) { return sensors_[index_.at(id)]; }
  const SensorInfo& at(SensorId id) const { return sensors_[index_.at(id)]; }
  // Its name, or "#<id>" for an unknown one.
  std::string name(SensorId id) const;

  // The report's sensor saw a target (learns its interval when it has no
  // rotation period): `key` 0 for an anonymous report.
  void observe(SensorInfo& s, std::uint64_t key, Time t) {
    s.learner->observe(key, t);
    s.interval_s = s.learner->interval_s();
  }
  // A track started from one of its reports (first data time; anonymous
  // ones count towards the clutter density).
  void note_initiation(SensorId id, Time t, bool anonymous, const Eigen::Vector2d& xy);

 private:
  std::vector<SensorInfo> sensors_;
  std::unordered_map<SensorId, std::size_t> index_;
};

}  // namespace skyfuse::tracking
