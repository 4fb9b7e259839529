// File: record/recording.hpp
//
// Objective-monitoring recordings: every input packet (source, arrival time,
// bytes) and every output line, appended to zstd-compressed, time-indexed,
// crash-safe files. docs/formats.md#recordings has the byte layout:
//
//   file    "SKYFUSE-REC\n" u32 header_len, header (JSON: the effective
//           configuration, epoch, file index), then chunks
//   chunk   "SFCK" u32 compressed_len u32 raw_len u32 crc32(compressed)
//           i64 first_data_ns i64 last_data_ns u32 entries, then one zstd frame
//   entry   u8 type u16 source i64 arrival_ns i64 data_ns i64 shift_ns
//           i64 offset u32 len, then len bytes (kReceiverInput: u16 input,
//           then the packet's bytes)
//
// A chunk is written whole with one write(2) at least every `flush_interval_s`
// of wall time, so a killed process loses at most that much and the file stays
// readable. A damaged chunk (bad marker, length or checksum) is skipped: the
// reader searches for the next valid chunk header, goes on from there, and
// counts and names what it skipped. Chunk headers carry the data-time span, so
// a reader can seek without decompressing. Files rotate by size and by age
// (each starts with the header); a total size cap deletes the oldest files. A
// failed write (a full disk) stops the recording for good, counted and
// reported through failed(), and never stops the caller.
//
//   Recorder rec(cfg, header_json);
//   rec.add({EntryType::kInput, src, arrival, data, shift, offset, bytes});
//   rec.tick(wall_now);  // flushes when due
//   RecordingReader r(recording_files("rec/"));
//   while (auto e = r.next()) ...
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/time.hpp"

namespace skyfuse::record {

enum class EntryType : std::uint8_t {
  kInput = 1,  // a packet as received
  kTrack = 2,  // an output track update line (JSON)
  kAlert = 3,  // an output alert event line (JSON)
  kZones = 4,  // the safety zones replaced (GeoJSON), applied at this point
  kEnd = 5,    // the source ended (a file input at its end)
  // A packet of one receiver of a receiver network (kind mlat_receivers,
  // format beast): as kInput, with the receiver's index (`input`), stored as
  // the first two bytes of the entry's payload.
  kReceiverInput = 6,
};

struct Entry {
  EntryType type = EntryType::kInput;
  std::uint16_t source = 0;   // sensor index (inputs)
  std::uint16_t input = 0;    // kReceiverInput: the receiver's index within the sensor
  Time arrival;               // wall clock at the edge when the packet arrived
  Time data;                  // data time it belongs to (the pipeline's, after it)
  std::int64_t shift_ns = 0;  // replay shift applied to the packet's report times
  std::int64_t offset = 0;    // of the bytes in their source
  std::string bytes;
};

struct RecorderConfig {
  std::string dir;
  std::string prefix = "skyfuse";
  std::uint64_t max_file_bytes = 256ull << 20;
  double max_file_s = 3600;       // wall time per file
  double flush_interval_s = 0.5;  // a chunk at least this often
  std::size_t max_chunk_bytes = 1 << 20;
  int zstd_level = 3;
  // All files PREFIX-*.sfrec in `dir` together; the oldest are deleted beyond it
  // (0: no cap). At least two files' worth (max_file_bytes is lowered to half).
  std::uint64_t max_total_bytes = 0;
};

struct RecorderStats {
  std::uint64_t entries = 0;
  std::uint64_t raw_bytes = 0;
  std::uint64_t written_bytes = 0;
  std::uint64_t chunks = 0;
  std::uint64_t files = 0;
  std::uint64_t write_errors = 0;
  std::uint64_t files_deleted = 0;    // by the total size cap
  std::uint64_t entries_dropped = 0;  // after a failure
};

class Recorder {
 public:
  // `header_json`: a JSON object; "file_index" and "format" are added.
  Recorder(RecorderConfig cfg, std::string header_json, Time wall_now);
  ~Recorder();  // flushes
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  void add(const Entry& e);
  // Flushes the open chunk if `flush_interval_s` has passed, rotates if due.
  void tick(Time wall_now);
  void flush();
  const RecorderStats& stats() const { return stats_; }
  const std::string& current_file() const { return path_; }
  // Non-empty once a write failed (disk full, file removed ...): the reason.
  // Nothing is recorded after it; add() only counts what it drops.
  const std::string& failed() const { return failed_; }

 private:
  void open_file(Time wall_now);
  void write_chunk();
  void fail(const std::string& what);
  void enforce_total_cap();
  RecorderConfig cfg_;
  std::string header_;
  int fd_ = -1;
  std::string path_;
  std::uint64_t file_bytes_ = 0;
  int file_index_ = 0;
  std::int64_t run_start_s_ = 0;
  Time opened_;
  Time last_flush_;
  std::string raw_;
  std::uint32_t entries_ = 0;
  std::int64_t first_data_ = 0, last_data_ = 0;
  RecorderStats stats_;
  std::string failed_;
};

// A path as given: a recording file, or a folder whose *.sfrec files are
// taken in name order, which is time order: the runs (PREFIX-RUNSTART) from
// the oldest, each run's rotated files (-INDEX) in turn.
std::vector<std::string> recording_files(const std::string& path);
// The run a recording file belongs to: its name without "-INDEX.sfrec"
// ("rec-01700000000" for "rec-01700000000-0003.sfrec").
std::string recording_run(const std::string& file);

struct ReaderStats {
  std::uint64_t chunks = 0;           // read whole
  std::uint64_t damaged_regions = 0;  // damage followed by a valid chunk (or a file's end)
  std::uint64_t bytes_skipped = 0;    // in damaged regions
  std::uint64_t tail_bytes = 0;       // an incomplete last chunk (the recorder was killed)
  std::uint64_t files_unreadable = 0;
};

struct ChunkInfo {
  std::string file;
  std::uint64_t offset = 0;
  Time first_data, last_data;
  std::uint32_t entries = 0;
};

class RecordingReader {
 public:
  explicit RecordingReader(std::vector<std::string> files);
  // The first file's header (JSON text); empty if unreadable.
  const std::string& header() const { return header_; }
  // The file the last entry came from (empty before the first).
  std::string current_file() const {
    return entry_file_ < files_.size() ? files_[entry_file_] : std::string();
  }
  // Next entry in recording order, or nothing at the end. Damage is skipped.
  std::optional<Entry> next();
  // Chunk index of every file (from the chunk headers; past damage, from the
  // next chunk whose checksum holds).
  std::vector<ChunkInfo> index() const;
  // Damage seen: "FILE: offset N: chunk checksum mismatch; skipped M bytes to
  // the next valid chunk" ... (the first 100).
  const std::vector<std::string>& problems() const { return problems_; }
  const ReaderStats& stats() const { return stats_; }
  // Anything lost other than an incomplete last chunk (which a kill leaves).
  bool damaged() const { return stats_.damaged_regions > 0 || stats_.files_unreadable > 0; }

 private:
  bool load_chunk();
  bool open_next_file();
  std::vector<std::string> files_;
  std::size_t entry_file_ = SIZE_MAX;  // index of the last entry's file
  std::size_t file_ = 0;
  std::string header_;
  std::string data_;  // the open file's bytes
  std::size_t pos_ = 0;
  std::string chunk_;
  std::size_t chunk_pos_ = 0;
  std::uint32_t chunk_left_ = 0;
  std::vector<std::string> problems_;
  ReaderStats stats_;
  bool opened_ = false;
  void problem(std::string p);
};

}  // namespace skyfuse::record
