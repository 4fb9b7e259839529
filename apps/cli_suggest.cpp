// A misspelt verb or option named with the nearest valid one, before CLI11
// parses (CLI11 would take `--frmat beast FILE` as the file "beast", or say
// "A subcommand is required" for `trak`).
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <numeric>
#include <string>
#include <vector>

#include "apps/commands.hpp"

namespace skyfuse::apps {
namespace {

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// The nearest candidate within a third of the word's length (at least 1, at most 3 edits).
std::string nearest(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_d = std::clamp<std::size_t>(word.size() / 3, 1, 3) + 1;
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

std::vector<std::string> long_names(const CLI::App& app) {
  std::vector<std::string> v;
  for (const CLI::Option* opt : app.get_options())
    for (const auto& n : opt->get_lnames()) v.push_back("--" + n);
  return v;
}

}  // namespace

std::optional<std::string> misspelt_argument(CLI::App& app, int argc, char** argv) {
  if (argc < 2) return std::nullopt;
  std::vector<std::string> verbs;
  for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; }))
    verbs.push_back(sub->get_name());
  int i = 1;
  CLI::App* scope = &app;
  // Options before the verb belong to the program (--help, --version).
  while (i < argc && std::string(argv[i]).rfind('-', 0) == 0) ++i;
  if (i < argc) {
    const std::string verb = argv[i];
    if (std::find(verbs.begin(), verbs.end(), verb) == verbs.end()) {
      const std::string guess = nearest(verb, verbs);
      return fmt::format("unknown verb '{}'{}", verb,
                         guess.empty() ? fmt::format(" (verbs: {})", fmt::join(verbs, ", "))
                                       : fmt::format(" (did you mean {}?)", guess));
    }
    scope = app.get_subcommand(verb);
    ++i;
  }
  const std::vector<std::string> known = long_names(*scope);
  for (; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--") break;
    if (a.rfind("--", 0) != 0 || a.size() < 3) continue;
    a = a.substr(0, a.find('='));
    if (std::find(known.begin(), known.end(), a) != known.end()) continue;
    const std::string guess = nearest(a, known);
    return fmt::format("unknown option {}{}{}", a,
                       scope == &app ? "" : fmt::format(" for `skyfuse {}`", scope->get_name()),
                       guess.empty() ? "" : fmt::format(" (did you mean {}?)", guess));
  }
  return std::nullopt;
}

}  // namespace skyfuse::apps
