// Round trip through an independent decoder: records skyfuse encodes (one per
// category it must write: 048, 034, 021, 023, 020, 019, 062, 065) are wrapped
// in UDP/8600 packets and read by Wireshark's ASTERIX dissector (tshark
// 4.0.17, default editions 048 1.31, 034 1.29, 021 2.6, 023 1.3, 020 1.10,
// 019 1.3, 062 1.19, 065 1.5): no packet may be malformed, and the values
// tshark prints must be the ones we put in.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>

#include "decode/asterix/decoder.hpp"
#include "decode/asterix/encoder.hpp"
#include "decode/asterix/framing.hpp"

namespace skyfuse::decode::asterix {
namespace {

std::string src(const std::string& rel) { return std::string(SKYFUSE_SOURCE_DIR) + "/" + rel; }
std::string out(const std::string& name) { return std::string(SKYFUSE_BINARY_DIR) + "/" + name; }

std::vector<std::uint8_t> read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Classic pcap, Ethernet / IPv4 / UDP 127.0.0.1:40000 -> 127.0.0.1:8600.
void write_pcap(const std::string& path, const std::vector<std::vector<std::uint8_t>>& payloads) {
  std::ofstream o(path, std::ios::binary);
  auto u32 = [&](std::uint32_t v) { o.write(reinterpret_cast<const char*>(&v), 4); };
  auto u16 = [&](std::uint16_t v) { o.write(reinterpret_cast<const char*>(&v), 2); };
  u32(0xa1b2c3d4);
  u16(2);
  u16(4);
  u32(0);
  u32(0);
  u32(65535);
  u32(1);
  std::uint32_t t = 1700000000;
  for (const auto& p : payloads) {
    std::vector<std::uint8_t> f(14, 0);
    f[12] = 0x08;  // IPv4
    const std::size_t ip_len = 20 + 8 + p.size();
    std::uint8_t ip[20] = {0x45,
                           0,
                           static_cast<std::uint8_t>(ip_len >> 8),
                           static_cast<std::uint8_t>(ip_len),
                           0,
                           1,
                           0,
                           0,
                           64,
                           17,
                           0,
                           0,
                           127,
                           0,
                           0,
                           1,
                           127,
                           0,
                           0,
                           1};
    std::uint32_t sum = 0;
    for (int i = 0; i < 20; i += 2) sum += (ip[i] << 8) | ip[i + 1];
    while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
    ip[10] = static_cast<std::uint8_t>(~sum >> 8);
    ip[11] = static_cast<std::uint8_t>(~sum);
    f.insert(f.end(), ip, ip + 20);
    const std::size_t udp_len = 8 + p.size();
    const std::uint8_t udp[8] = {0x9C,
                                 0x40,
                                 0x21,
                                 0x98,
                                 static_cast<std::uint8_t>(udp_len >> 8),
                                 static_cast<std::uint8_t>(udp_len),
                                 0,
                                 0};
    f.insert(f.end(), udp, udp + 8);
    f.insert(f.end(), p.begin(), p.end());
    u32(t++);
    u32(0);
    u32(static_cast<std::uint32_t>(f.size()));
    u32(static_cast<std::uint32_t>(f.size()));
    o.write(reinterpret_cast<const char*>(f.data()), static_cast<std::streamsize>(f.size()));
  }
}

std::string run(const std::string& cmd) {
  const std::string file = out("tshark_out.txt");
  const int rc = std::system((cmd + " > " + file + " 2>/dev/null").c_str());
  EXPECT_EQ(rc, 0) << cmd;
  std::ifstream in(file);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> v;
  std::stringstream ss(s);
  std::string l;
  while (std::getline(ss, l)) v.push_back(l);
  return v;
}

TEST(AsterixWireshark, EncodedRecordsDecodeCleanlyWithTheSameValues) {
  if (std::system("command -v tshark > /dev/null 2>&1") != 0)
    GTEST_SKIP() << "tshark not installed (scripts/setup.sh)";
  std::map<int, Category> cats;
  for (const char* f :
       {"cat048/cat048-1.31.json", "cat034/cat034-1.29.json", "cat021/cat021-2.6.json",
        "cat023/cat023-1.3.json", "cat020/cat020-1.10.json", "cat019/cat019-1.3.json",
        "cat062/cat062-1.18.json", "cat065/cat065-1.6.json"}) {
    Category c = load_category(src(std::string("specs/asterix/") + f));
    cats[c.number] = c;
  }
  std::vector<Category> all;
  for (auto& [n, c] : cats) all.push_back(c);
  Decoder dec(all);
  // Real records of each category, re-encoded by skyfuse.
  std::map<int, nlohmann::ordered_json> first;
  auto grab = [&](const Record& r) {
    if (!first.count(r.category)) first[r.category] = r.items;
  };
  FramingStats fs;
  read_pcap(
      read_all(src("tests/data/asterix/cat_034_048.pcap")),
      [&](const Payload& p) { dec.decode_stream(p.bytes, p.offset, grab); }, fs);
  dec.decode_stream(read_all(src("tests/data/asterix/cat062cat065.raw")), 0, grab);
  for (const char* f : {"test_data_cat019Start", "test_data_cat020_1", "test_data_cat023_GSStatus"})
    dec.decode_stream(read_all(src(std::string("tests/data/asterix/") + f)), 0, grab);
  // CAT021: an ADS-B report written from scratch.
  nlohmann::ordered_json adsb;
  adsb["010"] = {{"SAC", 20}, {"SIC", 10}};
  adsb["040"] = {{"ATP", 0}, {"ARC", 1}, {"RC", 0}, {"RAB", 0}};
  adsb["161"] = {{"TRNUM", 1234}};
  adsb["130"] = {{"LAT", 47.4582}, {"LON", 8.5555}};
  adsb["080"] = 0x4B1A01;
  adsb["140"] = 11277.5;
  adsb["090"] = {{"NUCRNACV", 2}, {"NUCPNIC", 8}, {"NICBARO", 1}, {"SIL", 3}, {"NACP", 9}};
  adsb["145"] = 370.0;
  adsb["160"] = {{"RE", 0}, {"GS", 0.125}, {"TA", 90.0}};
  adsb["170"] = "SWR123  ";
  first[21] = adsb;
  const std::vector<int> order = {48, 34, 21, 23, 20, 19, 62, 65};
  std::vector<std::vector<std::uint8_t>> packets;
  for (int c : order) {
    ASSERT_TRUE(first.count(c)) << "no CAT" << c << " record";
    const auto rec = encode_record(cats.at(c), first[c]);
    ASSERT_TRUE(rec) << rec.error().detail;
    const auto block = encode_block(c, {*rec});
    ASSERT_TRUE(block);
    packets.push_back(*block);
  }
  const std::string pcap = out("skyfuse_encoded.pcap");
  write_pcap(pcap, packets);

  EXPECT_EQ(lines(run("tshark -r " + pcap + " -Y asterix -T fields -e frame.number")).size(),
            order.size());
  EXPECT_EQ(run("tshark -r " + pcap + " -Y _ws.malformed -T fields -e frame.number"), "")
      << "malformed packets";
  EXPECT_EQ(run("tshark -r " + pcap + " -Y _ws.expert.severity==error -T fields -e frame.number"),
            "");

  // Values, as tshark prints them, against what was encoded.
  auto field = [&](int frame, const std::string& name) {
    const auto l = lines(run("tshark -r " + pcap + " -Y frame.number==" + std::to_string(frame) +
                             " -T fields -e asterix." + name));
    return l.empty() ? std::string() : l[0];
  };
  auto near = [&](int frame, const std::string& name, double want, double tol) {
    const std::string got = field(frame, name);
    ASSERT_FALSE(got.empty()) << name;
    EXPECT_NEAR(std::stod(got), want, tol) << name;
  };
  near(1, "048_040_RHO", first[48]["040"]["RHO"].get<double>(), 1e-9);
  near(1, "048_040_THETA", first[48]["040"]["THETA"].get<double>(), 1e-9);
  near(1, "048_090_FL", first[48]["090"]["FL"].get<double>(), 1e-9);
  near(3, "021_130_LAT", 47.4582, 180.0 / (1 << 23));
  near(3, "021_130_LON", 8.5555, 180.0 / (1 << 23));
  near(3, "021_140_VALUE", 11277.5, 6.25);
  near(3, "021_145_VALUE", 370.0, 0.25);
  EXPECT_EQ(field(3, "021_170_VALUE"), "SWR123  ");
  EXPECT_EQ(std::stoul(field(3, "021_080_VALUE"), nullptr, 16), 0x4B1A01u);
  near(7, "062_105_LAT", first[62]["105"]["LAT"].get<double>(), 1e-9);
  near(7, "062_105_LON", first[62]["105"]["LON"].get<double>(), 1e-9);
  near(5, "020_041_LAT", first[20]["041"]["LAT"].get<double>(), 1e-9);
}

}  // namespace
}  // namespace skyfuse::decode::asterix
