// The solver on real data: two LocaRDS sets (tests/data/mlat/README.md),
// leave-one-aircraft-out, errors against the positions the aircraft reported.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "mlat/evaluation.hpp"
#include "mlat/locards_csv.hpp"

namespace skyfuse::mlat {
namespace {

std::string data(const char* name) {
  return std::string(SKYFUSE_SOURCE_DIR) + "/tests/data/mlat/" + name;
}

struct Loaded {
  ReceiverSet receivers;
  std::vector<Message> messages;
};

Loaded load(const char* set) {
  Loaded l;
  std::ifstream rin(data("locards_sensors.csv"));
  ReceiverFile rf = read_receivers(rin);
  EXPECT_TRUE(rf.errors.empty());
  l.receivers = rf.receivers;
  std::ifstream in(data(set));
  MeasurementFile mf = read_measurements(in);
  EXPECT_TRUE(mf.errors.empty());
  l.messages = std::move(mf.messages);
  std::stable_sort(l.messages.begin(), l.messages.end(),
                   [](const Message& a, const Message& b) { return a.time < b.time; });
  return l;
}

// Figures guarded here are the ones docs/mlat.md reports for these sets, with
// some margin; the truth is each row's reported ADS-B position.
void check(const char* set, double max_median_m, double max_p90_m) {
  const Loaded l = load(set);
  const auto records = leave_one_aircraft_out(l.receivers, l.messages, {});
  const EvalSummary s = summarise(records);
  EXPECT_EQ(s.rows, static_cast<int>(l.messages.size()));
  EXPECT_GE(s.located_pct, 85.0) << set;
  EXPECT_GE(s.ok_pct, 72.0) << set;  // goal 70 %
  EXPECT_LE(s.median_m, max_median_m) << set;
  EXPECT_LE(s.p90_m, max_p90_m) << set;
  EXPECT_EQ(s.ok_over_1km, 0) << set;
  // Covariance honesty (calibrated against the references, causally).
  EXPECT_GE(s.inside_2sigma, 0.80) << set;
  EXPECT_LE(s.inside_2sigma, 0.99) << set;
  // Clock synchronisation must beat the plain solver on the same rows.
  EXPECT_LT(s.median_m, s.baseline_median_m) << set;
  EXPECT_LT(s.p90_m, s.baseline_p90_m) << set;
  // The bound is a bound: nothing beats it by much on average.
  EXPECT_GT(s.error_rms_m, 0.8 * s.crb_rms_m) << set;
  // Across each aircraft's track, where the age of the reported position does
  // not count, the tail is within 10 % of what the bound predicts (the median
  // too on set 5; set 6's 22 fixes: 41 m against 31 m, docs/mlat.md).
  EXPECT_GE(s.split_n, s.ok / 4) << set;
  EXPECT_LE(s.across_p50_m, 1.35 * s.crb_across_p50_m) << set;
  EXPECT_LE(s.across_p90_m, 1.1 * s.crb_across_p90_m) << set;
}

TEST(MlatLocards, Set5LeaveOneAircraftOut) { check("locards_set5.csv", 50, 150); }
TEST(MlatLocards, Set6LeaveOneAircraftOut) { check("locards_set6.csv", 65, 260); }

TEST(MlatLocards, ReferencesAloneSynchroniseEveryReceiverTheyShare) {
  const Loaded l = load("locards_set5.csv");
  Multilaterator ml(l.receivers, {});
  for (const Message& m : l.messages) EXPECT_TRUE(ml.push(m).empty());
  EXPECT_EQ(ml.stats().references, static_cast<std::int64_t>(l.messages.size()));
  EXPECT_GT(ml.stats().references_applied, ml.stats().references * 9 / 10);
  // GPS receivers: offsets within a microsecond of each other.
  for (const Receiver& r : l.receivers.all()) {
    const ClockEstimate e = ml.clocks().estimate(r.id);
    if (!e.known) continue;
    EXPECT_LT(std::abs(e.offset_s), 1e-6) << r.id;
    EXPECT_GT(e.noise_s, 10e-9) << r.id;
    EXPECT_LT(e.noise_s, 1e-6) << r.id;
  }
}

}  // namespace
}  // namespace skyfuse::mlat
