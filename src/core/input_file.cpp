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

void require_regular_file(const std::string& path, std::string_view what) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (st.type() == fs::file_type::not_found) refuse(path, what, "no such file");
  if (ec) refuse(path, what, ec.message());  // e.g. permission denied on a folder
  switch (st.type()) {
    case fs::file_type::regular:
      return;
    case fs::file_type::directory:
      refuse(path, what, "it is a directory");
    case fs::file_type::fifo:
      refuse(path, what, "it is a FIFO, not a file (a stream is read with tcp: or udp:)");
    case fs::file_type::character:
    case fs::file_type::block:
      refuse(path, what, "it is a device, not a file");
    case fs::file_type::socket:
      refuse(path, what, "it is a socket, not a file");
    default:
      refuse(path, what, "it is not a regular file");
  }
}

std::ifstream open_input_file(const std::string& path, std::string_view what) {
  require_regular_file(path, what);
  std::ifstream in(path, std::ios::binary);
  if (!in) refuse(path, what, std::strerror(errno));
  return in;
}

std::string read_input_file(const std::string& path, std::string_view what) {
  std::ifstream in = open_input_file(path, what);
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) refuse(path, what, "read error");
  return text;
}

std::vector<std::uint8_t> read_input_bytes(const std::string& path, std::string_view what) {
  std::ifstream in = open_input_file(path, what);
  std::vector<std::uint8_t> data{std::istreambuf_iterator<char>(in),
                                 std::istreambuf_iterator<char>()};
  if (in.bad()) refuse(path, what, "read error");
  return data;
}

}  // namespace skyfuse
