// The bus's wire form (bus/bus_message.hpp): subject tokens for any sensor or
// region name, and the input message's headers, including hostile ones.
#include "bus/bus_message.hpp"

#include <gtest/gtest.h>

#include <map>

namespace skyfuse::bus {
namespace {

struct MapHeaders final : HeaderLookup {
  std::map<std::string, std::string> h;
  std::optional<std::string> get(const char* key) const override {
    auto it = h.find(key);
    if (it == h.end()) return std::nullopt;
    return it->second;
  }
};

TEST(BusSubject, NamesBecomeOneTokenAndComeBack) {
  // NATS subjects split on '.', match on '*' and '>', end at white space.
  EXPECT_EQ(input_subject("ulss7"), "skyfuse.in.ulss7");
  EXPECT_EQ(input_subject("LFPG radar.2"), "skyfuse.in.LFPG%20radar%2E2");
  EXPECT_EQ(tracks_subject("north-east"), "skyfuse.tracks.north-east");
  EXPECT_EQ(tracks_subject(">"), "skyfuse.tracks.%3E");
  EXPECT_EQ(subject_token(""), "%");
  for (std::string name : {"a", "", "x y\tz", "*", ">", "a.b.c", "%41", "Zürich", "_-09"}) {
    const std::string t = subject_token(name);
    EXPECT_EQ(t.find_first_of(" \t\r\n.*>"), std::string::npos) << name;
    ASSERT_TRUE(name_of_token(t).has_value()) << name;
    EXPECT_EQ(*name_of_token(t), name);
    EXPECT_EQ(*sensor_of_subject(input_subject(name)), name);
  }
}

TEST(BusSubject, TokensSkyfuseDoesNotWriteAreRefused) {
  EXPECT_FALSE(name_of_token("").has_value());
  EXPECT_FALSE(name_of_token("a%4").has_value());   // truncated escape
  EXPECT_FALSE(name_of_token("a%zz").has_value());  // not hex
  EXPECT_FALSE(name_of_token("a%41").has_value());  // 'A' escaped: two tokens for one name
  EXPECT_FALSE(name_of_token("a%2e").has_value());  // lower-case hex
  EXPECT_FALSE(name_of_token("a b").has_value());
  EXPECT_FALSE(sensor_of_subject("skyfuse.in.a.b").has_value());
  EXPECT_FALSE(sensor_of_subject("skyfuse.tracks.a").has_value());
  EXPECT_FALSE(sensor_of_subject("skyfuse.in.").has_value());
}

TEST(BusSubject, TrackMessageIdsComeBack) {
  EXPECT_EQ(track_message_id("north", 42), "north:42");
  for (std::string region : {"north", "", "a:b", "Zürich east"}) {
    const auto back = parse_track_message_id(track_message_id(region, 7));
    ASSERT_TRUE(back.has_value()) << region;
    EXPECT_EQ(back->first, region);
    EXPECT_EQ(back->second, 7u);
  }
  for (const char* bad : {"north", "north:", "north:0", "north:1x", "no rth:3", ":5"})
    EXPECT_FALSE(parse_track_message_id(bad).has_value()) << bad;
}

TEST(BusHeaders, RoundTrip) {
  InputMessage m;
  m.input = 3;
  m.arrival_ns = 1700000000123456789;
  m.offset = 4096;
  m.shift_ns = -86400000000000;
  m.end = true;
  MapHeaders h;
  for (const auto& [k, v] : input_headers(m)) h.h[k] = v;
  EXPECT_EQ(h.h.at("Skyfuse-Arrival-Ns"), "1700000000123456789");
  InputMessage back;
  std::string why;
  ASSERT_TRUE(parse_input_headers(h, back, why)) << why;
  EXPECT_EQ(back.input, 3);
  EXPECT_EQ(back.arrival_ns, m.arrival_ns);
  EXPECT_EQ(back.offset, 4096);
  EXPECT_EQ(back.shift_ns, m.shift_ns);
  EXPECT_TRUE(back.end);
  // Without a shift and not the end: no such headers, read back as 0 / false.
  m.shift_ns = 0;
  m.end = false;
  MapHeaders h2;
  for (const auto& [k, v] : input_headers(m)) h2.h[k] = v;
  EXPECT_EQ(h2.h.count("Skyfuse-Shift-Ns"), 0u);
  back.end = true;
  ASSERT_TRUE(parse_input_headers(h2, back, why));
  EXPECT_EQ(back.shift_ns, 0);
  EXPECT_FALSE(back.end);
}

TEST(BusHeaders, MalformedHeadersAreNamed) {
  auto base = [] {
    MapHeaders h;
    h.h = {{"Skyfuse-Arrival-Ns", "5"}, {"Skyfuse-Offset", "0"}, {"Skyfuse-Input", "0"}};
    return h;
  };
  InputMessage m;
  std::string why;
  ASSERT_TRUE(parse_input_headers(base(), m, why));
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"Skyfuse-Arrival-Ns", ""},    {"Skyfuse-Arrival-Ns", "-1"},
      {"Skyfuse-Arrival-Ns", "1e9"}, {"Skyfuse-Arrival-Ns", "99999999999999999999"},
      {"Skyfuse-Offset", "12 "},     {"Skyfuse-Offset", "-4"},
      {"Skyfuse-Input", "65536"},    {"Skyfuse-Input", "x"},
      {"Skyfuse-Shift-Ns", "0x10"},  {"Skyfuse-End", "yes"}};
  for (const auto& [k, v] : bad) {
    MapHeaders h = base();
    h.h[k] = v;
    why.clear();
    EXPECT_FALSE(parse_input_headers(h, m, why)) << k << "=" << v;
    EXPECT_NE(why.find(k), std::string::npos) << why;
  }
  MapHeaders missing = base();
  missing.h.erase("Skyfuse-Offset");
  EXPECT_FALSE(parse_input_headers(missing, m, why));
}

