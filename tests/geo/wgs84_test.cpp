#include "geo/wgs84.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

namespace skyfuse::geo {
namespace {

std::string data(const char* name) {
  return std::string(SKYFUSE_SOURCE_DIR) + "/tests/data/geo/" + name;
}

double lon_diff(double a, double b) { return std::abs(std::remainder(a - b, 360.0)); }

TEST(Wgs84, MatchesCartConvertTable) {
  std::ifstream in(data("cartconvert_ecef.txt"));
  ASSERT_TRUE(in);
  double lat, lon, h, x, y, z;
  int n = 0;
  while (in >> lat >> lon >> h >> x >> y >> z) {
    const Eigen::Vector3d e = geodetic_to_ecef({lat, lon, h});
    EXPECT_NEAR(e.x(), x, 1e-5) << lat << " " << lon;
    EXPECT_NEAR(e.y(), y, 1e-5) << lat << " " << lon;
    EXPECT_NEAR(e.z(), z, 1e-5) << lat << " " << lon;
    const GeodeticPosition back = ecef_to_geodetic({x, y, z});
    EXPECT_NEAR(back.lat_deg, lat, 1e-9);
    EXPECT_NEAR(back.alt_m, h, 1e-3);
    if (std::abs(lat) < 90) {
      // The table holds ECEF to 1 um, so near the poles compare lon on the ground.
      EXPECT_LT(lon_diff(back.lon_deg, lon) * std::cos(lat * M_PI / 180), 1e-9)
          << lat << " " << lon;
    }
    ++n;
  }
  EXPECT_EQ(n, 28);
}

TEST(LocalFrame, MatchesCartConvertLocalTable) {
  std::ifstream in(data("cartconvert_local_zurich.txt"));
  ASSERT_TRUE(in);
  const LocalFrame f({47.4582, 8.5555, 432});
  double lat, lon, h, e, nn, u;
  int n = 0;
  while (in >> lat >> lon >> h >> e >> nn >> u) {
    const Eigen::Vector3d enu = f.forward({lat, lon, h});
    EXPECT_NEAR(enu.x(), e, 1e-5);
    EXPECT_NEAR(enu.y(), nn, 1e-5);
    EXPECT_NEAR(enu.z(), u, 1e-5);
    // The ECEF path of our own rotation agrees with LocalCartesian too.
    const Eigen::Vector3d via = f.ecef_to_enu(geodetic_to_ecef({lat, lon, h}));
    EXPECT_NEAR((via - enu).norm(), 0, 1e-6);
    ++n;
  }
  EXPECT_EQ(n, 18);
}

TEST(Utm, MatchesGeoConvertTable) {
  std::ifstream in(data("geoconvert_utm.txt"));
  ASSERT_TRUE(in);
  double lat, lon, e, nn;
  std::string zone;
  int n = 0;
  while (in >> lat >> lon >> zone >> e >> nn) {
    const UtmPosition u = to_utm(lat, lon);
    const char hemi = zone.back();
    EXPECT_EQ(u.north, hemi == 'n') << lat << " " << lon;
    const int z = zone.size() > 1 ? std::stoi(zone.substr(0, zone.size() - 1)) : 0;
    EXPECT_EQ(u.zone, z) << lat << " " << lon;
    EXPECT_NEAR(u.easting_m, e, 1e-3);
    EXPECT_NEAR(u.northing_m, nn, 1e-3);
    ++n;
  }
  EXPECT_EQ(n, 28);
}

TEST(Wgs84, RoundTripsWorldwideWithinMillimetreAndNanodegree) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> ulat(-90, 90), ulon(-180, 180), uh(-500, 40000);
  for (int i = 0; i < 20000; ++i) {
    const GeodeticPosition p{ulat(rng), ulon(rng), uh(rng)};
    const GeodeticPosition q = ecef_to_geodetic(geodetic_to_ecef(p));
    ASSERT_NEAR(q.lat_deg, p.lat_deg, 1e-9);
    ASSERT_LT(lon_diff(q.lon_deg, p.lon_deg), 1e-9);
    ASSERT_NEAR(q.alt_m, p.alt_m, 1e-3);
    // And through a local frame anchored nearby.
    const LocalFrame f({std::clamp(p.lat_deg + 0.5, -90.0, 90.0), p.lon_deg - 0.5, 100});
    const GeodeticPosition r = f.reverse(f.forward(p));
    ASSERT_NEAR(r.lat_deg, p.lat_deg, 1e-9);
    ASSERT_LT(lon_diff(r.lon_deg, p.lon_deg), 1e-9);
    ASSERT_NEAR(r.alt_m, p.alt_m, 1e-3);
  }
}

TEST(Wgs84, PolesAndAntimeridian) {
  for (double lon : {-180.0, -179.9999999, 0.0, 179.9999999, 180.0}) {
    const GeodeticPosition p{0, lon, 10000};
    const GeodeticPosition q = ecef_to_geodetic(geodetic_to_ecef(p));
    EXPECT_LT(lon_diff(q.lon_deg, lon), 1e-9);
  }
  // A 1 km step east across the antimeridian is 1 km in ECEF.
  const double dlon = 1000.0 / (6378137.0 * M_PI / 180);
  const Eigen::Vector3d a = geodetic_to_ecef({0, 180 - dlon / 2, 0});
  const Eigen::Vector3d b = geodetic_to_ecef({0, -180 + dlon / 2, 0});
  EXPECT_NEAR((a - b).norm(), 1000, 1e-3);
  // The poles: any longitude is the same point.
  EXPECT_NEAR((geodetic_to_ecef({90, 0, 0}) - geodetic_to_ecef({90, 123, 0})).norm(), 0, 1e-6);
  EXPECT_NEAR(ecef_to_geodetic(geodetic_to_ecef({-90, 0, 250})).alt_m, 250, 1e-3);
  EXPECT_DOUBLE_EQ(normalize_lon_deg(180), -180);
  EXPECT_DOUBLE_EQ(normalize_lon_deg(-540.5), 179.5);
}

TEST(Wgs84, JacobianMatchesFiniteDifferences) {
  for (const GeodeticPosition p : {GeodeticPosition{47, 8, 1000}, GeodeticPosition{-60, 170, 12000},
                                   GeodeticPosition{0.1, -179.9, 0}}) {
    const Eigen::Matrix3d j = geodetic_to_ecef_jacobian(p);
    const double h_rad = 1e-7, h_m = 1e-2;
    const double deg = 180 / M_PI;
    const Eigen::Vector3d dlat = (geodetic_to_ecef({p.lat_deg + h_rad * deg, p.lon_deg, p.alt_m}) -
                                  geodetic_to_ecef({p.lat_deg - h_rad * deg, p.lon_deg, p.alt_m})) /
                                 (2 * h_rad);
    const Eigen::Vector3d dlon = (geodetic_to_ecef({p.lat_deg, p.lon_deg + h_rad * deg, p.alt_m}) -
                                  geodetic_to_ecef({p.lat_deg, p.lon_deg - h_rad * deg, p.alt_m})) /
                                 (2 * h_rad);
    const Eigen::Vector3d dh = (geodetic_to_ecef({p.lat_deg, p.lon_deg, p.alt_m + h_m}) -
                                geodetic_to_ecef({p.lat_deg, p.lon_deg, p.alt_m - h_m})) /
                               (2 * h_m);
    EXPECT_LT((j.col(0) - dlat).norm() / dlat.norm(), 1e-6);
    EXPECT_LT((j.col(1) - dlon).norm() / dlon.norm(), 1e-6);
    EXPECT_LT((j.col(2) - dh).norm(), 1e-6);
  }
}

// Live oracle: GeographicLib's CartConvert on random points, when installed.
TEST(Wgs84, MatchesLiveCartConvert) {
  if (std::system("command -v CartConvert > /dev/null 2>&1") != 0)
    GTEST_SKIP() << "CartConvert not installed";
  const std::string in_path = std::string(SKYFUSE_BINARY_DIR) + "/cartconvert_in.txt";
  const std::string out_path = std::string(SKYFUSE_BINARY_DIR) + "/cartconvert_out.txt";
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> ulat(-90, 90), ulon(-180, 180), uh(-400, 30000);
  std::vector<GeodeticPosition> pts;
  {
    std::ofstream o(in_path);
    o.precision(17);
    for (int i = 0; i < 500; ++i) {
      pts.push_back({ulat(rng), ulon(rng), uh(rng)});
      o << pts.back().lat_deg << " " << pts.back().lon_deg << " " << pts.back().alt_m << "\n";
    }
  }
  ASSERT_EQ(std::system(("CartConvert -p 9 < " + in_path + " > " + out_path).c_str()), 0);
  std::ifstream in(out_path);
  for (const auto& p : pts) {
    double x, y, z;
    ASSERT_TRUE(in >> x >> y >> z);
    EXPECT_LT((geodetic_to_ecef(p) - Eigen::Vector3d(x, y, z)).norm(), 1e-6);
  }
}

}  // namespace
}  // namespace skyfuse::geo
