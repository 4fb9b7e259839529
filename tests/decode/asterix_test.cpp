// The spec-driven ASTERIX decoder against real recordings and their oracles:
// the JADE 30-minute FINAL file (record counts agreed by JADE's tests,
// Wireshark 4.0.17 and CroatiaControl), the CroatiaControl samples against
// Wireshark 4.0.17's decode, and broken input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>

#include "core/error.hpp"
#include "decode/asterix/decoder.hpp"
#include "decode/asterix/encoder.hpp"
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

TEST(Asterix, JadeThirtyMinutesGivesTheAgreedRecordCounts) {
  const auto data = read_all(src("tests/data/asterix/final_frame_062_065_large_packet_30min.ff"));
  ASSERT_EQ(data.size(), 3003761u);
  Decoder dec = make_decoder();
  FramingStats fs;
  long n = 0;
  read_final(
      data,
      [&](const Payload& p) { dec.decode_stream(p.bytes, p.offset, [&](const Record&) { ++n; }); },
      fs);
  EXPECT_EQ(fs.frames, 18163);
  EXPECT_EQ(fs.errors, 0);
  EXPECT_EQ(dec.stats().errors, 0);
  EXPECT_EQ(dec.stats().records_per_category.at(62), 22396);
  EXPECT_EQ(dec.stats().records_per_category.at(65), 6057);
  EXPECT_EQ(dec.stats().records_per_category.at(63), 5772);
  EXPECT_EQ(n, 22396 + 6057 + 5772);
}

TEST(Asterix, PcapngGivesTheSameRecordsAsPcap) {
  // The same capture rewritten by tshark as pcapng (Enhanced Packet Blocks).
  Decoder dec = make_decoder();
  FramingStats fs;
  read_pcap(
      read_all(src("tests/data/asterix/cat_034_048.pcapng")),
      [&](const Payload& p) { dec.decode_stream(p.bytes, p.offset, [](const Record&) {}); }, fs);
  EXPECT_EQ(fs.frames, 100);
  EXPECT_EQ(fs.errors, 0);
  EXPECT_EQ(dec.stats().records_per_category.at(34), 34);
  EXPECT_EQ(dec.stats().records_per_category.at(48), 128);
  EXPECT_EQ(dec.stats().errors, 0);
  // A cut pcapng is an error with its offset, not a crash.
  auto cut = read_all(src("tests/data/asterix/cat_034_048.pcapng"));
  cut.resize(cut.size() / 2);
  FramingStats fs2;
  read_pcap(
      cut, [](const Payload&) {}, fs2);
  EXPECT_EQ(fs2.errors, 1);
  EXPECT_NE(fs2.messages[0].find("pcapng block length"), std::string::npos);
}

TEST(Asterix, Cat034And048PcapCounts) {
  Decoder dec = make_decoder();
  FramingStats fs;
  read_pcap(
      read_all(src("tests/data/asterix/cat_034_048.pcap")),
      [&](const Payload& p) { dec.decode_stream(p.bytes, p.offset, [](const Record&) {}); }, fs);
  EXPECT_EQ(fs.frames, 100);
  EXPECT_EQ(dec.stats().records_per_category.at(34), 34);
  EXPECT_EQ(dec.stats().records_per_category.at(48), 128);
  EXPECT_EQ(dec.stats().errors, 0);
}

