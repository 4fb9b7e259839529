// The vertical filter alone: height, rate and the geometric - pressure offset.
#include "estimation/vertical_filter.hpp"

#include <gtest/gtest.h>

#include <random>

namespace skyfuse::estimation {
namespace {

TEST(VerticalFilter, EstimatesTheGeometricMinusPressureOffset) {
  std::mt19937 rng(3);
  std::normal_distribution<double> n(0, 1);
  const double offset = 137.0;  // geometric - pressure height
  VerticalFilter v(VerticalFilter::Params{}, 10000, 1e4, 0, 200 * 200);
  for (int k = 0; k < 300; ++k) {
    v.predict(1.0);
    const double h = 10000 + 5.0 * k;  // climbing 5 m/s
    if (k % 2 == 0) v.update_geometric(h + 15 * n(rng), 225);
    v.update_baro(h - offset + 8 * n(rng), 64);
  }
  EXPECT_NEAR(v.offset(), offset, 5);
  EXPECT_NEAR(v.rate(), 5.0, 0.5);
  EXPECT_NEAR(v.height(), 10000 + 5.0 * 299, 10);
}

TEST(VerticalFilter, SettingTheOffsetKeepsThePressureAltitude) {
  // h 10,000 m with offset 200 m: pressure altitude 9,800 m. The offset at a
  // new level set to 260 m: the height follows, the pressure altitude stays.
  VerticalFilter v(VerticalFilter::Params{}, 10000, 100, 200, 400);
  v.update_baro(9800, 25);
  const double pa_var = v.covariance()(0, 0) + v.covariance()(2, 2) - 2 * v.covariance()(0, 2);
  v.set_offset(260, 30 * 30);
  EXPECT_NEAR(v.height() - v.offset(), 9800, 1e-9);
  EXPECT_NEAR(v.offset(), 260, 1e-12);
  EXPECT_NEAR(v.covariance()(2, 2), 900, 1e-9);
  EXPECT_NEAR(v.covariance()(0, 0), pa_var + 900, 1e-6);
  // Not a number: ignored.
  v.set_offset(std::nan(""), 900);
  EXPECT_NEAR(v.offset(), 260, 1e-12);
}

TEST(VerticalFilter, HeightFromTwoRadarsPlanePositions) {
  // A 2-D plot placed at an assumed height h0 is displaced along the radar's
  // radial by J (h0 - h): two radars seeing the target from different sides
  // make the height observable. Hand-built linear case: J1 = (0.2, 0) and
  // J2 = (0, -0.25) per metre, truth 9000 m, prior 3000 +- 3000 m.
  VerticalFilter v(VerticalFilter::Params{}, 3000, 9e6, 0, 1e4);
  const double h_true = 9000;
  for (int k = 0; k < 20; ++k) {
    const Eigen::Vector2d j = k % 2 ? Eigen::Vector2d(0.2, 0) : Eigen::Vector2d(0, -0.25);
    const double h0 = v.height();
    const Eigen::Vector2d nu = j * (h0 - h_true);  // plot minus (exact) horizontal position
    const Eigen::Matrix2d s =
        j * j.transpose() * v.covariance()(0, 0) + Eigen::Matrix2d::Identity() * 100;
    v.update_from_plane(-j, s, nu);
  }
  EXPECT_NEAR(v.height(), h_true, 100);
}

}  // namespace
}  // namespace skyfuse::estimation
