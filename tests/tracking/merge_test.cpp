// Duplicate merging alone, on tracks placed by hand in a track table.
#include "tracking/merge.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "fakes.hpp"

namespace skyfuse::tracking {
namespace {

using testing::at;
using testing::FakeTrack;
using testing::World;

struct Merges {
  World w;
  DuplicateMerger merger{w.cfg, w.gate, w.sensors, w.frame};
  // Runs `checks` maintenance checks one second apart (the tracks are not
  // moved: their summaries extrapolate them); the slots merged, erased at once.
  std::vector<std::uint32_t> run(int checks) {
    std::vector<std::uint32_t> merged;
    for (int k = 0; k < checks; ++k)
      merger.check(w.table, at(k), [&](std::uint32_t slot) {
        merged.push_back(slot);
        w.table.erase(slot, at(k));
      });
    return merged;
  }
};

TEST(DuplicateMerger, TheYoungerOfTwoShadowingTracksGoesAfterThreeChecks) {
  Merges m;
  const std::uint32_t old = m.w.add({.xy = {0, 0}, .height_known = 9000, .first_update_s = -60});
  const std::uint32_t young =
      m.w.add({.xy = {80, 40}, .height_known = 9100, .first_update_s = -10});
  EXPECT_TRUE(m.merger.shadows(m.w.table, young, at(0)));
  EXPECT_FALSE(m.merger.shadows(m.w.table, old, at(0)));  // the older is kept
  EXPECT_TRUE(m.run(2).empty());
  EXPECT_EQ(m.w.table[young].merge_count, 2);
  EXPECT_EQ(m.run(1), std::vector<std::uint32_t>{young});
  EXPECT_TRUE(m.w.table[old].alive);
}

TEST(DuplicateMerger, TheCanonicalTrackOfAnAddressIsKeptWhateverItsAge) {
  Merges m;
  const std::uint32_t anon = m.w.add({.xy = {0, 0}, .height_known = 9000, .first_update_s = -60});
  const std::uint32_t canon =
      m.w.add({.xy = {50, 0}, .height_known = 9000, .icao24 = 0x4b0001, .first_update_s = -5});
  EXPECT_TRUE(m.merger.shadows(m.w.table, anon, at(0)));
  EXPECT_EQ(m.run(3), std::vector<std::uint32_t>{anon});
  EXPECT_TRUE(m.w.table[canon].alive);
}

TEST(DuplicateMerger, DifferentHeightsVelocitiesOrAddressesAreNotDuplicates) {
  struct Case {
    const char* what;
    FakeTrack b;
  };
  const FakeTrack a{.xy = {0, 0}, .height_known = 9000, .icao24 = 0x4b0001, .first_update_s = -60};
  const std::vector<Case> cases = {
      {"1,000 ft apart", {.xy = {0, 0}, .height_known = 9000 + 305, .first_update_s = -10}},
      {"crossing",
       {.xy = {0, 0}, .velocity = {200, 40}, .height_known = 9000, .first_update_s = -10}},
      {"another address",
       {.xy = {0, 0}, .height_known = 9000, .icao24 = 0x4b0002, .first_update_s = -10}},
      {"2 km apart", {.xy = {2000, 0}, .height_known = 9000, .first_update_s = -10}},
  };
  for (const Case& c : cases) {
    Merges m;
    m.w.add(a);
    const std::uint32_t b = m.w.add(c.b);
    EXPECT_FALSE(m.merger.shadows(m.w.table, b, at(0))) << c.what;
    EXPECT_TRUE(m.run(5).empty()) << c.what;
  }
}

TEST(DuplicateMerger, ASharedDiscreteCodeMergesAnonymousTracksFartherApart) {
  Merges m;
  m.w.add({.xy = {0, 0}, .height_known = 9000, .mode3a = 01234, .first_update_s = -60});
  const std::uint32_t b =
      m.w.add({.xy = {700, 0}, .height_known = 9000, .mode3a = 01234, .first_update_s = -10});
  EXPECT_TRUE(m.merger.shadows(m.w.table, b, at(0)));  // within merge_code_distance_m
  m.w.table[b].identity.mode3a = 07000;                // a conspicuity code: no help
  EXPECT_FALSE(m.merger.shadows(m.w.table, b, at(0)));
}

TEST(DuplicateMerger, TentativeTracksAreNeitherMergedNorKept) {
  Merges m;
  m.w.add({.xy = {0, 0},
           .height_known = 9000,
           .status = TrackStatus::kTentative,
           .first_update_s = -60});
  const std::uint32_t b = m.w.add({.xy = {0, 0}, .height_known = 9000, .first_update_s = -10});
  EXPECT_FALSE(m.merger.shadows(m.w.table, b, at(0)));
  EXPECT_TRUE(m.run(4).empty());
}

}  // namespace
}  // namespace skyfuse::tracking
