#include "estimation/frame.hpp"

#include <gtest/gtest.h>

#include <GeographicLib/Geodesic.hpp>
#include <cmath>
#include <numbers>
#include <random>

namespace skyfuse::estimation {
namespace {

constexpr double kDeg = std::numbers::pi / 180;

TEST(TrackingFrame, IsTheWgs84ObliqueStereographicAboutTheOrigin) {
  // The plane is geo::Stereographic on WGS-84 with scale 1 at the origin
  // (checked against the IOGP worked example in tests/geo): here the frame's
  // round trip, and its distances near the origin against GeographicLib's
  // geodesic (scale 1 + (s / 2R)^2 integrated along the radius: s (1 + s^2/12R^2)).
  const TrackingFrame f({47.45, 8.56, 0});
  const auto& g = GeographicLib::Geodesic::WGS84();
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> dlat(-2, 2), dlon(-3, 3);
  EXPECT_LT(f.to_plane(47.45, 8.56).xy.norm(), 1e-6);
  for (int i = 0; i < 500; ++i) {
    const double lat = 47.45 + dlat(rng), lon = 8.56 + dlon(rng);
    double s12, azi1, azi2;
    g.Inverse(47.45, 8.56, lat, lon, s12, azi1, azi2);
    const PlanePoint p = f.to_plane(lat, lon);
    const double r = 6.38e6;
    EXPECT_NEAR(p.xy.norm() / (s12 * (1 + s12 * s12 / (12 * r * r))), 1.0, 2e-5);
    EXPECT_NEAR(std::remainder(std::atan2(p.xy.x(), p.xy.y()) - azi1 * kDeg, 2 * std::numbers::pi),
                0.0, 2e-3);
    geo::Convergence local;
    const GeodeticPosition back = f.from_plane(p.xy, 1234.5, &local);
    EXPECT_NEAR(back.lat_deg, lat, 1e-10);
    EXPECT_NEAR(back.lon_deg, lon, 1e-10);
    EXPECT_NEAR(local.gamma_rad(), p.local.gamma_rad(), 1e-12);
    EXPECT_NEAR(local.scale, p.local.scale, 1e-12);
    EXPECT_NEAR(std::hypot(local.cos_gamma, local.sin_gamma), 1.0, 1e-15);
    EXPECT_EQ(back.alt_m, 1234.5);
  }
}

TEST(TrackingFrame, LocalVelocityMapsToThePlaneDisplacement) {
  // A point moved 10 m due local north moves on the plane along the rotated
  // local north: check local_to_plane against finite differences.
  const TrackingFrame f({51.4, -0.1, 0});
  const auto& g = GeographicLib::Geodesic::WGS84();
  for (double brg : {0.0, 37.0, 90.0, 200.0, 311.0}) {
    const double lat = 52.6, lon = 1.7;  // ~150 km north-east of the origin
    double lat2, lon2;
    g.Direct(lat, lon, brg, 10.0, lat2, lon2);
    const PlanePoint a = f.to_plane(lat, lon), b = f.to_plane(lat2, lon2);
    const Eigen::Vector2d local(10 * std::sin(brg * kDeg), 10 * std::cos(brg * kDeg));
    const Eigen::Vector2d mapped = TrackingFrame::local_to_plane(local, a.local);
    EXPECT_LT((mapped - (b.xy - a.xy)).norm(), 1e-4) << brg;  // conformal: rotation and scale
    EXPECT_LT((TrackingFrame::plane_to_local(mapped, a.local) - local).norm(), 1e-12);
    // Covariance: a 10 m east-west standard deviation keeps its size times the scale.
    const Eigen::Matrix2d c = TrackingFrame::local_to_plane(
        Eigen::Matrix2d(Eigen::Vector2d(100, 1).asDiagonal()), a.local);
    EXPECT_NEAR(c.trace(), 101 * a.local.scale * a.local.scale, 1e-9);
  }
}

}  // namespace
}  // namespace skyfuse::estimation
