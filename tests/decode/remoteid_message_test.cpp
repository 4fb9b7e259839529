// Remote ID messages against the reference library opendroneid-core-c: the
// encoded bytes of test_inout.c's inputs with the values core-c decodes from
// them (reference_vectors.txt and the raw program output), the 7-message pack,
// the accuracy tables, and hand-built edge cases (sentinels, unknown version,
// bad lengths, bad packs).
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "decode/remoteid/message.hpp"

namespace skyfuse::decode::remoteid {
namespace {

using nlohmann::json;

std::string data(const char* name) {
  return std::string(SKYFUSE_SOURCE_DIR) + "/tests/data/remoteid/" + name;
}

std::vector<std::uint8_t> unhex(std::string s) {
  std::erase(s, ' ');
  std::vector<std::uint8_t> b;
  for (std::size_t i = 0; i + 1 < s.size(); i += 2)
    b.push_back(static_cast<std::uint8_t>(std::stoul(s.substr(i, 2), nullptr, 16)));
  return b;
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

std::int64_t unix_s(const std::optional<Time>& t) { return t ? t->ns / 1000000000 : -1; }

// reference_vectors.txt: [Name] sections with HEX and DECODED (a Python dict).
struct Vector {
  std::vector<std::uint8_t> bytes;
  json decoded;
};
std::map<std::string, Vector> reference_vectors() {
  std::ifstream in(data("reference_vectors.txt"));
  std::map<std::string, Vector> out;
  std::string line, section;
  while (std::getline(in, line)) {
    if (line.starts_with("[")) section = line.substr(1, line.find(']') - 1);
    if (line.starts_with("HEX")) out[section].bytes = unhex(line.substr(3));
    if (line.starts_with("DECODED {")) {
      std::string d = line.substr(8);
      for (char& c : d)
        if (c == '\'') c = '"';
      for (std::size_t p; (p = d.find("None")) != std::string::npos;) d.replace(p, 4, "null");
      out[section].decoded = json::parse(d);
    }
  }
  return out;
}

Message must_decode(const std::vector<std::uint8_t>& b) {
  auto r = decode_message(b);
  EXPECT_TRUE(r) << (r ? "" : r.error().detail);
  return r ? *r : Message{};
}

// Days from civil for "YYYY-MM-DDTHH:MM:SS..." (the oracle's ISO time).
std::int64_t iso_unix(const std::string& s) {
  const auto num = [&](std::size_t at, std::size_t n) { return std::stoi(s.substr(at, n)); };
  return days_from_civil(num(0, 4), static_cast<unsigned>(num(5, 2)),
                         static_cast<unsigned>(num(8, 2))) *
             86400 +
         num(11, 2) * 3600 + num(14, 2) * 60 + num(17, 2);
}

TEST(RemoteIdReferenceVectors, EveryMessageMatchesCoreC) {
  const auto v = reference_vectors();
  ASSERT_EQ(v.size(), 8u);
  int fields = 0;
  const auto eq = [&](const auto& got, const json& want) {
    EXPECT_EQ(got, want.get<std::decay_t<decltype(got)>>());
    ++fields;
  };
  for (const auto& [name, vec] : v) {
    if (name == "MessagePack") continue;
    const json& d = vec.decoded;
    ASSERT_EQ(vec.bytes.size(), kMessageSize) << name;
    const Message m = must_decode(vec.bytes);
    eq(static_cast<int>(m.type()), d["msg_type"]);
    eq(static_cast<int>(m.protocol_version), d["proto_version"]);
    if (const auto* b = std::get_if<BasicId>(&m.body)) {
      eq(static_cast<int>(b->id_type), d["id_type"]);
      eq(static_cast<int>(b->ua_type), d["ua_type"]);
      eq(std::string(b->uas_id.view()), d["uas_id"]);
    } else if (const auto* l = std::get_if<Location>(&m.body)) {
      eq(static_cast<int>(l->status), d["status"]);
      eq(static_cast<int>(l->height_type), d["height_type"]);
      eq(l->direction_deg.value(), d["direction_deg"]);
      eq(l->speed_h_mps.value(), d["speed_h_mps"]);
      eq(l->speed_v_mps.value(), d["speed_v_mps"]);
      eq(l->lat_deg.value(), d["lat_raw"].get<double>() / 1e7);
      eq(l->lon_deg.value(), d["lon_raw"].get<double>() / 1e7);
      EXPECT_NEAR(*l->lat_deg, d["lat"].get<double>(), 1e-12);
      EXPECT_NEAR(*l->lon_deg, d["lon"].get<double>(), 1e-12);
      eq(l->alt_baro_m.value(), d["alt_baro_m"]);
      eq(l->alt_geo_m.value(), d["alt_geo_m"]);
      eq(l->height_m.value(), d["height_m"]);
      eq(static_cast<int>(l->horizontal_accuracy), d["horiz_acc"]);
      eq(static_cast<int>(l->vertical_accuracy), d["vert_acc"]);
      eq(static_cast<int>(l->baro_accuracy), d["baro_acc"]);
      eq(static_cast<int>(l->speed_accuracy), d["speed_acc"]);
      eq(l->timestamp_s.value(), d["ts_s_after_hour"]);
      eq(l->timestamp_accuracy_s.value(), d["ts_acc"].get<double>() / 10);
    } else if (const auto* a = std::get_if<Auth>(&m.body)) {
      eq(static_cast<int>(a->auth_type), d["auth_type"]);
      eq(static_cast<int>(a->page), d["page"]);
      eq(hex(a->data_view()), d["auth_data_hex"]);
      if (a->page == 0) {
        eq(static_cast<int>(a->last_page_index), d["last_page_index"]);
        eq(static_cast<int>(a->length), d["length"]);
        eq(unix_s(a->timestamp), kEpoch2019Unix + d["timestamp_s_since_2019"].get<std::int64_t>());
      }
    } else if (const auto* s = std::get_if<SelfId>(&m.body)) {
      eq(static_cast<int>(s->description_type), d["desc_type"]);
      eq(std::string(s->description.view()), d["desc"]);
    } else if (const auto* y = std::get_if<System>(&m.body)) {
      eq(static_cast<int>(y->operator_location_type), d["operator_location_type"]);
      eq(static_cast<int>(y->classification_type), d["classification_type"]);
      eq(y->operator_lat_deg.value(), d["operator_lat"]);
      eq(y->operator_lon_deg.value(), d["operator_lon"]);
      eq(static_cast<int>(y->area_count), d["area_count"]);
      eq(y->area_radius_m, d["area_radius_m"]);
      eq(y->area_ceiling_m.value(), d["area_ceiling_m"]);
      eq(y->area_floor_m.value(), d["area_floor_m"]);
      eq(static_cast<int>(y->category_eu), d["category_eu"]);
      eq(static_cast<int>(y->class_eu), d["class_eu"]);
      eq(y->operator_alt_geo_m.value(), d["operator_alt_geo_m"]);
      eq(unix_s(y->timestamp), kEpoch2019Unix + d["timestamp_s_since_2019"].get<std::int64_t>());
      eq(unix_s(y->timestamp), iso_unix(d["timestamp_utc"].get<std::string>()));
    } else if (const auto* o = std::get_if<OperatorId>(&m.body)) {
      eq(static_cast<int>(o->operator_id_type), d["operator_id_type"]);
      eq(std::string(o->operator_id.view()), d["operator_id"]);
    }
  }
  EXPECT_EQ(fields, 59);  // every field of the 7 DECODED lines
}

TEST(RemoteIdReferenceVectors, MessagePackHoldsTheSevenMessages) {
  const auto v = reference_vectors();
  std::vector<std::uint8_t> payload{0x2A};  // a message counter, then the pack
  const auto& pack = v.at("MessagePack").bytes;
  ASSERT_EQ(pack.size(), 178u);
  payload.insert(payload.end(), pack.begin(), pack.end());
  auto p = parse_payload(payload);
  ASSERT_TRUE(p) << p.error().detail;
  EXPECT_EQ(p->counter, 0x2A);
  EXPECT_TRUE(p->packed);
  EXPECT_EQ(p->pack_version, 2);
  ASSERT_EQ(p->count(), 7u);
  const char* order[] = {"BasicID", "Location", "Auth0", "Auth1", "SelfID", "System", "OperatorID"};
  for (std::size_t i = 0; i < 7; ++i) {
    EXPECT_EQ(hex(p->message(i)), hex(v.at(order[i]).bytes)) << order[i];
    auto m = decode_message(p->message(i));
    ASSERT_TRUE(m);
    EXPECT_EQ(static_cast<int>(m->type()), v.at(order[i]).decoded["msg_type"].get<int>());
  }
}

// test_inout_program_output.txt: the encoded bytes core-c wrote and the values
// its own decoder printed (accuracies already turned into metres).
struct ProgramOutput {
  std::map<std::string, std::vector<std::uint8_t>> encoded;
  std::map<std::string, std::map<std::string, std::string>> decoded;
};
ProgramOutput program_output() {
  std::ifstream in(data("test_inout_program_output.txt"));
  ProgramOutput out;
  std::string line, part, section;
  while (std::getline(in, line)) {
    if (line.find("Source Data") != std::string::npos) part = "source";
    if (line.find("Encoded Data") != std::string::npos) part = "encoded";
    if (line.find("Decoded Data") != std::string::npos) part = "decoded";
    if (line.find("End") != std::string::npos) part.clear();
    const auto colon = line.find(':');
    if (part == "encoded" && colon != std::string::npos && !line.starts_with(" "))
      out.encoded[line.substr(0, colon)] = unhex(line.substr(colon + 1));
    if (part != "decoded") continue;
    if (!line.empty() && line.find(':') == std::string::npos && line[0] != '-') section = line;
    if (colon != std::string::npos) {
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      while (!value.empty() && value.back() == ' ') value.pop_back();
      out.decoded[section][line.substr(0, colon)] = value;
    }
  }
  return out;
}

// "a, b, c" (after the last colon, e.g. "Baro, Geo, Height above Ground: 1, 2, 3").
std::vector<double> numbers(const std::string& s) {
  std::vector<double> v;
  std::stringstream ss(s.substr(s.rfind(':') == std::string::npos ? 0 : s.rfind(':') + 1));
  std::string item;
  while (std::getline(ss, item, ',')) v.push_back(std::stod(item));
  return v;
}

TEST(RemoteIdCoreCProgram, DecodedValuesMatch) {
  const ProgramOutput o = program_output();
  ASSERT_EQ(o.encoded.size(), 7u);
  const auto msg = [&](const char* name) { return must_decode(o.encoded.at(name)); };
  const auto& dl = o.decoded.at("Location");
  const Location l = std::get<Location>(msg("Location").body);
  EXPECT_EQ(l.status, std::stoi(dl.at("Status")));
  EXPECT_DOUBLE_EQ(*l.direction_deg, std::stod(dl.at("Direction")));
  EXPECT_DOUBLE_EQ(*l.speed_h_mps, std::stod(dl.at("SpeedHori")));
  EXPECT_DOUBLE_EQ(*l.speed_v_mps, std::stod(dl.at("SpeedVert")));
  const auto ll = numbers(dl.at("Lat/Lon"));
  EXPECT_NEAR(*l.lat_deg, ll[0], 5e-8);
  EXPECT_NEAR(*l.lon_deg, ll[1], 5e-8);
  const auto alt = numbers(dl.at("Alt"));  // "Baro, Geo, Height above Ground: ..."
  EXPECT_DOUBLE_EQ(*l.alt_baro_m, alt[0]);
  EXPECT_DOUBLE_EQ(*l.alt_geo_m, alt[1]);
  EXPECT_DOUBLE_EQ(*l.height_m, alt[2]);
  EXPECT_EQ(l.height_type, HeightType::kAboveGround);
  const auto acc = numbers(dl.at("Horiz, Vert, Baro, Speed, TS Accuracy"));
  EXPECT_DOUBLE_EQ(*horizontal_accuracy_m(l.horizontal_accuracy), acc[0]);
  EXPECT_DOUBLE_EQ(*vertical_accuracy_m(l.vertical_accuracy), acc[1]);
  EXPECT_DOUBLE_EQ(*vertical_accuracy_m(l.baro_accuracy), acc[2]);
  EXPECT_DOUBLE_EQ(*speed_accuracy_mps(l.speed_accuracy), acc[3]);
  EXPECT_NEAR(*l.timestamp_accuracy_s, acc[4], 1e-12);
  EXPECT_DOUBLE_EQ(*l.timestamp_s, std::stod(dl.at("TimeStamp")));

  const BasicId b = std::get<BasicId>(msg("BasicID").body);
  EXPECT_EQ(b.ua_type, std::stoi(o.decoded.at("BasicID").at("UAType")));
  EXPECT_EQ(b.id_type, std::stoi(o.decoded.at("BasicID").at("IDType")));
  EXPECT_EQ(b.uas_id.view(), o.decoded.at("BasicID").at("UASID"));

  for (const char* name : {"Auth0", "Auth1"}) {
    const Auth a = std::get<Auth>(msg(name).body);
    const auto& da = o.decoded.at(name);
    EXPECT_EQ(a.auth_type, std::stoi(da.at("AuthType")));
    EXPECT_EQ(a.page, std::stoi(da.at("DataPage")));
    std::string bytes;
    for (const std::uint8_t c : a.data_view()) {
      char text[8];
      std::snprintf(text, sizeof text, "%s0x%02x", bytes.empty() ? "" : " ", c);
      bytes += text;
    }
    EXPECT_EQ(bytes, da.at("AuthData"));
    if (a.page == 0) {
      EXPECT_EQ(a.last_page_index, std::stoi(da.at("LastPageIndex")));
      EXPECT_EQ(a.length, std::stoi(da.at("Length")));
      EXPECT_EQ(unix_s(a.timestamp) - kEpoch2019Unix, std::stoll(da.at("Timestamp")));
    }
  }

  const SelfId s = std::get<SelfId>(msg("SelfID").body);
  EXPECT_EQ(s.description_type, std::stoi(o.decoded.at("SelfID").at("DescType")));
  EXPECT_EQ(s.description.view(), o.decoded.at("SelfID").at("Desc"));

  const System y = std::get<System>(msg("System").body);
  const auto& ds = o.decoded.at("System");
  EXPECT_EQ(y.operator_location_type, std::stoi(ds.at("Operator Location Type")));
  EXPECT_EQ(y.classification_type, std::stoi(ds.at("Classification Type")));
  const auto ol = numbers(ds.at("Lat/Lon"));
  EXPECT_NEAR(*y.operator_lat_deg, ol[0], 5e-8);
  EXPECT_NEAR(*y.operator_lon_deg, ol[1], 5e-8);
  const auto area = numbers(ds.at("Area Count, Radius, Ceiling, Floor"));
  EXPECT_EQ(y.area_count, area[0]);
  EXPECT_DOUBLE_EQ(y.area_radius_m, area[1]);
  EXPECT_DOUBLE_EQ(*y.area_ceiling_m, area[2]);
  EXPECT_DOUBLE_EQ(*y.area_floor_m, area[3]);
  // "Category EU: 2, Class EU: 4, Altitude: 20.50, Timestamp: 28000000"
  const std::string cat = ds.at("Category EU");
  EXPECT_EQ(y.category_eu, std::stoi(cat));
  EXPECT_EQ(y.class_eu, std::stoi(cat.substr(cat.find("Class EU: ") + 10)));
  EXPECT_DOUBLE_EQ(*y.operator_alt_geo_m, std::stod(cat.substr(cat.find("Altitude: ") + 10)));
  EXPECT_EQ(unix_s(y.timestamp) - kEpoch2019Unix,
            std::stoll(cat.substr(cat.find("Timestamp: ") + 11)));

  const OperatorId op = std::get<OperatorId>(msg("OperatorID").body);
  EXPECT_EQ(op.operator_id_type, std::stoi(o.decoded.at("OperatorID").at("OperatorIdType")));
  EXPECT_EQ(op.operator_id.view(), o.decoded.at("OperatorID").at("OperatorId"));
}

// The accuracy classes as opendroneid-core-c's enums name them
// (ODID_HOR_ACC_10NM = 1 "18.52 km" ... ODID_HOR_ACC_1_METER = 12).
TEST(RemoteIdAccuracy, TablesAsInCoreC) {
  const double horiz[] = {18520, 7408, 3704, 1852, 926, 555.6, 185.2, 92.6, 30, 10, 3, 1};
  for (int c = 1; c <= 12; ++c)
    EXPECT_NEAR(*horizontal_accuracy_m(static_cast<std::uint8_t>(c)), horiz[c - 1], 1e-9);
  const double vert[] = {150, 45, 25, 10, 3, 1};
  for (int c = 1; c <= 6; ++c)
    EXPECT_EQ(*vertical_accuracy_m(static_cast<std::uint8_t>(c)), vert[c - 1]);
  const double speed[] = {10, 3, 1, 0.3};
  for (int c = 1; c <= 4; ++c)
    EXPECT_EQ(*speed_accuracy_mps(static_cast<std::uint8_t>(c)), speed[c - 1]);
  for (int c : {0, 13, 14, 15}) EXPECT_FALSE(horizontal_accuracy_m(static_cast<std::uint8_t>(c)));
  for (int c : {0, 7, 15}) EXPECT_FALSE(vertical_accuracy_m(static_cast<std::uint8_t>(c)));
  for (int c : {0, 5, 15}) EXPECT_FALSE(speed_accuracy_mps(static_cast<std::uint8_t>(c)));
}

// ------------------------------------------------------------ edge cases ----

std::vector<std::uint8_t> location_bytes() {
  // core-c's Location vector (reference_vectors.txt), version 2.
  return unhex("122624160a42bf241b6ed1b4b69808ac0870086b53150e0200");
}

TEST(RemoteIdMessage, UnknownProtocolVersionIsDecoded) {
  auto b = location_bytes();
  b[0] = 0x1F;  // Location, version 15
  const Message m = must_decode(b);
  EXPECT_EQ(m.protocol_version, 15);
  EXPECT_DOUBLE_EQ(*std::get<Location>(m.body).height_m, 80.0);
}

TEST(RemoteIdMessage, InvalidValuesBecomeEmpty) {
  // Status airborne, E/W bit and speed multiplier set: direction 181+180 =
  // 361, speed 255 -> 255 m/s, vertical 126 -> 63 m/s, lat = lon = 0,
  // altitudes raw 0 (-1000 m), no accuracies, time stamp 0xFFFF.
  std::vector<std::uint8_t> b(25, 0);
  b[0] = 0x10;
  b[1] = 0x23;
  b[2] = 181;
  b[3] = 255;
  b[4] = 126;
  b[21] = b[22] = 0xFF;
  const Location l = std::get<Location>(must_decode(b).body);
  EXPECT_EQ(l.status, 2);
  EXPECT_FALSE(l.direction_deg);
  EXPECT_FALSE(l.speed_h_mps);
  EXPECT_FALSE(l.speed_v_mps);
  EXPECT_FALSE(l.lat_deg);
  EXPECT_FALSE(l.lon_deg);
  EXPECT_FALSE(l.alt_baro_m);
  EXPECT_FALSE(l.alt_geo_m);
  EXPECT_FALSE(l.height_m);
  EXPECT_FALSE(l.timestamp_s);
  EXPECT_FALSE(l.timestamp_accuracy_s);
  // The same sentinels in a System message.
  std::vector<std::uint8_t> s(25, 0);
  s[0] = 0x40;
  const System y = std::get<System>(must_decode(s).body);
  EXPECT_FALSE(y.operator_lat_deg);
  EXPECT_FALSE(y.area_ceiling_m);
  EXPECT_FALSE(y.area_floor_m);
  EXPECT_FALSE(y.operator_alt_geo_m);
  EXPECT_FALSE(y.timestamp);
}

TEST(RemoteIdMessage, SpeedMultiplierAndSignedVerticalSpeed) {
  auto b = location_bytes();
  b[1] |= 0x01;  // multiplier: v * 0.75 + 63.75
  b[3] = 100;
  b[4] = static_cast<std::uint8_t>(-10);
  const Location l = std::get<Location>(must_decode(b).body);
  EXPECT_DOUBLE_EQ(*l.speed_h_mps, 138.75);
  EXPECT_DOUBLE_EQ(*l.speed_v_mps, -5.0);
  b[3] = 254;
  EXPECT_DOUBLE_EQ(*std::get<Location>(must_decode(b).body).speed_h_mps, 254.25);
}

TEST(RemoteIdMessage, BadInputIsAnError) {
  auto b = location_bytes();
  auto r = decode_message(Bytes(b).first(24));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kTruncated);
  for (int type = 6; type <= 14; ++type) {
    b[0] = static_cast<std::uint8_t>(type << 4);
    r = decode_message(b);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kUnsupported);
  }
  b[0] = 0xF0;
  r = decode_message(b);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kBadValue);
  EXPECT_FALSE(decode_message(Bytes{}));
}

