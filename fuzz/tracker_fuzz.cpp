// Fuzz target: sensor report lines (io::parse_report) fed to the tracker.
// Whatever the lines hold, parsing never crashes, and the tracker never
// crashes nor publishes a non-finite track.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "io/jsonl.hpp"
#include "tracking/tracker.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace skyfuse;
  std::vector<Sensor> sensors(2);
  sensors[0].id = 1;
  sensors[0].name = "radar";
  sensors[0].kind = SensorKind::kModeSRadar;
  sensors[0].site = {51.4, -0.1, 100};
  sensors[0].rotation_period_s = 4;
  sensors[1].id = 2;
  sensors[1].name = "adsb";
  sensors[1].kind = SensorKind::kAdsb;
  sensors[1].site = {51.5, 0.0, 50};
  tracking::TrackerConfig cfg;
  cfg.latency_s = 0.5;
  tracking::Tracker tracker(cfg, sensors);
  std::string_view text(reinterpret_cast<const char*>(data), size);
  while (!text.empty()) {
    const auto nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    auto r = io::parse_report(line);
    if (!r) continue;
    r->sensor = std::holds_alternative<PolarMeasurement>(r->measurement) ? 1 : 2;
    tracker.push(*r);
  }
  tracker.flush();
  for (const ObjectState& s : tracker.drain()) {
    if (!std::isfinite(s.position.lat_deg) || !std::isfinite(s.position.lon_deg) ||
        !std::isfinite(s.position.alt_m) || !s.velocity_enu_mps.allFinite())
      __builtin_trap();
  }
  return 0;
}
