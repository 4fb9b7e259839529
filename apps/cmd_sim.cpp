#include <fmt/format.h>
#include <fmt/os.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <numbers>

#include "apps/commands.hpp"
#include "apps/scenario_loader.hpp"
#include "core/error.hpp"
#include "decode/asterix/catalogue.hpp"
#include "io/jsonl.hpp"
#include "log/progress.hpp"
#include "mlat/locards_csv.hpp"
#include "output/sensor_asterix.hpp"
#include "sim/beast_network.hpp"
#include "sim/simulator.hpp"

namespace skyfuse::apps {

namespace {

struct SimOptions {
  std::string scenario;
  std::uint64_t seed = 1;
  std::string out;
  std::string specs = SKYFUSE_SPECS_DIR;
  LogOptions log;
};

void write_lines(const std::filesystem::path& path, const std::vector<std::string>& lines) {
  std::ofstream o(path, std::ios::binary | std::ios::trunc);
  if (!o) throw ConfigError(fmt::format("{}: cannot write", path.string()));
  for (const auto& l : lines) o << l << '\n';
  if (!o) throw ConfigError(fmt::format("{}: write failed", path.string()));
}

std::string sensors_toml(const sim::SimOutput& out, Time start) {
  std::string s =
      "# Sensors of this simulated run, for `skyfuse track --config` (docs/config.md).\n"
      "# Written by `skyfuse sim`; accuracies are the simulated ones, biases are not told.\n";
  for (const auto& f : out.feeds) {
    const auto& z = f.sensor;
    s += fmt::format("\n[[sensor]]\nname = \"{}\"\nkind = \"{}\"\nsac = {}\nsic = {}\n", z.name,
                     to_string(z.kind), z.sac, z.sic);
    s += fmt::format("lat_deg = {:.8f}\nlon_deg = {:.8f}\nalt_m = {:.2f}\n", z.site.lat_deg,
                     z.site.lon_deg, z.site.alt_m);
    if (z.rotation_period_s > 0)
      s += fmt::format("rotation_period_s = {:g}\n", z.rotation_period_s);
    if (z.max_range_m > 0) s += fmt::format("max_range_m = {:g}\n", z.max_range_m);
    if (z.sigma_range_m > 0 && z.kind != SensorKind::kDroneRadar &&
        std::abs(z.refraction_k - 4.0 / 3.0) > 1e-9)
      s += fmt::format("refraction_k = {:g}\n", z.refraction_k);
    if (z.sigma_range_m > 0)
      s += fmt::format("sigma_range_m = {:g}\nsigma_azimuth_deg = {:g}\n", z.sigma_range_m,
                       z.sigma_azimuth_rad * 180 / std::numbers::pi);
    if (z.kind == SensorKind::kDroneRadar)
      s += fmt::format("sigma_elevation_deg = {:g}\n",
                       z.sigma_elevation_rad * 180 / std::numbers::pi);
    if (z.sigma_position_m > 0) s += fmt::format("sigma_position_m = {:g}\n", z.sigma_position_m);
    if (output::has_asterix_format(z.kind)) {
      // The sensor's real wire format; the JSON Lines twin is for people.
      s += fmt::format("input = \"file:{}.ast\"\nformat = \"asterix\"\nstart_unix = {}\n", z.name,
                       start.ns / 1000000000);
    } else {
      s += fmt::format("input = \"file:{}.jsonl\"\nformat = \"jsonl\"\n", z.name);
    }
  }
  for (const auto& n : out.networks) {
    // A receiver network: skyfuse locates its messages itself (feeds/mlat_feed.hpp).
    const GeodeticPosition site =
        n.receivers.all().empty() ? GeodeticPosition{} : n.receivers.all().front().position;
    if (!n.beast) {
      s += fmt::format(
          "\n[[sensor]]\nname = \"{0}\"\nkind = \"mlat_receivers\"\n"
          "lat_deg = {1:.8f}\nlon_deg = {2:.8f}\nalt_m = {3:.2f}\n"
          "input = \"file:{0}.csv\"\nformat = \"mlat_csv\"\nreceivers = "
          "\"file:{0}_receivers.csv\"\n",
          n.name, site.lat_deg, site.lon_deg, site.alt_m);
      continue;
    }
    // One Beast file per receiver (feeds/mlat_beast_feed.hpp).
    s += fmt::format(
        "\n[[sensor]]\nname = \"{0}\"\nkind = \"mlat_receivers\"\n"
        "lat_deg = {1:.8f}\nlon_deg = {2:.8f}\nalt_m = {3:.2f}\n"
        "format = \"beast\"\nreceivers = \"file:{0}_receivers.csv\"\n",
        n.name, site.lat_deg, site.lon_deg, site.alt_m);
    const sim::BeastStreams b = sim::to_beast_streams(n);
    const auto& rx = n.receivers.all();
    for (std::size_t k = 0; k < rx.size(); ++k)
      if (b.frames[k] > 0)
        s += fmt::format(
            "\n[[sensor.receiver]]\nserial = {0}\ninput = \"file:{1}_{0}.beast\"\n"
            "start_unix = {2:.9f}\n",
            rx[k].id, n.name, b.start_unix[k]);
  }
  return s;
}

int run_sim(const SimOptions& o) {
  namespace fs = std::filesystem;
  const sim::Scenario scenario = load_scenario(o.scenario);
  const bool quiet = configure_logging(o.log, false);
  log::Progress progress("skyfuse sim", "parts (the truth, then each sensor)", 0,
                         log::progress_style(quiet));
  const sim::SimOutput out =
      sim::simulate(scenario, o.seed, [&progress](std::size_t done, std::size_t total) {
        progress.set_total(total);
        progress.update(done);
      });
  progress.finish();
  fs::create_directories(o.out);
  std::vector<std::string> lines;
  lines.reserve(out.truth.size());
  for (const auto& s : out.truth) lines.push_back(io::to_json(s));
  write_lines(fs::path(o.out) / "truth.jsonl", lines);
  std::string biases = "{\"seed\":" + std::to_string(o.seed) + ",\"sensors\":[";
  std::map<int, decode::asterix::Category> cats;
  std::size_t total = 0;
  for (std::size_t i = 0; i < out.feeds.size(); ++i) {
    const auto& f = out.feeds[i];
    lines.clear();
    for (const auto& r : f.reports) lines.push_back(io::to_json(r, f.sensor));
    write_lines(fs::path(o.out) / (f.sensor.name + ".jsonl"), lines);
    if (output::has_asterix_format(f.sensor.kind)) {
      if (cats.empty()) cats = decode::asterix::load_categories(o.specs, {});
      long skipped = 0;
      std::string why;
      const std::vector<std::uint8_t> bytes =
          output::encode_feed(f.sensor, f.reports, cats, scenario.start, &skipped, &why);
      const fs::path ast = fs::path(o.out) / (f.sensor.name + ".ast");
      std::ofstream a(ast, std::ios::binary | std::ios::trunc);
      a.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
      if (!a) throw ConfigError(fmt::format("{}: write failed", ast.string()));
      if (skipped)
        fmt::print(stderr, "sim: {}: {} reports did not fit ASTERIX fields, left out (first: {})\n",
                   f.sensor.name, skipped, why);
    }
    total += f.reports.size();
    biases += fmt::format(
        "{}{{\"name\":\"{}\",\"kind\":\"{}\",\"bias_range_m\":{},\"bias_azimuth_deg\":{},"
        "\"range_gain_ppm\":{},\"time_bias_s\":{}}}",
        i ? "," : "", f.sensor.name, to_string(f.sensor.kind), f.bias_range_m, f.bias_azimuth_deg,
        f.range_gain_ppm, f.time_bias_s);
  }
  biases += "]}";
  write_lines(fs::path(o.out) / "sensor_truth.json", {biases});
  // Receiver networks: the arrival times and the receiver list (LocaRDS layout
  // plus the icao24 column, docs/mlat.md).
  for (const auto& n : out.networks) {
    lines.clear();
    lines.push_back(mlat::measurement_header(true));
    for (const auto& m : n.messages) lines.push_back(mlat::to_csv_line(m, true));
    write_lines(fs::path(o.out) / (n.name + ".csv"), lines);
    lines.clear();
    lines.push_back(mlat::kReceiverHeader);
    for (const auto& r : n.receivers.all()) lines.push_back(mlat::to_csv_line(r));
    write_lines(fs::path(o.out) / (n.name + "_receivers.csv"), lines);
    if (!n.beast) continue;
    const sim::BeastStreams b = sim::to_beast_streams(n);
    for (std::size_t k = 0; k < b.streams.size(); ++k) {
      if (b.frames[k] == 0) continue;  // a receiver that heard nothing has no file
      const fs::path p =
          fs::path(o.out) / fmt::format("{}_{}.beast", n.name, n.receivers.all()[k].id);
      std::ofstream bf(p, std::ios::binary | std::ios::trunc);
      bf.write(reinterpret_cast<const char*>(b.streams[k].data()),
               static_cast<std::streamsize>(b.streams[k].size()));
      if (!bf) throw ConfigError(fmt::format("{}: write failed", p.string()));
    }
  }
  {
    std::ofstream cfg(fs::path(o.out) / "sensors.toml", std::ios::binary | std::ios::trunc);
    cfg << sensors_toml(out, scenario.start);
  }
  std::size_t objects = scenario.targets.size();
  fmt::print(
      "sim: scenario \"{}\", seed {}: {} targets, {} truth states, {} sensors, {} reports -> {}\n",
      scenario.name, o.seed, objects, out.truth.size(), out.feeds.size(), total, o.out);
  for (const auto& f : out.feeds)
    fmt::print("  {:<16} {:<12} {:>9} reports\n", f.sensor.name, to_string(f.sensor.kind),
               f.reports.size());
  for (const auto& n : out.networks) {
    std::size_t refs = 0;
    for (const auto& m : n.messages) refs += m.reference ? 1 : 0;
    fmt::print("  {:<16} {:<12} {:>9} messages ({} references), {} receivers\n", n.name,
               "mlat_network", n.messages.size(), refs, n.receivers.size());
  }
  return 0;
}

}  // namespace

Runner add_sim_command(CLI::App& app) {
  auto opts = std::make_shared<SimOptions>();
  CLI::App* cmd = app.add_subcommand(
      "sim", "Simulate a scenario: every sensor's feed plus ground truth (docs/scenario.md)");
  cmd->add_option("scenario", opts->scenario, "Scenario TOML file")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--seed", opts->seed, "Random seed; the same seed gives byte-identical output")
      ->capture_default_str();
  cmd->add_option("--out", opts->out, "Output directory (created if missing)")->required();
  add_log_options(cmd, opts->log);
  cmd->footer(
      "\nWrites OUT/truth.jsonl, OUT/<sensor>.jsonl for each sensor, OUT/<sensor>.ast (ASTERIX:\n"
      "CAT048+034 for radars, CAT021+023 for ADS-B, CAT020+019 for MLAT, CAT015 for drone\n"
      "radars), OUT/sensors.toml\n"
      "(sensor configuration for `skyfuse track`) and OUT/sensor_truth.json (simulated biases);\n"
      "each [[mlat_network]] writes OUT/<network>.csv (arrival times, LocaRDS layout + icao24)\n"
      "(with beast = true also OUT/<network>_<serial>.beast, one Beast stream per receiver)\n"
      "and OUT/<network>_receivers.csv, and a kind = \"mlat_receivers\" sensor in sensors.toml.\n"
      "Example: skyfuse sim scenarios/demo_zurich.toml --seed 1 --out out/demo");
  return [opts]() { return run_sim(*opts); };
}

}  // namespace skyfuse::apps
