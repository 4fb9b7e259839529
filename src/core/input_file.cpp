#include "core/input_file.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iterator>

#include "core/error.hpp"

namespace skyfuse {

namespace {
[[noreturn]] void refuse(const std::string& path, std::string_view what, const std::string& why) {
  throw ConfigError(path + ": cannot open " + std::string(what) + ": " + why);
}
}  // namespace

std::string regular_file_problem(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (st.type() == fs::file_type::not_found) return "no such file";
  if (ec) return ec.message();  // e.g. permission denied on a folder
  switch (st.type()) {
    case fs::file_type::regular:
      return "";
    case fs::file_type::directory:
      return "it is a directory";
    case fs::file_type::fifo:
      return "it is a FIFO, not a file (a stream is read with tcp: or udp:)";
    case fs::file_type::character:
    case fs::file_type::block:
      return "it is a device, not a file";
    case fs::file_type::socket:
      return "it is a socket, not a file";
    default:
      return "it is not a regular file";
  }
}

void require_regular_file(const std::string& path, std::string_view what) {
  if (std::string why = regular_file_problem(path); !why.empty()) refuse(path, what, why);
}

std::ifstream open_input_file(const std::string& path, std::string_view what) {
  require_regular_file(path, what);
  std::ifstream in(path, std::ios::binary);
  if (!in) refuse(path, what, std::strerror(errno));
  return in;
}

// A read that fails inside the stream buffer (libstdc++ throws from
// underflow, e.g. on /proc/self/pagemap) is a ConfigError naming the file too.
std::string read_input_file(const std::string& path, std::string_view what) {
  std::ifstream in = open_input_file(path, what);
  std::string text;
  try {
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  } catch (const std::ios_base::failure&) {
    refuse(path, what, "read error");
  }
  if (in.bad()) refuse(path, what, "read error");
  return text;
}

std::vector<std::uint8_t> read_input_bytes(const std::string& path, std::string_view what) {
  std::ifstream in = open_input_file(path, what);
  std::vector<std::uint8_t> data;
  try {
    data.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  } catch (const std::ios_base::failure&) {
    refuse(path, what, "read error");
  }
  if (in.bad()) refuse(path, what, "read error");
  return data;
}

}  // namespace skyfuse
