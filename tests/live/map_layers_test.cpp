// The operator's map layers (issue #21): [[run.map_layer]] tables checked
// when the configuration is read and handed to the map as /api/info's
// "map_layers" (docs/config.md, docs/api.md).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "core/error.hpp"
#include "live/system_config_loader.hpp"
#include "server/live_store.hpp"

namespace skyfuse::live {
namespace {

const std::string kBase = R"([tracker]
origin_lat_deg = 47.4
origin_lon_deg = 8.5

[[sensor]]
name = "adsb"
kind = "adsb"
lat_deg = 47.4
lon_deg = 8.5
input = "tcp:127.0.0.1:30005"
format = "beast"

[run]
http_port = 0
)";

SystemConfig load(const std::string& layers) {
  return load_system_config_text(kBase + layers, "/etc/skyfuse/run.toml", true);
}

std::string error_of(const std::string& layers) {
  try {
    (void)load(layers);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(MapLayers, ReadFromTheConfigurationIntoApiInfo) {
  const SystemConfig c = load(R"(
[[run.map_layer]]
id = "osm"
name = "OpenStreetMap"
type = "xyz"
url = "https://tile.example/{z}/{x}/{y}.png"
attribution = "(c) \"OSM\" contributors"
max_zoom = 19
opacity = 0.5
visible = false

[[run.map_layer]]
id = "ortho"
type = "wmts"
url = "https://wmts.example/WMTSCapabilities.xml"
layer = "ORTHO"
matrix_set = "EPSG:3857"

[[run.map_layer]]
id = "ctr"
type = "geojson"
url = "layers/ctr.geojson"
stroke = "#ffd166"
width = 2
base = true

[[run.map_layer]]
id = "region"
type = "pmtiles"
url = "/tiles/region.pmtiles"
)");
  const auto layers = nlohmann::json::parse(c.run.map_layers_json);
  ASSERT_EQ(layers.size(), 4U);
  EXPECT_EQ(layers[0], nlohmann::json::parse(R"({"id":"osm","name":"OpenStreetMap","type":"xyz",
      "url":"https://tile.example/{z}/{x}/{y}.png","attribution":"(c) \"OSM\" contributors",
      "opacity":0.5,"max_zoom":19,"visible":false})"));
  EXPECT_EQ(layers[1], nlohmann::json::parse(R"({"id":"ortho","name":"ortho","type":"wmts",
      "url":"https://wmts.example/WMTSCapabilities.xml","layer":"ORTHO","matrix_set":"EPSG:3857"})"));
  EXPECT_EQ(layers[2], nlohmann::json::parse(R"({"id":"ctr","name":"ctr","type":"geojson",
      "url":"layers/ctr.geojson","stroke":"#ffd166","width":2,"base":true})"));
  EXPECT_EQ(layers[3]["type"], "pmtiles");
  // The URL is the browser's: a relative one is not resolved against the file.
  EXPECT_EQ(layers[2]["url"], "layers/ctr.geojson");

  server::StoreInfo info;
  info.map_layers_json = c.run.map_layers_json;
  const server::LiveStore store(info);
  EXPECT_EQ(nlohmann::json::parse(store.info_json())["map_layers"], layers);
  // Without layers /api/info has no "map_layers" (the map keeps Natural Earth alone).
  EXPECT_TRUE(load("").run.map_layers_json.empty());
  EXPECT_FALSE(nlohmann::json::parse(server::LiveStore({}).info_json()).contains("map_layers"));
}

TEST(MapLayers, MistakesStopTheLoadingWithFileAndLine) {
  const std::string layer = "\n[[run.map_layer]]\nid = \"a\"\ntype = \"xyz\"\nurl = \"u\"\n";
  EXPECT_EQ(error_of(layer + "opacty = 1\n"),
            "/etc/skyfuse/run.toml:20:1: [[run.map_layer]] \"a\": unknown key 'opacty'");
  EXPECT_EQ(error_of(layer + layer),
            "/etc/skyfuse/run.toml:22:6: [[run.map_layer]] \"a\": 'id' is used by an earlier "
            "map layer");
  EXPECT_EQ(error_of("\n[[run.map_layer]]\nid = \"b\"\ntype = \"tiles\"\nurl = \"u\"\n"),
            "/etc/skyfuse/run.toml:18:8: [[run.map_layer]] \"b\": 'type' must be \"xyz\", "
            "\"wmts\", \"pmtiles\" or \"geojson\"");
  EXPECT_NE(error_of("\n[[run.map_layer]]\nid = \"c\"\ntype = \"xyz\"\n")
                .find("missing required key 'url'"),
            std::string::npos);
  EXPECT_NE(error_of("\n[[run.map_layer]]\nid = \"d\"\ntype = \"wmts\"\nurl = \"u\"\n")
                .find("a wmts layer needs 'layer'"),
            std::string::npos);
  EXPECT_NE(error_of(layer + "opacity = 2\n").find("'opacity' must be within [0, 1], is 2"),
            std::string::npos);
  EXPECT_NE(error_of("\n[[run.map_layer]]\nid = \"\"\ntype = \"xyz\"\nurl = \"u\"\n")
                .find("'id' must not be empty"),
            std::string::npos);
  EXPECT_NE(error_of("\n[run.map_layer]\nid = \"e\"\n").find("must be an array"),
            std::string::npos);
}

}  // namespace
}  // namespace skyfuse::live
