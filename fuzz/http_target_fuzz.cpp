// Fuzz target: an HTTP request target to a file under the web root
// (server::target_path, then StaticFiles::open on a small web root made at
// start: files, a FIFO, symlinks in and out). Whatever the bytes, a path
// accepted has no empty, "." or ".." segment and no NUL, backslash or
// control byte and is UTF-8; a file opened is a regular file whose real path
// lies under the root.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>

#include "server/static_files.hpp"

namespace {
namespace fs = std::filesystem;

struct WebRoot {
  fs::path base;
  std::unique_ptr<skyfuse::server::StaticFiles> files;
  WebRoot() {
    char tmpl[] = "/tmp/skyfuse_http_fuzz_XXXXXX";
    if (!::mkdtemp(tmpl)) std::abort();
    base = tmpl;
    const fs::path web = base / "web";
    fs::create_directories(web / "sub");
    std::ofstream(web / "index.html") << "<html></html>";
    std::ofstream(web / "sub" / "a.js") << "a";
    std::ofstream(web / "caf\xc3\xa9.txt") << "c";
    std::ofstream(base / "secret") << "secret";
    fs::create_symlink("../secret", web / "out");
    fs::create_symlink("/etc", web / "etc");
    fs::create_symlink("index.html", web / "in.html");
    ::mkfifo((web / "fifo").c_str(), 0600);
    files = std::make_unique<skyfuse::server::StaticFiles>(web.string(), 1 << 20);
  }
  ~WebRoot() {
    std::error_code ec;
    fs::remove_all(base, ec);
  }
  static WebRoot& instance() {
    static WebRoot w;
    return w;
  }
};

void check(bool ok) {
  if (!ok) __builtin_trap();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view target(reinterpret_cast<const char*>(data), size);
  const auto path = skyfuse::server::target_path(target);
  if (path) {
    const std::string& rel = *path;
    check(!rel.empty() && rel.front() != '/' && rel.back() != '/');
    check(skyfuse::server::valid_utf8(rel));
    for (const char c : rel) {
      const auto u = static_cast<unsigned char>(c);
      check(u >= 0x20 && u != 0x7f && c != '\\');
    }
    for (std::size_t pos = 0; pos <= rel.size();) {
      std::size_t next = rel.find('/', pos);
      if (next == std::string::npos) next = rel.size();
      check(next > pos && rel[pos] != '.');
      pos = next + 1;
    }
  }
  const WebRoot& web = WebRoot::instance();
  const auto file = web.files->open(target);
  if (file) {
    check(path.has_value());
    struct stat st {};
    check(::fstat(file->fd.get(), &st) == 0 && S_ISREG(st.st_mode));
    char real[PATH_MAX];
    const std::string link = "/proc/self/fd/" + std::to_string(file->fd.get());
    const ssize_t n = ::readlink(link.c_str(), real, sizeof real);
    check(n > 0);
    const std::string_view r(real, static_cast<std::size_t>(n));
    const std::string& root = web.files->root();
    check(r.size() > root.size() && r.substr(0, root.size()) == root && r[root.size()] == '/');
  }
  return 0;
}
