// File: feeds/asterix_reports.hpp
//
// ASTERIX to sensor reports (`skyfuse track` reads recordings, `run` live
// datagrams): CAT048 (radar target reports), CAT021 (ADS-B), CAT020
// (multilateration) and CAT015 (drone radar) records of the sensor's SAC/SIC
// become Reports; status categories (034, 023, 019) and other sources are
// counted and skipped. The generated typed decoders read the default editions
// (a block is validated whole, then used), the interpreter everything else
// and names the fault in a refused block. ASTERIX carries the time of day
// only: the day comes from `start_unix` (the first record's UTC day), then
// from the sensor's recent times or, live, from the packet's arrival
// (decode/asterix/time_of_day.hpp). output/sensor_asterix.hpp writes them.
//
//   AsterixReportReader r(feed, sensor, specs_dir, start_unix);
//   r.blocks(datagram, offset, reports, arrival);
//   FeedData d = read_asterix_feed(feed, sensor, specs_dir);
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/types.hpp"
#include "feeds/feed.hpp"

namespace skyfuse::feeds {

// Incremental: data blocks of one sensor's feed (a UDP datagram, a FINAL or
// pcap payload, a whole raw file) to Reports. The day of the time of day starts
// at `start_unix`'s UTC day and rolls over at midnight.
class AsterixReportReader {
 public:
  AsterixReportReader(const FeedConfig& feed, const Sensor& sensor, const std::string& specs_dir,
                      double start_unix);
  ~AsterixReportReader();
  AsterixReportReader(AsterixReportReader&&) noexcept;
  AsterixReportReader& operator=(AsterixReportReader&&) = delete;

  // `offset`: of data[0] in the source (file offset or bytes received);
  // `reference`: a live packet's arrival time, which decides each time of day's
  // day (files: the sensor's recent times do).
  void blocks(std::span<const std::uint8_t> data, std::int64_t offset, std::vector<Report>& out,
              std::optional<Time> reference = std::nullopt);
  void framing_error(const std::string& message);
  long errors() const;
  const std::vector<std::string>& messages() const;  // the first few
  long other_sources() const;                        // records of another SAC/SIC
  // The generated typed decoders (on by default) read CAT048 1.31, CAT021 2.6,
  // CAT020 1.10 and CAT015 1.2; off, the interpreter reads everything (the
  // two must give the same reports: tests/apps/asterix_reader_test.cpp).
  void use_typed_decoders(bool on);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Reads a file of ASTERIX (raw blocks, FINAL or pcap per `feed.format`) into
// reports of this sensor: CAT048, CAT021 and CAT020 records whose SAC/SIC is the
// sensor's; status categories (034, 023, 019) and other sources are counted
// and skipped.
FeedData read_asterix_feed(const FeedConfig& feed, const Sensor& sensor,
                           const std::string& specs_dir);

}  // namespace skyfuse::feeds
