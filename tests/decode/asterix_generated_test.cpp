// The generated typed decoders against the interpreting decoder, record by
// record, on the JADE 30-minute recording (CAT062/063/065) and the CAT048
// samples: same length, same values.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <map>

#include "decode/asterix/decoder.hpp"
#include "decode/asterix/framing.hpp"
#include "decode/asterix/generated/cat002_1_2.hpp"
#include "decode/asterix/generated/cat019_1_3.hpp"
#include "decode/asterix/generated/cat020_1_10.hpp"
#include "decode/asterix/generated/cat021_2_6.hpp"
#include "decode/asterix/generated/cat023_1_3.hpp"
#include "decode/asterix/generated/cat034_1_29.hpp"
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

// The decoders generated for the categories the tracker reads and the status
// categories beside them: real samples (CAT019, 020, 023, 034, 002) and the
// feeds `skyfuse sim` writes (CAT048+034, 021+023, 020+019), record by record
// against the interpreter: same length, same values.

namespace skyfuse::decode::asterix {
namespace {

TEST(AsterixGenerated, RadarAdsbMlatAndStatusCategoriesAgreeWithTheInterpreter) {
  std::vector<Category> cats;
  for (const char* f :
       {"cat002/cat002-1.2.json", "cat019/cat019-1.3.json", "cat020/cat020-1.10.json",
        "cat021/cat021-2.6.json", "cat023/cat023-1.3.json", "cat034/cat034-1.29.json",
        "cat048/cat048-1.31.json"})
    cats.push_back(load_category(src(std::string("specs/asterix/") + f)));
  Decoder dec(cats);
  std::map<int, long> checked;
  long values = 0;
  auto check = [&](std::span<const std::uint8_t> bytes, std::int64_t base) {
    dec.decode_stream(bytes, base, [&](const Record& r) {
      const std::uint8_t* p = bytes.data() + (r.offset - base);
      const std::size_t n = bytes.size() - static_cast<std::size_t>(r.offset - base);
      const auto& it = r.items;
      switch (r.category) {
        case 2: {
          cat002_1_2::Record t;
          ASSERT_EQ(cat002_1_2::decode(p, n, t), r.length);
          ASSERT_TRUE(t.i010);
          EXPECT_EQ(t.i010->SAC, it["010"]["SAC"].get<int>());
          ++values;
          break;
        }
        case 19: {
          cat019_1_3::Record t;
          ASSERT_EQ(cat019_1_3::decode(p, n, t), r.length);
          ASSERT_TRUE(t.i140);
          EXPECT_EQ(*t.i140, it["140"].get<double>());
          ++values;
          break;
        }
        case 20: {
          cat020_1_10::Record t;
          ASSERT_EQ(cat020_1_10::decode(p, n, t), r.length);
          ASSERT_TRUE(t.i041);
          EXPECT_EQ(t.i041->LAT, it["041"]["LAT"].get<double>());
          EXPECT_EQ(t.i041->LON, it["041"]["LON"].get<double>());
          values += 2;
          break;
        }
        case 21: {
          cat021_2_6::Record t;
          ASSERT_EQ(cat021_2_6::decode(p, n, t), r.length);
          EXPECT_EQ(t.i131.has_value(), it.contains("131"));
          if (t.i131) {
            EXPECT_EQ(t.i131->LAT, it["131"]["LAT"].get<double>());
            EXPECT_EQ(t.i131->LON, it["131"]["LON"].get<double>());
            values += 2;
          }
          if (t.i080) {
            EXPECT_EQ(*t.i080, it["080"].get<std::uint32_t>());
            ++values;
          }
          if (t.i071) {
            EXPECT_EQ(*t.i071, it["071"].get<double>());
            ++values;
          }
          break;
        }
        case 23: {
          cat023_1_3::Record t;
          ASSERT_EQ(cat023_1_3::decode(p, n, t), r.length);
          ASSERT_TRUE(t.i070);
          EXPECT_EQ(*t.i070, it["070"].get<double>());
          ++values;
          break;
        }
        case 34: {
          cat034_1_29::Record t;
          ASSERT_EQ(cat034_1_29::decode(p, n, t), r.length);
          ASSERT_TRUE(t.i030);
          EXPECT_EQ(*t.i030, it["030"].get<double>());
          ++values;
          break;
        }
        case 48: {
          cat048_1_31::Record t;
          ASSERT_EQ(cat048_1_31::decode(p, n, t), r.length);
          ASSERT_TRUE(t.i040);
          EXPECT_EQ(t.i040->RHO, it["040"]["RHO"].get<double>());
          values += 1;
          break;
        }
        default:
          FAIL() << "category " << r.category;
      }
      ++checked[r.category];
    });
  };
  for (const char* f :
       {"tests/data/asterix/test_data_cat019Start", "tests/data/asterix/test_data_cat020_1",
        "tests/data/asterix/test_data_cat023_GSStatus", "tests/data/asterix/cat034.raw",
        "tests/data/asterix/test_data_cat002", "tests/data/asterix/sim_cat021_023.ast",
        "tests/data/asterix/sim_cat020_019.ast", "tests/data/asterix/sim_cat048_034.ast"}) {
    const auto bytes = read_all(src(f));
    check(bytes, 0);
  }
  for (int c : {2, 19, 20, 21, 23, 34, 48}) EXPECT_GT(checked[c], 0) << "no CAT" << c << " record";
  EXPECT_GT(checked[21], 1000);
  EXPECT_GT(values, 5000);
}

}  // namespace
}  // namespace skyfuse::decode::asterix
