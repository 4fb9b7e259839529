#include "log/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>

#include <array>
#include <memory>

#include "core/error.hpp"

namespace skyfuse::log {
namespace {

constexpr std::array<std::pair<std::string_view, Level>, 5> kLevels{{{"debug", Level::kDebug},
                                                                     {"info", Level::kInfo},
                                                                     {"warn", Level::kWarn},
                                                                     {"error", Level::kError},
                                                                     {"off", Level::kOff}}};

spdlog::level::level_enum to_spdlog(Level l) {
  switch (l) {
    case Level::kDebug:
      return spdlog::level::debug;
    case Level::kInfo:
      return spdlog::level::info;
    case Level::kWarn:
      return spdlog::level::warn;
    case Level::kError:
      return spdlog::level::err;
    case Level::kOff:
      break;
  }
  return spdlog::level::off;
}

Level g_level = Level::kInfo;  // mirrors the logger's threshold (set by configure only)

}  // namespace

Level parse_level(std::string_view name) {
  for (const auto& [n, l] : kLevels)
    if (n == name) return l;
  throw ConfigError(fmt::format("log level \"{}\": debug, info, warn, error or off", name));
}

std::string_view to_string(Level level) {
  for (const auto& [n, l] : kLevels)
    if (l == level) return n;
  return "?";
}

void configure(const LogConfig& config) {
  // An unsynchronised stderr sink would interleave lines of the source
  // threads; the _mt sink locks per line. stderr is unbuffered.
  auto logger = std::make_shared<spdlog::logger>("skyfuse",
                                                 std::make_shared<spdlog::sinks::stderr_sink_mt>());
  logger->set_pattern(config.timestamps ? "%Y-%m-%dT%H:%M:%S.%eZ %-7l %v" : "%v",
                      spdlog::pattern_time_type::utc);
  logger->set_level(to_spdlog(config.level));
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(std::move(logger));
  g_level = config.level;
}

Level level() { return g_level; }

}  // namespace skyfuse::log