// Wireshark's flattened decode: "f1.b0.r1 048_040/048_040_RHO = 197.68359375".
// Each two-level field is compared with ours (Wireshark prints octal codes as
// the decimal value of their bits and addresses as 0x..).
void compare_with_wireshark(const std::string& raw, const std::string& flat, int min_fields) {
  Decoder dec = make_decoder();
  std::vector<Record> ours;
  dec.decode_stream(read_all(src(raw)), 0, [&](const Record& r) { ours.push_back(r); });
  ASSERT_EQ(dec.stats().errors, 0);
  std::ifstream in(src(flat));
  std::string line;
  std::map<std::string, int> record_index;
  int compared = 0;
  while (std::getline(in, line)) {
    const auto sp = line.find(' ');
    const auto eq = line.find(" = ");
    if (sp == std::string::npos || eq == std::string::npos) continue;
    const std::string rec = line.substr(0, sp);
    if (rec.find(".r") == std::string::npos) continue;
    const std::string path = line.substr(sp + 1, eq - sp - 1);
    const std::string value = line.substr(eq + 3);
    const auto slash = path.find('/');
    if (slash == std::string::npos || path.find('/', slash + 1) != std::string::npos) continue;
    if (path.compare(slash + 1, slash + 1, path.substr(0, slash) + "_") != 0)
      continue;  // e.g. "048_250/counter"
    if (!record_index.count(rec)) {
      const int k = static_cast<int>(record_index.size());
      record_index[rec] = k;
    }
    const int k = record_index[rec];
    ASSERT_LT(k, static_cast<int>(ours.size()));
    const std::string item = path.substr(4, slash - 4);    // "040" of "048_040"
    const std::string field = path.substr(slash + 1 + 8);  // "RHO" of "048_040_RHO"
    const auto& items = ours[k].items;
    ASSERT_TRUE(items.contains(item)) << rec << " " << path;
    const auto& v = field == "VALUE" && !items[item].is_object() ? items[item] : items[item][field];
    ASSERT_FALSE(v.is_null()) << rec << " " << path;
    if (v.is_string()) {
      const std::string s = v.get<std::string>();
      bool octal = !s.empty() && s.find_first_not_of("01234567") == std::string::npos;
      if (octal && value.find_first_not_of("0123456789") == std::string::npos) {
        EXPECT_EQ(std::stol(s, nullptr, 8), std::stol(value)) << rec << " " << path;
      } else {
        EXPECT_EQ(s, value) << rec << " " << path;
      }
    } else if (value.rfind("0x", 0) == 0) {
      EXPECT_EQ(v.get<double>(), static_cast<double>(std::stoull(value, nullptr, 16)))
          << rec << " " << path;
    } else {
      EXPECT_NEAR(v.get<double>(), std::stod(value),
                  1e-9 * std::max(1.0, std::abs(std::stod(value))))
          << rec << " " << path;
    }
    ++compared;
  }
  EXPECT_GE(compared, min_fields);
  std::printf("%s: %d fields equal to Wireshark 4.0.17\n", raw.c_str(), compared);
}

TEST(Asterix, Cat048ValuesMatchWireshark) {
  compare_with_wireshark("tests/data/asterix/cat048.raw", "tests/data/asterix/cc_cat048.flat.txt",
                         20);
}

TEST(Asterix, Cat062And065ValuesMatchWireshark) {
  compare_with_wireshark("tests/data/asterix/cat062cat065.raw",
                         "tests/data/asterix/cc_cat062cat065.flat.txt", 20);
}

TEST(Asterix, BadInputIsCountedNamedAndSkipped) {
  Decoder dec = make_decoder();
  const auto good = read_all(src("tests/data/asterix/cat048.raw"));
  ASSERT_GT(good.size(), 10u);
  std::vector<std::uint8_t> s;
  s.insert(s.end(), good.begin(), good.end());  // one good block
  s.insert(s.end(), {99, 0, 5, 0x80, 0x00});    // unknown category 99: skipped whole
  std::vector<std::uint8_t> cut(good.begin(), good.end());
  cut[2] =
      static_cast<std::uint8_t>(cut[2] - 6);  // LEN shorter than the records: FX/items past the end
  s.insert(s.end(), cut.begin(), cut.end() - 6);
  s.insert(s.end(), good.begin(), good.end());  // good again
  s.insert(s.end(), {48, 0xFF, 0xFF, 0x01});    // LEN past the end of the input
  long records = 0;
  dec.decode_stream(s, 0, [&](const Record&) { ++records; });
  EXPECT_EQ(dec.stats().unknown_category_blocks, 1);
  EXPECT_GE(dec.stats().errors, 3);
  EXPECT_EQ(records, 2);  // both good blocks survive
  bool named = false;
  for (const auto& m : dec.stats().messages) named |= m.find("CAT048 item") != std::string::npos;
  EXPECT_TRUE(named);
  // The non-conformant CroatiaControl capture: errors, resynchronised per block, no crash.
  Decoder d2 = make_decoder();
  FramingStats fs;
  read_pcap(
      read_all(src("tests/data/asterix/asterix.pcap")),
      [&](const Payload& p) { d2.decode_stream(p.bytes, p.offset, [](const Record&) {}); }, fs);
  EXPECT_EQ(fs.frames, 100);
  EXPECT_GT(d2.stats().errors, 0);
  EXPECT_GT(d2.stats().records, 0);
}

