// ASTERIX time of day to absolute time (issue #16): a midnight crossing is
// taken only when the sensor's recent times agree.
#include <gtest/gtest.h>

#include "decode/asterix/time_of_day.hpp"

namespace skyfuse::decode::asterix {
namespace {

constexpr double kDay = 1533081600.0;  // 2018-08-01T00:00:00Z

double resolve(TimeOfDay& t, double tod) { return t.resolve(tod).seconds(); }

TEST(TimeOfDay, FirstRecordTakesTheStartDay) {
  TimeOfDay t(kDay + 3600);
  EXPECT_DOUBLE_EQ(resolve(t, 43200.5), kDay + 43200.5);
}

TEST(TimeOfDay, ARealMidnightCrossingIsFollowed) {
  TimeOfDay t(kDay);
  for (double tod = 86390; tod < 86400; tod += 0.5) EXPECT_DOUBLE_EQ(resolve(t, tod), kDay + tod);
  EXPECT_DOUBLE_EQ(resolve(t, 0.3), kDay + 86400.3);
  EXPECT_DOUBLE_EQ(resolve(t, 10), kDay + 86410);
  EXPECT_EQ(t.outliers(), 0);
}

// The attack: among records at 12:00, one at 23:59:59 then one at
// 00:00:10 used to make a day roll over (every later record 24 h ahead).
TEST(TimeOfDay, ALyingPairAroundMidnightDoesNotRollTheDay) {
  TimeOfDay t(kDay);
  EXPECT_DOUBLE_EQ(resolve(t, 43200), kDay + 43200);
  resolve(t, 86399);
  resolve(t, 10);
  EXPECT_DOUBLE_EQ(resolve(t, 43201), kDay + 43201);
  EXPECT_DOUBLE_EQ(resolve(t, 43205), kDay + 43205);
  EXPECT_EQ(t.outliers(), 2);
}

// A recording that really jumps (a gap of hours) is followed once ten
// consecutive records agree.
TEST(TimeOfDay, ASustainedJumpReanchorsAfterTenRecords) {
  TimeOfDay t(kDay);
  resolve(t, 3600);
  for (int k = 0; k < 10; ++k) resolve(t, 30000 + k);
  EXPECT_DOUBLE_EQ(resolve(t, 30011), kDay + 30011);
  EXPECT_DOUBLE_EQ(resolve(t, 30012), kDay + 30012);
  EXPECT_EQ(t.outliers(), 10);  // the ten that made the new anchor
}

// Live: the day is the one nearest the packet's arrival, whatever came before.
TEST(TimeOfDay, LiveTakesTheDayNearestTheArrival) {
  TimeOfDay t(0);
  EXPECT_DOUBLE_EQ(t.resolve(86399, Time::from_seconds(kDay + 86400 + 1)).seconds(), kDay + 86399);
  EXPECT_DOUBLE_EQ(t.resolve(1, Time::from_seconds(kDay + 86399)).seconds(), kDay + 86401);
  EXPECT_DOUBLE_EQ(t.resolve(43200, Time::from_seconds(kDay + 43190)).seconds(), kDay + 43200);
}

}  // namespace
}  // namespace skyfuse::decode::asterix
