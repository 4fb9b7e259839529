// `skyfuse track`: batch tracking of recorded feeds (docs/config.md).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <numbers>

#include "apps/commands.hpp"
#include "apps/system_config.hpp"
#include "core/error.hpp"
#include "live/batch_track.hpp"
#include "log/progress.hpp"
#include "output/sinks.hpp"
#include "tracking/stats.hpp"

namespace skyfuse::apps {

namespace {

struct TrackOptions {
  std::string config;
  std::string out;
  std::string stats_json;
  std::string asterix_out;
  std::string specs = SKYFUSE_SPECS_DIR;
  LogOptions log;
};

int run_track(const TrackOptions& o) {
  const bool quiet = configure_logging(o.log, false);
  const SystemConfig cfg = load_system_config(o.config);
  for (const auto& section : cfg.ignored_sections)
    fmt::print(stderr, "skyfuse track: note: {}: [{}] is for `skyfuse run`, ignored here\n",
               o.config, section);
  // The same sinks as `run`: JSON Lines, and CAT062 with --asterix-out.
  output::JsonLinesSink lines(o.out, nullptr);
  std::unique_ptr<output::Cat062Sink> cat062;
  std::vector<output::TrackSink*> sinks = {&lines};
  if (!o.asterix_out.empty()) {
    cat062 = std::make_unique<output::Cat062Sink>(
        std::make_unique<output::Cat062Writer>(o.asterix_out, o.specs, cfg.sac, cfg.sic),
        std::nullopt, nullptr, cfg.sac, cfg.sic);
    sinks.push_back(cat062.get());
  }
  log::Progress progress("skyfuse track", "reports", 0, log::progress_style(quiet));
  const live::BatchResult res =
      live::track_batch(cfg, o.specs, sinks, [&progress](std::size_t done, std::size_t total) {
        progress.set_total(total);
        progress.update(done);
      });
  progress.finish();
  const long input_errors = res.input_errors;
  for (std::size_t i = 0; i < cfg.sensors.size(); ++i) {
    const live::BatchFeed& d = res.feeds[i];
    // A receiver network's Beast streams have no one path.
    const std::string source =
        cfg.feeds[i].receiver_inputs.empty()
            ? cfg.feeds[i].path
            : fmt::format("{} receiver streams", cfg.feeds[i].receiver_inputs.size());
    for (const auto& m : d.messages) fmt::print(stderr, "skyfuse track: {}\n", m);
    if (d.errors > static_cast<long>(d.messages.size()))
      fmt::print(stderr, "skyfuse track: {}: {} more errors\n", source,
                 d.errors - static_cast<long>(d.messages.size()));
    if (!quiet)
      fmt::print(stderr, "  {:<16} {:<12} {:>9} reports  {}\n", cfg.sensors[i].name,
                 to_string(cfg.sensors[i].kind), d.reports, source);
    if (!quiet && !d.counters.empty()) {
      std::string c;
      for (const auto& [k, v] : d.counters) c += fmt::format(" {}={}", k, v);
      fmt::print(stderr, "  {:<16}{}\n", "", c);
    }
  }
  if (cat062 && !quiet)
    fmt::print(stderr, "  CAT062: {} records -> {} ({} not encodable)\n",
               cat062->writer().records(), o.asterix_out, cat062->writer().errors());
  const auto lines_written = lines.lines();
  const double secs = res.seconds;
  for (const auto& e : res.rejected) fmt::print(stderr, "skyfuse track: rejected: {}\n", e);
  for (std::size_t i = 0; i < cfg.sensors.size(); ++i) {
    const auto& g = res.time_guard[i];
    if (g.rejected() > 0)
      fmt::print(stderr,
                 "skyfuse track: sensor \"{}\": {} reports with an implausible time rejected ({} "
                 "far behind, {} ahead of the other sensors)\n",
                 cfg.sensors[i].name, g.rejected(), g.behind, g.unconfirmed);
  }
  if (!quiet) {
    const auto& s = res.stats;
    fmt::print(stderr,
               "track: {} reports ({} input errors, {} rejected, {} late, {} with an implausible "
               "time) -> {} track updates in {}, {:.2f} s ({:.0f} reports/s)\n",
               s.reports, input_errors, s.rejected, s.late_dropped, res.time_rejected,
               lines_written, o.out, secs, secs > 0 ? static_cast<double>(s.reports) / secs : 0.0);
    fmt::print(stderr, "  tracker: {}\n", tracking::to_text(s));
    for (const auto& [name, b] : res.registration)
      fmt::print(stderr,
                 "  registration {:<16} range bias {:+.1f} m (+-{:.1f}), azimuth bias {:+.4f} deg "
                 "(+-{:.4f}), range gain {:+.0f} ppm (+-{:.0f}), time offset {:+.3f} s (+-{:.3f}), "
                 "chi2/dof {:.2f}, trend chi2 {:.1f}, {} samples{}\n",
                 name, b.range_m, b.sigma_range_m, b.azimuth_rad * 180 / std::numbers::pi,
                 b.sigma_azimuth_rad * 180 / std::numbers::pi, b.gain_ppm, b.sigma_gain_ppm,
                 b.time_s, b.sigma_time_s, b.chi2_dof, b.trend_chi2, b.samples,
                 b.model_fits ? "" : ", model does not fit");
  }
  // A radar whose residuals the registration model does not fit: warned
  // even when quiet (its corrections may be wrong: a refraction model or
  // sigma that does not match the radar's data).
  for (const auto& [name, b] : res.registration) {
    if (!b.model_fits)
      fmt::print(stderr,
                 "skyfuse track: warning: sensor \"{}\": registration residuals do not fit the "
                 "model (chi2/dof {:.2f}, range trend chi2 {:.1f} over {} samples): check its "
                 "refraction_k and accuracies\n",
                 name, b.chi2_dof, b.trend_chi2, b.samples);
  }
  if (!o.stats_json.empty()) {
    // The tracker's counters (tracking::describe), then this command's own.
    std::string j = "{";
    for (const tracking::StatEntry& e : tracking::describe(res.stats))
      j += fmt::format("\"{}\":{},", e.key, e.value);
    j += fmt::format(
        "\"input_errors\":{},\"time_rejected\":{},\"track_updates\":{},\"seconds\":{:.3f},"
        "\"registration\":[",
        input_errors, res.time_rejected, lines_written, secs);
    bool first = true;
    for (const auto& [name, b] : res.registration) {
      j += fmt::format(
          "{}{{\"name\":\"{}\",\"range_bias_m\":{:.3f},\"azimuth_bias_deg\":{:.5f},"
          "\"range_gain_ppm\":{:.2f},\"time_offset_s\":{:.4f},\"sigma_range_m\":{:.3f},"
          "\"sigma_azimuth_deg\":{:.5f},\"sigma_gain_ppm\":{:.2f},\"sigma_time_s\":{:.4f},"
          "\"chi2_dof\":{:.3f},\"trend_chi2\":{:.2f},\"model_fits\":{},\"samples\":{}}}",
          first ? "" : ",", name, b.range_m, b.azimuth_rad * 180 / std::numbers::pi, b.gain_ppm,
          b.time_s, b.sigma_range_m, b.sigma_azimuth_rad * 180 / std::numbers::pi, b.sigma_gain_ppm,
          b.sigma_time_s, b.chi2_dof, b.trend_chi2, b.model_fits, b.samples);
      first = false;
    }
    j += "],\"feeds\":{";
    bool first_feed = true;
    for (std::size_t i = 0; i < cfg.sensors.size(); ++i) {
      const auto& list = res.feeds[i].counters;
      if (list.empty()) continue;
      j += fmt::format("{}\"{}\":{{", first_feed ? "" : ",", cfg.sensors[i].name);
      for (std::size_t k = 0; k < list.size(); ++k)
        j += fmt::format("{}\"{}\":{}", k ? "," : "", list[k].first, list[k].second);
      j += "}";
      first_feed = false;
    }
    j += "}}\n";
    std::ofstream f(o.stats_json, std::ios::binary | std::ios::trunc);
    f << j;
    if (!f) throw ConfigError(fmt::format("{}: cannot write", o.stats_json));
  }
  if (res.stats.reports == 0) {
    // Nothing usable in any input (every line rejected, empty files): a
    // failure, not an empty success.
    fmt::print(stderr, "skyfuse track: no report could be read from the {} input(s){}\n",
               cfg.sensors.size(),
               input_errors > 0 ? fmt::format(" ({} input errors)", input_errors) : "");
    return 1;
  }
  return 0;
}

}  // namespace

Runner add_track_command(CLI::App& app) {
  auto o = std::make_shared<TrackOptions>();
  CLI::App* cmd = app.add_subcommand(
      "track", "Track recorded sensor feeds into system tracks (batch, as fast as possible)");
  cmd->add_option("--config", o->config, "System configuration TOML (docs/config.md)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--out", o->out, "Track updates, JSON Lines (docs/formats.md)")->required();
  add_log_options(cmd, o->log);
  cmd->add_option("--asterix-out", o->asterix_out,
                  "Also write the track updates as ASTERIX CAT062 1.18 data blocks to FILE");
  cmd->add_option("--specs", o->specs, "Directory of the asterix-specs category definitions");
  cmd->add_option("--stats-json", o->stats_json,
                  "Write the counters and radar registration estimates as JSON to FILE");
  cmd->footer(
      "Example:\n  skyfuse sim scenarios/manoeuvres.toml --out /tmp/m\n"
      "  skyfuse track --config /tmp/m/sensors.toml --out /tmp/m/tracks.jsonl\n"
      "  skyfuse eval --truth /tmp/m/truth.jsonl --tracks /tmp/m/tracks.jsonl");
  return [o] { return run_track(*o); };
}

}  // namespace skyfuse::apps
