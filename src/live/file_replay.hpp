// File: live/file_replay.hpp
//
// File inputs replayed as a live feed would have delivered them (`skyfuse
// run` with `file:` inputs): each file is cut into the packets of its format
// (ASTERIX data blocks, unwrapped from FINAL / pcap, with damage as pieces of
// its own; Beast in 512-byte pieces; text in line-aligned pieces of about 512
// bytes), each piece gets the data time of its earliest report (lying pieces
// keep their predecessor's place and do not stretch the span), and the files
// of one clock group are shifted together so their data starts at the epoch.
// One thread replays every file merged in data-time order (so "as fast as
// possible" still interleaves the sensors as they were), paced at `speed` x
// real time, looping if asked (each pass shifted by the group's span).
//
//   FileReplay replay(cfg, specs_dir, epoch);
//   std::jthread t([&](std::stop_token s) { replay.run(s, queue, pacer, status); });
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <stop_token>
#include <string>
#include <vector>

#include "live/pacer.hpp"
#include "live/packet_queue.hpp"
#include "live/source_status.hpp"
#include "live/system_config.hpp"

namespace skyfuse::live {

// A file cut into the packets a live feed would have delivered: ASTERIX data
// blocks (unwrapped from FINAL / pcap), Beast in 512-byte pieces, text in
// line-aligned pieces of about 512 bytes (a few lines: a second or less).
struct FilePiece {
  std::int64_t offset;
  std::size_t begin, size;
};

struct FileSource {
  std::uint16_t index;
  const feeds::FeedConfig* feed;
  const Sensor* sensor;
  std::vector<std::uint8_t> payloads;
  std::vector<FilePiece> pieces;
  std::vector<Time> times;                 // per piece
  Time first{INT64_MAX}, last{INT64_MIN};  // data times (unshifted)
};

std::vector<FilePiece> cut_file(const feeds::FeedConfig& feed,
                                const std::vector<std::uint8_t>& data, const std::string& specs,
                                std::vector<std::uint8_t>& payloads);
void scan_times(FileSource& fsrc, const std::string& specs);

class FileReplay {
 public:
  // Reads, cuts and scans every file input of `cfg` (ConfigError if one is
  // missing); `epoch`: where the replay's data time starts.
  FileReplay(const SystemConfig& cfg, const std::string& specs, Time epoch);
  bool empty() const { return files_.empty(); }
  // The time shift of each clock group (recordings keep them).
  const std::map<std::string, std::int64_t>& shifts() const { return shifts_; }
  // Replays until every file has ended (or loops), or `stop`; file pieces wait
  // for room in the queue. Sets each file's status to ended at its end.
  void run(std::stop_token stop, PacketQueue& queue, Pacer& pacer,
           std::vector<SourceStatus>& status);

 private:
  const SystemConfig& cfg_;
  std::vector<FileSource> files_;
  std::map<std::string, std::pair<Time, Time>> groups_;  // first, last
  std::map<std::string, std::int64_t> shifts_;
};

}  // namespace skyfuse::live
