// Gating alone, against tracks placed by hand in a track table.
#include "tracking/gating.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "fakes.hpp"

namespace skyfuse::tracking {
namespace {

using testing::FakeTrack;
using testing::World;

struct Gated {
  GateResult result;
  TrackerStats stats;
  std::vector<std::uint32_t> restarted;
};

Gated gate_all(World& w, const std::vector<Prepared>& prepared) {
  Gated g;
  w.gate.by_identity(prepared, w.table, g.result, g.stats,
                     [&](std::uint32_t slot, Time) { g.restarted.push_back(slot); });
  w.gate.by_position(prepared, w.table, g.result);
  return g;
}

const association::Candidate* candidate(const Gated& g, int report, std::uint32_t slot) {
  for (const auto& c : g.result.candidates)
    if (c.report == report && c.track == static_cast<int>(slot)) return &c;
  return nullptr;
}

TEST(Gate, AReportNearATrackIsACandidateAFarOneIsNot) {
  World w;
  const std::uint32_t a = w.add({.xy = {0, 0}});
  const std::uint32_t b = w.add({.xy = {4000, 0}});
  // One second later the track at 0 is at 200 m east.
  const Gated g = gate_all(w, {w.report({210, 10}, 1.0, std::nullopt)});
  const auto* ca = candidate(g, 0, a);
  ASSERT_NE(ca, nullptr);
  EXPECT_LT(ca->cost, 1.0);
  EXPECT_EQ(candidate(g, 0, b), nullptr);
  EXPECT_EQ(g.result.direct, std::vector<int>{-1});
}

TEST(Gate, AnAddressGoesStraightToItsTrackOncePerBatch) {
  World w;
  const std::uint32_t a = w.add({.xy = {0, 0}, .icao24 = 0x4b0001});
  w.add({.xy = {300, 0}});  // anonymous, close by
  const Gated g =
      gate_all(w, {w.report({200, 0}, 1.0, 0x4b0001), w.report({200, 0}, 1.0, 0x4b0001)});
  EXPECT_EQ(g.result.direct[0], static_cast<int>(a));
  EXPECT_EQ(g.result.direct[1], -1);  // the second report of the address: spatial
  EXPECT_EQ(g.stats.identity_associated, 1u);
  // ... and never to the track the first one took.
  EXPECT_EQ(candidate(g, 1, a), nullptr);
}

TEST(Gate, AnAddressFarFromItsTrackIsAConflictAndASilentTrackRestarts) {
  World w;
  const std::uint32_t fresh = w.add({.xy = {0, 0}, .icao24 = 0x4b0001, .time_s = 9.0});
  const std::uint32_t silent = w.add({.xy = {0, 50000}, .icao24 = 0x4b0002});
  const Gated g =
      gate_all(w, {w.report({60000, 0}, 10.0, 0x4b0001), w.report({60000, 50000}, 10.0, 0x4b0002)});
  EXPECT_EQ(g.stats.identity_conflicts, 2u);
  EXPECT_EQ(g.result.direct, (std::vector<int>{-1, -1}));
  // Silent 10 s with a 1 s interval (more than identity_restart_intervals): restarted.
  EXPECT_EQ(g.restarted, std::vector<std::uint32_t>{silent});
  (void)fresh;
}

TEST(Gate, ADifferentAddressOrAnIncompatibleHeightExcludes) {
  World w;
  const std::uint32_t a = w.add({.xy = {0, 0}, .height_known = 9000, .icao24 = 0x4b0001});
  const std::uint32_t b = w.add({.xy = {0, 100}, .height_known = 3000});
  w.table.erase(a, testing::at(0));  // not through identity: compare spatially
  const std::uint32_t c = w.add({.xy = {0, 0}, .height_known = 9000, .icao24 = 0x4b0001});
  const Gated g = gate_all(w, {w.report({200, 0}, 1.0, 0x4b0009, 9000)});
  EXPECT_EQ(candidate(g, 0, c), nullptr);  // another address
  EXPECT_EQ(candidate(g, 0, b), nullptr);  // 6 km lower
  EXPECT_FALSE(
      w.gate.compatibility(w.report({200, 0}, 1.0, std::nullopt, 9000), w.table[b]).has_value());
  EXPECT_TRUE(
      w.gate.compatibility(w.report({200, 0}, 1.0, std::nullopt, 3100), w.table[b]).has_value());
}

TEST(Gate, ANewTrackWithOneReplyTakesNoAnonymousPlot) {
  World w;
  // One Mode S reply: velocity unknown, a gate kilometres wide.
  const std::uint32_t fresh = w.add({.xy = {0, 0},
                                     .status = TrackStatus::kTentative,
                                     .icao24 = 0x4b0001,
                                     .position_sigma_m = 1500,
                                     .hits = 1});
  Prepared psr = w.report({500, 0}, 1.0, std::nullopt, std::nullopt);
  w.reports.back().sensor_kind = SensorKind::kPsr;
  EXPECT_EQ(candidate(gate_all(w, {psr}), 0, fresh), nullptr);
  // A reply with altitude or a code is a candidate ...
  EXPECT_NE(candidate(gate_all(w, {w.report({500, 0}, 1.0, std::nullopt, 9000)}), 0, fresh),
            nullptr);
  // ... and once it has two updates, so is the PSR plot; an anonymous track
  // takes it from the first.
  w.table[fresh].hits = 2;
  EXPECT_NE(candidate(gate_all(w, {psr}), 0, fresh), nullptr);
  const std::uint32_t anon = w.add(
      {.xy = {0, 20000}, .status = TrackStatus::kTentative, .position_sigma_m = 1500, .hits = 1});
  EXPECT_NE(
      candidate(gate_all(w, {w.report({500, 20000}, 1.0, std::nullopt, std::nullopt)}), 0, anon),
      nullptr);
}

TEST(Gate, CostsPreferEstablishedTracksAndMatchingCodes) {
  World w;
  const std::uint32_t conf = w.add({.xy = {0, 0}, .mode3a = 01234});
  const std::uint32_t tent = w.add({.xy = {0, 0}, .status = TrackStatus::kTentative});
  const std::uint32_t other = w.add({.xy = {0, 0}, .mode3a = 04321});
  const Prepared p = w.report({260, 30}, 1.0, std::nullopt);
  w.reports.back().identity.mode3a = 01234;
  const Gated g = gate_all(w, {p});
  const auto *c1 = candidate(g, 0, conf), *c2 = candidate(g, 0, tent), *c3 = candidate(g, 0, other);
  ASSERT_TRUE(c1 && c2 && c3);
  const double d2 = c2->cost - w.cfg.tentative_cost;  // the same distance for all three
  EXPECT_NEAR(c1->cost, std::max(d2 - w.cfg.discrete_code_bonus, 0.0), 1e-9);
  EXPECT_NEAR(c3->cost, d2 + w.cfg.mode3a_mismatch_cost, 1e-9);
}

TEST(Gate, TheSearchRadiusGrowsWithUncertaintyAndTimeUpToTheMaximum) {
  World w;
  const Time t0 = testing::at(0);
  EXPECT_DOUBLE_EQ(w.gate.search_radius(100, 10, t0, t0), 5 * 100 + 2000);
  EXPECT_DOUBLE_EQ(w.gate.search_radius(100, 10, t0, testing::at(10)),
                   5 * (100 + 100) + 0.5 * 6 * 100 + 2000);
  EXPECT_DOUBLE_EQ(w.gate.search_radius(5000, 10, t0, t0), w.cfg.max_gate_m);
}

TEST(Gate, ThePredictionIsConstantAccelerationWithTheManoeuvreAllowance) {
  World w;
  const std::uint32_t a = w.add({.xy = {1000, 2000}, .velocity = {100, -50}});
  const GatePrediction g = w.gate.predict(w.table[a], testing::at(2));
  EXPECT_NEAR(g.xy.x(), 1200, 1e-9);
  EXPECT_NEAR(g.xy.y(), 1900, 1e-9);
  // F P F' with F = [1, dt, dt^2/2] per axis, plus (gate_accel dt^2 / 2)^2 + 1 m^2.
  const estimation::Imm& f = w.table[a].imm;
  const double dt = 2, h = 2;
  const double expected = f.covariance(0, 0) + 2 * dt * f.covariance(0, 2) +
                          2 * h * f.covariance(0, 4) + dt * dt * f.covariance(2, 2) +
                          2 * dt * h * f.covariance(2, 4) + h * h * f.covariance(4, 4) +
                          (6 * h) * (6 * h) + 1;
  EXPECT_NEAR(g.cov(0, 0), expected, 1e-6);
  EXPECT_GT(g.cov(0, 0), 2500 + 4 * 25 + 144);
}

TEST(Gate, DiscreteCodesExcludeConspicuityAndEmergencyCodes) {
  for (int c : {01000, 02000, 07000, 01200, 00000, 07500, 07600, 07700})
    EXPECT_FALSE(discrete_code(static_cast<std::uint16_t>(c))) << std::oct << c;
  EXPECT_TRUE(discrete_code(01234));
  EXPECT_TRUE(discrete_code(07001));
}

}  // namespace
}  // namespace skyfuse::tracking
