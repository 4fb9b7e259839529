#include "core/time.hpp"

#include <gtest/gtest.h>

namespace skyfuse {

TEST(Time, FromSecondsRoundsToNearestNanosecond) {
  EXPECT_EQ(Time::from_seconds(1.5).ns, 1500000000);
  EXPECT_EQ(Time::from_seconds(1533123000.25).ns, 1533123000250000000);
  EXPECT_EQ(Duration::from_seconds(-0.5).ns, -500000000);
  EXPECT_EQ(Duration::from_seconds(1e-9).ns, 1);
}

TEST(Time, ArithmeticAndOrdering) {
  const Time t = Time::from_seconds(100);
  const Time later = t + Duration::from_seconds(2.5);
  EXPECT_DOUBLE_EQ((later - t).seconds(), 2.5);
  EXPECT_LT(t, later);
  EXPECT_EQ(later - Duration::from_seconds(2.5), t);
}

}  // namespace skyfuse
