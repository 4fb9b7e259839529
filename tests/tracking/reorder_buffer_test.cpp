// The reorder buffer alone: order, latency, batches, look-ahead.
#include "tracking/reorder_buffer.hpp"

#include <gtest/gtest.h>

#include <map>
#include <vector>

namespace skyfuse::tracking {
namespace {

const Time kT0 = Time::from_seconds(1717236000.0);

Report report(double t, SensorId sensor, std::int64_t tag) {
  Report r;
  r.time = kT0 + Duration::from_seconds(t);
  r.sensor = sensor;
  r.source_offset = tag;  // which report it is
  return r;
}

struct Released {
  std::vector<std::vector<std::int64_t>> batches;  // tags per batch
  std::vector<std::int64_t> next;                  // tag of `next`, -1 for none
};

Released release(ReorderBuffer& b, bool all, std::map<SensorId, double> windows = {}) {
  Released out;
  b.release(
      all, [&](SensorId s) { return windows.contains(s) ? windows[s] : 0.0; },
      [&](std::span<const Report* const> batch, const Report* next) {
        std::vector<std::int64_t> tags;
        for (const Report* r : batch) tags.push_back(r->source_offset);
        out.batches.push_back(tags);
        out.next.push_back(next ? next->source_offset : -1);
      });
  return out;
}

TEST(ReorderBuffer, HoldsReportsUntilTheLatencyHasPassed) {
  ReorderBuffer b(2.0);
  b.push(report(10.0, 1, 0));
  b.push(report(11.0, 1, 1));
  EXPECT_FALSE(b.due());
  b.push(report(12.0, 1, 2));  // the first is now 2 s older than the newest
  EXPECT_TRUE(b.due());
  const Released r = release(b, false);
  ASSERT_EQ(r.batches.size(), 1u);
  EXPECT_EQ(r.batches[0], std::vector<std::int64_t>{0});
  EXPECT_EQ(b.size(), 2u);
  EXPECT_FALSE(b.due());
}

TEST(ReorderBuffer, ReleasesInDataTimeOrderThenSensorThenArrival) {
  ReorderBuffer b(2.0);
  b.push(report(13.0, 1, 0));
  b.push(report(11.0, 2, 1));
  b.push(report(11.0, 1, 2));
  b.push(report(12.0, 1, 3));
  b.push(report(11.0, 1, 4));  // same time and sensor as 2: after it
  const Released r = release(b, true);
  std::vector<std::int64_t> order;
  for (const auto& batch : r.batches) order.insert(order.end(), batch.begin(), batch.end());
  EXPECT_EQ(order, (std::vector<std::int64_t>{2, 4, 1, 3, 0}));
  EXPECT_TRUE(b.empty());
}

TEST(ReorderBuffer, BatchesThePlotsOfOneSensorWithinItsWindow) {
  ReorderBuffer b(0.0);
  b.push(report(10.00, 2, 0));
  b.push(report(10.03, 1, 1));  // another sensor: its own batch
  b.push(report(10.05, 2, 2));
  b.push(report(10.08, 2, 3));
  b.push(report(10.20, 2, 4));  // past 10.00 + 0.1
  const Released r = release(b, true, {{2, 0.1}});
  ASSERT_EQ(r.batches.size(), 3u);
  EXPECT_EQ(r.batches[0], (std::vector<std::int64_t>{0, 2, 3}));
  EXPECT_EQ(r.batches[1], (std::vector<std::int64_t>{1}));
  EXPECT_EQ(r.batches[2], (std::vector<std::int64_t>{4}));
  // Look-ahead: the next batch's first report; none after the last.
  EXPECT_EQ(r.next, (std::vector<std::int64_t>{1, 4, -1}));
}

TEST(ReorderBuffer, LooksAheadIntoTheQueueAfterTheLastReleasedReport) {
  ReorderBuffer b(1.0);
  b.push(report(10.0, 1, 0));
  b.push(report(10.5, 1, 1));
  b.push(report(11.0, 1, 2));  // 10.0 due; 10.5 and 11.0 stay
  const Released r = release(b, false);
  ASSERT_EQ(r.batches.size(), 1u);
  EXPECT_EQ(r.next, std::vector<std::int64_t>{1});
}

TEST(ReorderBuffer, ReusesItsSlotsAndKeepsTheCopies) {
  ReorderBuffer b(0.0);
  for (int round = 0; round < 3; ++round) {
    Report r = report(round, 1, round);
    r.identity.callsign = "SWR" + std::to_string(round);
    b.push(r);
    r.identity.callsign = "changed";  // the buffer holds its own copy
    std::vector<std::string> seen;
    b.release(
        false, [](SensorId) { return 0.0; },
        [&](std::span<const Report* const> batch, const Report*) {
          for (const Report* x : batch) seen.push_back(x->identity.callsign);
        });
    EXPECT_EQ(seen, std::vector<std::string>{"SWR" + std::to_string(round)});
  }
}

}  // namespace
}  // namespace skyfuse::tracking
