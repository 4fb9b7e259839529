#include "server/static_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <map>

namespace skyfuse::server {

namespace {
constexpr std::size_t kMaxSegmentBytes = 255;  // NAME_MAX

Error malformed(std::size_t at, const char* why) {
  return Error{ErrorCode::kBadSyntax, static_cast<std::int64_t>(at), why};
}
Error not_served(const char* why) { return Error{ErrorCode::kBadValue, -1, why}; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// `path` (canonical) is `root` (canonical) or lies below it.
bool beneath(const std::string& path, const std::string& root) {
  if (root == "/") return true;
  return path.size() > root.size() && path.compare(0, root.size(), root) == 0 &&
         path[root.size()] == '/';
}
}  // namespace

UniqueFd& UniqueFd::operator=(UniqueFd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.release();
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

int UniqueFd::release() {
  const int fd = fd_;
  fd_ = -1;
  return fd;
}

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  auto cont = [&](std::size_t k, unsigned lo = 0x80, unsigned hi = 0xbf) {
    if (i + k >= s.size()) return false;
    const auto c = static_cast<unsigned char>(s[i + k]);
    return c >= lo && c <= hi;
  };
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      i += 1;
    } else if (c >= 0xc2 && c <= 0xdf) {  // 0xc0, 0xc1: overlong
      if (!cont(1)) return false;
      i += 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      const unsigned lo = c == 0xe0 ? 0xa0 : 0x80;  // overlong
      const unsigned hi = c == 0xed ? 0x9f : 0xbf;  // surrogates
      if (!cont(1, lo, hi) || !cont(2)) return false;
      i += 3;
    } else if (c >= 0xf0 && c <= 0xf4) {
      const unsigned lo = c == 0xf0 ? 0x90 : 0x80;  // overlong
      const unsigned hi = c == 0xf4 ? 0x8f : 0xbf;  // above U+10FFFF
      if (!cont(1, lo, hi) || !cont(2) || !cont(3)) return false;
      i += 4;
    } else {
      return false;  // a continuation byte first, or 0xf5..0xff
    }
  }
  return true;
}

Result<std::string> target_path(std::string_view target) {
  const std::string_view raw = target.substr(0, target.find_first_of("?#"));
  if (raw.empty() || raw[0] != '/') return malformed(0, "not an absolute path");
  std::string path;  // decoded once: "%252e" stays "%2e", a name
  path.reserve(raw.size() + 10);
  for (std::size_t i = 0; i < raw.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(raw[i]);
    if (c == '%') {
      const int hi = i + 2 < raw.size() ? hex_value(raw[i + 1]) : -1;
      const int lo = i + 2 < raw.size() ? hex_value(raw[i + 2]) : -1;
      if (hi < 0 || lo < 0) return malformed(i, "bad percent escape");
      c = static_cast<unsigned char>(hi * 16 + lo);
      if (c == '/') return malformed(i, "encoded '/'");
      i += 2;
    }
    if (c < 0x20 || c == 0x7f) return malformed(i, "control byte");
    if (c == '\\') return malformed(i, "backslash");
    path += static_cast<char>(c);
  }
  if (!valid_utf8(path)) return malformed(0, "not UTF-8");
  if (path.back() == '/') path += "index.html";
  std::string rel;
  rel.reserve(path.size());
  for (std::size_t pos = 1; pos <= path.size();) {
    std::size_t next = path.find('/', pos);
    if (next == std::string::npos) next = path.size();
    const std::string_view seg(path.data() + pos, next - pos);
    if (seg.empty()) return not_served("empty segment");
    if (seg[0] == '.') return not_served("'.', '..' or hidden segment");
    if (seg.size() > kMaxSegmentBytes) return not_served("segment too long");
    if (!rel.empty()) rel += '/';
    rel += seg;
    pos = next + 1;
  }
  return rel;
}

std::string content_type(std::string_view path) {
  static const std::map<std::string, std::string, std::less<>> kTypes = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".png", "image/png"},
      {".svg", "image/svg+xml"},
      {".ico", "image/x-icon"},
      {".txt", "text/plain; charset=utf-8"},
      {".geojson", "application/geo+json"}};
  const std::size_t slash = path.rfind('/');
  const std::size_t dot = path.rfind('.');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash))
    return "application/octet-stream";
  auto it = kTypes.find(path.substr(dot));
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

StaticFiles::StaticFiles(const std::string& web_root, std::uint64_t max_file_bytes)
    : max_file_bytes_(max_file_bytes) {
  if (web_root.empty()) return;
  std::error_code ec;
  const std::filesystem::path root = std::filesystem::canonical(web_root, ec);
  if (!ec && std::filesystem::is_directory(root, ec) && !ec) root_ = root.string();
}

Result<OpenFile> StaticFiles::open(std::string_view target) const {
  auto rel = target_path(target);
  if (!rel) return rel.error();
  if (root_.empty()) return not_served("no web root");
  // Symlinks are resolved, and the file must still lie under the root.
  std::error_code ec;
  const std::filesystem::path real = std::filesystem::canonical(root_ + "/" + *rel, ec);
  if (ec) return not_served("no such file");
  if (!beneath(real.native(), root_)) return not_served("outside the web root");
  // Only a regular file is even opened (opening a device can act on it) ...
  struct stat named {};
  if (::stat(real.c_str(), &named) != 0 || !S_ISREG(named.st_mode))
    return not_served("not a regular file");
  // ... non-blocking and not through a symlink put there since, and it must be
  // the same file once open.
  UniqueFd fd(::open(real.c_str(), O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC));
  if (!fd) return not_served("cannot open");
  struct stat opened {};
  if (::fstat(fd.get(), &opened) != 0 || !S_ISREG(opened.st_mode) ||
      opened.st_dev != named.st_dev || opened.st_ino != named.st_ino)
    return not_served("changed while opened");
  const auto size = static_cast<std::uint64_t>(opened.st_size);
  if (size > max_file_bytes_) return not_served("file too big");
  return OpenFile{std::move(fd), size, content_type(*rel)};
}

}  // namespace skyfuse::server
