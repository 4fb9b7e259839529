#include "sim/simulator.hpp"

#include <Eigen/Cholesky>
#include <Eigen/LU>
#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/quality.hpp"
#include "geo/atmosphere.hpp"
#include "geo/radar_model.hpp"
#include "geo/wgs84.hpp"
#include "sim/rng.hpp"

namespace skyfuse::sim {

// The pressure altitude a barometric altimeter reads at this height above the
// ellipsoid: through the scenario's atmosphere, or its constant offset.
double pressure_altitude_m(const Scenario& sc, double height_m) {
  if (!sc.atmosphere) return height_m - sc.geometric_minus_baro_m;
  return geo::Atmosphere(*sc.atmosphere).pressure_altitude_m(height_m);
}

namespace {
double baro_of(const Scenario& sc, double height_m) { return pressure_altitude_m(sc, height_m); }
constexpr double kDeg = std::numbers::pi / 180.0;
constexpr double kTwoPi = 2 * std::numbers::pi;
constexpr double kFt = 0.3048;
constexpr double kSpeedOfLight = 299792458.0;

double wrap_2pi(double a) {
  a = std::fmod(a, kTwoPi);
  return a < 0 ? a + kTwoPi : a;
}

double quantize(double value, double step) { return std::round(value / step) * step; }

// Offsets a position by a small east/north/up displacement (noise-sized).
GeodeticPosition displace(const GeodeticPosition& p, double de, double dn, double du) {
  const auto r = geo::curvature_radii(p.lat_deg);
  GeodeticPosition q = p;
  q.lat_deg += dn / (r.meridional_m + p.alt_m) / kDeg;
  q.lon_deg = geo::normalize_lon_deg(
      p.lon_deg + de / ((r.prime_vertical_m + p.alt_m) * std::cos(p.lat_deg * kDeg)) / kDeg);
  q.alt_m += du;
  return q;
}

void sort_by_time(std::vector<Report>& reports) {
  std::stable_sort(reports.begin(), reports.end(),
                   [](const Report& a, const Report& b) { return a.time < b.time; });
}

bool has_transponder(const Trajectory& t) {
  return t.equipage.transponder != Equipage::Transponder::kNone;
}

Time scenario_end(const Scenario& s) { return s.start + Duration::from_seconds(s.duration_s); }

// ---------------------------------------------------------------- radars ----

Feed simulate_radar(const RadarConfig& rc, SensorId id, const Scenario& sc, std::uint64_t seed) {
  Feed feed;
  feed.sensor = Sensor{id,
                       rc.name,
                       rc.kind,
                       rc.sac,
                       rc.sic,
                       rc.site,
                       rc.rotation_period_s,
                       rc.max_range_m,
                       rc.sigma_range_m,
                       rc.sigma_azimuth_deg * kDeg,
                       rc.sigma_elevation_deg * kDeg,
                       0};
  feed.sensor.refraction_k = rc.k_factor;  // its range model, as its ICD states
  feed.bias_range_m = rc.bias_range_m;
  feed.bias_azimuth_deg = rc.bias_azimuth_deg;
  feed.range_gain_ppm = rc.range_gain_ppm;
  feed.time_bias_s = rc.time_bias_s;
  Rng rng(Rng::derive(seed, "radar:" + rc.name));
  const geo::RadarModel model(rc.site, rc.k_factor);
  const bool three_d = rc.kind == SensorKind::kDroneRadar;
  const bool needs_transponder = rc.kind == SensorKind::kSsr || rc.kind == SensorKind::kModeSRadar;
  const double period = rc.rotation_period_s;
  const double theta0 = rc.start_azimuth_deg * kDeg;
  const Time end = scenario_end(sc);
  const auto n_scans = static_cast<std::int64_t>(std::ceil(sc.duration_s / period));
  Eigen::Matrix3d cov = Eigen::Matrix3d::Zero();
  cov(0, 0) = rc.sigma_range_m * rc.sigma_range_m;
  cov(1, 1) = std::pow(rc.sigma_azimuth_deg * kDeg, 2);
  if (three_d) cov(2, 2) = std::pow(rc.sigma_elevation_deg * kDeg, 2);

  auto at_fraction = [&](std::int64_t scan, double f) {
    return sc.start + Duration::from_seconds((static_cast<double>(scan) + f) * period);
  };
  for (std::int64_t scan = 0; scan < n_scans; ++scan) {
    for (const Trajectory& target : sc.targets) {
      if (target.equipage.phantom) continue;  // a broadcast, no object
      if (needs_transponder && !has_transponder(target)) continue;
      if (rc.kind == SensorKind::kModeSRadar &&
          target.equipage.transponder != Equipage::Transponder::kModeS)
        continue;
      // Solve beam azimuth(t) == target azimuth(t) within this scan.
      Time t = at_fraction(scan, 0);
      std::optional<TrajectorySample> s;
      bool ok = true;
      for (int iter = 0; iter < 4; ++iter) {
        s = target.at(t);
        if (!s) {
          // The target may appear or vanish during the scan: try mid-scan once.
          if (iter == 0) s = target.at(at_fraction(scan, 0.5));
          if (!s) {
            ok = false;
            break;
          }
        }
        const double az = model.forward(s->position).azimuth_rad;
        t = at_fraction(scan, wrap_2pi(az - theta0) / kTwoPi);
      }
      if (!ok || t > end) continue;
      s = target.at(t);
      if (!s) continue;
      const geo::Polar z = model.forward(s->position);
      double reach = rc.max_range_m;
      if (!needs_transponder) reach *= std::pow(std::max(target.equipage.rcs_m2, 1e-6), 0.25);
      if (z.range_m < rc.min_range_m || z.range_m > reach) continue;
      if (!model.visible(s->position, rc.min_elevation_deg * kDeg)) continue;
      if (!rng.bernoulli(rc.pd)) continue;
      PolarMeasurement m;
      m.range_m = z.range_m * (1 + rc.range_gain_ppm * 1e-6) + rc.bias_range_m +
                  rng.normal(0, rc.sigma_range_m);
      m.azimuth_rad = wrap_2pi(z.azimuth_rad +
                               (rc.bias_azimuth_deg + rng.normal(0, rc.sigma_azimuth_deg)) * kDeg);
      if (three_d) m.elevation_rad = z.elevation_rad + rng.normal(0, rc.sigma_elevation_deg) * kDeg;
      m.covariance = cov;
      Report r;
      r.time = t + Duration::from_seconds(rc.time_bias_s);
      r.sensor = id;
      r.sensor_kind = rc.kind;
      r.measurement = m;
      if (needs_transponder) {
        const double baro = baro_of(sc, s->position.alt_m);
        const double step_ft = rc.kind == SensorKind::kModeSRadar ? 25 : 100;
        r.baro_alt_m = quantize(baro / kFt, step_ft) * kFt;
        r.identity.mode3a = target.identity.mode3a;
        if (rc.kind == SensorKind::kModeSRadar) {
          r.identity.icao24 = target.identity.icao24;
          r.identity.callsign = target.identity.callsign;
        }
      }
      if (rc.split_plot_probability > 0 && rng.bernoulli(rc.split_plot_probability)) {
        Report split = r;
        auto& sm = std::get<PolarMeasurement>(split.measurement);
        const double side = rng.bernoulli(0.5) ? 1 : -1;
        sm.azimuth_rad =
            wrap_2pi(sm.azimuth_rad + side * rng.uniform(0.5, 1.5) * rc.split_azimuth_deg * kDeg);
        sm.range_m += rng.normal(0, rc.sigma_range_m);
        split.time = split.time + Duration::from_seconds(side * rng.uniform(0.5, 1.5) *
                                                         rc.split_azimuth_deg / 360 * period);
        feed.reports.push_back(std::move(split));
      }
      feed.reports.push_back(std::move(r));
    }
    // False plots: uniform over the covered area, timed by the beam.
    const std::uint32_t n_false = rng.poisson(rc.clutter_per_scan);
    for (std::uint32_t i = 0; i < n_false; ++i) {
      const double f = rng.uniform();
      const Time t = at_fraction(scan, f);
      if (t > end) continue;
      PolarMeasurement m;
      m.range_m =
          std::sqrt(rng.uniform(rc.min_range_m * rc.min_range_m, rc.max_range_m * rc.max_range_m));
      m.azimuth_rad = wrap_2pi(theta0 + kTwoPi * f);
      if (three_d) m.elevation_rad = rng.uniform(0, 20 * kDeg);
      m.covariance = cov;
      Report r;
      r.time = t;
      r.sensor = id;
      r.sensor_kind = rc.kind;
      r.measurement = m;
      feed.reports.push_back(std::move(r));
    }
    const bool replies = rc.kind == SensorKind::kSsr || rc.kind == SensorKind::kModeSRadar;
    const std::uint32_t n_replies =
        replies && rc.false_replies_per_scan > 0 ? rng.poisson(rc.false_replies_per_scan) : 0;
    for (std::uint32_t i = 0; i < n_replies; ++i) {
      const double f = rng.uniform();
      const Time t = at_fraction(scan, f);
      if (t > end) continue;
      PolarMeasurement m;
      m.range_m =
          std::sqrt(rng.uniform(rc.min_range_m * rc.min_range_m, rc.max_range_m * rc.max_range_m));
      m.azimuth_rad = wrap_2pi(theta0 + kTwoPi * f);
      m.covariance = cov;
      Report r;
      r.time = t;
      r.sensor = id;
      r.sensor_kind = rc.kind;
      r.measurement = m;
      r.identity.mode3a = static_cast<std::uint16_t>(rng.uniform(0, 4096));
      r.baro_alt_m = quantize(rng.uniform(0, 13000) / kFt, 100) * kFt;
      if (rc.kind == SensorKind::kModeSRadar)
        r.identity.icao24 = static_cast<std::uint32_t>(rng.uniform(1, 16777215));
      feed.reports.push_back(std::move(r));
    }
  }
  sort_by_time(feed.reports);
  return feed;
}

// ----------------------------------------------------------------- ADS-B ----

Feed simulate_adsb(const AdsbConfig& ac, SensorId id, const Scenario& sc, std::uint64_t seed) {
  Feed feed;
  feed.sensor.id = id;
  feed.sensor.name = ac.name;
  feed.sensor.kind = SensorKind::kAdsb;
  feed.sensor.sac = ac.sac;
  feed.sensor.sic = ac.sic;
  feed.sensor.site = ac.site;
  feed.sensor.max_range_m = ac.max_range_m;
  Rng rng(Rng::derive(seed, "adsb:" + ac.name));
  const geo::RadarModel radio(ac.site, geo::kStandardRefractionK);
  const Time end = scenario_end(sc);
  for (const Trajectory& target : sc.targets) {
    if (!target.equipage.adsb) continue;
    const double sigma_h = nacp_epu_m(target.equipage.nacp) / kCircular95;
    const double sigma_v = 1.5 * sigma_h;
    const double sigma_vel = nacv_bound_mps(target.equipage.nacv) / kCircular95;
    const Time begin = std::max(target.begin(), sc.start);
    Time t = begin + Duration::from_seconds(rng.uniform(0, ac.max_interval_s));
    const Time stop = std::min(target.end(), end);
    for (; t <= stop;
         t = t + Duration::from_seconds(rng.uniform(ac.min_interval_s, ac.max_interval_s))) {
      const auto s = target.at(t);
      if (!s) continue;
      if (rng.bernoulli(ac.dropout_probability)) continue;
      const geo::Polar z = radio.forward(s->position);
      if (z.range_m > ac.max_range_m || !radio.visible(s->position)) continue;
      GeodeticMeasurement m;
      const Eigen::Vector3d d = draw3(rng, sigma_h, sigma_h, sigma_v);
      m.position = displace(s->position, d.x(), d.y(), d.z());
      m.has_height = true;
      m.covariance_enu =
          Eigen::Vector3d(sigma_h * sigma_h, sigma_h * sigma_h, sigma_v * sigma_v).asDiagonal();
      Report r;
      r.time = t;
      r.sensor = id;
      r.sensor_kind = SensorKind::kAdsb;
      r.measurement = m;
      r.velocity_enu_mps = s->velocity_enu_mps + draw3(rng, sigma_vel, sigma_vel, 0.3);
      r.velocity_covariance =
          Eigen::Vector3d(sigma_vel * sigma_vel, sigma_vel * sigma_vel, 0.09).asDiagonal();
      r.baro_alt_m = quantize(baro_of(sc, s->position.alt_m) / kFt, 25) * kFt;
      r.identity = target.identity;
      r.identity.remote_id.clear();
      r.nacp = target.equipage.nacp;
      r.nic = target.equipage.nacp;  // NIC tracks NACp for a healthy GNSS source
      feed.reports.push_back(std::move(r));
    }
  }
  sort_by_time(feed.reports);
  return feed;
}

// ------------------------------------------------------ multilateration ----

Feed simulate_mlat(const MlatConfig& mc, SensorId id, const Scenario& sc, std::uint64_t seed) {
  Feed feed;
  feed.sensor.id = id;
  feed.sensor.name = mc.name;
  feed.sensor.kind = SensorKind::kMlat;
  feed.sensor.sac = mc.sac;
  feed.sensor.sic = mc.sic;
  if (!mc.receivers.empty()) feed.sensor.site = mc.receivers.front();
  feed.sensor.max_range_m = mc.max_range_m;
  feed.sensor.sigma_position_m = mc.sigma_toa_ns * 1e-9 * kSpeedOfLight;
  Rng rng(Rng::derive(seed, "mlat:" + mc.name));
  std::vector<geo::RadarModel> rx;
  std::vector<Eigen::Vector3d> rx_ecef;
  for (const auto& p : mc.receivers) {
    rx.emplace_back(p, geo::kStandardRefractionK);
    rx_ecef.push_back(geo::geodetic_to_ecef(p));
  }
  const double sigma_r = mc.sigma_toa_ns * 1e-9 * kSpeedOfLight;
  const Time end = scenario_end(sc);
  for (const Trajectory& target : sc.targets) {
    if (!has_transponder(target)) continue;
    const Time stop = std::min(target.end(), end);
    Time t =
        std::max(target.begin(), sc.start) + Duration::from_seconds(rng.uniform(0, mc.interval_s));
    for (; t <= stop; t = t + Duration::from_seconds(mc.interval_s)) {
      const auto s = target.at(t);
      if (!s) continue;
      const Eigen::Vector3d p = geo::geodetic_to_ecef(s->position);
      const Eigen::Matrix3d rot =
          geo::ecef_to_enu_rotation(s->position.lat_deg, s->position.lon_deg);
      std::vector<Eigen::Vector2d> dirs;
      for (std::size_t i = 0; i < rx.size(); ++i) {
        if ((p - rx_ecef[i]).norm() > mc.max_range_m || !rx[i].visible(s->position)) continue;
        const Eigen::Vector3d u = rot * (p - rx_ecef[i]).normalized();
        dirs.emplace_back(u.x(), u.y());
      }
      if (dirs.size() < 3) continue;  // 2-D fix with pressure altitude needs 3 receivers
      // TDOA against the first receiver: rows (u_i - u_0), noise covariance
      // sigma^2 (I + 1 1^T) from the shared reference. Position covariance is
      // the Cramer-Rao bound (H^T S^-1 H)^-1: it grows as geometry degrades.
      const auto n = static_cast<Eigen::Index>(dirs.size() - 1);
      Eigen::MatrixXd h(n, 2);
      for (Eigen::Index i = 0; i < n; ++i) h.row(i) = (dirs[i + 1] - dirs[0]).transpose();
      Eigen::MatrixXd s_tdoa = Eigen::MatrixXd::Identity(n, n) + Eigen::MatrixXd::Ones(n, n);
      s_tdoa *= sigma_r * sigma_r;
      const Eigen::Matrix2d info = h.transpose() * s_tdoa.ldlt().solve(h);
      if (std::abs(info.determinant()) < 1e-30) continue;
      const Eigen::Matrix2d cov = info.inverse();
      Eigen::LLT<Eigen::Matrix2d> llt(cov);
      if (llt.info() != Eigen::Success || cov.trace() > 1e8) continue;
      if (!rng.bernoulli(mc.pd)) continue;
      const double n2 = rng.normal();  // last first (draw3 above)
      const double n1 = rng.normal();
      const Eigen::Vector2d noise = llt.matrixL() * Eigen::Vector2d(n1, n2);
      GeodeticMeasurement m;
      m.position = displace(s->position, noise.x(), noise.y(), 0);
      m.has_height = false;
      m.covariance_enu.topLeftCorner<2, 2>() = cov;
      Report r;
      r.time = t;
      r.sensor = id;
      r.sensor_kind = SensorKind::kMlat;
      r.measurement = m;
      r.baro_alt_m = quantize(baro_of(sc, s->position.alt_m) / kFt, 25) * kFt;
      if (target.equipage.transponder == Equipage::Transponder::kModeS)
        r.identity.icao24 = target.identity.icao24;
      r.identity.mode3a = target.identity.mode3a;
      feed.reports.push_back(std::move(r));
    }
  }
  sort_by_time(feed.reports);
  return feed;
}

// ------------------------------------------------------------- Remote ID ----

Feed simulate_remote_id(const RemoteIdConfig& rc, SensorId id, const Scenario& sc,
                        std::uint64_t seed) {
  Feed feed;
  feed.sensor.id = id;
  feed.sensor.name = rc.name;
  feed.sensor.kind = SensorKind::kRemoteId;
  feed.sensor.sac = rc.sac;
  feed.sensor.sic = rc.sic;
  feed.sensor.site = rc.site;
  feed.sensor.max_range_m = rc.max_range_m;
  feed.sensor.sigma_position_m = rc.sigma_horizontal_m;
  Rng rng(Rng::derive(seed, "rid:" + rc.name));
  Rng rssi_rng(Rng::derive(seed, "rid-rssi:" + rc.name));  // its own: positions stay as they were
  const Eigen::Vector3d site = geo::geodetic_to_ecef(rc.site);
  const Time end = scenario_end(sc);
  for (const Trajectory& target : sc.targets) {
    if (!target.equipage.remote_id) continue;
    // The operator stays at the take-off point (Remote ID operator location
    // type 0): where the trajectory starts.
    std::optional<OperatorPosition> op;
    if (const auto s0 = target.at(target.begin()))
      op = OperatorPosition{s0->position.lat_deg, s0->position.lon_deg, s0->position.alt_m};
    const Time stop = std::min(target.end(), end);
    Time t =
        std::max(target.begin(), sc.start) + Duration::from_seconds(rng.uniform(0, rc.interval_s));
    const Eigen::Vector2d replay =
        target.equipage.remote_id_replay_offset_m.value_or(Eigen::Vector2d::Zero());
    const int copies = target.equipage.remote_id_replay_offset_m ? 2 : 1;
    for (; t <= stop; t = t + Duration::from_seconds(rc.interval_s)) {
      const auto truth = target.at(t);
      if (!truth) continue;
      for (int copy = 0; copy < copies; ++copy) {
        // The replaying transmitter claims the true track moved by `replay`.
        TrajectorySample sample = *truth;
        if (copy == 1) sample.position = displace(truth->position, replay.x(), replay.y(), 0);
        const auto* s = &sample;
        const double range_m = (geo::geodetic_to_ecef(s->position) - site).norm();
        if (range_m > rc.max_range_m) continue;
        if (!rng.bernoulli(rc.pd)) continue;
        GeodeticMeasurement m;
        const Eigen::Vector3d d =
            draw3(rng, rc.sigma_horizontal_m, rc.sigma_horizontal_m, rc.sigma_vertical_m);
        m.position = displace(s->position, d.x(), d.y(), d.z());
        m.has_height = true;
        m.covariance_enu = Eigen::Vector3d(rc.sigma_horizontal_m * rc.sigma_horizontal_m,
                                           rc.sigma_horizontal_m * rc.sigma_horizontal_m,
                                           rc.sigma_vertical_m * rc.sigma_vertical_m)
                               .asDiagonal();
        Report r;
        r.time = t;
        r.sensor = id;
        r.sensor_kind = SensorKind::kRemoteId;
        r.measurement = m;
        r.velocity_enu_mps = s->velocity_enu_mps + draw3(rng, 0.5, 0.5, 0.5);
        r.velocity_covariance = Eigen::Vector3d(0.25, 0.25, 0.25).asDiagonal();
        r.identity.remote_id =
            target.identity.remote_id.empty() ? target.id : target.identity.remote_id;
        r.operator_position = op;
        if (target.equipage.remote_id_zero_speed)
          r.velocity_enu_mps->head<2>() = Eigen::Vector2d::Zero();
        // Free-space loss: 20 log10(4 pi d f / c).
        const double fspl_db = 20 * std::log10(4 * std::numbers::pi * std::max(range_m, 1.0) *
                                               rc.frequency_mhz * 1e6 / 299792458.0);
        const double noise_db = rssi_rng.normal(0, rc.rssi_sigma_db);
        r.rssi_dbm = std::round(10 * (target.equipage.remote_id_rssi_dbm
                                          ? *target.equipage.remote_id_rssi_dbm
                                          : rc.tx_power_dbm - fspl_db + noise_db)) /
                     10;
        feed.reports.push_back(std::move(r));
      }
    }
  }
  sort_by_time(feed.reports);
  return feed;
}

}  // namespace

double nacv_bound_mps(std::uint8_t nacv) {
  switch (nacv) {
    case 1:
      return 10;
    case 2:
      return 3;
    case 3:
      return 1;
    case 4:
      return 0.3;
    default:
      return 15;
  }
}

SimOutput simulate(const Scenario& sc, std::uint64_t seed, const SimProgress& progress) {
  SimOutput out;
  const std::size_t parts = 1 + sc.radars.size() + sc.adsb.size() + sc.mlat.size() +
                            sc.remote_id.size() + sc.mlat_networks.size();
  std::size_t done = 0;
  auto part_done = [&] {
    if (progress) progress(++done, parts);
  };
  // Truth on the regular grid.
  const auto n_steps =
      static_cast<std::int64_t>(std::floor(sc.duration_s / sc.truth_interval_s + 1e-9));
  std::vector<const Trajectory*> by_id;
  for (const auto& t : sc.targets) by_id.push_back(&t);
  std::sort(by_id.begin(), by_id.end(), [](auto* a, auto* b) { return a->id < b->id; });
  for (std::int64_t k = 0; k <= n_steps; ++k) {
    const Time t = sc.start + Duration::from_seconds(static_cast<double>(k) * sc.truth_interval_s);
    for (const Trajectory* target : by_id) {
      const auto s = target->at(t);
      if (!s) continue;
      ObjectState o;
      o.time = t;
      o.id = target->id;
      o.position = s->position;
      o.velocity_enu_mps = s->velocity_enu_mps;
      o.target_class = target->target_class;
      o.identity = target->identity;
      o.baro_alt_m = baro_of(sc, s->position.alt_m);
      out.truth.push_back(std::move(o));
    }
  }
  part_done();
  SensorId next_id = 1;
  for (const auto& rc : sc.radars) {
    out.feeds.push_back(simulate_radar(rc, next_id++, sc, seed));
    part_done();
  }
  for (const auto& ac : sc.adsb) {
    out.feeds.push_back(simulate_adsb(ac, next_id++, sc, seed));
    part_done();
  }
  for (const auto& mc : sc.mlat) {
    out.feeds.push_back(simulate_mlat(mc, next_id++, sc, seed));
    part_done();
  }
  for (const auto& rc : sc.remote_id) {
    out.feeds.push_back(simulate_remote_id(rc, next_id++, sc, seed));
    part_done();
  }
  for (const auto& nc : sc.mlat_networks) {
    out.networks.push_back(simulate_network(nc, sc, seed));
    part_done();
  }
  return out;
}

}  // namespace skyfuse::sim
