#include "record/recording.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/input_file.hpp"

namespace skyfuse::record {

namespace {
constexpr char kMagic[] = "SKYFUSE-REC\n";
constexpr std::size_t kMagicLen = sizeof(kMagic) - 1;
constexpr char kChunk[] = "SFCK";
constexpr std::size_t kChunkHeader = 4 + 4 + 4 + 4 + 8 + 8 + 4;
constexpr std::size_t kEntryHeader = 1 + 2 + 8 + 8 + 8 + 8 + 4;

template <class T>
void put(std::string& o, T v) {
  char b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));  // little-endian hosts (x86-64, aarch64)
  o.append(b, sizeof(T));
}
template <class T>
T get(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

// Returns 0, or the errno of the failed write.
int write_all(int fd, const char* p, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return 0;
}

// A chunk's uncompressed size is at most this (the recorder writes ~1 MiB):
// a damaged length never makes the reader allocate gigabytes.
constexpr std::uint32_t kMaxRawChunk = 64u << 20;
constexpr std::size_t kMaxProblems = 100;

struct ChunkHeader {
  std::uint32_t zlen = 0, rawlen = 0, crc = 0, entries = 0;
  std::int64_t first = 0, last = 0;
};

// Why the chunk at `pos` of `d` is not whole and intact ("" if it is).
const char* check_chunk(const std::string& d, std::size_t pos, ChunkHeader* out) {
  if (d.size() - pos < kChunkHeader) return "truncated chunk header";
  const char* h = d.data() + pos;
  if (std::memcmp(h, kChunk, 4) != 0) return "no chunk marker";
  ChunkHeader c;
  c.zlen = get<std::uint32_t>(h + 4);
  c.rawlen = get<std::uint32_t>(h + 8);
  c.crc = get<std::uint32_t>(h + 12);
  c.first = get<std::int64_t>(h + 16);
  c.last = get<std::int64_t>(h + 24);
  c.entries = get<std::uint32_t>(h + 32);
  if (d.size() - pos - kChunkHeader < c.zlen) return "truncated chunk";
  if (c.rawlen > kMaxRawChunk) return "implausible chunk size";
  if (crc32(0L, reinterpret_cast<const Bytef*>(h + kChunkHeader), c.zlen) != c.crc)
    return "chunk checksum mismatch";
  if (out) *out = c;
  return "";
}

bool truncation(const char* why) { return std::strncmp(why, "truncated", 9) == 0; }

// The next intact chunk at or after `from`, or npos.
std::size_t find_chunk(const std::string& d, std::size_t from) {
  for (std::size_t p = d.find(kChunk, from, 4); p != std::string::npos;
       p = d.find(kChunk, p + 1, 4))
    if (*check_chunk(d, p, nullptr) == '\0') return p;
  return std::string::npos;
}
}  // namespace

Recorder::Recorder(RecorderConfig cfg, std::string header_json, Time wall_now)
    : cfg_(std::move(cfg)), header_(std::move(header_json)) {
  if (cfg_.max_total_bytes > 0)
    cfg_.max_file_bytes = std::min(cfg_.max_file_bytes, cfg_.max_total_bytes / 2);
  std::error_code ec;
  std::filesystem::create_directories(cfg_.dir, ec);
  if (ec)
    throw ConfigError(
        fmt::format("{}: cannot create recording folder: {}", cfg_.dir, ec.message()));
  open_file(wall_now);
}

Recorder::~Recorder() {
  flush();
  if (fd_ >= 0) ::close(fd_);
}

