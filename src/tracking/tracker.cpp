#include "tracking/tracker.hpp"

#include <absl/container/flat_hash_map.h>
#include <fmt/format.h>

#include <Eigen/Cholesky>
#include <Eigen/LU>
#include <algorithm>
#include <boost/container/small_vector.hpp>
#include <cmath>
#include <limits>
#include <numbers>
#include <queue>
#include <string>
#include <unordered_map>

#include "association/gnn.hpp"
#include "association/grid.hpp"
#include "estimation/frame.hpp"
#include "estimation/imm.hpp"
#include "estimation/vertical_filter.hpp"
#include "geo/radar_model.hpp"
#include "tracking/classifier.hpp"
#include "tracking/height_offset.hpp"
#include "tracking/interval_learner.hpp"
#include "tracking/lifecycle.hpp"

namespace skyfuse::tracking {

namespace {
using estimation::Imm;
using estimation::StateCov;
using estimation::StateVec;
using estimation::VerticalFilter;

constexpr double kFt = 0.3048;
constexpr double kPi = std::numbers::pi;
constexpr double kHeightGateNis = 25.0;
// A track keeps the offset its own geometric heights gave this long after them.
constexpr double kOwnOffsetMemory_s = 60.0;
constexpr std::size_t kMaxMessages = 20;

double wrap_pi(double a) { return std::remainder(a, 2 * kPi); }

bool is_reference(SensorKind k) { return k == SensorKind::kAdsb || k == SensorKind::kMlat; }
bool is_drone_sensor(SensorKind k) {
  return k == SensorKind::kDroneRadar || k == SensorKind::kRemoteId;
}

struct SensorInfo {
  Sensor sensor;
  std::unique_ptr<geo::RadarModel> radar;
  Eigen::Vector2d site_xy = Eigen::Vector2d::Zero();
  double interval_s = 1;
  std::unique_ptr<IntervalLearner> learner;  // sensors without a rotation period
  double batch_window_s = 0;
  double area_m2 = 0;       // covered area, for the clutter density
  double unassociated = 0;  // anonymous plots that started tracks (decaying count)
  Time first_time;
  bool seen = false;
  // Clutter density estimate [1/m^2 per scan]: unassociated plots per scan per area.
  double clutter_density(Time now) const {
    const double span = seen ? std::max((now - first_time).seconds(), interval_s) : interval_s;
    const double scans = span / interval_s;
    return std::max(unassociated / std::max(scans, 1.0) / area_m2, 1e-13);
  }
};

// A report ready for gating: its plane position and covariance (for a 2-D
// radar plot without Mode C, at the reference height; recomputed per track).
struct Prepared {
  const Report* report = nullptr;
  const SensorInfo* sensor = nullptr;
  bool polar = false;
  bool needs_height = false;            // 2-D plot without Mode C: position depends on track height
  double range_m = 0, azimuth_rad = 0;  // registration-corrected
  double sigma_range_m = 0, sigma_azimuth_rad = 0;
  Eigen::Vector2d xy = Eigen::Vector2d::Zero();
  Eigen::Matrix2d cov = Eigen::Matrix2d::Identity();
  geo::Convergence local;  // the local-to-plane map at the report
  std::optional<Eigen::Vector2d> velocity;
  Eigen::Matrix2d velocity_cov = Eigen::Matrix2d::Identity();
  std::optional<double> vertical_rate;
  std::optional<double> geometric_h;
  double geometric_var = 0;
  std::optional<double> baro_m;
  double baro_var = 0;
};

constexpr std::size_t kInlineSensors = 4;

struct TrackRec {
  std::uint32_t number = 0;
  bool alive = false;
  Time time;  // time of the filter state
  Imm imm;
  VerticalFilter vert;
  bool seen_geometric = false;
  bool seen_baro = false;
  TrackStatus status = TrackStatus::kTentative;
  int hits = 0;
  Time first_update, last_update, last_reference;
  Identity identity;
  bool emergency = false;  // from the last ADS-B report
  bool in_icao_map = false;
  bool in_rid_map = false;
  // Sensors that updated it and when (inline for up to four: no heap block
  // to fetch on every update).
  boost::container::small_vector<std::pair<SensorId, Time>, kInlineSensors> sensors;
  double interval_s = 4;
  ClassEvidence evidence;
  TargetClass cls = TargetClass::kUnknown;
  double class_confidence = 0;
  int merge_count = 0;
  double score = 0;  // log-likelihood ratio, target vs clutter
  // The last ADS-B/MLAT fix alone (registration reference, free of radar plots).
  Eigen::Vector2d ref_xy = Eigen::Vector2d::Zero();
  Eigen::Vector2d ref_velocity = Eigen::Vector2d::Zero();
  double ref_var = 0;
  bool ref_has_velocity = false;
  SensorId last_radar = 0;  // last radar whose plot updated it
  bool height_known() const { return seen_geometric || seen_baro; }
  bool identified() const { return identity.icao24.has_value() || !identity.remote_id.empty(); }
  // Reports that carried its address or serial. One alone is not trusted: a
  // garbled Mode S reply or a false reply carries an address no aircraft has.
  int identity_hits = 0;
  bool corroborated() const { return identified() && identity_hits >= 2; }
};

// What gating, the duplicate check and the per-second maintenance read of
// every nearby or live track, packed per slot (about 100 bytes, contiguous):
// they scan many tracks and act on few, so they read this instead of the
// 1.5 KB TrackRec (filter state and all). Refreshed wherever the track's
// filter, status or identity maps change (summarise()).
struct TrackSummary {
  Time time;  // of the filter state
  Time last_update;
  double x = 0, y = 0, vx = 0, vy = 0;
  double sigma_pos_m = 0;    // sqrt(P_xx + P_yy)
  double sigma_vel_mps = 0;  // sqrt(P_vxvx + P_vyvy)
  double interval_s = 0;
  double baro_offset_m = 0;   // vert.offset()
  double pressure_alt_m = 0;  // vert.height() - vert.offset()
  TrackStatus status = TrackStatus::kTentative;
  bool alive = false;
  bool canonical = false;     // holds its address or serial
  bool offset_known = false;  // seen geometric and baro heights, hits > 5

  // Squared distance from `xy` to the track moved at its velocity to `at`.
  double distance2(Time at, const Eigen::Vector2d& xy) const {
    const double dt = (at - time).seconds();
    const double ex = x + vx * dt - xy.x(), ey = y + vy * dt - xy.y();
    return ex * ex + ey * ey;
  }
};

// The reorder buffer holds reports in a slab (slots reused, so a report's
// strings keep their capacity) and orders small keys in a heap: sifting moves
// 24 bytes, not a whole Report.
struct HeapItem {
  Time time;
  SensorId sensor = 0;
  std::uint32_t slot = 0;
  std::uint64_t seq = 0;
};
struct HeapLater {
  bool operator()(const HeapItem& a, const HeapItem& b) const {
    if (a.time != b.time) return a.time > b.time;
    if (a.sensor != b.sensor) return a.sensor > b.sensor;
    return a.seq > b.seq;
  }
};

}  // namespace

struct Tracker::Impl {
  TrackerConfig cfg;
  estimation::TrackingFrame frame;
  std::vector<SensorInfo> sensors;
  std::unordered_map<SensorId, std::size_t> sensor_index;
  std::vector<TrackRec> tracks;
  std::vector<TrackSummary> summary;  // per slot, beside `tracks`
  std::vector<std::uint32_t> free_slots;
  association::GridIndex grid{8000.0};
  absl::flat_hash_map<std::uint32_t, std::uint32_t> by_icao;
  std::unordered_map<std::string, std::uint32_t> by_rid;
  std::unordered_map<std::uint32_t, std::pair<std::uint32_t, Time>> number_memory;  // icao
  std::uint32_t next_number = 1;
  std::priority_queue<HeapItem, std::vector<HeapItem>, HeapLater> heap;
  std::vector<Report> slab;  // queued reports, indexed by HeapItem::slot
  std::vector<std::uint32_t> free_slab;
  std::uint64_t seq = 0;
  Time newest;
  Time now_;
  bool started = false;
  Time last_maintain;
  Registration registration;
  HeightOffsetModel offsets;  // geometric height - pressure altitude, by pressure altitude
  TrackerStats stats;
  std::vector<std::string> errors;
  std::vector<ObjectState> pending;
  std::vector<HeapItem> ready;
  std::vector<char> consumed;

