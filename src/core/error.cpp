#include "core/error.hpp"

namespace skyfuse {

const char* to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::kTruncated:
      return "truncated";
    case ErrorCode::kBadValue:
      return "bad value";
    case ErrorCode::kBadSyntax:
      return "bad syntax";
    case ErrorCode::kMissingField:
      return "missing field";
    case ErrorCode::kUnsupported:
      return "unsupported";
    case ErrorCode::kNumerical:
      return "numerical";
    case ErrorCode::kIo:
      return "i/o";
  }
  return "unknown";
}

}  // namespace skyfuse
