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
#include <sstream>
#include <string>
#include <vector>

#include "core/input_file.hpp"
#include "decode/asterix/framing.hpp"

namespace skyfuse::decode::asterix {
namespace {

std::string src(const std::string& rel) { return std::string(SKYFUSE_SOURCE_DIR) + "/" + rel; }

std::vector<std::uint8_t> read_all(const std::string& path) {
  return read_input_bytes(path, "test capture");
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

// The payloads an UdpFromFrames gives, as hex, and its counters.
struct Frames {
  FramingStats st;
  std::vector<std::string> got;
  const std::function<void(const Payload&)> sink = [this](const Payload& p) {
    got.push_back(hex(p.bytes));
  };
  UdpFromFrames x{sink, st};
};

TEST(UdpFromFrames, FragmentsOverlapDuplicateAndBound) {
  Frames frames;
  auto& [st, got, sink, x] = frames;
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
  // 300 datagrams that never complete: at most 256 kept, the rest given up, counted.
  for (std::uint16_t id = 100; id < 400; ++id) {
    auto h = eth_ipv4_udp(a, 0x2000, id);
    x.frame(h.data(), h.size(), 1, id);
  }
  EXPECT_EQ(st.errors, 1 + 44);
  x.finish();
  EXPECT_EQ(st.errors, 1 + 300);
  EXPECT_EQ(got.size(), 1u);
  // A fragment past 64 KiB is refused, counted.
  auto big = eth_ipv4_udp(a, 0x1FFF | 0x2000, 9);
  x.frame(big.data(), big.size(), 1, 0);
  EXPECT_EQ(st.errors, 302);
  // 300 fragments of 8 bytes: the 257th drops the datagram, counted once.
  for (std::uint16_t k = 0; k < 300; ++k) {
    auto h =
        eth_ipv4_udp(std::vector<std::uint8_t>(8, 1), static_cast<std::uint16_t>(0x2000 | k), 11);
    x.frame(h.data(), h.size(), 1, 0);
  }
  x.finish();
  EXPECT_EQ(st.errors, 303);  // the cap; the 43 fragments after it are leftovers
  // An unsupported link type: one message per type, each packet skipped.
  x.frame(f1.data(), f1.size(), 147, 0);
  x.frame(f1.data(), f1.size(), 147, 0);
  EXPECT_EQ(st.errors, 304);
  EXPECT_EQ(st.skipped, 2);
}

// A classic little-endian pcap of Ethernet frames: {seconds, frame, original
// length (0: the frame's)}; the header's snap length as given.
struct Rec {
  std::uint32_t sec;
  std::vector<std::uint8_t> frame;
  std::uint32_t orig = 0;
};
std::vector<std::uint8_t> classic_pcap(const std::vector<Rec>& recs,
                                       std::uint32_t snaplen = 65535) {
  std::vector<std::uint8_t> f;
  auto u32 = [&](std::uint32_t v) {
    for (int k = 0; k < 4; ++k) f.push_back(static_cast<std::uint8_t>(v >> (8 * k)));
  };
  u32(0xa1b2c3d4);
  u32(0x00040002);  // version 2.4
  u32(0);
  u32(0);
  u32(snaplen);
  u32(1);
  for (const Rec& r : recs) {
    u32(r.sec);
    u32(0);
    u32(static_cast<std::uint32_t>(r.frame.size()));
    u32(r.orig ? r.orig : static_cast<std::uint32_t>(r.frame.size()));
    f.insert(f.end(), r.frame.begin(), r.frame.end());
  }
  return f;
}

std::vector<std::string> payloads_of(const std::vector<std::uint8_t>& file, FramingStats& st) {
  std::vector<std::string> got;
  read_pcap(
      file, [&](const Payload& p) { got.push_back(hex(p.bytes)); }, st);
  return got;
}

std::vector<std::uint8_t> block(std::uint8_t fill, std::size_t n) {
  std::vector<std::uint8_t> b(n, fill);
  return b;
}

// Found by an independent tester of the link/IP layer (2026-12-05).
TEST(ClassicPcap, TimeJumpsSnapLengthAndDamageCostNothingElse) {
  const auto a = block(1, 40), b = block(2, 1500), c = block(3, 40);
  const std::vector<std::string> all = {hex(a), hex(b), hex(c)};
  {  // captures merged end to end: two days forward, then back a year
    FramingStats st;
    EXPECT_EQ(payloads_of(classic_pcap({{1700000000, eth_ipv4_udp(udp(a), 0)},
                                        {1700172800, eth_ipv4_udp(udp(b), 0)},
                                        {1668000000, eth_ipv4_udp(udp(c), 0)}}),
                          st),
              all);
    EXPECT_EQ(st.errors, 0);
  }
  {  // a header snap length of 1500 with 1542-byte frames, original lengths 0
    FramingStats st;
    EXPECT_EQ(payloads_of(classic_pcap({{1, eth_ipv4_udp(udp(a), 0), 0},
                                        {2, eth_ipv4_udp(udp(b), 0), 0},
                                        {3, eth_ipv4_udp(udp(c), 0), 0}},
                                       1500),
                          st),
              all);
    EXPECT_EQ(st.errors, 0);
  }
  {  // the second record's header damaged: the first and third still read
    auto file = classic_pcap(
        {{1, eth_ipv4_udp(udp(a), 0)}, {2, eth_ipv4_udp(udp(b), 0)}, {3, eth_ipv4_udp(udp(c), 0)}});
    const std::size_t second = 24 + 16 + 34 + 8 + 40;
    file[second + 4] = 0xFF;  // microseconds out of range
    file[second + 5] = 0xFF;
    file[second + 6] = 0xFF;
    FramingStats st;
    EXPECT_EQ(payloads_of(file, st), (std::vector<std::string>{hex(a), hex(c)}));
    EXPECT_EQ(st.errors, 1);
  }
  {  // a zero-filled tail (a crash, a preallocated file) is one damage, not records
    auto file = classic_pcap({{1, eth_ipv4_udp(udp(a), 0)}, {2, eth_ipv4_udp(udp(b), 0)}});
    file.resize(file.size() + 4096, 0);
    FramingStats st;
    EXPECT_EQ(payloads_of(file, st), (std::vector<std::string>{hex(a), hex(b)}));
    EXPECT_EQ(st.frames, 2);
    EXPECT_EQ(st.errors, 1);
  }
  {  // a captured length damaged to run over the next record: that one found again
    auto file = classic_pcap(
        {{1, eth_ipv4_udp(udp(a), 0)}, {2, eth_ipv4_udp(udp(b), 0)}, {3, eth_ipv4_udp(udp(c), 0)}});
    const std::size_t first = 24;
    file[first + 8] = static_cast<std::uint8_t>(file[first + 8] + 100);    // incl + 100
    file[first + 12] = static_cast<std::uint8_t>(file[first + 12] + 100);  // orig too
    FramingStats st;
    const auto got = payloads_of(file, st);
    EXPECT_EQ(std::vector<std::string>(got.end() - 2, got.end()),
              (std::vector<std::string>{hex(b), hex(c)}));
    EXPECT_EQ(st.errors, 1);
  }
  {  // a writer whose original length counts the 4-byte FCS: fragments are whole
    const auto dg = udp(b);
    const std::vector<std::uint8_t> p1(dg.begin(), dg.begin() + 800),
        p2(dg.begin() + 800, dg.end());
    const auto f1 = eth_ipv4_udp(p1, 0x2000, 3), f2 = eth_ipv4_udp(p2, 100, 3);
    FramingStats st;
    EXPECT_EQ(payloads_of(classic_pcap({{1, f1, static_cast<std::uint32_t>(f1.size() + 4)},
                                        {1, f2, static_cast<std::uint32_t>(f2.size() + 4)}}),
                          st),
              std::vector<std::string>{hex(b)});
    EXPECT_EQ(st.reassembled, 1);
    EXPECT_EQ(st.errors, 0);
  }
  {  // cut 100 bytes before the end: the records before it read, the cut one named
    auto file = classic_pcap({{1, eth_ipv4_udp(udp(a), 0)}, {2, eth_ipv4_udp(udp(b), 0)}});
    file.resize(file.size() - 100);
    FramingStats st;
    EXPECT_EQ(payloads_of(file, st), (std::vector<std::string>{hex(a)}));
    ASSERT_EQ(st.messages.size(), 1u);
    EXPECT_NE(st.messages[0].find("truncated pcap record at the end"), std::string::npos);
  }
}

TEST(UdpFromFrames, CopiesCutsAndEthertypes) {
  Frames frames;
  auto& [st, got, sink, x] = frames;
  const auto data = block(7, 40);
  const auto dg = udp(data);
  const std::vector<std::uint8_t> first(dg.begin(), dg.begin() + 24),
      second(dg.begin() + 24, dg.end());
  // Each fragment captured twice, interleaved (tcpdump -i any on a router):
  // one datagram, no error.
  const auto f1 = eth_ipv4_udp(first, 0x2000, 5), f2 = eth_ipv4_udp(second, 3, 5);
  for (const auto* fr : {&f1, &f1, &f2, &f2}) x.frame(fr->data(), fr->size(), 1, 0);
  EXPECT_EQ(got, std::vector<std::string>{hex(data)});
  EXPECT_EQ(st.errors, 0);
  // The whole datagram captured again after it: read again (tshark does; an
  // unfragmented datagram captured twice is read twice too).
  for (const auto* fr : {&f1, &f2}) x.frame(fr->data(), fr->size(), 1, 0);
  EXPECT_EQ(got, (std::vector<std::string>{hex(data), hex(data)}));
  got.pop_back();
  EXPECT_EQ(st.errors, 0);
  // Fragments cut by the snap length: one error for the datagram, not per fragment.
  const auto g1 = eth_ipv4_udp(first, 0x2000, 6), g2 = eth_ipv4_udp(second, 3, 6);
  x.frame(g1.data(), 40, 1, 0);
  x.frame(g2.data(), 40, 1, 0);
  EXPECT_EQ(st.errors, 1);
  EXPECT_NE(st.messages.back().find("snap length"), std::string::npos);
  // A UDP length longer than an uncut packet is not blamed on the snap length.
  auto lie = eth_ipv4_udp(udp(data), 0, 7);
  lie[34 + 5] = 200;
  x.frame(lie.data(), lie.size(), 1, 0);
  EXPECT_EQ(got.size(), 2u);
  EXPECT_NE(st.messages.back().find("longer than its"), std::string::npos);
  // Ethertype 0 (an 802.3 length) is not IP, whatever follows.
  auto e0 = eth_ipv4_udp(udp(data), 0, 8);
  e0[12] = 0;
  x.frame(e0.data(), e0.size(), 1, 0);
  EXPECT_EQ(got.size(), 2u);
  EXPECT_EQ(st.skipped, 1);
  // A frame shorter than its link header is an error, not a quiet skip.
  x.frame(e0.data(), 10, 1, 0);
  EXPECT_EQ(st.errors, 3);
}

TEST(Pcapng, ResynchronisesOnASectionHeaderAndBoundsPackets) {
  // A pcapng cut short, then a whole one of other link types (cat of two files).
  auto cut = read_all(src("tests/data/asterix/links/vlan_fragments.pcapng"));
  cut.resize(cut.size() - 50);
  const auto two = read_all(src("tests/data/asterix/links/two_links.pcapng"));
  std::vector<std::uint8_t> both = cut;
  both.insert(both.end(), two.begin(), two.end());
  FramingStats st, st_two;
  const auto got = payloads_of(both, st);
  const auto want = payloads_of(two, st_two);
  ASSERT_GE(got.size(), want.size());
  EXPECT_EQ(
      std::vector<std::string>(got.end() - static_cast<std::ptrdiff_t>(want.size()), got.end()),
      want);
  EXPECT_EQ(st.skipped, 3 + st_two.skipped);  // the SLL2 packets read as SLL2, not Ethernet
  // An enhanced packet whose captured length runs into the block's trailing length.
  auto one = read_all(src("tests/data/asterix/links/vlan_fragments.pcapng"));
  FramingStats st1;
  const auto base = payloads_of(one, st1);
  std::size_t pos = 0;
  auto rd = [&](std::size_t at) {
    return std::uint32_t{one[at]} | std::uint32_t{one[at + 1]} << 8 |
           std::uint32_t{one[at + 2]} << 16 | std::uint32_t{one[at + 3]} << 24;
  };
  while (rd(pos) != 6) pos += rd(pos + 4);  // the first enhanced packet block
  const std::uint32_t len = rd(pos + 4), cap = len - 28;
  for (int k = 0; k < 4; ++k) one[pos + 20 + k] = static_cast<std::uint8_t>(cap >> (8 * k));
  FramingStats st2;
  const auto got2 = payloads_of(one, st2);
  EXPECT_EQ(got2.size(), base.size() - 1);
  EXPECT_EQ(st2.errors, st1.errors + 1);
}
}  // namespace
}  // namespace skyfuse::decode::asterix
