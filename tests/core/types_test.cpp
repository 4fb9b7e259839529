#include "core/types.hpp"

#include <gtest/gtest.h>

#include "core/result.hpp"

namespace skyfuse {

TEST(Types, EnumNamesRoundTrip) {
  for (auto k : {SensorKind::kPsr, SensorKind::kSsr, SensorKind::kModeSRadar, SensorKind::kAdsb,
                 SensorKind::kMlat, SensorKind::kRemoteId, SensorKind::kDroneRadar})
    EXPECT_EQ(sensor_kind_from_string(to_string(k)), k);
  for (auto c : {TargetClass::kUnknown, TargetClass::kFixedWing, TargetClass::kRotorcraft,
                 TargetClass::kSmallUav, TargetClass::kFastMover})
    EXPECT_EQ(target_class_from_string(to_string(c)), c);
  for (auto s : {TrackStatus::kTentative, TrackStatus::kConfirmed, TrackStatus::kCoasting,
                 TrackStatus::kDeleted})
    EXPECT_EQ(track_status_from_string(to_string(s)), s);
  EXPECT_FALSE(sensor_kind_from_string("radar"));
  EXPECT_FALSE(target_class_from_string(""));
}

TEST(Result, HoldsValueOrError) {
  Result<int> ok = 3;
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, 3);
  Result<int> bad = Error{ErrorCode::kTruncated, 17, "short"};
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().offset, 17);
  EXPECT_STREQ(to_string(bad.error().code), "truncated");
}

}  // namespace skyfuse
