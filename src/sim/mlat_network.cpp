// A multilateration receiver network's raw arrival times (sim/scenario.hpp,
// MlatNetworkConfig): what `skyfuse mlat` and the `mlat_receivers` feed read.
#include <algorithm>
#include <cmath>

#include "core/quality.hpp"
#include "geo/radar_model.hpp"
#include "geo/wgs84.hpp"
#include "mlat/propagation.hpp"
#include "sim/rng.hpp"
#include "sim/simulator.hpp"

namespace skyfuse::sim {

namespace {
constexpr double kFt = 0.3048;
constexpr double kDeg = 3.14159265358979323846 / 180.0;

GeodeticPosition displace(const GeodeticPosition& p, double de, double dn, double du) {
  const auto r = geo::curvature_radii(p.lat_deg);
  GeodeticPosition q = p;
  q.lat_deg += dn / (r.meridional_m + p.alt_m) / kDeg;
  q.lon_deg = geo::normalize_lon_deg(
      p.lon_deg + de / ((r.prime_vertical_m + p.alt_m) * std::cos(p.lat_deg * kDeg)) / kDeg);
  q.alt_m += du;
  return q;
}

double tick_s(mlat::ClockKind k) {
  switch (k) {
    case mlat::ClockKind::kGps:
      return 1e-9;
    case mlat::ClockKind::kBeast:
      return 1.0 / 12e6;
    case mlat::ClockKind::kSbs:
      return 1.0 / 20e6;
  }
  return 1e-9;
}

struct SimClock {
  mlat::ClockKind kind;
  double offset_s;  // reading - true time at the start (GPS), or the counter at the start
  double drift;     // [s/s]
  double jitter_s;
};
}  // namespace

NetworkFeed simulate_network(const MlatNetworkConfig& nc, const Scenario& sc, std::uint64_t seed) {
  NetworkFeed feed;
  feed.name = nc.name;
  feed.beast = nc.beast;
  Rng rng(Rng::derive(seed, "mlat_network:" + nc.name));
  std::vector<SimClock> clocks;
  std::vector<geo::RadarModel> radio;
  std::vector<Eigen::Vector3d> ecef;
  for (const MlatReceiverConfig& rc : nc.receivers) {
    feed.receivers.add({.id = rc.id, .position = rc.site, .clock = rc.clock});
    SimClock c{rc.clock, 0, 0, 0};
    const bool gps = rc.clock == mlat::ClockKind::kGps;
    // Draws in receiver order, whether or not a value is given (a given
    // value never shifts another receiver's draws).
    const double offset = gps ? 0.0 : rng.uniform(0, nc.max_offset_s);
    const double drift_ppm = gps ? 0.0 : rng.normal(0, nc.drift_sigma_ppm);
    c.offset_s = rc.offset_s.value_or(offset);
    c.drift = rc.drift_ppm.value_or(drift_ppm) * 1e-6;
    c.jitter_s = 1e-9 * (gps                                   ? nc.jitter_gps_ns
                         : rc.clock == mlat::ClockKind::kBeast ? nc.jitter_beast_ns
                                                               : nc.jitter_sbs_ns);
    clocks.push_back(c);
    feed.clocks.emplace_back(c.offset_s, c.drift);
    radio.emplace_back(rc.site, geo::kStandardRefractionK);
    ecef.push_back(geo::geodetic_to_ecef(rc.site));
  }
  const Time end = sc.start + Duration::from_seconds(sc.duration_s);
  const double mean_interval = 1.0 / nc.messages_per_s;
  for (std::size_t ti = 0; ti < sc.targets.size(); ++ti) {
    const Trajectory& target = sc.targets[ti];
    if (target.equipage.transponder != Equipage::Transponder::kModeS) continue;
    const bool adsb = target.equipage.adsb;
    const double sigma_h = nacp_epu_m(target.equipage.nacp) / kCircular95;
    const Time stop = std::min(target.end(), end);
    Time t =
        std::max(target.begin(), sc.start) + Duration::from_seconds(rng.uniform(0, mean_interval));
    for (; t <= stop; t = t + Duration::from_seconds(rng.uniform(0.5, 1.5) * mean_interval)) {
      const auto s = target.at(t);
      if (!s) continue;
      const Eigen::Vector3d x = geo::geodetic_to_ecef(s->position);
      mlat::Message m;
      m.aircraft = std::to_string(ti + 1);
      m.icao24 = target.identity.icao24;
      double first_s = INFINITY;
      for (std::size_t k = 0; k < nc.receivers.size(); ++k) {
        const double d = (x - ecef[k]).norm();
        if (d > nc.max_range_m || !radio[k].visible(s->position)) continue;
        if (!rng.bernoulli(nc.receivers[k].pd)) continue;
        const double flight =
            mlat::flight_time_s(x, s->position.alt_m, ecef[k], nc.receivers[k].site.alt_m, true);
        const double arrival = (t - sc.start).seconds() + flight;  // since the start [s]
        first_s = std::min(first_s, arrival);
        const SimClock& c = clocks[k];
        const double tick = tick_s(c.kind);
        const double reading =
            arrival * (1 + c.drift) + c.offset_s + rng.normal(0, c.jitter_s);  // [s]
        const auto ticks = static_cast<std::int64_t>(std::floor(reading / tick));
        std::int64_t ns = std::llround(static_cast<double>(ticks) * tick * 1e9);
        if (c.kind == mlat::ClockKind::kGps) ns += sc.start.ns;  // absolute time
        if (ns < 0) continue;
        m.toas.push_back({.receiver = nc.receivers[k].id,
                          .toa_ns = ns,
                          .rssi = std::round(120 - 20 * std::log10(std::max(d, 1e3) / 1e3))});
      }
      if (static_cast<int>(m.toas.size()) < nc.min_receivers) continue;
      m.time = sc.start + Duration::from_seconds(first_s + nc.server_delay_s);
      m.baro_alt_m = std::round(pressure_altitude_m(sc, s->position.alt_m) / kFt / 25) * 25 * kFt;
      if (adsb) {
        // The reported position: where the aircraft was position_latency_s
        // earlier, with NACp noise; the GNSS height with 1.5 x that.
        auto p = target.at(t - Duration::from_seconds(nc.position_latency_s));
        if (!p) p = s;
        const Eigen::Vector3d d = draw3(rng, sigma_h, sigma_h, 1.5 * sigma_h);
        const GeodeticPosition q = displace(p->position, d.x(), d.y(), d.z());
        m.geo_alt_m = q.alt_m;
        m.reference = q;
      }
      feed.messages.push_back(std::move(m));
    }
  }
  std::stable_sort(feed.messages.begin(), feed.messages.end(),
                   [](const mlat::Message& a, const mlat::Message& b) { return a.time < b.time; });
  for (std::size_t i = 0; i < feed.messages.size(); ++i)
    feed.messages[i].id = static_cast<std::int64_t>(i + 1);
  return feed;
}

}  // namespace skyfuse::sim
