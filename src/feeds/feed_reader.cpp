#include "feeds/feed_reader.hpp"

#include <fmt/format.h>

#include <fstream>

#include "core/error.hpp"
#include "core/input_file.hpp"
#include "feeds/asterix_reports.hpp"
#include "feeds/feed_decoder.hpp"
#include "feeds/mlat_beast_feed.hpp"
#include "feeds/remote_id_feed.hpp"

namespace skyfuse::feeds {

namespace {
constexpr std::size_t kMaxMessages = 20;

// Text and Mode S formats, through the same incremental decoder `run` uses.
FeedData read_with_decoder(const FeedConfig& feed, const Sensor& sensor,
                           const std::string& specs_dir) {
  std::ifstream in = open_input_file(feed.path, fmt::format("input of sensor \"{}\"", sensor.name));
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
  d.counters = dec.counters();
  for (auto& m : dec.take_messages())
    if (d.messages.size() < kMaxMessages) d.messages.push_back(std::move(m));
  return d;
}
}  // namespace

FeedData read_feed(const FeedConfig& feed, const Sensor& sensor, const std::string& specs_dir) {
  if (is_asterix(feed.format)) return read_asterix_feed(feed, sensor, specs_dir);
  if (feed.format == FeedFormat::kRemoteIdPcap) return read_remote_id_capture(feed, sensor);
  if (feed.format == FeedFormat::kMlatBeast) return read_mlat_beast_feed(feed, sensor);
  return read_with_decoder(feed, sensor, specs_dir);
}

}  // namespace skyfuse::feeds
