// Position fixes from Location messages: the time stamp (tenths of a second
// after the full hour) placed in the hour of reception across the hour
// boundary, as FORMAT.md prescribes; velocity from ground speed and track;
// accuracies in metres; operator position from the System message.
#include <gtest/gtest.h>

#include "decode/remoteid/fix.hpp"

namespace skyfuse::decode::remoteid {
namespace {

// 2023-04-01T16:00:00Z
constexpr std::int64_t kHour = 1680364800;
Time at(double s) { return Time{kHour * 1000000000 + Duration::from_seconds(s).ns}; }

TEST(RemoteIdFix, TimeStampTakesTheHourOfReception) {
  const struct {
    double received_s, stamp_s, expected_s;  // relative to 16:00:00
  } cases[] = {
      {931.95, 931.1, 931.1},    // same hour, 0.85 s old
      {3599.9, 3599.5, 3599.5},  // just before the hour
      {-10.0, 3595.0, -5.0},     // received 15:59:50, stamped 15:59:55
      {5.0, 3598.0, -2.0},       // received 16:00:05, stamped 15:59:58 (previous hour)
      {3595.0, 1.5, 3601.5},     // received 16:59:55, stamped 17:00:01.5 (clock ahead)
      {1800.0, 0.0, 0.0},        // half an hour either way: the reception's hour
  };
  for (const auto& c : cases)
    EXPECT_EQ(resolve_location_time(c.stamp_s, at(c.received_s)).ns, at(c.expected_s).ns)
        << c.received_s << " " << c.stamp_s;
}

Location moving() {
  Location l;
  l.status = 2;
  l.lat_deg = 47.1987098;
  l.lon_deg = 8.7302366;
  l.alt_geo_m = 480.5;
  l.height_m = 11.0;
  l.speed_h_mps = 2.0;
  l.direction_deg = 90;
  l.speed_v_mps = -0.5;
  l.horizontal_accuracy = 10;  // < 10 m
  l.vertical_accuracy = 3;     // < 25 m
  l.speed_accuracy = 2;        // < 3 m/s
  l.timestamp_s = 931.1;
  return l;
}

TEST(RemoteIdFix, FixFromLocationBasicIdAndSystem) {
  System s;
  s.operator_lat_deg = 47.198656;
  s.operator_lon_deg = 8.7302205;
  const auto f = to_fix(moving(), at(931.95), "1588E040445AC004418", &s);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->uas_id, "1588E040445AC004418");
  EXPECT_TRUE(f->time_from_message);
  EXPECT_EQ(f->time.ns, at(931.1).ns);
  EXPECT_EQ(f->lat_deg, 47.1987098);
  EXPECT_EQ(*f->alt_geo_m, 480.5);
  EXPECT_FALSE(f->alt_baro_m);
  EXPECT_NEAR(*f->velocity_east_mps, 2.0, 1e-12);  // track 090: due east
  EXPECT_NEAR(*f->velocity_north_mps, 0.0, 1e-12);
  EXPECT_EQ(*f->velocity_up_mps, -0.5);
  EXPECT_EQ(*f->horizontal_accuracy_m, 10);
  EXPECT_EQ(*f->vertical_accuracy_m, 25);
  EXPECT_FALSE(f->baro_accuracy_m);
  EXPECT_EQ(*f->speed_accuracy_mps, 3);
  EXPECT_EQ(*f->operator_lat_deg, 47.198656);
}

TEST(RemoteIdFix, UnknownsStayUnknown) {
  Location l = moving();
  l.direction_deg.reset();
  l.timestamp_s.reset();
  auto f = to_fix(l, at(10), "");
  ASSERT_TRUE(f);
  EXPECT_FALSE(f->velocity_east_mps);  // moving without a track
  EXPECT_FALSE(f->time_from_message);
  EXPECT_EQ(f->time.ns, at(10).ns);
  EXPECT_FALSE(f->operator_lat_deg);
  l.speed_h_mps = 0.0;  // standing still: no track needed
  f = to_fix(l, at(10));
  EXPECT_EQ(*f->velocity_east_mps, 0.0);
  l.lat_deg.reset();
  l.lon_deg.reset();
  EXPECT_FALSE(to_fix(l, at(10)));
}

}  // namespace
}  // namespace skyfuse::decode::remoteid