  Impl(TrackerConfig c, std::vector<Sensor> list)
      : cfg(std::move(c)),
        frame(cfg.origin ? *cfg.origin : centre(list)),
        registration(cfg.registration_memory, cfg.registration_min_samples),
        offsets(cfg.atmosphere, cfg.atmosphere_given) {
    for (Sensor& s : list) {
      SensorInfo info;
      info.sensor = std::move(s);
      if (is_radar(info.sensor.kind))
        info.radar = std::make_unique<geo::RadarModel>(info.sensor.site, info.sensor.refraction_k);
      info.site_xy = frame.to_plane(info.sensor.site.lat_deg, info.sensor.site.lon_deg).xy;
      info.interval_s = info.sensor.rotation_period_s > 0       ? info.sensor.rotation_period_s
                        : info.sensor.kind == SensorKind::kAdsb ? 2.0
                                                                : 1.0;
      info.batch_window_s = info.sensor.rotation_period_s > 0 ? cfg.batch_window_s : 0.0;
      if (info.sensor.rotation_period_s <= 0)
        info.learner = std::make_unique<IntervalLearner>(info.interval_s);
      const double range = info.sensor.max_range_m > 0 ? info.sensor.max_range_m : 200e3;
      info.area_m2 = kPi * range * range;
      sensor_index[info.sensor.id] = sensors.size();
      sensors.push_back(std::move(info));
    }
  }

  static GeodeticPosition centre(const std::vector<Sensor>& list) {
    if (list.empty()) return {};
    double lat = 0, lon = 0;
    for (const Sensor& s : list) {
      lat += s.site.lat_deg;
      lon += s.site.lon_deg;
    }
    return {lat / static_cast<double>(list.size()), lon / static_cast<double>(list.size()), 0};
  }

  void reject(const Report& r, const std::string& why) {
    ++stats.rejected;
    if (errors.size() < kMaxMessages) {
      auto it = sensor_index.find(r.sensor);
      const std::string name =
          it == sensor_index.end() ? fmt::format("#{}", r.sensor) : sensors[it->second].sensor.name;
      errors.push_back(
          fmt::format("sensor {} source {} offset {}: {}", name, r.source, r.source_offset, why));
    }
  }

  // ------------------------------------------------------------ conversions

  // Radar plot -> plane position and covariance, given the target height.
  bool polar_to_plane(const SensorInfo& s, Prepared& p, double h, double var_h) const {
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
    p.cov(0, 0) += 1.0;  // floor: 1 m
    p.cov(1, 1) += 1.0;
    return true;
  }

  // ------------------------------------------------------------ prepare

  bool prepare(const Report& r, Prepared& p) {
    auto it = sensor_index.find(r.sensor);
    if (it == sensor_index.end()) {
      reject(r, "unknown sensor");
      return false;
    }
    SensorInfo& s = sensors[it->second];
    if (s.learner) {
      const std::uint64_t key = r.identity.icao24 ? *r.identity.icao24 + 1
                                : !r.identity.remote_id.empty()
                                    ? std::hash<std::string>{}(r.identity.remote_id) | 1
                                    : 0;
      s.learner->observe(key, r.time);
      s.interval_s = s.learner->interval_s();
    }
    p = Prepared{};
    p.report = &r;
    p.sensor = &s;
    if (r.velocity_enu_mps) {
      if (!r.velocity_enu_mps->allFinite() || r.velocity_enu_mps->norm() > cfg.max_speed_mps) {
        reject(r, "impossible velocity");
        return false;
      }
    }
    if (r.baro_alt_m) {
      if (!std::isfinite(*r.baro_alt_m) || *r.baro_alt_m < -1000 || *r.baro_alt_m > 40000) {
        reject(r, "impossible pressure altitude");
        return false;
      }
      const double q = (r.sensor_kind == SensorKind::kSsr ? 100.0 : 25.0) * kFt;
      p.baro_m = *r.baro_alt_m;
      p.baro_var = q * q / 12 + 64;
    }
    if (const auto* m = std::get_if<PolarMeasurement>(&r.measurement)) {
      if (!s.radar) {
        reject(r, "polar plot from a non-radar sensor");
        return false;
      }
      if (!std::isfinite(m->range_m) || m->range_m <= 0 || m->range_m > 2e6 ||
          !std::isfinite(m->azimuth_rad) || !m->covariance.allFinite() ||
          (m->elevation_rad && !std::isfinite(*m->elevation_rad))) {
        reject(r, "impossible range/azimuth");
        return false;
      }
      p.polar = true;
      p.range_m = m->range_m;
      p.azimuth_rad = m->azimuth_rad;
      p.sigma_range_m = m->covariance(0, 0) > 0 ? std::sqrt(m->covariance(0, 0))
                                                : std::max(s.sensor.sigma_range_m, 1.0);
      p.sigma_azimuth_rad = m->covariance(1, 1) > 0 ? std::sqrt(m->covariance(1, 1))
                                                    : std::max(s.sensor.sigma_azimuth_rad, 1e-4);
      if (cfg.registration) {
        if (auto b = registration.bias(r.sensor)) {
          p.range_m -= b->range_m;
          p.azimuth_rad -= b->azimuth_rad;
        }
      }
      if (m->elevation_rad) {
        const double el = *m->elevation_rad;
        const double sig_e = m->covariance(2, 2) > 0 ? std::sqrt(m->covariance(2, 2))
                                                     : std::max(s.sensor.sigma_elevation_rad, 1e-3);
        const GeodeticPosition g = s.radar->reverse_with_elevation(p.range_m, p.azimuth_rad, el);
        p.geometric_h = g.alt_m;
        p.geometric_var = std::pow(p.range_m * std::cos(el) * sig_e, 2) +
                          std::pow(std::sin(el) * p.sigma_range_m, 2);
        if (!polar_to_plane(s, p, g.alt_m, 0.0)) {
          reject(r, "range shorter than the height difference");
          return false;
        }
        // Ground-range uncertainty from the elevation error as well.
        Eigen::Vector2d u = p.xy - s.site_xy;
        if (u.norm() > 1) {
          u.normalize();
          p.cov += std::pow(p.range_m * std::sin(el) * sig_e, 2) * u * u.transpose();
        }
      } else if (p.baro_m) {
        const double h = *p.baro_m + offsets.offset_m(*p.baro_m);
        if (!polar_to_plane(s, p, h, p.baro_var + offsets.variance_m2(*p.baro_m))) {
          reject(r, "range shorter than the height difference");
          return false;
        }
      } else {
        p.needs_height = true;
        if (!polar_to_plane(s, p, cfg.default_height_m,
                            cfg.default_height_sigma_m * cfg.default_height_sigma_m)) {
          // Close-in plot below the default height: try the site height.
          if (!polar_to_plane(s, p, s.sensor.site.alt_m + 100, 1e6)) {
            reject(r, "range shorter than the height difference");
            return false;
          }
        }
      }
    } else {
      const auto& g = std::get<GeodeticMeasurement>(r.measurement);
      if (!std::isfinite(g.position.lat_deg) || std::abs(g.position.lat_deg) > 90 ||
          !std::isfinite(g.position.lon_deg) || !g.covariance_enu.allFinite() ||
          (g.has_height &&
           (!std::isfinite(g.position.alt_m) || std::abs(g.position.alt_m) > 1e5))) {
        reject(r, "impossible position");
        return false;
      }
      const estimation::PlanePoint pp = frame.to_plane(g.position.lat_deg, g.position.lon_deg);
      p.xy = pp.xy;
      p.local = pp.local;
      Eigen::Matrix2d c = g.covariance_enu.topLeftCorner<2, 2>();
      // No accuracy claimed, or only an integrity bound (ADS-B TC 18 / NIC 0
      // gives 40 NM): the sensor's configured accuracy instead.
      if (!(c(0, 0) > 0) || !(c(1, 1) > 0) ||
          (r.sensor_kind == SensorKind::kAdsb && !r.nacp && c.trace() > 2e6)) {
        const double sig = s.sensor.sigma_position_m > 0 ? s.sensor.sigma_position_m : 150.0;
        c = Eigen::Matrix2d::Identity() * sig * sig;
      }
      p.cov = estimation::TrackingFrame::local_to_plane(c, pp.local);
      if (g.has_height) {
        p.geometric_h = g.position.alt_m;
        p.geometric_var = g.covariance_enu(2, 2) > 0 && g.covariance_enu(2, 2) < 1e6
                              ? g.covariance_enu(2, 2)
                              : 2500.0;
      }
    }
    if (r.velocity_enu_mps) {
      p.velocity = estimation::TrackingFrame::local_to_plane(
          Eigen::Vector2d(r.velocity_enu_mps->head<2>()), p.local);
      Eigen::Matrix2d vc = Eigen::Matrix2d::Identity() * 4.0;  // 2 m/s default
      if (r.velocity_covariance && r.velocity_covariance->allFinite() &&
          (*r.velocity_covariance)(0, 0) > 0)
        vc = r.velocity_covariance->topLeftCorner<2, 2>();
      p.velocity_cov = estimation::TrackingFrame::local_to_plane(vc, p.local);
      p.vertical_rate = r.velocity_enu_mps->z();
    }
    return true;
  }

