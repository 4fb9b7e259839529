// File: geo/regions.cpp
#include "geo/regions.hpp"

#include <GeographicLib/Geodesic.hpp>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <set>
#include <stdexcept>

namespace skyfuse::geo {

namespace {

constexpr double kEarthRadiusM = 6371008.8;  // mean radius: the approximate distances only
constexpr double kDeg = std::numbers::pi / 180;

}  // namespace

Regions::Regions(std::vector<RegionShape> regions, double margin_m)
    : regions_(std::move(regions)), margin_m_(margin_m) {
  if (regions_.empty()) throw std::invalid_argument("no regions");
  if (!(margin_m_ >= 0) || margin_m_ > 2e6)
    throw std::invalid_argument("the margin must be 0 to 2,000 km");
  std::set<std::string> names;
  for (std::size_t i = 0; i < regions_.size(); ++i) {
    const RegionShape& r = regions_[i];
    if (r.name.empty()) throw std::invalid_argument("a region without a name");
    if (!names.insert(r.name).second)
      throw std::invalid_argument("region \"" + r.name + "\" named twice");
    if (r.polygon_deg.empty()) {
      if (rest_)
        throw std::invalid_argument("regions \"" + regions_[*rest_].name + "\" and \"" + r.name +
                                    "\" both without a polygon (at most one is the rest)");
      rest_ = i;
      continue;
    }
    if (r.polygon_deg.size() < 3)
      throw std::invalid_argument("region \"" + r.name + "\": a polygon needs three vertices");
    for (const auto& [lat, lon] : r.polygon_deg)
      if (!(std::abs(lat) <= 90) || !(std::abs(lon) <= 180))
        throw std::invalid_argument("region \"" + r.name + "\": a vertex off the globe");
  }
}

std::optional<std::size_t> Regions::find(std::string_view name) const {
  for (std::size_t i = 0; i < regions_.size(); ++i)
    if (regions_[i].name == name) return i;
  return std::nullopt;
}

bool Regions::inside(std::size_t i, double lat, double lon) const {
  const auto& p = regions_[i].polygon_deg;
  if (p.empty()) return false;
  // Ray casting towards +lon; a vertex exactly on the ray counts on one side.
  bool in = false;
  for (std::size_t a = 0, b = p.size() - 1; a < p.size(); b = a++) {
    const auto [la, loa] = p[a];
    const auto [lb, lob] = p[b];
    if ((la > lat) != (lb > lat)) {
      const double x = loa + (lat - la) / (lb - la) * (lob - loa);
      if (lon < x) in = !in;
    }
  }
  return in;
}

double Regions::edge_distance_m(std::size_t i, double lat, double lon) const {
  const auto& p = regions_[i].polygon_deg;
  const double kx = kEarthRadiusM * kDeg * std::cos(lat * kDeg), ky = kEarthRadiusM * kDeg;
  double best = std::numeric_limits<double>::infinity();
  for (std::size_t a = 0, b = p.size() - 1; a < p.size(); b = a++) {
    const double ax = (p[a].second - lon) * kx, ay = (p[a].first - lat) * ky;
    const double bx = (p[b].second - lon) * kx, by = (p[b].first - lat) * ky;
    const double dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
    const double t = len2 > 0 ? std::clamp(-(ax * dx + ay * dy) / len2, 0.0, 1.0) : 0.0;
    best = std::min(best, std::hypot(ax + t * dx, ay + t * dy));
  }
  return best;
}

std::size_t Regions::owner(double lat, double lon) const {
  for (std::size_t i = 0; i < regions_.size(); ++i)
    if (inside(i, lat, lon)) return i;
  if (rest_) return *rest_;
  std::size_t best = 0;
  double d = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < regions_.size(); ++i)
    if (const double e = edge_distance_m(i, lat, lon); e < d) {
      d = e;
      best = i;
    }
  return best;
}

bool Regions::near(std::size_t i, double lat, double lon) const {
  if (owner(lat, lon) == i) return true;
  if (margin_m_ <= 0 || regions_.size() == 1) return false;
  // Far from every edge (with room for the approximation): the owner is the
  // same everywhere within the margin.
  const double reach = margin_m_ * 1.1 + 1000;
  bool close = false;
  for (std::size_t k = 0; k < regions_.size() && !close; ++k)
    if (!regions_[k].polygon_deg.empty() && edge_distance_m(k, lat, lon) <= reach) close = true;
  if (!close) return false;
  const GeographicLib::Geodesic& g = GeographicLib::Geodesic::WGS84();
  for (int ring = 1; ring <= 3; ++ring)
    for (int b = 0; b < 32; ++b) {
      double lat2 = 0, lon2 = 0;
      g.Direct(lat, lon, b * 360.0 / 32, margin_m_ * ring / 3, lat2, lon2);
      if (owner(lat2, lon2) == i) return true;
    }
  return false;
}

std::optional<std::pair<double, double>> report_ground_position(
    const Report& r, const std::vector<Sensor>& sensors) {
  if (const auto* g = std::get_if<GeodeticMeasurement>(&r.measurement))
    return std::make_pair(g->position.lat_deg, g->position.lon_deg);
  const auto& m = std::get<PolarMeasurement>(r.measurement);
  const Sensor* s = nullptr;
  if (r.sensor >= 1 && r.sensor <= sensors.size() && sensors[r.sensor - 1].id == r.sensor)
    s = &sensors[r.sensor - 1];
  for (std::size_t k = 0; !s && k < sensors.size(); ++k)
    if (sensors[k].id == r.sensor) s = &sensors[k];
  if (!s || !std::isfinite(m.range_m) || !std::isfinite(m.azimuth_rad)) return std::nullopt;
  double ground = std::max(0.0, m.range_m);
  if (m.elevation_rad && std::isfinite(*m.elevation_rad)) {
    ground *= std::cos(*m.elevation_rad);
  } else if (r.baro_alt_m && std::isfinite(*r.baro_alt_m)) {
    const double dh = *r.baro_alt_m - s->site.alt_m;
    ground = std::sqrt(std::max(0.0, ground * ground - dh * dh));
  }
  double lat2 = 0, lon2 = 0;
  GeographicLib::Geodesic::WGS84().Direct(s->site.lat_deg, s->site.lon_deg, m.azimuth_rad / kDeg,
                                          ground, lat2, lon2);
  return std::make_pair(lat2, lon2);
}

}  // namespace skyfuse::geo