std::vector<std::uint8_t> pack(std::uint8_t size, std::uint8_t count, std::size_t messages) {
  std::vector<std::uint8_t> p{7, 0xF1, size, count};  // counter 7, pack v1
  for (std::size_t i = 0; i < messages; ++i) {
    const auto m = location_bytes();
    p.insert(p.end(), m.begin(), m.end());
  }
  return p;
}

TEST(RemoteIdPayload, SingleMessageAndPacks) {
  std::vector<std::uint8_t> one{9};
  const auto m = location_bytes();
  one.insert(one.end(), m.begin(), m.end());
  auto p = parse_payload(one);
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->packed);
  EXPECT_EQ(p->counter, 9);
  EXPECT_EQ(p->count(), 1u);
  p = parse_payload(pack(25, 9, 9));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->count(), 9u);
  EXPECT_EQ(p->pack_version, 1);
  p = parse_payload(pack(25, 2, 3));  // trailing bytes beyond the count are ignored
  ASSERT_TRUE(p);
  EXPECT_EQ(p->count(), 2u);
}

TEST(RemoteIdPayload, BadPacksAreErrors) {
  const struct {
    std::vector<std::uint8_t> bytes;
    ErrorCode code;
  } cases[] = {
      {pack(25, 0, 0), ErrorCode::kBadValue},    // count 0
      {pack(25, 10, 10), ErrorCode::kBadValue},  // count above 9
      {pack(24, 1, 1), ErrorCode::kBadValue},    // message size not 25
      {pack(25, 3, 2), ErrorCode::kTruncated},   // fewer messages than counted
      {{7, 0xF0, 25}, ErrorCode::kTruncated},    // header cut
      {{7}, ErrorCode::kTruncated},              // counter only
      {{7, 0x12, 0x26}, ErrorCode::kTruncated},  // single message cut
  };
  for (const auto& c : cases) {
    auto p = parse_payload(c.bytes);
    ASSERT_FALSE(p) << hex(c.bytes);
    EXPECT_EQ(p.error().code, c.code) << hex(c.bytes) << ": " << p.error().detail;
  }
  // A pack holding a nested pack and an unknown type: the pack parses, those
  // two messages fail, the others decode.
  auto b = pack(25, 3, 3);
  b[4] = 0xF0;
  b[4 + 25] = 0x70;
  auto p = parse_payload(b);
  ASSERT_TRUE(p);
  EXPECT_FALSE(decode_message(p->message(0)));
  EXPECT_FALSE(decode_message(p->message(1)));
  EXPECT_TRUE(decode_message(p->message(2)));
}

}  // namespace
}  // namespace skyfuse::decode::remoteid