  // ------------------------------------------------------------ gate

  struct GatePrediction {
    Eigen::Vector2d xy;
    Eigen::Matrix2d cov;
  };

  // Constant-acceleration extrapolation of the combined estimate, F = [I, dt I,
  // dt^2/2 I] on (p, v, a), written out: F P F' on 2x2 blocks.
  GatePrediction gate_prediction(const TrackRec& t, Time at) const {
    const double dt = (at - t.time).seconds();
    const double h = 0.5 * dt * dt;
    const StateVec& x = t.imm.state();
    const auto block = [&](int r, int c) {
      Eigen::Matrix2d b;
      b << t.imm.covariance(r, c), t.imm.covariance(r, c + 1), t.imm.covariance(r + 1, c),
          t.imm.covariance(r + 1, c + 1);
      return b;
    };
    GatePrediction g;
    g.xy = x.head<2>() + dt * x.segment<2>(2) + h * x.segment<2>(4);
    const Eigen::Matrix2d pp = block(0, 0), pv = block(0, 2), pa = block(0, 4), vv = block(2, 2),
                          va = block(2, 4), aa = block(4, 4);
    const double q = cfg.gate_accel_mps2 * h;
    g.cov = pp + dt * (pv + pv.transpose()) + h * (pa + pa.transpose()) + (dt * dt) * vv +
            (dt * h) * (va + va.transpose()) + (h * h) * aa;
    g.cov.diagonal().array() += q * q + 1.0;
    return g;
  }

  double predicted_height(const TrackRec& t, Time at) const {
    return t.vert.height() + t.vert.rate() * (at - t.time).seconds();
  }

  // A discrete (non-conspicuity) Mode 3/A code shared by plot and track.
  static bool discrete_code_match(const Prepared& p, const TrackRec& t) {
    const auto& a = p.report->identity.mode3a;
    if (!a || !t.identity.mode3a || *a != *t.identity.mode3a) return false;
    return discrete_code(*a);
  }
  static bool discrete_code(std::uint16_t code) {
    switch (code) {
      case 01000:
      case 02000:
      case 07000:
      case 01200:
      case 00000:
      case 07500:
      case 07600:
      case 07700:
        return false;
      default:
        return true;
    }
  }

  // Identity and height compatibility; false excludes the pair.
  bool compatible(const Prepared& p, const TrackRec& t, double& penalty) const {
    const Identity& a = p.report->identity;
    if (a.icao24 && t.identity.icao24 && *a.icao24 != *t.identity.icao24) return false;
    if (!a.remote_id.empty() && !t.identity.remote_id.empty() &&
        a.remote_id != t.identity.remote_id)
      return false;
    penalty = 0;
    if (a.mode3a && t.identity.mode3a && *a.mode3a != *t.identity.mode3a) penalty += 6;
    if (discrete_code_match(p, t)) penalty -= 3;
    if (p.baro_m && (t.seen_baro || t.seen_geometric)) {
      const double nis = t.vert.nis_baro(*p.baro_m, p.baro_var);
      if (nis > kHeightGateNis && std::abs(*p.baro_m - (t.vert.height() - t.vert.offset())) > 400)
        return false;
    }
    if (p.geometric_h && (t.seen_baro || t.seen_geometric)) {
      const double nis = t.vert.nis_geometric(*p.geometric_h, p.geometric_var);
      if (nis > kHeightGateNis && std::abs(*p.geometric_h - t.vert.height()) > 600) return false;
    }
    return true;
  }

  // Position of the report for this track (2-D plots take the track height).
  // `dxy_dh`, when given, receives how the plot's plane position moves per
  // metre of assumed height (non-zero only for 2-D plots placed at the
  // track's height).
  bool measurement_for(const Prepared& p, const TrackRec& t, Time at, Eigen::Vector2d& xy,
                       Eigen::Matrix2d& cov, Eigen::Vector2d* dxy_dh = nullptr) const {
    if (dxy_dh) dxy_dh->setZero();
    if (!p.needs_height || !(t.seen_baro || t.seen_geometric || t.hits >= 2)) {
      xy = p.xy;
      cov = p.cov;
      return true;
    }
    Prepared q = p;
    const double h = predicted_height(t, at);
    if (!polar_to_plane(*p.sensor, q, h, t.vert.covariance()(0, 0))) return false;
    xy = q.xy;
    cov = q.cov;
    if (dxy_dh) {
      const double dh = h - p.sensor->sensor.site.alt_m;
      const double ground = std::sqrt(std::max(p.range_m * p.range_m - dh * dh, 1.0));
      Eigen::Vector2d u = q.xy - p.sensor->site_xy;
      if (u.norm() > 1) *dxy_dh = -(dh / ground) * u.normalized();
    }
    return true;
  }

  // The height a report gives its target, if any.
  std::optional<double> report_height(const Prepared& p) const {
    if (p.geometric_h) return *p.geometric_h;
    if (p.baro_m) return *p.baro_m + offsets.offset_m(*p.baro_m);
    return std::nullopt;
  }

  // A track of 2-D plots only sits where its radar's ranges put it at a
  // guessed height; where it would sit at height `h` (same slant range and
  // azimuth from that radar).
  Eigen::Vector2d at_height(const TrackRec& t, const Eigen::Vector2d& xy, double h_now,
                            double h) const {
    if (t.last_radar == 0) return xy;
    const SensorInfo& si = sensors[sensor_index.at(t.last_radar)];
    if (!si.radar) return xy;
    const geo::Polar z = si.radar->forward(frame.from_plane(xy, h_now));
    const auto g = si.radar->reverse_with_height(z.range_m, z.azimuth_rad, h);
    if (!g) return xy;
    return frame.to_plane(g->lat_deg, g->lon_deg).xy;
  }

  std::optional<double> gate_nis(const Prepared& p, const TrackRec& t, double limit) const {
    const Time at = p.report->time;
    GatePrediction g = gate_prediction(t, at);
    if (!t.height_known())
      if (const auto h = report_height(p)) g.xy = at_height(t, g.xy, predicted_height(t, at), *h);
    Eigen::Vector2d xy;
    Eigen::Matrix2d cov;
    if (!measurement_for(p, t, at, xy, cov)) return std::nullopt;
    const Eigen::Matrix2d s = g.cov + cov;
    Eigen::LLT<Eigen::Matrix2d> llt(s);
    if (llt.info() != Eigen::Success) return std::nullopt;
    const Eigen::Vector2d nu = xy - g.xy;
    if (nu.squaredNorm() > std::pow(search_radius(t, at), 2)) return std::nullopt;
    const double nis = nu.dot(llt.solve(nu));
    if (!(nis < limit)) return std::nullopt;
    return nis;
  }

