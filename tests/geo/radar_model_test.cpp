#include "geo/radar_model.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>

namespace skyfuse::geo {
namespace {

const GeodeticPosition kSite{47.0, 8.0, 500.0};

double distance_m(const GeodeticPosition& a, const GeodeticPosition& b) {
  return (geodetic_to_ecef(a) - geodetic_to_ecef(b)).norm();
}

TEST(RadarModel, GeometricCasesWithoutRefraction) {
  const RadarModel radar(kSite, 1.0);
  const LocalFrame& f = radar.frame();
  // Straight up 10 km.
  Polar z = radar.forward(f.reverse({0, 0, 10000}));
  EXPECT_NEAR(z.range_m, 10000, 1e-6);
  EXPECT_NEAR(z.elevation_rad, std::numbers::pi / 2, 1e-9);
  // 3-4-5 triangle in the local horizontal plane.
  z = radar.forward(f.reverse({3000, 4000, 0}));
  EXPECT_NEAR(z.range_m, 5000, 1e-6);
  EXPECT_NEAR(z.azimuth_rad, std::atan2(3.0, 4.0), 1e-12);
  EXPECT_NEAR(z.elevation_rad, 0, 1e-12);
  // Due west, slightly below the horizontal plane: azimuth 270 deg, negative elevation.
  z = radar.forward(f.reverse({-20000, 0, -100}));
  EXPECT_NEAR(z.azimuth_rad, 1.5 * std::numbers::pi, 1e-12);
  EXPECT_NEAR(z.elevation_rad, std::atan2(-100.0, 20000.0), 1e-12);
  EXPECT_NEAR(z.range_m, std::hypot(20000.0, 100.0), 1e-6);
}

TEST(RadarModel, RefractionRaisesApparentElevationBySOver8R) {
  // Effective earth 4/3: near the horizontal, apparent minus geometric
  // elevation ~ s (1 - 1/k) / (2 R) = s / (8 R).
  const RadarModel geometric(kSite, 1.0), refracted(kSite);
  const LocalFrame& f = geometric.frame();
  const double r = curvature_radii(kSite.lat_deg).meridional_m;  // azimuth 0: Euler radius = M
  for (double s : {50e3, 100e3, 200e3}) {
    const double up = s * s / (2 * r) + 0.002 * s;  // a target about 0.1 deg above the horizon
    const GeodeticPosition target = f.reverse({0, s, up});
    const double de =
        refracted.forward(target).elevation_rad - geometric.forward(target).elevation_rad;
    EXPECT_NEAR(de, s / (8 * r), 0.03 * s / (8 * r)) << s;
  }
}

TEST(RadarModel, RefractedRangeIsTheLawOfCosinesOverTheEffectiveEarth) {
  // Hand derivation: ground distance s and height h over the site's osculating
  // circle (radius M toward north), then the triangle centre-site-target on a
  // sphere of radius k M.
  const RadarModel refracted(kSite);
  const double m = curvature_radii(kSite.lat_deg).meridional_m;
  const double k = kStandardRefractionK;
  for (double d : {10e3, 80e3, 250e3}) {
    const double z = 9000;
    const GeodeticPosition target = refracted.frame().reverse({0, d, z});
    const double vert = m + kSite.alt_m + z;
    const double s = m * std::atan2(d, vert);
    const double h = std::hypot(d, vert) - m;
    const double a = k * m + kSite.alt_m, b = k * m + h;
    const double rho = std::sqrt(a * a + b * b - 2 * a * b * std::cos(s / (k * m)));
    EXPECT_NEAR(refracted.forward(target).range_m, rho, 1e-6) << d;
  }
}

TEST(RadarModel, HorizonFollowsTheFourThirdsEarthRule) {
  // Classic radar horizon over a 4/3 earth: d = sqrt(2 k R h_r) + sqrt(2 k R h_t).
  const GeodeticPosition site{47.0, 8.0, 100.0};
  const RadarModel radar(site);
  const double r = curvature_radii(site.lat_deg).meridional_m;
  const double k = kStandardRefractionK;
  for (double ht : {0.0, 1000.0, 10000.0}) {
    const double d = std::sqrt(2 * k * r * 100.0) + std::sqrt(2 * k * r * ht);
    // Place targets due north at ground distance 0.98 d and 1.02 d, height ht.
    for (double factor : {0.98, 1.02}) {
      const double gamma = factor * d / r;
      const Eigen::Vector3d enu{0, (r + ht) * std::sin(gamma),
                                (r + ht) * std::cos(gamma) - r - 100.0};
      const GeodeticPosition target = radar.frame().reverse(enu);
      EXPECT_EQ(radar.visible(target), factor < 1) << "h_t " << ht << " factor " << factor;
    }
  }
  // With k = 1 the geometric horizon is shorter: 1.02 x the 4/3 distance fails,
  // and so does 0.98 x of it.
  const RadarModel flat(site, 1.0);
  const double d43 = std::sqrt(2 * k * r * 100.0);
  const double gamma = 0.98 * d43 / r;
  EXPECT_FALSE(
      flat.visible(flat.frame().reverse({0, r * std::sin(gamma), r * std::cos(gamma) - r - 100})));
}

TEST(RadarModel, ReverseRoundTripsWithinAMillimetre) {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> uaz(0, 2 * std::numbers::pi), ud(1e3, 300e3), uh(0, 15000);
  for (const GeodeticPosition site :
       {kSite, GeodeticPosition{-33.9, 151.2, 20}, GeodeticPosition{69.5, 179.9, 300}}) {
    const RadarModel radar(site);
    for (int i = 0; i < 2000; ++i) {
      const double az = uaz(rng), d = ud(rng);
      GeodeticPosition target = radar.frame().reverse({d * std::sin(az), d * std::cos(az), 0});
      target.alt_m = uh(rng);
      const Polar z = radar.forward(target);
      const GeodeticPosition a =
          radar.reverse_with_elevation(z.range_m, z.azimuth_rad, z.elevation_rad);
      ASSERT_LT(distance_m(a, target), 1e-3) << i;
      const auto b = radar.reverse_with_height(z.range_m, z.azimuth_rad, target.alt_m);
      ASSERT_TRUE(b);
      ASSERT_LT(distance_m(*b, target), 1e-3) << i;
      ASSERT_LE(std::abs(b->lon_deg), 180.0) << i;  // the third site's plots cross 180 deg
    }
  }
}

TEST(RadarModel, InconsistentRangeAndHeightIsAnError) {
  const RadarModel radar(kSite);
  EXPECT_FALSE(radar.reverse_with_height(1000, 0, 10000));  // 1 km range, 9.5 km above the site
  EXPECT_FALSE(radar.reverse_with_height(-5, 0, 1000));
}

TEST(RadarModel, JacobianMatchesGeometryAtShortRange) {
  const RadarModel radar(kSite, 1.0);
  const Eigen::Vector3d enu{3000, -4000, 1200};
  const Eigen::Vector3d ecef = radar.frame().enu_to_ecef(enu);
  const Eigen::Matrix3d j = radar.jacobian_ecef(ecef);
  const Eigen::Matrix3d j_enu = j * radar.frame().rotation().transpose();  // d/d(ENU)
  const double rho = enu.norm(), rh2 = enu.x() * enu.x() + enu.y() * enu.y();
  const Eigen::Vector3d drange = enu / rho;
  const Eigen::Vector3d daz{enu.y() / rh2, -enu.x() / rh2, 0};
  const double rh = std::sqrt(rh2);
  const Eigen::Vector3d del{-enu.x() * enu.z() / (rho * rho * rh),
                            -enu.y() * enu.z() / (rho * rho * rh), rh / (rho * rho)};
  EXPECT_LT((j_enu.row(0).transpose() - drange).norm(), 1e-7);
  EXPECT_LT((j_enu.row(1).transpose() - daz).norm(), 1e-9);
  EXPECT_LT((j_enu.row(2).transpose() - del).norm(), 1e-9);
}

TEST(RadarModel, RejectsAbsurdRefractionFactor) {
  EXPECT_THROW(RadarModel(kSite, 0.0), ConfigError);
  EXPECT_THROW(RadarModel(kSite, 100.0), ConfigError);
}

}  // namespace
}  // namespace skyfuse::geo
