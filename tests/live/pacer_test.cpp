// Pacer: a new replay speed applies from now (issue #21: it was applied from
// the data time waited for, so the picture jumped forward).
#include "live/pacer.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <stop_token>

namespace skyfuse::live {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

TEST(Pacer, NewSpeedRescalesFromNow) {
  // At 1x, 0.3 s after the anchor the picture shows D0 + 0.3 s while the
  // replay waits for an entry at D0 + 10 s. At 10x from then on, that entry
  // is due (10 - 0.3) / 10 = 0.97 s later, not at once.
  const Time d0 = Time::from_seconds(1'533'123'000);
  Pacer pacer(1.0);
  std::stop_source stop;
  pacer.anchor(d0, wall_now());
  ASSERT_TRUE(pacer.wait_until(d0 + Duration::from_seconds(0.3), stop.get_token()));
  EXPECT_FALSE(
      pacer.wait_until(d0 + Duration::from_seconds(10), stop.get_token(), [] { return true; }));
  pacer.set_speed(10);
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(pacer.wait_until(d0 + Duration::from_seconds(10), stop.get_token()));
  const double waited = seconds_since(t0);
  EXPECT_GT(waited, 0.85);  // 0 before the fix: the picture jumped 9.7 s ahead
  EXPECT_LT(waited, 1.5);
}

TEST(Pacer, SlowerSpeedDoesNotRewind) {
  // Running behind (the entry waited for is already overdue): a new speed
  // starts from that entry, not from a data time past it.
  const Time d0 = Time::from_seconds(1'533'123'000);
  Pacer pacer(100.0);
  std::stop_source stop;
  pacer.anchor(d0, wall_now() - Duration::from_seconds(1));  // 100 s of data overdue
  ASSERT_TRUE(pacer.wait_until(d0 + Duration::from_seconds(2), stop.get_token()));
  pacer.set_speed(1);
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(pacer.wait_until(d0 + Duration::from_seconds(2.2), stop.get_token()));
  const double waited = seconds_since(t0);
  EXPECT_GT(waited, 0.15);
  EXPECT_LT(waited, 0.6);
}

}  // namespace
}  // namespace skyfuse::live
