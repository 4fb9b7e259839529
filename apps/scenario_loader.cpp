#include "apps/scenario_loader.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <cmath>
#include <filesystem>
#include <set>

#include "core/error.hpp"
#include "core/input_file.hpp"
#include "io/trajectory_files.hpp"
#include "live/toml_fields.hpp"

namespace skyfuse::apps {

namespace {

using live::each_table;
using live::Fields;
using live::name_of;
using live::where;

std::string resolve(const std::string& scenario_file, const std::string& rel) {
  namespace fs = std::filesystem;
  const fs::path p(rel);
  if (p.is_absolute()) return rel;
  return (fs::path(scenario_file).parent_path() / p).lexically_normal().string();
}

std::uint32_t parse_hex24(Fields& f, const std::string& key) {
  const std::string s = f.str(key, "");
  if (s.empty()) return 0;
  char* end = nullptr;
  const unsigned long v = std::strtoul(s.c_str(), &end, 16);
  if (s.size() != 6 || *end != '\0') f.fail(key, "must be 6 hex digits");
  return static_cast<std::uint32_t>(v);
}

void read_identity_and_equipage(Fields& f, Identity& id, sim::Equipage& eq, TargetClass cls) {
  if (f.has("icao24")) id.icao24 = parse_hex24(f, "icao24");
  if (f.has("mode3a")) {
    const std::string s = f.str("mode3a");
    char* end = nullptr;
    const unsigned long v = std::strtoul(s.c_str(), &end, 8);
    if (s.size() != 4 || *end != '\0') f.fail("mode3a", "must be 4 octal digits");
    id.mode3a = static_cast<std::uint16_t>(v);
  }
  id.callsign = f.str("callsign", "");
  id.remote_id = f.str("serial", "");
  const std::string tr = f.str("transponder", cls == TargetClass::kSmallUav ? "none" : "mode_s");
  if (tr == "mode_s")
    eq.transponder = sim::Equipage::Transponder::kModeS;
  else if (tr == "mode_ac")
    eq.transponder = sim::Equipage::Transponder::kModeAC;
  else if (tr == "none")
    eq.transponder = sim::Equipage::Transponder::kNone;
  else
    f.fail("transponder", "must be \"mode_s\", \"mode_ac\" or \"none\"");
  eq.adsb = f.flag("adsb", eq.adsb);
  eq.remote_id = f.flag("remote_id", eq.remote_id);
  eq.nacp = f.byte("nacp", eq.nacp);
  eq.nacv = f.byte("nacv", eq.nacv);
  const double default_rcs = cls == TargetClass::kSmallUav     ? 0.02
                             : cls == TargetClass::kRotorcraft ? 5.0
                             : cls == TargetClass::kFastMover  ? 2.0
                                                               : eq.rcs_m2;
  eq.rcs_m2 = f.num_in("rcs_m2", 1e-6, 1e4, default_rcs);
  if (f.has("remote_id_replay_offset_m")) {
    const toml::array* a = f.array("remote_id_replay_offset_m");
    if (!a || a->size() != 2 || !(*a)[0].is_number() || !(*a)[1].is_number())
      f.fail("remote_id_replay_offset_m", "must be [east_m, north_m]");
    const double e = (*a)[0].value<double>().value_or(0), n = (*a)[1].value<double>().value_or(0);
    if (std::abs(e) > 1e5 || std::abs(n) > 1e5)
      f.fail("remote_id_replay_offset_m", "must be within 100 km");
    eq.remote_id_replay_offset_m = Eigen::Vector2d(e, n);
  }
  eq.remote_id_zero_speed = f.flag("remote_id_zero_speed", false);
  if (f.has("remote_id_rssi_dbm"))
    eq.remote_id_rssi_dbm = f.num_in("remote_id_rssi_dbm", -150, 50, 0.0);
  eq.phantom = f.flag("phantom", false);
}

TargetClass parse_class(Fields& f, const char* fallback) {
  const std::string s = f.str("class", fallback);
  auto c = target_class_from_string(s);
  if (!c) f.fail("class", "must be one of unknown, fixed_wing, rotorcraft, small_uav, fast_mover");
  return *c;
}

// Parametric targets are integrated to the scenario's end at their step_s:
// all of them together at most this many samples (about 1.6 GB), so that a
// long scenario at a fine step is refused with a message, not run out of memory.
constexpr double kMaxTargetSamples = 2e7;

void load_targets(const toml::table& root, const std::string& file, sim::Scenario& sc) {
  double samples = 0;
  each_table(root, file, "target", [&](const toml::table& t) {
    Fields f(t, file, fmt::format("[[target]] \"{}\"", name_of(t, "?")));
    sim::ParametricTarget p;
    p.id = f.str("id");
    p.target_class = parse_class(f, "fixed_wing");
    read_identity_and_equipage(f, p.identity, p.equipage, p.target_class);
    p.start = f.position();
    p.heading_deg = f.num_in("heading_deg", -360, 360, 0.0);
    p.speed_mps = f.num_in("speed_mps", 0, 1100, 0.0);  // up to about Mach 3
    p.start_offset_s = f.num_in("start_s", 0, 1e6, 0.0);
    const toml::array* legs = f.array("legs");
    if (!legs || legs->empty()) f.fail("", "needs 'legs = [{ duration_s = ... }, ...]'");
    for (const auto& el : *legs) {
      const auto* lt = el.as_table();
      if (!lt)
        throw ConfigError(
            fmt::format("{}: each leg must be an inline table", where(file, el.source())));
      Fields lf(*lt, file, fmt::format("target \"{}\" leg", p.id));
      sim::Leg leg;
      leg.duration_s = lf.num_in("duration_s", 0, 1e6);
      leg.turn_rate_dps = lf.num_in("turn_rate_dps", -30, 30, 0.0);
      leg.vertical_rate_mps = lf.num_in("vertical_rate_mps", -200, 200, 0.0);
      leg.accel_mps2 = lf.num_in("accel_mps2", -100, 100, 0.0);
      leg.min_speed_mps = lf.num_in("min_speed_mps", 0, 1100, 0.0);
      leg.max_speed_mps = lf.num_in("max_speed_mps", 0, 1100, 1100.0);
      lf.finish();
      p.legs.push_back(leg);
    }
    const double dt = f.num_in("step_s", 0.01, 1, 0.1);
    f.finish();
    double flown_s = 0;
    for (const sim::Leg& leg : p.legs) flown_s += leg.duration_s;
    samples += std::min(flown_s, std::max(0.0, sc.duration_s - p.start_offset_s)) / dt + 1;
    if (samples > kMaxTargetSamples)
      f.fail("", fmt::format("the [[target]]s up to this one need {:.3g} samples over the "
                             "scenario (at most {:.3g}): a larger step_s, or a shorter "
                             "scenario",
                             samples, kMaxTargetSamples));
    sc.targets.push_back(
        sim::fly(p, sc.start, dt, sc.start + Duration::from_seconds(sc.duration_s)));
  });
}

void load_traffic(const toml::table& root, const std::string& file, sim::Scenario& sc) {
  each_table(root, file, "traffic", [&](const toml::table& t) {
    Fields f(t, file, "[[traffic]]");
    const std::string path = resolve(file, f.str("file"));
    const auto max_aircraft = static_cast<std::size_t>(f.num_in("max_aircraft", 0, 1e6, 1e6));
    const double lat_min = f.num_in("lat_min_deg", -90, 90, -90.0);
    const double lat_max = f.num_in("lat_max_deg", -90, 90, 90.0);
    const double lon_min = f.num_in("lon_min_deg", -180, 180, -180.0);
    const double lon_max = f.num_in("lon_max_deg", -180, 180, 180.0);
    const bool adsb = f.flag("adsb", true);
    const std::uint8_t nacp = f.byte("nacp", 8);
    // Aircraft (by address) without ADS-B out: Mode S only.
    std::set<std::uint32_t> without_adsb;
    if (const toml::array* list = f.array("without_adsb")) {
      for (const auto& e : *list) {
        const auto v = e.value<std::string>();
        char* end = nullptr;
        const unsigned long a = v ? std::strtoul(v->c_str(), &end, 16) : 0;
        if (!v || v->size() != 6 || *end != '\0')
          f.fail("without_adsb", "entries are 24-bit addresses, 6 hex digits");
        without_adsb.insert(static_cast<std::uint32_t>(a));
      }
    }
    f.finish();
    auto r = io::read_state_vectors(path);
    if (!r) f.fail("file", r.error().detail);
    if (r->error_count > 0 && r->trajectories.empty())
      f.fail("file", fmt::format("no usable rows ({} errors; first: {})", r->error_count,
                                 r->errors.front()));
    std::size_t taken = 0;
    const Time end = sc.start + Duration::from_seconds(sc.duration_s);
    for (auto& traj : r->trajectories) {
      if (taken >= max_aircraft) break;
      if (traj.end() < sc.start || traj.begin() > end) continue;
      const auto& p0 = traj.samples.front().position;
      if (p0.lat_deg < lat_min || p0.lat_deg > lat_max || p0.lon_deg < lon_min ||
          p0.lon_deg > lon_max)
        continue;
      traj.equipage.adsb = adsb && !without_adsb.contains(*traj.identity.icao24);
      traj.equipage.nacp = nacp;
      // Each aircraft gets a Mode 3/A code derived from its address (stable).
      traj.identity.mode3a =
          static_cast<std::uint16_t>((*traj.identity.icao24 * 2654435761u >> 20) & 07777);
      sc.targets.push_back(std::move(traj));
      ++taken;
    }
  });
}

void load_drones(const toml::table& root, const std::string& file, sim::Scenario& sc) {
  each_table(root, file, "drone", [&](const toml::table& t) {
    Fields f(t, file, fmt::format("[[drone]] \"{}\"", name_of(t, "?")));
    const std::string id = f.str("id");
    const std::string path = resolve(file, f.str("file"));
    const GeodeticPosition anchor = f.position();
    const double start_s = f.num_in("start_s", 0, 1e6, 0.0);
    auto r = io::read_drone_csv(path);
    if (!r) f.fail("file", r.error().detail);
    sim::Trajectory traj = std::move(r->trajectories.front());
    traj.id = id;
    traj.target_class = parse_class(f, "small_uav");
    read_identity_and_equipage(f, traj.identity, traj.equipage, traj.target_class);
    f.finish();
    sim::reanchor(traj, anchor, sc.start + Duration::from_seconds(start_s));
    sc.targets.push_back(std::move(traj));
  });
}

void load_sensors(const toml::table& root, const std::string& file, sim::Scenario& sc) {
  std::set<std::string> names;
  each_table(root, file, "sensor", [&](const toml::table& t) {
    Fields f(t, file, fmt::format("[[sensor]] \"{}\"", name_of(t, "?")));
    const std::string name = f.str("name");
    if (!names.insert(name).second) f.fail("name", "is used by another sensor");
    for (char c : name)
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'))
        f.fail("name", "may hold only letters, digits, '-' and '_' (it names the output file)");
    const std::string kind_s = f.str("kind");
    const auto kind = sensor_kind_from_string(kind_s);
    if (!kind) f.fail("kind", "must be psr, ssr, mode_s, drone_radar, adsb, mlat or remote_id");
    const std::uint8_t sac = f.byte("sac", 0),
                       sic = f.byte("sic", static_cast<double>(names.size()));
    switch (*kind) {
      case SensorKind::kPsr:
      case SensorKind::kSsr:
      case SensorKind::kModeSRadar:
      case SensorKind::kDroneRadar: {
        const bool drone = *kind == SensorKind::kDroneRadar;
        sim::RadarConfig rc;
        rc.name = name;
        rc.kind = *kind;
        rc.sac = sac;
        rc.sic = sic;
        rc.site = f.position();
        rc.rotation_period_s = f.num_in("rotation_period_s", 0.1, 60, drone ? 1.0 : 4.0);
        rc.start_azimuth_deg = f.num_in("start_azimuth_deg", 0, 360, 0.0);
        rc.pd = f.num_in("pd", 0, 1, 0.9);
        rc.sigma_range_m = f.num_in("sigma_range_m", 0, 1e4, drone ? 5.0 : 50.0);
        rc.sigma_azimuth_deg = f.num_in("sigma_azimuth_deg", 0, 10, drone ? 0.5 : 0.08);
        rc.sigma_elevation_deg = f.num_in("sigma_elevation_deg", 0, 10, 0.5);
        rc.bias_range_m = f.num_in("bias_range_m", -1e4, 1e4, 0.0);
        rc.bias_azimuth_deg = f.num_in("bias_azimuth_deg", -10, 10, 0.0);
        rc.range_gain_ppm = f.num_in("range_gain_ppm", -1e4, 1e4, 0.0);
        rc.time_bias_s = f.num_in("time_bias_s", -10, 10, 0.0);
        rc.split_plot_probability = f.num_in("split_plot_probability", 0, 1, 0.0);
        rc.split_azimuth_deg = f.num_in("split_azimuth_deg", 0, 10, 1.0);
        rc.clutter_per_scan = f.num_in("clutter_per_scan", 0, 1e5, 0.0);
        rc.false_replies_per_scan = f.num_in("false_replies_per_scan", 0, 1e5, 0.0);
        rc.min_range_m = f.num_in("min_range_m", 0, 1e6, drone ? 20.0 : 500.0);
        rc.max_range_m = f.num_in("max_range_m", 1, 1e6, drone ? 5000.0 : 200e3);
        rc.min_elevation_deg = f.num_in("min_elevation_deg", -90, 90, -90.0);
        rc.k_factor = f.num_in("k_factor", 0.6, 9, 4.0 / 3.0);
        if (rc.min_range_m >= rc.max_range_m) f.fail("min_range_m", "must be below max_range_m");
        sc.radars.push_back(rc);
        break;
      }
      case SensorKind::kAdsb: {
        sim::AdsbConfig ac;
        ac.name = name;
        ac.sac = sac;
        ac.sic = sic;
        ac.site = f.position();
        ac.max_range_m = f.num_in("max_range_m", 1, 1e6, 400e3);
        ac.min_interval_s = f.num_in("min_interval_s", 0.05, 60, 0.5);
        ac.max_interval_s = f.num_in("max_interval_s", 0.05, 60, 2.0);
        ac.dropout_probability = f.num_in("dropout_probability", 0, 1, 0.05);
        if (ac.min_interval_s > ac.max_interval_s)
          f.fail("min_interval_s", "must not exceed max_interval_s");
        sc.adsb.push_back(ac);
        break;
      }
      case SensorKind::kMlat: {
        sim::MlatConfig mc;
        mc.name = name;
        mc.sac = sac;
        mc.sic = sic;
        mc.sigma_toa_ns = f.num_in("sigma_toa_ns", 0, 1e6, 10.0);
        mc.interval_s = f.num_in("interval_s", 0.05, 60, 1.0);
        mc.pd = f.num_in("pd", 0, 1, 0.95);
        mc.max_range_m = f.num_in("max_range_m", 1, 1e6, 150e3);
        const toml::array* rx = f.array("receivers");
        if (!rx || rx->size() < 3) f.fail("receivers", "needs at least 3 receivers");
        for (const auto& el : *rx) {
          const auto* rt = el.as_table();
          if (!rt)
            throw ConfigError(
                fmt::format("{}: each receiver must be an inline table", where(file, el.source())));
          Fields rf(*rt, file, fmt::format("sensor \"{}\" receiver", name));
          mc.receivers.push_back(rf.position());
          rf.finish();
        }
        sc.mlat.push_back(mc);
        break;
      }
      case SensorKind::kRemoteId: {
        sim::RemoteIdConfig rc;
        rc.name = name;
        rc.sac = sac;
        rc.sic = sic;
        rc.site = f.position();
        rc.max_range_m = f.num_in("max_range_m", 1, 1e5, 3000.0);
        rc.interval_s = f.num_in("interval_s", 0.1, 60, 1.0);
        rc.pd = f.num_in("pd", 0, 1, 0.95);
        rc.sigma_horizontal_m = f.num_in("sigma_horizontal_m", 0, 1e4, 4.0);
        rc.sigma_vertical_m = f.num_in("sigma_vertical_m", 0, 1e4, 6.0);
        rc.tx_power_dbm = f.num_in("tx_power_dbm", -50, 50, rc.tx_power_dbm);
        rc.frequency_mhz = f.num_in("frequency_mhz", 1, 1e5, rc.frequency_mhz);
        rc.rssi_sigma_db = f.num_in("rssi_sigma_db", 0, 30, rc.rssi_sigma_db);
        sc.remote_id.push_back(rc);
        break;
      }
    }
    f.finish();
  });
}

// [[mlat_network]]: a receiver network writing raw arrival times (docs/scenario.md).
void load_networks(const toml::table& root, const std::string& file, sim::Scenario& sc) {
  std::set<std::string> names;
  for (const auto& r : sc.radars) names.insert(r.name);
  for (const auto& a : sc.adsb) names.insert(a.name);
  for (const auto& m : sc.mlat) names.insert(m.name);
  for (const auto& r : sc.remote_id) names.insert(r.name);
  each_table(root, file, "mlat_network", [&](const toml::table& t) {
    Fields f(t, file, fmt::format("[[mlat_network]] \"{}\"", name_of(t, "?")));
    sim::MlatNetworkConfig nc;
    nc.name = f.str("name");
    if (!names.insert(nc.name).second) f.fail("name", "is used by another sensor or network");
    for (char c : nc.name)
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'))
        f.fail("name", "may hold only letters, digits, '-' and '_' (it names the output files)");
    nc.jitter_gps_ns = f.num_in("jitter_gps_ns", 0, 1e6, nc.jitter_gps_ns);
    nc.jitter_beast_ns = f.num_in("jitter_beast_ns", 0, 1e6, nc.jitter_beast_ns);
    nc.jitter_sbs_ns = f.num_in("jitter_sbs_ns", 0, 1e6, nc.jitter_sbs_ns);
    nc.max_offset_s = f.num_in("max_offset_s", 0, 1e6, nc.max_offset_s);
    nc.drift_sigma_ppm = f.num_in("drift_sigma_ppm", 0, 1000, nc.drift_sigma_ppm);
    nc.max_range_m = f.num_in("max_range_m", 1, 1e6, nc.max_range_m);
    nc.messages_per_s = f.num_in("messages_per_s", 0.01, 100, nc.messages_per_s);
    nc.server_delay_s = f.num_in("server_delay_s", 0, 60, nc.server_delay_s);
    nc.position_latency_s = f.num_in("position_latency_s", 0, 10, nc.position_latency_s);
    nc.min_receivers = static_cast<int>(f.num_in("min_receivers", 2, 64, nc.min_receivers));
    nc.beast = f.flag("beast", false);
    const toml::array* rx = f.array("receivers");
    if (!rx || rx->size() < 3) f.fail("receivers", "needs at least 3 receivers");
    std::set<std::uint32_t> ids;
    for (const auto& el : *rx) {
      const auto* rt = el.as_table();
      if (!rt)
        throw ConfigError(
            fmt::format("{}: each receiver must be an inline table", where(file, el.source())));
      Fields rf(*rt, file, fmt::format("[[mlat_network]] \"{}\" receiver", nc.name));
      sim::MlatReceiverConfig r;
      r.id = static_cast<std::uint32_t>(rf.num_in("id", 0, 4294967295.0));
      if (!ids.insert(r.id).second) rf.fail("id", "is used by another receiver");
      r.site = rf.position();
      const auto kind = mlat::clock_kind_from_type(rf.str("type", "gps"));
      if (!kind)
        rf.fail("type", "must be gps (or Radarcape, GRX1090), beast (dump1090) or sbs (SBS-3)");
      r.clock = *kind;
      if (rf.has("offset_s")) r.offset_s = rf.num_in("offset_s", -1e6, 1e6);
      if (rf.has("drift_ppm")) r.drift_ppm = rf.num_in("drift_ppm", -1000, 1000);
      r.pd = rf.num_in("pd", 0, 1, r.pd);
      rf.finish();
      nc.receivers.push_back(r);
    }
    f.finish();
    sc.mlat_networks.push_back(std::move(nc));
  });
}

}  // namespace

sim::Scenario load_scenario(const std::string& path) {
  const std::string text = read_input_file(path, "scenario");
  toml::table root;
  try {
    root = live::parse_toml(text, path);  // guarded against toml++ 3.3.0's non-ASCII faults
  } catch (const toml::parse_error& e) {
    const auto& src = e.source();
    throw ConfigError(fmt::format("{}:{}:{}: TOML syntax error: {}", path, src.begin.line,
                                  src.begin.column, e.description()));
  }
  sim::Scenario sc;
  const toml::table* head = root["scenario"].as_table();
  if (!head) throw ConfigError(fmt::format("{}: missing [scenario] table", path));
  {
    Fields f(*head, path, "[scenario]");
    sc.name = f.str("name", "scenario");
    const std::string start = f.str("start");
    auto t = io::parse_utc(start);
    if (!t) f.fail("start", "must be a UTC date-time like \"2018-08-01T11:30:00Z\"");
    sc.start = *t;
    sc.duration_s = f.num_in("duration_s", 1, 7 * 86400.0);
    sc.truth_interval_s = f.num_in("truth_interval_s", 0.01, 3600, 1.0);
    sc.geometric_minus_baro_m = f.num_in("geometric_minus_baro_m", -2000, 2000, 0.0);
    if (f.has("isa_deviation_k") || f.has("qnh_hpa") || f.has("geoid_undulation_m")) {
      geo::AtmosphereConfig a;
      a.isa_deviation_k = f.num_in("isa_deviation_k", -60, 60, 0.0);
      a.qnh_hpa = f.num_in("qnh_hpa", 850, 1100, 1013.25);
      a.geoid_undulation_m = f.num_in("geoid_undulation_m", -120, 120, 0.0);
      sc.atmosphere = a;
    }
    f.finish();
  }
  for (const auto& [k, v] : root) {
    const std::string key(k.str());
    if (key != "scenario" && key != "target" && key != "traffic" && key != "drone" &&
        key != "sensor" && key != "mlat_network")
      throw ConfigError(
          fmt::format("{}: unknown section '{}' (expected [scenario], [[target]], "
                      "[[traffic]], [[drone]], [[sensor]], [[mlat_network]])",
                      where(path, k.source()), key));
  }
  load_targets(root, path, sc);
  load_traffic(root, path, sc);
  load_drones(root, path, sc);
  load_sensors(root, path, sc);
  load_networks(root, path, sc);
  std::set<std::string> ids;
  for (const auto& t : sc.targets)
    if (!ids.insert(t.id).second)
      throw ConfigError(fmt::format("{}: target id \"{}\" is used twice", path, t.id));
  return sc;
}

}  // namespace skyfuse::apps
