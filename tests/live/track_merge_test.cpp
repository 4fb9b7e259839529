// The merged picture of several regions (live/track_merge.hpp) on hand-made
// track lines: numbers kept across a boundary (by address, by position
// without one), a stale deletion dropped, one order whatever the arrival
// interleaving, the lag bound for a quiet region.
#include "live/track_merge.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace skyfuse::live {
namespace {

std::string line(double t, const std::string& id, double lat, double lon,
                 const char* icao = nullptr, const char* status = "confirmed", double ve = 200,
                 double vn = 0) {
  std::string s = fmt::format(
      R"({{"time":{:.6f},"id":"{}","lat_deg":{:.8f},"lon_deg":{:.8f},"alt_m":10000.00,)"
      R"("ve_mps":{:.3f},"vn_mps":{:.3f},"vu_mps":0.000,"status":"{}","class":"unknown")",
      t, id, lat, lon, ve, vn, status);
  if (icao) s += fmt::format(R"(,"icao24":"{}")", icao);
  return s + "}";
}

struct Collect {
  std::vector<std::string> lines;
  TrackMerger::Out out() {
    return [this](const std::string& l) { lines.push_back(l); };
  }
};

bool has(const std::vector<std::string>& v, std::size_t i, const std::string& part) {
  return i < v.size() && v[i].find(part) != std::string::npos;
}

// An aircraft flies east from region 0 into region 1: region 0 numbers it 7,
// region 1 numbers it 3; the merged picture keeps the first system track's
// name ("west-7") and names the region that published each update.
TEST(TrackMerge, AnAddressKeepsItsNumberAcrossTheBoundary) {
  TrackMerger m({"west", "east"}, 30, 5000);
  Collect c;
  m.push(0, line(100, "7", 47, 7.50, "4b1801"), c.out());
  m.push(0, line(104, "7", 47, 7.51, "4b1801"), c.out());
  m.push(1, line(108, "3", 47, 7.62, "4b1801"), c.out());
  m.push(1, line(112, "3", 47, 7.63, "4b1801"), c.out());
  m.end(0, c.out());
  m.flush(c.out());
  ASSERT_EQ(c.lines.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i)
    EXPECT_TRUE(has(c.lines, i, R"("id":"west-7",)")) << c.lines[i];
  EXPECT_TRUE(has(c.lines, 0, R"("region":"west")"));
  EXPECT_TRUE(has(c.lines, 2, R"("region":"east")"));
  EXPECT_TRUE(has(c.lines, 2, R"("icao24":"4b1801")"));  // the rest of the line as published
  EXPECT_EQ(m.counts().handovers, 1u);
  EXPECT_EQ(m.counts().system_tracks, 1u);
}

// Without an address: the new track continues the other region's track
// whose dead-reckoned position is within the gate (200 m/s east for 8 s is
// 1.6 km, 0.0211 deg of longitude at 47 deg N), not the one 20 km away, and
// a track whose velocity differs by more than 60 m/s is not taken for it.
TEST(TrackMerge, WithoutAnAddressTheNearestWithinTheGate) {
  TrackMerger m({"west", "east"}, 30, 5000);
  Collect c;
  m.push(0, line(100, "1", 47.0, 7.58), c.out());   // system 1
  m.push(0, line(100, "2", 47.18, 7.58), c.out());  // system 2, 20 km north
  m.push(1, line(108, "9", 47.0, 7.601), c.out());  // continues 1
  m.push(1, line(108, "8", 47.18, 7.601, nullptr, "confirmed", 200, 150), c.out());  // new
  m.end(0, c.out());
  m.end(1, c.out());
  ASSERT_EQ(c.lines.size(), 4u);
  EXPECT_TRUE(has(c.lines, 2, R"("id":"west-1","region":"east")")) << c.lines[2];
  EXPECT_TRUE(has(c.lines, 3, R"("id":"east-8","region":"east")")) << c.lines[3];
  EXPECT_EQ(m.counts().handovers, 1u);
}

// Too long after (handover_s) or too far (gate): a new system track.
TEST(TrackMerge, TooLateOrTooFarIsANewTrack) {
  TrackMerger m({"west", "east"}, 30, 5000);
  Collect c;
  m.push(0, line(100, "1", 47.0, 7.58), c.out());
  m.push(1, line(140, "5", 47.0, 7.70), c.out());  // 40 s later
  m.push(1, line(141, "6", 47.3, 7.70), c.out());  // far from everything
  m.flush(c.out());
  EXPECT_EQ(m.counts().system_tracks, 3u);
  EXPECT_EQ(m.counts().handovers, 0u);
}

// The region that handed the track on ends its own copy later: dropped (the
// other region goes on with it); the holder's deletion ends it.
TEST(TrackMerge, OnlyTheHolderEndsATrack) {
  TrackMerger m({"west", "east"}, 30, 5000);
  Collect c;
  m.push(0, line(100, "7", 47, 7.59, "4b1801"), c.out());
  m.push(1, line(104, "3", 47, 7.61, "4b1801"), c.out());
  m.push(0, line(130, "7", 47, 7.59, "4b1801", "deleted"), c.out());
  m.push(1, line(140, "3", 47, 7.9, "4b1801", "deleted"), c.out());
  m.flush(c.out());
  ASSERT_EQ(c.lines.size(), 3u);
  EXPECT_TRUE(has(c.lines, 2, R"("id":"west-7","region":"east")"));
  EXPECT_TRUE(has(c.lines, 2, R"("status":"deleted")"));
  EXPECT_EQ(m.counts().stale_deletions, 1u);
}

// The same lines of three regions pushed in different interleavings (each
// region's own order kept) give the same merged bytes.
TEST(TrackMerge, TheOrderDoesNotDependOnTheInterleaving) {
  std::vector<std::vector<std::string>> regions(3);
  for (int k = 0; k < 40; ++k) {
    const double t = 100 + k;
    regions[0].push_back(line(t, "1", 47, 7.40 + 0.005 * k, "aaaaa1"));
    regions[1].push_back(line(t + 0.5, "4", 47, 7.55 + 0.005 * k, "aaaaa1"));
    regions[2].push_back(line(t + 0.25, "2", 46.5, 9.0, "bbbbb2"));
  }
  auto merged = [&](const std::vector<std::size_t>& schedule) {
    TrackMerger m({"a", "b", "c"}, 30, 5000);
    Collect c;
    std::vector<std::size_t> next(3, 0);
    for (std::size_t r : schedule) m.push(r, regions[r][next[r]++], c.out());
    for (std::size_t r = 0; r < 3; ++r) m.end(r, c.out());
    m.flush(c.out());
    EXPECT_EQ(m.counts().forced, 0u);
    return c.lines;
  };
  std::vector<std::size_t> round_robin, blocks;
  for (int k = 0; k < 40; ++k)
    for (std::size_t r = 0; r < 3; ++r) round_robin.push_back(r);
  for (std::size_t r : {2u, 0u, 1u})
    for (int k = 0; k < 40; ++k) blocks.push_back(r);
  const auto a = merged(round_robin), b = merged(blocks);
  ASSERT_EQ(a.size(), 120u);
  EXPECT_EQ(a, b);
  // In data-time order.
  EXPECT_TRUE(has(a, 0, R"("time":100.000000)"));
  EXPECT_TRUE(has(a, 1, R"("time":100.250000)"));
  EXPECT_TRUE(has(a, 2, R"("time":100.500000)"));
}

// The failover case live: west names the aircraft anew ("west-5", 40 s
// after centre's last update) and centre's late updates of its old track
// ("centre-2") come after; no region ends centre-2 (west ends its own), so
// the merge ends it whenever no region has updated it for handover_s: in
// the end no picture keeps it.
TEST(TrackMerge, ATrackNoRegionUpdatesIsEnded) {
  TrackMerger m({"centre", "west"}, 30, 5000, 1e9);
  Collect c;
  m.push(0, line(100, "2", 47, 7.7, "342398"), c.out());
  m.push(1, line(140, "5", 47, 7.5, "342398"), c.out());
  m.release_through(140'000'000, c.out());
  ASSERT_EQ(c.lines.size(), 3u);
  EXPECT_TRUE(has(c.lines, 1, R"("id":"west-5")"));
  EXPECT_TRUE(has(c.lines, 2, R"("time":140.000000,"id":"centre-2","region":"centre")"))
      << c.lines[2];
  EXPECT_TRUE(has(c.lines, 2, R"("status":"deleted")"));
  m.push(0, line(120, "2", 47, 7.65, "342398"), c.out());  // centre, late
  m.push(1, line(150, "5", 47, 7.4, "342398", "deleted"), c.out());
  m.push(1, line(171, "6", 46, 6.0, "aaaaaa"), c.out());
  m.flush(c.out());
  std::map<std::string, bool> alive;
  for (const std::string& l : c.lines) {
    const auto at = l.find(R"("id":")") + 6;
    alive[l.substr(at, l.find('"', at) - at)] =
        l.find(R"("status":"deleted")") == std::string::npos;
  }
  EXPECT_EQ(alive, (std::map<std::string, bool>{
                       {"centre-2", false}, {"west-5", false}, {"west-6", true}}));
  EXPECT_EQ(m.counts().expired, 2u);
}

// Live, a region far behind: its update 40 s late brings back the track the
// merge had ended meanwhile, and the caller's idle() (nothing new) ends it
// again: no ghost stays when the data stops; one 700 s late is dropped.
TEST(TrackMerge, LiveAnUpdateFarBehindLeavesNoGhost) {
  TrackMerger m({"a", "b"}, 30, 5000, 1e9);
  Collect c;
  m.push(0, line(100, "1", 47, 7.4), c.out());
  m.push(1, line(150, "2", 47, 9.4), c.out());
  m.release_through(150'000'000, c.out());  // a-1 ended at 150 (50 s silent)
  m.push(0, line(110, "1", 47, 7.41), c.out());
  m.flush(c.out());
  m.idle(c.out());
  std::map<std::string, bool> alive;
  for (const std::string& l : c.lines) {
    const auto at = l.find(R"("id":")") + 6;
    alive[l.substr(at, l.find('"', at) - at)] =
        l.find(R"("status":"deleted")") == std::string::npos;
  }
  EXPECT_EQ(alive, (std::map<std::string, bool>{{"a-1", false}, {"b-2", true}}));
  EXPECT_EQ(m.counts().expired, 2u);
  m.push(1, line(900, "2", 47, 9.5), c.out());
  m.release_through(900'000'000, c.out());
  m.push(0, line(120, "1", 47, 7.42), c.out());
  m.flush(c.out());
  EXPECT_EQ(m.counts().late, 1u);
}

// A region that says nothing holds a line at most lag_s of data time.
TEST(TrackMerge, AQuietRegionHoldsThePictureAtMostTheLag) {
  TrackMerger m({"a", "quiet"}, 30, 5000, 3);
  Collect c;
  m.push(0, line(100, "1", 47, 7.4), c.out());
  m.push(0, line(102, "1", 47, 7.41), c.out());
  EXPECT_EQ(c.lines.size(), 0u);
  m.push(0, line(103.5, "1", 47, 7.42), c.out());
  EXPECT_EQ(c.lines.size(), 1u);  // 100 is 3.5 s behind
  EXPECT_EQ(m.counts().forced, 1u);
}

// One line far in the future must not move the merge's time: refused when
// past the caller's limit or an hour past every region's latest.
TEST(TrackMerge, ALineFarAheadIsRefused) {
  TrackMerger m({"a", "b"}, 30, 5000);
  m.set_time_limit(10'000);
  Collect c;
  m.push(0, line(100, "1", 47, 7.4), c.out());
  m.push(1, line(9e9, "2", 47, 7.4), c.out());   // past the limit
  m.push(1, line(5000, "3", 47, 7.4), c.out());  // 4,900 s past every region's latest
  m.push(1, line(101, "4", 47, 9.4), c.out());
  m.flush(c.out());
  EXPECT_EQ(m.counts().implausible, 2u);
  ASSERT_EQ(c.lines.size(), 2u);
  EXPECT_TRUE(has(c.lines, 1, R"("time":101.000000,"id":"b-4")"));
}

TEST(TrackMerge, UnreadableLinesAreCountedNotMerged) {
  TrackMerger m({"a"}, 30, 5000);
  Collect c;
  m.push(0, "not json", c.out());
  m.push(0, R"({"time":1e300,"id":"1","lat_deg":0,"lon_deg":0})", c.out());
  m.push(5, line(100, "1", 47, 7.4), c.out());  // no such region
  // Its first "id" is not its own (nested before it): refused, and nothing
  // of it kept (a later line of that id is a track of its own).
  m.push(0, R"({"x":{"id":"1"},"time":100.0,"id":"1","lat_deg":47,"lon_deg":7,"alt_m":0})",
         c.out());
  m.flush(c.out());
  EXPECT_EQ(c.lines.size(), 0u);
  EXPECT_EQ(m.counts().bad, 4u);
  EXPECT_EQ(m.counts().system_tracks, 0u);
}

}  // namespace
}  // namespace skyfuse::live
