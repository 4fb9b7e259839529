// File: core/assert.hpp
//
// SKYFUSE_ASSERT(cond, msg): checks a programming invariant. Active in Debug and
// in builds with SKYFUSE_ENABLE_ASSERTS (dev and ci presets); aborts with file,
// line and message. Never used for bad input, which is returned as an Error.
#pragma once

namespace skyfuse::detail {
[[noreturn]] void assert_fail(const char* cond, const char* msg, const char* file, int line);
}

#if defined(SKYFUSE_ENABLE_ASSERTS) || !defined(NDEBUG)
#define SKYFUSE_ASSERT(cond, msg) \
  ((cond) ? static_cast<void>(0) : ::skyfuse::detail::assert_fail(#cond, msg, __FILE__, __LINE__))
#else
#define SKYFUSE_ASSERT(cond, msg) static_cast<void>(0)
#endif
