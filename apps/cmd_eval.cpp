#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "apps/commands.hpp"
#include "core/error.hpp"
#include "eval/evaluation_json.hpp"
#include "eval/evaluator.hpp"
#include "eval/report_html.hpp"
#include "io/jsonl.hpp"
#include "log/progress.hpp"

namespace skyfuse::apps {

namespace {

struct EvalOptions {
  std::string truth;
  std::string tracks;
  bool json = false;
  std::string report;
  bool strict = false;
  std::string conventions = "skyfuse";
  eval::EvalConfig cfg;
  LogOptions log;
};

io::StateFile load(const std::string& path, bool strict) {
  auto r = io::read_states(path);
  if (!r) throw ConfigError(r.error().detail);
  for (const auto& e : r->errors) fmt::print(stderr, "skyfuse eval: {}\n", e);
  if (r->error_count > static_cast<long>(r->errors.size()))
    fmt::print(stderr, "skyfuse eval: {}: {} more bad lines not shown\n", path,
               r->error_count - static_cast<long>(r->errors.size()));
  if (strict && r->error_count > 0)
    throw ConfigError(fmt::format("{}: {} bad lines (--strict)", path, r->error_count));
  return std::move(r).value();
}

int run_eval(const EvalOptions& o) {
  const bool quiet = configure_logging(o.log, false);
  const io::StateFile truth = load(o.truth, o.strict);
  const io::StateFile tracks = load(o.tracks, o.strict);
  log::Progress progress("skyfuse eval", "truth samples", truth.states.size(),
                         log::progress_style(quiet));
  const eval::Evaluation ev =
      eval::evaluate(truth.states, tracks.states, o.cfg,
                     [&progress](std::size_t done, std::size_t) { progress.update(done); });
  progress.finish();
  const eval::Summary& s = ev.summary;
  if (o.json) {
    std::cout << eval::evaluation_json(ev, o.cfg, truth.error_count, tracks.error_count) << '\n';
  } else {
    fmt::print("steps {}  truth objects {}  tracks {}  assigned pairs {}\n", s.steps,
               s.truth_objects, s.tracks, s.assigned_pairs);
    fmt::print(
        "GOSPA (c={:g} m, p={:g}, alpha=2): mean {:.2f} m/step; per object {:.2f} m = "
        "localisation {:.2f} + missed {:.2f} + false {:.2f} (p-th powers add)\n",
        o.cfg.gospa.cutoff_m, o.cfg.gospa.p, s.gospa_mean_m, s.gospa_per_object_m,
        s.gospa_localisation_m, s.gospa_missed_m, s.gospa_false_m);
    fmt::print("OSPA mean {:.2f} m\n", s.ospa_mean_m);
    fmt::print("RMS horizontal {:.2f} m  vertical {:.2f} m  3-D {:.2f} m  velocity {:.2f} m/s\n",
               s.rms_horizontal_m, s.rms_vertical_m, s.rms_3d_m, s.rms_velocity_mps);
    fmt::print(
        "within {:.0f} m {:.3f} %  false positions {:.3f} %  extra tracks {:.3f} %  coverage "
        "{:.3f} %\n",
        o.cfg.within_threshold_m, 100 * s.share_within_m, 100 * s.false_position_share,
        100 * s.extra_track_share, 100 * s.truth_coverage);
    fmt::print(
        "identity swaps {}  track breaks {}  id changes {}  false tracks {} ({:.1f} % of {})  "
        "never tracked {}  initiation delay {:.2f} s\n",
        s.identity_swaps, s.track_breaks, s.id_changes, s.false_tracks, 100 * s.false_track_share,
        s.tracks, s.never_tracked, s.initiation_delay_s);
    fmt::print(
        "horizontal error p50 {:.1f} m  p95 {:.1f} m  p99 {:.1f} m  vertical bias {:+.1f} m  "
        "|vertical| p95 {:.1f} m\n",
        s.horizontal_p50_m, s.horizontal_p95_m, s.horizontal_p99_m, s.vertical_bias_m,
        s.vertical_p95_m);
    fmt::print("updated within {:g} s {:.2f} %  ", o.cfg.expected_update_interval_s,
               100 * s.update_probability);
    if (s.mode_c_pairs > 0)
      fmt::print("pressure altitude within {:.0f} ft {:.2f} % of {} pairs\n",
                 o.cfg.mode_c_tolerance_m / 0.3048, 100 * s.mode_c_correct_share, s.mode_c_pairs);
    else
      fmt::print("pressure altitude: not scored (truth or tracks carry none)\n");
    for (std::size_t c = 0; c < eval::kCoverageCount; ++c) {
      const eval::CoverageFigures& f = s.by_coverage[c];
      if (f.pairs == 0) continue;
      fmt::print(
          "  {:<12} {:>8} pairs ({:5.1f} %)  RMS horizontal {:7.1f} m  p95 {:7.1f} m  RMS "
          "vertical {:6.1f} m  updated {:6.2f} %\n",
          eval::to_string(static_cast<eval::Coverage>(c)), f.pairs,
          100.0 * static_cast<double>(f.pairs) /
              static_cast<double>(std::max<long>(s.assigned_pairs, 1)),
          f.rms_horizontal_m, f.horizontal_p95_m, f.rms_vertical_m, 100 * f.update_probability);
    }
  }
  if (!o.report.empty()) {
    std::filesystem::create_directories(o.report);
    const auto path = std::filesystem::path(o.report) / "index.html";
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << eval::render_report(ev, truth.states, tracks.states,
                               fmt::format("{} vs {}", o.tracks, o.truth));
    if (!out) throw ConfigError(fmt::format("{}: cannot write", path.string()));
    fmt::print(stderr, "skyfuse eval: report written to {}\n", path.string());
  }
  return 0;
}

}  // namespace

Runner add_eval_command(CLI::App& app) {
  auto o = std::make_shared<EvalOptions>();
  CLI::App* cmd =
      app.add_subcommand("eval", "Score tracks against ground truth (GOSPA, RMS, continuity)");
  cmd->add_option("--truth", o->truth, "Truth JSON Lines file (docs/formats.md)")->required();
  cmd->add_option("--tracks", o->tracks, "Track JSON Lines file")->required();
  cmd->add_flag("--json", o->json, "Print one JSON object instead of text");
  cmd->add_option("--report", o->report, "Write a self-contained HTML report to DIR/index.html");
  cmd->add_option("--conventions", o->conventions,
                  "Scoring conventions: skyfuse (docs/metrics.md), or independent (those of "
                  "the independent scenarios: ../shared/data/scenarios/README.md)")
      ->check(CLI::IsMember({"skyfuse", "independent"}))
      ->capture_default_str();
  auto* cutoff = cmd->add_option("--cutoff-m", o->cfg.gospa.cutoff_m, "GOSPA/OSPA cut-off c [m]")
                     ->capture_default_str()
                     ->check(CLI::PositiveNumber);
  auto* order = cmd->add_option("--p", o->cfg.gospa.p, "GOSPA/OSPA order p")
                    ->capture_default_str()
                    ->check(CLI::Range(1.0, 10.0));
  auto* age = cmd->add_option("--max-age-s", o->cfg.track_max_age_s,
                              "A track without an update for this long is not present")
                  ->capture_default_str()
                  ->check(CLI::NonNegativeNumber);
  auto* update = cmd->add_option("--update-interval-s", o->cfg.expected_update_interval_s,
                                 "Probability of update: an assigned track updated at most this "
                                 "long ago counts as updated")
                     ->capture_default_str()
                     ->check(CLI::PositiveNumber);
  cmd->callback([o, cutoff, order, age, update] {
    if (o->conventions != "independent") return;
    // The preset, then what was given explicitly on top.
    eval::EvalConfig c = eval::independent_conventions();
    if (cutoff->count()) c.gospa.cutoff_m = o->cfg.gospa.cutoff_m;
    if (order->count()) c.gospa.p = o->cfg.gospa.p;
    if (age->count()) c.track_max_age_s = o->cfg.track_max_age_s;
    if (update->count()) c.expected_update_interval_s = o->cfg.expected_update_interval_s;
    o->cfg = c;
  });
  cmd->add_flag("--strict", o->strict, "Fail on any bad input line instead of skipping it");
  add_log_options(cmd, o->log);
  cmd->footer(
      "\nDefinitions of every figure: docs/metrics.md.\n"
      "Example: skyfuse eval --truth out/demo/truth.jsonl --tracks tracks.jsonl --report "
      "out/report");
  return [o]() { return run_eval(*o); };
}

}  // namespace skyfuse::apps
