#include "tracking/measurement.hpp"

#include <cmath>
#include <functional>
#include <string>

namespace skyfuse::tracking {

namespace {
constexpr double kFt = 0.3048;
// Pressure altitude codes: Mode C in 100 ft steps, Mode S and ADS-B in 25 ft.
constexpr double kModeCQuantum_ft = 100.0;
constexpr double kModeSQuantum_ft = 25.0;
}  // namespace

const char* to_string(Rejection r) {
  switch (r) {
    case Rejection::kNone:
      return "accepted";
    case Rejection::kUnknownSensor:
      return "unknown sensor";
    case Rejection::kImpossibleVelocity:
      return "impossible velocity";
    case Rejection::kImpossiblePressureAltitude:
      return "impossible pressure altitude";
    case Rejection::kPolarFromNonRadar:
      return "polar plot from a non-radar sensor";
    case Rejection::kImpossibleRangeAzimuth:
      return "impossible range/azimuth";
    case Rejection::kRangeBelowHeight:
      return "range shorter than the height difference";
    case Rejection::kImpossiblePosition:
      return "impossible position";
  }
  return "?";
}

bool place_polar(const estimation::TrackingFrame& frame, const SensorInfo& s, Prepared& p, double h,
                 double var_h, double floor_var_m2) {
  auto g = s.radar->reverse_with_height(p.range_m, p.azimuth_rad, h);
  if (!g) return false;
  const estimation::PlanePoint pp = frame.to_plane(g->lat_deg, g->lon_deg);
  p.xy = pp.xy;
  p.local = pp.local;
  const double dh = h - s.sensor.site.alt_m;
  const double ground = std::sqrt(std::max(p.range_m * p.range_m - dh * dh, 1.0));
  Eigen::Vector2d u = pp.xy - s.site_xy;
  const double un = u.norm();
  u = un > 1 ? Eigen::Vector2d(u / un)
             : Eigen::Vector2d(std::sin(p.azimuth_rad), std::cos(p.azimuth_rad));
  const Eigen::Vector2d w(-u.y(), u.x());
  const double var_g =
      std::pow(p.range_m / ground * p.sigma_range_m, 2) + std::pow(dh / ground, 2) * var_h;
  const double var_c = std::pow(ground * p.sigma_azimuth_rad, 2);
  p.cov =
      (var_g * u * u.transpose() + var_c * w * w.transpose()) * (pp.local.scale * pp.local.scale);
  p.cov(0, 0) += floor_var_m2;  // floor: 1 m
  p.cov(1, 1) += floor_var_m2;
  return true;
}

Rejection MeasurementPreparer::prepare(const Report& r, Prepared& p) {
  SensorInfo* found = sensors_.find(r.sensor);
  if (!found) return Rejection::kUnknownSensor;
  SensorInfo& s = *found;
  if (s.learner) {
    const std::uint64_t key = r.identity.icao24 ? *r.identity.icao24 + 1
                              : !r.identity.remote_id.empty()
                                  ? std::hash<std::string>{}(r.identity.remote_id) | 1
                                  : 0;
    sensors_.observe(s, key, r.time);
  }
  p = Prepared{};
  p.report = &r;
  p.stamp = r.time;
  p.sensor = &s;
  if (r.velocity_enu_mps) {
    if (!r.velocity_enu_mps->allFinite() || r.velocity_enu_mps->norm() > cfg_.max_speed_mps)
      return Rejection::kImpossibleVelocity;
  }
  if (r.baro_alt_m) {
    if (!std::isfinite(*r.baro_alt_m) || *r.baro_alt_m < cfg_.min_pressure_altitude_m ||
        *r.baro_alt_m > cfg_.max_pressure_altitude_m)
      return Rejection::kImpossiblePressureAltitude;
    const double q =
        (r.sensor_kind == SensorKind::kSsr ? kModeCQuantum_ft : kModeSQuantum_ft) * kFt;
    p.baro_m = *r.baro_alt_m;
    p.baro_var = q * q / 12 + cfg_.pressure_altitude_sigma_m * cfg_.pressure_altitude_sigma_m;
  }
  const Rejection why = std::holds_alternative<PolarMeasurement>(r.measurement)
                            ? prepare_polar(r, std::get<PolarMeasurement>(r.measurement), s, p)
                            : prepare_geodetic(r, s, p);
  if (why != Rejection::kNone) return why;
  if (r.velocity_enu_mps) {
    p.velocity = estimation::TrackingFrame::local_to_plane(
        Eigen::Vector2d(r.velocity_enu_mps->head<2>()), p.local);
    const double sv = cfg_.default_velocity_sigma_mps;
    Eigen::Matrix2d vc = Eigen::Matrix2d::Identity() * (sv * sv);  // 2 m/s default
    if (r.velocity_covariance && r.velocity_covariance->allFinite() &&
        (*r.velocity_covariance)(0, 0) > 0)
      vc = r.velocity_covariance->topLeftCorner<2, 2>();
    p.velocity_cov = estimation::TrackingFrame::local_to_plane(vc, p.local);
    p.vertical_rate = r.velocity_enu_mps->z();
  }
  return Rejection::kNone;
}

Rejection MeasurementPreparer::prepare_polar(const Report& r, const PolarMeasurement& m,
                                             const SensorInfo& s, Prepared& p) const {
  if (!s.radar) return Rejection::kPolarFromNonRadar;
  if (!std::isfinite(m.range_m) || m.range_m <= 0 || m.range_m > cfg_.max_plot_range_m ||
      !std::isfinite(m.azimuth_rad) || !m.covariance.allFinite() ||
      (m.elevation_rad && !std::isfinite(*m.elevation_rad)))
    return Rejection::kImpossibleRangeAzimuth;
  p.polar = true;
  p.range_m = m.range_m;
  p.azimuth_rad = m.azimuth_rad;
  p.sigma_range_m = m.covariance(0, 0) > 0
                        ? std::sqrt(m.covariance(0, 0))
                        : std::max(s.sensor.sigma_range_m, cfg_.min_sigma_range_m);
  p.sigma_azimuth_rad = m.covariance(1, 1) > 0
                            ? std::sqrt(m.covariance(1, 1))
                            : std::max(s.sensor.sigma_azimuth_rad, cfg_.min_sigma_azimuth_rad);
  if (cfg_.registration) {
    if (auto b = registration_.bias(r.sensor)) {
      p.range_m -= b->range_correction_m(m.range_m);
      p.azimuth_rad -= b->azimuth_rad;
    }
  }
  if (m.elevation_rad) {
    const double el = *m.elevation_rad;
    const double sig_e = m.covariance(2, 2) > 0
                             ? std::sqrt(m.covariance(2, 2))
                             : std::max(s.sensor.sigma_elevation_rad, cfg_.min_sigma_elevation_rad);
    const GeodeticPosition g = s.radar->reverse_with_elevation(p.range_m, p.azimuth_rad, el);
    p.geometric_h = g.alt_m;
    p.geometric_var =
        std::pow(p.range_m * std::cos(el) * sig_e, 2) + std::pow(std::sin(el) * p.sigma_range_m, 2);
    if (!place(s, p, g.alt_m, 0.0)) return Rejection::kRangeBelowHeight;
    // Ground-range uncertainty from the elevation error as well.
    Eigen::Vector2d u = p.xy - s.site_xy;
    if (u.norm() > 1) {
      u.normalize();
      p.cov += std::pow(p.range_m * std::sin(el) * sig_e, 2) * u * u.transpose();
    }
  } else if (p.baro_m) {
    const double h = *p.baro_m + offsets_.offset_m(*p.baro_m);
    if (!place(s, p, h, p.baro_var + offsets_.variance_m2(*p.baro_m)))
      return Rejection::kRangeBelowHeight;
  } else {
    p.needs_height = true;
    if (!place(s, p, cfg_.default_height_m,
               cfg_.default_height_sigma_m * cfg_.default_height_sigma_m)) {
      // Close-in plot below the default height: try the site height.
      if (!place(s, p, s.sensor.site.alt_m + cfg_.close_in_height_above_site_m,
                 cfg_.close_in_height_var_m2))
        return Rejection::kRangeBelowHeight;
    }
  }
  return Rejection::kNone;
}

Rejection MeasurementPreparer::prepare_geodetic(const Report& r, const SensorInfo& s,
                                                Prepared& p) const {
  const auto& g = std::get<GeodeticMeasurement>(r.measurement);
  if (!std::isfinite(g.position.lat_deg) || std::abs(g.position.lat_deg) > 90 ||
      !std::isfinite(g.position.lon_deg) || !g.covariance_enu.allFinite() ||
      (g.has_height &&
       (!std::isfinite(g.position.alt_m) || std::abs(g.position.alt_m) > cfg_.max_abs_height_m)))
    return Rejection::kImpossiblePosition;
  const estimation::PlanePoint pp = frame_.to_plane(g.position.lat_deg, g.position.lon_deg);
  p.xy = pp.xy;
  p.local = pp.local;
  Eigen::Matrix2d c = g.covariance_enu.topLeftCorner<2, 2>();
  // No accuracy claimed, or only an integrity bound (ADS-B TC 18 / NIC 0
  // gives 40 NM): the sensor's configured accuracy instead.
  if (!(c(0, 0) > 0) || !(c(1, 1) > 0) ||
      (r.sensor_kind == SensorKind::kAdsb && !r.nacp && c.trace() > cfg_.integrity_only_trace_m2)) {
    const double sig =
        s.sensor.sigma_position_m > 0 ? s.sensor.sigma_position_m : cfg_.default_position_sigma_m;
    c = Eigen::Matrix2d::Identity() * sig * sig;
  }
  p.cov = estimation::TrackingFrame::local_to_plane(c, pp.local);
  if (g.has_height) {
    p.geometric_h = g.position.alt_m;
    p.geometric_var =
        g.covariance_enu(2, 2) > 0 && g.covariance_enu(2, 2) < cfg_.max_geometric_height_var_m2
            ? g.covariance_enu(2, 2)
            : cfg_.default_geometric_height_var_m2;
  }
  return Rejection::kNone;
}

}  // namespace skyfuse::tracking
