#include "tracking/sensor_table.hpp"

#include <fmt/format.h>

#include <numbers>

namespace skyfuse::tracking {

SensorTable::SensorTable(std::vector<Sensor> list, const estimation::TrackingFrame& frame,
                         const TrackerConfig& cfg) {
  for (Sensor& s : list) {
    SensorInfo info;
    info.sensor = std::move(s);
    if (is_radar(info.sensor.kind))
      info.radar = std::make_unique<geo::RadarModel>(info.sensor.site, info.sensor.refraction_k);
    info.site_xy = frame.to_plane(info.sensor.site.lat_deg, info.sensor.site.lon_deg).xy;
    info.interval_s = info.sensor.rotation_period_s > 0       ? info.sensor.rotation_period_s
                      : info.sensor.kind == SensorKind::kAdsb ? cfg.adsb_interval_s
                                                              : cfg.default_interval_s;
    info.batch_window_s = info.sensor.rotation_period_s > 0 ? cfg.batch_window_s : 0.0;
    if (info.sensor.rotation_period_s <= 0)
      info.learner = std::make_unique<IntervalLearner>(info.interval_s);
    const double range =
        info.sensor.max_range_m > 0 ? info.sensor.max_range_m : cfg.default_sensor_range_m;
    info.area_m2 = std::numbers::pi * range * range;
    index_[info.sensor.id] = sensors_.size();
    sensors_.push_back(std::move(info));
  }
}

GeodeticPosition SensorTable::centre(const std::vector<Sensor>& list) {
  if (list.empty()) return {};
  double lat = 0, lon = 0;
  for (const Sensor& s : list) {
    lat += s.site.lat_deg;
    lon += s.site.lon_deg;
  }
  return {lat / static_cast<double>(list.size()), lon / static_cast<double>(list.size()), 0};
}

std::string SensorTable::name(SensorId id) const {
  const SensorInfo* s = find(id);
  return s ? s->sensor.name : fmt::format("#{}", id);
}

void SensorTable::note_initiation(SensorId id, Time t, bool anonymous) {
  SensorInfo& si = at(id);
  if (!si.seen) {
    si.seen = true;
    si.first_time = t;
  }
  if (anonymous) si.unassociated += 1;
}

}  // namespace skyfuse::tracking
