#include "core/huge_pages.hpp"

#include <cstdlib>
#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace skyfuse::detail {

void* allocate_huge(std::size_t bytes) {
  const std::size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
  void* p = std::aligned_alloc(kHugePage, rounded);
  if (!p) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  // Advice only: ignored where THP is off.
  (void)madvise(p, rounded, MADV_HUGEPAGE);
#endif
  return p;
}

void free_huge(void* p, std::size_t) noexcept { std::free(p); }

}  // namespace skyfuse::detail