  // How far from its extrapolated position a track looks for reports: five
  // sigmas of position and velocity, the manoeuvre allowance, 2 km.
  double search_radius(double sigma_pos_m, double sigma_vel_mps, Time from, Time at) const {
    const double dt = std::abs((at - from).seconds());
    return std::min(
        5 * (sigma_pos_m + sigma_vel_mps * dt) + 0.5 * cfg.gate_accel_mps2 * dt * dt + 2000,
        cfg.max_gate_m);
  }
  double search_radius(const TrackRec& t, Time at) const {
    const Imm& f = t.imm;
    return search_radius(std::sqrt(f.covariance(0, 0) + f.covariance(1, 1)),
                         std::sqrt(f.covariance(2, 2) + f.covariance(3, 3)), t.time, at);
  }
  double search_radius(const TrackSummary& g, Time at) const {
    return search_radius(g.sigma_pos_m, g.sigma_vel_mps, g.time, at);
  }

  int radars_feeding(const TrackRec& t, Time at) const {
    int n = 0;
    for (const auto& [sid, when] : t.sensors)
      if ((at - when).seconds() < 30 && sensors[sensor_index.at(sid)].radar) ++n;
    return n;
  }

  // ------------------------------------------------------------ lifecycle helpers

  void summarise(std::uint32_t slot) {
    const TrackRec& t = tracks[slot];
    if (summary.size() < tracks.size()) summary.resize(tracks.size());
    TrackSummary& g = summary[slot];
    g.alive = t.alive;
    if (!t.alive) return;
    const StateVec& x = t.imm.state();
    const Imm& f = t.imm;
    g.time = t.time;
    g.last_update = t.last_update;
    g.x = x[0];
    g.y = x[1];
    g.vx = x[2];
    g.vy = x[3];
    g.sigma_pos_m = std::sqrt(f.covariance(0, 0) + f.covariance(1, 1));
    g.sigma_vel_mps = std::sqrt(f.covariance(2, 2) + f.covariance(3, 3));
    g.interval_s = t.interval_s;
    g.baro_offset_m = t.vert.offset();
    g.pressure_alt_m = t.vert.height() - t.vert.offset();
    g.status = t.status;
    g.canonical = t.in_icao_map || t.in_rid_map;
    // Its own offset, measured: both heights seen, and a geometric one lately.
    g.offset_known = t.seen_geometric && t.seen_baro && t.hits > 5 && t.last_reference.ns != 0 &&
                     (t.last_update - t.last_reference).seconds() <= kOwnOffsetMemory_s;
  }

  std::uint32_t new_slot() {
    if (!free_slots.empty()) {
      const std::uint32_t s = free_slots.back();
      free_slots.pop_back();
      return s;
    }
    tracks.emplace_back();
    return static_cast<std::uint32_t>(tracks.size() - 1);
  }

  ObjectState make_state(const TrackRec& t, Time at, std::optional<TrackStatus> status) const {
    ObjectState s;
    s.time = at;
    s.id = std::to_string(t.number);
    const double dt = (at - t.time).seconds();
    const StateVec& x = t.imm.state();
    const Eigen::Vector2d xy = x.head<2>() + x.segment<2>(2) * dt;
    geo::Convergence local;
    s.position = frame.from_plane(xy, predicted_height(t, at), &local);
    const Eigen::Vector2d v =
        estimation::TrackingFrame::plane_to_local(Eigen::Vector2d(x.segment<2>(2)), local);
    s.velocity_enu_mps = Eigen::Vector3d(v.x(), v.y(), t.vert.rate());
    s.status = status ? status : std::optional<TrackStatus>(t.status);
    s.target_class = t.cls;
    s.identity = t.identity;
    s.emergency = t.emergency;
    return s;
  }

  void publish(const TrackRec& t) {
    if (t.status == TrackStatus::kConfirmed || t.status == TrackStatus::kCoasting)
      pending.push_back(make_state(t, t.time, std::nullopt));
  }

  void erase_track(std::uint32_t slot, Time at, bool announce) {
    TrackRec& t = tracks[slot];
    if (announce && (t.status == TrackStatus::kConfirmed || t.status == TrackStatus::kCoasting)) {
      pending.push_back(make_state(t, std::max(at, t.time), TrackStatus::kDeleted));
    }
    if (t.in_icao_map) {
      by_icao.erase(*t.identity.icao24);
      if (t.status != TrackStatus::kTentative || t.hits >= 2)
        number_memory[*t.identity.icao24] = {t.number, at};
    }
    if (t.in_rid_map) by_rid.erase(t.identity.remote_id);
    grid.erase(slot);
    t = TrackRec{};
    summarise(slot);
    free_slots.push_back(slot);
    --stats.live_tracks;
    ++stats.deleted;
  }

  // ------------------------------------------------------------ initiate

  void initiate(const Prepared& p) {
    const Report& r = *p.report;
    const std::uint32_t slot = new_slot();
    TrackRec& t = tracks[slot];
    t = TrackRec{};
    t.alive = true;
    t.time = r.time;
    StateVec x0 = StateVec::Zero();
    StateCov p0 = StateCov::Zero();
    x0.head<2>() = p.xy;
    p0.topLeftCorner<2, 2>() = p.cov;
    if (p.velocity) {
      x0.segment<2>(2) = *p.velocity;
      p0.block<2, 2>(2, 2) = p.velocity_cov + Eigen::Matrix2d::Identity() * 4.0;
    } else {
      const double sv = cfg.initial_speed_sigma_mps;
      p0(2, 2) = p0(3, 3) = sv * sv;
    }
    p0(4, 4) = p0(5, 5) = 4.0;
    p0(6, 6) = 0.03 * 0.03;
    t.imm = Imm(cfg.imm, x0, p0);
    const double b0 = p.baro_m        ? offsets.offset_m(*p.baro_m)
                      : p.geometric_h ? offsets.offset_m(*p.geometric_h)
                                      : offsets.offset_m(cfg.default_height_m);
    const double var_b = p.baro_m ? offsets.variance_m2(*p.baro_m) : 150.0 * 150.0;
    double h = cfg.default_height_m,
           var_h = cfg.default_height_sigma_m * cfg.default_height_sigma_m;
    if (p.geometric_h) {
      h = *p.geometric_h;
      var_h = p.geometric_var;
    } else if (p.baro_m) {
      h = *p.baro_m + b0;
      var_h = p.baro_var + var_b;
    }
    t.vert = VerticalFilter(cfg.vertical, h, var_h, b0, var_b);
    if (p.vertical_rate) t.vert.update_rate(*p.vertical_rate, 1.0);
    if (p.geometric_h && p.baro_m) t.vert.update_baro(*p.baro_m, p.baro_var);
    t.seen_geometric = p.geometric_h.has_value();
    t.seen_baro = p.baro_m.has_value();
    t.status = TrackStatus::kTentative;
    t.hits = 1;
    t.first_update = t.last_update = r.time;
    if (is_reference(r.sensor_kind)) t.last_reference = r.time;
    t.identity = r.identity;
    t.identity_hits = t.identified() ? 1 : 0;
    t.score = t.identified() ? cfg.address_prior_score : 0.0;
    t.sensors.emplace_back(r.sensor, r.time);
    t.interval_s = p.sensor->interval_s;
    if (p.polar) t.last_radar = r.sensor;
    {
      SensorInfo& si = sensors[sensor_index.at(r.sensor)];
      if (!si.seen) {
        si.seen = true;
        si.first_time = r.time;
      }
      if (!r.identity.icao24 && r.identity.remote_id.empty()) si.unassociated += 1;
    }
    t.evidence.has_transponder = r.identity.icao24 || r.identity.mode3a || r.baro_alt_m;
    t.evidence.has_remote_id =
        !r.identity.remote_id.empty() || r.sensor_kind == SensorKind::kRemoteId;
    t.evidence.drone_sensors_only = is_drone_sensor(r.sensor_kind);
    t.evidence.emitter_category = r.identity.emitter_category;
    // Number: an address seen recently keeps the number it had.
    t.number = 0;
    if (r.identity.icao24) {
      auto it = number_memory.find(*r.identity.icao24);
      if (it != number_memory.end()) {
        if ((r.time - it->second.second).seconds() <= cfg.number_memory_s)
          t.number = it->second.first;
        number_memory.erase(it);
      }
      if (!by_icao.contains(*r.identity.icao24)) {
        by_icao[*r.identity.icao24] = slot;
        t.in_icao_map = true;
      } else {
        ++stats.duplicate_identities;
      }
    }
    if (!r.identity.remote_id.empty() && !by_rid.contains(r.identity.remote_id)) {
      by_rid[r.identity.remote_id] = slot;
      t.in_rid_map = true;
    }
    if (t.number == 0) t.number = next_number++;
    grid.set(slot, t.imm.state().head<2>());
    summarise(slot);
    ++stats.initiated;
    ++stats.live_tracks;
    stats.max_live_tracks = std::max(stats.max_live_tracks, stats.live_tracks);
  }

