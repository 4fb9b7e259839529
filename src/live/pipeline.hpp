// File: live/pipeline.hpp
//
// The live system's processing chain on one thread, shared by `skyfuse run`
// and `skyfuse replay` so both produce the same bytes:
//
//   packet -> FeedDecoder (per sensor) -> time shift -> TimeGuard -> Tracker
//          -> track updates -> TrackSinks (JSON Lines file + recording, CAT062,
//             the picture + LiveStore)
//          -> SafetyNets on the picture (each publish period of data time) -> alerts
//          -> LiveStore / WebSocket, alerts file, recording; CAT065 each period
//
// Everything it computes depends only on the packets and their order (and on
// the configuration): the wall clock only stamps arrival for the recording and
// measures latency.
//
//   Pipeline p(cfg, zones, specs, outputs);
//   p.process(packet);  ...  p.finish();
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/types.hpp"
#include "live/packet_queue.hpp"
#include "live/system_config.hpp"
#include "output/track_sink.hpp"
#include "safety/zones.hpp"
#include "server/live_store.hpp"

namespace skyfuse::record {
class Recorder;
}

namespace skyfuse::live {

struct PipelineOutputs {
  std::string tracks_out;  // JSON Lines files ("" none)
  std::string alerts_out;
  record::Recorder* recorder = nullptr;
  server::LiveStore* store = nullptr;
  // Each published picture (the WebSocket message).
  std::function<void(std::shared_ptr<const std::string>)> on_picture;
  // CAT062 and CAT065 data blocks (UDP out).
  std::function<void(std::vector<std::uint8_t>&&)> on_asterix;
  // Further track sinks (the bus's tracks publisher), after the built-in ones.
  std::vector<output::TrackSink*> extra_sinks;
  // Which reports the tracker takes (a region's tracker: its region and
  // margin, geo/regions.hpp); the others are counted and not tracked.
  // Empty: every report.
  std::function<bool(const Report&)> track_report;
  std::string mode = "live";
  double speed = 1;
};

struct SourceHealth {
  std::uint64_t packets = 0, bytes = 0, reports = 0, errors = 0, drops = 0, kernel_drops = 0;
  std::uint64_t time_logged = 0;  // time rejections printed
  Time last_data;
  std::string state = "idle";
  std::string last_error;
};

class Pipeline {
 public:
  Pipeline(const SystemConfig& cfg, std::vector<safety::Zone> zones, const std::string& specs_dir,
           PipelineOutputs out);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  void process(const Packet& p, Time wall_now);
  // Zones replaced (recorded, so a replay applies them at the same point).
  void set_zones(std::vector<safety::Zone> zones, const std::string& geojson, Time wall_now);
  // Publishes the current view (counters, sensor health) if nothing was
  // published since the last call; changes no state (call it about once a
  // second of wall time, so the API stays current when data stops).
  void refresh();
  // Publishes the current view at the data time reached, whatever was
  // published before (changes no state): a paused replay shows the time it
  // holds at, not the last publish period's picture before it.
  void show_now();
  // End of all data: flushes the tracker and writes the last picture.
  void finish();

  // Source state set by its thread (connected, dropped packets ...).
  void set_source_state(std::uint16_t source, const std::string& state,
                        const std::string& error = "");
  void add_drops(std::uint16_t source, std::uint64_t n);
  // Replay speed shown by the API (the replayer paces).
  void set_speed(double speed);
  // The kernel's count of datagrams it dropped for this source (cumulative).
  void set_kernel_drops(std::uint16_t source, std::uint64_t total);

  Time data_time() const;
  std::uint64_t track_lines() const;
  std::uint64_t alert_lines() const;
  std::uint64_t reports() const;
  std::size_t tracks() const;  // confirmed and coasting tracks held now
  // Wall-clock latency from arrival to processed, percentiles in seconds.
  std::array<double, 3> latency_p50_p90_p99() const;
  void print_summary() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace skyfuse::live
