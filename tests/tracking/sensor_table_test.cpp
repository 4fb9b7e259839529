// The clutter density a radar's plots imply: sensor-wide, and local where its
// polar clutter map shows the unexplained plots concentrate.
#include "tracking/sensor_table.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>

#include "fakes.hpp"

namespace skyfuse::tracking {
namespace {

using testing::at;
using testing::kRadar;

// The radar of fakes.hpp: 4 s rotation, no max range (cfg's 200 km), map of
// 5 km rings x 36 sectors.
struct Radar {
  TrackerConfig cfg;
  estimation::TrackingFrame frame{GeodeticPosition{47.0, 8.0, 0}};
  SensorTable sensors{testing::two_sensors(), frame, cfg};
  SensorInfo& si = sensors.at(kRadar);
  // A point at this ground range [m] and azimuth [deg] from the site.
  Eigen::Vector2d point(double ground_m, double az_deg) const {
    const double a = az_deg * std::numbers::pi / 180;
    return si.site_xy + ground_m * Eigen::Vector2d(std::sin(a), std::cos(a));
  }
};

TEST(ClutterMap, UniformClutterKeepsTheSensorWideDensity) {
  Radar r;
  // 100 scans of 30 plots uniform in area over the 200 km disc.
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> u(0, 1);
  for (int scan = 0; scan < 100; ++scan)
    for (int k = 0; k < 30; ++k)
      r.sensors.note_initiation(kRadar, at(scan * 4.0), true,
                                r.point(200e3 * std::sqrt(u(rng)), 360 * u(rng)));
  const Time now = at(400);
  // Hand-derived: 3,000 plots over 100 scans (span 400 s / 4 s) on pi 200 km^2.
  const double global = 3000.0 / 100 / (std::numbers::pi * 200e3 * 200e3);
  // Expected count per cell is at most ~27 (the outer ring); a cell rarely
  // exceeds it by more than two Poisson sigmas of its own count.
  int above = 0, cells = 0;
  for (double g = 2.5e3; g < 200e3; g += 5e3)
    for (double az = 5; az < 360; az += 10) {
      ++cells;
      const double d = r.si.clutter_density(now, r.point(g, az));
      EXPECT_GE(d, global * (1 - 1e-12));
      if (d > global * 1.0000001) ++above;
    }
  EXPECT_EQ(cells, 40 * 36);
  EXPECT_LT(above, cells / 50) << above << " cells above the sensor-wide density";
}

TEST(ClutterMap, AHotCellUsesItsOwnDensity) {
  Radar r;
  // 400 plots in one cell (ring 1: 5-10 km, sector 90-100 deg) over 100 scans,
  // 600 elsewhere (ring 30, spread over its sectors).
  for (int i = 0; i < 400; ++i)
    r.sensors.note_initiation(kRadar, at((i % 100) * 4.0), true, r.point(7e3, 95));
  for (int i = 0; i < 600; ++i)
    r.sensors.note_initiation(kRadar, at((i % 100) * 4.0), true, r.point(152e3, i * 0.6));
  const Time now = at(400);
  const double global = 1000.0 / 100 / (std::numbers::pi * 200e3 * 200e3);
  // The cell: its count less two sigmas, per scan, over its area
  // (pi (10^2 - 5^2) km^2 / 36).
  const double cell_area = std::numbers::pi * (10e3 * 10e3 - 5e3 * 5e3) / 36;
  const double hot = (400 - 2 * std::sqrt(400.0)) / 100 / cell_area;
  EXPECT_NEAR(r.si.clutter_density(now, r.point(9e3, 91)), hot, hot * 1e-9);
  EXPECT_GT(hot, 100 * global);
  // Next door (another sector, another ring) and far away: the sensor-wide figure.
  EXPECT_DOUBLE_EQ(r.si.clutter_density(now, r.point(7e3, 105)), global);
  EXPECT_DOUBLE_EQ(r.si.clutter_density(now, r.point(12e3, 95)), global);
  // Outside the map (beyond its range): the sensor-wide figure.
  EXPECT_DOUBLE_EQ(r.si.clutter_density(now, r.point(250e3, 95)), global);
  // Identified initiations (not anonymous) are not clutter.
  Radar q;
  for (int i = 0; i < 400; ++i)
    q.sensors.note_initiation(kRadar, at((i % 100) * 4.0), false, q.point(7e3, 95));
  EXPECT_DOUBLE_EQ(q.si.clutter_density(at(400), q.point(7e3, 95)), 1e-13);
}

TEST(ClutterMap, ZeroRingDisablesTheMap) {
  Radar r;
  r.cfg.clutter_map_ring_m = 0;
  SensorTable plain(testing::two_sensors(), r.frame, r.cfg);
  for (int i = 0; i < 400; ++i)
    plain.note_initiation(kRadar, at((i % 100) * 4.0), true, r.point(7e3, 95));
  const double global = 400.0 / 100 / (std::numbers::pi * 200e3 * 200e3);
  EXPECT_DOUBLE_EQ(plain.at(kRadar).clutter_density(at(400), r.point(7e3, 95)), global);
  // The ADS-B receiver (not a radar) has no map either.
  EXPECT_EQ(plain.at(testing::kAdsb).cell_of(r.point(7e3, 95)), -1);
  EXPECT_EQ(r.sensors.at(testing::kAdsb).cell_of(r.point(7e3, 95)), -1);
}

}  // namespace
}  // namespace skyfuse::tracking
