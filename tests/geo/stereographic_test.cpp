#include "geo/stereographic.hpp"

#include <gtest/gtest.h>

#include <GeographicLib/Geodesic.hpp>
#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>

namespace skyfuse::geo {
namespace {

constexpr double kDeg = std::numbers::pi / 180;

// IOGP Guidance Note 7-2, Oblique Stereographic (EPSG 9809) worked example:
// Amersfoort / RD New on the Bessel 1841 ellipsoid.
Stereographic rd_new() {
  const double lat0 = 52 + 9 / 60.0 + 22.178 / 3600, lon0 = 5 + 23 / 60.0 + 15.5 / 3600;
  return Stereographic(6377397.155, 1 / 299.15281, lat0, lon0, 0.9999079, 155000, 463000);
}

TEST(Stereographic, GuidanceNoteWorkedExample) {
  const Stereographic s = rd_new();
  const StereoPoint p = s.forward(53, 6);
  EXPECT_NEAR(p.x, 196105.283, 0.001);
  EXPECT_NEAR(p.y, 557057.739, 0.001);
  const LatLon g = s.reverse(196105.283, 557057.739);
  EXPECT_NEAR(g.lat_deg, 53, 1e-8);
  EXPECT_NEAR(g.lon_deg, 6, 1e-8);
}

TEST(Stereographic, KadasterPublishedPoints) {
  // Rijksdriehoeksmeting values published by the Kadaster (cm precision).
  const Stereographic s = rd_new();
  const StereoPoint a = s.forward(53, 4), b = s.forward(53, 8);
  EXPECT_NEAR(a.x, 61856.776, 0.01);
  EXPECT_NEAR(a.y, 557779.118, 0.01);
  EXPECT_NEAR(b.x, 330331.464, 0.01);
  EXPECT_NEAR(b.y, 560058.312, 0.01);
}

TEST(Stereographic, RoundTripAndLocalMapIsRotationAndScale) {
  // Conformal: a short step of length L at local bearing b lands on the plane
  // at bearing b - gamma with length scale * L. Steps by GeographicLib's
  // geodesic (independent of the projection code).
  const Stereographic s(6378137.0, 1 / 298.257223563, 47.45, 8.56);
  const auto& geod = GeographicLib::Geodesic::WGS84();
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> dlat(-6, 6), dlon(-9, 9), brg(0, 360);
  for (int i = 0; i < 300; ++i) {
    const double lat = 47.45 + dlat(rng), lon = 8.56 + dlon(rng);
    const StereoPoint p = s.forward(lat, lon);
    Convergence local;
    const LatLon back = s.reverse(p.x, p.y, &local);
    EXPECT_NEAR(back.lat_deg, lat, 1e-10);
    EXPECT_NEAR(back.lon_deg, lon, 1e-10);
    EXPECT_NEAR(local.gamma_rad(), p.local.gamma_rad(), 1e-12);
    EXPECT_NEAR(local.scale, p.local.scale, 1e-12);
    EXPECT_NEAR(std::hypot(local.cos_gamma, local.sin_gamma), 1.0, 1e-15);
    const double b = brg(rng);
    double lat2, lon2;
    geod.Direct(lat, lon, b, 10.0, lat2, lon2);
    const StereoPoint q = s.forward(lat2, lon2);
    const double len = std::hypot(q.x - p.x, q.y - p.y);
    EXPECT_NEAR(len / 10.0, p.local.scale, 2e-6);
    const double plane_brg = std::atan2(q.x - p.x, q.y - p.y);
    EXPECT_NEAR(std::remainder(plane_brg - (b * kDeg - p.local.gamma_rad()), 2 * std::numbers::pi),
                0.0, 2e-6);
  }
  // Scale 1 at the origin, about 1 + (s / 2R)^2 at distance s.
  EXPECT_NEAR(s.forward(47.45, 8.56).local.scale, 1.0, 1e-12);
  double s12;
  geod.Inverse(47.45, 8.56, 49.45, 8.56, s12);
  EXPECT_NEAR(s.forward(49.45, 8.56).local.scale, 1 + std::pow(s12 / (2 * 6.37e6), 2), 2e-5);
}

TEST(Stereographic, InverseIsExactFromTheEquatorToHighLatitudes) {
  for (double lat0 : {0.0, -35.0, 47.0, 70.0}) {
    const Stereographic s(6378137.0, 1 / 298.257223563, lat0, 20.0);
    for (double dlat = -10; dlat <= 10; dlat += 0.5)
      for (double dlon = -15; dlon <= 15; dlon += 1.5) {
        const double lat = std::clamp(lat0 + dlat, -89.0, 89.0), lon = 20.0 + dlon;
        const StereoPoint p = s.forward(lat, lon);
        const LatLon g = s.reverse(p.x, p.y);
        EXPECT_NEAR(g.lat_deg, lat, 1e-11) << lat0 << " " << lat << " " << lon;
        EXPECT_NEAR(g.lon_deg, lon, 1e-11) << lat0 << " " << lat << " " << lon;
      }
  }
}

}  // namespace
}  // namespace skyfuse::geo
