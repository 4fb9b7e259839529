// File: output/sensor_asterix.hpp
//
// Sensor reports in their real wire formats, for `skyfuse sim` (each sensor
// written as the real one sends it):
//   radars (PSR, SSR, Mode S)  CAT048 target reports + CAT034 north markers
//   ADS-B ground station       CAT021 reports + CAT023 status every 10 s
//   multilateration            CAT020 reports + CAT019 status every 10 s
//   drone-detection radar      CAT015 plots
// feeds/asterix_reports.hpp reads them back.
//
//   auto cats = decode::asterix::load_categories(specs_dir, {});
//   std::vector<std::uint8_t> bytes = output::encode_feed(sensor, reports, cats, start);
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/types.hpp"
#include "decode/asterix/spec.hpp"

namespace skyfuse::output {

// True for the sensor kinds with an ASTERIX wire format here.
bool has_asterix_format(SensorKind kind);

// The sensor's reports (time-ordered) as raw ASTERIX data blocks; reports
// that do not fit a field are skipped and counted in `skipped`.
std::vector<std::uint8_t> encode_feed(const Sensor& sensor, const std::vector<Report>& reports,
                                      const std::map<int, decode::asterix::Category>& cats,
                                      Time start, long* skipped = nullptr,
                                      std::string* first_error = nullptr);

}  // namespace skyfuse::output
