// skyfuse mlat: locate Mode S transmissions from receiver timestamps (TDOA).
// Thin: parsing, clock synchronisation and solving live in src/mlat.
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <memory>

#include "apps/commands.hpp"
#include "core/error.hpp"
#include "core/input_file.hpp"
#include "mlat/locards_csv.hpp"
#include "mlat/multilaterator.hpp"
#include "mlat/output.hpp"

namespace skyfuse::apps {

namespace {

// Default: a row waits for 30 s of later data (references just after it count).
mlat::MultilateratorConfig near_causal() {
  mlat::MultilateratorConfig cfg;
  cfg.lookahead_s = 30;
  return cfg;
}

struct MlatOptions {
  std::string receivers;
  std::string input;
  std::string out;
  bool no_refraction = false;
  mlat::MultilateratorConfig cfg = near_causal();
};

void report_errors(const std::string& path, const std::vector<Error>& errors) {
  constexpr std::size_t kShown = 10;
  for (std::size_t i = 0; i < std::min(errors.size(), kShown); ++i) {
    fmt::print(stderr, "skyfuse mlat: {}:{}: {}\n", path, errors[i].offset, errors[i].detail);
  }
  if (errors.size() > kShown) {
    fmt::print(stderr, "skyfuse mlat: {}: {} more bad lines not shown\n", path,
               errors.size() - kShown);
  }
}

int run_mlat(MlatOptions& o) {
  std::ifstream rin = skyfuse::open_input_file(o.receivers, "receiver list");
  const mlat::ReceiverFile rf = mlat::read_receivers(rin);
  report_errors(o.receivers, rf.errors);
  std::ifstream in = skyfuse::open_input_file(o.input, "measurements");
  mlat::MeasurementFile mf = mlat::read_measurements(in);
  report_errors(o.input, mf.errors);
  std::ofstream out(o.out);
  if (!out) throw ConfigError("cannot write " + o.out);

  // The file is processed as a stream in time order (stable for equal times).
  std::stable_sort(mf.messages.begin(), mf.messages.end(),
                   [](const mlat::Message& a, const mlat::Message& b) { return a.time < b.time; });
  o.cfg.refraction = !o.no_refraction;
  mlat::Multilaterator ml(rf.receivers, o.cfg);
  std::array<long, 7> flags{};
  auto write = [&](const std::vector<mlat::Fix>& fixes) {
    for (const mlat::Fix& f : fixes) {
      out << mlat::to_json_line(f) << '\n';
      ++flags[static_cast<std::size_t>(f.flag)];
    }
  };
  for (const mlat::Message& m : mf.messages) write(ml.push(m));
  write(ml.flush());

  const auto& s = ml.stats();
  std::string by_flag;
  for (std::size_t i = 0; i < flags.size(); ++i) {
    if (flags[i])
      by_flag += fmt::format(" {}={}", to_string(static_cast<mlat::FixFlag>(i)), flags[i]);
  }
  fmt::print(stderr,
             "skyfuse mlat: {} receivers, {} rows ({} bad), {} references ({} used, {} outlier "
             "timestamps, {} clock jumps), {} located:{}\n",
             rf.receivers.size(), mf.messages.size() + mf.errors.size(), mf.errors.size(),
             s.references, s.references_applied, s.reference_outliers, s.clock_jumps, s.located,
             by_flag);
  return 0;
}

}  // namespace

Runner add_mlat_command(CLI::App& app) {
  auto o = std::make_shared<MlatOptions>();
  CLI::App* cmd = app.add_subcommand(
      "mlat", "Multilateration: locate Mode S transmissions from receiver timestamps");
  cmd->add_option("--receivers", o->receivers,
                  "Receiver list CSV: serial,latitude,longitude,height(m),type,good "
                  "(type Radarcape/GRX1090 = GPS clock, dump1090 = Beast 12 MHz, SBS-3 = 20 MHz)")
      ->required();
  cmd->add_option("--input", o->input,
                  "Measurements CSV (LocaRDS layout): id,timeAtServer,aircraft,latitude,longitude,"
                  "baroAltitude,geoAltitude,numMeasurements,measurements=[[receiver,ns,rssi],...]. "
                  "Rows with latitude/longitude are references (clock sync), rows without are "
                  "located")
      ->required();
  cmd->add_option("--out", o->out, "Fixes, JSON Lines: one line per located row")->required();
  cmd->add_option("--lookahead-s", o->cfg.lookahead_s,
                  "Locate a row once data this much newer has been read, so references just "
                  "after it count too (0: strictly causal)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--max-sigma-m", o->cfg.solver.max_sigma_ok_m,
                  "Largest horizontal 1-sigma of a fix flagged ok [m]")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--no-refraction", o->no_refraction,
                "Vacuum propagation (default: exponential tropospheric refractivity)");
  cmd->footer(
      "\nOutput line: {\"id\",\"time\",\"aircraft\",\"lat_deg\",\"lon_deg\",\"alt_m\","
      "\"cov_ne_m2\":[[nn,ne],[en,ee]],\"sigma_up_m\",\"gdop\",\"receivers\" "
      "(used),\"heard\",\"receiver_ids\","
      "\"chi2\",\"dof\",\"flag\"}; flag ok, bad_geometry, inconsistent, ambiguous (these carry a "
      "position; only ok is meant for use), too_few_receivers, unsynchronised, no_convergence "
      "(no position). Rows are read whole, sorted by time and streamed. Docs: docs/mlat.md.\n"
      "Example: skyfuse mlat --receivers sensors.csv --input set_1.csv --out fixes.jsonl");
  return [o]() { return run_mlat(*o); };
}

}  // namespace skyfuse::apps