  // ------------------------------------------------------------ update

  void registration_residual(const Prepared& p, const TrackRec& t) {
    if (!cfg.registration || !p.polar || !p.sensor->radar) return;
    if (!t.seen_geometric && !t.seen_baro) return;
    if (t.last_reference.ns == 0 ||
        (p.report->time - t.last_reference).seconds() > cfg.reference_max_age_s)
      return;
    const Time at = p.report->time;
    // Reference: the last ADS-B/MLAT fix moved along its own velocity, so the
    // radar's earlier plots (already in the track) do not bias the residual.
    const double dt_ref = (at - t.last_reference).seconds();
    const Eigen::Vector2d ref = t.ref_xy + t.ref_velocity * dt_ref;
    const double var_ref = t.ref_var + std::pow((t.ref_has_velocity ? 2.0 : 10.0) * dt_ref, 2);
    const GeodeticPosition pos = frame.from_plane(ref, predicted_height(t, at));
    const geo::Polar pred = p.sensor->radar->forward(pos);
    const auto& m = std::get<PolarMeasurement>(p.report->measurement);
    const double dr = m.range_m - pred.range_m;
    const double da = wrap_pi(m.azimuth_rad - pred.azimuth_rad);
    const double ground = std::max(pred.range_m, 1000.0);
    const double var_pos = var_ref;
    const double var_r = p.sigma_range_m * p.sigma_range_m + var_pos;
    const double var_a = p.sigma_azimuth_rad * p.sigma_azimuth_rad + var_pos / (ground * ground);
    if (dr * dr > 25 * var_r + 250000 || da * da > 25 * var_a + 1e-4) return;  // not this target
    registration.add(p.report->sensor, dr, var_r, da, var_a);
  }

  // An anonymous reply that backs the track's uncorroborated address: the
  // same Mode 3/A code and, when both are known, the same pressure altitude
  // (a false reply's random code and altitude match one in 4096 x 100).
  static bool backs_identity(const TrackRec& t, const Prepared& p) {
    const Identity& id = p.report->identity;
    if (!t.identity.icao24 || id.icao24 || !id.mode3a || !t.identity.mode3a ||
        *id.mode3a != *t.identity.mode3a)
      return false;
    return !p.baro_m || !t.seen_baro ||
           std::abs(*p.baro_m - (t.vert.height() - t.vert.offset())) < 150.0;
  }

