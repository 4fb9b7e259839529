// File: safety/zones.hpp
//
// Airspace zones for the safety nets: polygons with an altitude band, read
// from GeoJSON (RFC 7946). Each Feature is a Polygon or MultiPolygon (holes
// allowed) with properties:
//   "name"      the zone's name (default "zone N")
//   "kind"      "restricted" (area proximity warning) or "airport" (drone
//               inside an airport zone); default "restricted"
//   "lower_ft" / "upper_ft" or "lower_m" / "upper_m"  the altitude band
//               (WGS-84 height); default ground to 100,000 ft
//
//   std::vector<Zone> zs = load_zones(text, "zones.geojson");  // throws ConfigError
//   bool in = zs[0].contains({47.45, 8.56, 500});
#pragma once

#include <array>
#include <string>
#include <vector>

#include "core/types.hpp"

namespace skyfuse::safety {

enum class ZoneKind : std::uint8_t { kRestricted, kAirport };
const char* to_string(ZoneKind k);

struct Zone {
  std::string name;
  ZoneKind kind = ZoneKind::kRestricted;
  // Rings of [lon_deg, lat_deg] vertices (closing vertex optional); a point is
  // inside when an odd number of rings of one polygon surround it.
  std::vector<std::vector<std::vector<std::array<double, 2>>>> polygons;
  double lower_m = -1000;
  double upper_m = 30480;
  // Bounding box, for a quick reject.
  double min_lat = 90, max_lat = -90, min_lon = 180, max_lon = -180;

  bool contains_horizontally(double lat_deg, double lon_deg) const;
  bool contains(const GeodeticPosition& p) const {
    return p.alt_m >= lower_m && p.alt_m <= upper_m && contains_horizontally(p.lat_deg, p.lon_deg);
  }
};

// Parses a GeoJSON FeatureCollection (or one Feature). `origin` names the
// text in errors.
std::vector<Zone> load_zones(const std::string& text, const std::string& origin);
std::vector<Zone> load_zones_file(const std::string& path);

// The zones as a GeoJSON FeatureCollection (what the web map draws).
std::string zones_geojson(const std::vector<Zone>& zones);

}  // namespace skyfuse::safety
