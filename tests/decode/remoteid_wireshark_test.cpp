// Every Remote ID message Wireshark shows in the dissector text (tshark -V with
// the opendroneid Lua dissector: the Wi-Fi beacon sample, the NAN + beacon
// sample, the first 60 packets of the Parrot flight) against our decode of the
// same packets: message counter, pack size, type, version and every field the
// dissector prints, in raw units where it prints them. The dissector's
// "lag" (reception time minus the Location time stamp, within the hour) checks
// the time stamp resolution of to_fix().
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "decode/remoteid/capture.hpp"
#include "decode/remoteid/fix.hpp"

namespace skyfuse::decode::remoteid {
namespace {

std::string data(const std::string& name) {
  return std::string(SKYFUSE_SOURCE_DIR) + "/tests/data/remoteid/" + name;
}

std::string trim(std::string s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.erase(0, 1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

// One "Open Drone ID - ... Message (t)" subtree: its (label, value) lines.
struct WsMessage {
  std::vector<std::pair<std::string, std::string>> lines;
  // The value of the n-th line with this label ("" if none).
  std::string at(const std::string& label, int n = 0) const {
    for (const auto& [l, v] : lines)
      if (l == label && n-- == 0) return v;
    ADD_FAILURE() << "no line '" << label << "'";
    return "";
  }
  // The number in the last parentheses: "Helicopter (or Multirotor) (2)" -> 2.
  int code(const std::string& label, int n = 0) const {
    const std::string v = at(label, n);
    return std::stoi(v.substr(v.rfind('(') + 1));
  }
  // The raw number before the parentheses: "455457468 (45.5457468 deg)".
  long long raw(const std::string& label) const { return std::stoll(at(label)); }
  // Inside the parentheses: nullopt for "(Unknown)", else its leading number.
  std::optional<double> scaled(const std::string& label) const {
    const std::string v = at(label);
    const auto open = v.find('(');
    if (v.compare(open + 1, 7, "Unknown") == 0) return std::nullopt;
    return std::stod(v.substr(open + 1));
  }
};

struct WsFrame {
  int counter = -1;
  int quantity = -1;
  std::vector<WsMessage> messages;
};

std::map<std::int64_t, WsFrame> dissector_text(const std::string& name) {
  std::ifstream in(data(name));
  std::map<std::int64_t, WsFrame> frames;
  WsFrame* f = nullptr;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("Frame ")) {
      f = &frames[std::stoll(line.substr(6))];
      continue;
    }
    line = trim(line);
    if (f == nullptr || line.empty()) continue;
    if (line.starts_with("Open Drone ID - ") && line.find("Message Pack") == std::string::npos) {
      f->messages.emplace_back();
      continue;
    }
    // "0001 .... = Label: value" or "Label: value"
    const auto eq = line.find(" = ");
    const auto colon = line.find(':', eq == std::string::npos ? 0 : eq);
    if (colon == std::string::npos) continue;
    const std::string label =
        line.substr(eq == std::string::npos || eq > colon ? 0 : eq + 3,
                    colon - (eq == std::string::npos || eq > colon ? 0 : eq + 3));
    const std::string value = trim(line.substr(colon + 1));
    if (label == "Message Counter") f->counter = std::stoi(value);
    if (label == "MessagePack") {
      if (value.starts_with("Message Quantity: ")) f->quantity = std::stoi(value.substr(18));
      continue;
    }
    if (!f->messages.empty()) f->messages.back().lines.emplace_back(label, value);
  }
  std::erase_if(frames, [](const auto& kv) { return kv.second.messages.empty(); });
  return frames;
}

long long round_raw(double deg) { return std::llround(deg * 1e7); }

class RemoteIdWireshark : public ::testing::TestWithParam<std::pair<const char*, const char*>> {};

TEST_P(RemoteIdWireshark, EveryDissectedMessageMatches) {
  const auto [capture, text] = GetParam();
  const auto ws = dissector_text(text);
  ASSERT_FALSE(ws.empty());
  std::map<std::int64_t, std::vector<Decoded>> ours;
  auto stats = decode_capture(data(capture), [&](const Decoded& d) {
    Decoded c = d;
    c.raw = {};
    ours[d.frame].push_back(c);
  });
  ASSERT_TRUE(stats);
  int messages = 0, fields = 0;
  for (const auto& [frame, wf] : ws) {
    const auto it = ours.find(frame);
    ASSERT_NE(it, ours.end()) << text << ": frame " << frame << " not decoded";
    const auto& mine = it->second;
    ASSERT_EQ(mine.size(), wf.messages.size()) << "frame " << frame;
    EXPECT_EQ(static_cast<int>(mine[0].pack_size), wf.quantity) << "frame " << frame;
    for (std::size_t i = 0; i < mine.size(); ++i) {
      const Decoded& d = mine[i];
      const WsMessage& w = wf.messages[i];
      const std::string at =
          std::string(text) + " frame " + std::to_string(frame) + " #" + std::to_string(i) + ": ";
      int n = 0;
      const auto check = [&](auto got, auto want, const char* what) {
        EXPECT_EQ(got, want) << at << what;
        ++n;
      };
      check(static_cast<int>(d.msg_counter), wf.counter, "counter");
      check(static_cast<int>(d.message.type()), w.code("Message Type"), "type");
      check(static_cast<int>(d.message.protocol_version), w.code("Protocol Version"), "version");
      if (const auto* b = std::get_if<BasicId>(&d.message.body)) {
        check(static_cast<int>(b->id_type), w.code("ID Type"), "id type");
        check(static_cast<int>(b->ua_type), w.code("UA Type"), "ua type");
        check(std::string(b->uas_id.view()), w.at("ID"), "id");
      } else if (const auto* l = std::get_if<Location>(&d.message.body)) {
        check(static_cast<int>(l->status), w.code("Operational Status"), "status");
        check(static_cast<int>(l->height_type), w.code("Height Type"), "height type");
        check(l->direction_deg, w.scaled("Direction"), "direction");
        check(l->speed_h_mps, w.scaled("Speed"), "speed");
        check(l->speed_v_mps, w.scaled("Vert Speed"), "vertical speed");
        check(round_raw(l->lat_deg.value_or(0)), w.raw("UA Lattitude"), "lat");
        check(round_raw(l->lon_deg.value_or(0)), w.raw("UA Longitude"), "lon");
        check(l->alt_baro_m, w.scaled("UA Pressure Altitude"), "alt baro");
        check(l->alt_geo_m, w.scaled("UA Geodetic Altitude"), "alt geo");
        check(l->height_m, w.scaled("UA Height AGL"), "height");
        check(static_cast<int>(l->horizontal_accuracy), w.code("Horizontal Accuracy"), "h acc");
        check(static_cast<int>(l->vertical_accuracy), w.code("Vertical Accuracy"), "v acc");
        check(static_cast<int>(l->baro_accuracy), w.code("Baro Accuracy"), "baro acc");
        check(static_cast<int>(l->speed_accuracy), w.code("Speed Accuracy"), "speed acc");
        const long long tenths = w.raw("Timestamp (1/10s since the hour)");
        check(std::llround(l->timestamp_s.value_or(-1) * 10), tenths, "time stamp");
        check(std::llround(l->timestamp_accuracy_s.value_or(0) * 10),
              std::stoll(w.at("Timestamp Accuracy (1/10s)")), "time stamp accuracy");
        // "(lag: 3131.1s)": reception minus time stamp within the hour (not wrapped).
        const std::string v = w.at("Timestamp (1/10s since the hour)");
        const double lag = std::stod(v.substr(v.find("lag: ") + 5));
        const auto fix = to_fix(*l, d.time);
        ASSERT_TRUE(fix) << at;
        const double ours_lag = (d.time - fix->time).seconds();
        EXPECT_LE(std::abs(ours_lag), 1800) << at;
        const double diff = std::remainder(ours_lag - lag, 3600);
        EXPECT_NEAR(diff, 0, 0.1) << at << "lag " << lag << " vs " << ours_lag;
        ++n;
      } else if (const auto* s = std::get_if<SelfId>(&d.message.body)) {
        check(static_cast<int>(s->description_type), w.code("Self Description Type"), "type");
        check(std::string(s->description.view()), w.at("Self Description"), "text");
      } else if (const auto* y = std::get_if<System>(&d.message.body)) {
        check(static_cast<int>(y->classification_type), w.code("Classification Type"), "class");
        check(static_cast<int>(y->operator_location_type), w.code("Operator Location Type"),
              "operator location type");
        check(round_raw(y->operator_lat_deg.value_or(0)), w.raw("Operator Lattitude"), "op lat");
        check(round_raw(y->operator_lon_deg.value_or(0)), w.raw("Operator Longitude"), "op lon");
        check(static_cast<long long>(y->area_count), w.raw("Area Count"), "area count");
        check(std::optional<double>(y->area_radius_m), w.scaled("Area Radius"), "area radius");
        check(y->area_ceiling_m, w.scaled("Area Ceiling"), "ceiling");
        check(y->area_floor_m, w.scaled("Area Floor"), "floor");
        check(static_cast<int>(y->category_eu), w.code("UA Classification Category", 0),
              "category");
        check(static_cast<int>(y->class_eu), w.code("UA Classification Category", 1), "class");
        check(y->operator_alt_geo_m, w.scaled("Operator Geodetic Alt"), "operator alt");
        const long long ts = w.raw("Message Timestamp");
        check(y->timestamp ? y->timestamp->ns / 1000000000 - kEpoch2019Unix : 0LL, ts,
              "time stamp");
      } else if (const auto* o = std::get_if<OperatorId>(&d.message.body)) {
        check(static_cast<int>(o->operator_id_type), w.code("Operator ID Type"), "type");
        check(std::string(o->operator_id.view()), w.at("Operator ID"), "operator id");
      }
      ++messages;
      fields += n;
    }
  }
  std::printf("%s: %d messages in %zu frames, %d fields equal Wireshark's\n", text, messages,
              ws.size(), fields);
}

INSTANTIATE_TEST_SUITE_P(
    Dissector, RemoteIdWireshark,
    ::testing::Values(
        std::pair{"odid_wifi_bcn_sample.pcap", "odid_wifi_bcn_sample.wireshark-lua-dissector.txt"},
        std::pair{"odid_wifi_sample.pcap", "odid_wifi_sample.wireshark-lua-dissector.txt"},
        std::pair{"parrot_anafi4_real_rid_only.pcapng",
                  "parrot_anafi4_real_rid_only.first60frames.wireshark-lua-dissector.txt"}));

}  // namespace
}  // namespace skyfuse::decode::remoteid
