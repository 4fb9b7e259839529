// mlat::Grouper (copies of one transmission across receivers, by bytes within
// a server-time window, bounded) and mlat::TimestampDecoder (Beast 12 MHz,
// SBS 20 MHz, GPS seconds-of-day stamps to nanoseconds), against hand-made
// copies and hand-derived values.
#include "mlat/grouper.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "core/error.hpp"
#include "mlat/timestamp.hpp"

namespace skyfuse::mlat {
namespace {

const Time kT0 = Time::from_seconds(1.7e9);

Copy at(ReceiverId r, double s) {
  return {.receiver = r,
          .toa_ns = static_cast<std::int64_t>(s * 1e9),
          .server_time = kT0 + Duration::from_seconds(s)};
}

TEST(Grouper, GroupsCopiesOfTheSameBytesWithinTheWindow) {
  Grouper g({.window_s = 0.5, .max_pending = 100});
  const std::array<std::uint8_t, 7> a{0x5d, 1, 2, 3, 4, 5, 6};
  const std::array<std::uint8_t, 7> b{0x5d, 1, 2, 3, 4, 5, 7};
  std::vector<Group> done;
  g.push(a, at(1, 0.000), done);
  g.push(b, at(1, 0.001), done);
  g.push(a, at(2, 0.002), done);
  g.push(a, at(3, 0.300), done);  // within 0.5 s of the first copy
  g.push(b, at(2, 0.450), done);
  EXPECT_TRUE(done.empty());
  EXPECT_EQ(g.pending(), 2u);
  g.push(a, at(4, 0.600), done);  // past both windows: closes a and b, opens a new a
  ASSERT_EQ(done.size(), 2u);
  EXPECT_EQ(done[0].copies.size(), 3u);  // a: receivers 1, 2, 3
  EXPECT_EQ(done[0].time, kT0);
  EXPECT_EQ(done[0].copies[2].receiver, 3u);
  EXPECT_EQ(done[1].copies.size(), 2u);  // b: receivers 1 and 2, in time order
  EXPECT_EQ(done[1].copies[1].receiver, 2u);
  EXPECT_EQ(g.pending(), 1u);
  g.flush(done);
  ASSERT_EQ(done.size(), 3u);
  EXPECT_EQ(done[2].copies.size(), 1u);  // a again, receiver 4 alone
  EXPECT_EQ(done[2].time, kT0 + Duration::from_seconds(0.6));
  EXPECT_EQ(g.stats().groups, 3);
  EXPECT_EQ(g.stats().copies, 6);
}

TEST(Grouper, ASecondCopyFromOneReceiverIsANewTransmission) {
  Grouper g({.window_s = 1.0, .max_pending = 100});
  const std::array<std::uint8_t, 7> a{0x20, 0, 0, 0x10, 1, 2, 3};
  std::vector<Group> done;
  g.push(a, at(1, 0.0), done);
  g.push(a, at(2, 0.001), done);
  g.push(a, at(1, 0.2), done);  // receiver 1 again: a new transmission
  g.push(a, at(2, 0.201), done);
  g.flush(done);
  ASSERT_EQ(done.size(), 2u);
  EXPECT_EQ(done[0].copies.size(), 2u);
  EXPECT_EQ(done[1].copies.size(), 2u);
  EXPECT_EQ(done[1].copies[0].toa_ns, 200'000'000);
  EXPECT_EQ(g.stats().repeats, 1);
}

TEST(Grouper, PendingGroupsAreBoundedAndLateCopiesDropped) {
  Grouper g({.window_s = 10, .max_pending = 50});
  std::vector<Group> done;
  for (std::uint32_t i = 0; i < 10'000; ++i) {
    const std::array<std::uint8_t, 7> f{
        0x58, static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i), 0, 0, 0, 0};
    g.push(f, at(1, i * 1e-4), done);
    ASSERT_LE(g.pending(), 50u);
  }
  EXPECT_EQ(g.stats().peak_pending, 50u);
  EXPECT_EQ(g.stats().evicted, 10'000 - 50);
  EXPECT_EQ(done.size(), 10'000u - 50u);
  for (std::size_t i = 1; i < done.size(); ++i) EXPECT_LE(done[i - 1].time, done[i].time);
  const std::array<std::uint8_t, 7> old{1, 2, 3, 4, 5, 6, 7};
  g.push(old, at(2, -20), done);  // 21 s behind the newest copy: dropped
  EXPECT_EQ(g.stats().late, 1);
  EXPECT_EQ(g.pending(), 50u);
}

TEST(Grouper, RejectsABadConfiguration) {
  EXPECT_THROW(Grouper({.window_s = 0, .max_pending = 1}), ConfigError);
  EXPECT_THROW(Grouper({.window_s = 1, .max_pending = 0}), ConfigError);
}

TEST(TimestampDecoder, ConvertsEachClockKind) {
  TimestampDecoder beast(ClockKind::kBeast);
  EXPECT_EQ(beast.to_ns(12'000'000, kT0), 1'000'000'000);  // 12e6 ticks = 1 s
  EXPECT_EQ(beast.to_ns(12'000'001, kT0), 1'000'000'083);  // 83.3 ns, floored
  // Wraps at 2^48 ticks: one tick past the wrap is 2^48 + 1 ticks.
  TimestampDecoder w(ClockKind::kBeast);
  EXPECT_EQ(w.to_ns((1ULL << 48) - 12, kT0), ((1LL << 48) - 12) * 1000 / 12);
  EXPECT_EQ(w.to_ns(1, kT0), ((1LL << 48) + 1) * 1000 / 12);
  TimestampDecoder sbs(ClockKind::kSbs);
  EXPECT_EQ(sbs.to_ns(20'000'000, kT0), 1'000'000'000);
  // GPS: 2023-11-14 22:13:20 UTC is 1.7e9 s; 80,000 s of its day; 123 ns.
  TimestampDecoder gps(ClockKind::kGps);
  const std::uint64_t stamp = (80'000ULL << 30) | 123;
  EXPECT_EQ(gps.to_ns(stamp, kT0), 1'700'000'000'000'000'123);
  // Just after midnight, with the server still before it: the next day.
  const std::uint64_t after = (5ULL << 30);
  EXPECT_EQ(gps.to_ns(after, kT0 + Duration::from_seconds(86'400 - 80'000 - 1)),
            (1'700'000'000LL - 80'000 + 86'400 + 5) * 1'000'000'000);
  EXPECT_FALSE(gps.to_ns((86'400ULL << 30), kT0));  // no 86,400th second
  EXPECT_FALSE(gps.to_ns((1ULL << 30) - 1, kT0));   // 1,073,741,823 ns
}

}  // namespace
}  // namespace skyfuse::mlat
