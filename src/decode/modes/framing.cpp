#include "decode/modes/framing.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>

#include "core/time.hpp"

namespace skyfuse::decode::modes {

void FramingStats::error(std::int64_t offset, std::string_view why) {
  ++errors;
  if (messages.size() < 20)
    messages.push_back("offset " + std::to_string(offset) + ": " + std::string(why));
}

void BeastStream::feed(std::span<const std::uint8_t> data, const FrameSink& sink) {
  feed_fast(data, sink);
}

void BeastStream::finish() {
  if (!pending_.empty())
    parse(
        std::span<const std::uint8_t>(pending_), [](const RawFrame&) {}, true);
  consumed_ += static_cast<std::int64_t>(pending_.size());
  pending_.clear();
}

namespace {
int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '"'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' ||
                        s.back() == '\n' || s.back() == '"'))
    s.remove_suffix(1);
  return s;
}
}  // namespace

bool parse_hex(std::string_view hex, std::uint8_t* out, std::size_t max_bytes, std::size_t* n_out) {
  if (hex.size() % 2 != 0 || hex.size() / 2 > max_bytes) return false;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int hi = hexval(hex[i]), lo = hexval(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i / 2] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  *n_out = hex.size() / 2;
  return true;
}

void AvrParser::line(std::string_view text, std::int64_t offset, const FrameSink& sink) {
  text = trim(text);
  if (text.empty()) return;
  RawFrame f;
  f.offset = offset;
  if (text.front() == '@' || text.front() == '*' || text.front() == ':') {
    const bool timed = text.front() == '@';
    text.remove_prefix(1);
    if (!text.empty() && text.back() == ';') text.remove_suffix(1);
    if (timed) {
      if (text.size() < 12) {
        stats_.error(offset, "AVR '@' line too short for its timestamp");
        return;
      }
      std::uint8_t ts[6];
      std::size_t n = 0;
      if (!parse_hex(text.substr(0, 12), ts, 6, &n)) {
        stats_.error(offset, "AVR timestamp is not hex");
        return;
      }
      for (int b = 0; b < 6; ++b) f.counter_12mhz = (f.counter_12mhz << 8) | ts[b];
      f.has_counter = true;
      text.remove_prefix(12);
    }
    std::size_t n = 0;
    if (!parse_hex(text, f.bytes.data(), 14, &n) || (n != 2 && n != 7 && n != 14)) {
      stats_.error(offset, "AVR frame is not 4, 14 or 28 hex digits");
      return;
    }
    f.n_bytes = static_cast<std::uint8_t>(n);
    f.kind = n == 2 ? RawFrame::Kind::kModeAC : RawFrame::Kind::kModeS;
    ++stats_.frames;
    sink(f);
    return;
  }
  stats_.error(offset, "AVR line does not start with '*', '@' or ':'");
}

void CsvParser::line(std::string_view text, std::int64_t offset, const FrameSink& sink) {
  if (text.size() >= 3 && static_cast<unsigned char>(text[0]) == 0xEF)
    text.remove_prefix(3);  // BOM
  text = trim(text);
  if (text.empty() || text.front() == '#') return;
  RawFrame f;
  f.offset = offset;
  bool have_time = false, have_frame = false;
  std::size_t field = 0;
  while (true) {
    const std::size_t comma = text.find(',');
    const std::string_view raw = trim(text.substr(0, comma));
    if (field == 0) {
      double t = 0;
      auto [p, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), t);
      if (ec == std::errc() && p == raw.data() + raw.size() && std::isfinite(t) &&
          std::abs(t) < 9e9) {
        f.unix_time_s = t;
        have_time = true;
      } else if (raw == "timestamp" || raw == "time" || raw == "ts") {
        return;  // header line
      }
    } else if (!have_frame && (raw.size() == 14 || raw.size() == 28)) {
      std::size_t n = 0;
      if (parse_hex(raw, f.bytes.data(), 14, &n)) {
        f.n_bytes = static_cast<std::uint8_t>(n);
        have_frame = true;
      }
    }
    ++field;
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  if (!have_time) {
    stats_.error(offset, "CSV line has no numeric timestamp in its first field");
    return;
  }
  if (!have_frame) {
    stats_.error(offset, "CSV line has no 14- or 28-digit hex frame");
    return;
  }
  f.has_unix_time = true;
  ++stats_.frames;
  sink(f);
}