InputMessage counted(const std::string& ingest, std::uint64_t seq) {
  InputMessage m;
  m.ingest = ingest;
  m.sequence = seq;
  return m;
}

TEST(Resequencer, PutsEachIngestBackInPublishOrder) {
  Resequencer r(100);
  std::vector<std::string> out;
  auto emit = [&](InputMessage&& m) { out.push_back(m.ingest + std::to_string(m.sequence)); };
  // a4 before a3 (a resend that landed later); b's first message seen sets
  // where b starts; an uncounted message passes straight through.
  r.push(counted("a", 1), emit);
  r.push(counted("a", 2), emit);
  r.push(counted("a", 4), emit);
  EXPECT_EQ(r.held(), 1u);
  r.push(InputMessage{}, emit);  // no ingest: straight through
  r.push(counted("b", 7), emit);
  r.push(counted("a", 3), emit);
  r.push(counted("a", 5), emit);
  r.flush(emit);
  EXPECT_EQ(out, (std::vector<std::string>{"a1", "a2", "0", "b7", "a3", "a4", "a5"}));
  EXPECT_EQ(r.reordered(), 1u);  // a4 waited for a3
  EXPECT_EQ(r.gaps(), 0u);
  EXPECT_EQ(r.held(), 0u);
}

TEST(Resequencer, GivesUpAGapAfterTheWindowAndDeliversTheLateOne) {
  Resequencer r(2);
  std::vector<std::uint64_t> out;
  auto emit = [&](InputMessage&& m) { out.push_back(m.sequence); };
  r.push(counted("a", 1), emit);
  r.push(counted("a", 3), emit);  // 2 missing: held (read 2)
  r.push(counted("a", 4), emit);  // read 3: 3 has waited 1 read
  EXPECT_EQ(out, (std::vector<std::uint64_t>{1}));
  r.push(counted("a", 5), emit);  // read 4: 3 has waited 2 reads: gap given up
  EXPECT_EQ(out, (std::vector<std::uint64_t>{1, 3, 4, 5}));
  EXPECT_EQ(r.gaps(), 1u);
  r.push(counted("a", 2), emit);  // the lost one after all: delivered, late
  EXPECT_EQ(out.back(), 2u);
  EXPECT_EQ(r.late(), 1u);
  r.push(counted("a", 7), emit);
  r.push(counted("a", 7), emit);  // held twice: dropped
  EXPECT_EQ(r.duplicates(), 1u);
  r.flush(emit);  // the end: 7 out, the gap of 6 counted
  EXPECT_EQ(out.back(), 7u);
  EXPECT_EQ(r.gaps(), 2u);
  EXPECT_EQ(r.held(), 0u);
}

