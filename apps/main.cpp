// skyfuse: one binary, one verb per job (docs/design.md).
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <exception>
#include <map>

#include "apps/commands.hpp"
#include "core/error.hpp"
#include "log/log.hpp"

int main(int argc, char** argv) {
  skyfuse::log::configure({});  // stderr, bare lines, info; the verb may set its own
  CLI::App app{"skyfuse: open multi-sensor air surveillance (civil and defensive use)"};
  app.set_version_flag("--version", "skyfuse 0.1.0");
  app.require_subcommand(1);
  app.footer("\nRun `skyfuse VERB --help` for a verb's options. Docs: README.md, docs/.");
  std::map<std::string, skyfuse::apps::Runner> verbs;
  verbs["decode"] = skyfuse::apps::add_decode_command(app);
  verbs["sim"] = skyfuse::apps::add_sim_command(app);
  verbs["eval"] = skyfuse::apps::add_eval_command(app);
  verbs["track"] = skyfuse::apps::add_track_command(app);
  verbs["run"] = skyfuse::apps::add_run_command(app);
  verbs["replay"] = skyfuse::apps::add_replay_command(app);
  verbs["subscribe"] = skyfuse::apps::add_subscribe_command(app);
  verbs["mlat"] = skyfuse::apps::add_mlat_command(app);
  verbs["export"] = skyfuse::apps::add_export_command(app);
  if (auto typo = skyfuse::apps::misspelt_argument(app, argc, argv)) {
    fmt::print(stderr, "skyfuse: error: {}\nRun with --help for more information.\n", *typo);
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  try {
    for (const auto* sub : app.get_subcommands()) return verbs.at(sub->get_name())();
  } catch (const skyfuse::ConfigError& e) {
    fmt::print(stderr, "skyfuse: error: {}\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "skyfuse: unexpected error: {}\n", e.what());
    return 1;
  }
  return 2;
}