namespace {
template <typename T>
bool number(std::string_view s, T& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}
}  // namespace

void SbsParser::line(std::string_view text, std::int64_t offset,
                     const std::function<void(const SbsRecord&)>& sink) {
  text = trim(text);
  if (text.empty()) return;
  const std::size_t start = text.find("MSG,");
  if (start == std::string_view::npos) {
    for (const char* kind : {"ID,", "AIR,", "SEL,", "STA,", "CLK,"})
      if (text.find(kind) != std::string_view::npos) return;
    stats_.error(offset, "SBS line has no MSG record");
    return;
  }
  text.remove_prefix(start);
  std::string_view f[22];
  std::size_t n = 0;
  bool more = false;
  while (n < 22) {
    const std::size_t comma = text.find(',');
    f[n++] = text.substr(0, comma);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
    more = n == 22;
  }
  if (more) {
    // Counted, and the 22 BaseStation fields still used (an extended feed
    // appends its own): nothing silently, nothing good lost.
    const auto extra = 1 + static_cast<std::size_t>(std::count(text.begin(), text.end(), ','));
    stats_.error(offset, "SBS MSG line has " + std::to_string(22 + extra) +
                             " fields; those after the 22nd are ignored");
  }
  if (n < 11) {
    stats_.error(offset, "SBS MSG line has fewer than 11 fields");
    return;
  }
  SbsRecord r;
  r.offset = offset;
  unsigned icao = 0;
  if (!number(f[1], r.transmission_type) || r.transmission_type < 1 || r.transmission_type > 8 ||
      f[4].size() != 6 ||
      std::from_chars(f[4].data(), f[4].data() + 6, icao, 16).ec != std::errc()) {
    stats_.error(offset, "SBS MSG line has a bad type or hex ident");
    return;
  }
  r.icao = icao;
  // Generated date "YYYY/MM/DD" and time "HH:MM:SS.sss".
  int y = 0, mo = 0, d = 0, h = 0, mi = 0;
  double sec = 0;
  if (f[6].size() != 10 || !number(f[6].substr(0, 4), y) || !number(f[6].substr(5, 2), mo) ||
      !number(f[6].substr(8, 2), d) || f[7].size() < 8 || !number(f[7].substr(0, 2), h) ||
      !number(f[7].substr(3, 2), mi) || !number(f[7].substr(6), sec) || y < 1970 || y > 2200 ||
      mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec < 0 || sec >= 61) {
    stats_.error(offset, "SBS MSG line has a bad generated date or time");
    return;
  }
  r.time_ns = (days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 +
               h * 3600 + mi * 60) *
                  1000000000LL +
              static_cast<std::int64_t>(std::llround(sec * 1e9));
  auto field = [&](std::size_t i) { return i < n ? trim(f[i]) : std::string_view{}; };
  r.callsign = std::string(field(10));
  while (!r.callsign.empty() && r.callsign.back() == ' ') r.callsign.pop_back();
  int iv = 0;
  double dv = 0;
  if (number(field(11), iv)) r.altitude_ft = iv;
  if (number(field(12), dv)) r.gs_kt = dv;
  if (number(field(13), dv)) r.track_deg = dv;
  if (number(field(14), dv) && std::abs(dv) <= 90) r.lat_deg = dv;
  if (number(field(15), dv) && std::abs(dv) <= 180) r.lon_deg = dv;
  if (r.lat_deg.has_value() != r.lon_deg.has_value()) r.lat_deg = r.lon_deg = std::nullopt;
  if (number(field(16), iv)) r.vrate_fpm = iv;
  const std::string_view sq = field(17);
  if (sq.size() == 4 && sq.find_first_not_of("01234567") == std::string_view::npos) {
    unsigned v = 0;
    std::from_chars(sq.data(), sq.data() + 4, v, 8);
    r.squawk = static_cast<std::uint16_t>(v);
  }
  r.emergency = field(19) == "-1" || field(19) == "1";
  r.on_ground = field(21) == "-1" || field(21) == "1";
  ++stats_.frames;
  sink(r);
}

}  // namespace skyfuse::decode::modes
