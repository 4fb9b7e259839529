// Hand-built packets for every transport and link layer the shared captures do
// not cover (plain 802.11, radiotap variants, NAN with optional fields, LE
// link layer with and without pseudo-header, nRF Sniffer header version 2, HCI
// H4 legacy and extended reports, split extended data), written into pcap
// files with libpcap's own writer where the capture path is under test. The
// Remote ID content is opendroneid-core-c's reference pack, so the expected
// values are core-c's (reference_vectors.txt). Then the failures: bad FCS/CRC,
// every truncation of every packet, bad lengths, bad packs, damaged files.
#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "decode/remoteid/capture.hpp"

namespace skyfuse::decode::remoteid {
namespace {

using Buf = std::vector<std::uint8_t>;

Buf unhex(const std::string& s) {
  Buf b;
  for (std::size_t i = 0; i + 1 < s.size(); i += 2)
    b.push_back(static_cast<std::uint8_t>(std::stoul(s.substr(i, 2), nullptr, 16)));
  return b;
}

Buf cat(std::initializer_list<Buf> parts) {
  Buf out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// opendroneid-core-c's reference messages and pack (reference_vectors.txt).
const std::string kBasicIdHex = "02223132333435363738393031323334353637383930000000";
const std::string kLocationHex = "122624160a42bf241b6ed1b4b69808ac0870086b53150e0200";
Buf core_c_pack() {
  std::ifstream in(std::string(SKYFUSE_SOURCE_DIR) + "/tests/data/remoteid/reference_vectors.txt");
  std::string line, section;
  while (std::getline(in, line)) {
    if (line.starts_with("[")) section = line;
    if (section ==
            "[MessagePack]  type 0xF, version 2, SingleMessageSize=25, MsgPackSize=7, 178 "
            "bytes" &&
        line.starts_with("HEX"))
      return unhex(line.substr(8));
  }
  ADD_FAILURE() << "no pack";
  return {};
}

const Mac kMac{0x02, 0x11, 0x22, 0x33, 0x44, 0x55};

Buf le16(std::size_t v) {
  return {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8)};
}
Buf le32(std::uint32_t v) {
  return {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8),
          static_cast<std::uint8_t>(v >> 16), static_cast<std::uint8_t>(v >> 24)};
}
Buf mac_bytes(bool reversed) {
  Buf m(kMac.begin(), kMac.end());
  if (reversed) std::reverse(m.begin(), m.end());
  return m;
}

// ------------------------------------------------------------- Wi-Fi ----
Buf mgmt_header(std::uint8_t fc0) {
  return cat(
      {{fc0, 0x00, 0x00, 0x00}, Buf(6, 0xFF), mac_bytes(false), mac_bytes(false), {0x10, 0x00}});
}
Buf beacon(std::uint8_t counter, const Buf& pack) {
  const Buf ssid{0x00, 0x04, 'T', 'E', 'S', 'T'};
  const Buf odid_ie =
      cat({{221, static_cast<std::uint8_t>(4 + 1 + pack.size()), 0xFA, 0x0B, 0xBC, 0x0D, counter},
           pack});
  return cat({mgmt_header(0x80), Buf(8, 0), {0x64, 0x00, 0x21, 0x04}, ssid, odid_ie});
}
// NAN SDF: an attribute before the SDA, and an SDA with binding bitmap and a
// matching filter before the service info.
Buf nan_action(std::uint8_t counter, const Buf& pack) {
  const Buf info = cat({{counter}, pack});
  const Buf sda_body = cat({{0x88, 0x69, 0x19, 0x9D, 0x92, 0x09, 0x01, 0x00, 0x10 | 0x40 | 0x04},
                            {0xAA, 0xBB},        // binding bitmap
                            {0x02, 0x01, 0x02},  // matching filter
                            {static_cast<std::uint8_t>(info.size())},
                            info});
  return cat({mgmt_header(0xD0),
              {0x04, 0x09, 0x50, 0x6F, 0x9A, 0x13},
              {0x0E},
              le16(2),
              {0x00, 0x01},  // another attribute
              {0x03},
              le16(sda_body.size()),
              sda_body});
}
Buf radiotap(const Buf& frame, std::int8_t rssi, bool fcs) {
  // Present: TSFT, Flags, dBm antenna signal, Ext; a second bitmap (antenna
  // signal of antenna 0) moves TSFT to offset 16 by its 8-byte alignment.
  Buf h = cat({{0x00, 0x00},
               le16(0),
               le32(0x80000023),
               le32(0x00000020),
               Buf(4, 0xEE),
               Buf(8, 0x01),
               {static_cast<std::uint8_t>(fcs ? 0x10 : 0x00)},
               {static_cast<std::uint8_t>(rssi)},
               {0xC0}});
  h[2] = static_cast<std::uint8_t>(h.size());
  Buf out = cat({h, frame});
  if (fcs) {
    const Buf f = le32(crc32_ieee(frame));
    out.insert(out.end(), f.begin(), f.end());
  }
  return out;
}

// --------------------------------------------------------- Bluetooth ----
Buf ad_odid(std::uint8_t counter, const Buf& payload) {
  return cat(
      {{static_cast<std::uint8_t>(5 + payload.size()), 0x16, 0xFA, 0xFF, 0x0D, counter}, payload});
}
const Buf kFlagsAd{0x02, 0x01, 0x06};
Buf with_crc(const Buf& pdu) {
  const auto c = ble_crc(pdu);
  return cat({le32(kAdvAccessAddress), pdu, {c[0], c[1], c[2]}});
}
// Legacy ADV_NONCONN_IND (type 2) with one message.
Buf adv_nonconn(const Buf& adv_data) {
  const Buf payload = cat({mac_bytes(true), adv_data});
  return cat({{0x42, static_cast<std::uint8_t>(payload.size())}, payload});
}
// AUX_ADV_IND (type 7): ext header with AdvA and ADI.
Buf aux_adv(const Buf& adv_data) {
  const Buf payload = cat({{0x09, 0x09}, mac_bytes(true), {0x75, 0x0E}, adv_data});
  return cat({{0x07, static_cast<std::uint8_t>(payload.size())}, payload});
}
Buf le_phdr(std::int8_t rssi, std::uint16_t flags) {
  return cat(
      {{0x25, static_cast<std::uint8_t>(rssi), 0x80, 0x00}, le32(kAdvAccessAddress), le16(flags)});
}
Buf nordic_v2(const Buf& le_packet, std::uint8_t rssi_abs, std::uint8_t flags) {
  const Buf event = cat({{0x0A, flags, 0x25, rssi_abs}, {0x00, 0x00}, le32(1234)});
  const Buf body = cat({event, le_packet});
  return cat({{0x01}, le16(body.size()), {0x02}, {0x05, 0x00}, {0x06}, body});
}
Buf hci_legacy(const std::vector<Buf>& datas, std::int8_t rssi) {
  Buf reports{0x02, static_cast<std::uint8_t>(datas.size())};
  for (const Buf& d : datas)
    reports = cat({reports,
                   {0x03, 0x01},
                   mac_bytes(true),
                   {static_cast<std::uint8_t>(d.size())},
                   d,
                   {static_cast<std::uint8_t>(rssi)}});
  return cat({{0x04, 0x3E, static_cast<std::uint8_t>(reports.size())}, reports});
}
Buf hci_extended(const Buf& data, int status, std::int8_t rssi, std::uint8_t sid = 3) {
  const std::uint16_t type = static_cast<std::uint16_t>(status << 5);
  const Buf report = cat({le16(type),
                          {0x01},
                          mac_bytes(true),
                          {0x01, 0x03, sid, 0x7F},
                          {static_cast<std::uint8_t>(rssi)},
                          le16(0),
                          {0x00},
                          Buf(6, 0),
                          {static_cast<std::uint8_t>(data.size())},
                          data});
  const Buf params = cat({{0x0D, 0x01}, report});
  return cat({{0x04, 0x3E, static_cast<std::uint8_t>(params.size())}, params});
}

struct Out {
  std::vector<Decoded> messages;
  DecoderStats stats;
};
Out run(int dlt, const std::vector<Buf>& packets) {
  Out out;
  Decoder dec;
  std::int64_t n = 0;
  for (const Buf& p : packets) {
    ++n;  // packets numbered from 1
    dec.decode(dlt, Time{n * 1000}, n, p, [&](const Decoded& d) {
      out.messages.push_back(d);
      out.messages.back().raw = {};
    });
  }
  out.stats = dec.stats();
  return out;
}

// The core-c pack's seven messages, checked against core-c's values.
void expect_core_c_pack(const Out& o, Transport t, std::optional<int> rssi, std::uint8_t counter) {
  ASSERT_EQ(o.messages.size(), 7u)
      << (o.stats.first_errors.empty() ? "" : o.stats.first_errors[0].error.detail);
  for (const Decoded& d : o.messages) {
    EXPECT_EQ(d.transport, t);
    EXPECT_EQ(d.mac, kMac);
    EXPECT_EQ(d.rssi_dbm, rssi);
    EXPECT_EQ(d.msg_counter, counter);
    EXPECT_EQ(d.pack_size, 7);
    EXPECT_EQ(d.message.protocol_version, 2);
  }
  EXPECT_EQ(std::get<BasicId>(o.messages[0].message.body).uas_id.view(), "12345678901234567890");
  const auto& l = std::get<Location>(o.messages[1].message.body);
  EXPECT_EQ(*l.lat_deg, 45.539309);
  EXPECT_EQ(*l.lon_deg, -122.966389);
  EXPECT_EQ(*l.height_m, 80.0);
  EXPECT_EQ(std::get<Auth>(o.messages[3].message.body).page, 1);
  EXPECT_EQ(std::get<SelfId>(o.messages[4].message.body).description.view(),
            "DronesRUS: Real Estate");
  EXPECT_EQ(std::get<System>(o.messages[5].message.body).area_radius_m, 70.0);
  EXPECT_EQ(std::get<OperatorId>(o.messages[6].message.body).operator_id.view(),
            "98765432100123456789");
  EXPECT_EQ(o.stats.errors, 0);
}

TEST(RemoteIdLink, WifiBeaconPlain80211) {
  expect_core_c_pack(run(kDltIeee80211, {beacon(17, core_c_pack())}), Transport::kWifiBeacon,
                     std::nullopt, 17);
}

TEST(RemoteIdLink, WifiBeaconRadiotapWithFcsAndExtendedBitmap) {
  expect_core_c_pack(run(kDltRadiotap, {radiotap(beacon(18, core_c_pack()), -61, true)}),
                     Transport::kWifiBeacon, -61, 18);
  expect_core_c_pack(run(kDltRadiotap, {radiotap(beacon(19, core_c_pack()), -70, false)}),
                     Transport::kWifiBeacon, -70, 19);
}

TEST(RemoteIdLink, WifiBadFcsIsDropped) {
  Buf p = radiotap(beacon(18, core_c_pack()), -61, true);
  p[60] ^= 0x01;
  const Out o = run(kDltRadiotap, {p});
  EXPECT_TRUE(o.messages.empty());
  EXPECT_EQ(o.stats.check_failed, 1);
}

TEST(RemoteIdLink, WifiNanWithOptionalServiceFields) {
  expect_core_c_pack(run(kDltRadiotap, {radiotap(nan_action(20, core_c_pack()), -50, true)}),
                     Transport::kWifiNan, -50, 20);
}

TEST(RemoteIdLink, OtherWifiFramesCarryNothing) {
  Buf probe = beacon(1, core_c_pack());
  probe[0] = 0x40;  // probe request
  Buf data = probe;
  data[0] = 0x08;  // data frame
  Buf protected_beacon = beacon(1, core_c_pack());
  protected_beacon[1] = 0x40;
  const Out o = run(kDltIeee80211, {probe, data, protected_beacon});
  EXPECT_TRUE(o.messages.empty());
  EXPECT_EQ(o.stats.other_packets, 3);
  EXPECT_EQ(o.stats.errors, 0);
}

TEST(RemoteIdLink, Bluetooth4LegacyAdvertisingLinkLayer) {
  const Buf adv = cat({kFlagsAd, ad_odid(5, unhex(kLocationHex))});
  const Out o = run(kDltBleLl, {with_crc(adv_nonconn(adv))});
  ASSERT_EQ(o.messages.size(), 1u);
  const Decoded& d = o.messages[0];
  EXPECT_EQ(d.transport, Transport::kBt4);
  EXPECT_EQ(d.mac, kMac);
  EXPECT_EQ(d.msg_counter, 5);
  EXPECT_EQ(d.pack_size, 0);
  EXPECT_FALSE(d.rssi_dbm);
  EXPECT_EQ(*std::get<Location>(d.message.body).direction_deg, 216);
  Buf bad = with_crc(adv_nonconn(adv));
  bad.back() ^= 0x80;
  EXPECT_EQ(run(kDltBleLl, {bad}).stats.check_failed, 1);
}

TEST(RemoteIdLink, Bluetooth5CodedPhyBehindPseudoHeader) {
  const Buf adv = ad_odid(9, core_c_pack());
  const Buf le = with_crc(aux_adv(adv));
  const Buf coded = cat({Buf(le.begin(), le.begin() + 4), {0x00}, Buf(le.begin() + 4, le.end())});
  // Signal valid, CRC checked and valid, PHY coded.
  expect_core_c_pack(run(kDltBleLlWithPhdr, {cat({le_phdr(-77, 0x0002 | 0x0C00 | 0x8000), coded})}),
                     Transport::kBt5, -77, 9);
  // CRC checked by the capture tool and wrong: dropped whatever the bytes say.
  EXPECT_EQ(run(kDltBleLlWithPhdr, {cat({le_phdr(-77, 0x0002 | 0x0400 | 0x8000), coded})})
                .stats.check_failed,
            1);
  // Not checked by the tool, 1M PHY: checked here.
  expect_core_c_pack(run(kDltBleLlWithPhdr, {cat({le_phdr(-40, 0x0000), le})}), Transport::kBt5,
                     std::nullopt, 9);
}

TEST(RemoteIdLink, NordicSnifferHeaderVersion2) {
  const Buf le = with_crc(adv_nonconn(ad_odid(3, unhex(kBasicIdHex))));
  const Out o = run(kDltNordicBle, {nordic_v2(le, 66, 0x01)});
  ASSERT_EQ(o.messages.size(), 1u);
  EXPECT_EQ(o.messages[0].rssi_dbm, -66);
  EXPECT_EQ(o.messages[0].transport, Transport::kBt4);
  EXPECT_EQ(run(kDltNordicBle, {nordic_v2(le, 66, 0x00)}).stats.check_failed, 1);
}

TEST(RemoteIdLink, HciLegacyReportsAndPseudoHeader) {
  const Buf odid = ad_odid(11, unhex(kBasicIdHex));
  const Buf h4 = hci_legacy({kFlagsAd, cat({kFlagsAd, odid})}, -58);
  for (const auto& [dlt, packet] :
       {std::pair{int{kDltHciH4}, h4},
        std::pair{int{kDltHciH4WithPhdr}, cat({le32(0x01000000), h4})}}) {
    const Out o = run(dlt, {packet});
    ASSERT_EQ(o.messages.size(), 1u) << dlt;
    EXPECT_EQ(o.messages[0].transport, Transport::kBt4);
    EXPECT_EQ(o.messages[0].rssi_dbm, -58);
    EXPECT_EQ(o.messages[0].mac, kMac);
    EXPECT_EQ(o.messages[0].msg_counter, 11);
  }
  // RSSI 127: not available.
  EXPECT_FALSE(run(kDltHciH4, {hci_legacy({odid}, 127)}).messages.at(0).rssi_dbm);
}

TEST(RemoteIdLink, HciExtendedReportsReassembled) {
  const Buf adv = cat({kFlagsAd, ad_odid(12, core_c_pack())});
  expect_core_c_pack(run(kDltHciH4, {hci_extended(adv, 0, -45)}), Transport::kBt5, -45, 12);
  // The same data split over three events: more, more, complete.
  const Buf a(adv.begin(), adv.begin() + 60), b(adv.begin() + 60, adv.begin() + 120),
      c(adv.begin() + 120, adv.end());
  const Out split =
      run(kDltHciH4, {hci_extended(a, 1, -45), hci_extended(b, 1, -45), hci_extended(c, 0, -45)});
  expect_core_c_pack(split, Transport::kBt5, -45, 12);
  EXPECT_EQ(split.messages[0].frame, 3);
  // Another set's fragments in between do not mix in.
  const Out mixed = run(kDltHciH4, {hci_extended(a, 1, -45), hci_extended(b, 1, -45, 9),
                                    hci_extended(b, 1, -45), hci_extended(c, 0, -45)});
  EXPECT_EQ(mixed.messages.size(), 7u);
  // The last fragment may be empty.
  const Out empty_tail = run(kDltHciH4, {hci_extended(adv, 1, -45), hci_extended({}, 0, -45)});
  EXPECT_EQ(empty_tail.messages.size(), 7u);
  // Truncated by the controller: dropped, counted.
  const Out cut = run(kDltHciH4, {hci_extended(a, 1, -45), hci_extended(b, 2, -45)});
  EXPECT_TRUE(cut.messages.empty());
  EXPECT_EQ(cut.stats.errors, 1);
  EXPECT_EQ(cut.stats.first_errors.at(0).frame, 2);
}

// ------------------------------------------------------------ failures ----

struct Sample {
  int dlt;
  Buf packet;
};
std::vector<Sample> samples() {
  const Buf pack = core_c_pack();
  const Buf adv = cat({kFlagsAd, ad_odid(1, pack)});
  const Buf le = with_crc(aux_adv(adv));
  return {{kDltIeee80211, beacon(1, pack)},
          {kDltRadiotap, radiotap(beacon(1, pack), -60, true)},
          {kDltRadiotap, radiotap(nan_action(1, pack), -60, false)},
          {kDltBleLl, le},
          {kDltBleLlWithPhdr, cat({le_phdr(-50, 0x0002), le})},
          {kDltNordicBle, nordic_v2(le, 50, 0x01)},
          {kDltHciH4, hci_legacy({ad_odid(1, unhex(kBasicIdHex))}, -50)},
          {kDltHciH4WithPhdr, cat({le32(1), hci_extended(adv, 0, -50)})}};
}

TEST(RemoteIdLink, EveryTruncationIsCountedNeverFatal) {
  for (const Sample& s : samples()) {
    const Out full = run(s.dlt, {s.packet});
    ASSERT_FALSE(full.messages.empty()) << s.dlt;
    for (std::size_t n = 0; n < s.packet.size(); ++n) {
      const Out o = run(s.dlt, {Buf(s.packet.begin(), s.packet.begin() + n)});
      EXPECT_EQ(o.stats.packets, 1);
      // Every sample ends with Remote ID bytes, a CRC or an FCS: any cut is an
      // error, a failed check, or (cut at an element boundary before the
      // Remote ID element) a well-formed packet without Remote ID.
      EXPECT_TRUE(o.messages.empty()) << s.dlt << " cut at " << n;
      EXPECT_EQ(o.stats.errors + o.stats.check_failed + o.stats.other_packets, 1)
          << s.dlt << " cut at " << n;
    }
  }
}

TEST(RemoteIdLink, BadLengthsAreNamedErrors) {
  Buf rt = radiotap(beacon(1, core_c_pack()), -60, false);
  rt[3] = 0x7F;  // radiotap length beyond the packet
  Buf ie = beacon(1, core_c_pack());
  ie[24 + 12 + 6 + 1] = 0xFF;  // the vendor IE's length
  Buf nan = nan_action(1, core_c_pack());
  nan[24 + 6 + 1] = 0xFF;  // first NAN attribute's length
  Buf nordic = nordic_v2(with_crc(adv_nonconn(ad_odid(1, unhex(kBasicIdHex)))), 50, 1);
  nordic[1] += 1;  // payload length one more than the packet
  Buf hci = hci_legacy({ad_odid(1, unhex(kBasicIdHex))}, -50);
  hci[2] = 0xFE;  // event parameter length
  Buf ad = hci_legacy({ad_odid(1, unhex(kBasicIdHex))}, -50);
  ad[3 + 2 + 8 + 0] = 0x40;  // the AD structure's length byte, inside the report
  for (const auto& [dlt, p] :
       {std::pair{int{kDltRadiotap}, rt}, std::pair{int{kDltIeee80211}, ie},
        std::pair{int{kDltIeee80211}, nan}, std::pair{int{kDltNordicBle}, nordic},
        std::pair{int{kDltHciH4}, hci}, std::pair{int{kDltHciH4}, ad}}) {
    const Out o = run(dlt, {p});
    EXPECT_TRUE(o.messages.empty()) << dlt;
    ASSERT_EQ(o.stats.errors, 1) << dlt;
    EXPECT_EQ(o.stats.first_errors[0].frame, 1);
    EXPECT_FALSE(o.stats.first_errors[0].error.detail.empty());
  }
}

TEST(RemoteIdLink, BadPacksAndUnknownVersionsInTransport) {
  Buf pack = core_c_pack();
  pack[2] = 10;  // count beyond 9
  const Out o = run(kDltIeee80211, {beacon(1, core_c_pack()), beacon(2, pack)});
  EXPECT_EQ(o.messages.size(), 7u);
  ASSERT_EQ(o.stats.errors, 1);
  EXPECT_EQ(o.stats.first_errors[0].frame, 2);
  EXPECT_NE(o.stats.first_errors[0].error.detail.find("count 10"), std::string::npos);
  // Protocol version 3 (unknown today) for the pack and its Location.
  Buf v3 = core_c_pack();
  v3[0] = 0xF3;
  v3[3 + 25] = 0x13;
  const Out u = run(kDltIeee80211, {beacon(3, v3)});
  EXPECT_EQ(u.messages.size(), 7u);
  EXPECT_EQ(u.stats.unknown_version, 1);
  EXPECT_EQ(u.messages[1].message.protocol_version, 3);
}

TEST(RemoteIdLink, UnsupportedLinkTypeIsAnError) {
  const Out o = run(1, {beacon(1, core_c_pack())});
  EXPECT_EQ(o.stats.errors, 1);
  EXPECT_EQ(o.stats.first_errors[0].error.code, ErrorCode::kUnsupported);
}

// ------------------------------------------------------ capture files ----

std::string write_pcap(const std::string& name, int dlt, const std::vector<Buf>& packets) {
  const std::string path = (std::filesystem::temp_directory_path() / name).string();
  pcap_t* dead = pcap_open_dead(dlt, 65535);
  pcap_dumper_t* dump = pcap_dump_open(dead, path.c_str());
  EXPECT_NE(dump, nullptr);
  long us = 0;
  for (const Buf& p : packets) {
    pcap_pkthdr h{};
    h.ts.tv_sec = 1700000000;
    h.ts.tv_usec = us += 250000;
    h.caplen = h.len = static_cast<bpf_u_int32>(p.size());
    pcap_dump(reinterpret_cast<u_char*>(dump), &h, p.data());
  }
  pcap_dump_close(dump);
  pcap_close(dead);
  return path;
}

TEST(RemoteIdCaptureFile, EveryLinkTypeThroughLibpcap) {
  int i = 0;
  for (const Sample& s : samples()) {
    const std::string path =
        write_pcap("skyfuse_rid_" + std::to_string(i++) + ".pcap", s.dlt, {s.packet, s.packet});
    std::vector<Decoded> got;
    auto st = decode_capture(path, [&](const Decoded& d) { got.push_back(d); });
    ASSERT_TRUE(st) << st.error().detail;
    EXPECT_EQ(st->packets, 2);
    EXPECT_EQ(st->rid_packets, 2) << s.dlt;
    ASSERT_FALSE(got.empty());
    EXPECT_EQ(got.front().frame, 1);
    EXPECT_EQ(got.back().frame, 2);
    EXPECT_EQ(got.front().time.ns, 1700000000LL * 1000000000 + 250000000);
    std::filesystem::remove(path);
  }
}

TEST(RemoteIdCaptureFile, DamagedAndForeignFiles) {
  const Buf pkt = beacon(1, core_c_pack());
  const std::string path = write_pcap("skyfuse_rid_cut.pcap", kDltIeee80211, {pkt, pkt, pkt});
  const auto size = std::filesystem::file_size(path);
  std::filesystem::resize_file(path, size - 40);  // the last record cut short
  long messages = 0;
  auto st = decode_capture(path, [&](const Decoded&) { ++messages; });
  ASSERT_TRUE(st);
  EXPECT_EQ(messages, 14);
  EXPECT_EQ(st->errors, 1);
  EXPECT_EQ(st->first_errors[0].error.code, ErrorCode::kIo);
  EXPECT_EQ(st->first_errors[0].frame, 3);

  const std::string eth = write_pcap("skyfuse_rid_eth.pcap", 1, {pkt});
  auto unsupported = decode_capture(eth, [](const Decoded&) {});
  ASSERT_FALSE(unsupported);
  EXPECT_EQ(unsupported.error().code, ErrorCode::kUnsupported);

  std::ofstream(path, std::ios::trunc) << "not a capture\n";
  auto text = decode_capture(path, [](const Decoded&) {});
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().code, ErrorCode::kIo);
  EXPECT_FALSE(decode_capture("/nonexistent/x.pcap", [](const Decoded&) {}));
  std::filesystem::remove(path);
  std::filesystem::remove(eth);
}

TEST(RemoteIdCaptureFile, FromMemory) {
  const std::string path = write_pcap("skyfuse_rid_mem.pcap", kDltRadiotap,
                                      {radiotap(beacon(1, core_c_pack()), -60, true)});
  std::ifstream in(path, std::ios::binary);
  const Buf file{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  auto reader = CaptureReader::open_memory(file);
  ASSERT_TRUE(reader);
  long messages = 0;
  auto st = decode_capture(*reader, [&](const Decoded&) { ++messages; });
  ASSERT_TRUE(st);
  EXPECT_EQ(messages, 7);
  EXPECT_FALSE(CaptureReader::open_memory(Buf(10, 0)));
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace skyfuse::decode::remoteid
