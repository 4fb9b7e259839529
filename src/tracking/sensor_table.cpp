#include "tracking/sensor_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
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
    if (info.radar && cfg.clutter_map_ring_m > 0 && cfg.clutter_map_sectors > 0) {
      const int rings =
          static_cast<int>(std::min(std::ceil(range / cfg.clutter_map_ring_m), 4000.0));
      info.ring_m = cfg.clutter_map_ring_m;
      info.sectors = cfg.clutter_map_sectors;
      info.cell_counts.assign(static_cast<std::size_t>(rings) * info.sectors, 0);
    }
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

void SensorTable::note_initiation(SensorId id, Time t, bool anonymous, const Eigen::Vector2d& xy) {
  SensorInfo& si = at(id);
  if (!si.seen) {
    si.seen = true;
    si.first_time = t;
  }
  if (!anonymous) return;
  si.unassociated += 1;
  if (const int c = si.cell_of(xy); c >= 0) ++si.cell_counts[static_cast<std::size_t>(c)];
}

int SensorInfo::cell_of(const Eigen::Vector2d& xy) const {
  if (cell_counts.empty()) return -1;
  const Eigen::Vector2d u = xy - site_xy;
  const double ground = u.norm();
  const int rings = static_cast<int>(cell_counts.size()) / sectors;
  if (!std::isfinite(ground) || ground >= rings * ring_m) return -1;
  const int ring = static_cast<int>(ground / ring_m);
  double az = std::atan2(u.x(), u.y());
  if (az < 0) az += 2 * std::numbers::pi;
  const int sector = std::min(static_cast<int>(az / (2 * std::numbers::pi) * sectors), sectors - 1);
  return ring * sectors + sector;
}

double SensorInfo::clutter_density(Time now, const Eigen::Vector2d& xy) const {
  const double span = seen ? std::max((now - first_time).seconds(), interval_s) : interval_s;
  const double scans = std::max(span / interval_s, 1.0);
  double density = unassociated / scans / area_m2;
  if (const int c = cell_of(xy); c >= 0) {
    // A cell's count above the mean by chance rarely exceeds it by two
    // sigmas as well: uniform clutter leaves the sensor-wide figure.
    const double n = cell_counts[static_cast<std::size_t>(c)];
    const double excess = n - 2 * std::sqrt(n);
    if (excess > 0) {
      const int ring = c / sectors;
      const double cell_area = std::numbers::pi * ring_m * ring_m * (2 * ring + 1) / sectors;
      density = std::max(density, excess / scans / cell_area);
    }
  }
  return std::max(density, 1e-13);
}

}  // namespace skyfuse::tracking