void Recorder::open_file(Time wall_now) {
  if (fd_ >= 0) ::close(fd_);
  if (file_index_ == 0) run_start_s_ = wall_now.ns / 1000000000;
  const std::int64_t s = run_start_s_;
  // Names sort in time order: prefix-RUNSTART-INDEX.sfrec (one run shares RUNSTART)
  path_ = (std::filesystem::path(cfg_.dir) /
           fmt::format("{}-{:011d}-{:04d}.sfrec", cfg_.prefix, s, file_index_))
              .string();
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    const std::string why =
        fmt::format("{}: cannot write recording: {}", path_, std::strerror(errno));
    if (file_index_ == 0) throw ConfigError(why);
    fail(why);
    return;
  }
  nlohmann::json h = nlohmann::json::parse(header_.empty() ? "{}" : header_);
  h["format"] = 1;
  h["file_index"] = file_index_;
  const std::string text = h.dump();
  std::string out(kMagic, kMagicLen);
  put<std::uint32_t>(out, static_cast<std::uint32_t>(text.size()));
  out += text;
  if (const int err = write_all(fd_, out.data(), out.size()))
    fail(fmt::format("{}: {}", path_, std::strerror(err)));
  file_bytes_ = out.size();
  stats_.written_bytes += out.size();
  ++stats_.files;
  ++file_index_;
  opened_ = wall_now;
  last_flush_ = wall_now;
  if (cfg_.max_total_bytes > 0) enforce_total_cap();
}

void Recorder::fail(const std::string& what) {
  ++stats_.write_errors;
  if (!failed_.empty()) return;
  failed_ = what;
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  raw_.clear();
  entries_ = 0;
}

// Deletes the oldest PREFIX-*.sfrec files (never the open one) until the
// others and a full open file fit under the cap.
void Recorder::enforce_total_cap() {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<std::pair<std::string, std::uint64_t>> files;
  std::uint64_t total = 0;
  const std::string start = cfg_.prefix + "-";
  for (const auto& e : fs::directory_iterator(cfg_.dir, ec)) {
    const std::string name = e.path().filename().string();
    if (e.path().extension() != ".sfrec" || name.rfind(start, 0) != 0) continue;
    if (e.path().string() == path_) continue;
    const auto size = e.file_size(ec);
    if (ec) continue;
    files.emplace_back(e.path().string(), size);
    total += size;
  }
  std::sort(files.begin(), files.end());  // names sort in time order
  for (const auto& [f, size] : files) {
    if (total + cfg_.max_file_bytes <= cfg_.max_total_bytes) break;
    if (fs::remove(f, ec)) {
      ++stats_.files_deleted;
      total -= size;
    }
  }
}

void Recorder::add(const Entry& e) {
  if (!failed_.empty()) {
    ++stats_.entries_dropped;
    return;
  }
  if (e.data.ns != 0) {  // entries before the first data time do not widen the span
    if (first_data_ == 0 || e.data.ns < first_data_) first_data_ = e.data.ns;
    last_data_ = std::max(last_data_, e.data.ns);
  }
  put<std::uint8_t>(raw_, static_cast<std::uint8_t>(e.type));
  put<std::uint16_t>(raw_, e.source);
  put<std::int64_t>(raw_, e.arrival.ns);
  put<std::int64_t>(raw_, e.data.ns);
  put<std::int64_t>(raw_, e.shift_ns);
  put<std::int64_t>(raw_, e.offset);
  const bool receiver = e.type == EntryType::kReceiverInput;
  const std::size_t len = e.bytes.size() + (receiver ? 2 : 0);
  put<std::uint32_t>(raw_, static_cast<std::uint32_t>(len));
  if (receiver) put<std::uint16_t>(raw_, e.input);
  raw_ += e.bytes;
  ++entries_;
  ++stats_.entries;
  stats_.raw_bytes += kEntryHeader + len;
  if (raw_.size() >= cfg_.max_chunk_bytes) write_chunk();
}

