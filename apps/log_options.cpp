// The log options every long-running verb shares (run, replay, track, sim,
// eval): --log-level, -v/--verbose, -q/--quiet (docs/design.md, "Logging").
#include "apps/commands.hpp"
#include "log/log.hpp"

namespace skyfuse::apps {

void add_log_options(CLI::App* cmd, LogOptions& o) {
  cmd->add_option("--log-level", o.level,
                  "Messages from this level up: debug, info, warn, error, off")
      ->check(CLI::IsMember({"debug", "info", "warn", "error", "off"}));
  cmd->add_flag("-v,--verbose", o.verbose, "Also print debug messages (--log-level debug)");
  cmd->add_flag("-q,--quiet", o.quiet,
                "Print only errors: no summary, no progress (--log-level error)");
}

bool configure_logging(const LogOptions& o, bool timestamps) {
  log::Level level = log::Level::kInfo;
  if (!o.level.empty())
    level = log::parse_level(o.level);
  else if (o.quiet)
    level = log::Level::kError;
  else if (o.verbose)
    level = log::Level::kDebug;
  log::configure({.level = level, .timestamps = timestamps});
  return level > log::Level::kInfo;  // quiet: summaries and progress left out too
}

}  // namespace skyfuse::apps
