#include "feeds/feed.hpp"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <utility>

namespace skyfuse::feeds {

namespace {
constexpr std::array<std::pair<std::string_view, FeedFormat>, 11> kNames = {{
    {"jsonl", FeedFormat::kJsonl},
    {"beast", FeedFormat::kBeast},
    {"avr", FeedFormat::kAvr},
    {"csv", FeedFormat::kCsv},
    {"sbs", FeedFormat::kSbs},
    {"asterix", FeedFormat::kAsterix},
    {"final", FeedFormat::kFinal},
    {"pcap", FeedFormat::kPcap},
    {"mlat_csv", FeedFormat::kMlatCsv},
    {"pcap", FeedFormat::kRemoteIdPcap},  // found by name only through the sensor's kind
    {"beast", FeedFormat::kMlatBeast},    // ... and "beast" of a receiver network's receivers
}};
}  // namespace

std::optional<FeedFormat> parse_feed_format(std::string_view name) {
  for (const auto& [n, f] : kNames)
    if (n == name) return f;
  return std::nullopt;
}

const char* to_string(FeedFormat f) {
  for (const auto& [n, g] : kNames)
    if (g == f) return n.data();
  return "?";
}

std::optional<FeedFormat> parse_feed_format(std::string_view name, SensorKind kind) {
  const auto f = parse_feed_format(name);
  if (f == FeedFormat::kPcap && kind == SensorKind::kRemoteId) return FeedFormat::kRemoteIdPcap;
  return f;
}

std::string format_mismatch(SensorKind kind, FeedFormat format) {
  const bool remote_id = kind == SensorKind::kRemoteId;
  if (remote_id && format != FeedFormat::kRemoteIdPcap && format != FeedFormat::kJsonl)
    return fmt::format(
        "\"{}\" is not a Remote ID input: a remote_id sensor reads \"pcap\" (a Wi-Fi / "
        "Bluetooth capture) or \"jsonl\" (reports)",
        to_string(format));
  if (!remote_id && format == FeedFormat::kRemoteIdPcap)
    return "a Remote ID capture is read by a remote_id sensor only";
  return "";
}

std::string feed_format_names() {
  std::string o;
  for (const auto& [n, f] : kNames) {
    if (f == FeedFormat::kRemoteIdPcap || f == FeedFormat::kMlatBeast) continue;  // again
    if (!o.empty()) o += ", ";
    o += n;
  }
  return o;
}

bool is_asterix(FeedFormat f) {
  return f == FeedFormat::kAsterix || f == FeedFormat::kFinal || f == FeedFormat::kPcap;
}
bool is_mode_s(FeedFormat f) {
  return f == FeedFormat::kBeast || f == FeedFormat::kAvr || f == FeedFormat::kCsv;
}
bool is_text(FeedFormat f) {
  return f == FeedFormat::kAvr || f == FeedFormat::kCsv || f == FeedFormat::kSbs ||
         f == FeedFormat::kJsonl || f == FeedFormat::kMlatCsv;
}

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

}  // namespace skyfuse::feeds
