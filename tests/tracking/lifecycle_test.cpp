// Initiation and confirmation alone, against a hand-built track table.
#include "tracking/lifecycle.hpp"

#include <gtest/gtest.h>

#include "fakes.hpp"

namespace skyfuse::tracking {
namespace {

using testing::at;
using testing::World;

TEST(Confirmation, ANewTrackFasterThanCommonAircraftWaitsForMoreUpdates) {
  TrackerConfig c;  // confirm_max_speed_mps 450, confirm_hits_fast 6
  using E = IdentityEvidence;
  const auto tent = TrackStatus::kTentative, conf = TrackStatus::kConfirmed;
  EXPECT_EQ(confirm(tent, 2, E::kCorroborated, 0, 250, c).status, conf);
  const Confirmation fast = confirm(tent, 2, E::kCorroborated, 0, 600, c);
  EXPECT_EQ(fast.status, tent);
  EXPECT_TRUE(fast.refused_fast);
  EXPECT_EQ(confirm(tent, 6, E::kCorroborated, 0, 600, c).status, conf);
  // Not yet due for confirmation anyway: nothing refused.
  EXPECT_FALSE(confirm(tent, 1, E::kCorroborated, 0, 600, c).refused_fast);
  // A confirmed track is never held back.
  EXPECT_EQ(confirm(TrackStatus::kCoasting, 20, E::kNone, 0, 900, c).status, conf);
}

TEST(Confirmation, ANewTrackWaitsUntilItsVelocityIsKnown) {
  TrackerConfig c;  // confirm_max_velocity_sigma_mps 30
  using E = IdentityEvidence;
  const auto tent = TrackStatus::kTentative, conf = TrackStatus::kConfirmed;
  // Two replies 0.1 s apart: the velocity is still the prior's (300 m/s).
  const Confirmation early = confirm(tent, 2, E::kCorroborated, 0, 5, c, 290);
  EXPECT_EQ(early.status, tent);
  EXPECT_TRUE(early.refused_velocity);
  EXPECT_FALSE(early.refused_fast);
  // Two plots 8 s apart, 130 m cross-range each: sigma about 23 m/s.
  EXPECT_EQ(confirm(tent, 2, E::kCorroborated, 0, 230, c, 23).status, conf);
  EXPECT_FALSE(confirm(tent, 1, E::kCorroborated, 0, 5, c, 290).refused_velocity);  // not due
  EXPECT_EQ(confirm(TrackStatus::kConfirmed, 9, E::kNone, 0, 230, c, 290).status, conf);
}

TEST(Confirmation, ReadsTheRecordsIdentityScoreAndSpeed) {
  World w;
  const std::uint32_t a = w.add({.xy = {0, 0},
                                 .velocity = {250, 0},
                                 .status = TrackStatus::kTentative,
                                 .icao24 = 0x4b0001,
                                 .hits = 2});
  TrackRecord& t = w.table[a];
  t.identity_hits = 1;  // the address seen once: the score decides
  t.score = w.cfg.address_prior_score;
  EXPECT_EQ(identity_evidence(t), IdentityEvidence::kUncorroborated);
  EXPECT_EQ(confirm(t, w.cfg).status, TrackStatus::kTentative);
  t.score = w.cfg.confirm_score;
  EXPECT_EQ(confirm(t, w.cfg).status, TrackStatus::kConfirmed);
  t.identity_hits = 2;
  t.score = 0;
  EXPECT_EQ(identity_evidence(t), IdentityEvidence::kCorroborated);
  EXPECT_EQ(confirm(t, w.cfg).status, TrackStatus::kConfirmed);
}

TEST(Initiator, StartsATentativeTrackAtTheReportWithItsIdentityAndNumber) {
  World w;
  TrackerStats stats;
  Initiator init(w.cfg, w.table, w.sensors, w.offsets, stats);
  Prepared p = w.report({1000, -2000}, 5.0, 0x4b0001, 10000.0);
  p.velocity = Eigen::Vector2d(0, 220);
  p.velocity_cov = Eigen::Matrix2d::Identity();
  const std::uint32_t slot = init.initiate(p);
  const TrackRecord& t = w.table[slot];
  EXPECT_TRUE(t.alive);
  EXPECT_EQ(t.status, TrackStatus::kTentative);
  EXPECT_EQ(t.hits, 1);
  EXPECT_EQ(t.time, at(5.0));
  EXPECT_EQ(t.imm.state().head<2>(), Eigen::Vector2d(1000, -2000));
  EXPECT_EQ(t.imm.state().segment<2>(2), Eigen::Vector2d(0, 220));
  EXPECT_EQ(t.vert.height(), 10000.0);
  EXPECT_TRUE(t.seen_geometric);
  EXPECT_EQ(t.number, 1u);
  EXPECT_EQ(t.identity_hits, 1);
  EXPECT_EQ(t.score, w.cfg.address_prior_score);  // an address seen once
  EXPECT_EQ(t.last_reference, at(5.0));           // ADS-B: a reference fix
  EXPECT_TRUE(t.in_icao_map);
  Identity id;
  id.icao24 = 0x4b0001;
  EXPECT_EQ(w.table.find(id), slot);
  EXPECT_TRUE(w.table.summary(slot).alive);
  EXPECT_EQ(stats.initiated, 1u);
  EXPECT_EQ(stats.live_tracks, 1u);

  // A second track for the same address: counted, not bound.
  const std::uint32_t twin = init.initiate(w.report({9000, 0}, 5.5, 0x4b0001));
  EXPECT_FALSE(w.table[twin].in_icao_map);
  EXPECT_EQ(w.table[twin].number, 2u);
  EXPECT_EQ(stats.duplicate_identities, 1u);
  EXPECT_EQ(stats.max_live_tracks, 2u);
}

TEST(Initiator, AnAnonymousPlotWithoutHeightStartsAtTheDefaultHeight) {
  World w;
  TrackerStats stats;
  Initiator init(w.cfg, w.table, w.sensors, w.offsets, stats);
  const std::uint32_t slot = init.initiate(w.report({0, 0}, 1.0, std::nullopt, std::nullopt));
  const TrackRecord& t = w.table[slot];
  EXPECT_EQ(t.vert.height(), w.cfg.default_height_m);
  EXPECT_FALSE(t.height_known());
  EXPECT_EQ(t.score, 0.0);
  // Unknown velocity: initial_speed_sigma_mps.
  const double sv = w.cfg.initial_speed_sigma_mps;
  EXPECT_GT(t.imm.covariance(2, 2), 0.9 * sv * sv);
  EXPECT_FALSE(w.table.summary(slot).canonical);
}

}  // namespace
}  // namespace skyfuse::tracking
