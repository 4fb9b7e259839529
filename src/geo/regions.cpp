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
  if (rest_) build_rest_boundary();
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

bool Regions::inside_any(double lat, double lon) const {
  for (std::size_t i = 0; i < regions_.size(); ++i)
    if (inside(i, lat, lon)) return true;
  return false;
}

void Regions::build_rest_boundary() {
  // The boundary of the union of the polygons, the rest's edge: each polygon
  // edge cut in pieces of at most 100 m, a piece kept when just beside it (1
  // m) on either side lies in no polygon (so a sliver between two polygons
  // that were meant to touch stays the rest's); consecutive kept pieces
  // joined.
  const double kPieceM = 100, kBesideM = 1;
  for (std::size_t i = 0; i < regions_.size(); ++i) {
    const auto& p = regions_[i].polygon_deg;
    for (std::size_t a = 0, b = p.size() - 1; a < p.size(); b = a++) {
      const auto [la, loa] = p[b];
      const auto [lb, lob] = p[a];
      const double mid_lat = (la + lb) / 2;
      const double kx = kEarthRadiusM * kDeg * std::cos(mid_lat * kDeg), ky = kEarthRadiusM * kDeg;
      const double dx = (lob - loa) * kx, dy = (lb - la) * ky, len = std::hypot(dx, dy);
      if (!(len > 0)) continue;
      const int n = std::max(1, static_cast<int>(std::ceil(len / kPieceM)));
      // Unit normal in degrees per metre of offset.
      const double nlat = -dx / len / ky, nlon = dy / len / kx;
      std::optional<std::pair<double, double>> open;
      for (int k = 0; k < n; ++k) {
        const double t0 = static_cast<double>(k) / n, t1 = static_cast<double>(k + 1) / n;
        const double tm = (t0 + t1) / 2;
        const double mlat = la + (lb - la) * tm, mlon = loa + (lob - loa) * tm;
        const bool outer = !inside_any(mlat + nlat * kBesideM, mlon + nlon * kBesideM) ||
                           !inside_any(mlat - nlat * kBesideM, mlon - nlon * kBesideM);
        const std::pair<double, double> start{la + (lb - la) * t0, loa + (lob - loa) * t0};
        const std::pair<double, double> end{la + (lb - la) * t1, loa + (lob - loa) * t1};
        if (outer && !open) open = start;
        if (!outer && open) {
          rest_boundary_.push_back({*open, start});
          open.reset();
        }
        if (outer && k == n - 1) rest_boundary_.push_back({*open, end});
      }
    }
  }
}

double Regions::rest_distance_m(double lat, double lon) const {
  const double kx = kEarthRadiusM * kDeg * std::cos(lat * kDeg), ky = kEarthRadiusM * kDeg;
  double best = std::numeric_limits<double>::infinity();
  for (const auto& [a, b] : rest_boundary_) {
    const double ax = (a.second - lon) * kx, ay = (a.first - lat) * ky;
    const double bx = (b.second - lon) * kx, by = (b.first - lat) * ky;
    const double dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
    const double t = len2 > 0 ? std::clamp(-(ax * dx + ay * dy) / len2, 0.0, 1.0) : 0.0;
    best = std::min(best, std::hypot(ax + t * dx, ay + t * dy));
  }
  return best;
}

bool Regions::near(std::size_t i, double lat, double lon) const {
  if (owner(lat, lon) == i) return true;
  if (margin_m_ <= 0) return false;
  // Room for the distances' approximations (local equirectangular; the
  // rest's boundary in 100 m pieces): a margin is never short.
  const double margin = margin_m_ * 1.01 + 200;
  if (regions_[i].polygon_deg.empty()) return rest_distance_m(lat, lon) <= margin;
  const double d = edge_distance_m(i, lat, lon);
  if (d <= margin) return true;
  if (rest_) return false;
  // Without a rest, the points outside every polygon belong to the nearest:
  // a point q within the margin of this one that i owns that way is at most
  // the margin from i's polygon plus its distance to this point's owner.
  return d <=
         (inside_any(lat, lon) ? 0.0 : edge_distance_m(owner(lat, lon), lat, lon)) + 2 * margin;
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