TEST(Asterix, BadSpecFilesAreConfigErrors) {
  EXPECT_THROW(load_category(src("specs/asterix/missing.json")), ConfigError);
  EXPECT_THROW(load_category(src("specs/asterix/README.md")), ConfigError);
}

// Every record of the real recordings, decoded then encoded again from the
// same definition, gives back its original bytes.
TEST(Asterix, EncodeReproducesTheRealRecords) {
  Decoder dec = make_decoder();
  long checked = 0, lossy_text = 0, non_minimal = 0;
  auto check = [&](std::span<const std::uint8_t> bytes, std::int64_t base) {
    dec.decode_stream(bytes, base, [&](const Record& r) {
      const Category* cat = dec.category(r.category);
      ASSERT_NE(cat, nullptr);
      const auto enc = encode_record(*cat, r.items);
      ASSERT_TRUE(enc) << enc.error().detail;
      const auto* orig = bytes.data() + (r.offset - base);
      if (enc->size() != r.length || !std::equal(enc->begin(), enc->end(), orig)) {
        // Allowed differences: a text field with codes outside the ICAO 6-bit
        // alphabet (shown as '#'), or an original that is not minimal (an
        // extension octet with nothing in it). Either way the re-encoded
        // record must decode to the same items.
        Decoder again = make_decoder();
        const auto block = encode_block(r.category, {*enc});
        int n = 0;
        again.decode_stream(*block, 0, [&](const Record& back) {
          EXPECT_EQ(back.items, r.items) << "CAT" << r.category << " at " << r.offset;
          ++n;
        });
        EXPECT_EQ(n, 1);
        if (enc->size() < r.length)
          ++non_minimal;
        else
          ++lossy_text;
      }
      ++checked;
    });
  };
  const auto jade = read_all(src("tests/data/asterix/final_frame_062_065_large_packet_30min.ff"));
  FramingStats fs;
  read_final(
      jade, [&](const Payload& p) { check(p.bytes, p.offset); }, fs);
  for (const char* raw : {"tests/data/asterix/cat048.raw", "tests/data/asterix/cat062cat065.raw",
                          "tests/data/asterix/cat034.raw"}) {
    const auto b = read_all(src(raw));
    check(b, 0);
  }
  EXPECT_GT(checked, 34225);
  EXPECT_LE(lossy_text + non_minimal, 60);
  std::printf(
      "re-encoded %ld real records: %ld byte-identical, %ld with invalid ICAO characters, %ld "
      "shorter "
      "than a non-minimal original\n",
      checked, checked - lossy_text - non_minimal, lossy_text, non_minimal);
  const auto block = encode_block(48, {{0x80, 25, 201}});
  ASSERT_TRUE(block);
  EXPECT_EQ(*block, (std::vector<std::uint8_t>{48, 0, 6, 0x80, 25, 201}));
  // Values that do not fit are errors naming the item.
  nlohmann::ordered_json bad;
  bad["010"] = {{"SAC", 300}, {"SIC", 1}};
  const auto e = encode_record(*dec.category(48), bad);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().detail.find("CAT48 item 010"), std::string::npos);
}

}  // namespace
}  // namespace skyfuse::decode::asterix
