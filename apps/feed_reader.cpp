#include "apps/feed_reader.hpp"

#include <fmt/format.h>

#include <cctype>
#include <fstream>

#include "apps/asterix_feeds.hpp"
#include "apps/feed_decoder.hpp"
#include "core/error.hpp"
#include "decode/modes/decoder.hpp"
#include "decode/modes/framing.hpp"
#include "io/jsonl.hpp"

namespace skyfuse::apps {

namespace {
constexpr std::size_t kMaxMessages = 20;

void note(FeedData& d, std::string msg) {
  ++d.errors;
  if (d.messages.size() < kMaxMessages) d.messages.push_back(std::move(msg));
}

FeedData read_jsonl(const FeedConfig& feed, const Sensor& sensor) {
  std::ifstream in(feed.path, std::ios::binary);
  if (!in)
    throw ConfigError(
        fmt::format("{}: cannot open input of sensor \"{}\"", feed.path, sensor.name));
  FeedData d;
  std::string line;
  long n = 0;
  std::int64_t offset = 0;
  while (std::getline(in, line)) {
    ++n;
    const std::int64_t here = offset;
    offset += static_cast<std::int64_t>(line.size()) + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    auto r = io::parse_report(line);
    if (!r) {
      note(d, fmt::format("{}:{}: {}", feed.path, n, r.error().detail));
      continue;
    }
    Report rep = std::move(r).value();
    rep.sensor = sensor.id;
    rep.source = sensor.id;
    rep.source_offset = here;
    d.reports.push_back(std::move(rep));
  }
  return d;
}

FeedData read_modes(const FeedConfig& feed, const Sensor& sensor) {
  namespace modes = decode::modes;
  std::ifstream in(feed.path, std::ios::binary);
  if (!in)
    throw ConfigError(
        fmt::format("{}: cannot open input of sensor \"{}\"", feed.path, sensor.name));
  FeedData d;
  modes::DecoderConfig cfg;
  cfg.sensor = sensor.id;
  if (sensor.site.lat_deg != 0 || sensor.site.lon_deg != 0) cfg.receiver = sensor.site;
  if (sensor.max_range_m > 0) cfg.max_range_m = sensor.max_range_m;
  modes::Decoder dec(cfg);
  const double t0 = std::isnan(feed.start_unix) ? start_from_name(feed.path) : feed.start_unix;
  modes::FrameClock clock(t0);
  auto emit = [&](const modes::RawFrame& f) {
    const Time t = clock(f);
    const modes::Decoded dm = dec.decode(f, t);
    if (auto r = dec.to_report(dm)) {
      r->source = sensor.id;
      d.reports.push_back(std::move(*r));
    }
  };
  const modes::FramingStats* fs = nullptr;
  modes::BeastStream beast;
  modes::AvrParser avr;
  modes::CsvParser csv;
  if (feed.format == "beast") {
    std::vector<std::uint8_t> buf(1 << 16);
    while (in) {
      in.read(reinterpret_cast<char*>(buf.data()), static_cast<std::streamsize>(buf.size()));
      const auto got = static_cast<std::size_t>(in.gcount());
      if (got == 0) break;
      beast.feed(std::span<const std::uint8_t>(buf.data(), got), emit);
    }
    beast.finish();
    fs = &beast.stats();
  } else {
    std::string line;
    std::int64_t offset = 0;
    while (std::getline(in, line)) {
      if (feed.format == "avr")
        avr.line(line, offset, emit);
      else
        csv.line(line, offset, emit);
      offset += static_cast<std::int64_t>(line.size()) + 1;
    }
    fs = feed.format == "avr" ? &avr.stats() : &csv.stats();
  }
  for (const auto& m : fs->messages) note(d, fmt::format("{}: {}", feed.path, m));
  return d;
}
// Through the incremental decoder (formats only the live path had first).
FeedData read_with_decoder(const FeedConfig& feed, const Sensor& sensor,
                           const std::string& specs_dir) {
  std::ifstream in(feed.path, std::ios::binary);
  if (!in)
    throw ConfigError(
        fmt::format("{}: cannot open input of sensor \"{}\"", feed.path, sensor.name));
  FeedDecoder dec(feed, sensor, specs_dir, false);
  FeedData d;
  std::vector<std::uint8_t> buf(1 << 16);
  std::int64_t offset = 0;
  while (in) {
    in.read(reinterpret_cast<char*>(buf.data()), static_cast<std::streamsize>(buf.size()));
    const auto got = static_cast<std::size_t>(in.gcount());
    if (got == 0) break;
    dec.feed(std::span<const std::uint8_t>(buf.data(), got), Time{}, offset, d.reports);
    offset += static_cast<std::int64_t>(got);
  }
  dec.finish(d.reports);
  d.errors = dec.errors();
  for (auto& m : dec.take_messages())
    if (d.messages.size() < kMaxMessages) d.messages.push_back(std::move(m));
  return d;
}
}  // namespace

double start_from_name(const std::string& file) {
  const auto at = file.rfind("utc--");
  if (at == std::string::npos) return 0;
  std::size_t end = at + 5;
  while (end < file.size() &&
         (std::isdigit(static_cast<unsigned char>(file[end])) || file[end] == '.'))
    ++end;
  const std::string digits = file.substr(at + 5, end - at - 5);
  if (digits.size() < 9) return 0;
  try {
    return std::stod(digits);
  } catch (const std::exception&) {
    return 0;
  }
}

FeedData read_feed(const FeedConfig& feed, const Sensor& sensor, const std::string& specs_dir) {
  if (feed.format == "jsonl") return read_jsonl(feed, sensor);
  if (feed.format == "beast" || feed.format == "avr" || feed.format == "csv")
    return read_modes(feed, sensor);
  if (feed.format == "sbs") return read_with_decoder(feed, sensor, specs_dir);
  return read_asterix_feed(feed, sensor, specs_dir);
}

}  // namespace skyfuse::apps
