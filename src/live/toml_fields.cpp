#include "live/toml_fields.hpp"

namespace skyfuse::live {

std::string check_toml_text(std::string_view text, const std::string& file) {
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

toml::table parse_toml(std::string_view text, const std::string& file) {
  const std::string shadow = check_toml_text(text, file);
  if (shadow == text) return toml::parse(text, file);  // all ASCII: the shadow is the text
  (void)toml::parse(shadow, file);                     // the structure, in ASCII
  return toml::parse(text, file);
}

}  // namespace skyfuse::live