  void apply_update(std::uint32_t slot, const Prepared& p) {
    TrackRec& t = tracks[slot];
    const Report& r = *p.report;
    const double dt = (r.time - t.time).seconds();
    const bool late = dt < 0;
    const bool backs = !t.corroborated() && backs_identity(t, p);
    if (late && -dt > cfg.max_oosm_lag_s) {
      ++stats.late_dropped;
      return;
    }
    Eigen::Vector2d xy;
    Eigen::Matrix2d cov;
    Eigen::Vector2d dxy_dh;
    if (!measurement_for(p, t, r.time, xy, cov, &dxy_dh)) {
      ++stats.unassociated;
      return;
    }
    registration_residual(p, t);
    if (t.status == TrackStatus::kTentative && !t.corroborated() && !late) {
      const GatePrediction g = gate_prediction(t, r.time);
      const Eigen::Matrix2d sm = g.cov + cov;
      Eigen::LLT<Eigen::Matrix2d> llt(sm);
      if (llt.info() == Eigen::Success) {
        const Eigen::Vector2d nu = xy - g.xy;
        const Eigen::Matrix2d l = llt.matrixL();
        const double ll =
            -0.5 * nu.dot(llt.solve(nu)) - std::log(l(0, 0) * l(1, 1)) - std::log(2 * kPi);
        t.score +=
            ll - std::log(p.sensor->clutter_density(r.time)) + std::log(cfg.detection_probability);
      }
    }
    if (!t.height_known() && !late)
      if (const auto h = report_height(p)) {
        // Its first height: move it to where its radar's plots put it there.
        const Eigen::Vector2d xy0 = t.imm.state().head<2>();
        t.imm.shift_position(at_height(t, xy0, t.vert.height(), *h) - xy0);
      }
    if (p.polar) t.last_radar = r.sensor;
    const auto faults_before = t.imm.faults().repaired_covariance +
                               t.imm.faults().singular_innovation + t.imm.faults().non_finite +
                               t.vert.faults();
    // Out of sequence: retrodict to the report, update, predict back.
    t.imm.predict(dt);
    t.vert.predict(dt);
    // A 2-D plot of a track without measured height: the horizontal
    // innovation also tells the height (two radars triangulate it).
    if (p.needs_height && !t.height_known() && dxy_dh.squaredNorm() > 1e-6 &&
        radars_feeding(t, r.time) >= 2) {
      const Eigen::Vector2d nu = xy - t.imm.state().head<2>();
      Eigen::Matrix2d sm;
      sm << t.imm.covariance(0, 0) + cov(0, 0), t.imm.covariance(0, 1) + cov(0, 1),
          t.imm.covariance(1, 0) + cov(1, 0), t.imm.covariance(1, 1) + cov(1, 1);
      t.vert.update_from_plane(-dxy_dh, sm, nu);  // m = x - J (h - h_pred)
    }
    bool ok;
    if (p.velocity) {
      Eigen::Vector4d z;
      z << xy, *p.velocity;
      Eigen::Matrix4d rr = Eigen::Matrix4d::Zero();
      rr.topLeftCorner<2, 2>() = cov;
      rr.bottomRightCorner<2, 2>() = p.velocity_cov;
      ok = t.imm.update(z, rr);
    } else {
      ok = t.imm.update(xy, cov);
    }
    (void)ok;
    if (p.geometric_h) {
      if (!t.seen_geometric && !t.seen_baro) {
        t.vert = VerticalFilter(cfg.vertical, *p.geometric_h, p.geometric_var,
                                offsets.offset_m(*p.geometric_h), 150.0 * 150.0);
      } else if (t.vert.nis_geometric(*p.geometric_h, p.geometric_var) < kHeightGateNis ||
                 t.hits < 3) {
        t.vert.update_geometric(*p.geometric_h, p.geometric_var);
      } else {
        ++stats.height_outliers;
      }
      t.seen_geometric = true;
    }
    if (p.baro_m) {
      if (!t.seen_geometric && !t.seen_baro) {
        const double b = offsets.offset_m(*p.baro_m), var_b = offsets.variance_m2(*p.baro_m);
        t.vert = VerticalFilter(cfg.vertical, *p.baro_m + b, p.baro_var + var_b, b, var_b);
      } else if (t.vert.nis_baro(*p.baro_m, p.baro_var) < kHeightGateNis || t.hits < 3) {
        t.vert.update_baro(*p.baro_m, p.baro_var);
      } else {
        // A vertical manoeuvre the filter lags: accept with inflated noise.
        t.vert.update_baro(*p.baro_m, p.baro_var * 16);
        ++stats.height_outliers;
      }
      t.seen_baro = true;
      // No geometric height of its own lately: its offset is the fleet's at
      // its pressure altitude (which changes as it climbs or descends).
      if (!p.geometric_h && (!t.seen_geometric || t.last_reference.ns == 0 ||
                             (r.time - t.last_reference).seconds() > kOwnOffsetMemory_s))
        t.vert.update_offset(offsets.offset_m(*p.baro_m), offsets.variance_m2(*p.baro_m));
    }
    if (p.vertical_rate) t.vert.update_rate(*p.vertical_rate, 1.0);
    if (late) {
      t.imm.predict(-dt);
      t.vert.predict(-dt);
      ++stats.out_of_sequence;
    } else {
      t.time = r.time;
    }
    const auto faults_after = t.imm.faults().repaired_covariance +
                              t.imm.faults().singular_innovation + t.imm.faults().non_finite +
                              t.vert.faults();
    stats.numerical_faults += faults_after - faults_before;

    // Identity.
    const Identity& id = r.identity;
    if ((id.icao24 && (!t.identity.icao24 || *t.identity.icao24 == *id.icao24)) ||
        (!id.remote_id.empty() &&
         (t.identity.remote_id.empty() || t.identity.remote_id == id.remote_id)) ||
        backs)
      ++t.identity_hits;
    if (id.icao24 && !t.identity.icao24) {
      t.identity.icao24 = id.icao24;
      if (!by_icao.contains(*id.icao24)) {
        by_icao[*id.icao24] = slot;
        t.in_icao_map = true;
      }
    }
    if (id.mode3a) t.identity.mode3a = id.mode3a;
    if (r.sensor_kind == SensorKind::kAdsb) t.emergency = r.emergency;
    if (!id.callsign.empty()) t.identity.callsign = id.callsign;
    if (!id.remote_id.empty() && t.identity.remote_id.empty()) {
      t.identity.remote_id = id.remote_id;
      if (!by_rid.contains(id.remote_id)) {
        by_rid[id.remote_id] = slot;
        t.in_rid_map = true;
      }
    }
    if (id.emitter_category) {
      t.identity.emitter_category = id.emitter_category;
      t.evidence.emitter_category = id.emitter_category;
    }
    // Sensors.
    auto s = std::find_if(t.sensors.begin(), t.sensors.end(),
                          [&](const auto& e) { return e.first == r.sensor; });
    if (s == t.sensors.end()) {
      t.sensors.emplace_back(r.sensor, r.time);
    } else {
      s->second = std::max(s->second, r.time);
    }
    t.interval_s = p.sensor->interval_s;
    for (const auto& [sid, when] : t.sensors) {
      if ((r.time - when).seconds() > 30) continue;
      t.interval_s = std::min(t.interval_s, sensors[sensor_index.at(sid)].interval_s);
    }
    if (is_reference(r.sensor_kind) && r.time >= t.last_reference) {
      t.last_reference = r.time;
      t.ref_xy = p.xy;
      t.ref_var = 0.5 * p.cov.trace();
      t.ref_has_velocity = p.velocity.has_value();
      t.ref_velocity = p.velocity ? *p.velocity : Eigen::Vector2d(t.imm.state().segment<2>(2));
    }
    t.last_update = std::max(t.last_update, r.time);
    ++t.hits;
    const TrackStatus before = t.status;
    const IdentityEvidence evidence = t.corroborated() ? IdentityEvidence::kCorroborated
                                      : t.identified() ? IdentityEvidence::kUncorroborated
                                                       : IdentityEvidence::kNone;
    TrackStatus next = status_after_update(t.status, t.hits, evidence, t.score, cfg);
    // A new track must be kinematically plausible: one faster than common
    // aircraft (a false plot and a real one make a fast pair) is confirmed
    // only once more updates have held that speed.
    if (before == TrackStatus::kTentative && next == TrackStatus::kConfirmed &&
        t.imm.state().segment<2>(2).norm() > cfg.confirm_max_speed_mps &&
        t.hits < cfg.confirm_hits_fast) {
      next = TrackStatus::kTentative;
      ++stats.implausible_initiations;
    }
    t.status = next;
    if (before == TrackStatus::kTentative && t.status == TrackStatus::kConfirmed) ++stats.confirmed;
    // Class.
    ClassEvidence& e = t.evidence;
    e.has_transponder = e.has_transponder || id.icao24 || id.mode3a || r.baro_alt_m;
    e.has_remote_id =
        e.has_remote_id || !id.remote_id.empty() || r.sensor_kind == SensorKind::kRemoteId;
    e.drone_sensors_only = e.drone_sensors_only && is_drone_sensor(r.sensor_kind);
    e.speed_mps = t.imm.state().segment<2>(2).norm();
    e.height_m = t.vert.height();
    ++e.updates;
    if (e.updates >= 8) {
      e.max_speed_mps = std::max(e.max_speed_mps, e.speed_mps);
      if ((t.time - t.first_update).seconds() > 10)
        e.min_speed_mps = std::min(e.min_speed_mps, e.speed_mps);
    }
    std::tie(t.cls, t.class_confidence) = classify(e);
    t.merge_count = 0;
    grid.set(slot, t.imm.state().head<2>());
    summarise(slot);
    ++stats.associated;
    if (!late) publish(t);
  }

  // ------------------------------------------------------------ one batch

  std::vector<Prepared> prepared;
  std::vector<association::Candidate> candidates;
  std::vector<int> direct;  // per prepared report: slot assigned through identity, or -1
  std::vector<std::uint32_t> identity_slots;  // tracks taken through identity in this batch
  association::Association gnn_result;        // the spatial candidates' assignment

  void prefetch_record(std::uint32_t slot) const {
    const char* base = reinterpret_cast<const char*>(&tracks[slot]);
    for (std::size_t off = 0; off < sizeof(TrackRec); off += 64) __builtin_prefetch(base + off);
  }

  void prefetch_for(const Report& r) {
    if (r.identity.icao24)
      if (auto it = by_icao.find(*r.identity.icao24); it != by_icao.end())
        prefetch_record(it->second);
  }

