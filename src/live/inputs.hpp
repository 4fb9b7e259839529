// File: live/inputs.hpp
//
// The configured inputs of `skyfuse run` (and of its ingest role) on their
// threads, all into one queue: the file replay on one thread, paced from the
// epoch, and each UDP / TCP source on its own. Shared by live_system and
// bus_roles so both read their inputs the same way.
//
//   Inputs in(cfg, files, epoch, start, "skyfuse run", quiet);
//   in.start(queue);                 // threads run
//   ... in.status(i).drops, in.poll(i), in.running() ...
//   in.stop(queue);                  // stop requested, queue closed, threads joined
#pragma once

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "core/time.hpp"
#include "live/file_replay.hpp"
#include "live/pacer.hpp"
#include "live/packet_queue.hpp"
#include "live/sources.hpp"
#include "live/system_config.hpp"

namespace skyfuse::live {

// Where file replay puts the data's start: [run] epoch ("now": this second).
Time replay_epoch(const RunConfig& run, Time start);

class Inputs {
 public:
  // Opens the network sources of `cfg` (none without `open_network`; a
  // ConfigError names a sensor whose input cannot be opened), their set-up
  // logged as "<who>: ..." unless quiet.
  Inputs(const SystemConfig& cfg, FileReplay& files, Time epoch, Time start, const char* who,
         bool quiet, bool open_network = true);
  ~Inputs();
  Inputs(const Inputs&) = delete;
  Inputs& operator=(const Inputs&) = delete;

  // Starts the threads; `extra` (the bus's input stream) on one more.
  void start(PacketQueue& queue, Source* extra = nullptr);
  // Stop requested, the queue closed (so waiting pushes end), threads joined.
  void stop(PacketQueue& queue);

  std::size_t size() const { return status_.size(); }
  SourceStatus& status(std::size_t i) { return status_[i]; }
  // Updates the counters a network source reads rather than pushes.
  void poll(std::size_t i) {
    if (network_[i]) network_[i]->poll();
  }
  // A file is still being replayed or a network source is configured.
  bool running() const { return files_running_ || any_network_; }

 private:
  FileReplay& files_;
  Pacer pacer_;
  std::vector<SourceStatus> status_;
  std::vector<std::unique_ptr<Source>> network_;
  bool any_network_ = false;
  std::atomic<bool> files_running_{false};
  std::stop_source stop_;
  std::vector<std::jthread> threads_;
};

}  // namespace skyfuse::live
