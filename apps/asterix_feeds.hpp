// File: apps/asterix_feeds.hpp
//
// Sensor reports <-> ASTERIX, for `skyfuse sim` (each sensor written in its
// real wire format) and `skyfuse track` (ASTERIX recordings as input):
//   radars (PSR, SSR, Mode S)  CAT048 target reports + CAT034 north markers
//   ADS-B ground station       CAT021 reports + CAT023 status every 10 s
//   multilateration            CAT020 reports + CAT019 status every 10 s
// ASTERIX carries the time of day only: the day comes from `start_unix`
// (the first record's UTC day), then from the sensor's recent times or, live,
// from the packet's arrival (decode/asterix/time_of_day.hpp).
//
//   auto cats = load_categories(specs_dir, {});
//   std::vector<std::uint8_t> bytes = encode_feed(sensor, reports, cats, start);
//   FeedData d = read_asterix_feed(feed_config, sensor, cats);
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "apps/feed_reader.hpp"
#include "apps/system_config.hpp"
#include "core/types.hpp"
#include "decode/asterix/spec.hpp"

namespace skyfuse::apps {

// The default edition of each category skyfuse reads and writes (the widely
// deployed ones, and Wireshark 4.0's).
const std::map<int, std::string>& default_editions();

// Loads `specs_dir/catNNN/catNNN-X.Y.json` for every category of the defaults,
// with `overrides` (category -> edition) applied.
std::map<int, decode::asterix::Category> load_categories(
    const std::string& specs_dir, const std::map<int, std::string>& overrides);

// Field helpers shared by the writers: UTC seconds of the day (I048/140,
// I062/070 ...), a Mode 3/A code as the 4 octal digits the encoder takes, and
// an 8-character, space-padded ICAO identification.
double time_of_day_s(Time t);
std::string mode3a_digits(std::uint16_t code);
std::string callsign8(const std::string& callsign);

// True for the sensor kinds with an ASTERIX wire format here.
bool has_asterix_format(SensorKind kind);

// The sensor's reports (time-ordered) as raw ASTERIX data blocks; reports
// that do not fit a field are skipped and counted in `skipped`.
std::vector<std::uint8_t> encode_feed(const Sensor& sensor, const std::vector<Report>& reports,
                                      const std::map<int, decode::asterix::Category>& cats,
                                      Time start, long* skipped = nullptr,
                                      std::string* first_error = nullptr);

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

}  // namespace skyfuse::apps
