// File: apps/commands.hpp
//
// The verbs of the `skyfuse` binary. Each registers its CLI11 subcommand and
// runs it; exit codes: 0 success, 1 bad input or configuration, 2 usage error.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <optional>
#include <string>

namespace skyfuse::apps {

using Runner = std::function<int()>;

Runner add_sim_command(CLI::App& app);
Runner add_eval_command(CLI::App& app);
Runner add_decode_command(CLI::App& app);
Runner add_track_command(CLI::App& app);
Runner add_run_command(CLI::App& app);
Runner add_replay_command(CLI::App& app);
Runner add_subscribe_command(CLI::App& app);
Runner add_mlat_command(CLI::App& app);
Runner add_export_command(CLI::App& app);

// --log-level, -v/--verbose and -q/--quiet of a verb (run, replay, track, sim, eval).
struct LogOptions {
  std::string level;  // empty: from the flags
  bool verbose = false;
  bool quiet = false;
};
void add_log_options(CLI::App* cmd, LogOptions& o);
// Sets the process's logger (stderr; `timestamps`: UTC time and level in
// front of each line, for run and replay). Returns true when the verb is to be
// quiet (a level above info: no summary, no progress).
bool configure_logging(const LogOptions& o, bool timestamps);

// A verb or long option that is not one of `app`'s, as an error message
// naming the nearest valid one ("unknown option --frmat for `skyfuse decode`
// (did you mean --format?)"); nothing when every one is known.
std::optional<std::string> misspelt_argument(CLI::App& app, int argc, char** argv);

}  // namespace skyfuse::apps
