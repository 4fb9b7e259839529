#include "apps/feed_reader.hpp"

#include <fmt/format.h>

#include <cctype>
#include <fstream>

#include "apps/asterix_feeds.hpp"
#include "apps/feed_decoder.hpp"
#include "core/error.hpp"

namespace skyfuse::apps {

namespace {
constexpr std::size_t kMaxMessages = 20;

// Text and Mode S formats, through the same incremental decoder `run` uses.
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
  if (feed.format == "asterix" || feed.format == "final" || feed.format == "pcap")
    return read_asterix_feed(feed, sensor, specs_dir);
  return read_with_decoder(feed, sensor, specs_dir);
}

}  // namespace skyfuse::apps