void Recorder::write_chunk() {
  if (entries_ == 0 || !failed_.empty()) return;
  std::string z(ZSTD_compressBound(raw_.size()), '\0');
  const std::size_t n =
      ZSTD_compress(z.data(), z.size(), raw_.data(), raw_.size(), cfg_.zstd_level);
  if (ZSTD_isError(n)) {
    ++stats_.write_errors;
    raw_.clear();
    entries_ = 0;
    return;
  }
  z.resize(n);
  std::string out(kChunk, 4);
  put<std::uint32_t>(out, static_cast<std::uint32_t>(n));
  put<std::uint32_t>(out, static_cast<std::uint32_t>(raw_.size()));
  put<std::uint32_t>(out, static_cast<std::uint32_t>(crc32(
                              0L, reinterpret_cast<const Bytef*>(z.data()), static_cast<uInt>(n))));
  put<std::int64_t>(out, first_data_);
  put<std::int64_t>(out, last_data_);
  put<std::uint32_t>(out, entries_);
  out += z;
  // One write per chunk: a kill leaves at most one partial chunk at the end.
  if (const int err = write_all(fd_, out.data(), out.size())) {
    fail(fmt::format("{}: {}", path_, std::strerror(err)));
    return;
  }
  file_bytes_ += out.size();
  stats_.written_bytes += out.size();
  ++stats_.chunks;
  raw_.clear();
  entries_ = 0;
  first_data_ = last_data_ = 0;
}

void Recorder::flush() { write_chunk(); }

void Recorder::tick(Time wall_now) {
  if (!failed_.empty()) return;
  if ((wall_now - last_flush_).seconds() >= cfg_.flush_interval_s) {
    write_chunk();
    last_flush_ = wall_now;
  }
  if (file_bytes_ >= cfg_.max_file_bytes || (wall_now - opened_).seconds() >= cfg_.max_file_s) {
    write_chunk();
    open_file(wall_now);
  }
}

std::vector<std::string> recording_files(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    std::vector<std::string> v;
    for (const auto& e : std::filesystem::directory_iterator(path, ec))
      if (e.path().extension() == ".sfrec" && e.is_regular_file(ec)) v.push_back(e.path().string());
    std::sort(v.begin(), v.end());
    if (v.empty()) throw ConfigError(fmt::format("{}: no .sfrec recording files", path));
    return v;  // every run, oldest first (names are PREFIX-RUNSTART-INDEX)
  }
  if (!std::filesystem::exists(path, ec))
    throw ConfigError(fmt::format("{}: no such recording", path));
  require_regular_file(path, "recording");
  return {path};
}

std::string recording_run(const std::string& file) {
  const std::string name = std::filesystem::path(file).stem().string();
  const auto dash = name.rfind('-');
  return dash == std::string::npos ? name : name.substr(0, dash);
}

RecordingReader::RecordingReader(std::vector<std::string> files) : files_(std::move(files)) {
  open_next_file();
}

void RecordingReader::problem(std::string p) {
  if (problems_.size() < kMaxProblems) problems_.push_back(std::move(p));
}

bool RecordingReader::open_next_file() {
  while (file_ < files_.size()) {
    const std::string& f = files_[file_];
    std::ifstream in(f, std::ios::binary);
    data_.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    pos_ = 0;
    if (data_.size() < kMagicLen + 4 || data_.compare(0, kMagicLen, kMagic) != 0) {
      problem(fmt::format("{}: offset 0: not a skyfuse recording", f));
      ++stats_.files_unreadable;
      ++file_;
      continue;
    }
    const auto len = get<std::uint32_t>(data_.data() + kMagicLen);
    if (len > data_.size() - kMagicLen - 4) {
      problem(fmt::format("{}: offset {}: truncated header", f, kMagicLen + 4));
      ++stats_.files_unreadable;
      ++file_;
      continue;
    }
    if (!opened_) header_ = data_.substr(kMagicLen + 4, len);
    opened_ = true;
    pos_ = kMagicLen + 4 + len;
    return true;
  }
  data_.clear();
  return false;
}

