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
[[nodiscard]] inline std::string check_toml_text(std::string_view text, const std::string& file) {
  enum class In { kCode, kComment, kBasic, kLiteral, kMultiBasic, kMultiLiteral };
  In in = In::kCode;
  std::size_t line = 1, line_start = 0;
  auto fail = [&](std::size_t at, const char* what) {
    throw ConfigError(fmt::format("{}:{}:{}: {}", file, line, at - line_start + 1, what));
  };
  auto starts = [&](std::size_t i, std::string_view s) { return text.substr(i, s.size()) == s; };
  const std::size_t bom = text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;  // toml++ skips it
  line_start = bom;
  for (std::size_t i = bom; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      ++line;
      line_start = i + 1;
      if (in == In::kComment || in == In::kBasic || in == In::kLiteral) in = In::kCode;
      continue;
    }
    switch (in) {
      case In::kCode:
        if (static_cast<unsigned char>(c) >= 0x80)
          fail(i, "a non-ASCII character outside a string or comment (not valid TOML)");
        if (c == '#') in = In::kComment;
        if (c == '"') {
          in = starts(i, "\"\"\"") ? In::kMultiBasic : In::kBasic;
          if (in == In::kMultiBasic) i += 2;
        }
        if (c == '\'') {
          in = starts(i, "'''") ? In::kMultiLiteral : In::kLiteral;
          if (in == In::kMultiLiteral) i += 2;
        }
        break;
      case In::kComment:
        break;
      case In::kBasic:
        if (c == '\\')
          ++i;  // an escaped character, never the end
        else if (c == '"')
          in = In::kCode;
        break;
      case In::kLiteral:
        if (c == '\'') in = In::kCode;
        break;
      case In::kMultiBasic:
        if (c == '\\') {
          std::size_t j = i + 1;
          while (j < text.size() && (text[j] == ' ' || text[j] == '\t' || text[j] == '\r')) ++j;
          if (j < text.size() && text[j] == '\n') {  // a line-ending backslash
            while (j < text.size() &&
                   (text[j] == ' ' || text[j] == '\t' || text[j] == '\r' || text[j] == '\n')) {
              if (text[j] == '\n') {
                ++line;
                line_start = j + 1;
              }
              ++j;
            }
            if (j < text.size() && static_cast<unsigned char>(text[j]) >= 0x80)
              fail(j,
                   "a non-ASCII character right after a line-ending backslash (write it as "
                   "\\uXXXX)");
            i = j - 1;
          } else {
            ++i;  // an escaped character
          }
        } else if (starts(i, "\"\"\"")) {
          i += 2;
          while (i + 1 < text.size() && text[i + 1] == '"') ++i;  // up to two quotes of content
          in = In::kCode;
        }
        break;
      case In::kMultiLiteral:
        if (starts(i, "'''")) {
          i += 2;
          while (i + 1 < text.size() && text[i + 1] == '\'') ++i;
          in = In::kCode;
        }
        break;
    }
  }
  std::string shadow;
  shadow.reserve(text.size());
  for (std::size_t i = bom; i < text.size(); ++i) {
    const auto b = static_cast<unsigned char>(text[i]);
    if (b < 0x80)
      shadow += text[i];
    else if (b >= 0xC0)
      shadow += 'x';  // a character's first byte; its continuation bytes are dropped
  }
  return shadow;
}

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
