// File: bus/nats_bus.hpp
//
// skyfuse on a NATS JetStream cluster (docs/adr/0007-nats-jetstream.md):
// one connection (reconnecting across the cluster's servers, with a token,
// a .creds file or an nkey), the two durable streams, asynchronous
// acknowledged publishing (failed acknowledgements resent under the same
// message id, so the stream holds each message once) and an ordered reader
// of the input stream: a tracker reads every sensor's input in the stream's
// one order, so its tracks are a function of the stream and replay exactly.
//
//   NatsBus bus(cfg, "skyfuse ingest");
//   bus.ensure_streams();
//   bus.publish_input(msg);  ...  bus.flush(5.0);
//   InputReader r(bus, "all");
//   InputMessage m; std::string why;
//   while (r.next(m, 100, why) != InputReader::Next::kClosed) ...
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "bus/bus_config.hpp"
#include "bus/bus_message.hpp"

namespace skyfuse::bus {

struct BusCounters {
  std::atomic<std::uint64_t> published{0};    // messages handed to the client
  std::atomic<std::uint64_t> resent{0};       // acknowledgement failed: sent again
  std::atomic<std::uint64_t> lost{0};         // refused by the server (not resent)
  std::atomic<std::uint64_t> disconnects{0};  // connection to a server lost
  std::atomic<std::uint64_t> reconnects{0};
};

class NatsBus {
 public:
  // Connects (ConfigError naming the servers if none answers in time).
  NatsBus(const BusConfig& cfg, const std::string& client_name);
  ~NatsBus();
  NatsBus(const NatsBus&) = delete;
  NatsBus& operator=(const NatsBus&) = delete;

  // Creates the input and tracks streams, or updates their retention
  // (ConfigError if JetStream refuses: not enabled, too few servers ...).
  void ensure_streams();
  // Queues one message for acknowledged publishing (waits while too many are
  // unacknowledged); false with `why` if the client refused it.
  // Sets m.ingest and m.sequence (this process, its count of messages).
  bool publish_input(InputMessage& m, std::string& why);
  // Track update number `index` (1, 2, ... in the order the region's tracker
  // computes them) under the message id "<region>:<index>": an instance and
  // its standby compute the same updates, so the stream keeps one copy.
  // `arrival_ns` (0: none) is the wall-clock arrival of the newest input
  // the update follows, sent as header Skyfuse-Arrival-Ns.
  bool publish_track(std::string_view region, std::uint64_t index, std::string_view json_line,
                     std::string& why, std::int64_t arrival_ns = 0);
  // The index of the region's last track update in the tracks stream (0:
  // none); nullopt with `why` if the stream cannot tell now.
  std::optional<std::uint64_t> last_track_index(std::string_view region, std::string& why);
  // Publishes again, in their order, the messages whose acknowledgement
  // failed (once connected again); publish_* and flush call it too.
  void resend_failed();
  // Waits until every publish is acknowledged; false with `why` after `timeout_s`.
  bool flush(double timeout_s, std::string& why);
  // The input stream's last sequence number now (0: empty); ConfigError if absent.
  std::uint64_t input_last_sequence();
  // The tracks stream's last sequence number, or that of the region's last
  // message ("" every region); 0 none.
  std::uint64_t tracks_last_sequence(std::string_view region = "");

  const BusConfig& config() const;
  const BusCounters& counters() const;
  // The server connected to now ("" while disconnected).
  std::string connected_url() const;

  struct Impl;

 private:
  friend class InputReader;
  friend class TrackReader;
  friend class RegionLease;
  std::unique_ptr<Impl> impl_;
};

// Ownership of a region: a key in the lease bucket (a JetStream key-value
// store whose entries expire after lease_s). The owner renews it (compare and
// set on its revision) every lease_s / 4; a standby tries to create it every
// lease_s / 10 and succeeds once the dead owner's entry has expired. Two
// owners at once cannot both renew. The lease is kept on a thread of its own:
// a key-value request that waits (a bucket whose leader is being elected can
// take seconds) never holds up the tracking.
class RegionLease {
 public:
  RegionLease(NatsBus& bus, std::string region, std::string holder);
  ~RegionLease();
  RegionLease(const RegionLease&) = delete;
  RegionLease& operator=(const RegionLease&) = delete;
  // True while the lease is held (as its thread last found it).
  bool held() const { return held_.load(std::memory_order_acquire); }
  const std::string& holder() const { return holder_; }

 private:
  void keep(std::stop_token stop);  // the lease thread: renew or try to take
  NatsBus& bus_;
  std::string region_, key_, holder_;
  void* kv_ = nullptr;  // kvStore
  std::uint64_t revision_ = 0;
  std::atomic<bool> held_{false};
  std::jthread worker_;
};

// An ordered, ephemeral consumer of the input stream (every subject
// skyfuse.in.>) starting at "all" (the first message kept), "new", or a time
// (Unix seconds as text).
class InputReader {
 public:
  InputReader(NatsBus& bus, const std::string& start);
  ~InputReader();
  InputReader(const InputReader&) = delete;
  InputReader& operator=(const InputReader&) = delete;

  enum class Next { kMessage, kTimeout, kBad, kClosed };
  // kBad: a message on the stream that is not a skyfuse input (`why` says
  // what; its sequence is in m.stream_sequence); skip and count it.
  Next next(InputMessage& m, int timeout_ms, std::string& why);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// An ordered, ephemeral consumer of the tracks stream: one region's updates
// ("" every region's), each its JSON line, from `start` as InputReader.
class TrackReader {
 public:
  TrackReader(NatsBus& bus, const std::string& region, const std::string& start);
  ~TrackReader();
  TrackReader(const TrackReader&) = delete;
  TrackReader& operator=(const TrackReader&) = delete;
  struct TrackUpdate {
    std::string line;
    std::string region;       // from the message id ("" if it has none)
    std::uint64_t index = 0;  // the region's update number (0: none)
    std::uint64_t stream_sequence = 0;
    std::int64_t arrival_ns = 0;  // Skyfuse-Arrival-Ns (0: none or malformed)
  };
  InputReader::Next next(TrackUpdate& u, int timeout_ms, std::string& why);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace skyfuse::bus
