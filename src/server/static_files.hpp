// File: server/static_files.hpp
//
// The web map's files: a request target mapped to an open regular file under
// the web root, or refused. The target's path is percent-decoded once and
// checked (no NUL or control bytes, no backslash, no encoded '/', strict
// UTF-8 with no overlong forms, no empty, "." , ".." or hidden segments); the
// file is then found by its canonical path (symlinks resolved), which must lie
// under the canonical web root, must be a regular file (never a FIFO, device
// or /proc file) no bigger than the cap, and is opened non-blocking without
// following a last symlink, then checked again on the open descriptor.
//
//   StaticFiles files("web", 16 << 20);
//   Result<OpenFile> f = files.open("/app.js?v=2");
//   if (f) send(f->fd.get(), f->size, f->content_type);
//   else answer(f.error().code == ErrorCode::kBadSyntax ? 400 : 404);
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace skyfuse::server {

// A file descriptor, closed when dropped.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd();
  int get() const { return fd_; }
  int release();
  explicit operator bool() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// The checked, decoded path of a request target, relative to the web root
// ("/" and any path ending in '/' name its "index.html"). Errors:
// ErrorCode::kBadSyntax for a malformed target (answer 400), kBadValue for a
// well-formed one that can never name a served file (answer 404).
Result<std::string> target_path(std::string_view target);

// True if `s` is well-formed UTF-8 (no overlong forms, surrogates or code
// points above U+10FFFF).
bool valid_utf8(std::string_view s);

// The Content-Type for a file name, by its extension.
std::string content_type(std::string_view path);

struct OpenFile {
  UniqueFd fd;
  std::uint64_t size = 0;  // bytes
  std::string content_type;
};

class StaticFiles {
 public:
  // A web root that is empty or does not exist serves nothing.
  StaticFiles(const std::string& web_root, std::uint64_t max_file_bytes);

  // The file a request target names (query and fragment ignored).
  Result<OpenFile> open(std::string_view target) const;
  const std::string& root() const { return root_; }  // canonical; "" serves nothing

 private:
  std::string root_;
  std::uint64_t max_file_bytes_;
};

}  // namespace skyfuse::server
