// Packet captures as operational sites make them (tests/data/asterix/links/,
// made by tcpdump and scapy, tools/make_link_captures.py): Linux cooked v2
// from `tcpdump -i any`, Ethernet from `tcpdump -i lo`, BSD loopback, 802.1Q
// and 802.1ad tags, IPv4 and IPv6 fragments out of order, IPv6 extension
// headers, link padding, a snap length that cuts datagrams, two link types in
// one pcapng, and packets that are not UDP (ARP, TCP, ICMP errors quoting a
// datagram). The UDP payloads read_pcap yields must be exactly those
// Wireshark's dissectors (tshark 4.0.17, IP reassembly on by default) find,
// in the same order; the counters are checked against the generator.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "decode/asterix/framing.hpp"

namespace skyfuse::decode::asterix {
namespace {

std::string src(const std::string& rel) { return std::string(SKYFUSE_SOURCE_DIR) + "/" + rel; }

std::vector<std::uint8_t> read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string hex(std::span<const std::uint8_t> b) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (std::uint8_t c : b) {
    s += d[c >> 4];
    s += d[c & 15];
  }
  return s;
}

struct Read {
  std::vector<std::string> payloads;
  FramingStats stats;
};

Read skyfuse_read(const std::string& file) {
  Read r;
  read_pcap(
      read_all(src("tests/data/asterix/links/" + file)),
      [&](const Payload& p) { r.payloads.push_back(hex(p.bytes)); }, r.stats);
  return r;
}

// tshark's top-level UDP payloads (a datagram quoted in an ICMP error is not one).
std::vector<std::string> tshark_payloads(const std::string& file) {
  const std::string cmd = "tshark -r " + src("tests/data/asterix/links/" + file) +
                          " -Y 'udp && !icmp && !icmpv6' -T fields -e udp.payload 2>/dev/null";
  std::vector<std::string> out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  std::string text;
  char buf[4096];
  for (std::size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) text.append(buf, n);
  EXPECT_EQ(pclose(p), 0) << cmd;
  std::stringstream ss(text);
  for (std::string l; std::getline(ss, l);) out.push_back(l);
  return out;
}

struct Case {
  const char* file;
  std::size_t payloads;  // as the generator sent them
  long skipped, reassembled, errors;
};

class PcapLinks : public ::testing::TestWithParam<Case> {};

TEST_P(PcapLinks, PayloadsAreWiresharks) {
  const Case c = GetParam();
  const Read r = skyfuse_read(c.file);
  EXPECT_EQ(r.payloads.size(), c.payloads);
  EXPECT_EQ(r.stats.skipped, c.skipped);
  EXPECT_EQ(r.stats.reassembled, c.reassembled);
  EXPECT_EQ(r.stats.errors, c.errors);
  for (const auto& m : r.stats.messages) std::printf("  %s: %s\n", c.file, m.c_str());
  if (std::system("command -v tshark > /dev/null 2>&1") != 0)
    GTEST_SKIP() << "tshark not installed (scripts/setup.sh)";
  EXPECT_EQ(r.payloads, tshark_payloads(c.file));
}

// any_sll2 / lo_ethernet: 7 datagrams (4 IPv4, 3 IPv6), each answered by an
// ICMP port unreachable. vlan_fragments: 8 datagrams (2 put together from
// fragments), ARP + TCP + ICMP skipped, one datagram never completed.
// snap300: lo_ethernet cut to 300 bytes a packet (editcap -s 300): all 7
// datagrams are longer than that keeps, each counted, its captured part read.
INSTANTIATE_TEST_SUITE_P(Captures, PcapLinks,
                         ::testing::Values(Case{"any_sll2.pcap", 7, 7, 0, 0},
                                           Case{"lo_ethernet.pcap", 7, 7, 0, 0},
                                           Case{"null_loopback.pcap", 3, 0, 0, 0},
                                           Case{"vlan_fragments.pcap", 8, 3, 2, 1},
                                           Case{"vlan_fragments.pcapng", 8, 3, 2, 1},
                                           Case{"two_links.pcapng", 10, 7, 0, 0},
                                           Case{"snap300.pcap", 7, 7, 0, 7}),
                         [](const auto& param_info) {
                           std::string n = param_info.param.file;
                           for (char& ch : n)
                             if (ch == '.') ch = '_';
                           return n;
                         });

// Hand-made frames for what the captures do not hold.
std::vector<std::uint8_t> eth_ipv4_udp(std::vector<std::uint8_t> payload, std::uint16_t flags,
                                       std::uint16_t id = 7) {
  std::vector<std::uint8_t> f(34 + payload.size(), 0);
  f[12] = 0x08;
  const std::size_t total = 20 + payload.size();
  const std::uint8_t ip[20] = {0x45,
                               0,
                               static_cast<std::uint8_t>(total >> 8),
                               static_cast<std::uint8_t>(total),
                               static_cast<std::uint8_t>(id >> 8),
                               static_cast<std::uint8_t>(id),
                               static_cast<std::uint8_t>(flags >> 8),
                               static_cast<std::uint8_t>(flags),
                               64,
                               17,
                               0,
                               0,
                               10,
                               0,
                               0,
                               1,
                               10,
                               0,
                               0,
                               2};
  std::copy(ip, ip + 20, f.begin() + 14);
  std::copy(payload.begin(), payload.end(), f.begin() + 34);
  return f;
}

std::vector<std::uint8_t> udp(const std::vector<std::uint8_t>& data) {
  std::vector<std::uint8_t> u(8 + data.size(), 0);
  u[0] = 0x9c;  // port 40000 -> 8600
  u[1] = 0x40;
  u[2] = 0x21;
  u[3] = 0x98;
  u[4] = static_cast<std::uint8_t>(u.size() >> 8);
  u[5] = static_cast<std::uint8_t>(u.size());
  std::copy(data.begin(), data.end(), u.begin() + 8);
  return u;
}

TEST(UdpFromFrames, FragmentsOverlapDuplicateAndBound) {
  FramingStats st;
  std::vector<std::string> got;
  const std::function<void(const Payload&)> sink = [&](const Payload& p) {
    got.push_back(hex(p.bytes));
  };
  UdpFromFrames x(sink, st);
  std::vector<std::uint8_t> data(40);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i);
  const auto dg = udp(data);  // 48 bytes: fragments of 24 + 24
  const std::vector<std::uint8_t> a(dg.begin(), dg.begin() + 24), b(dg.begin() + 24, dg.end());
  // The second half twice (a capture on two interfaces), then the first: one datagram.
  auto f2 = eth_ipv4_udp(b, 3);  // offset 3 x 8 = 24
  x.frame(f2.data(), f2.size(), 1, 0);
  x.frame(f2.data(), f2.size(), 1, 0);
  auto f1 = eth_ipv4_udp(a, 0x2000);  // more fragments
  x.frame(f1.data(), f1.size(), 1, 100);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], hex(data));
  EXPECT_EQ(st.reassembled, 1);
  EXPECT_EQ(st.errors, 0);
  // An overlap (offset 16 over the first 24 bytes) drops the datagram, counted.
  auto g1 = eth_ipv4_udp(a, 0x2000, 8);
  auto g2 = eth_ipv4_udp(b, 2, 8);
  x.frame(g1.data(), g1.size(), 1, 200);
  x.frame(g2.data(), g2.size(), 1, 300);
  EXPECT_EQ(got.size(), 1u);
  EXPECT_EQ(st.errors, 1);
  // 100 datagrams that never complete: at most 64 kept, the rest given up, counted.
  for (std::uint16_t id = 100; id < 200; ++id) {
    auto h = eth_ipv4_udp(a, 0x2000, id);
    x.frame(h.data(), h.size(), 1, id);
  }
  EXPECT_EQ(st.errors, 1 + 36);
  x.finish();
  EXPECT_EQ(st.errors, 1 + 100);
  EXPECT_EQ(got.size(), 1u);
  // A fragment past 64 KiB is refused, counted.
  auto big = eth_ipv4_udp(a, 0x1FFF | 0x2000, 9);
  x.frame(big.data(), big.size(), 1, 0);
  EXPECT_EQ(st.errors, 102);
  // 300 fragments of 8 bytes: the 257th drops the datagram, counted once.
  for (std::uint16_t k = 0; k < 300; ++k) {
    auto h =
        eth_ipv4_udp(std::vector<std::uint8_t>(8, 1), static_cast<std::uint16_t>(0x2000 | k), 11);
    x.frame(h.data(), h.size(), 1, 0);
  }
  x.finish();
  EXPECT_EQ(st.errors, 102 + 2);  // the cap, then the 43 left never completed
  // An unsupported link type: one message per type, each packet skipped.
  x.frame(f1.data(), f1.size(), 147, 0);
  x.frame(f1.data(), f1.size(), 147, 0);
  EXPECT_EQ(st.errors, 105);
  EXPECT_EQ(st.skipped, 2);
}

}  // namespace
}  // namespace skyfuse::decode::asterix
