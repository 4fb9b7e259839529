// The generated typed decoders against the interpreting decoder, record by
// record, on the JADE 30-minute recording (CAT062/063/065) and the CAT048
// samples: same length, same values.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "decode/asterix/decoder.hpp"
#include "decode/asterix/framing.hpp"
#include "decode/asterix/generated/cat048_1_31.hpp"
#include "decode/asterix/generated/cat062_1_18.hpp"
#include "decode/asterix/generated/cat063_1_7.hpp"
#include "decode/asterix/generated/cat065_1_6.hpp"

namespace skyfuse::decode::asterix {
namespace {

std::string src(const std::string& rel) { return std::string(SKYFUSE_SOURCE_DIR) + "/" + rel; }

std::vector<std::uint8_t> read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(AsterixGenerated, AgreesWithTheInterpreterOnRealRecordings) {
  Decoder dec({load_category(src("specs/asterix/cat062/cat062-1.18.json")),
               load_category(src("specs/asterix/cat063/cat063-1.7.json")),
               load_category(src("specs/asterix/cat065/cat065-1.6.json")),
               load_category(src("specs/asterix/cat048/cat048-1.31.json"))});
  long checked = 0, values = 0;
  auto check = [&](std::span<const std::uint8_t> bytes, std::int64_t base) {
    dec.decode_stream(bytes, base, [&](const Record& r) {
      const std::uint8_t* p = bytes.data() + (r.offset - base);
      const std::size_t n = bytes.size() - static_cast<std::size_t>(r.offset - base);
      if (r.category == 62) {
        cat062_1_18::Record t;
        ASSERT_EQ(cat062_1_18::decode(p, n, t), r.length) << r.offset;
        ASSERT_TRUE(t.i010 && t.i105);
        EXPECT_EQ(t.i010->SAC, r.items["010"]["SAC"].get<int>());
        EXPECT_EQ(t.i105->LAT, r.items["105"]["LAT"].get<double>());
        EXPECT_EQ(t.i105->LON, r.items["105"]["LON"].get<double>());
        if (t.i380 && t.i380->ID) {
          EXPECT_EQ(std::string(t.i380->ID->begin(), t.i380->ID->end()),
                    r.items["380"]["ID"].get<std::string>());
          ++values;
        }
        if (t.i060) {
          EXPECT_EQ(std::string(t.i060->MODE3A.begin(), t.i060->MODE3A.end()),
                    r.items["060"]["MODE3A"].get<std::string>());
          ++values;
        }
        values += 3;
      } else if (r.category == 63) {
        cat063_1_7::Record t;
        ASSERT_EQ(cat063_1_7::decode(p, n, t), r.length);
      } else if (r.category == 65) {
        cat065_1_6::Record t;
        ASSERT_EQ(cat065_1_6::decode(p, n, t), r.length);
      } else if (r.category == 48) {
        cat048_1_31::Record t;
        ASSERT_EQ(cat048_1_31::decode(p, n, t), r.length);
        EXPECT_EQ(t.i040.has_value(), r.items.contains("040"));
        if (t.i040) {
          EXPECT_EQ(t.i040->RHO, r.items["040"]["RHO"].get<double>());
          EXPECT_EQ(t.i040->THETA, r.items["040"]["THETA"].get<double>());
          values += 2;
        }
      }
      ++checked;
    });
  };
  const auto jade = read_all(src("tests/data/asterix/final_frame_062_065_large_packet_30min.ff"));
  FramingStats fs;
  read_final(
      jade, [&](const Payload& pl) { check(pl.bytes, pl.offset); }, fs);
  FramingStats fs2;
  read_pcap(
      read_all(src("tests/data/asterix/cat_034_048.pcap")),
      [&](const Payload& pl) {
        if (!pl.bytes.empty() && pl.bytes[0] == 48) check(pl.bytes, pl.offset);
      },
      fs2);
  EXPECT_EQ(checked, 34225 + 128);
  EXPECT_GT(values, 60000);
  // Truncated input is refused, not read past its end.
  cat062_1_18::Record t;
  const std::uint8_t short_rec[] = {0xBF, 0xFF};
  EXPECT_EQ(cat062_1_18::decode(short_rec, sizeof short_rec, t), 0u);
}

}  // namespace
}  // namespace skyfuse::decode::asterix
