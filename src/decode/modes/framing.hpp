// File: decode/modes/framing.hpp
//
// Receiver feed framings, streaming and resynchronising: Beast binary (port
// 30005 style: 0x1A, type '1' Mode A/C, '2' Mode S short, '3' Mode S long,
// 6-byte 12 MHz timestamp, signal byte, payload; 0x1A escaped as 0x1A 0x1A),
// AVR text ("*hex;" and "@<12 hex timestamp>hex;"), and the CSV of
// "timestamp,...,hex" used by pyModeS and OpenSky samples. Bad input is
// counted with its byte offset and skipped; good frames are never lost.
//
//   modes::BeastStream beast;
//   beast.feed(bytes, [](const modes::RawFrame& f) { ... });
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.hpp"

namespace skyfuse::decode::modes {

struct RawFrame {
  enum class Kind : std::uint8_t { kModeAC, kModeS };
  Kind kind = Kind::kModeS;
  std::array<std::uint8_t, 14> bytes{};
  std::uint8_t n_bytes = 0;  // 2 (Mode A/C), 7 or 14
  bool has_counter = false;
  std::uint64_t counter_12mhz = 0;  // receiver clock (Beast, AVR '@')
  bool has_unix_time = false;
  double unix_time_s = 0;   // CSV
  std::uint8_t signal = 0;  // Beast signal level (0-255)
  std::int64_t offset = 0;  // byte offset of the frame in the stream
};

// The time of each frame: a CSV frame's own Unix time; a Beast/AVR frame's
// 12 MHz receiver counter (48 bits, wrapping) counted from the first frame and
// added to `start_unix`; otherwise `start_unix`.
class FrameClock {
 public:
  explicit FrameClock(double start_unix) : start_(Time::from_seconds(start_unix)) {}
  Time operator()(const RawFrame& f) {
    if (f.has_unix_time) return Time::from_seconds(f.unix_time_s);
    if (!f.has_counter) return start_;
    if (!have_first_) {
      have_first_ = true;
      first_counter_ = f.counter_12mhz;
    }
    const std::uint64_t ticks = (f.counter_12mhz - first_counter_) & ((1ULL << 48) - 1);
    return start_ + Duration{static_cast<std::int64_t>(ticks * 1000 / 12)};
  }

 private:
  Time start_;
  bool have_first_ = false;
  std::uint64_t first_counter_ = 0;
};

struct FramingStats {
  long frames = 0;
  long errors = 0;
  long skipped_bytes = 0;
  std::vector<std::string> messages;  // the first few, "offset N: reason"
  void error(std::int64_t offset, std::string_view why);
};

using FrameSink = std::function<void(const RawFrame&)>;

class BeastStream {
 public:
  // Parses as much of `data` as forms whole frames; keeps an incomplete tail
  // for the next call. Offsets count from the first byte ever fed.
  void feed(std::span<const std::uint8_t> data, const FrameSink& sink);
  // Template fast path for a whole buffer (no std::function per frame).
  template <typename F>
  void feed_fast(std::span<const std::uint8_t> data, F&& sink);
  const FramingStats& stats() const { return stats_; }
  void finish();  // reports a truncated tail as an error

 private:
  std::vector<std::uint8_t> pending_;
  std::int64_t consumed_ = 0;  // stream offset of pending_[0]
  FramingStats stats_;
  bool skipping_ = false;
  template <typename F>
  std::size_t parse(std::span<const std::uint8_t> buf, F&& sink, bool final);
};

// Line framings: one line in, zero or one frame out.
class AvrParser {
 public:
  void line(std::string_view text, std::int64_t offset, const FrameSink& sink);
  const FramingStats& stats() const { return stats_; }

 private:
  FramingStats stats_;
};

class CsvParser {
 public:
  void line(std::string_view text, std::int64_t offset, const FrameSink& sink);
  const FramingStats& stats() const { return stats_; }

 private:
  FramingStats stats_;
};

// SBS-1 / BaseStation CSV (port 30003 style): already decoded by the
// receiver, so it yields records, not frames. Lines may carry a prefix before
// "MSG," (e.g. a logger's own receive time); ID/AIR/SEL/STA/CLK lines are
// skipped. Date and time are the "generated" fields, taken as UTC.
struct SbsRecord {
  std::int64_t time_ns = 0;   // Unix time of the message (generated date/time)
  int transmission_type = 0;  // 1..8
  std::uint32_t icao = 0;
  std::string callsign;
  std::optional<int> altitude_ft;
  std::optional<double> gs_kt, track_deg, lat_deg, lon_deg;
  std::optional<int> vrate_fpm;
  std::optional<std::uint16_t> squawk;  // octal-valued
  bool emergency = false;
  bool on_ground = false;
  std::int64_t offset = 0;
};

class SbsParser {
 public:
  void line(std::string_view text, std::int64_t offset,
            const std::function<void(const SbsRecord&)>& sink);
  const FramingStats& stats() const { return stats_; }

