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

bool write_all(int fd, const char* p, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}
}  // namespace

Recorder::Recorder(RecorderConfig cfg, std::string header_json, Time wall_now)
    : cfg_(std::move(cfg)), header_(std::move(header_json)) {
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
  if (fd_ < 0) throw ConfigError(fmt::format("{}: cannot write recording", path_));
  nlohmann::json h = nlohmann::json::parse(header_.empty() ? "{}" : header_);
  h["format"] = 1;
  h["file_index"] = file_index_;
  const std::string text = h.dump();
  std::string out(kMagic, kMagicLen);
  put<std::uint32_t>(out, static_cast<std::uint32_t>(text.size()));
  out += text;
  if (!write_all(fd_, out.data(), out.size())) ++stats_.write_errors;
  file_bytes_ = out.size();
  stats_.written_bytes += out.size();
  ++stats_.files;
  ++file_index_;
  opened_ = wall_now;
  last_flush_ = wall_now;
}

void Recorder::add(const Entry& e) {
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
  put<std::uint32_t>(raw_, static_cast<std::uint32_t>(e.bytes.size()));
  raw_ += e.bytes;
  ++entries_;
  ++stats_.entries;
  stats_.raw_bytes += kEntryHeader + e.bytes.size();
  if (raw_.size() >= cfg_.max_chunk_bytes) write_chunk();
}

void Recorder::write_chunk() {
  if (entries_ == 0) return;
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
  if (!write_all(fd_, out.data(), out.size())) ++stats_.write_errors;
  file_bytes_ += out.size();
  stats_.written_bytes += out.size();
  ++stats_.chunks;
  raw_.clear();
  entries_ = 0;
  first_data_ = last_data_ = 0;
}

void Recorder::flush() { write_chunk(); }

void Recorder::tick(Time wall_now) {
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
      if (e.path().extension() == ".sfrec") v.push_back(e.path().string());
    std::sort(v.begin(), v.end());
    if (v.empty()) throw ConfigError(fmt::format("{}: no .sfrec recording files", path));
    // Several runs in one folder: the newest (names are PREFIX-RUNSTART-INDEX).
    auto run_of = [](const std::string& f) {
      const std::string name = std::filesystem::path(f).stem().string();
      const auto dash = name.rfind('-');
      return dash == std::string::npos ? name : name.substr(0, dash);
    };
    const std::string newest = run_of(v.back());
    std::erase_if(v, [&](const std::string& f) { return run_of(f) != newest; });
    return v;
  }
  if (!std::filesystem::exists(path, ec))
    throw ConfigError(fmt::format("{}: no such recording", path));
  return {path};
}

RecordingReader::RecordingReader(std::vector<std::string> files) : files_(std::move(files)) {
  open_next_file();
}

bool RecordingReader::open_next_file() {
  while (file_ < files_.size()) {
    const std::string& f = files_[file_];
    std::ifstream in(f, std::ios::binary);
    data_.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    pos_ = 0;
    if (data_.size() < kMagicLen + 4 || data_.compare(0, kMagicLen, kMagic) != 0) {
      problems_.push_back(fmt::format("{}: offset 0: not a skyfuse recording", f));
      ++file_;
      continue;
    }
    const auto len = get<std::uint32_t>(data_.data() + kMagicLen);
    if (kMagicLen + 4 + len > data_.size()) {
      problems_.push_back(fmt::format("{}: offset {}: truncated header", f, kMagicLen + 4));
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
    auto damaged = [&](const char* why) {
      problems_.push_back(
          fmt::format("{}: offset {}: {}; the rest of this file is skipped", f, pos_, why));
      ++file_;
      return open_next_file();
    };
    if (data_.size() - pos_ < kChunkHeader) {
      if (!damaged("truncated chunk header")) return false;
      continue;
    }
    const char* h = data_.data() + pos_;
    if (std::memcmp(h, kChunk, 4) != 0) {
      if (!damaged("no chunk marker")) return false;
      continue;
    }
    const auto zlen = get<std::uint32_t>(h + 4);
    const auto rawlen = get<std::uint32_t>(h + 8);
    const auto crc = get<std::uint32_t>(h + 12);
    const auto entries = get<std::uint32_t>(h + 32);
    if (data_.size() - pos_ - kChunkHeader < zlen) {
      if (!damaged("truncated chunk (the recorder was stopped while writing)")) return false;
      continue;
    }
    const char* z = h + kChunkHeader;
    if (crc32(0L, reinterpret_cast<const Bytef*>(z), zlen) != crc) {
      if (!damaged("chunk checksum mismatch")) return false;
      continue;
    }
    chunk_.assign(rawlen, '\0');
    const std::size_t n = ZSTD_decompress(chunk_.data(), rawlen, z, zlen);
    if (ZSTD_isError(n) || n != rawlen) {
      if (!damaged("chunk does not decompress")) return false;
      continue;
    }
    pos_ += kChunkHeader + zlen;
    chunk_pos_ = 0;
    chunk_left_ = entries;
    return true;
  }
  return false;
}

std::optional<Entry> RecordingReader::next() {
  while (chunk_left_ == 0) {
    if (!load_chunk()) return std::nullopt;
  }
  if (chunk_.size() - chunk_pos_ < kEntryHeader) {
    problems_.push_back("recording: malformed entry in a chunk");
    chunk_left_ = 0;
    return next();
  }
  const char* p = chunk_.data() + chunk_pos_;
  Entry e;
  e.type = static_cast<EntryType>(get<std::uint8_t>(p));
  e.source = get<std::uint16_t>(p + 1);
  e.arrival = Time{get<std::int64_t>(p + 3)};
  e.data = Time{get<std::int64_t>(p + 11)};
  e.shift_ns = get<std::int64_t>(p + 19);
  e.offset = get<std::int64_t>(p + 27);
  const auto len = get<std::uint32_t>(p + 35);
  if (chunk_.size() - chunk_pos_ - kEntryHeader < len) {
    problems_.push_back("recording: entry longer than its chunk");
    chunk_left_ = 0;
    return next();
  }
  e.bytes.assign(p + kEntryHeader, len);
  chunk_pos_ += kEntryHeader + len;
  --chunk_left_;
  return e;
}

std::vector<ChunkInfo> RecordingReader::index() const {
  std::vector<ChunkInfo> out;
  for (const std::string& f : files_) {
    std::ifstream in(f, std::ios::binary);
    std::string d{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (d.size() < kMagicLen + 4 || d.compare(0, kMagicLen, kMagic) != 0) continue;
    std::size_t pos = kMagicLen + 4 + get<std::uint32_t>(d.data() + kMagicLen);
    while (pos + kChunkHeader <= d.size() && std::memcmp(d.data() + pos, kChunk, 4) == 0) {
      const char* h = d.data() + pos;
      const auto zlen = get<std::uint32_t>(h + 4);
      if (pos + kChunkHeader + zlen > d.size()) break;
      out.push_back({f, pos, Time{get<std::int64_t>(h + 16)}, Time{get<std::int64_t>(h + 24)},
                     get<std::uint32_t>(h + 32)});
      pos += kChunkHeader + zlen;
    }
  }
  return out;
}

}  // namespace skyfuse::record
