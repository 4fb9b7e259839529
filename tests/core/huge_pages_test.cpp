#include "core/huge_pages.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace skyfuse {
namespace {

struct Record {
  double v[40];  // 320 bytes, like a slice of a track record
};

TEST(HugePageAllocator, LargeBlocksAreHugePageAlignedAndKeepTheirContents) {
  std::vector<Record, HugePageAllocator<Record>> v;
  // Grows through small blocks (operator new) into large ones (2 MiB
  // aligned), moving the elements at every step.
  for (int i = 0; i < 20000; ++i) {
    Record r{};
    r.v[0] = i;
    r.v[39] = -i;
    v.push_back(r);
    if (v.capacity() * sizeof(Record) >= (std::size_t{2} << 20))
      ASSERT_EQ(reinterpret_cast<std::uintptr_t>(v.data()) % (std::size_t{2} << 20), 0u) << i;
    else
      ASSERT_EQ(reinterpret_cast<std::uintptr_t>(v.data()) % alignof(Record), 0u) << i;
  }
  for (int i = 0; i < 20000; ++i) {
    ASSERT_EQ(v[i].v[0], i);
    ASSERT_EQ(v[i].v[39], -i);
  }
  v.clear();
  v.shrink_to_fit();  // back to a small block (or none)
  EXPECT_EQ(v.capacity(), 0u);
}

}  // namespace
}  // namespace skyfuse