bool RecordingReader::load_chunk() {
  while (file_ < files_.size()) {
    const std::string& f = files_[file_];
    if (pos_ == data_.size()) {  // clean end of this file
      ++file_;
      if (!open_next_file()) return false;
      continue;
    }
    ChunkHeader c;
    const char* why = check_chunk(data_, pos_, &c);
    if (*why == '\0') {
      const char* z = data_.data() + pos_ + kChunkHeader;
      chunk_.assign(c.rawlen, '\0');
      const std::size_t n = ZSTD_decompress(chunk_.data(), c.rawlen, z, c.zlen);
      if (!ZSTD_isError(n) && n == c.rawlen) {
        pos_ += kChunkHeader + c.zlen;
        chunk_pos_ = 0;
        chunk_left_ = c.entries;
        ++stats_.chunks;
        return true;
      }
      why = "chunk does not decompress";
    }
    // Damage: go on at the next intact chunk of this file.
    const std::size_t next = find_chunk(data_, pos_ + 1);
    const std::uint64_t lost = (next == std::string::npos ? data_.size() : next) - pos_;
    if (next == std::string::npos && truncation(why) && file_ + 1 == files_.size()) {
      // The end of the last file: the recorder was stopped while writing.
      stats_.tail_bytes += lost;
      problem(
          fmt::format("{}: offset {}: {} at the end ({} bytes; the recorder was stopped "
                      "while writing)",
                      f, pos_, why, lost));
    } else {
      ++stats_.damaged_regions;
      stats_.bytes_skipped += lost;
      problem(next == std::string::npos
                  ? fmt::format("{}: offset {}: {}; the rest of this file ({} bytes) skipped", f,
                                pos_, why, lost)
                  : fmt::format("{}: offset {}: {}; skipped {} bytes to the next valid chunk", f,
                                pos_, why, lost));
    }
    pos_ = next == std::string::npos ? data_.size() : next;
  }
  return false;
}

std::optional<Entry> RecordingReader::next() {
  for (;;) {
    while (chunk_left_ == 0)
      if (!load_chunk()) return std::nullopt;
    const char* p = chunk_.data() + chunk_pos_;
    const std::size_t left = chunk_.size() - chunk_pos_;
    if (left < kEntryHeader || left - kEntryHeader < get<std::uint32_t>(p + 35)) {
      // Only a chunk written by something else gets here (its checksum held).
      ++stats_.damaged_regions;
      stats_.bytes_skipped += left;
      problem(fmt::format("recording: a malformed entry; the rest of its chunk ({} bytes) skipped",
                          left));
      chunk_left_ = 0;
      continue;
    }
    entry_file_ = file_;
    Entry e;
    e.type = static_cast<EntryType>(get<std::uint8_t>(p));
    e.source = get<std::uint16_t>(p + 1);
    e.arrival = Time{get<std::int64_t>(p + 3)};
    e.data = Time{get<std::int64_t>(p + 11)};
    e.shift_ns = get<std::int64_t>(p + 19);
    e.offset = get<std::int64_t>(p + 27);
    const auto len = get<std::uint32_t>(p + 35);
    e.bytes.assign(p + kEntryHeader, len);
    chunk_pos_ += kEntryHeader + len;
    if (e.type == EntryType::kReceiverInput) {
      if (len < 2) {  // only a chunk written by something else (its checksum held)
        ++stats_.damaged_regions;
        stats_.bytes_skipped += kEntryHeader + len;
        problem("recording: a receiver input entry without its receiver index; skipped");
        --chunk_left_;
        continue;
      }
      e.input = get<std::uint16_t>(e.bytes.data());
      e.bytes.erase(0, 2);
    }
    --chunk_left_;
    return e;
  }
}

std::vector<ChunkInfo> RecordingReader::index() const {
  std::vector<ChunkInfo> out;
  for (const std::string& f : files_) {
    std::ifstream in(f, std::ios::binary);
    std::string d{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (d.size() < kMagicLen + 4 || d.compare(0, kMagicLen, kMagic) != 0) continue;
    const std::uint32_t hlen = get<std::uint32_t>(d.data() + kMagicLen);
    if (hlen > d.size() - kMagicLen - 4) continue;
    std::size_t pos = kMagicLen + 4 + hlen;
    while (pos < d.size()) {
      ChunkHeader c;
      if (*check_chunk(d, pos, &c) != '\0') {
        pos = find_chunk(d, pos + 1);
        if (pos == std::string::npos) break;
        continue;
      }
      out.push_back({f, pos, Time{c.first}, Time{c.last}, c.entries});
      pos += kChunkHeader + c.zlen;
    }
  }
  return out;
}

}  // namespace skyfuse::record
