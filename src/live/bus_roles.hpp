// File: live/bus_roles.hpp
//
// `skyfuse run` split across a NATS JetStream cluster ([bus] in the
// configuration; docs/adr/0007-nats-jetstream.md):
//   role "ingest": the configured inputs (UDP, TCP, files) read exactly as
//     `run` reads them, each packet published once on skyfuse.in.<sensor>
//     with its arrival time; no tracking.
//   role "track": no inputs of its own; the input stream read in its one
//     order into the same Pipeline as `run`, each track update published on
//     skyfuse.tracks.<region>; the map and API as `run` serves them.
//   role "serve": the map and API of the tracks stream's picture (the
//     regions' merged, live/track_merge.hpp), with the safety nets on it.
// The default role "all" is the single process and needs no NATS.
//
//   int rc = run_ingest(cfg, options, stop);
//   BusInputSource src(bus, cfg);  std::jthread t([&](auto s) { src.run(s, queue); });
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <stop_token>
#include <string>
#include <unordered_set>

#include "bus/nats_bus.hpp"
#include "geo/regions.hpp"
#include "live/live_system.hpp"
#include "live/sources.hpp"
#include "output/track_sink.hpp"

namespace skyfuse::live {

// Reads the input stream into the queue (waits while it is full, so nothing
// read is dropped). With `until_end`, stops after the message that was the
// stream's last when it started (replay of what the stream holds).
class BusInputSource final : public Source {
 public:
  BusInputSource(bus::NatsBus& bus, const SystemConfig& cfg, bool until_end);
  void run(std::stop_token stop, PacketQueue& queue) override;
  std::string note() const override;
  bool running() const { return running_; }
  bool failed() const { return failed_; }  // the stream could not be read (logged)
  std::uint64_t messages() const { return messages_; }
  std::uint64_t bad() const { return bad_; }
  std::uint64_t reordered() const { return reordered_; }  // put back in publish order
  std::uint64_t gaps() const { return gaps_; }            // never arrived

 private:
  bus::NatsBus& bus_;
  std::map<std::string, std::uint16_t> index_;  // sensor name -> configuration index
  std::uint64_t last_ = 0;                      // the stream's last sequence at start
  bool until_end_;
  std::atomic<bool> running_{true}, failed_{false};
  std::atomic<std::uint64_t> messages_{0}, bad_{0}, reordered_{0}, gaps_{0};
};

// Publishes the track updates (JSON Lines, one message per publication
// period of data time, or per 512 KiB) on skyfuse.tracks.<region> while this
// instance holds the region's lease; a standby computes the same messages
// from the same stream and keeps the last ones, so when the owner's lease
// expires it takes the region over and publishes from the message after the
// last one in the stream: no gap, no duplicate, the same track numbers.
class BusTrackSink final : public output::TrackSink {
 public:
  // With `regions`, only the updates of tracks that region `region` owns
  // (by the track's position) are published, and the end ("deleted") of any
  // track it published, wherever it is then.
  BusTrackSink(bus::NatsBus& bus, const std::string& holder, const geo::Regions* regions = nullptr,
               std::size_t region = 0);
  void update(const ObjectState& s) override;
  void period(Time now) override;
  void finish() override;
  // The newest input's arrival goes with each message (a header, not part of
  // the updates): the merged picture's end-to-end latency.
  void input_arrived(Time arrival) override { arrival_ = std::max(arrival_, arrival); }
  // Renews or takes the lease (main loop, any rate); true while owner.
  bool tick(Time wall);
  std::uint64_t failed() const { return failed_; }
  std::uint64_t elsewhere() const { return elsewhere_; }  // updates another region owns
  // From now on nothing more is published (a stop before the data's end).
  void stop_publishing() { stopped_ = true; }

 private:
  struct Computed {
    std::uint64_t index;
    std::string line;
    Time wall;
    Time arrival;  // of the newest input processed before it
  };
  static constexpr std::size_t kMaxBatchBytes = 512 * 1024;  // under NATS's 1 MB payload
  void publish(std::uint64_t index, const std::string& line, Time arrival);
  void emit_batch();
  bus::NatsBus& bus_;
  bus::RegionLease lease_;
  const geo::Regions* regions_;
  std::size_t region_;
  std::uint64_t elsewhere_ = 0;
  std::unordered_set<std::string> published_;  // tracks published and not yet ended
  std::string batch_;                          // this period's updates, JSON Lines
  std::deque<Computed> kept_;                  // a standby's last messages (bounded)
  std::size_t kept_bytes_ = 0;
  std::uint64_t index_ = 0;  // messages computed
  Time arrival_;             // the newest input's arrival
  std::uint64_t floor_ = 0;  // messages up to this index are in the stream
  std::uint64_t failed_ = 0;
  bool owner_ = false;
  bool stopped_ = false;
  Time logged_{};
};

// `skyfuse subscribe`: a region's track updates ("" every region's) from the
// tracks stream as JSON Lines into `out` ("-" standard output), from the
// stream's first message kept; with `follow`, until stopped, else until the
// message that was the stream's last when it started. With `merged`, the
// merged picture of the configured regions instead (live/track_merge.hpp).
// Returns the exit status.
int write_track_stream(const bus::BusConfig& cfg, const std::string& region, const std::string& out,
                       bool follow, bool merged, std::stop_token stop);

// Role "serve": the map and API of the picture in the tracks stream (the
// merged picture of [[bus.regions]], or the one region's), with the safety
// nets on it; no inputs, no tracker. Returns the exit status.
int run_serve(SystemConfig cfg, const LiveOptions& o, std::stop_token stop);

// Role "ingest" (see above); returns the exit status.
int run_ingest(SystemConfig cfg, const LiveOptions& o, std::stop_token stop);

}  // namespace skyfuse::live
