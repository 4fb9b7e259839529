// Fuzz target: a scenario TOML file. Anything but a ConfigError is a bug.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>

#include "apps/scenario_loader.hpp"
#include "core/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path =
      "/tmp/skyfuse_scenario_fuzz_" + std::to_string(getpid()) + ".toml";
  {
    std::ofstream o(path, std::ios::binary | std::ios::trunc);
    o.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    auto s = skyfuse::apps::load_scenario(path);
    (void)s;
  } catch (const skyfuse::ConfigError&) {
  }
  return 0;
}
