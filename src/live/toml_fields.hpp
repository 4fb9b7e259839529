// File: live/toml_fields.hpp
//
// Checked reading of TOML tables for the configuration loaders (scenarios,
// tracker and sensors): every key read is remembered so a misspelt one is an
// error, and every error names the file, line and column:
// "config.toml:14:1: [[sensor]] \"rad-1\": unknown key 'rotaton_period_s'".
#pragma once

#include <fmt/format.h>
#include <toml++/toml.h>

#include <cmath>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/types.hpp"

namespace skyfuse::live {

inline std::string where(const std::string& file, const toml::source_region& src) {
  if (src.begin.line == 0) return file;
  return fmt::format("{}:{}:{}", file, src.begin.line, src.begin.column);
}

// Guards toml++ 3.3.0 (Debian 12), which answers some non-ASCII characters
// with undefined behaviour (upstream marzer/tomlplusplus#190 and #295, fixed
// after 3.4): its whitespace test reaches __builtin_unreachable() on them
// wherever it skips whitespace. Refuses a non-ASCII character outside strings
// and comments (only ASCII is valid TOML there) and one that starts the text
// after a line-ending backslash in a """ string (valid TOML, written
// "\u00A7" instead), with file, line and column; returns the text's ASCII
// shadow (each non-ASCII character replaced by 'x', so lines and columns
// stay). Parse the shadow first: only if it is valid TOML is the text itself
// parsed, whose non-ASCII characters then all sit where toml++ reads string
// or comment content, never where it tests for whitespace.
[[nodiscard]] std::string check_toml_text(std::string_view text, const std::string& file);

// The TOML text parsed through that guard: ConfigError for what it refuses,
// toml::parse_error for a syntax error (each loader words that its own way).
// A text that is all ASCII is its own shadow and parsed once.
toml::table parse_toml(std::string_view text, const std::string& file);

// Reads the keys of one table, remembering which were used so that unknown
// (misspelt) keys are reported instead of silently ignored.
class Fields {
 public:
  Fields(const toml::table& t, std::string file, std::string context)
      : t_(t), file_(std::move(file)), context_(std::move(context)) {}

  [[noreturn]] void fail(const std::string& key, const std::string& why) const {
    const toml::node* n = t_.get(key);
    throw ConfigError(fmt::format("{}: {}: {}", where(file_, n ? n->source() : t_.source()),
                                  context_, key.empty() ? why : fmt::format("'{}' {}", key, why)));
  }

  bool has(const std::string& key) const { return t_.contains(key); }

  double num(const std::string& key, std::optional<double> fallback = std::nullopt) {
    used_.insert(key);
    const toml::node* n = t_.get(key);
    if (!n) {
      if (fallback) return *fallback;
      fail("", fmt::format("missing required key '{}'", key));
    }
    if (auto v = n->value<double>()) {
      if (!std::isfinite(*v)) fail(key, "must be finite");
      return *v;
    }
    fail(key, "must be a number");
  }

  double num_in(const std::string& key, double lo, double hi,
                std::optional<double> fallback = std::nullopt) {
    const double v = num(key, fallback);
    if (v < lo || v > hi) fail(key, fmt::format("must be within [{}, {}], is {}", lo, hi, v));
    return v;
  }

  std::string str(const std::string& key, std::optional<std::string> fallback = std::nullopt) {
    used_.insert(key);
    const toml::node* n = t_.get(key);
    if (!n) {
      if (fallback) return *fallback;
      fail("", fmt::format("missing required key '{}'", key));
    }
    if (auto v = n->value<std::string>()) return *v;
    fail(key, "must be a string");
  }

  bool flag(const std::string& key, bool fallback) {
    used_.insert(key);
    const toml::node* n = t_.get(key);
    if (!n) return fallback;
    if (auto v = n->value<bool>()) return *v;
    fail(key, "must be true or false");
  }

  const toml::array* array(const std::string& key) {
    used_.insert(key);
    const toml::node* n = t_.get(key);
    if (!n) return nullptr;
    if (const auto* a = n->as_array()) return a;
    fail(key, "must be an array");
  }

  GeodeticPosition position() {
    return {num_in("lat_deg", -90, 90), num_in("lon_deg", -180, 180),
            num_in("alt_m", -1000, 1e5, 0.0)};
  }

  std::uint8_t byte(const std::string& key, double fallback) {
    return static_cast<std::uint8_t>(num_in(key, 0, 255, fallback));
  }

  void finish() const {
    for (const auto& [k, v] : t_) {
      const std::string key(k.str());
      if (!used_.count(key)) {
        throw ConfigError(
            fmt::format("{}: {}: unknown key '{}'", where(file_, k.source()), context_, key));
      }
    }
  }

  const std::string& file() const { return file_; }

 private:
  const toml::table& t_;
  std::string file_;
  std::string context_;
  std::set<std::string> used_;
};

inline std::string name_of(const toml::table& t, const char* fallback) {
  if (auto v = t["name"].value<std::string>()) return *v;
  if (auto v = t["id"].value<std::string>()) return *v;
  return fallback;
}

template <typename F>
void each_table(const toml::table& root, const std::string& file, const char* key, F&& f) {
  const toml::node* n = root.get(key);
  if (!n) return;
  const auto* arr = n->as_array();
  if (!arr)
    throw ConfigError(fmt::format("{}: '{}' must be an array of tables ([[{}]])",
                                  where(file, n->source()), key, key));
  for (const auto& el : *arr) {
    const auto* t = el.as_table();
    if (!t)
      throw ConfigError(
          fmt::format("{}: each '{}' must be a table", where(file, el.source()), key));
    f(*t);
  }
}

}  // namespace skyfuse::live
