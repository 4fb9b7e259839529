#include "core/assert.hpp"

#include <cstdio>
#include <cstdlib>

namespace skyfuse::detail {

void assert_fail(const char* cond, const char* msg, const char* file, int line) {
  std::fprintf(stderr, "skyfuse: assertion failed: %s (%s) at %s:%d\n", msg, cond, file, line);
  std::abort();
}

}  // namespace skyfuse::detail
