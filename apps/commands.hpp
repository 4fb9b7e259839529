// File: apps/commands.hpp
//
// The verbs of the `skyfuse` binary. Each registers its CLI11 subcommand and
// runs it; exit codes: 0 success, 1 bad input or configuration, 2 usage error.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace skyfuse::apps {

using Runner = std::function<int()>;

Runner add_sim_command(CLI::App& app);
Runner add_eval_command(CLI::App& app);
Runner add_decode_command(CLI::App& app);
Runner add_track_command(CLI::App& app);
Runner add_run_command(CLI::App& app);
Runner add_replay_command(CLI::App& app);
Runner add_mlat_command(CLI::App& app);

}  // namespace skyfuse::apps
