#include "server/live_store.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace skyfuse::server {
namespace {

ObjectState track(const std::string& id, double t_s, double lat_deg) {
  ObjectState s;
  s.time = Time::from_seconds(t_s);
  s.id = id;
  s.position = {lat_deg, 8.5, 3000};
  s.velocity_enu_mps = {100, 0, 0};
  s.status = TrackStatus::kConfirmed;
  s.identity.callsign = "SWR1";
  return s;
}

Publication at(double t_s) {
  Publication p;
  p.now = Time::from_seconds(t_s);
  p.counters.push_back({"reports_total", "Reports", "counter", {{"", 7}}});
  return p;
}

TEST(LiveStore, PicturesAndTracksFollowTheUpdates) {
  LiveStore store(StoreInfo{});
  EXPECT_EQ(nlohmann::json::parse(store.picture_json())["tracks"].size(), 0U);
  store.apply(std::vector<ObjectState>{track("1", 100, 47.0), track("2", 100, 47.1),
                                       track("1", 101, 47.2)});
  const auto picture = nlohmann::json::parse(store.publish(at(101)));
  EXPECT_EQ(picture["type"], "picture");
  ASSERT_EQ(picture["tracks"].size(), 2U);
  EXPECT_EQ(picture["tracks"][0]["id"], "1");
  EXPECT_EQ(picture["tracks"][0]["cs"], "SWR1");
  EXPECT_EQ(nlohmann::json::parse(store.picture_json()), picture);  // /api/tracks
  const auto one = nlohmann::json::parse(*store.track_json("1"));
  EXPECT_EQ(one["updates"], 2);
  ASSERT_EQ(one["history"].size(), 2U);
  EXPECT_DOUBLE_EQ(one["history"][1][1].get<double>(), 47.2);
  EXPECT_FALSE(store.track_json("3"));

  ObjectState gone = track("2", 102, 47.1);
  gone.status = TrackStatus::kDeleted;
  store.apply(std::vector<ObjectState>{gone});
  EXPECT_EQ(store.track_count(), 1U);
  EXPECT_FALSE(store.track_json("2"));
  store.clear();
  EXPECT_EQ(store.track_count(), 0U);
}

// A Remote ID drone's operator goes to the map as "op": [lat, lon] (issue #20).
TEST(LiveStore, PictureCarriesTheRemoteIdOperator) {
  LiveStore store(StoreInfo{});
  ObjectState drone = track("7", 100, 47.1987);
  drone.identity.callsign.clear();
  drone.identity.remote_id = "1588E040445AC004418";
  drone.operator_position = OperatorPosition{47.198656, 8.7302205, std::nullopt};
  store.apply(std::vector<ObjectState>{drone, track("8", 100, 47.0)});
  const auto picture = nlohmann::json::parse(store.publish(at(100)));
  ASSERT_EQ(picture["tracks"].size(), 2U);
  const auto& d = picture["tracks"][0];
  EXPECT_EQ(d["rid"], "1588E040445AC004418");
  ASSERT_EQ(d["op"].size(), 2U);
  EXPECT_NEAR(d["op"][0].get<double>(), 47.198656, 1e-9);
  EXPECT_NEAR(d["op"][1].get<double>(), 8.7302205, 1e-9);
  EXPECT_FALSE(picture["tracks"][1].contains("op"));
}

TEST(LiveStore, HistoryKeepsTheLastPoints) {
  StoreInfo info;
  info.history_points = 3;
  LiveStore store(info);
  for (int i = 0; i < 10; ++i)
    store.apply(std::vector<ObjectState>{track("9", 100 + i, 47 + 0.01 * i)});
  const auto one = nlohmann::json::parse(*store.track_json("9"));
  ASSERT_EQ(one["history"].size(), 3U);
  EXPECT_DOUBLE_EQ(one["history"][0][0].get<double>(), 107);
}

TEST(LiveStore, StatsAndMetricsCarryThePublicationsCounters) {
  LiveStore store(StoreInfo{});
  store.apply(std::vector<ObjectState>{track("1", 100, 47.0)});
  store.publish(at(100));
  const auto stats = nlohmann::json::parse(store.stats_json());
  EXPECT_EQ(stats["tracks"], 1);
  EXPECT_EQ(stats["reports_total"], 7);
  const std::string metrics = store.metrics_text();
  EXPECT_NE(metrics.find("skyfuse_tracks 1\n"), std::string::npos);
  EXPECT_NE(metrics.find("# TYPE skyfuse_reports_total counter\nskyfuse_reports_total 7\n"),
            std::string::npos);
}

TEST(LiveStore, CounterSourceIsAppendedToStatsAndMetrics) {
  LiveStore store(StoreInfo{});
  store.publish(at(100));
  int calls = 0;
  store.set_counter_source([&] {
    ++calls;
    return std::vector<Counter>{{"http_requests_total", "Requests", "counter", {{"", 42}}},
                                {"http_open", "Open", "gauge", {{"kind=\"ws\"", 3}}}};
  });
  const auto stats = nlohmann::json::parse(store.stats_json());
  EXPECT_EQ(stats["http_requests_total"], 42);
  EXPECT_EQ(stats["http_open"]["kind=\"ws\""], 3);
  EXPECT_EQ(stats["reports_total"], 7);  // the pipeline's stay
  const std::string metrics = store.metrics_text();
  EXPECT_NE(metrics.find("# HELP skyfuse_http_requests_total Requests\n"
                         "# TYPE skyfuse_http_requests_total counter\n"
                         "skyfuse_http_requests_total 42\n"),
            std::string::npos);
  EXPECT_NE(metrics.find("skyfuse_http_open{kind=\"ws\"} 3\n"), std::string::npos);
  EXPECT_EQ(calls, 2);
  store.set_counter_source(nullptr);
  EXPECT_FALSE(nlohmann::json::parse(store.stats_json()).contains("http_requests_total"));
}

TEST(LiveStore, CounterSourceRunsWithoutTheStoresLock) {
  // A source may read the store itself (it would deadlock under the lock).
  LiveStore store(StoreInfo{});
  store.apply(std::vector<ObjectState>{track("1", 100, 47.0)});
  store.set_counter_source([&store] {
    return std::vector<Counter>{
        {"seen_tracks", "Tracks", "gauge", {{"", static_cast<double>(store.track_count())}}}};
  });
  EXPECT_EQ(nlohmann::json::parse(store.stats_json())["seen_tracks"], 1);
  EXPECT_NE(store.metrics_text().find("skyfuse_seen_tracks 1\n"), std::string::npos);
}

}  // namespace
}  // namespace skyfuse::server
