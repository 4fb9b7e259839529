// `skyfuse decode --format remoteid` output: every JSON line of the Wi-Fi
// beacon and Bluetooth 5 samples read back and compared, field by field, with
// the oracle's decode of the same message (*.decoded.jsonl); unknown values
// must be absent where the oracle prints the sentinel.
#include "apps/remoteid_decode.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "decode/remoteid/capture.hpp"

namespace skyfuse::apps {
namespace {

using nlohmann::json;
namespace rid = decode::remoteid;

std::string data(const std::string& name) {
  return std::string(SKYFUSE_SOURCE_DIR) + "/tests/data/remoteid/" + name;
}

// Our key, the oracle's key, the oracle's "unknown" sentinel (NAN: none).
struct Field {
  const char* ours;
  const char* oracle;
  double sentinel;
};
const Field kFields[] = {
    {"id_type", "id_type", NAN},
    {"ua_type", "ua_type", NAN},
    {"status", "status", NAN},
    {"height_type", "height_type", NAN},
    {"direction_deg", "direction_deg", 361},
    {"speed_h_mps", "speed_h_mps", 255},
    {"speed_v_mps", "speed_v_mps", 63},
    {"alt_baro_m", "alt_baro_m", -1000},
    {"alt_geo_m", "alt_geo_m", -1000},
    {"height_m", "height_m", -1000},
    {"timestamp_s", "ts_s_after_hour", NAN},
    {"description_type", "desc_type", NAN},
    {"operator_location_type", "operator_location_type", NAN},
    {"classification_type", "classification_type", NAN},
    {"area_count", "area_count", NAN},
    {"area_radius_m", "area_radius_m", NAN},
    {"area_ceiling_m", "area_ceiling_m", -1000},
    {"area_floor_m", "area_floor_m", -1000},
    {"category_eu", "category_eu", NAN},
    {"class_eu", "class_eu", NAN},
    {"operator_alt_geo_m", "operator_alt_geo_m", -1000},
    {"operator_id_type", "operator_id_type", NAN},
};

TEST(RemoteIdJson, LinesEqualTheOracle) {
  for (const std::string name : {"odid_wifi_bcn_sample", "odid_bt5_lr_sample"}) {
    std::map<std::pair<long, int>, json> oracle;
    std::ifstream in(data(name + ".decoded.jsonl"));
    for (std::string line; std::getline(in, line);) {
      const json o = json::parse(line);
      oracle[{o["frame"].get<long>(), o["pack_index"].get<int>()}] = o;
    }
    int lines = 0, fields = 0;
    const std::string capture = data(name + (name.starts_with("odid_bt5") ? ".pcapng" : ".pcap"));
    auto st = rid::decode_capture(capture, [&](const rid::Decoded& d) {
      const json j = json::parse(remoteid_json(d));  // must be valid JSON
      const json& o = oracle.at({j["frame"].get<long>(), j.value("pack_index", 0)});
      ++lines;
      EXPECT_NEAR(j["time"].get<double>(), o["capture_time"].get<double>(), 1e-6);
      EXPECT_EQ(j["msg_counter"], o["msg_counter"]);
      EXPECT_EQ(j["protocol_version"], o["proto_version"]);
      const std::map<std::string, std::string> names{
          {"BasicID", "basic_id"}, {"Location", "location"},      {"SelfID", "self_id"},
          {"System", "system"},    {"OperatorID", "operator_id"}, {"Auth", "auth"}};
      EXPECT_EQ(j["message"], names.at(o["name"]));
      for (const Field& f : kFields) {
        if (!o.contains(f.oracle)) continue;
        ++fields;
        if (o[f.oracle].get<double>() == f.sentinel)
          EXPECT_FALSE(j.contains(f.ours)) << f.ours << " should be absent";
        else
          EXPECT_EQ(j.at(f.ours).get<double>(), o[f.oracle].get<double>()) << f.ours;
      }
      for (const auto& [ours, theirs] :
           {std::pair{"uas_id", "uas_id"}, {"description", "desc"}, {"operator_id", "operator_id"}})
        if (o.contains(theirs)) {
          EXPECT_EQ(j.at(ours), o[theirs]);
          ++fields;
        }
      if (o.contains("lat_raw") && (o["lat_raw"] != 0 || o["lon_raw"] != 0)) {
        EXPECT_EQ(j.at("lat_deg").get<double>(), o["lat_raw"].get<double>() / 1e7);
        EXPECT_EQ(j.at("lon_deg").get<double>(), o["lon_raw"].get<double>() / 1e7);
        fields += 2;
      } else if (o.contains("lat_raw")) {
        EXPECT_FALSE(j.contains("lat_deg"));
      }
    });
    ASSERT_TRUE(st);
    EXPECT_EQ(lines, static_cast<int>(oracle.size())) << name;
    std::printf("%s: %d JSON lines, %d fields equal the oracle\n", name.c_str(), lines, fields);
  }
}

}  // namespace
}  // namespace skyfuse::apps
