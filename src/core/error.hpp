// File: core/error.hpp
//
// Error values for bad input (returned, never thrown on the hot path) and the one
// exception type for bad configuration, `ConfigError`, thrown at start-up.
//
//   Result<int> r = parse(...);
//   if (!r) log(r.error().detail);
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace skyfuse {

enum class ErrorCode {
  kTruncated,
  kBadValue,
  kBadSyntax,
  kMissingField,
  kUnsupported,
  kNumerical,
  kIo,
};

const char* to_string(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kBadValue;
  std::int64_t offset = -1;  // byte offset or line number in the source; -1 if unknown
  std::string detail;
};

// Thrown for invalid configuration or construction arguments; the message names
// the file and, where known, the line.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace skyfuse
