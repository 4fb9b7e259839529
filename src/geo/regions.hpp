// File: geo/regions.hpp
//
// Airspace split into regions, each tracked by its own instance on the bus
// (docs/scale-out.md, docs/adr/0008-regions.md). A region is a polygon of
// latitude/longitude vertices (edges straight in latitude and longitude, not
// across the antimeridian) or, at most one, the rest: everything no polygon
// holds. A point belongs to the first polygon that contains it; a point in
// none belongs to the rest, or, when every region is a polygon, to the
// nearest one, so every point has exactly one owner.
//
// A region's tracker also tracks its margin, the points within `margin_m` of
// its own (ground distance): a track crossing a boundary is already tracked,
// confirmed and identified on the other side when it gets there.
//
//   Regions r({{"west", {{45, 5}, {48.5, 5}, {48.5, 7.6}, {45, 7.6}}}, {"rest", {}}}, 30000);
//   std::size_t owner = r.owner(47.0, 6.5);          // 0 ("west")
//   bool tracked = r.near(1, 47.0, 7.5);             // "rest" tracks it too
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/types.hpp"

namespace skyfuse::geo {

struct RegionShape {
  std::string name;
  std::vector<std::pair<double, double>> polygon_deg;  // (lat, lon); empty: the rest
};

class Regions {
 public:
  // Throws std::invalid_argument on an empty list, a polygon of fewer than
  // three vertices or with a vertex off the globe, a repeated name, two
  // regions without a polygon, or a negative margin.
  Regions(std::vector<RegionShape> regions, double margin_m);

  std::size_t size() const { return regions_.size(); }
  const std::string& name(std::size_t i) const { return regions_[i].name; }
  std::optional<std::size_t> find(std::string_view name) const;
  double margin_m() const { return margin_m_; }

  // The region that owns the point.
  std::size_t owner(double lat_deg, double lon_deg) const;
  // Whether the point is within the margin of what region i owns: inside
  // it, or within the margin of its polygon's edges (of the rest: of the
  // union's outer boundary, edges shared by two polygons excluded). Where
  // polygons overlap, a later one's margin is measured from its whole
  // polygon: it may track more than its margin, never less.
  bool near(std::size_t i, double lat_deg, double lon_deg) const;

 private:
  bool inside(std::size_t i, double lat_deg, double lon_deg) const;
  bool inside_any(double lat_deg, double lon_deg) const;
  void build_rest_boundary();
  double rest_distance_m(double lat_deg, double lon_deg) const;
  // Ground distance from the point to the polygon's nearest edge (local
  // equirectangular approximation, for the margin's fast path and the nearest
  // region; metres).
  double edge_distance_m(std::size_t i, double lat_deg, double lon_deg) const;
  std::vector<RegionShape> regions_;
  std::optional<std::size_t> rest_;
  double margin_m_;
  // The union's outer boundary (pieces of polygon edges), (lat, lon) pairs.
  std::vector<std::pair<std::pair<double, double>, std::pair<double, double>>> rest_boundary_;
};

// Where a report is on the ground (latitude, longitude), for routing it to
// regions: a position report's own; a radar plot's from its sensor's site,
// azimuth and ground range (slant range reduced by the elevation, or by the
// height difference when it has Mode C, on the ellipsoid by GeographicLib's
// geodesic). `sensors` indexed by Report::sensor - 1; nullopt when the sensor
// is unknown.
std::optional<std::pair<double, double>> report_ground_position(const Report& r,
                                                                const std::vector<Sensor>& sensors);

}  // namespace skyfuse::geo
