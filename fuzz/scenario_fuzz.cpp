// Fuzz target: a scenario TOML file. Anything but a ConfigError is a bug.
// Scenarios longer than 2 minutes are skipped: the loader integrates every
// target to the scenario's end (up to 2e7 samples, about a minute under ASan),
// which is legitimate work for a week-long scenario, not a hang to report.
#include <toml++/toml.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>

#include "apps/scenario_loader.hpp"
#include "core/error.hpp"
#include "live/toml_fields.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path =
      "/tmp/skyfuse_scenario_fuzz_" + std::to_string(getpid()) + ".toml";
  {
    std::ofstream o(path, std::ios::binary | std::ios::trunc);
    o.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    const toml::table root = skyfuse::live::parse_toml(
        std::string_view(reinterpret_cast<const char*>(data), size), "fuzz");
    if (const auto d = root["scenario"]["duration_s"].value<double>(); d && !(*d <= 120)) return 0;
  } catch (const toml::parse_error&) {
  } catch (const skyfuse::ConfigError&) {
    return 0;  // refused before toml++ (load_scenario refuses it the same way)
  }
  try {
    auto s = skyfuse::apps::load_scenario(path);
    (void)s;
  } catch (const skyfuse::ConfigError&) {
  }
  return 0;
}
