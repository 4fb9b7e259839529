// File: io/jsonl.hpp
//
// JSON Lines for truth, tracks and sensor reports (docs/formats.md). Writing is
// fixed-format (same values, same bytes); reading survives bad lines: each is
// counted and described as "FILE:LINE: reason", and reading goes on.
//
//   io::StateFile f = io::read_states("truth.jsonl");
//   for (const auto& e : f.errors) std::cerr << e << "\n";
//   std::string line = io::to_json(f.states.front());
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/types.hpp"

namespace skyfuse::io {

// Unix seconds with microseconds (core/time.hpp).
using ::skyfuse::format_time;

// A JSON string literal (quotes and escapes); invalid UTF-8 is replaced, never thrown on.
std::string json_string(const std::string& s);

std::string to_json(const ObjectState& s);
std::string to_json(const Report& r, const Sensor& sensor);

// Parses one truth/track line; the error names the offending field.
Result<ObjectState> parse_state(std::string_view line);

// Parses one sensor report line as `to_json(Report, Sensor)` writes it
// (docs/formats.md). The report's `sensor` field is left to the caller (the
// line names the sensor; the caller knows its id); the covariance is rebuilt
// from the sigmas / `cov_enu_m2`. Impossible values (negative range, latitude
// beyond 90 deg, non-finite numbers) are errors naming the field.
Result<Report> parse_report(std::string_view line);

struct StateFile {
  std::vector<ObjectState> states;
  long lines = 0;
  long error_count = 0;
  std::vector<std::string> errors;  // the first `max_messages`, "FILE:LINE: reason"
};

// Reads a whole truth or track file. A missing or unreadable file is an Error;
// bad lines are counted and skipped.
Result<StateFile> read_states(const std::string& path, std::size_t max_messages = 20);

}  // namespace skyfuse::io