  void process_batch(std::span<const Report* const> batch) {
    // prepare
    prepared.clear();
    for (const Report* r : batch) {
      ++stats.processed;
      // A report with an address whose track is known: that track's record
      // (1.5 KB, likely out of cache among thousands) is fetched while the
      // report is projected.
      prefetch_for(*r);
      Prepared p;
      if (prepare(*r, p)) prepared.push_back(p);
    }
    if (prepared.empty()) return;
    const int n = static_cast<int>(prepared.size());
    direct.assign(n, -1);
    candidates.clear();
    // gate: identity first
    identity_slots.clear();
    for (int i = 0; i < n; ++i) {
      const Prepared& p = prepared[i];
      const Identity& id = p.report->identity;
      std::optional<std::uint32_t> slot;
      if (id.icao24) {
        if (auto it = by_icao.find(*id.icao24); it != by_icao.end()) slot = it->second;
      }
      if (!slot && !id.remote_id.empty()) {
        if (auto it = by_rid.find(id.remote_id); it != by_rid.end()) slot = it->second;
      }
      if (!slot) continue;
      const TrackRec& t = tracks[*slot];
      if (std::find(identity_slots.begin(), identity_slots.end(), *slot) != identity_slots.end())
        continue;  // two reports of one address in a batch: the second goes through gating
      if (gate_nis(p, t, cfg.identity_gate_nis)) {
        direct[i] = static_cast<int>(*slot);
        identity_slots.push_back(*slot);
        ++stats.identity_associated;
      } else {
        ++stats.identity_conflicts;
        // A track silent for several intervals has lost its aircraft: restart it here.
        if ((p.report->time - t.last_update).seconds() > 3 * t.interval_s) {
          const std::uint32_t s = *slot;
          erase_track(s, p.report->time, true);
        }
      }
    }
    // gate: the spatial index for the rest
    for (int i = 0; i < n; ++i) {
      if (direct[i] >= 0) continue;
      const Prepared& p = prepared[i];
      const Time at = p.report->time;
      // (A plot without height sits at the default height; its position for
      // a track may lie kilometres away, so it searches wider and only the
      // exact gate decides.)
      const double radius = p.needs_height ? 15000.0 : cfg.search_radius_m;
      grid.query(p.xy, radius, [&](std::uint32_t slot) {
        const TrackSummary& g = summary[slot];
        if (!g.alive) return;
        if (!p.needs_height) {  // cheap distance test first
          if (g.distance2(at, p.xy) > std::pow(search_radius(g, at), 2)) return;
        }
        const TrackRec& t = tracks[slot];
        if (std::find(identity_slots.begin(), identity_slots.end(), slot) != identity_slots.end())
          return;
        double penalty = 0;
        if (!compatible(p, t, penalty)) return;
        // A shared discrete Mode 3/A code widens the gate (identity-aided).
        const bool code = discrete_code_match(p, t);
        auto nis = gate_nis(p, t, code ? 4 * cfg.gate_nis : cfg.gate_nis);
        if (!nis) return;
        double cost = std::max(std::min(*nis, cfg.gate_nis) + penalty, 0.0);
        // Prefer established tracks over tentative ones at equal distance, and
        // for a plot without height, a track that knows its height (the plot's
        // position is then exact, not guessed at the default height).
        if (t.status == TrackStatus::kTentative) cost += 2.0;
        if (p.needs_height && !t.height_known()) cost += 4.0;
        candidates.push_back({i, static_cast<int>(slot), cost});
      });
    }
    // associate
    std::vector<int>& assignment = gnn_result.report_to_track;
    if (!candidates.empty()) {
      const double unassigned = cfg.gate_nis + 8.0;
      if (cfg.association == AssociationMode::kJpda) {
        assignment = associate_jpda(n, unassigned);
      } else {
        association::associate(candidates, n, unassigned, gnn_result);
        stats.clusters += gnn_result.clusters;
        stats.largest_cluster = std::max<std::uint64_t>(
            stats.largest_cluster, static_cast<std::uint64_t>(gnn_result.largest_cluster));
      }
    } else {
      assignment.assign(n, -1);
    }
    // update, then initiate
    for (int i = 0; i < n; ++i) {
      const int slot = direct[i] >= 0 ? direct[i] : assignment[i];
      if (slot >= 0) {
        apply_update(static_cast<std::uint32_t>(slot), prepared[i]);
      } else {
        ++stats.unassociated;
        initiate(prepared[i]);
      }
    }
  }

  // JPDA-family association: marginal association probabilities per cluster
  // (exact joint-event enumeration), then the most probable feasible joint
  // assignment of those marginals (nearest-neighbour JPDA, Fitzgerald).
  std::vector<int> associate_jpda(int n, double unassigned) {
    // Every gated pair takes part (no unassigned-cost cut for the weights).
    const std::vector<std::vector<int>> comps =
        association::cluster_candidates(candidates, n, std::numeric_limits<double>::infinity());
    stats.clusters += comps.size();
    std::vector<int> out(n, -1);
    const double clutter = cfg.jpda_clutter_per_km2 * 1e-6;  // per m^2
    for (const auto& cl : comps) {
      std::vector<int> rs, ts;
      for (int c : cl) {
        rs.push_back(candidates[c].report);
        ts.push_back(candidates[c].track);
      }
      std::sort(rs.begin(), rs.end());
      rs.erase(std::unique(rs.begin(), rs.end()), rs.end());
      std::sort(ts.begin(), ts.end());
      ts.erase(std::unique(ts.begin(), ts.end()), ts.end());
      stats.largest_cluster = std::max<std::uint64_t>(stats.largest_cluster, rs.size() + ts.size());
      std::vector<std::vector<double>> l(rs.size(), std::vector<double>(ts.size(), 0.0));
      for (int c : cl) {
        const auto& cand = candidates[c];
        const std::size_t r = std::lower_bound(rs.begin(), rs.end(), cand.report) - rs.begin();
        const std::size_t t = std::lower_bound(ts.begin(), ts.end(), cand.track) - ts.begin();
        const TrackRec& tr = tracks[cand.track];
        const GatePrediction g = gate_prediction(tr, prepared[cand.report].report->time);
        const double det = (g.cov + prepared[cand.report].cov).determinant();
        const double dens = std::exp(-0.5 * cand.cost) / (2 * kPi * std::sqrt(std::max(det, 1e-9)));
        l[r][t] = std::max(l[r][t], dens / std::max(clutter, 1e-15));
      }
      std::vector<std::vector<double>> beta;
      if (!association::jpda_marginals(l, cfg.jpda_pd, beta)) {
        ++stats.jpda_fallbacks;
        std::vector<association::Candidate> sub;
        for (int c : cl) sub.push_back(candidates[c]);
        auto a = association::associate(sub, n, unassigned);
        for (int r : rs) out[r] = a.report_to_track[r];
        continue;
      }
      std::vector<association::Candidate> sub;
      for (std::size_t t = 0; t < ts.size(); ++t)
        for (std::size_t r = 0; r < rs.size(); ++r)
          if (beta[t][r] > 0.2) sub.push_back({rs[r], ts[t], -std::log(beta[t][r])});
      auto a = association::associate(sub, n, -std::log(0.2));
      for (int r : rs) out[r] = a.report_to_track[r];
    }
    return out;
  }

  // ------------------------------------------------------------ maintain

  void maintain(Time at) {
    offsets.begin();
    for (std::uint32_t slot = 0; slot < summary.size(); ++slot) {
      TrackSummary& g = summary[slot];
      if (!g.alive) continue;
      const double silent = (at - g.last_update).seconds();
      Verdict v = silence_verdict(g.status, silent, g.interval_s, cfg);
      if (g.sigma_pos_m > cfg.max_position_sigma_m) v = Verdict::kDelete;  // lost
      if (v == Verdict::kDelete) {
        erase_track(slot, at, true);
        continue;
      }
      if (v == Verdict::kCoast && g.status == TrackStatus::kConfirmed) {
        TrackRec& t = tracks[slot];
        t.status = TrackStatus::kCoasting;
        g.status = TrackStatus::kCoasting;
        pending.push_back(make_state(t, at, std::nullopt));
      }
      if (g.offset_known) offsets.add(g.pressure_alt_m, g.baro_offset_m);
    }
    offsets.finish();
    merge_duplicates(at);
  }

