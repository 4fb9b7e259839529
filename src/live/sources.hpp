// File: live/sources.hpp
//
// The live system's network inputs, each behind one small interface and run
// on a thread of its own: ASTERIX datagrams over UDP (full queue: dropped and
// counted, never waited for) and a receiver's Beast/AVR/SBS byte stream over
// TCP (reconnecting with back-off; full queue: waits). Files are replayed by
// live/file_replay.hpp. A source stops when its stop token is requested.
//
//   auto src = make_network_source(i, cfg.sensors[i], cfg.feeds[i], status[i]);
//   std::jthread t([&](std::stop_token s) { src->run(s, queue); });
#pragma once

#include <memory>
#include <stop_token>

#include "core/types.hpp"
#include "feeds/feed.hpp"
#include "live/packet_queue.hpp"
#include "live/source_status.hpp"

namespace skyfuse::live {

class Source {
 public:
  virtual ~Source() = default;
  // Delivers packets to `queue` until `stop` is requested.
  virtual void run(std::stop_token stop, PacketQueue& queue) = 0;
  // A line for the log about how the source was set up ("" none).
  virtual std::string note() const { return ""; }
  // Called by the main loop (any thread but the source's): updates the
  // counters that are read rather than pushed (the kernel's drops).
  virtual void poll() {}
};

// A UDP or TCP input (ConfigError naming the sensor if it cannot be opened);
// nothing for a file input.
std::unique_ptr<Source> make_network_source(std::uint16_t index, const Sensor& sensor,
                                            const feeds::FeedConfig& feed, SourceStatus& status);

}  // namespace skyfuse::live
