#include "live/system_config_loader.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <numbers>
#include <set>
#include <sstream>

#include "core/input_file.hpp"
#include "geo/regions.hpp"
#include "io/jsonl.hpp"
#include "live/toml_fields.hpp"

namespace skyfuse::live {

namespace {
constexpr double kDeg = std::numbers::pi / 180.0;

void load_tracker(const toml::table& root, const std::string& file, SystemConfig& c) {
  const toml::node* n = root.get("tracker");
  if (!n) return;
  const toml::table* t = n->as_table();
  if (!t) throw ConfigError(fmt::format("{}: [tracker] must be a table", where(file, n->source())));
  Fields f(*t, file, "[tracker]");
  tracking::TrackerConfig& k = c.tracker;
  if (f.has("origin_lat_deg") || f.has("origin_lon_deg"))
    k.origin = GeodeticPosition{f.num_in("origin_lat_deg", -89, 89),
                                f.num_in("origin_lon_deg", -180, 180), 0};
  const std::string mode = f.str("association", "gnn");
  if (mode == "gnn") {
    k.association = tracking::AssociationMode::kGnn;
  } else if (mode == "jpda") {
    k.association = tracking::AssociationMode::kJpda;
  } else {
    f.fail("association", "must be \"gnn\" or \"jpda\"");
  }
  k.gate_nis = f.num_in("gate_nis", 1, 1000, k.gate_nis);
  k.identity_gate_nis = f.num_in("identity_gate_nis", 1, 1e6, k.identity_gate_nis);
  k.batch_window_s = f.num_in("batch_window_s", 0, 10, k.batch_window_s);
  k.latency_s = f.num_in("latency_s", 0, 600, k.latency_s);
  k.max_oosm_lag_s = f.num_in("max_oosm_lag_s", 0, 600, k.max_oosm_lag_s);
  k.jpda_pd = f.num_in("jpda_pd", 0.01, 0.999, k.jpda_pd);
  k.jpda_clutter_per_km2 = f.num_in("jpda_clutter_per_km2", 1e-9, 1e6, k.jpda_clutter_per_km2);
  k.confirm_hits_identified =
      static_cast<int>(f.num_in("confirm_hits_identified", 1, 20, k.confirm_hits_identified));
  k.confirm_hits_anonymous =
      static_cast<int>(f.num_in("confirm_hits_anonymous", 1, 20, k.confirm_hits_anonymous));
  k.confirm_score = f.num_in("confirm_score", -100, 1000, k.confirm_score);
  k.clutter_map_ring_m = f.num_in("clutter_map_ring_m", 0, 1e6, k.clutter_map_ring_m);
  if (k.clutter_map_ring_m > 0 && k.clutter_map_ring_m < 500)
    f.fail("clutter_map_ring_m", "must be 0 (no map) or at least 500 m");
  k.clutter_map_sectors =
      static_cast<int>(f.num_in("clutter_map_sectors", 1, 720, k.clutter_map_sectors));
  k.address_prior_score = f.num_in("address_prior_score", -100, 1000, k.address_prior_score);
  k.max_gate_m = f.num_in("max_gate_m", 100, 1e6, k.max_gate_m);
  k.coast_factor = f.num_in("coast_factor", 1, 100, k.coast_factor);
  k.tentative_miss_factor = f.num_in("tentative_miss_factor", 1, 100, k.tentative_miss_factor);
  k.delete_after_s = f.num_in("delete_after_s", 1, 3600, k.delete_after_s);
  k.delete_after_intervals = f.num_in("delete_after_intervals", 1, 1000, k.delete_after_intervals);
  k.number_memory_s = f.num_in("number_memory_s", 0, 86400, k.number_memory_s);
  k.max_speed_mps = f.num_in("max_speed_mps", 10, 10000, k.max_speed_mps);
  k.confirm_max_speed_mps = f.num_in("confirm_max_speed_mps", 10, 10000, k.confirm_max_speed_mps);
  k.confirm_hits_fast =
      static_cast<int>(f.num_in("confirm_hits_fast", 2, 100, k.confirm_hits_fast));
  k.confirm_max_velocity_sigma_mps =
      f.num_in("confirm_max_velocity_sigma_mps", 1, 1e9, k.confirm_max_velocity_sigma_mps);
  k.backdate_confirmed = f.flag("backdate_confirmed", k.backdate_confirmed);
  k.backdate_max_s = f.num_in("backdate_max_s", 0, 3600, k.backdate_max_s);
  k.split_plot_azimuth_deg = f.num_in("split_plot_azimuth_deg", 0, 10, k.split_plot_azimuth_deg);
  k.default_height_m = f.num_in("default_height_m", -500, 30000, k.default_height_m);
  k.registration = f.flag("registration", k.registration);
  k.registration_min_samples =
      static_cast<int>(f.num_in("registration_min_samples", 1, 1e6, k.registration_min_samples));
  k.registration_prior_gain_ppm =
      f.num_in("registration_prior_gain_ppm", 1e-3, 1e5, k.registration_prior_gain_ppm);
  k.registration_prior_time_s =
      f.num_in("registration_prior_time_s", 1e-6, 60, k.registration_prior_time_s);
  k.registration_max_chi2_dof =
      f.num_in("registration_max_chi2_dof", 1, 1e6, k.registration_max_chi2_dof);
  k.imm.cv_accel_sigma_mps2 = f.num_in("cv_accel_sigma_mps2", 0.01, 100, k.imm.cv_accel_sigma_mps2);
  k.imm.ct_accel_sigma_mps2 = f.num_in("ct_accel_sigma_mps2", 0.01, 100, k.imm.ct_accel_sigma_mps2);
  k.imm.ca_jerk_sigma_mps3 = f.num_in("ca_jerk_sigma_mps3", 0.01, 100, k.imm.ca_jerk_sigma_mps3);
  k.vertical.accel_sigma_mps2 =
      f.num_in("vertical_accel_sigma_mps2", 0.01, 100, k.vertical.accel_sigma_mps2);
  f.finish();
}

// [data_time]: the guard that keeps one source from moving the system's time.
void load_data_time(const toml::table& root, const std::string& file, SystemConfig& c) {
  const toml::node* n = root.get("data_time");
  if (!n) return;
  const toml::table* t = n->as_table();
  if (!t)
    throw ConfigError(fmt::format("{}: [data_time] must be a table", where(file, n->source())));
  Fields f(*t, file, "[data_time]");
  tracking::TimeGuardConfig& g = c.data_time;
  g.max_ahead_s = f.num_in("max_ahead_s", 0.1, 86400, g.max_ahead_s);
  g.max_behind_s = f.num_in("max_behind_s", 1, 1e7, g.max_behind_s);
  g.max_host_offset_s = f.num_in("max_host_offset_s", 0, 1e7, g.max_host_offset_s);
  g.confirm_reports = static_cast<int>(f.num_in("confirm_reports", 1, 1000, g.confirm_reports));
  g.confirm_span_s = f.num_in("confirm_span_s", 0, 86400, g.confirm_span_s);
  g.claim_agree_s = f.num_in("claim_agree_s", 0.1, 86400, g.claim_agree_s);
  f.finish();
}

// [spoof]: the Remote ID spoofing and consistency checks (docs/config.md).
void load_spoof(const toml::table& root, const std::string& file, SystemConfig& c) {
  const toml::node* n = root.get("spoof");
  if (!n) return;
  const toml::table* t = n->as_table();
  if (!t) throw ConfigError(fmt::format("{}: [spoof] must be a table", where(file, n->source())));
  Fields f(*t, file, "[spoof]");
  tracking::SpoofConfig& k = c.tracker.spoof;
  k.enabled = f.flag("enabled", k.enabled);
  k.speed_window_s = f.num_in("speed_window_s", 1, 600, k.speed_window_s);
  k.speed_tolerance_mps = f.num_in("speed_tolerance_mps", 0, 1000, k.speed_tolerance_mps);
  k.speed_tolerance_fraction =
      f.num_in("speed_tolerance_fraction", 0, 10, k.speed_tolerance_fraction);
  k.speed_sustain_s = f.num_in("speed_sustain_s", 0, 3600, k.speed_sustain_s);
  k.max_uav_speed_mps = f.num_in("max_uav_speed_mps", 1, 1000, k.max_uav_speed_mps);
  k.place_slack_m = f.num_in("place_slack_m", 0, 1e5, k.place_slack_m);
  k.jump_confirm_reports =
      static_cast<int>(f.num_in("jump_confirm_reports", 1, 1000, k.jump_confirm_reports));
  k.place_memory_s = f.num_in("place_memory_s", 1, 3600, k.place_memory_s);
  k.reception_range_factor = f.num_in("reception_range_factor", 0, 100, k.reception_range_factor);
  k.rssi_window_s = f.num_in("rssi_window_s", 1, 3600, k.rssi_window_s);
  k.rssi_min_range_ratio = f.num_in("rssi_min_range_ratio", 1.01, 1e4, k.rssi_min_range_ratio);
  k.rssi_min_range_m = f.num_in("rssi_min_range_m", 0, 1e5, k.rssi_min_range_m);
  k.rssi_max_slope_db_per_decade =
      f.num_in("rssi_max_slope_db_per_decade", 0, 100, k.rssi_max_slope_db_per_decade);
  k.rssi_min_samples = static_cast<int>(f.num_in("rssi_min_samples", 3, 512, k.rssi_min_samples));
  k.radar_uav_rcs_m2 = f.num_in("radar_uav_rcs_m2", 1e-6, 1e4, k.radar_uav_rcs_m2);
  k.radar_min_range_m = f.num_in("radar_min_range_m", 0, 1e6, k.radar_min_range_m);
  k.radar_confirm_distance_m =
      f.num_in("radar_confirm_distance_m", 1, 1e5, k.radar_confirm_distance_m);
  k.radar_window_s = f.num_in("radar_window_s", 1, 3600, k.radar_window_s);
  k.radar_min_samples =
      static_cast<int>(f.num_in("radar_min_samples", 1, 512, k.radar_min_samples));
  k.radar_min_fraction = f.num_in("radar_min_fraction", 0, 1, k.radar_min_fraction);
  k.max_clock_offset_s = f.num_in("max_clock_offset_s", 0, 1e6, k.max_clock_offset_s);
  k.max_clock_spread_s = f.num_in("max_clock_spread_s", 0, 1e6, k.max_clock_spread_s);
  k.clock_window_s = f.num_in("clock_window_s", 1, 3600, k.clock_window_s);
  f.finish();
}

// [atmosphere]: met data, the prior of pressure altitude -> geometric height.
void load_atmosphere(const toml::table& root, const std::string& file, SystemConfig& c) {
  const toml::node* n = root.get("atmosphere");
  if (!n) return;
  const toml::table* t = n->as_table();
  if (!t)
    throw ConfigError(fmt::format("{}: [atmosphere] must be a table", where(file, n->source())));
  Fields f(*t, file, "[atmosphere]");
  geo::AtmosphereConfig& a = c.tracker.atmosphere;
  a.isa_deviation_k = f.num_in("isa_deviation_k", -60, 60, a.isa_deviation_k);
  a.qnh_hpa = f.num_in("qnh_hpa", 850, 1100, a.qnh_hpa);
  a.geoid_undulation_m = f.num_in("geoid_undulation_m", -120, 120, a.geoid_undulation_m);
  c.tracker.atmosphere_given = true;
  f.finish();
}

void load_system(const toml::table& root, const std::string& file, SystemConfig& c) {
  const toml::node* n = root.get("system");
  if (!n) return;
  const toml::table* t = n->as_table();
  if (!t) throw ConfigError(fmt::format("{}: [system] must be a table", where(file, n->source())));
  Fields f(*t, file, "[system]");
  c.sac = f.byte("sac", c.sac);
  c.sic = f.byte("sic", c.sic);
  f.finish();
}

std::uint16_t parse_port(const std::string& s, const std::function<void()>& bad) {
  if (s.empty() || s.size() > 5 || s.find_first_not_of("0123456789") != std::string::npos) bad();
  const int p = std::stoi(s);
  if (p < 1 || p > 65535) bad();
  return static_cast<std::uint16_t>(p);
}

// [[run.map_layer]]: the operator's map layers, checked and written as the
// JSON array /api/info gives the map (docs/api.md, docs/config.md).
std::string load_map_layers(Fields& run) {
  const toml::array* layers = run.array("map_layer");
  if (!layers) return "";
  std::string out = "[";
  std::set<std::string> ids;
  for (const auto& el : *layers) {
    const toml::table* t = el.as_table();
    if (!t)
      throw ConfigError(fmt::format("{}: [run] each map_layer must be a table ([[run.map_layer]])",
                                    where(run.file(), el.source())));
    const std::string id = (*t)["id"].value<std::string>().value_or("?");
    Fields f(*t, run.file(), fmt::format("[[run.map_layer]] \"{}\"", id));
    f.str("id");
    if (id.empty()) f.fail("id", "must not be empty");
    if (!ids.insert(id).second) f.fail("id", "is used by an earlier map layer");
    const std::string type = f.str("type");
    if (type != "xyz" && type != "wmts" && type != "pmtiles" && type != "geojson")
      f.fail("type", "must be \"xyz\", \"wmts\", \"pmtiles\" or \"geojson\"");
    const std::string url = f.str("url");
    if (url.empty()) f.fail("url", "must not be empty");
    std::string o =
        fmt::format("{{\"id\":{},\"name\":{},\"type\":\"{}\",\"url\":{}", io::json_string(id),
                    io::json_string(f.str("name", id)), type, io::json_string(url));
    for (const char* key :
         {"attribution", "layer", "matrix_set", "format", "style", "stroke", "fill"})
      if (f.has(key)) o += fmt::format(",\"{}\":{}", key, io::json_string(f.str(key)));
    if (type == "wmts" && !f.has("layer"))
      f.fail("", "a wmts layer needs 'layer' (the layer's identifier in the capabilities)");
    auto number = [&](const char* key, double lo, double hi) {
      if (f.has(key)) o += fmt::format(",\"{}\":{}", key, f.num_in(key, lo, hi));
    };
    number("opacity", 0, 1);
    number("min_zoom", 0, 30);
    number("max_zoom", 0, 30);
    number("width", 0, 50);
    for (const char* key : {"visible", "base"})
      if (f.has(key)) o += fmt::format(",\"{}\":{}", key, f.flag(key, false));
    f.finish();
    out += (out.size() > 1 ? "," : "") + o + "}";
  }
  return out + "]";
}

void load_run(const toml::table& root, const std::string& file, SystemConfig& c) {
  const std::filesystem::path dir = std::filesystem::path(file).parent_path();
  auto resolve = [&](const std::string& p) {
    return p.empty() || p[0] == '/' ? p : (dir / p).lexically_normal().string();
  };
  if (const toml::node* n = root.get("run")) {
    const toml::table* t = n->as_table();
    if (!t) throw ConfigError(fmt::format("{}: [run] must be a table", where(file, n->source())));
    Fields f(*t, file, "[run]");
    RunConfig& r = c.run;
    r.http_bind = f.str("http_bind", r.http_bind);
    r.http_port = static_cast<int>(f.num_in("http_port", 0, 65535, r.http_port));
    r.web_root = resolve(f.str("web_root", ""));
    r.token = f.str("token", "");
    r.speed = f.num_in("speed", 0, 10000, r.speed);
    r.loop = f.flag("loop", r.loop);
    r.epoch = f.str("epoch", r.epoch);
    if (r.epoch != "now") {
      try {
        (void)std::stod(r.epoch);
      } catch (const std::exception&) {
        f.fail("epoch", "must be \"now\" or Unix seconds as a string");
      }
    }
    r.record_dir = resolve(f.str("record_dir", ""));
    r.record_max_file_mb = f.num_in("record_max_file_mb", 1, 1e6, r.record_max_file_mb);
    r.record_max_file_s = f.num_in("record_max_file_s", 10, 1e7, r.record_max_file_s);
    r.record_max_total_mb = f.num_in("record_max_total_mb", 0, 1e9, r.record_max_total_mb);
    r.asterix_udp = f.str("asterix_udp", "");
    r.zones = resolve(f.str("zones", ""));
    r.aircraft_db = resolve(f.str("aircraft_db", ""));
    if (!r.aircraft_db.empty())  // absolute: the recording's header names it for replay
      r.aircraft_db = std::filesystem::absolute(r.aircraft_db).lexically_normal().string();
    r.queue_packets = static_cast<int>(f.num_in("queue_packets", 16, 1e7, r.queue_packets));
    r.publish_period_s = f.num_in("publish_period_s", 0.1, 60, r.publish_period_s);
    r.history_interval_s = f.num_in("history_interval_s", 1, 3600, r.history_interval_s);
    r.status_period_s = f.num_in("status_period_s", 0, 86400, r.status_period_s);
    r.duration_s = f.num_in("duration_s", 0, 1e9, r.duration_s);
    r.exit_at_end = f.flag("exit_at_end", r.exit_at_end);
    r.tracks_out = resolve(f.str("tracks_out", ""));
    r.alerts_out = resolve(f.str("alerts_out", ""));
    r.map_layers_json = load_map_layers(f);
    server::ServerLimits& h = r.http_limits;
    auto size = [&f](const char* key, double lo, double hi, std::uint64_t v) {
      return static_cast<std::size_t>(f.num_in(key, lo, hi, static_cast<double>(v)));
    };
    h.max_connections = size("http_max_connections", 1, 1e6, h.max_connections);
    h.max_connections_per_address =
        size("http_max_connections_per_address", 1, 1e6, h.max_connections_per_address);
    h.max_header_bytes = size("http_max_header_bytes", 1024, 1e8, h.max_header_bytes);
    auto& zones_body = h.max_post_body_bytes["/api/zones"];
    zones_body = size("http_max_body_bytes", 1024, 1e9, zones_body);
    h.max_file_bytes = size("http_max_file_bytes", 1024, 1e12, h.max_file_bytes);
    h.max_ws_message_bytes = size("ws_max_message_bytes", 128, 1e8, h.max_ws_message_bytes);
    h.header_timeout_s = f.num_in("http_header_timeout_s", 0.1, 3600, h.header_timeout_s);
    h.body_timeout_s = f.num_in("http_body_timeout_s", 0.1, 3600, h.body_timeout_s);
    h.idle_timeout_s = f.num_in("http_idle_timeout_s", 0.1, 3600, h.idle_timeout_s);
    h.write_timeout_s = f.num_in("http_write_timeout_s", 0.1, 3600, h.write_timeout_s);
    h.ws_idle_timeout_s = f.num_in("ws_idle_timeout_s", 0.2, 3600, h.ws_idle_timeout_s);
    f.finish();
  }
  if (const toml::node* n = root.get("safety")) {
    const toml::table* t = n->as_table();
    if (!t)
      throw ConfigError(fmt::format("{}: [safety] must be a table", where(file, n->source())));
    Fields f(*t, file, "[safety]");
    safety::SafetyConfig& s = c.safety;
    s.stca_horizontal_m = f.num_in("stca_horizontal_m", 100, 1e5, s.stca_horizontal_m);
    s.stca_vertical_m = f.num_in("stca_vertical_m", 10, 1e4, s.stca_vertical_m);
    s.stca_lookahead_s = f.num_in("stca_lookahead_s", 0, 600, s.stca_lookahead_s);
    s.stca_min_speed_mps = f.num_in("stca_min_speed_mps", 0, 1000, s.stca_min_speed_mps);
    s.apw_lookahead_s = f.num_in("apw_lookahead_s", 0, 600, s.apw_lookahead_s);
    s.apw_step_s = f.num_in("apw_step_s", 0.1, 60, s.apw_step_s);
    s.clear_after_s = f.num_in("clear_after_s", 0, 600, s.clear_after_s);
    s.max_track_age_s = f.num_in("max_track_age_s", 1, 600, s.max_track_age_s);
    f.finish();
  }
}

// kind = "mlat_receivers": arrival times (format mlat_csv, a file) or one
// Beast stream per receiver (format beast: [[sensor.receiver]] tables), and
// `receivers = "file:PATH"`, the receiver list (sites, clock types).
void load_mlat_receivers(Fields& f, const std::filesystem::path& dir, feeds::FeedConfig& feed) {
  if (feed.format == feeds::FeedFormat::kBeast) {
    feed.format = feeds::FeedFormat::kMlatBeast;
    feed.group_window_s = f.num_in("group_window_s", 0.001, 10, feed.group_window_s);
    feed.max_pending_groups =
        static_cast<int>(f.num_in("max_pending_groups", 1, 1e6, feed.max_pending_groups));
  } else if (feed.format != feeds::FeedFormat::kMlatCsv) {
    f.fail("format", "must be \"mlat_csv\" or \"beast\" for kind = \"mlat_receivers\"");
  } else if (feed.transport != feeds::Transport::kFile) {
    f.fail("input", "must be \"file:PATH\" for kind = \"mlat_receivers\", format \"mlat_csv\"");
  }
  const std::string rx = f.str("receivers");
  if (rx.rfind("file:", 0) != 0 || rx.size() <= 5)
    f.fail("receivers", "must be \"file:PATH\" (the receiver list CSV)");
  feed.receivers_path =
      rx[5] == '/' ? rx.substr(5) : (dir / rx.substr(5)).lexically_normal().string();
}

// format = "beast" of kind = "mlat_receivers": one [[sensor.receiver]] table
// per receiver: its serial in the receiver list, its input (a recorded file
// for `track`, with its start time; a live stream over TCP for `run`).
void load_receiver_inputs(const toml::table& t, Fields& f, const std::string& file,
                          const std::filesystem::path& dir, const std::string& sensor, bool live,
                          feeds::FeedConfig& feed) {
  if (f.has("input"))
    f.fail("input", "is given per receiver ([[sensor.receiver]] input) for format \"beast\"");
  if (!f.array("receiver"))
    f.fail("", "format \"beast\" needs one [[sensor.receiver]] table per receiver");
  std::set<std::uint32_t> serials;
  each_table(t, file, "receiver", [&](const toml::table& rt) {
    Fields r(rt, file, fmt::format("[[sensor]] \"{}\" [[sensor.receiver]]", sensor));
    feeds::ReceiverInput ri;
    const double serial = r.num_in("serial", 0, 4294967295.0);
    if (serial != std::floor(serial)) r.fail("serial", "must be an integer");
    ri.serial = static_cast<std::uint32_t>(serial);
    if (!serials.insert(ri.serial).second) r.fail("serial", "is given twice");
    ri.input = r.str("input");
    if (live) {
      // tcp:HOST:PORT, the receiver's Beast output (readsb/dump1090 port 30005)
      const auto colon = ri.input.rfind(':');
      if (ri.input.rfind("tcp:", 0) != 0 || colon == std::string::npos || colon <= 4)
        r.fail("input",
               "must be \"tcp:HOST:PORT\" for `run` (a receiver's Beast stream; recorded "
               "files are read by `track`)");
      ri.transport = feeds::Transport::kTcp;
      ri.host = ri.input.substr(4, colon - 4);
      ri.port = parse_port(ri.input.substr(colon + 1),
                           [&] { r.fail("input", "looks like \"tcp:HOST:PORT\""); });
      r.finish();
      feed.receiver_inputs.push_back(std::move(ri));
      return;
    }
    if (ri.input.rfind("file:", 0) != 0 || ri.input.size() <= 5)
      r.fail("input", "must be \"file:PATH\" for `track` (live streams, tcp:, are for `run`)");
    ri.path = ri.input[5] == '/' ? ri.input.substr(5)
                                 : (dir / ri.input.substr(5)).lexically_normal().string();
    ri.start_unix = r.num_in("start_unix", 0, 4e9, NAN);
    if (std::isnan(ri.start_unix) && feeds::start_from_name(ri.path) <= 0)
      r.fail("start_unix",
             "is needed (the Unix time of the file's first frame), unless the file name "
             "carries it (utc--<unix>)");
    r.finish();
    feed.receiver_inputs.push_back(std::move(ri));
  });
  if (feed.receiver_inputs.size() > 65535)  // a packet names its receiver in 16 bits
    f.fail("receiver", "at most 65535 receivers per sensor");
}

// A sensor's `input` (file:, udp:, tcp:) and its transport settings.
void load_input(Fields& f, const std::filesystem::path& dir, bool live, feeds::FeedConfig& feed) {
  feed.input = f.str("input");
  const std::string& in = feed.input;
  if (in.rfind("file:", 0) == 0) {
    feed.transport = feeds::Transport::kFile;
    feed.path = (dir / in.substr(5)).lexically_normal().string();
    if (in.size() > 5 && in[5] == '/') feed.path = in.substr(5);
  } else if (!live && (in.rfind("udp:", 0) == 0 || in.rfind("tcp:", 0) == 0)) {
    f.fail("input", "must be \"file:PATH\" for `track` (live inputs are for `run`)");
  } else if (in.rfind("udp:", 0) == 0) {
    // udp:PORT or udp:GROUP:PORT
    feed.transport = feeds::Transport::kUdp;
    const std::string rest = in.substr(4);
    const auto colon = rest.rfind(':');
    if (colon != std::string::npos) feed.host = rest.substr(0, colon);
    feed.port = parse_port(rest.substr(colon == std::string::npos ? 0 : colon + 1), [&] {
      f.fail("input", "looks like \"udp:PORT\" or \"udp:GROUP:PORT\"");
    });
    feed.interface_address = f.str("interface", "");
    feed.bind_address = f.str("bind", "");
    feed.device = f.str("device", "");
    feed.receive_buffer_bytes =
        static_cast<int>(f.num_in("receive_buffer_kb", 0, 1 << 20, 0) * 1024);
    if (const toml::array* from = f.array("allow_from")) {
      for (const auto& e : *from) {
        const auto v = e.value<std::string>();
        if (!v) f.fail("allow_from", "entries are addresses or prefixes, \"10.1.2.0/24\"");
        feed.allow_from.push_back(*v);
      }
    }
  } else if (in.rfind("tcp:", 0) == 0) {
    feed.transport = feeds::Transport::kTcp;
    const std::string rest = in.substr(4);
    const auto colon = rest.rfind(':');
    if (colon == std::string::npos || colon == 0) f.fail("input", "looks like \"tcp:HOST:PORT\"");
    feed.host = rest.substr(0, colon);
    feed.port = parse_port(rest.substr(colon + 1),
                           [&] { f.fail("input", "looks like \"tcp:HOST:PORT\""); });
  } else {
    f.fail("input", live ? "must be \"file:PATH\", \"udp:[GROUP:]PORT\" or \"tcp:HOST:PORT\""
                         : "must be \"file:PATH\" for `track` (live inputs are for `run`)");
  }
}

void load_sensors(const toml::table& root, const std::string& file, SystemConfig& c, bool live) {
  const std::filesystem::path dir = std::filesystem::path(file).parent_path();
  std::set<std::string> names;
  each_table(root, file, "sensor", [&](const toml::table& t) {
    Fields f(t, file, fmt::format("[[sensor]] \"{}\"", name_of(t, "?")));
    Sensor s;
    s.id = static_cast<SensorId>(c.sensors.size() + 1);
    s.name = f.str("name");
    if (!names.insert(s.name).second) f.fail("name", "is used by another sensor");
    const std::string kind_name = f.str("kind");
    // A receiver network (arrival times) is a multilateration sensor whose
    // fixes skyfuse computes itself (feeds/mlat_feed.hpp).
    const bool mlat_receivers = kind_name == "mlat_receivers";
    const auto kind =
        mlat_receivers ? std::optional(SensorKind::kMlat) : sensor_kind_from_string(kind_name);
    if (!kind)
      f.fail("kind",
             "must be psr, ssr, mode_s, drone_radar, adsb, mlat, mlat_receivers or remote_id");
    s.kind = *kind;
    s.sac = f.byte("sac", 0);
    s.sic = f.byte("sic", static_cast<double>(s.id));
    s.site = f.position();
    s.rotation_period_s = f.num_in("rotation_period_s", 0, 60, 0.0);
    s.max_range_m = f.num_in("max_range_m", 0, 1e6, 0.0);
    s.sigma_range_m = f.num_in("sigma_range_m", 0, 10000, 0.0);
    s.sigma_azimuth_rad = f.num_in("sigma_azimuth_deg", 0, 10, 0.0) * kDeg;
    s.sigma_elevation_rad = f.num_in("sigma_elevation_deg", 0, 30, 0.0) * kDeg;
    s.sigma_position_m = f.num_in("sigma_position_m", 0, 10000, 0.0);
    const bool radar = is_radar(s.kind);
    if (radar && s.sigma_range_m <= 0) s.sigma_range_m = 50;
    if (radar && s.sigma_azimuth_rad <= 0) s.sigma_azimuth_rad = 0.08 * kDeg;
    if (s.kind == SensorKind::kDroneRadar && s.sigma_elevation_rad <= 0)
      s.sigma_elevation_rad = 0.5 * kDeg;
    if (radar && s.rotation_period_s <= 0) s.rotation_period_s = 4;
    s.refraction_k = f.num_in("refraction_k", 0.5, 10, s.refraction_k);
    feeds::FeedConfig feed;
    // A receiver network's Beast streams: one input per receiver, below.
    const bool mlat_beast = mlat_receivers && f.str("format", "mlat_csv") == "beast";
    if (mlat_beast) {
      load_receiver_inputs(t, f, file, dir, s.name, live, feed);
      if (live) {  // every receiver a live stream: a network source (live/sources.hpp)
        feed.transport = feeds::Transport::kTcp;
        for (const feeds::ReceiverInput& ri : feed.receiver_inputs)
          feed.input += (feed.input.empty() ? "" : ",") + ri.input;
      }
    } else
      load_input(f, dir, live, feed);
    feed.clock_group = f.str("clock_group", "main");  // used by `run` (track reads it too)
    const auto format =
        feeds::parse_feed_format(f.str("format", mlat_receivers ? "mlat_csv" : "jsonl"), s.kind);
    if (!format) f.fail("format", "must be " + feeds::feed_format_names());
    if (const std::string why = feeds::format_mismatch(s.kind, *format); !why.empty())
      f.fail("format", why);
    feed.format = *format;
    if (mlat_receivers)
      load_mlat_receivers(f, dir, feed);
    else if (feed.format == feeds::FeedFormat::kMlatCsv)
      f.fail("format", "mlat_csv is the format of kind = \"mlat_receivers\"");
    using feeds::FeedFormat;
    if (feed.transport == feeds::Transport::kUdp && feed.format != FeedFormat::kAsterix)
      f.fail("format", "must be \"asterix\" for a udp: input");
    if (feed.transport == feeds::Transport::kTcp &&
        (feed.format != FeedFormat::kBeast && feed.format != FeedFormat::kAvr &&
         feed.format != FeedFormat::kSbs && feed.format != FeedFormat::kMlatBeast))
      f.fail("format", "must be beast, avr or sbs for a tcp: input");
    if (f.has("udp_port")) {
      const double port = f.num_in("udp_port", 1, 65535);
      if (feed.transport != feeds::Transport::kFile || feed.format != FeedFormat::kPcap ||
          s.kind == SensorKind::kRemoteId)
        f.fail("udp_port",
               "filters an ASTERIX capture (a file: input of format \"pcap\"); a udp: input "
               "names its port in `input`");
      if (port != std::floor(port)) f.fail("udp_port", "must be an integer");
      feed.udp_port = static_cast<std::uint16_t>(port);
    }
    feed.start_unix = f.num("start_unix", NAN);
    if (const toml::array* eds = f.array("editions")) {
      for (const auto& e : *eds) {
        const auto v = e.value<std::string>();
        const auto eq = v ? v->find('=') : std::string::npos;
        if (!v || eq == std::string::npos) f.fail("editions", "entries look like \"48=1.31\"");
        try {
          feed.editions[std::stoi(v->substr(0, eq))] = v->substr(eq + 1);
        } catch (const std::exception&) {
          f.fail("editions", "entries look like \"48=1.31\"");
        }
      }
    }
    f.finish();
    c.sensors.push_back(std::move(s));
    c.feeds.push_back(std::move(feed));
  });
  if (c.sensors.empty()) throw ConfigError(fmt::format("{}: no [[sensor]] declared", file));
}
}  // namespace

// [bus]: the NATS JetStream cluster (docs/config.md). Checked here, so a
// wrong value is named before any connection is tried.
static void load_bus(const toml::table& root, const std::string& file, SystemConfig& c) {
  const toml::node* n = root.get("bus");
  if (!n) return;
  const toml::table* t = n->as_table();
  if (!t) throw ConfigError(fmt::format("{}: [bus] must be a table", where(file, n->source())));
  Fields f(*t, file, "[bus]");
  bus::BusConfig& b = c.bus;
  if (const toml::array* a = f.array("servers")) {
    for (const auto& el : *a) {
      auto v = el.value<std::string>();
      if (!v || v->empty()) f.fail("servers", "must be an array of URLs (\"nats://HOST:PORT\")");
      b.servers.push_back(*v);
    }
  }
  if (b.servers.empty()) f.fail("servers", "must name at least one server");
  b.token = f.str("token", "");
  const std::filesystem::path dir = std::filesystem::path(file).parent_path();
  auto resolve = [&](const std::string& p) {
    return p.empty() || p[0] == '/' ? p : (dir / p).lexically_normal().string();
  };
  b.creds_file = resolve(f.str("creds_file", ""));
  b.nkey = f.str("nkey", "");
  b.nkey_seed_file = resolve(f.str("nkey_seed_file", ""));
  if (b.nkey.empty() != b.nkey_seed_file.empty())
    f.fail("nkey", "and 'nkey_seed_file' go together (the public key and the seed's file)");
  auto stream_name = [&f](const char* key, const std::string& fallback) {
    std::string v = f.str(key, fallback);
    if (v.empty() || v.size() > 64 ||
        v.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") !=
            std::string::npos)
      f.fail(key, "must be 1-64 letters, digits, '_' or '-'");
    return v;
  };
  b.input_stream = stream_name("input_stream", b.input_stream);
  b.tracks_stream = stream_name("tracks_stream", b.tracks_stream);
  if (b.input_stream == b.tracks_stream) f.fail("tracks_stream", "must differ from input_stream");
  b.replicas = static_cast<int>(f.num_in("replicas", 1, 5, b.replicas));
  b.max_age_s = f.num_in("max_age_s", 1, 1e9, b.max_age_s);
  b.max_mb = f.num_in("max_mb", 1, 1e9, b.max_mb);
  b.region = f.str("region", b.region);
  b.start = f.str("start", b.start);
  if (b.start != "all" && b.start != "new") {
    try {
      (void)std::stod(b.start);
    } catch (const std::exception&) {
      f.fail("start", "must be \"all\", \"new\" or Unix seconds as a string");
    }
  }
  b.lease_bucket = stream_name("lease_bucket", b.lease_bucket);
  b.lease_s = f.num_in("lease_s", 0.5, 600, b.lease_s);
  b.reorder_window = static_cast<int>(f.num_in("reorder_window", 0, 1e7, b.reorder_window));
  b.connect_timeout_s = f.num_in("connect_timeout_s", 0.1, 600, b.connect_timeout_s);
  b.max_pending_publishes =
      static_cast<int>(f.num_in("max_pending_publishes", 1, 1e6, b.max_pending_publishes));
  b.margin_m = f.num_in("margin_m", 0, 2e6, b.margin_m);
  b.handover_s = f.num_in("handover_s", 0, 3600, b.handover_s);
  b.handover_gate_m = f.num_in("handover_gate_m", 0, 1e6, b.handover_gate_m);
  if (const toml::array* regions = f.array("regions")) {
    for (const auto& el : *regions) {
      const toml::table* rt = el.as_table();
      if (!rt) f.fail("regions", "must be [[bus.regions]] tables");
      Fields rf(*rt, file, "[[bus.regions]]");
      bus::RegionConfig r;
      r.name = rf.str("name");
      if (r.name.empty() || r.name.size() > 64 ||
          r.name.find_first_not_of(
              "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") !=
              std::string::npos)
        rf.fail("name", "must be 1-64 letters, digits, '_' or '-'");
      if (const toml::array* poly = rf.array("polygon")) {
        for (const auto& v : *poly) {
          const toml::array* pair = v.as_array();
          std::optional<double> lat, lon;
          if (pair && pair->size() == 2) {
            lat = (*pair)[0].value<double>();
            lon = (*pair)[1].value<double>();
          }
          if (!lat || !lon || !(std::abs(*lat) <= 90) || !(std::abs(*lon) <= 180))
            rf.fail("polygon", "must be [[lat_deg, lon_deg], ...] on the globe");
          r.polygon_deg.emplace_back(*lat, *lon);
        }
        if (r.polygon_deg.size() < 3) rf.fail("polygon", "needs at least three vertices");
      }
      rf.finish();
      b.regions.push_back(std::move(r));
    }
    std::vector<geo::RegionShape> shapes;
    for (const auto& r : b.regions) shapes.push_back({r.name, r.polygon_deg});
    try {
      const geo::Regions check(std::move(shapes), b.margin_m);
    } catch (const std::invalid_argument& e) {
      f.fail("regions", e.what());
    }
  }
  f.finish();
}

SystemConfig load_system_config_text(const std::string& text, const std::string& path, bool live) {
  toml::table root;
  try {
    root = parse_toml(text, path);  // guarded against toml++ 3.3.0's non-ASCII faults
  } catch (const toml::parse_error& e) {
    throw ConfigError(fmt::format("{}: {}", where(path, e.source()), e.description()));
  }
  SystemConfig c;
  c.file = path;
  c.text = text;
  for (const auto& [k, v] : root) {
    const std::string key(k.str());
    const bool known = key == "tracker" || key == "sensor" || key == "system" ||
                       key == "data_time" || key == "atmosphere" || key == "run" ||
                       key == "safety" || key == "spoof" || key == "bus";
    if (!live && (key == "run" || key == "safety" || key == "bus"))
      c.ignored_sections.push_back(key);
    if (!known)
      throw ConfigError(fmt::format(
          "{}: unknown section '{}' (expected [system], [tracker], [data_time], [atmosphere], "
          "[spoof], [[sensor]], [run], [safety], [bus])",
          where(path, k.source()), key));
  }
  load_system(root, path, c);
  load_data_time(root, path, c);
  load_atmosphere(root, path, c);
  c.tracker.backdate_confirmed = !live;  // `track` writes whole histories; a live picture
                                         // does not rewrite the past
  load_tracker(root, path, c);
  load_spoof(root, path, c);
  load_sensors(root, path, c, live);
  if (live) c.tracker.backdate_confirmed = false;
  if (live) load_run(root, path, c);
  if (live) load_bus(root, path, c);
  return c;
}

SystemConfig load_system_config(const std::string& path, bool live) {
  return load_system_config_text(read_input_file(path, "configuration"), path, live);
}

}  // namespace skyfuse::live
