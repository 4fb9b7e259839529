// Every Remote ID message of the shared captures, read through libpcap and the
// link layers, against the oracles made by others:
//   *.decoded.jsonl      per-message decode cross-checked with opendroneid-core-c
//                        (frame, capture time, transport, counter, pack position,
//                        raw bytes and every field);
//   *.tshark-fields.tsv  Wireshark 4.0.17 per packet: capture time (ns), radiotap
//                        antenna signal / nRF Sniffer RSSI, transmitter address,
//                        802.11 FCS status, nRF Sniffer CRC flag;
//   *_track.csv          the unique Location reports as a track (position fixes).
// The Bluetooth 5 sample's 30 bad-CRC packets must be dropped, by the sniffer's
// flag and by our own CRC-24 alike.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "decode/remoteid/capture.hpp"
#include "decode/remoteid/fix.hpp"

namespace skyfuse::decode::remoteid {
namespace {

using nlohmann::json;

std::string data(const std::string& name) {
  return std::string(SKYFUSE_SOURCE_DIR) + "/tests/data/remoteid/" + name;
}

std::string hex(Bytes b) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (const std::uint8_t c : b) {
    s += d[c >> 4];
    s += d[c & 15];
  }
  return s;
}

std::string mac_text(const Mac& m) {
  char b[18];
  std::snprintf(b, sizeof b, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
  return b;
}

struct Got {
  Decoded d;
  std::string raw_hex;
};
using Key = std::pair<std::int64_t, int>;  // frame, pack index

struct Decoding {
  std::map<Key, Got> messages;
  DecoderStats stats;
};

Decoding decode_file(const std::string& name) {
  Decoding run;
  auto stats = decode_capture(data(name), [&](const Decoded& d) {
    Got g{d, hex(d.raw)};
    g.d.raw = {};
    EXPECT_TRUE(run.messages.emplace(Key{d.frame, d.pack_index}, g).second);
  });
  EXPECT_TRUE(stats) << (stats ? "" : stats.error().detail);
  if (stats) run.stats = *stats;
  return run;
}

std::vector<json> oracle(const std::string& name) {
  std::ifstream in(data(name));
  std::vector<json> v;
  for (std::string line; std::getline(in, line);) v.push_back(json::parse(line));
  return v;
}

// An optional value against the oracle, which prints the sentinel instead of
// "unknown"; counts the fields compared.
struct Checker {
  int fields = 0;
  void same(double got, const json& want, const std::string& what) {
    EXPECT_DOUBLE_EQ(got, want.get<double>()) << what;
    ++fields;
  }
  void same(const std::optional<double>& got, const json& want, double sentinel,
            const std::string& what) {
    if (want.get<double>() == sentinel) {
      EXPECT_FALSE(got) << what << " is the sentinel " << sentinel;
    } else {
      EXPECT_TRUE(got) << what;
      if (got) {
        EXPECT_DOUBLE_EQ(*got, want.get<double>()) << what;
      }
    }
    ++fields;
  }
  void same_int(int got, const json& want, const std::string& what) {
    EXPECT_EQ(got, want.get<int>()) << what;
    ++fields;
  }
  void same_text(std::string_view got, const json& want, const std::string& what) {
    EXPECT_EQ(got, want.get<std::string>()) << what;
    ++fields;
  }

  void message(const Got& g, const json& o) {
    const std::string at =
        "frame " + std::to_string(g.d.frame) + " #" + std::to_string(g.d.pack_index) + " ";
    const Message& m = g.d.message;
    same_int(static_cast<int>(m.type()), o["msg_type"], at + "type");
    same_int(m.protocol_version, o["proto_version"], at + "version");
    same_text(g.raw_hex, o["raw_hex"], at + "raw");
    same_int(g.d.msg_counter, o["msg_counter"], at + "counter");
    same_int(g.d.pack_size, o["pack_size"], at + "pack size");
    EXPECT_NEAR(g.d.time.seconds(), o["capture_time"].get<double>(), 2e-6) << at;
    ++fields;
    const std::string t = o["transport"];
    const Transport want = t == "wifi-beacon" ? Transport::kWifiBeacon
                           : t == "wifi-nan"  ? Transport::kWifiNan
                                              : Transport::kBt5;  // the BT5 long-range sample
    EXPECT_EQ(g.d.transport, want) << at;
    ++fields;
    if (const auto* b = std::get_if<BasicId>(&m.body)) {
      same_int(b->id_type, o["id_type"], at + "id_type");
      same_int(b->ua_type, o["ua_type"], at + "ua_type");
      same_text(b->uas_id.view(), o["uas_id"], at + "uas_id");
    } else if (const auto* l = std::get_if<Location>(&m.body)) {
      same_int(l->status, o["status"], at + "status");
      same_int(static_cast<int>(l->height_type), o["height_type"], at + "height_type");
      same(l->direction_deg, o["direction_deg"], 361, at + "direction");
      same(l->speed_h_mps, o["speed_h_mps"], 255, at + "speed_h");
      same(l->speed_v_mps, o["speed_v_mps"], 63, at + "speed_v");
      if (o["lat_raw"] == 0 && o["lon_raw"] == 0) {
        EXPECT_FALSE(l->lat_deg || l->lon_deg) << at << "lat/lon 0/0 is unknown";
      } else {
        same(l->lat_deg.value_or(NAN), o["lat_raw"].get<double>() / 1e7, at + "lat");
        same(l->lon_deg.value_or(NAN), o["lon_raw"].get<double>() / 1e7, at + "lon");
        EXPECT_NEAR(*l->lat_deg, o["lat"].get<double>(), 1e-12);
        EXPECT_NEAR(*l->lon_deg, o["lon"].get<double>(), 1e-12);
      }
      same(l->alt_baro_m, o["alt_baro_m"], -1000, at + "alt_baro");
      same(l->alt_geo_m, o["alt_geo_m"], -1000, at + "alt_geo");
      same(l->height_m, o["height_m"], -1000, at + "height");
      same_int(l->horizontal_accuracy, o["horiz_acc"], at + "horiz_acc");
      same_int(l->vertical_accuracy, o["vert_acc"], at + "vert_acc");
      same_int(l->baro_accuracy, o["baro_acc"], at + "baro_acc");
      same_int(l->speed_accuracy, o["speed_acc"], at + "speed_acc");
      if (o["ts_tenths_after_hour"] == 0xFFFF) {
        EXPECT_FALSE(l->timestamp_s) << at;
      } else {
        same(l->timestamp_s.value_or(NAN), o["ts_s_after_hour"], at + "timestamp");
      }
      same(l->timestamp_accuracy_s, o["ts_acc"].get<double>() / 10, 0, at + "ts_acc");
    } else if (const auto* s = std::get_if<SelfId>(&m.body)) {
      same_int(s->description_type, o["desc_type"], at + "desc_type");
      same_text(s->description.view(), o["desc"], at + "desc");
    } else if (const auto* y = std::get_if<System>(&m.body)) {
      same_int(y->operator_location_type, o["operator_location_type"], at + "op loc type");
      same_int(y->classification_type, o["classification_type"], at + "classification");
      if (o["operator_lat"] == 0 && o["operator_lon"] == 0) {
        EXPECT_FALSE(y->operator_lat_deg || y->operator_lon_deg) << at;
      } else {
        same(y->operator_lat_deg.value_or(NAN), o["operator_lat"], at + "operator lat");
        same(y->operator_lon_deg.value_or(NAN), o["operator_lon"], at + "operator lon");
      }
      same_int(y->area_count, o["area_count"], at + "area_count");
      same(y->area_radius_m, o["area_radius_m"], at + "area_radius");
      same(y->area_ceiling_m, o["area_ceiling_m"], -1000, at + "ceiling");
      same(y->area_floor_m, o["area_floor_m"], -1000, at + "floor");
      same_int(y->category_eu, o["category_eu"], at + "category");
      same_int(y->class_eu, o["class_eu"], at + "class");
      same(y->operator_alt_geo_m, o["operator_alt_geo_m"], -1000, at + "operator alt");
      const auto ts = o["timestamp_s_since_2019"].get<std::int64_t>();
      if (ts == 0) {
        EXPECT_FALSE(y->timestamp) << at;
      } else {
        EXPECT_EQ(y->timestamp->ns, (kEpoch2019Unix + ts) * 1000000000) << at;
      }
      ++fields;
    } else if (const auto* op = std::get_if<OperatorId>(&m.body)) {
      same_int(op->operator_id_type, o["operator_id_type"], at + "operator id type");
      same_text(op->operator_id.view(), o["operator_id"], at + "operator id");
    } else {
      ADD_FAILURE() << at << "unexpected message type";
    }
  }
};

struct Case {
  const char* capture;
  const char* decoded;
  std::size_t messages;
  long check_failed;
};

class RemoteIdCapture : public ::testing::TestWithParam<Case> {};

TEST_P(RemoteIdCapture, EveryMessageEqualsTheOracle) {
  const Case& c = GetParam();
  const Decoding run = decode_file(c.capture);
  const auto want = oracle(c.decoded);
  ASSERT_EQ(want.size(), c.messages);
  EXPECT_EQ(run.messages.size(), want.size());
  EXPECT_EQ(run.stats.messages, static_cast<long>(want.size()));
  EXPECT_EQ(run.stats.check_failed, c.check_failed);
  Checker check;
  for (const json& o : want) {
    const Key k{o["frame"].get<std::int64_t>(), o["pack_index"].get<int>()};
    const auto it = run.messages.find(k);
    if (it == run.messages.end()) {
      ADD_FAILURE() << c.capture << ": frame " << k.first << " message " << k.second
                    << " not decoded";
      continue;
    }
    check.message(it->second, o);
  }
  RecordProperty("fields_checked", check.fields);
  std::printf("%s: %zu messages, %d fields equal the oracle\n", c.capture, want.size(),
              check.fields);
}

INSTANTIATE_TEST_SUITE_P(
    Shared, RemoteIdCapture,
    ::testing::Values(
        Case{"odid_wifi_bcn_sample.pcap", "odid_wifi_bcn_sample.decoded.jsonl", 105, 0},
        Case{"odid_wifi_sample.pcap", "odid_wifi_sample.decoded.jsonl", 42, 0},
        Case{"odid_bt5_lr_sample.pcapng", "odid_bt5_lr_sample.decoded.jsonl", 1069, 30},
        Case{"parrot_anafi4_real_rid_only.pcapng", "parrot_anafi4_real_rid_only.decoded.jsonl",
             2295, 0}));

// ------------------------------------------------------- Wireshark fields ----

std::vector<std::vector<std::string>> tsv(const std::string& name) {
  std::ifstream in(data(name));
  std::vector<std::vector<std::string>> rows;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> row;
    std::stringstream ss(line);
    for (std::string cell; std::getline(ss, cell, '\t');) row.push_back(cell);
    while (row.size() < 6) row.emplace_back();
    rows.push_back(row);
  }
  return rows;
}

std::int64_t epoch_ns(const std::string& s) {  // "1680365730.415058438"
  const auto dot = s.find('.');
  std::string frac = s.substr(dot + 1);
  frac.resize(9, '0');
  return std::stoll(s.substr(0, dot)) * 1000000000 + std::stoll(frac);
}

TEST(RemoteIdCapture, TimeAddressAndSignalEqualWireshark) {
  for (const std::string name : {"odid_wifi_bcn_sample", "odid_wifi_sample", "odid_bt5_lr_sample",
                                 "parrot_anafi4_real_rid_only"}) {
    const bool bt = name.starts_with("odid_bt5");
    const Decoding run =
        decode_file(name + (name.ends_with("sample") && !bt ? ".pcap" : ".pcapng"));
    std::map<std::int64_t, const Decoded*> by_frame;
    for (const auto& [k, g] : run.messages) by_frame[k.first] = &g.d;
    int checked = 0;
    for (const auto& row : tsv(name + ".tshark-fields.tsv")) {
      const std::int64_t frame = std::stoll(row[0]);
      const auto it = by_frame.find(frame);
      if (it == by_frame.end()) continue;  // NAN sync beacons, empty packs, bad CRC
      const Decoded& d = *it->second;
      EXPECT_EQ(d.time.ns, epoch_ns(row[1])) << name << " frame " << frame;
      ASSERT_TRUE(d.rssi_dbm && d.mac);
      EXPECT_EQ(*d.rssi_dbm, std::stoi(row[2])) << name << " frame " << frame;
      EXPECT_EQ(mac_text(*d.mac), row[3]) << name << " frame " << frame;
      if (bt) {
        EXPECT_EQ(row[4], "1") << "decoded a frame the sniffer flagged bad";
      } else if (!row[5].empty()) {
        EXPECT_EQ(row[5], "1") << "FCS checked good by Wireshark";
      }
      ++checked;
    }
    EXPECT_EQ(checked, static_cast<int>(by_frame.size())) << name;
    std::printf("%s: %d packets' time, address and RSSI equal Wireshark's\n", name.c_str(),
                checked);
  }
}

// Our own CRC-24 agrees with the nRF Sniffer's CRC flag on all 274 packets.
TEST(RemoteIdCapture, BleCrcAgreesWithTheSniffer) {
  auto reader = CaptureReader::open(data("odid_bt5_lr_sample.pcapng"));
  ASSERT_TRUE(reader);
  ASSERT_EQ(reader->link_type(), kDltNordicBle);
  const auto rows = tsv("odid_bt5_lr_sample.tshark-fields.tsv");
  int bad = 0, n = 0;
  while (true) {
    auto p = reader->next();
    ASSERT_TRUE(p);
    if (!p->has_value()) break;
    const Bytes b = (*p)->data;
    const bool sniffer_ok = rows.at(static_cast<std::size_t>(n))[4] == "1";
    ++n;
    auto by_flag = parse_nordic_ble(b);
    ASSERT_TRUE(by_flag) << by_flag.error().detail;
    EXPECT_EQ(by_flag->check_failed, !sniffer_ok);
    // The LE packet after the 17-byte header (version 3), coded PHY: our CRC.
    auto by_crc = detail::ble_packet(b.subspan(17), true, -1, std::nullopt);
    ASSERT_TRUE(by_crc || !sniffer_ok);
    if (by_crc) {
      EXPECT_EQ(by_crc->check_failed, !sniffer_ok) << "packet " << n;
    }
    bad += !sniffer_ok;
  }
  EXPECT_EQ(n, 274);
  EXPECT_EQ(bad, 30);
}

TEST(RemoteIdCapture, CountsOfEachFile) {
  const Decoding bt = decode_file("odid_bt5_lr_sample.pcapng");
  EXPECT_EQ(bt.stats.packets, 274);
  EXPECT_EQ(bt.stats.check_failed, 30);
  // The transmitter's first packets hold packs of 0 messages (the standard
  // allows 1..9): malformed, counted with their frame numbers.
  EXPECT_EQ(bt.stats.errors, 19);
  for (const auto& e : bt.stats.first_errors) {
    EXPECT_LE(e.frame, 25);
    EXPECT_NE(e.error.detail.find("count 0"), std::string::npos) << e.error.detail;
  }
  const Decoding nan = decode_file("odid_wifi_sample.pcap");
  EXPECT_EQ(nan.stats.other_packets, 21);  // NAN sync beacons
  EXPECT_EQ(nan.stats.payloads_per_transport[static_cast<int>(Transport::kWifiNan)], 21);
  EXPECT_EQ(nan.stats.payloads_per_transport[static_cast<int>(Transport::kWifiBeacon)], 21);
  EXPECT_EQ(nan.stats.errors, 0);
  const Decoding parrot = decode_file("parrot_anafi4_real_rid_only.pcapng");
  EXPECT_EQ(parrot.stats.rid_packets, 1140);
  EXPECT_EQ(parrot.stats.errors, 0);
}

// ------------------------------------------------------------ track csv ----

TEST(RemoteIdCapture, PositionFixesEqualTheTrack) {
  for (const auto& [capture, track] :
       {std::pair{"parrot_anafi4_real_rid_only.pcapng", "parrot_anafi4_real_track.csv"},
        std::pair{"odid_wifi_bcn_sample.pcap", "odid_wifi_bcn_sample_track.csv"}}) {
    const Decoding run = decode_file(capture);
    std::ifstream in(data(track));
    std::string line;
    std::getline(in, line);
    int rows = 0;
    while (std::getline(in, line)) {
      std::vector<std::string> c;
      std::stringstream ss(line);
      for (std::string cell; std::getline(ss, cell, ',');) c.push_back(cell);
      const std::int64_t frame = std::stoll(c[1]);
      const Location* loc = nullptr;
      Time t;
      for (const auto& [k, g] : run.messages)
        if (k.first == frame && (loc = std::get_if<Location>(&g.d.message.body))) {
          t = g.d.time;
          break;
        }
      ASSERT_NE(loc, nullptr) << track << " frame " << frame;
      const auto fix = to_fix(*loc, t, c[2]);
      ASSERT_TRUE(fix);
      EXPECT_EQ(fix->uas_id, c[2]);
      EXPECT_EQ(fix->status, std::stoi(c[4]));
      EXPECT_DOUBLE_EQ(fix->lat_deg, std::stod(c[5]));
      EXPECT_DOUBLE_EQ(fix->lon_deg, std::stod(c[6]));
      EXPECT_EQ(static_cast<int>(fix->height_type), std::stoi(c[9]));
      EXPECT_DOUBLE_EQ(fix->height_m.value_or(-1000), std::stod(c[10]));
      EXPECT_DOUBLE_EQ(fix->alt_geo_m.value_or(-1000), std::stod(c[8]));
      const double speed = std::stod(c[11]), dir = std::stod(c[13]) * M_PI / 180;
      ASSERT_TRUE(fix->velocity_east_mps);
      EXPECT_NEAR(*fix->velocity_east_mps, speed * std::sin(dir), 1e-9);
      EXPECT_NEAR(*fix->velocity_north_mps, speed * std::cos(dir), 1e-9);
      EXPECT_EQ(fix->horizontal_accuracy_m.has_value(), c[14] != "0");
      ++rows;
    }
    EXPECT_GT(rows, 10) << track;
  }
}

}  // namespace
}  // namespace skyfuse::decode::remoteid
