#include "mlat/report_adapter.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "geo/wgs84.hpp"

namespace skyfuse::mlat {
namespace {

constexpr double kC = 299'792'458.0;
const std::int64_t kT0 = 1'533'123'000'000'000'000;  // 2018-08-01, Unix ns

// Five GPS receivers (absolute clocks, no offset) on a 50 km ring and its
// centre; arrival times are straight-line distances over c, computed here.
struct Network {
  geo::LocalFrame frame{GeodeticPosition{47.0, 8.0, 0.0}};
  ReceiverSet receivers;
  Network() {
    const std::vector<Eigen::Vector3d> enu = {
        {50e3, 0, 400}, {0, 50e3, 500}, {-50e3, 0, 300}, {0, -50e3, 450}, {0, 0, 420}};
    for (std::size_t k = 0; k < enu.size(); ++k)
      receivers.add({.id = static_cast<ReceiverId>(k + 1), .position = frame.reverse(enu[k])});
  }
  // A message emitted at t_ns from `enu` heard by the receivers `ids`.
  Message message(std::int64_t id, std::int64_t t_ns, const Eigen::Vector3d& enu,
                  std::vector<ReceiverId> ids) const {
    Message m;
    m.id = id;
    m.time = Time{t_ns};
    m.aircraft = "a" + std::to_string(id % 7);
    const Eigen::Vector3d x = frame.enu_to_ecef(enu);
    for (ReceiverId r : ids) {
      const double d = (x - receivers.find(r)->ecef_m).norm();
      m.toas.push_back({.receiver = r, .toa_ns = t_ns + std::llround(d / kC * 1e9)});
    }
    m.baro_alt_m = frame.reverse(enu).alt_m;
    return m;
  }
};

MultilateratorConfig vacuum() {
  MultilateratorConfig cfg;
  cfg.refraction = false;
  cfg.reference_latency = false;
  return cfg;
}

TEST(ReportAdapter, OkFixesBecomeReportsFlaggedOnesAreCounted) {
  const Network net;
  ReportAdapter adapter(net.receivers, vacuum(), 7);
  Multilaterator direct(net.receivers, vacuum());  // the same stream, for the fix itself
  std::vector<Report> out;
  const std::vector<ReceiverId> all = {1, 2, 3, 4, 5};
  // References from known positions on a grid of the area.
  std::int64_t t = kT0;
  for (int k = 0; k < 30; ++k, t += 200'000'000) {
    Message ref = net.message(k, t, {-40e3 + 2.7e3 * k, 30e3 - 2e3 * k, 9e3 + 30 * k}, all);
    ref.reference = net.frame.reverse({-40e3 + 2.7e3 * k, 30e3 - 2e3 * k, 9e3 + 30 * k});
    ref.geo_alt_m = ref.reference->alt_m;
    adapter.push(ref, out);
    EXPECT_TRUE(direct.push(ref).empty());
  }
  EXPECT_TRUE(out.empty()) << "references are never reported";

  // A Mode S aircraft without ADS-B, heard by all five.
  const Eigen::Vector3d truth_enu(12e3, -8e3, 10.5e3);
  Message target = net.message(100, t, truth_enu, all);
  target.icao24 = 0x4b1a01;
  adapter.push(target, out, 4242);
  const std::vector<Fix> fixes = direct.push(target);
  ASSERT_EQ(fixes.size(), 1u);
  ASSERT_EQ(fixes[0].flag, FixFlag::kOk);
  ASSERT_EQ(out.size(), 1u);
  const Report& r = out[0];
  EXPECT_EQ(r.sensor, 7u);
  EXPECT_EQ(r.sensor_kind, SensorKind::kMlat);
  EXPECT_EQ(r.time, target.time);
  EXPECT_EQ(r.source_offset, 4242);
  ASSERT_TRUE(r.identity.icao24);
  EXPECT_EQ(*r.identity.icao24, 0x4b1a01u);
  ASSERT_TRUE(r.baro_alt_m);
  EXPECT_DOUBLE_EQ(*r.baro_alt_m, *target.baro_alt_m);
  const auto& g = std::get<GeodeticMeasurement>(r.measurement);
  EXPECT_FALSE(g.has_height);
  // Where the aircraft is (exact arrival times: within a metre).
  const Eigen::Vector3d e = net.frame.forward(g.position) - truth_enu;
  EXPECT_LT(e.head<2>().norm(), 1.0);
  // The fix's horizontal covariance, east/north, and nothing else.
  const Eigen::Matrix2d fix_en = fixes[0].cov_enu_m2.topLeftCorner<2, 2>();
  const Eigen::Matrix2d report_en = g.covariance_enu.topLeftCorner<2, 2>();
  EXPECT_TRUE(report_en.isApprox(fix_en));
  EXPECT_EQ(g.covariance_enu(2, 2), 0.0);
  EXPECT_GT(g.covariance_enu(0, 0), 0.0);

  // Heard by two receivers: counted as too few, not reported; no address: none given.
  adapter.push(net.message(101, t + 100'000'000, truth_enu, {1, 2}), out);
  EXPECT_EQ(out.size(), 1u);
  adapter.push(net.message(102, t + 200'000'000, truth_enu, all), out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_FALSE(out[1].identity.icao24);
  adapter.flush(out);
  EXPECT_EQ(adapter.counts(FixFlag::kOk), 2);
  EXPECT_EQ(adapter.counts(FixFlag::kTooFewReceivers), 1);
  EXPECT_EQ(adapter.messages(), 33);
}

TEST(ReportAdapter, OnlyOkFixesMakeReports) {
  Fix f;
  f.flag = FixFlag::kOk;
  f.time = Time{kT0};
  f.position = {47.1, 8.2, 10000};
  f.cov_enu_m2.diagonal() << 400, 900, 2500;
  f.cov_enu_m2(0, 1) = f.cov_enu_m2(1, 0) = 100;
  f.icao24 = 0xabcdef;
  const auto r = to_report(f, 3, 9990.0);
  ASSERT_TRUE(r);
  const auto& g = std::get<GeodeticMeasurement>(r->measurement);
  EXPECT_EQ(g.covariance_enu(0, 0), 400);
  EXPECT_EQ(g.covariance_enu(1, 1), 900);
  EXPECT_EQ(g.covariance_enu(0, 1), 100);
  EXPECT_EQ(g.position.lat_deg, 47.1);
  EXPECT_EQ(*r->baro_alt_m, 9990.0);
  for (FixFlag bad :
       {FixFlag::kBadGeometry, FixFlag::kInconsistent, FixFlag::kAmbiguous,
        FixFlag::kTooFewReceivers, FixFlag::kUnsynchronised, FixFlag::kNoConvergence}) {
    f.flag = bad;
    EXPECT_FALSE(to_report(f, 3, 9990.0)) << to_string(bad);
  }
}

}  // namespace
}  // namespace skyfuse::mlat
