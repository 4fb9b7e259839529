// Recording files and zone GeoJSON from arbitrary bytes: the reader stops at
// damage with a message, the zone parser throws ConfigError; neither crashes.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "core/error.hpp"
#include "record/recording.hpp"
#include "safety/zones.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = "/tmp/skyfuse_recording_fuzz_" + std::to_string(::getpid());
  // A valid file start, then the fuzzer's bytes, so chunk parsing is reached.
  std::string file = "SKYFUSE-REC\n";
  const std::uint32_t hlen = 2;
  file.append(reinterpret_cast<const char*>(&hlen), 4);
  file += "{}";
  file.append(reinterpret_cast<const char*>(data), size);
  if (FILE* f = std::fopen(path.c_str(), "wb")) {
    std::fwrite(file.data(), 1, file.size(), f);
    std::fclose(f);
  }
  skyfuse::record::RecordingReader r({path});
  std::size_t n = 0;
  while (auto e = r.next()) n += e->bytes.size();
  (void)r.index();
  try {
    auto zones =
        skyfuse::safety::load_zones(std::string(reinterpret_cast<const char*>(data), size), "fuzz");
    for (const auto& z : zones) (void)z.contains({47, 8, 100});
  } catch (const skyfuse::ConfigError&) {
  }
  return n == SIZE_MAX ? 1 : 0;
}
