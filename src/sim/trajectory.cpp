#include "sim/trajectory.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "geo/wgs84.hpp"

namespace skyfuse::sim {

namespace {
constexpr double kDeg = std::numbers::pi / 180.0;

// d(lat, lon)/dt in degrees per second for an ENU velocity at a position.
std::pair<double, double> angular_rates_dps(const GeodeticPosition& p, const Eigen::Vector3d& v) {
  const auto r = geo::curvature_radii(p.lat_deg);
  const double cos_lat = std::max(std::cos(p.lat_deg * kDeg), 1e-9);
  return {v.y() / (r.meridional_m + p.alt_m) / kDeg,
          v.x() / ((r.prime_vertical_m + p.alt_m) * cos_lat) / kDeg};
}

double hermite(double p0, double m0, double p1, double m1, double h, double s) {
  const double s2 = s * s, s3 = s2 * s;
  return (2 * s3 - 3 * s2 + 1) * p0 + (s3 - 2 * s2 + s) * h * m0 + (-2 * s3 + 3 * s2) * p1 +
         (s3 - s2) * h * m1;
}
double hermite_deriv(double p0, double m0, double p1, double m1, double h, double s) {
  const double s2 = s * s;
  return ((6 * s2 - 6 * s) * p0 + (3 * s2 - 4 * s + 1) * h * m0 + (-6 * s2 + 6 * s) * p1 +
          (3 * s2 - 2 * s) * h * m1) /
         h;
}
}  // namespace

std::optional<TrajectorySample> Trajectory::at(Time t) const {
  if (samples.empty() || t < samples.front().time || t > samples.back().time) return std::nullopt;
  auto it = std::upper_bound(samples.begin(), samples.end(), t,
                             [](Time a, const TrajectorySample& s) { return a < s.time; });
  if (it == samples.end()) return samples.back();
  const TrajectorySample& b = *it;
  const TrajectorySample& a = *(it - 1);
  const double h = (b.time - a.time).seconds();
  if (h > max_gap_s) return std::nullopt;
  const double s = (t - a.time).seconds() / h;
  const auto [alat0, alon0] = angular_rates_dps(a.position, a.velocity_enu_mps);
  const auto [alat1, alon1] = angular_rates_dps(b.position, b.velocity_enu_mps);
  double lon1 = b.position.lon_deg;
  if (lon1 - a.position.lon_deg > 180) lon1 -= 360;
  if (lon1 - a.position.lon_deg < -180) lon1 += 360;
  TrajectorySample out;
  out.time = t;
  out.position.lat_deg = hermite(a.position.lat_deg, alat0, b.position.lat_deg, alat1, h, s);
  out.position.lon_deg =
      geo::normalize_lon_deg(hermite(a.position.lon_deg, alon0, lon1, alon1, h, s));
  out.position.alt_m = hermite(a.position.alt_m, a.velocity_enu_mps.z(), b.position.alt_m,
                               b.velocity_enu_mps.z(), h, s);
  const double dlat = hermite_deriv(a.position.lat_deg, alat0, b.position.lat_deg, alat1, h, s);
  const double dlon = hermite_deriv(a.position.lon_deg, alon0, lon1, alon1, h, s);
  const auto r = geo::curvature_radii(out.position.lat_deg);
  out.velocity_enu_mps.x() = dlon * kDeg * (r.prime_vertical_m + out.position.alt_m) *
                             std::cos(out.position.lat_deg * kDeg);
  out.velocity_enu_mps.y() = dlat * kDeg * (r.meridional_m + out.position.alt_m);
  out.velocity_enu_mps.z() = hermite_deriv(a.position.alt_m, a.velocity_enu_mps.z(),
                                           b.position.alt_m, b.velocity_enu_mps.z(), h, s);
  return out;
}

namespace {
struct FlightState {
  double lat_deg, lon_deg, alt_m, heading_rad, speed_mps, vrate_mps;
};

// Time derivative of the flight state for a leg. A "straight" target follows a
// geodesic, whose heading drifts by v sin(psi) tan(lat) / (N + h).
FlightState rates(const FlightState& s, const Leg& leg) {
  const auto r = geo::curvature_radii(s.lat_deg);
  const double cos_lat = std::max(std::cos(s.lat_deg * kDeg), 1e-9);
  const double ve = s.speed_mps * std::sin(s.heading_rad);
  const double vn = s.speed_mps * std::cos(s.heading_rad);
  FlightState d{};
  d.lat_deg = vn / (r.meridional_m + s.alt_m) / kDeg;
  d.lon_deg = ve / ((r.prime_vertical_m + s.alt_m) * cos_lat) / kDeg;
  d.alt_m = s.vrate_mps;
  d.heading_rad =
      leg.turn_rate_dps * kDeg + ve * std::tan(s.lat_deg * kDeg) / (r.prime_vertical_m + s.alt_m);
  double accel = leg.accel_mps2;
  if ((accel > 0 && s.speed_mps >= leg.max_speed_mps) ||
      (accel < 0 && s.speed_mps <= std::max(leg.min_speed_mps, 0.0)))
    accel = 0;
  d.speed_mps = accel;
  d.vrate_mps = 0;
  return d;
}

FlightState advance(const FlightState& s, const FlightState& d, double dt) {
  return {s.lat_deg + d.lat_deg * dt,
          s.lon_deg + d.lon_deg * dt,
          s.alt_m + d.alt_m * dt,
          s.heading_rad + d.heading_rad * dt,
          std::max(0.0, s.speed_mps + d.speed_mps * dt),
          s.vrate_mps};
}

TrajectorySample sample_of(Time t, const FlightState& s) {
  TrajectorySample out;
  out.time = t;
  out.position = {s.lat_deg, geo::normalize_lon_deg(s.lon_deg), s.alt_m};
  out.velocity_enu_mps = {s.speed_mps * std::sin(s.heading_rad),
                          s.speed_mps * std::cos(s.heading_rad), s.vrate_mps};
  return out;
}
}  // namespace

Trajectory fly(const ParametricTarget& target, Time scenario_start, double dt_s, Time until) {
  Trajectory traj;
  traj.id = target.id;
  traj.target_class = target.target_class;
  traj.identity = target.identity;
  traj.equipage = target.equipage;
  traj.max_gap_s = std::max(30.0, 2 * dt_s);
  FlightState s{target.start.lat_deg,      target.start.lon_deg, target.start.alt_m,
                target.heading_deg * kDeg, target.speed_mps,     0};
  const Time t0 = scenario_start + Duration::from_seconds(target.start_offset_s);
  std::int64_t step = 0;
  traj.samples.push_back(sample_of(t0, s));
  for (const Leg& leg : target.legs) {
    if (traj.samples.back().time >= until) break;
    s.vrate_mps = leg.vertical_rate_mps;
    traj.samples.back().velocity_enu_mps.z() = s.vrate_mps;
    const auto n = static_cast<std::int64_t>(std::llround(leg.duration_s / dt_s));
    for (std::int64_t i = 0; i < n; ++i) {
      const FlightState k1 = rates(s, leg);
      const FlightState mid = advance(s, k1, dt_s / 2);
      const FlightState k2 = rates(mid, leg);
      s = advance(s, k2, dt_s);
      s.alt_m = std::max(s.alt_m, -500.0);
      ++step;
      traj.samples.push_back(
          sample_of(t0 + Duration::from_seconds(static_cast<double>(step) * dt_s), s));
      if (traj.samples.back().time >= until) break;
    }
  }
  return traj;
}

void reanchor(Trajectory& traj, const GeodeticPosition& anchor, Time start) {
  if (traj.samples.empty()) return;
  const geo::LocalFrame from(traj.samples.front().position);
  const geo::LocalFrame to(anchor);
  const Duration shift = start - traj.samples.front().time;
  for (auto& s : traj.samples) {
    s.position = to.reverse(from.forward(s.position));
    s.time = s.time + shift;
  }
}

void derive_velocities(Trajectory& traj) {
  auto& s = traj.samples;
  if (s.size() < 2) return;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const std::size_t a = i == 0 ? 0 : i - 1;
    const std::size_t b = i + 1 == s.size() ? i : i + 1;
    const geo::LocalFrame frame(s[i].position);
    const Eigen::Vector3d d = frame.forward(s[b].position) - frame.forward(s[a].position);
    const double dt = (s[b].time - s[a].time).seconds();
    s[i].velocity_enu_mps = dt > 0 ? Eigen::Vector3d(d / dt) : Eigen::Vector3d::Zero();
  }
}

}  // namespace skyfuse::sim