 private:
  FramingStats stats_;
};

// Hex string -> bytes; false on any non-hex digit or odd length.
bool parse_hex(std::string_view hex, std::uint8_t* out, std::size_t max_bytes, std::size_t* n_out);

// ---------------------------------------------------------------------------
template <typename F>
std::size_t BeastStream::parse(std::span<const std::uint8_t> buf, F&& sink, bool final) {
  std::size_t i = 0;
  const std::size_t n = buf.size();
  while (i < n) {
    if (buf[i] != 0x1A) {  // resynchronise at the next escape byte
      std::size_t j = i;
      while (j < n && buf[j] != 0x1A) ++j;
      stats_.skipped_bytes += static_cast<long>(j - i);
      if (!skipping_) {  // one error per run of junk, however the stream is cut
        stats_.error(consumed_ + static_cast<std::int64_t>(i),
                     "bytes outside a Beast frame skipped");
        skipping_ = true;
      }
      i = j;
      continue;
    }
    if (i + 1 >= n) break;  // need the type byte
    const std::uint8_t type = buf[i + 1];
    std::size_t payload = 0;
    if (type == '1')
      payload = 2;
    else if (type == '2')
      payload = 7;
    else if (type == '3')
      payload = 14;
    else if (type == '4')
      payload = 14;  // status frame: skipped
    else {
      stats_.error(consumed_ + static_cast<std::int64_t>(i), "unknown Beast frame type");
      ++i;
      continue;
    }
    // Unescape 6 + 1 + payload bytes.
    std::uint8_t body[21];
    const std::size_t need = 7 + payload;
    std::size_t k = 0, p = i + 2;
    bool broken = false;
    if (p + need <= n && std::memchr(buf.data() + p, 0x1A, need) == nullptr) {  // no escapes: copy
      std::memcpy(body, buf.data() + p, need);
      k = need;
      p += need;
    }
    while (k < need && p < n) {
      if (buf[p] == 0x1A) {
        if (p + 1 >= n) break;
        if (buf[p + 1] != 0x1A) {  // a new frame starts: this one is truncated
          broken = true;
          break;
        }
        ++p;
      }
      body[k++] = buf[p++];
    }
    if (broken) {
      stats_.error(consumed_ + static_cast<std::int64_t>(i), "truncated Beast frame");
      i = p;
      continue;
    }
    if (k < need) {
      if (final) {
        stats_.error(consumed_ + static_cast<std::int64_t>(i),
                     "truncated Beast frame at end of input");
        return n;
      }
      break;  // wait for more bytes
    }
    skipping_ = false;
    if (type != '4') {
      RawFrame f;
      f.kind = type == '1' ? RawFrame::Kind::kModeAC : RawFrame::Kind::kModeS;
      f.has_counter = true;
      std::uint64_t c = 0;
      for (int b = 0; b < 6; ++b) c = (c << 8) | body[b];
      f.counter_12mhz = c;
      f.signal = body[6];
      f.n_bytes = static_cast<std::uint8_t>(payload);
      for (std::size_t b = 0; b < payload; ++b) f.bytes[b] = body[7 + b];
      f.offset = consumed_ + static_cast<std::int64_t>(i);
      ++stats_.frames;
      sink(f);
    }
    i = p;
  }
  return i;
}

template <typename F>
void BeastStream::feed_fast(std::span<const std::uint8_t> data, F&& sink) {
  if (pending_.empty()) {
    const std::size_t used = parse(data, sink, false);
    pending_.assign(data.begin() + static_cast<std::ptrdiff_t>(used), data.end());
    consumed_ += static_cast<std::int64_t>(used);
    return;
  }
  pending_.insert(pending_.end(), data.begin(), data.end());
  const std::size_t used = parse(std::span<const std::uint8_t>(pending_), sink, false);
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(used));
  consumed_ += static_cast<std::int64_t>(used);
}

}  // namespace skyfuse::decode::modes
