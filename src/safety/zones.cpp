#include "safety/zones.hpp"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.hpp"
#include "core/input_file.hpp"

namespace skyfuse::safety {

namespace {
using nlohmann::json;
constexpr double kFt = 0.3048;

std::vector<std::array<double, 2>> parse_ring(const json& ring, const std::string& where) {
  if (!ring.is_array() || ring.size() < 3)
    throw ConfigError(fmt::format("{}: a ring needs at least 3 positions", where));
  std::vector<std::array<double, 2>> out;
  for (const json& p : ring) {
    if (!p.is_array() || p.size() < 2 || !p[0].is_number() || !p[1].is_number())
      throw ConfigError(fmt::format("{}: a position must be [lon, lat]", where));
    const double lon = p[0].get<double>(), lat = p[1].get<double>();
    if (!(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180))
      throw ConfigError(
          fmt::format("{}: position [{}, {}] outside [-180,180] x [-90,90]", where, lon, lat));
    out.push_back({lon, lat});
  }
  return out;
}

// A text member, or `def` when absent; any other type is a configuration error
// (nlohmann's value() would throw its own type_error instead).
std::string member_text(const json& o, const char* key, const char* def, const std::string& where) {
  if (!o.is_object()) return def;
  auto it = o.find(key);
  if (it == o.end()) return def;
  if (!it->is_string()) throw ConfigError(fmt::format("{}: \"{}\" must be a string", where, key));
  return it->get<std::string>();
}

double height(const json& props, const char* m_key, const char* ft_key, double def,
              const std::string& where) {
  for (auto [key, scale] : {std::pair{m_key, 1.0}, std::pair{ft_key, kFt}}) {
    auto it = props.find(key);
    if (it == props.end()) continue;
    if (!it->is_number()) throw ConfigError(fmt::format("{}: \"{}\" must be a number", where, key));
    return it->get<double>() * scale;
  }
  return def;
}

Zone parse_feature(const json& f, std::size_t index, const std::string& origin) {
  const std::string where = fmt::format("{}: feature {}", origin, index);
  if (!f.is_object() || member_text(f, "type", "", where) != "Feature")
    throw ConfigError(fmt::format("{}: not a GeoJSON Feature", where));
  Zone z;
  const json props =
      f.contains("properties") && f["properties"].is_object() ? f["properties"] : json::object();
  z.name = props.contains("name") && props["name"].is_string() ? props["name"].get<std::string>()
                                                               : fmt::format("zone {}", index + 1);
  const std::string kind = member_text(props, "kind", "restricted", where);
  if (kind == "restricted")
    z.kind = ZoneKind::kRestricted;
  else if (kind == "airport")
    z.kind = ZoneKind::kAirport;
  else
    throw ConfigError(
        fmt::format("{}: kind \"{}\" (expected \"restricted\" or \"airport\")", where, kind));
  z.lower_m = height(props, "lower_m", "lower_ft", -1000, where);
  z.upper_m = height(props, "upper_m", "upper_ft", 30480, where);
  if (!(z.upper_m > z.lower_m))
    throw ConfigError(fmt::format("{}: the upper limit must be above the lower", where));
  if (!f.contains("geometry") || !f["geometry"].is_object())
    throw ConfigError(fmt::format("{}: no geometry", where));
  const json& g = f["geometry"];
  const std::string type = member_text(g, "type", "", where);
  if (!g.contains("coordinates") || !g["coordinates"].is_array())
    throw ConfigError(fmt::format("{}: geometry without coordinates", where));
  auto polygon = [&](const json& rings) {
    if (!rings.is_array() || rings.empty())
      throw ConfigError(fmt::format("{}: a polygon needs an outer ring", where));
    std::vector<std::vector<std::array<double, 2>>> p;
    for (const json& r : rings) p.push_back(parse_ring(r, where));
    z.polygons.push_back(std::move(p));
  };
  if (type == "Polygon") {
    polygon(g["coordinates"]);
  } else if (type == "MultiPolygon") {
    for (const json& p : g["coordinates"]) polygon(p);
  } else {
    throw ConfigError(
        fmt::format("{}: geometry \"{}\" (expected Polygon or MultiPolygon)", where, type));
  }
  for (const auto& p : z.polygons)
    for (const auto& v : p.front()) {
      z.min_lon = std::min(z.min_lon, v[0]);
      z.max_lon = std::max(z.max_lon, v[0]);
      z.min_lat = std::min(z.min_lat, v[1]);
      z.max_lat = std::max(z.max_lat, v[1]);
    }
  return z;
}
}  // namespace

const char* to_string(ZoneKind k) { return k == ZoneKind::kAirport ? "airport" : "restricted"; }

bool Zone::contains_horizontally(double lat, double lon) const {
  if (lat < min_lat || lat > max_lat || lon < min_lon || lon > max_lon) return false;
  for (const auto& poly : polygons) {
    bool inside = false;
    for (const auto& ring : poly) {
      // Even-odd crossing test; holes flip the answer back.
      const std::size_t n = ring.size();
      for (std::size_t i = 0, j = n - 1; i < n; j = i++) {
        const auto& a = ring[i];
        const auto& b = ring[j];
        if ((a[1] > lat) != (b[1] > lat) &&
            lon < (b[0] - a[0]) * (lat - a[1]) / (b[1] - a[1]) + a[0])
          inside = !inside;
      }
    }
    if (inside) return true;
  }
  return false;
}

std::vector<Zone> load_zones(const std::string& text, const std::string& origin) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    throw ConfigError(fmt::format("{}: not valid JSON ({})", origin, e.what()));
  }
  std::vector<Zone> zones;
  if (j.is_object() && member_text(j, "type", "", origin) == "FeatureCollection") {
    if (!j.contains("features") || !j["features"].is_array())
      throw ConfigError(fmt::format("{}: FeatureCollection without features", origin));
    for (std::size_t i = 0; i < j["features"].size(); ++i)
      zones.push_back(parse_feature(j["features"][i], i, origin));
  } else {
    zones.push_back(parse_feature(j, 0, origin));
  }
  return zones;
}

std::vector<Zone> load_zones_file(const std::string& path) {
  return load_zones(read_input_file(path, "zones file"), path);
}

std::string zones_geojson(const std::vector<Zone>& zones) {
  json fc = {{"type", "FeatureCollection"}, {"features", json::array()}};
  for (const Zone& z : zones) {
    json coords = json::array();
    for (const auto& p : z.polygons) {
      json rings = json::array();
      for (const auto& r : p) {
        json ring = json::array();
        for (const auto& v : r) ring.push_back({v[0], v[1]});
        rings.push_back(std::move(ring));
      }
      coords.push_back(std::move(rings));
    }
    fc["features"].push_back(
        {{"type", "Feature"},
         {"properties",
          {{"name", z.name},
           {"kind", to_string(z.kind)},
           {"lower_m", z.lower_m},
           {"upper_m", z.upper_m}}},
         {"geometry", {{"type", "MultiPolygon"}, {"coordinates", std::move(coords)}}}});
  }
  return fc.dump();
}

}  // namespace skyfuse::safety
