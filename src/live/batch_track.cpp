#include "live/batch_track.hpp"

#include <algorithm>
#include <chrono>
#include <iterator>
#include <optional>

#include "feeds/feed_reader.hpp"
#include "tracking/tracker.hpp"

namespace skyfuse::live {

BatchResult track_batch(const SystemConfig& cfg, const std::string& specs,
                        std::span<output::TrackSink* const> sinks, const BatchProgress& progress) {
  BatchResult res;
  std::vector<Report> all;
  for (std::size_t i = 0; i < cfg.sensors.size(); ++i) {
    feeds::FeedData d = feeds::read_feed(cfg.feeds[i], cfg.sensors[i], specs);
    res.input_errors += d.errors;
    BatchFeed f;
    f.reports = d.reports.size();
    f.errors = d.errors;
    f.messages = std::move(d.messages);
    f.counters = std::move(d.counters);
    res.feeds.push_back(std::move(f));
    all.insert(all.end(), std::make_move_iterator(d.reports.begin()),
               std::make_move_iterator(d.reports.end()));
  }
  // Arrival order of a batch run: data time (ties by sensor, then file order).
  // Small keys are sorted, not the reports themselves.
  struct Key {
    Time time;
    SensorId sensor;
    std::uint32_t index;
  };
  std::vector<Key> order(all.size());
  for (std::size_t i = 0; i < all.size(); ++i)
    order[i] = {all[i].time, all[i].sensor, static_cast<std::uint32_t>(i)};
  std::sort(order.begin(), order.end(), [](const Key& a, const Key& b) {
    if (a.time != b.time) return a.time < b.time;
    if (a.sensor != b.sensor) return a.sensor < b.sensor;
    return a.index < b.index;
  });
  tracking::Tracker tracker(cfg.tracker, cfg.sensors);
  const auto t0 = std::chrono::steady_clock::now();
  auto write = [&](const ObjectState& s) {
    for (output::TrackSink* k : sinks) k->update(s);
  };
  // The data-time guard first: no one sensor moves the system's time.
  tracking::TimeGuard guard(cfg.data_time, cfg.sensors.size());
  auto push = [&](Report&& r) {
    tracker.push(r);
    tracker.drain(write);
  };
  const std::size_t step = std::max<std::size_t>(1, order.size() / 100);
  std::size_t done = 0;
  for (const Key& k : order) {
    Report& r = all[k.index];
    guard.admit(r.sensor - 1, std::move(r), std::nullopt, push);
    if (progress && ++done % step == 0) progress(done, order.size());
  }
  guard.finish();
  tracker.flush();
  tracker.drain(write);
  for (output::TrackSink* k : sinks) k->finish();
  if (progress) progress(order.size(), order.size());
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  res.stats = tracker.stats();
  res.rejected = tracker.errors();
  for (std::size_t i = 0; i < cfg.sensors.size(); ++i) res.time_guard.push_back(guard.stats(i));
  res.time_rejected = guard.rejected();
  for (const Sensor& z : cfg.sensors)
    if (auto b = tracker.radar_bias(z.id)) res.registration.emplace_back(z.name, *b);
  return res;
}

}  // namespace skyfuse::live
