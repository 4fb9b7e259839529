// File: log/log.hpp
//
// The process's messages, at the edge only (apps/ and live/; docs/design.md,
// "Logging"): spdlog's default logger writing to stderr, never stdout (stdout
// carries data in `decode` and `track`). Levels debug < info < warn < error;
// `--log-level`, `-v` (debug) and `-q` (errors only) choose the threshold. In
// `run` and `replay` each line starts with its UTC wall time and level
// ("2026-12-03T13:10:44.123Z info  skyfuse run: ..."); the batch verbs print
// the bare message, as before. The wall clock here only stamps messages: it
// never reaches a stage.
//
//   log::configure({.level = log::parse_level("info"), .timestamps = true});
//   log::info("skyfuse run: map at http://localhost:{}/", port);
//   log::warn("skyfuse run: sensor \"{}\": {}", name, why);
#pragma once

#include <spdlog/spdlog.h>

#include <string>
#include <string_view>
#include <utility>

namespace skyfuse::log {

enum class Level { kDebug, kInfo, kWarn, kError, kOff };

// "debug", "info", "warn", "error", "off"; throws ConfigError naming the choices.
Level parse_level(std::string_view name);
std::string_view to_string(Level level);

struct LogConfig {
  Level level = Level::kInfo;
  bool timestamps = false;  // UTC wall time and level in front of each line
};

// Sets the process's logger (stderr, the pattern, the threshold). Call once
// from main or a verb, before other threads log.
void configure(const LogConfig& config);
Level level();
inline bool enabled(Level l) { return l >= level() && l != Level::kOff; }

template <typename... Args>
void debug(spdlog::format_string_t<Args...> f, Args&&... args) {
  spdlog::debug(f, std::forward<Args>(args)...);
}
template <typename... Args>
void info(spdlog::format_string_t<Args...> f, Args&&... args) {
  spdlog::info(f, std::forward<Args>(args)...);
}
template <typename... Args>
void warn(spdlog::format_string_t<Args...> f, Args&&... args) {
  spdlog::warn(f, std::forward<Args>(args)...);
}
template <typename... Args>
void error(spdlog::format_string_t<Args...> f, Args&&... args) {
  spdlog::error(f, std::forward<Args>(args)...);
}

}  // namespace skyfuse::log