// A reader from the stream's first message (hold_start): an ingest whose
// first message was resent and landed after its second and third (seen under
// load in the cluster test: the Beast input's first piece was delivered
// last, its decoder lost frames and the picture differed) starts at its
// first; an ingest seen from sequence 1 is not held.
TEST(Resequencer, HeldStartWaitsForAnIngestsFirstMessage) {
  for (const bool hold : {false, true}) {
    Resequencer r(100);
    if (hold) r.hold_start(3);
    std::vector<std::string> out;
    auto emit = [&](InputMessage&& m) { out.push_back(m.ingest + std::to_string(m.sequence)); };
    r.push(counted("a", 1), emit);
    EXPECT_EQ(out.size(), 1u);  // from its first: not held
    r.push(counted("b", 2), emit);
    r.push(counted("b", 3), emit);
    r.push(counted("b", 1), emit);
    r.push(counted("b", 4), emit);
    r.flush(emit);
    if (hold) {
      EXPECT_EQ(out, (std::vector<std::string>{"a1", "b1", "b2", "b3", "b4"}));
      EXPECT_EQ(r.late(), 0u);
    } else {  // the first seen is where b starts: b1 comes late
      EXPECT_EQ(out, (std::vector<std::string>{"a1", "b2", "b3", "b1", "b4"}));
      EXPECT_EQ(r.late(), 1u);
    }
    EXPECT_EQ(r.gaps(), 0u);
    EXPECT_EQ(r.held(), 0u);
  }
  // A stream that lost an ingest's oldest: after the hold, it starts at the
  // earliest seen; the end flushes a start still held.
  Resequencer r(100);
  r.hold_start(2);
  std::vector<std::uint64_t> out;
  auto emit = [&](InputMessage&& m) { out.push_back(m.sequence); };
  r.push(counted("c", 9), emit);
  EXPECT_TRUE(out.empty());
  r.push(counted("c", 8), emit);
  EXPECT_EQ(out, (std::vector<std::uint64_t>{8, 9}));
  r.push(counted("c", 10), emit);
  EXPECT_EQ(out.back(), 10u);
  r.push(counted("d", 5), emit);
  r.flush(emit);
  EXPECT_EQ(out.back(), 5u);
  EXPECT_EQ(r.gaps(), 0u);

  // Sequence 1 ends the hold at once; an ingest that publishes little is
  // held no longer than the window.
  Resequencer q(4);
  q.hold_start(1000);
  out.clear();
  q.push(counted("e", 2), emit);
  q.push(counted("e", 1), emit);
  EXPECT_EQ(out, (std::vector<std::uint64_t>{1, 2}));
  q.push(counted("f", 7), emit);
  for (std::uint64_t k = 3; k <= 5; ++k) q.push(counted("e", k), emit);
  EXPECT_EQ(out.back(), 5u);  // f7 has waited 3 reads
  q.push(counted("e", 6), emit);
  EXPECT_EQ(out.back(), 7u);  // 4 reads: f starts at 7
  EXPECT_EQ(q.held(), 0u);
  EXPECT_EQ(q.gaps(), 0u);
}

TEST(Resequencer, HoldsNoMoreThanItsBytes) {
  // A publisher that leaves a gap and floods: the window is never reached,
  // the bytes bound gives the gap up.
  Resequencer r(1000000, 1000);
  std::uint64_t out = 0;
  auto emit = [&](InputMessage&&) { ++out; };
  r.push(counted("a", 1), emit);
  for (std::uint64_t s = 3; s < 100; ++s) {
    InputMessage m = counted("a", s);
    m.bytes.assign(100, 0);
    r.push(std::move(m), emit);
    EXPECT_LE(r.held_bytes(), 1100u);
  }
  EXPECT_EQ(r.gaps(), 1u);
  EXPECT_EQ(out, 98u);
  EXPECT_EQ(r.held(), 0u);
}

TEST(Resequencer, MadeUpIngestNamesDoNotGrowIt) {
  Resequencer r(10);
  std::uint64_t out = 0;
  auto emit = [&](InputMessage&&) { ++out; };
  for (std::uint64_t i = 0; i < 10000; ++i) r.push(counted("x" + std::to_string(i), 5), emit);
  EXPECT_EQ(out, 10000u);
  EXPECT_EQ(r.unordered(), 10000u - Resequencer::kMaxIngests);
}

}  // namespace
}  // namespace skyfuse::bus
