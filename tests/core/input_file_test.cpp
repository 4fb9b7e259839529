// open_input_file and friends refuse what is not a regular file, naming the
// path, what it was for and what it is (hand-made cases: a directory, the
// character devices /dev/null and /dev/zero, a FIFO, a missing file).
#include "core/input_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/error.hpp"

namespace skyfuse {
namespace {

std::string refusal(const std::string& path) {
  try {
    (void)read_input_file(path, "zones file");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(InputFile, ReadsARegularFile) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("skyfuse_input_file_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string f = (dir / "a.txt").string();
  std::ofstream(f, std::ios::binary) << "abc\0def";
  EXPECT_EQ(read_input_file(f, "x"), std::string("abc"));
  EXPECT_EQ(read_input_bytes(f, "x").size(), 3u);
  // A symbolic link to a regular file is followed.
  const std::string link = (dir / "link.txt").string();
  std::filesystem::create_symlink(f, link);
  EXPECT_EQ(read_input_file(link, "x"), "abc");

  EXPECT_EQ(refusal(dir.string()), dir.string() + ": cannot open zones file: it is a directory");
  const std::string fifo = (dir / "fifo").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // Would block here until a writer came, were it opened.
  EXPECT_NE(refusal(fifo).find(": cannot open zones file: it is a FIFO"), std::string::npos);
  EXPECT_EQ(refusal(dir.string() + "/none"),
            dir.string() + "/none: cannot open zones file: no such file");
  std::filesystem::remove_all(dir);
}

TEST(InputFile, RefusesDevices) {
  // /dev/zero would never end: reading it whole grew memory until bad_alloc.
  EXPECT_EQ(refusal("/dev/zero"), "/dev/zero: cannot open zones file: it is a device, not a file");
  EXPECT_EQ(refusal("/dev/null"), "/dev/null: cannot open zones file: it is a device, not a file");
  EXPECT_THROW((void)open_input_file("/dev/zero", "input"), ConfigError);
}

TEST(InputFile, AReadErrorNamesTheFile) {
  // /proc/self/pagemap is a regular file whose read fails (EINVAL here): the
  // stream buffer throws from underflow. It reads or is refused by name;
  // nothing else escapes (it was "unexpected error: basic_filebuf::underflow").
  if (!std::filesystem::exists("/proc/self/pagemap")) GTEST_SKIP() << "no /proc/self/pagemap";
  try {
    (void)read_input_file("/proc/self/pagemap", "zones file");
    (void)read_input_bytes("/proc/self/pagemap", "zones file");
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), "/proc/self/pagemap: cannot open zones file: read error");
  }
}

}  // namespace
}  // namespace skyfuse
