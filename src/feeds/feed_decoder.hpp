// File: feeds/feed_decoder.hpp
//
// One sensor's feed decoded incrementally, packet by packet, for the live
// system (`skyfuse run`), its replay and the batch reader: ASTERIX data blocks
// (a UDP datagram, or the payloads of a FINAL / pcap file), a Beast byte
// stream, AVR / SBS / CSV / JSON Lines text in any chunks. One decoder per
// FeedFormat, made by one factory; the decoder keeps the feed's state
// (partial frames and lines, CPR pairs, the ASTERIX day), so the same packets
// in the same order give the same reports: that is what makes replay exact.
//
// Time: files carry their own (Beast counter from the recording's start, the
// ASTERIX time of day on `start_unix`'s day). Live feeds without an absolute
// time (Beast, AVR, SBS's receiver clock is not trusted) take the packet's
// arrival time, which the recording keeps; live ASTERIX takes the day nearest
// the arrival.
//
// Every input error of the feed, whichever layer found it (framing, a
// decoder, a bad line), is counted once in one place: errors() is the total,
// take_messages() the first messages not yet taken ("SOURCE: offset N: why").
//
//   FeedDecoder d(feed, sensor, specs, /*live=*/true);
//   d.feed(bytes, arrival, offset, reports);
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/types.hpp"
#include "feeds/feed.hpp"

namespace skyfuse::feeds {

// Input errors of one feed: a total and the first messages (at most
// `kMaxPending` waiting to be taken; the count goes on beyond).
class Diagnostics {
 public:
  static constexpr std::size_t kMaxPending = 50;
  void error(std::string message);
  // Errors counted elsewhere (a lower layer's total) without a message each.
  void count(long n) { errors_ += n; }
  long errors() const { return errors_; }
  std::vector<std::string> take_messages();

 private:
  long errors_ = 0;
  std::vector<std::string> pending_;
};

// The decoder of one feed format (the factory below makes them).
class FormatDecoder {
 public:
  virtual ~FormatDecoder() = default;
  virtual void feed(std::span<const std::uint8_t> bytes, Time arrival, std::int64_t offset,
                    std::vector<Report>& out) = 0;
  // Bytes of stream `input` of a feed made of several (a receiver network's
  // Beast streams, one per receiver); a feed of one stream has only input 0.
  virtual void feed_input(std::uint16_t /*input*/, std::span<const std::uint8_t> bytes,
                          Time arrival, std::int64_t offset, std::vector<Report>& out) {
    feed(bytes, arrival, offset, out);
  }
  // End of the stream: a last line without its newline, a truncated frame.
  virtual void finish(std::vector<Report>& /*out*/) {}
  // Counters of the format's own (name, value), beyond the errors.
  virtual std::vector<std::pair<std::string, long>> counters() const { return {}; }
};

// Throws ConfigError for a combination that cannot work (ASTERIX from a file
// without a day, an unknown format).
std::unique_ptr<FormatDecoder> make_format_decoder(const FeedConfig& feed, const Sensor& sensor,
                                                   const std::string& specs_dir, bool live,
                                                   Diagnostics& diagnostics);

class FeedDecoder {
 public:
  FeedDecoder(const FeedConfig& feed, const Sensor& sensor, const std::string& specs_dir,
              bool live);
  ~FeedDecoder();
  FeedDecoder(FeedDecoder&&) noexcept;
  FeedDecoder& operator=(FeedDecoder&&) = delete;

  // `offset`: of bytes[0] in the source; `arrival`: when the packet arrived;
  // `input`: the stream within the feed (a receiver network's receiver).
  void feed(std::span<const std::uint8_t> bytes, Time arrival, std::int64_t offset,
            std::vector<Report>& out, std::uint16_t input = 0);
  // End of the stream: a last line without its newline, a truncated frame.
  void finish(std::vector<Report>& out);

  long errors() const;
  std::vector<std::pair<std::string, long>> counters() const { return decoder_->counters(); }
  // The messages not yet taken ("SOURCE: offset N: reason"), at most a few per call.
  std::vector<std::string> take_messages();

 private:
  std::unique_ptr<Diagnostics> diagnostics_;  // stable address: the decoder keeps it
  std::unique_ptr<FormatDecoder> decoder_;
};

}  // namespace skyfuse::feeds
