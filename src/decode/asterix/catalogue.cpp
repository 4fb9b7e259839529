#include "decode/asterix/catalogue.hpp"

#include <fmt/format.h>

#include <mutex>

namespace skyfuse::decode::asterix {

const std::map<int, std::string>& default_editions() {
  static const std::map<int, std::string> kEditions = {
      {1, "1.2"},   {2, "1.2"},   {19, "1.3"}, {20, "1.10"}, {21, "2.6"}, {23, "1.3"}, {34, "1.29"},
      {48, "1.31"}, {62, "1.18"}, {63, "1.7"}, {65, "1.6"},  {15, "1.2"}, {16, "1.0"}};
  return kEditions;
}

namespace {
// Each definition file parsed once per process: every ASTERIX feed's reader
// (and the encoder) loads all the default editions, and parsing the JSON
// costs far more than copying the result (whose item trees are shared).
// Entries are never removed, so a returned reference stays valid.
const Category& cached_category(const std::string& path) {
  static std::mutex mutex;
  static std::map<std::string, Category> cache;
  const std::lock_guard lock(mutex);
  auto it = cache.find(path);
  if (it == cache.end()) it = cache.emplace(path, load_category(path)).first;
  return it->second;
}
}  // namespace

std::map<int, Category> load_categories(const std::string& specs_dir,
                                        const std::map<int, std::string>& overrides) {
  std::map<int, std::string> editions = default_editions();
  for (const auto& [c, e] : overrides) editions[c] = e;
  std::map<int, Category> out;
  for (const auto& [cat, ed] : editions)
    out.emplace(cat, cached_category(
                         fmt::format("{}/cat{:03d}/cat{:03d}-{}.json", specs_dir, cat, cat, ed)));
  return out;
}

}  // namespace skyfuse::decode::asterix