  // A confirmed track that shadows another one (same position, velocity and
  // height, compatible identity) for three checks running is merged into the
  // older one: the younger is deleted.
  void merge_duplicates(Time at) {
    for (std::uint32_t slot = 0; slot < summary.size(); ++slot) {
      {
        const TrackSummary& g = summary[slot];
        if (!g.alive || g.status == TrackStatus::kTentative) continue;
        // The canonical track of an address or serial is never the shadow.
        if (g.canonical) continue;
      }
      TrackRec& a = tracks[slot];
      const GatePrediction ga = gate_prediction(a, at);
      bool shadow = false;
      grid.query(ga.xy, 3000.0, [&](std::uint32_t other) {
        if (shadow || other == slot) return;
        {
          const TrackSummary& g = summary[other];
          if (!g.alive || g.status == TrackStatus::kTentative) return;
          // cheap first test: b's position, moved at its velocity, within 3 km
          if (g.distance2(at, ga.xy) > 3000.0 * 3000.0) return;
        }
        const TrackRec& b = tracks[other];
        // Keep the identified track, else the older one (lower number on ties).
        const bool b_canonical = b.in_icao_map || b.in_rid_map;
        if (!b_canonical && (b.first_update > a.first_update ||
                             (b.first_update == a.first_update && b.number > a.number)))
          return;
        if (a.identity.icao24 && b.identity.icao24 && *a.identity.icao24 != *b.identity.icao24)
          return;
        if (!a.identity.remote_id.empty() && !b.identity.remote_id.empty() &&
            a.identity.remote_id != b.identity.remote_id)
          return;
        const GatePrediction gb = gate_prediction(b, at);
        if (!a.height_known() && b.height_known() && a.last_radar != 0) {
          // a's plots were placed at a guessed height: compare where the radar
          // sees both (slant range and azimuth), where the guess does not matter.
          const SensorInfo& si = sensors[sensor_index.at(a.last_radar)];
          if (!si.radar) return;
          const geo::Polar pa = si.radar->forward(frame.from_plane(ga.xy, predicted_height(a, at)));
          const geo::Polar pb = si.radar->forward(frame.from_plane(gb.xy, predicted_height(b, at)));
          const double dr = std::abs(pa.range_m - pb.range_m);
          const double dc = std::abs(wrap_pi(pa.azimuth_rad - pb.azimuth_rad)) * pb.range_m;
          if (dr > 5 * si.sensor.sigma_range_m + 300 ||
              dc > 5 * si.sensor.sigma_azimuth_rad * pb.range_m + 300)
            return;
          if (std::abs(a.imm.state().segment<2>(2).norm() - b.imm.state().segment<2>(2).norm()) >
              60)
            return;
          shadow = true;
          return;
        }
        const Eigen::Matrix2d s = ga.cov + gb.cov;
        Eigen::LLT<Eigen::Matrix2d> llt(s);
        if (llt.info() != Eigen::Success) return;
        const Eigen::Vector2d d = ga.xy - gb.xy;
        const double dd = d.dot(llt.solve(d));
        if (a.identity.mode3a && b.identity.mode3a && *a.identity.mode3a == *b.identity.mode3a &&
            discrete_code(*a.identity.mode3a) && !a.identity.icao24 &&
            (dd < 25 || d.norm() < 1000)) {
          shadow = true;
          return;
        }
        if (dd > 9.0 && d.norm() > 200) return;
        if ((a.imm.state().segment<2>(2) - b.imm.state().segment<2>(2)).norm() > 25) return;
        if ((a.seen_baro || a.seen_geometric) && (b.seen_baro || b.seen_geometric) &&
            std::abs(predicted_height(a, at) - predicted_height(b, at)) > 300)
          return;
        shadow = true;
      });
      a.merge_count = shadow ? a.merge_count + 1 : 0;
      if (a.merge_count >= 3) {
        ++stats.merged;
        erase_track(slot, at, true);
      }
    }
  }

  // ------------------------------------------------------------ driving

  void release(bool all) {
    ready.clear();
    const Time limit = newest - Duration::from_seconds(cfg.latency_s);
    while (!heap.empty() && (all || heap.top().time <= limit)) {
      ready.push_back(heap.top());
      heap.pop();
    }
    if (ready.empty()) return;
    consumed.assign(ready.size(), 0);
    std::vector<const Report*> batch;
    for (std::size_t i = 0; i < ready.size(); ++i) {
      if (consumed[i]) continue;
      const Report& r = slab[ready[i].slot];
      batch.clear();
      batch.push_back(&r);
      consumed[i] = 1;
      auto it = sensor_index.find(r.sensor);
      const double window = it == sensor_index.end() ? 0.0 : sensors[it->second].batch_window_s;
      if (window > 0) {
        const Time end = r.time + Duration::from_seconds(window);
        for (std::size_t j = i + 1; j < ready.size() && ready[j].time <= end; ++j) {
          if (!consumed[j] && ready[j].sensor == r.sensor) {
            batch.push_back(&slab[ready[j].slot]);
            consumed[j] = 1;
          }
        }
      }
      if (!started) {
        started = true;
        last_maintain = r.time;
      }
      now_ = std::max(now_, r.time);
      // Look ahead: the record of the track the next queued report will
      // update (by its address) is fetched while this one is processed.
      if (std::size_t k = i + 1; k < ready.size()) {
        while (k < ready.size() && consumed[k]) ++k;
        if (k < ready.size()) prefetch_for(slab[ready[k].slot]);
      } else if (!heap.empty()) {
        prefetch_for(slab[heap.top().slot]);
      }
      process_batch(batch);
      if ((now_ - last_maintain).seconds() >= 1.0) {
        maintain(now_);
        last_maintain = now_;
      }
    }
    for (const HeapItem& h : ready) free_slab.push_back(h.slot);
    ready.clear();
  }

  void push(const Report& r) {
    ++stats.reports;
    if (started && (now_ - r.time).seconds() > cfg.max_oosm_lag_s) {
      ++stats.late_dropped;
      return;
    }
    std::uint32_t slot;
    if (!free_slab.empty()) {
      slot = free_slab.back();
      free_slab.pop_back();
      slab[slot] = r;
    } else {
      slot = static_cast<std::uint32_t>(slab.size());
      slab.push_back(r);
    }
    heap.push(HeapItem{r.time, r.sensor, slot, seq++});
    if (r.time > newest) newest = r.time;
    if (!heap.empty() && heap.top().time <= newest - Duration::from_seconds(cfg.latency_s))
      release(false);
  }
};

Tracker::Tracker(TrackerConfig cfg, std::vector<Sensor> sensors)
    : impl_(std::make_unique<Impl>(std::move(cfg), std::move(sensors))) {}
Tracker::~Tracker() = default;

void Tracker::push(const Report& r) { impl_->push(r); }

void Tracker::flush() {
  impl_->release(true);
  if (impl_->started) impl_->maintain(impl_->now_);
}

std::vector<ObjectState> Tracker::drain() {
  std::vector<ObjectState> out;
  out.swap(impl_->pending);
  return out;
}

const std::vector<ObjectState>& Tracker::pending() const { return impl_->pending; }
void Tracker::clear_pending() { impl_->pending.clear(); }

std::vector<Track> Tracker::tracks() const {
  std::vector<Track> out;
  for (const TrackRec& t : impl_->tracks) {
    if (!t.alive || t.status == TrackStatus::kTentative) continue;
    Track k;
    k.id = t.number;
    k.time = t.time;
    const StateVec& x = t.imm.state();
    k.state << x[0], x[1], t.vert.height(), x[2], x[3], t.vert.rate(), x[4], x[5], 0;
    k.covariance.setZero();
    const StateCov p = t.imm.covariance();
    const int idx[6] = {0, 1, -1, 2, 3, -1};
    for (int i = 0; i < 6; ++i)
      for (int j = 0; j < 6; ++j)
        if (idx[i] >= 0 && idx[j] >= 0) k.covariance(i, j) = p(idx[i], idx[j]);
    k.covariance(2, 2) = t.vert.covariance()(0, 0);
    k.covariance(5, 5) = t.vert.covariance()(1, 1);
    k.covariance(6, 6) = p(4, 4);
    k.covariance(7, 7) = p(5, 5);
    k.covariance(8, 8) = 1;
    k.mode_probability = t.imm.probabilities();
    k.status = t.status;
    k.identity = t.identity;
    k.target_class = t.cls;
    k.class_confidence = t.class_confidence;
    for (const auto& s : t.sensors) k.sensors.push_back(s.first);
    k.first_update = t.first_update;
    k.last_update = t.last_update;
    out.push_back(std::move(k));
  }
  return out;
}

const TrackerStats& Tracker::stats() const { return impl_->stats; }
const std::vector<std::string>& Tracker::errors() const { return impl_->errors; }
std::optional<RadarBias> Tracker::radar_bias(SensorId sensor) const {
  return impl_->registration.raw(sensor);
}
Time Tracker::now() const { return impl_->now_; }

std::size_t Tracker::memory_bytes() const {
  const Impl& m = *impl_;
  std::size_t b = m.tracks.capacity() * sizeof(TrackRec);
  for (const TrackRec& t : m.tracks)
    if (t.sensors.capacity() > kInlineSensors)
      b += t.sensors.capacity() * sizeof(std::pair<SensorId, Time>);
  // Flat tables: a slot (key, value) and a control byte per bucket.
  b += m.by_icao.capacity() * 9 + m.by_rid.size() * 64 + m.number_memory.size() * 40;
  b += m.grid.size() * 24;
  return b;
}

}  // namespace skyfuse::tracking
