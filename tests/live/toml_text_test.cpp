// check_toml_text refuses, with file, line and column, the texts on which
// Debian 12's toml++ 3.3.0 reaches __builtin_unreachable() (the cases of
// upstream issues marzer/tomlplusplus#190 and #295, and those found by the
// scenario fuzz target), and lets every valid use of non-ASCII through.
#include <gtest/gtest.h>
#include <toml++/toml.h>

#include <string>

#include "core/error.hpp"
#include "live/system_config_loader.hpp"
#include "live/toml_fields.hpp"

namespace skyfuse::live {
namespace {

std::string refusal(const std::string& text) {
  try {
    (void)check_toml_text(text, "c.toml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(TomlText, RefusesWhatToml33CannotParseSafely) {
  // A bare non-ASCII character where TOML allows only ASCII.
  EXPECT_EQ(refusal("\xC8\x8D = 1"),
            "c.toml:1:1: a non-ASCII character outside a string or comment (not valid TOML)");
  EXPECT_EQ(refusal("a = 1\n  \xCC\xAA"),  // #295's two bytes, U+032A
            "c.toml:2:3: a non-ASCII character outside a string or comment (not valid TOML)");
  EXPECT_NE(refusal("a = [ \"x\", \xC8\x8D ]"), "");
  EXPECT_NE(refusal("[t]\nname = \"x\"\n\xC8\x8D"), "");
  // #190: a line-ending backslash in a """ string, then U+00A7.
  EXPECT_EQ(refusal("s = \"\"\"\\\n\xC2\xA7\"\"\""),
            "c.toml:2:1: a non-ASCII character right after a line-ending backslash (write it as "
            "\\uXXXX)");
  EXPECT_NE(refusal("s = \"\"\"\\   \r\n\n   \xC2\xA7\"\"\""), "");
}

TEST(TomlText, LetsNonAsciiThroughWhereTomlAllowsIt) {
  const char* ok[] = {
      "name = \"Z\xC3\xBCrich \xC8\x8D \xC2\xA7\"",            // basic string
      "name = 'Z\xC3\xBCrich'",                                // literal string
      "# Z\xC3\xBCrich\na = 1",                                // comment
      "a = 1 # \xC8\x8D\nb = \"\\\"\xC8\x8D\"",                // escaped quote inside
      "s = \"\"\"\nZ\xC3\xBCrich\n  \xC2\xA7 \xC8\x8D\"\"\"",  // multi-line, no backslash
      "s = \"\"\"\\\n  x\xC2\xA7\"\"\"",                       // an ASCII character first
      "s = '''\n\xC8\x8D'''\nt = \"\xC8\x8D\"",                // multi-line literal
      "s = \"\"\"a\"\"\"\"\"\nt = \"\xC8\x8D\"",               // two quotes before the end
      ("\xEF\xBB\xBF"
       "a = \"\xC8\x8D\""),  // a byte-order mark
  };
  for (const char* text : ok) {
    EXPECT_EQ(refusal(text), "") << text;
    EXPECT_NO_THROW((void)toml::parse(text)) << text;  // and toml++ reads it
  }
}

// Found by the scenario fuzz target after the first guard: in an invalid
// document toml++ may read a quote's content as a bare value and test it for
// whitespace. The ASCII shadow is parsed first, so the text itself is parsed
// only when valid.
TEST(TomlText, TheShadowKeepsLinesAndColumnsAndTheStructure) {
  const std::string text = "a = \"Z\xC3\xBCrich \xC8\x8D\"\n# \xE2\x82\xAC\nb = 1";
  EXPECT_EQ(check_toml_text(text, "c.toml"), "a = \"Zxrich x\"\n# x\nb = 1");
  EXPECT_EQ(check_toml_text("\xEF\xBB\xBF"
                            "a = 1",
                            "c.toml"),
            "a = 1");
  const std::string fuzzed = "namg =[1Pxa%cen=.[s[zzzz'[2rrrr\xEF\xBB\xBFrrrzP";
  EXPECT_THROW((void)toml::parse(check_toml_text(fuzzed, "c.toml")), toml::parse_error);
}

TEST(TomlText, TheConfigurationLoaderRefusesFirst) {
  try {
    (void)load_system_config_text("[[sensor]]\nname = \"r\"\n\xC8\x8D = 1\n", "s.toml", false);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              "s.toml:3:1: a non-ASCII character outside a string or comment (not valid TOML)");
  }
}

}  // namespace
}  // namespace skyfuse::live
