#include <gtest/gtest.h>

#include <random>

#include "decode/modes/crc.hpp"
#include "decode/modes/framing.hpp"
#include "decode/modes/message.hpp"

namespace skyfuse::decode::modes {
namespace {

std::vector<std::uint8_t> beast_frame(char type, std::uint64_t counter,
                                      const std::vector<std::uint8_t>& payload) {
  std::vector<std::uint8_t> raw;
  for (int b = 5; b >= 0; --b) raw.push_back(static_cast<std::uint8_t>(counter >> (8 * b)));
  raw.push_back(0x80);
  raw.insert(raw.end(), payload.begin(), payload.end());
  std::vector<std::uint8_t> out{0x1A, static_cast<std::uint8_t>(type)};
  for (auto b : raw) {
    out.push_back(b);
    if (b == 0x1A) out.push_back(0x1A);  // escape
  }
  return out;
}

const std::vector<std::uint8_t> kLong = {0x8D, 0x40, 0x62, 0x1D, 0x58, 0xC3, 0x82,
                                         0xD6, 0x90, 0xC8, 0xAC, 0x28, 0x63, 0xA7};

// Reference: polynomial long division bit by bit (generator 0x1FFF409).
std::uint32_t reference_syndrome(const std::uint8_t* b, std::size_t n) {
  std::uint32_t reg = 0;
  for (std::size_t i = 0; i < (n - 3) * 8; ++i) {
    const std::uint32_t in = (b[i / 8] >> (7 - i % 8)) & 1;
    const std::uint32_t top = (reg >> 23) & 1;
    reg = (reg << 1) & 0xFFFFFF;
    if (top ^ in) reg ^= 0xFFF409;
  }
  const std::uint32_t parity =
      (std::uint32_t{b[n - 3]} << 16) | (std::uint32_t{b[n - 2]} << 8) | b[n - 1];
  return reg ^ parity;
}

TEST(Crc, MatchesBitwisePolynomialDivision) {
  std::mt19937 rng(1);
  for (int t = 0; t < 20000; ++t) {
    std::uint8_t b[14];
    for (auto& x : b) x = static_cast<std::uint8_t>(rng());
    const std::size_t n = t % 2 ? 14 : 7;
    ASSERT_EQ(syndrome(b, n), reference_syndrome(b, n));
  }
}

TEST(Crc, CleanFramesHaveZeroSyndromeAndOneBitErrorsAreCorrected) {
  EXPECT_EQ(syndrome(kLong.data(), 14), 0u);
  for (int bit = 5; bit < 112; ++bit) {
    auto f = kLong;
    f[bit / 8] ^= static_cast<std::uint8_t>(0x80 >> (bit % 8));
    const Message m = decode_frame(f.data(), 14, {});
    ASSERT_TRUE(m.crc_ok) << bit;
    ASSERT_EQ(m.corrected_bits, 1);
    ASSERT_EQ(std::vector<std::uint8_t>(m.bytes.begin(), m.bytes.begin() + 14), kLong) << bit;
  }
  // Two flipped bits: rejected by default, repaired with max_corrected_bits = 2.
  auto f = kLong;
  f[3] ^= 0x10;
  f[9] ^= 0x02;
  EXPECT_FALSE(decode_frame(f.data(), 14, {}).crc_ok);
  const Message two = decode_frame(f.data(), 14, {.max_corrected_bits = 2});
  EXPECT_TRUE(two.crc_ok);
  EXPECT_EQ(two.corrected_bits, 2);
  EXPECT_EQ(two.icao, 0x40621Du);
}

TEST(Beast, EscapesTimestampsAndResynchronisation) {
  std::vector<std::uint8_t> s;
  auto add = [&](const std::vector<std::uint8_t>& v) { s.insert(s.end(), v.begin(), v.end()); };
  add(beast_frame('3', 0x1A1A00001A1Aull, kLong));  // escaped bytes in the timestamp
  add({0x00, 0x13, 0x37});                          // garbage between frames
  add(beast_frame('1', 5, {0x12, 0x34}));
  auto cut = beast_frame('3', 6, kLong);
  cut.resize(9);  // truncated by the next frame's start
  add(cut);
  add(beast_frame('2', 7, {0x5D, 0x40, 0x62, 0x1D, 0x00, 0x00, 0x00}));
  std::vector<RawFrame> frames;
  BeastStream b;
  // Feed byte by byte: frames must not depend on how the stream is cut.
  for (auto byte : s)
    b.feed(std::span<const std::uint8_t>(&byte, 1),
           [&](const RawFrame& f) { frames.push_back(f); });
  b.finish();
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[0].counter_12mhz, 0x1A1A00001A1Aull);
  EXPECT_EQ(frames[0].n_bytes, 14);
  EXPECT_EQ(frames[0].bytes[0], 0x8D);
  EXPECT_EQ(frames[1].kind, RawFrame::Kind::kModeAC);
  EXPECT_EQ(frames[2].n_bytes, 7);
  EXPECT_EQ(b.stats().errors, 2);  // the garbage, the truncated frame
  EXPECT_EQ(b.stats().skipped_bytes, 3);
  EXPECT_NE(b.stats().messages[0].find("offset "), std::string::npos);
}

TEST(Beast, RandomBytesNeverCrashAndKeepGoodFrames) {
  std::mt19937 rng(3);
  std::vector<std::uint8_t> s;
  int good = 0;
  for (int i = 0; i < 2000; ++i) {
    if (rng() % 3 == 0) {
      const auto f = beast_frame('3', static_cast<std::uint64_t>(i), kLong);
      s.insert(s.end(), f.begin(), f.end());
      ++good;
    } else {
      for (int k = 0; k < 5; ++k) s.push_back(static_cast<std::uint8_t>(rng() % 0x19));  // no 0x1A
    }
  }
  int got = 0;
  BeastStream b;
  b.feed(s, [&](const RawFrame& f) { got += f.n_bytes == 14 && f.bytes[0] == 0x8D; });
  b.finish();
  EXPECT_EQ(got, good);
}

TEST(Avr, TimedAndUntimedLines) {
  AvrParser p;
  std::vector<RawFrame> frames;
  auto sink = [&](const RawFrame& f) { frames.push_back(f); };
  p.line("*8D40621D58C382D690C8AC2863A7;", 0, sink);
  p.line("@0000000012348D40621D58C382D690C8AC2863A7;", 31, sink);
  p.line("*8D40621D58C382D690C8AC2863;", 73, sink);  // wrong length
  p.line("hello", 101, sink);
  p.line("", 107, sink);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_TRUE(frames[1].has_counter);
  EXPECT_EQ(frames[1].counter_12mhz, 0x1234u);
  EXPECT_EQ(p.stats().errors, 2);
  EXPECT_EQ(p.stats().messages[0], "offset 73: AVR frame is not 4, 14 or 28 hex digits");
}

TEST(Csv, PyModeSAndOpenSkyLayouts) {
  CsvParser p;
  std::vector<RawFrame> frames;
  auto sink = [&](const RawFrame& f) { frames.push_back(f); };
  p.line("1457996400,\"8D406B909945DE10000405999BE4\",\"406B90\",19", 0, sink);
  p.line(
      "\xEF\xBB\xBF"
      "1495353600,4D010D,A00015B7C26E1370AA00005DD34A",
      1, sink);
  p.line("timestamp,hex", 2, sink);
  p.line("abc,8D406B909945DE10000405999BE4", 3, sink);
  p.line("1457996400,zz", 4, sink);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_DOUBLE_EQ(frames[1].unix_time_s, 1495353600);
  EXPECT_EQ(frames[1].bytes[0], 0xA0);
  EXPECT_EQ(p.stats().errors, 2);
}

TEST(Fields, GillhamAndSquawk) {
  // Squawk 7700: A=7, B=7, C=0, D=0.
  EXPECT_EQ(decode_id13(0b1010101000101 & 0), 0);
  // From the DF5 literal A8000800...: identity 1000 (octal).
  std::uint8_t b[14];
  std::size_t n = 0;
  ASSERT_TRUE(parse_hex("A8000800CA380030A800005F235B", b, 14, &n));
  EXPECT_EQ(decode_frame(b, n, {}).squawk, 01000);
  // Gillham 100 ft codes round trip against Q-bit 25 ft: DF4 literal, 36000 ft.
  ASSERT_TRUE(parse_hex("20001718029FCD", b, 14, &n));
  EXPECT_EQ(decode_frame(b, n, {}).altitude_ft, 36000);
}

}  // namespace
}  // namespace skyfuse::decode::modes
