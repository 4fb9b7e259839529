// File: apps/feed_decoder.hpp
//
// One sensor's feed decoded incrementally, packet by packet, for the live
// system (`skyfuse run`) and its replay: ASTERIX data blocks (a UDP datagram,
// or the payloads of a FINAL / pcap file), a Beast byte stream, AVR / SBS /
// CSV / JSON Lines text in any chunks. The decoder keeps the feed's state
// (partial frames and lines, CPR pairs, the ASTERIX day), so the same packets
// in the same order give the same reports: that is what makes replay exact.
//
// Time: files carry their own (Beast counter from the recording's start, the
// ASTERIX time of day on `start_unix`'s day). Live feeds without an absolute
// time (Beast, AVR, SBS's receiver clock is not trusted) take the packet's
// arrival time, which the recording keeps.
//
//   FeedDecoder d(feed, sensor, specs, /*live=*/true);
//   d.feed(bytes, arrival, offset, reports);
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "apps/system_config.hpp"
#include "core/types.hpp"

namespace skyfuse::apps {

class FeedDecoder {
 public:
  FeedDecoder(const FeedConfig& feed, const Sensor& sensor, const std::string& specs_dir,
              bool live);
  ~FeedDecoder();
  FeedDecoder(FeedDecoder&&) noexcept;
  FeedDecoder& operator=(FeedDecoder&&) = delete;

  // `offset`: of bytes[0] in the source; `arrival`: when the packet arrived.
  void feed(std::span<const std::uint8_t> bytes, Time arrival, std::int64_t offset,
            std::vector<Report>& out);
  // End of the stream: a last line without its newline, a truncated frame.
  void finish(std::vector<Report>& out);

  long errors() const;
  // The messages not yet taken ("SOURCE: offset N: reason"), at most a few per call.
  std::vector<std::string> take_messages();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace skyfuse::apps
