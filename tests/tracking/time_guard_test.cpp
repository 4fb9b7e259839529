// The data-time guard (issue #16): no single source moves the system's time
// implausibly, and real jumps of all the data are still followed.
#include "tracking/time_guard.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace skyfuse::tracking {
namespace {

constexpr double kT0 = 1533123000.0;

Report at(double unix_s, std::int64_t tag = 0) {
  Report r;
  r.time = Time::from_seconds(unix_s);
  r.source_offset = tag;
  return r;
}

struct Harness {
  TimeGuard guard;
  std::vector<std::pair<std::size_t, double>> out;  // (sensor, time) accepted, in order
  explicit Harness(std::size_t n, TimeGuardConfig c = {}) : guard(c, n) {}
  TimeRejection push(std::size_t s, double t, std::optional<double> arrival = std::nullopt) {
    std::optional<Time> a;
    if (arrival) a = Time::from_seconds(*arrival);
    return guard.admit(s, at(t), a, [&](Report&& r) { out.emplace_back(s, r.time.seconds()); });
  }
};

// Two file sensors reporting every second; sensor 1 lies once 11 hours ahead
// (the midnight trap of the issue), then once far behind.
TEST(TimeGuard, OneLyingReportNeverMovesTheSystemTime) {
  Harness h(2);
  for (int k = 0; k < 60; ++k) {
    h.push(0, kT0 + k);
    h.push(1, kT0 + k + 0.5);
    if (k == 20) h.push(1, kT0 + k + 11 * 3600);  // held, then refuted
    if (k == 40) {
      EXPECT_EQ(h.push(1, kT0 + k - 3600), TimeRejection::kBehind);
    }
  }
  EXPECT_EQ(h.out.size(), 120u);
  ASSERT_TRUE(h.guard.now());
  EXPECT_NEAR(h.guard.now()->seconds(), kT0 + 59.5, 1e-6);
  EXPECT_EQ(h.guard.stats(1).unconfirmed, 1u);
  EXPECT_EQ(h.guard.stats(1).behind, 1u);
  EXPECT_EQ(h.guard.stats(0).rejected(), 0u);
}

// A flood of consistent lies from one sensor (the 2035 flood), from the very
// start: every one is refuted by the two real sensors, who agree; none is taken.
TEST(TimeGuard, AFloodOfLiesFromOneSensorIsRefutedByTheOthers) {
  Harness h(3);
  const double future = 2051222400.0;  // 2035
  for (int k = 0; k < 100; ++k) {
    for (int j = 0; j < 2; ++j) h.push(1, future + k + j * 0.1);  // two lies per second
    h.push(0, kT0 + k);
    h.push(2, kT0 + k + 0.5);
  }
  h.guard.finish();
  EXPECT_EQ(h.out.size(), 200u);
  EXPECT_NEAR(h.guard.now()->seconds(), kT0 + 99.5, 1e-6);
  EXPECT_EQ(h.guard.stats(1).unconfirmed, 200u);
  EXPECT_EQ(h.guard.stats(0).rejected() + h.guard.stats(2).rejected(), 0u);
}

// A sensor alone (a single Beast file) whose data jumps: taken after three
// reports agree, held ones released in order; a lone outlier is not.
TEST(TimeGuard, ALoneSensorsJumpIsConfirmedByItsOwnNextReports) {
  Harness h(1);
  h.push(0, kT0);
  h.push(0, kT0 + 1);
  h.push(0, kT0 + 1.5);                                  // the first three set the time
  h.push(0, kT0 + 5000);                                 // outlier
  h.push(0, kT0 + 2);                                    // back: the outlier is refuted
  for (int k = 0; k < 3; ++k) h.push(0, kT0 + 600 + k);  // a real gap of 10 minutes
  ASSERT_EQ(h.out.size(), 7u);
  EXPECT_NEAR(h.out[4].second, kT0 + 600, 1e-6);
  EXPECT_NEAR(h.out[6].second, kT0 + 602, 1e-6);
  EXPECT_EQ(h.guard.stats(0).unconfirmed, 1u);
}

// A gap in all the data (every sensor silent for 30 s): the first sensor back
// is held, the second agrees, both are taken, nothing is lost.
TEST(TimeGuard, AGapInAllTheDataIsFollowedWhenASecondSensorAgrees) {
  Harness h(3);
  for (int k = 0; k < 10; ++k)
    for (std::size_t s = 0; s < 3; ++s) h.push(s, kT0 + k + 0.1 * static_cast<double>(s));
  for (int k = 40; k < 50; ++k)
    for (std::size_t s = 0; s < 3; ++s) h.push(s, kT0 + k + 0.1 * static_cast<double>(s));
  EXPECT_EQ(h.out.size(), 60u);
  EXPECT_EQ(h.guard.rejected(), 0u);
  // Order kept: the held report first.
  EXPECT_NEAR(h.out[30].second, kT0 + 40.0, 1e-6);
  EXPECT_NEAR(h.out[31].second, kT0 + 40.1, 1e-6);
}

// Live network sensors answer to the host clock: a report stamped 11 h ahead,
// or 5 s ahead, of its packet's arrival is rejected; one 2 s old is fine.
TEST(TimeGuard, LiveSensorsAreHeldToTheHostClock) {
  Harness h(2);
  for (int k = 0; k < 10; ++k) {
    EXPECT_EQ(h.push(0, kT0 + k - 2, kT0 + k), TimeRejection::kNone);
    EXPECT_EQ(h.push(1, kT0 + k - 0.3, kT0 + k), TimeRejection::kNone);
  }
  EXPECT_EQ(h.push(1, kT0 + 10 + 11 * 3600, kT0 + 10), TimeRejection::kHostClock);
  EXPECT_EQ(h.push(1, kT0 + 16, kT0 + 10), TimeRejection::kHostClock);
  EXPECT_EQ(h.push(1, kT0 + 10 - 40, kT0 + 10), TimeRejection::kHostClock);
  EXPECT_EQ(h.out.size(), 20u);
  EXPECT_EQ(h.guard.stats(1).host_clock, 3u);
  // After a silence of every sensor, the host clock vouches at once.
  EXPECT_EQ(h.push(0, kT0 + 300, kT0 + 300.2), TimeRejection::kNone);
  EXPECT_EQ(h.out.size(), 21u);
}

// The first report of a batch sets nothing by itself: a lie sorted first
// (a record 12 hours early) is refuted once two real sensors agree.
TEST(TimeGuard, ALyingFirstReportDoesNotSetTheTime) {
  Harness h(3);
  h.push(2, kT0 - 43200);
  for (int k = 0; k < 5; ++k) {
    h.push(0, kT0 + k);
    h.push(1, kT0 + k + 0.2);
  }
  EXPECT_EQ(h.out.size(), 10u);
  EXPECT_NEAR(h.out.front().second, kT0, 1e-6);
  EXPECT_EQ(h.guard.stats(2).unconfirmed, 1u);
}

// Determinism: the same input gives the same decisions.
TEST(TimeGuard, SameInputSameDecisions) {
  auto run = [] {
    Harness h(3);
    for (int k = 0; k < 500; ++k) {
      const std::size_t s = static_cast<std::size_t>(k % 3);
      double t = kT0 + k * 0.4;
      if (k % 37 == 0) t += 3600 * (k % 5);
      h.push(s, t, k % 2 ? std::optional<double>(kT0 + k * 0.4) : std::nullopt);
    }
    return h.out;
  };
  EXPECT_EQ(run(), run());
}

}  // namespace
}  // namespace skyfuse::tracking
