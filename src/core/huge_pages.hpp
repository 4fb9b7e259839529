// File: core/huge_pages.hpp
//
// A standard allocator for large, long-lived arrays that are read at random
// (the tracker's per-track records: 10,000 tracks are some 26 MB): blocks of
// 2 MiB or more are aligned to 2 MiB and advised to the kernel as candidates
// for transparent huge pages (Linux madvise(MADV_HUGEPAGE); a no-op where
// the kernel's THP mode is "never", the default "madvise" mode honours it).
// One TLB entry then covers 512 times as much memory as a 4 KiB page: random
// access to a track record stops missing the TLB (tracker_bench, 10,000
// targets: docs/benchmarks.md). Smaller blocks come from operator new.
//
//   std::vector<TrackRec, HugePageAllocator<TrackRec>> tracks;
#pragma once

#include <cstddef>
#include <new>

namespace skyfuse {

namespace detail {
inline constexpr std::size_t kHugePage = std::size_t{2} << 20;
void* allocate_huge(std::size_t bytes);  // bytes >= kHugePage
void free_huge(void* p, std::size_t bytes) noexcept;
}  // namespace detail

template <class T>
struct HugePageAllocator {
  using value_type = T;
  HugePageAllocator() = default;
  template <class U>
  HugePageAllocator(const HugePageAllocator<U>&) noexcept {}

  T* allocate(std::size_t n) {
    if (n > static_cast<std::size_t>(-1) / sizeof(T)) throw std::bad_array_new_length();
    const std::size_t bytes = n * sizeof(T);
    if (bytes >= detail::kHugePage) return static_cast<T*>(detail::allocate_huge(bytes));
    return static_cast<T*>(::operator new (bytes, std::align_val_t{alignof(T)}));
  }
  void deallocate(T* p, std::size_t n) noexcept {
    const std::size_t bytes = n * sizeof(T);
    if (bytes >= detail::kHugePage)
      detail::free_huge(p, bytes);
    else
      ::operator delete (p, bytes, std::align_val_t{alignof(T)});
  }
  template <class U>
  bool operator==(const HugePageAllocator<U>&) const noexcept {
    return true;
  }
};

}  // namespace skyfuse
