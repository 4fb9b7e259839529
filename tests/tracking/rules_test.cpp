// The tracker's pure rules: status changes, classification (registration:
// registration_test.cpp).
#include <gtest/gtest.h>

#include "tracking/classifier.hpp"
#include "tracking/lifecycle.hpp"

namespace skyfuse::tracking {
namespace {

TEST(Lifecycle, ConfirmationNeedsHitsAndForAnonymousTracksAlsoScore) {
  TrackerConfig c;  // identified 2 hits; anonymous 4 hits and score 12
  using E = IdentityEvidence;
  const auto tent = TrackStatus::kTentative, conf = TrackStatus::kConfirmed;
  EXPECT_EQ(status_after_update(tent, 1, E::kCorroborated, 0, c), tent);
  EXPECT_EQ(status_after_update(tent, 2, E::kCorroborated, 0, c), conf);
  EXPECT_EQ(status_after_update(tent, 3, E::kNone, 30, c), tent);
  EXPECT_EQ(status_after_update(tent, 4, E::kNone, 11.9, c), tent);
  EXPECT_EQ(status_after_update(tent, 4, E::kNone, 12, c), conf);
  EXPECT_EQ(status_after_update(TrackStatus::kCoasting, 9, E::kNone, 0, c), conf);
}

TEST(Lifecycle, AnAddressSeenOnceIsNotTrustedAlone) {
  TrackerConfig c;
  using E = IdentityEvidence;
  const auto tent = TrackStatus::kTentative, conf = TrackStatus::kConfirmed;
  // A garbled reply's address and a plot that does not fit it: tentative.
  EXPECT_EQ(status_after_update(tent, 2, E::kUncorroborated, c.address_prior_score + 1, c), tent);
  EXPECT_EQ(status_after_update(tent, 5, E::kUncorroborated, 11.9, c), tent);
  // ... a second plot that fits it well brings the score up: confirmed.
  EXPECT_EQ(status_after_update(tent, 2, E::kUncorroborated, 12, c), conf);
  // A single plot never confirms, whatever the configuration.
  c.confirm_hits_identified = 1;
  c.confirm_hits_anonymous = 1;
  c.confirm_score = -100;
  EXPECT_EQ(status_after_update(tent, 1, E::kCorroborated, 50, c), tent);
  EXPECT_EQ(status_after_update(tent, 1, E::kNone, 50, c), tent);
}

TEST(Lifecycle, SilenceCoastsThenDeletes) {
  TrackerConfig c;  // coast 1.8 intervals; delete 6 intervals capped at 20 s, at least 3.5
  // 4 s radar: coasting after 7.2 s, deleted after min(20, 24) = 20 s.
  EXPECT_EQ(silence_verdict(TrackStatus::kConfirmed, 7.0, 4, c), Verdict::kKeep);
  EXPECT_EQ(silence_verdict(TrackStatus::kConfirmed, 7.3, 4, c), Verdict::kCoast);
  EXPECT_EQ(silence_verdict(TrackStatus::kCoasting, 19.9, 4, c), Verdict::kCoast);
  EXPECT_EQ(silence_verdict(TrackStatus::kCoasting, 20.1, 4, c), Verdict::kDelete);
  // 1 s drone radar: deleted after 6 s; a 10 s radar keeps 3.5 scans = 35 s.
  EXPECT_EQ(silence_verdict(TrackStatus::kConfirmed, 6.1, 1, c), Verdict::kDelete);
  EXPECT_EQ(silence_verdict(TrackStatus::kConfirmed, 34, 10, c), Verdict::kCoast);
  EXPECT_EQ(silence_verdict(TrackStatus::kConfirmed, 36, 10, c), Verdict::kDelete);
  // Tentative: 2.5 intervals.
  EXPECT_EQ(silence_verdict(TrackStatus::kTentative, 9.9, 4, c), Verdict::kKeep);
  EXPECT_EQ(silence_verdict(TrackStatus::kTentative, 10.1, 4, c), Verdict::kDelete);
}

TEST(Classifier, IdentityEvidenceWins) {
  ClassEvidence e;
  e.has_remote_id = true;
  EXPECT_EQ(classify(e).first, TargetClass::kSmallUav);
  ClassEvidence a7;
  a7.emitter_category = 3 * 8 + 7;  // TC 4 (set A), A7 rotorcraft
  EXPECT_EQ(classify(a7).first, TargetClass::kRotorcraft);
  ClassEvidence a3;
  a3.emitter_category = 3 * 8 + 3;  // A3 large
  EXPECT_EQ(classify(a3), std::make_pair(TargetClass::kFixedWing, 0.95));
  ClassEvidence b6;
  b6.emitter_category = 2 * 8 + 6;  // TC 3 (set B), B6 UAV
  EXPECT_EQ(classify(b6).first, TargetClass::kSmallUav);
}

TEST(Classifier, KinematicsDecideWithoutIdentity) {
  ClassEvidence fast;
  fast.updates = 20;
  fast.max_speed_mps = fast.speed_mps = 880;
  fast.drone_sensors_only = false;
  EXPECT_EQ(classify(fast).first, TargetClass::kFastMover);
  ClassEvidence hover;
  hover.updates = 50;
  hover.has_transponder = true;
  hover.drone_sensors_only = false;
  hover.speed_mps = 40;
  hover.max_speed_mps = 55;
  hover.min_speed_mps = 1;
  EXPECT_EQ(classify(hover).first, TargetClass::kRotorcraft);
  ClassEvidence drone;
  drone.updates = 30;
  drone.speed_mps = drone.max_speed_mps = 12;
  drone.height_m = 480;
  EXPECT_EQ(classify(drone).first, TargetClass::kSmallUav);
  ClassEvidence jet;
  jet.updates = 30;
  jet.has_transponder = true;
  jet.drone_sensors_only = false;
  jet.speed_mps = jet.max_speed_mps = 230;
  jet.min_speed_mps = 220;
  EXPECT_EQ(classify(jet), std::make_pair(TargetClass::kFixedWing, 0.8));
  ClassEvidence young;
  young.updates = 2;
  EXPECT_EQ(classify(young).first, TargetClass::kUnknown);
}

}  // namespace
}  // namespace skyfuse::tracking
