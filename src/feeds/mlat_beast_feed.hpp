// File: feeds/mlat_beast_feed.hpp
//
// The `mlat_receivers` sensor fed with Beast streams, one per receiver
// (format "beast", FeedFormat::kMlatBeast): each frame's 48-bit MLAT
// timestamp becomes nanoseconds of its receiver's clock (mlat::TimestampDecoder:
// Beast 12 MHz, SBS 20 MHz, GPS seconds-of-day + ns; the clock kind is the
// receiver list's type), the copies of one transmission are grouped across
// receivers by their bytes within `group_window_s` of server time
// (mlat::Grouper, at most `max_pending_groups` waiting), and each group is
// decoded once with the Mode S decoder (CRC, address recovery, CPR): an ADS-B
// airborne position heard by two receivers or more is a reference (clock
// synchronisation), any other Mode S message with a known address is located
// with its pressure altitude (its own, or the aircraft's last one within
// 10 s). The messages stream through mlat::ReportAdapter as the LocaRDS-file
// feed's rows do (feeds/mlat_feed.hpp): fixes flagged ok are kMlat Reports,
// the others counted per flag.
//
// Server time: a live stream's packet arrival; a file's `start_unix` plus
// its counter since its first frame (a GPS receiver's own absolute time).
// `read_mlat_beast_feed` merges the receivers' files in server-time order
// (`track`); `make_mlat_beast_decoder` is the live system's decoder (`run`,
// `replay`): each packet names its receiver (Packet::input) and its frames
// are grouped in arrival order.
//
//   FeedConfig f;  f.format = FeedFormat::kMlatBeast;  f.receivers_path = "rx.csv";
//   f.receiver_inputs = {{.serial = 1, .path = "rx1.beast", .start_unix = 1.7e9}, ...};
//   FeedData d = read_mlat_beast_feed(f, sensor);   // d.counters: groups, fixes per flag
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/types.hpp"
#include "feeds/feed.hpp"
#include "feeds/feed_decoder.hpp"

namespace skyfuse::mlat {
class Multilaterator;
class ReceiverSet;
}  // namespace skyfuse::mlat

namespace skyfuse::feeds {

// One frame of one receiver, placed in server time.
struct NetworkFrame {
  std::uint32_t input = 0;  // index into FeedConfig::receiver_inputs
  std::array<std::uint8_t, 14> bytes{};
  std::uint8_t n_bytes = 0;
  std::int64_t toa_ns = 0;  // the receiver's clock [ns]
  Time server_time;
  std::uint8_t signal = 0;
  std::int64_t offset = 0;  // in the receiver's input
};

class MlatBeastNetwork {
 public:
  // Reads the receiver list; ConfigError if it cannot be opened or a
  // receiver input names a serial it does not have.
  MlatBeastNetwork(const FeedConfig& feed, const Sensor& sensor, bool live, Diagnostics& d);
  // With the receivers given (feed.receivers_path is not read).
  MlatBeastNetwork(const FeedConfig& feed, const Sensor& sensor, bool live, Diagnostics& d,
                   mlat::ReceiverSet receivers);
  ~MlatBeastNetwork();
  MlatBeastNetwork(const MlatBeastNetwork&) = delete;
  MlatBeastNetwork& operator=(const MlatBeastNetwork&) = delete;

  std::size_t inputs() const;
  // Bytes of receiver input `input` (a chunk of its stream; `arrival` is the
  // server time of a live input) to its frames, appended to `frames`.
  void parse(std::size_t input, std::span<const std::uint8_t> bytes, Time arrival,
             std::int64_t offset, std::vector<NetworkFrame>& frames);
  // End of one input's stream (a truncated frame is an error).
  void end(std::size_t input);
  // One frame into the grouping (server-time order across inputs).
  void push(const NetworkFrame& frame, std::vector<Report>& out);
  // End of every input: the waiting groups are closed and located.
  void finish(std::vector<Report>& out);
  std::vector<std::pair<std::string, long>> counters() const;
  // The clocks and statistics (tests, diagnostics).
  const mlat::Multilaterator& multilaterator() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The FormatDecoder of a receiver network read live: feed_input(i, ...) takes
// a chunk of receiver i's stream (its [[sensor.receiver]] table, from 0);
// finish() closes the groups still waiting. Counters as counters() above.
std::unique_ptr<FormatDecoder> make_mlat_beast_decoder(const FeedConfig& feed, const Sensor& sensor,
                                                       bool live, Diagnostics& diagnostics);

// A recorded network: every receiver's file read in chunks, their frames
// merged in server-time order and pushed. Throws ConfigError for a file that
// cannot be opened.
FeedData read_mlat_beast_feed(const FeedConfig& feed, const Sensor& sensor);
// The same into `net` (made by the caller with `d`), which keeps its state.
void read_mlat_beast_files(const FeedConfig& feed, const Sensor& sensor, MlatBeastNetwork& net,
                           FeedData& out);

}  // namespace skyfuse::feeds
