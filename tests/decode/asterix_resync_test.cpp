// Resynchronisation of ASTERIX streams after damage (issue #16): a byte
// inserted, a byte lost or a run of garbage in a raw stream, a FINAL recording
// or a packet capture costs the records it touches, not the rest of the file.
// Truth is the decode of the intact file; a damaged decode must find every
// other record, identical, and report the damage.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>

#include "decode/asterix/decoder.hpp"
#include "decode/asterix/framing.hpp"

namespace skyfuse::decode::asterix {
namespace {

std::string src(const std::string& rel) { return std::string(SKYFUSE_SOURCE_DIR) + "/" + rel; }

std::vector<std::uint8_t> read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

Decoder make_decoder() {
  std::vector<Category> cats;
  for (const char* f :
       {"cat034/cat034-1.29.json", "cat048/cat048-1.31.json", "cat062/cat062-1.18.json",
        "cat063/cat063-1.7.json", "cat065/cat065-1.6.json", "cat001/cat001-1.2.json",
        "cat002/cat002-1.2.json", "cat021/cat021-2.6.json", "cat020/cat020-1.10.json",
        "cat019/cat019-1.3.json", "cat023/cat023-1.3.json"})
    cats.push_back(load_category(src(std::string("specs/asterix/") + f)));
  return Decoder(std::move(cats));
}

enum class Framing { kRaw, kFinal, kPcap };

struct Decoded {
  std::map<std::string, int> records;  // record content -> count
  long total = 0;
  long errors = 0;
};

Decoded decode(const std::vector<std::uint8_t>& data, Framing framing) {
  Decoder dec = make_decoder();
  Decoded d;
  auto sink = [&](const Record& r) {
    ++d.records[std::to_string(r.category) + r.items.dump()];
    ++d.total;
  };
  FramingStats fs;
  auto payload = [&](const Payload& p) { dec.decode_stream(p.bytes, p.offset, sink); };
  if (framing == Framing::kRaw) dec.decode_stream(data, 0, sink);
  if (framing == Framing::kFinal) read_final(data, payload, fs);
  if (framing == Framing::kPcap) read_pcap(data, payload, fs);
  d.errors = dec.stats().errors + fs.errors;
  return d;
}

// Records of `damaged` that are records of `intact` (each counted once).
long recovered(const Decoded& intact, const Decoded& damaged) {
  long n = 0;
  for (const auto& [k, c] : damaged.records) {
    auto it = intact.records.find(k);
    if (it != intact.records.end()) n += std::min(c, it->second);
  }
  return n;
}

enum class Damage { kInsert, kDelete, kGarbage };

std::vector<std::uint8_t> damage(std::vector<std::uint8_t> d, std::size_t at, Damage how) {
  if (how == Damage::kInsert) d.insert(d.begin() + static_cast<std::ptrdiff_t>(at), 0x30);
  if (how == Damage::kDelete) d.erase(d.begin() + static_cast<std::ptrdiff_t>(at));
  if (how == Damage::kGarbage)
    for (std::size_t k = 0; k < 16 && at + k < d.size(); ++k)
      d[at + k] = static_cast<std::uint8_t>(0x9e * (k + 1) + at);
  return d;
}

struct Case {
  const char* file;
  Framing framing;
  long min_records;            // in the intact file (checks the file is what we think)
  double max_lost_per_damage;  // records one damage may cost
};

class Resync : public ::testing::TestWithParam<Case> {};

// Ten damages of each kind spread over the file, one at a time: each costs at
// most a few records, is counted, and nothing else is lost or invented.
TEST_P(Resync, OneDamageCostsOnlyTheRecordsItTouches) {
  const Case& c = GetParam();
  auto data = read_all(src(std::string("tests/data/asterix/") + c.file));
  if (c.framing == Framing::kFinal) {  // the first 300 kB of whole frames (CI time)
    std::size_t end = 0;
    while (end < 300000) end += (std::size_t{data[end]} << 8) | data[end + 1];
    data.resize(end);
  }
  const Decoded intact = decode(data, c.framing);
  ASSERT_GE(intact.total, c.min_records);
  ASSERT_EQ(intact.errors, 0);
  long worst = 0, lost_total = 0;
  double damages = 0;
  for (Damage how : {Damage::kInsert, Damage::kDelete, Damage::kGarbage}) {
    for (int k = 1; k <= 10; ++k) {
      const std::size_t at = data.size() * static_cast<std::size_t>(k) / 11;
      const Decoded d = decode(damage(data, at, how), c.framing);
      const long got = recovered(intact, d);
      const long lost = intact.total - got;
      worst = std::max(worst, lost);
      lost_total += lost;
      ++damages;
      if (getenv("RESYNC_VERBOSE"))
        std::printf("  damage %d at %zu: lost %ld, invented %ld, errors %ld\n",
                    static_cast<int>(how), at, lost, d.total - got, d.errors);
      // Garbage inside item values decodes as other values: nothing to notice.
      if (how != Damage::kGarbage) {
        EXPECT_GT(d.errors, 0) << "damage " << static_cast<int>(how) << " at " << at
                               << " not reported";
      }
      EXPECT_LE(lost, c.max_lost_per_damage)
          << c.file << ": damage " << static_cast<int>(how) << " at " << at << " lost " << lost
          << " of " << intact.total;
      // The interpreter keeps a damaged block's records up to its fault, and
      // after a byte inserted or lost those decode as other values.
      EXPECT_LE(d.total - got, c.max_lost_per_damage) << "records invented from damage at " << at;
    }
  }
  std::printf(
      "%s: %ld records, %.0f damages: %.2f records lost per damage (worst %ld), %.3f %% "
      "recovered\n",
      c.file, intact.total, damages, static_cast<double>(lost_total) / damages, worst,
      100.0 -
          100.0 * static_cast<double>(lost_total) / damages / static_cast<double>(intact.total));
}

// Crafted data (issue #16): in a run of bytes 0x30 every position is a CAT048
// header whose LEN (0x3030 = 12,336) leads to another such header, and whose
// records (FSPEC 0x30: I048/020 and I048/040, 6 bytes) decode up to the last,
// which is cut short. Each candidate a search checks costs 12 kB of decoding.
// Before, one search gave up after 256 kB and the rest of the stream was lost;
// now the checking of a walk is bounded by its budget (4 times the data), and
// every record of the intact stream that follows is found once the walk is
// one LEN past the run.
TEST(ResyncCost, CraftedCandidatesCostABoundedMultipleOfTheData) {
  const auto good = read_all(src("tests/data/asterix/sim_cat048_034.ast"));
  const Decoded intact = decode(good, Framing::kRaw);
  ASSERT_GE(intact.total, 1000);
  std::vector<std::uint8_t> data = {48, 0, 2};  // LEN below 3: the walk searches
  constexpr std::size_t kRun = 40000, kLen = 0x3030;
  data.insert(data.end(), kRun, 0x30);
  const std::size_t good_at = data.size();
  data.insert(data.end(), good.begin(), good.end());

  Decoder dec = make_decoder();
  std::map<std::string, int> after;  // records of the intact stream past one LEN
  long found = 0;
  dec.decode_stream(data, 0, [&](const Record& r) {
    if (static_cast<std::size_t>(r.offset) >= good_at + kLen)
      ++after[std::to_string(r.category) + r.items.dump()];
  });
  Decoder ref = make_decoder();
  long expected = 0;
  std::map<std::string, int> want;
  ref.decode_stream(good, 0, [&](const Record& r) {
    if (static_cast<std::size_t>(r.offset) >= kLen) {
      ++want[std::to_string(r.category) + r.items.dump()];
      ++expected;
    }
  });
  for (const auto& [k, c] : want) {
    auto it = after.find(k);
    if (it != after.end()) found += std::min(c, it->second);
  }
  const auto checked = static_cast<std::size_t>(dec.stats().resync_bytes_checked);
  std::printf(
      "%zu bytes: %zu checked while resynchronising (budget %zu); %ld of %ld records "
      "past one LEN after the run found\n",
      data.size(), checked, Decoder::resync_budget(data.size()), found, expected);
  EXPECT_GT(checked, 20 * kLen);  // the crafted candidates were checked
  EXPECT_LE(checked, Decoder::resync_budget(data.size()));
  EXPECT_GT(expected, 500);
  EXPECT_EQ(found, expected);
  EXPECT_GT(dec.stats().errors, 0);
}

// Crafted by a reviewer: "30 F0 04 30 00 09" repeated. At every sixth byte a
// CAT048 block of LEN 61,444 decodes 10,240 records and fails on the last;
// its LEN leads nowhere, so the walk searches from the next byte and finds a
// valid 9-byte block 3 bytes on, after which the next long block fails again.
// Before, the walk decoded each long block once per 12 bytes: 120 kB cost
// about 600 MB of decoding and 50 million records. The bytes a walk decodes
// again are now charged to its budget too.
TEST(ResyncCost, BlocksFoundInsideFailedOnesCostABoundedMultiple) {
  const std::uint8_t unit[] = {0x30, 0xF0, 0x04, 0x30, 0x00, 0x09};
  std::vector<std::uint8_t> data;
  while (data.size() < 120000) data.insert(data.end(), std::begin(unit), std::end(unit));
  Decoder dec = make_decoder();
  long records = 0;
  dec.decode_stream(data, 0, [&](const Record&) { ++records; });
  const std::size_t budget = Decoder::resync_budget(data.size());
  std::printf("%zu bytes: %ld records, %ld bytes checked or decoded again (budget %zu)\n",
              data.size(), records, dec.stats().resync_bytes_checked, budget);
  EXPECT_LE(static_cast<std::size_t>(dec.stats().resync_bytes_checked), budget);
  // Every record is at least its FSPEC byte: what was decoded bounds them.
  EXPECT_LE(static_cast<std::size_t>(records), data.size() + 2 * budget);
  EXPECT_GT(dec.stats().errors, 0);
}

INSTANTIATE_TEST_SUITE_P(Files, Resync,
                         ::testing::Values(Case{"sim_cat048_034.ast", Framing::kRaw, 1000, 30},
                                           Case{"sim_cat021_023.ast", Framing::kRaw, 1000, 30},
                                           Case{"final_frame_062_065_large_packet_30min.ff",
                                                Framing::kFinal, 3000, 10},
                                           Case{"cat_034_048.pcap", Framing::kPcap, 100, 12},
                                           Case{"cat_034_048.pcapng", Framing::kPcap, 100, 12}));

}  // namespace
}  // namespace skyfuse::decode::asterix
