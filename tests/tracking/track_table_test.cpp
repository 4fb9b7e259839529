// The track table alone: slots, summaries, grid, identity binding, numbers.
#include "tracking/track_table.hpp"

#include <gtest/gtest.h>

#include <set>

#include "fakes.hpp"

namespace skyfuse::tracking {
namespace {

using testing::at;
using testing::FakeTrack;
using testing::World;

std::set<std::uint32_t> near(const TrackTable& table, const Eigen::Vector2d& xy, double r) {
  std::set<std::uint32_t> out;
  table.query(xy, r, [&](std::uint32_t slot) { out.insert(slot); });
  return out;
}

TEST(TrackTable, SlotsAreReusedAndSummariesFollowTheRecord) {
  World w;
  const std::uint32_t a = w.add({.xy = {0, 0}});
  const std::uint32_t b = w.add({.xy = {50000, 0}});
  EXPECT_NE(a, b);
  EXPECT_EQ(w.table.slots(), 2u);
  const TrackSummary& g = w.table.summary(b);
  EXPECT_TRUE(g.alive);
  EXPECT_EQ(g.x, 50000);
  EXPECT_EQ(g.vx, 200);
  EXPECT_NEAR(g.sigma_pos_m, std::sqrt(2.0) * 50, 1e-9);
  EXPECT_EQ(g.status, TrackStatus::kConfirmed);

  w.table.erase(a, at(5));
  EXPECT_FALSE(w.table.summary(a).alive);
  EXPECT_FALSE(w.table[a].alive);
  const std::uint32_t c = w.table.create();
  EXPECT_EQ(c, a);  // the freed slot
  EXPECT_TRUE(w.table[c].alive);
  EXPECT_EQ(w.table[c].hits, 0);  // a fresh record
}

TEST(TrackTable, TheGridFollowsMovedTracksAndForgetsErasedOnes) {
  World w;
  const std::uint32_t a = w.add({.xy = {0, 0}});
  EXPECT_EQ(near(w.table, {100, 100}, 1000), std::set<std::uint32_t>{a});
  w.table[a].imm.shift_position({90000, 0});
  w.table.moved(a);
  EXPECT_TRUE(near(w.table, {100, 100}, 1000).empty());
  EXPECT_EQ(near(w.table, {90000, 0}, 1000), std::set<std::uint32_t>{a});
  EXPECT_EQ(w.table.summary(a).x, 90000);
  w.table.erase(a, at(1));
  EXPECT_TRUE(near(w.table, {90000, 0}, 1000).empty());
}

TEST(TrackTable, AnAddressBindsToItsFirstTrackOnlyUntilThatOneIsErased) {
  World w;
  const std::uint32_t a = w.add({.xy = {0, 0}, .icao24 = 0x4b1234});
  const std::uint32_t b = w.add({.xy = {30000, 0}, .icao24 = 0x4b1234});  // a second one
  EXPECT_TRUE(w.table[a].in_icao_map);
  EXPECT_FALSE(w.table[b].in_icao_map);
  EXPECT_TRUE(w.table.summary(a).canonical);
  EXPECT_FALSE(w.table.summary(b).canonical);
  Identity id;
  id.icao24 = 0x4b1234;
  EXPECT_EQ(w.table.find(id), a);
  EXPECT_FALSE(w.table.bind_address(b));
  w.table.erase(a, at(1));
  EXPECT_FALSE(w.table.find(id).has_value());
  EXPECT_TRUE(w.table.bind_address(b));
  EXPECT_EQ(w.table.find(id), b);
}

TEST(TrackTable, SerialsBindLikeAddressesAndAreFoundAfterThem) {
  World w;
  const std::uint32_t a = w.table.create();
  w.table[a].identity.remote_id = "1596F3B0";
  EXPECT_TRUE(w.table.bind_serial(a));
  w.table.moved(a);
  const std::uint32_t b = w.add({.xy = {0, 0}, .icao24 = 0x3c0001});
  Identity both;
  both.icao24 = 0x3c0001;
  both.remote_id = "1596F3B0";
  EXPECT_EQ(w.table.find(both), b);  // the address first
  both.icao24 = 0x3c0002;            // an address without a track: the serial's
  EXPECT_EQ(w.table.find(both), a);
  w.table.erase(a, at(1));
  both.icao24.reset();
  EXPECT_FALSE(w.table.find(both).has_value());
}

TEST(TrackTable, AnAddressKeepsItsNumberWithinTheMemory) {
  World w;  // number_memory_s 600
  const std::uint32_t a = w.add({.xy = {0, 0}, .icao24 = 0x4b0001});
  const std::uint32_t number = w.table[a].number;
  w.add({.xy = {1000, 0}});  // takes the next number
  w.table.erase(a, at(100));
  Identity id;
  id.icao24 = 0x4b0001;
  EXPECT_EQ(w.table.number_for(id, at(650)), number);
  // Given back once: a second track of the address gets a new number.
  EXPECT_NE(w.table.number_for(id, at(651)), number);
  // Too late: a new number.
  const std::uint32_t c = w.add({.xy = {0, 0}, .icao24 = 0x4b0002});
  const std::uint32_t old = w.table[c].number;
  w.table.erase(c, at(0));
  id.icao24 = 0x4b0002;
  EXPECT_NE(w.table.number_for(id, at(601)), old);
}

TEST(TrackTable, ASinglePlotTrackLeavesNoNumberBehind) {
  World w;
  const std::uint32_t a =
      w.add({.xy = {0, 0}, .status = TrackStatus::kTentative, .icao24 = 0x4b0003, .hits = 1});
  const std::uint32_t number = w.table[a].number;
  w.table.erase(a, at(1));
  Identity id;
  id.icao24 = 0x4b0003;
  EXPECT_NE(w.table.number_for(id, at(2)), number);
}

TEST(TrackTable, OwnOffsetIsKnownOnlyWithBothHeightsSeenLately) {
  World w;
  const std::uint32_t a = w.add({.xy = {0, 0}, .height_known = 9000});
  TrackRecord& t = w.table[a];
  t.seen_baro = true;
  t.last_reference = at(-30);
  w.table.summarise(a);
  EXPECT_TRUE(w.table.summary(a).offset_known);
  t.last_reference = at(-61);  // own_offset_memory_s 60 before its last update
  w.table.summarise(a);
  EXPECT_FALSE(w.table.summary(a).offset_known);
}

}  // namespace
}  // namespace skyfuse::tracking
