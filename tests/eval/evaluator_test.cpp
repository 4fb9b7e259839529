#include "eval/evaluator.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "geo/wgs84.hpp"

namespace skyfuse::eval {
namespace {

constexpr int kSteps = 100;
const Time kT0 = Time::from_seconds(1.6e9);

// N objects 10 km apart flying east at 200 m/s, sampled every second.
std::vector<ObjectState> make_truth(int n) {
  std::vector<ObjectState> out;
  for (int k = 0; k < kSteps; ++k) {
    for (int i = 0; i < n; ++i) {
      const geo::LocalFrame f({47.0 + 0.09 * i, 8.0, 9000});
      ObjectState s;
      s.time = kT0 + Duration::from_seconds(k);
      s.id = "obj" + std::to_string(i);
      s.position = f.reverse({200.0 * k, 0, 0});
      s.velocity_enu_mps = f.rotate_to(s.position, {200, 0, 0});
      out.push_back(s);
    }
  }
  return out;
}

ObjectState moved(ObjectState s, const Eigen::Vector3d& enu) {
  s.position = geo::LocalFrame(s.position).reverse(enu);
  return s;
}

TEST(Evaluate, TruthAgainstItselfScoresZero) {
  const auto truth = make_truth(5);
  const Evaluation e = evaluate(truth, truth, {});
  EXPECT_EQ(e.summary.steps, kSteps);
  EXPECT_EQ(e.summary.gospa_mean_m, 0);
  EXPECT_EQ(e.summary.gospa_localisation_m, 0);
  EXPECT_EQ(e.summary.gospa_missed_m, 0);
  EXPECT_EQ(e.summary.gospa_false_m, 0);
  EXPECT_EQ(e.summary.identity_swaps, 0);
  EXPECT_EQ(e.summary.track_breaks, 0);
  EXPECT_EQ(e.summary.false_tracks, 0);
  EXPECT_EQ(e.summary.share_within_m, 1.0);
  EXPECT_EQ(e.summary.truth_coverage, 1.0);
  EXPECT_EQ(e.summary.initiation_delay_s, 0);
}

TEST(Evaluate, ShiftedHundredMetresGivesLocalisationHundred) {
  const auto truth = make_truth(5);
  std::vector<ObjectState> tracks;
  for (const auto& s : truth) tracks.push_back(moved(s, {100, 0, 0}));
  const Evaluation e = evaluate(truth, tracks, {});
  EXPECT_NEAR(e.summary.gospa_localisation_m, 100, 1e-6);
  EXPECT_NEAR(e.summary.gospa_per_object_m, 100, 1e-6);
  EXPECT_NEAR(e.summary.gospa_mean_m, 100 * std::sqrt(5.0), 1e-5);  // per step: sqrt(5 x 100^2)
  EXPECT_NEAR(e.summary.rms_horizontal_m, 100, 1e-6);
  EXPECT_NEAR(e.summary.rms_vertical_m, 0, 1e-6);
  EXPECT_EQ(e.summary.gospa_missed_m, 0);
  EXPECT_EQ(e.summary.gospa_false_m, 0);
}

// Object i's track is off by 10 (i + 1) m east and 5 m up, and has the
// sources of coverage i; every track line older than 5 s at every 10th step.
TEST(Evaluate, PercentilesCoverageUpdateAndPressureAltitude) {
  auto truth = make_truth(4);
  std::vector<ObjectState> tracks;
  for (auto& s : truth) {
    const int i = s.id.back() - '0';
    s.baro_alt_m = 9000 - 200;  // the altimeter reads 200 m less
    ObjectState k = moved(s, {10.0 * (i + 1), 0, 5});
    k.baro_alt_m = *s.baro_alt_m + (i == 3 ? 100 : 90);  // 328 ft: wrong; 295 ft: correct
    auto& src = k.sources;
    if (i == 0) src[static_cast<std::size_t>(SensorKind::kModeSRadar)] = 2;
    if (i == 1) {
      src[static_cast<std::size_t>(SensorKind::kSsr)] = 1;
      src[static_cast<std::size_t>(SensorKind::kAdsb)] = 1;
    }
    if (i == 2) src[static_cast<std::size_t>(SensorKind::kAdsb)] = 1;
    if (i == 3) src[static_cast<std::size_t>(SensorKind::kPsr)] = 3;
    tracks.push_back(k);
  }
  // Object 0's track: no line at steps 10k+1 .. 10k+6 (its lines 7 s apart at most).
  std::erase_if(tracks, [](const ObjectState& k) {
    const auto step = static_cast<int>(std::lround((k.time - kT0).seconds()));
    return k.id == "obj0" && step % 10 >= 1 && step % 10 <= 6;
  });
  const Evaluation e = evaluate(truth, tracks, {});
  const Summary& s = e.summary;
  ASSERT_EQ(s.assigned_pairs, 4 * kSteps);
  // Horizontal errors: 100 each of 10, 20, 30, 40 m (object 0's extrapolated
  // exactly: it moves with its velocity).
  EXPECT_NEAR(s.horizontal_p50_m, 20, 1e-6);
  EXPECT_NEAR(s.horizontal_p95_m, 40, 1e-6);
  EXPECT_NEAR(s.vertical_bias_m, 5, 1e-3);
  EXPECT_NEAR(s.vertical_p95_m, 5, 1e-3);
  EXPECT_EQ(s.mode_c_pairs, 4 * kSteps);
  EXPECT_DOUBLE_EQ(s.mode_c_correct_share, 0.75);
  // Object 0: at steps 10k+6 the line is 6 s old (> 5 s): 10 of 100 not updated.
  const auto& mr = s.by_coverage[static_cast<std::size_t>(Coverage::kMultiRadar)];
  EXPECT_EQ(mr.pairs, kSteps);
  EXPECT_NEAR(mr.rms_horizontal_m, 10, 1e-3);
  EXPECT_DOUBLE_EQ(mr.update_probability, 0.9);
  const auto& sr = s.by_coverage[static_cast<std::size_t>(Coverage::kSingleRadar)];
  EXPECT_EQ(sr.pairs, kSteps);
  EXPECT_NEAR(sr.rms_horizontal_m, 20, 1e-6);
  EXPECT_NEAR(sr.rms_vertical_m, 5, 1e-3);
  EXPECT_DOUBLE_EQ(sr.update_probability, 1.0);
  EXPECT_NEAR(s.by_coverage[static_cast<std::size_t>(Coverage::kAdsbOnly)].horizontal_p95_m, 30,
              1e-6);
  EXPECT_NEAR(s.by_coverage[static_cast<std::size_t>(Coverage::kPsrOnly)].rms_horizontal_m, 40,
              1e-6);
  EXPECT_EQ(s.by_coverage[static_cast<std::size_t>(Coverage::kNone)].pairs, 0);
  EXPECT_NEAR(s.update_probability, (4 * kSteps - 10) / (4.0 * kSteps), 1e-12);
}

TEST(Evaluate, RemovedObjectGivesExactlyTheMissedTerm) {
  const auto truth = make_truth(4);
  std::vector<ObjectState> tracks;
  for (const auto& s : truth)
    if (s.id != "obj2") tracks.push_back(s);
  EvalConfig cfg;
  cfg.gospa.cutoff_m = 800;
  const Evaluation e = evaluate(truth, tracks, cfg);
  // Each step misses one of four: sum of c^2/2 over 100 steps / sum of max(|X|,|Y|) = 400.
  EXPECT_NEAR(e.summary.gospa_missed_m, 800 * std::sqrt(100.0 / (2 * 400.0)), 1e-9);
  EXPECT_NEAR(e.summary.gospa_mean_m, 800 / std::sqrt(2.0), 1e-9);
  EXPECT_EQ(e.summary.gospa_localisation_m, 0);
  EXPECT_EQ(e.summary.never_tracked, 1);
  EXPECT_NEAR(e.summary.truth_coverage, 0.75, 1e-12);
}

TEST(Evaluate, CountsIdentitySwapsBreaksAndFalseTracks) {
  const auto truth = make_truth(2);
  std::vector<ObjectState> tracks;
  for (const auto& s : truth) {
    const int k = static_cast<int>((s.time - kT0).seconds());
    ObjectState t = s;
    // Tracks A and B exchange their objects at step 50: two swaps.
    const bool first_half = k < 50;
    t.id = (s.id == "obj0") == first_half ? "A" : "B";
    tracks.push_back(t);
  }
  // A far-away track that never matches anything.
  for (int k = 0; k < kSteps; ++k) {
    ObjectState f = truth[0];
    f.time = kT0 + Duration::from_seconds(k);
    f.id = "ghost";
    f.position.lat_deg = 30;
    tracks.push_back(f);
  }
  const Evaluation e = evaluate(truth, tracks, {});
  EXPECT_EQ(e.summary.identity_swaps, 2);
  EXPECT_EQ(e.summary.track_breaks, 0);
  EXPECT_EQ(e.summary.false_tracks, 1);
  EXPECT_NEAR(e.summary.false_position_share, 100.0 / 300.0, 1e-12);
}

TEST(Evaluate, GapLongerThanMaxAgeIsABreakAndLateStartIsInitiationDelay) {
  const auto truth = make_truth(1);
  std::vector<ObjectState> tracks;
  for (const auto& s : truth) {
    const int k = static_cast<int>((s.time - kT0).seconds());
    if (k < 10) continue;             // initiated after 10 s
    if (k >= 40 && k < 60) continue;  // 20 s without updates > 12 s max age
    tracks.push_back(s);
  }
  const Evaluation e = evaluate(truth, tracks, {});
  EXPECT_EQ(e.summary.track_breaks, 1);
  EXPECT_EQ(e.summary.identity_swaps, 0);
  EXPECT_NEAR(e.summary.initiation_delay_s, 10, 1e-12);
  // Steps 40..51 are covered by extrapolation (age <= 12 s), 52..59 are not.
  EXPECT_NEAR(e.summary.truth_coverage, (100 - 10 - 8) / 100.0, 1e-12);
}

TEST(Evaluate, SparseTrackUpdatesAreExtrapolatedWithTheirVelocity) {
  const auto truth = make_truth(3);
  std::vector<ObjectState> tracks;
  for (const auto& s : truth)
    if (static_cast<long>((s.time - kT0).seconds()) % 4 == 0) tracks.push_back(s);
  const Evaluation e = evaluate(truth, tracks, {});
  EXPECT_LT(e.summary.gospa_localisation_m, 0.05);
  EXPECT_EQ(e.summary.track_breaks, 0);
  // Only steps 97..99 lie past the tracks' last update (96).
  EXPECT_NEAR(e.summary.truth_coverage, 97.0 / 100.0, 1e-12);
}

TEST(Evaluate, DuplicateTrackIsAnExtraTrack) {
  const auto truth = make_truth(2);
  std::vector<ObjectState> tracks = truth;
  for (const auto& s : truth)
    if (s.id == "obj0") {
      ObjectState d = moved(s, {0, 60, 0});
      d.id = "dup";
      tracks.push_back(d);
    }
  const Evaluation e = evaluate(truth, tracks, {});
  EXPECT_NEAR(e.summary.extra_track_share, 100.0 / 300.0, 1e-12);
  EXPECT_EQ(e.summary.false_tracks, 1);  // never assigned: counted false as well
  EXPECT_EQ(e.summary.false_position_share, 0);
}

// The independent scenarios' conventions (../shared/data/scenarios/README.md).
// A track whose lines stop 20 s before the end: present, extrapolated along
// its velocity, for 15 s more (so assigned, at no error), then missed.
TEST(IndependentConventions, ATrackStaysPresentFifteenSecondsAfterItsLastLine) {
  const auto truth = make_truth(1);
  std::vector<ObjectState> tracks;
  for (const auto& s : truth)
    if (s.time < kT0 + Duration::from_seconds(kSteps - 20)) tracks.push_back(s);
  const Evaluation strict = evaluate(truth, tracks, {});
  const Evaluation shared = evaluate(truth, tracks, independent_conventions());
  EXPECT_EQ(strict.summary.assigned_pairs, kSteps - 20);
  EXPECT_EQ(shared.summary.assigned_pairs, kSteps - 20 + 15);
  EXPECT_NEAR(shared.summary.truth_coverage, (kSteps - 5.0) / kSteps, 1e-12);
  // Straight flight: extrapolation along the velocity stays on the truth
  // (within the curvature of a 200 m/s line over the ellipsoid in 15 s).
  EXPECT_LT(shared.summary.rms_horizontal_m, 1.0);
}

// False tracks: ids never within the cut-off (1 km) of any object. A track
// 800 m off is not false; one 5 km off is. A switch of track ids on an
// object is an id change.
TEST(IndependentConventions, FalseTracksAndIdChanges) {
  const auto truth = make_truth(2);
  std::vector<ObjectState> tracks;
  for (const auto& s : truth) {
    ObjectState t = s;
    if (s.id == "obj0") t.id = s.time < kT0 + Duration::from_seconds(50) ? "a" : "b";
    tracks.push_back(t);
    if (s.id == "obj1") {
      ObjectState near = moved(s, {0, 800, 0});
      near.id = "near";
      tracks.push_back(near);
      ObjectState far = moved(s, {0, 5000, 0});
      far.id = "far";
      tracks.push_back(far);
    }
  }
  const Evaluation e = evaluate(truth, tracks, independent_conventions());
  EXPECT_EQ(e.summary.false_tracks, 1);  // "far"
  EXPECT_NEAR(e.summary.false_track_share, 1.0 / 5, 1e-12);
  EXPECT_EQ(e.summary.id_changes, 1);  // a -> b on obj0
}

// A track that goes on after its object's truth ends is excused for 15 s
// (left out of the step, not false), then counts in GOSPA's false part.
TEST(IndependentConventions, ExcusedFifteenSecondsAfterItsObjectsTruthEnds) {
  auto truth = make_truth(2);
  const std::vector<ObjectState> tracks = truth;
  std::erase_if(truth, [](const ObjectState& s) {
    return s.id == "obj0" && s.time >= kT0 + Duration::from_seconds(60);
  });
  const Evaluation e = evaluate(truth, tracks, independent_conventions());
  ASSERT_EQ(e.steps.size(), static_cast<std::size_t>(kSteps));
  for (int k = 60; k < kSteps; ++k) {
    const StepResult& st = e.steps[static_cast<std::size_t>(k)];
    const bool excused = k - 59 <= 15;
    EXPECT_EQ(st.n_tracks, excused ? 1 : 2) << k;
    EXPECT_EQ(st.false_m2, excused ? 0.0 : 1000.0 * 1000.0 / 2) << k;
  }
  EXPECT_EQ(e.summary.false_tracks, 0);  // it was within c while its object flew
}

}  // namespace
}  // namespace skyfuse::eval
