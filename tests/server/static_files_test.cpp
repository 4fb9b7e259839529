#include "server/static_files.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

namespace skyfuse::server {
namespace {

namespace fs = std::filesystem;

constexpr const char* kBad = "<400>";        // malformed target
constexpr const char* kNotServed = "<404>";  // well-formed, never a served file

struct TargetCase {
  const char* target;
  const char* want;  // relative path, kBad or kNotServed
};

// Request targets from an attacker's trial (issue #16) and what a browser sends.
const TargetCase kTargets[] = {
    {"/", "index.html"},
    {"/app.js", "app.js"},
    {"/app.js?v=2", "app.js"},
    {"/app.js#top", "app.js"},
    {"/sub/", "sub/index.html"},
    {"/sub/page.html?a=/../b", "sub/page.html"},  // the query is not the path
    {"/%61pp.js", "app.js"},
    {"/caf%C3%A9.txt", "caf\xc3\xa9.txt"},
    {"/%252e%252e/etc/passwd", "%2e%2e/etc/passwd"},  // decoded once: a name, not ".."
    // absolute paths and traversal
    {"//etc/passwd", kNotServed},
    {"//etc/hostname", kNotServed},
    {"/../etc/passwd", kNotServed},
    {"/../../../../etc/passwd", kNotServed},
    {"/web/../../etc/passwd", kNotServed},
    {"/sub/../../etc/passwd", kNotServed},
    {"/%2e%2e/etc/passwd", kNotServed},
    {"/%2E%2E/%2e%2e/etc/passwd", kNotServed},
    {"/.%2e/etc/passwd", kNotServed},
    {"/./index.html", kNotServed},
    {"/sub//page.html", kNotServed},
    {"/.git/config", kNotServed},
    {"/..", kNotServed},
    {"/..%2fetc%2fpasswd", kBad},  // encoded '/'
    {"/%2fetc%2fpasswd", kBad},
    {"/..%5c..%5cetc%5cpasswd", kBad},  // encoded backslash
    {"/..\\..\\etc\\passwd", kBad},
    {"/index.html%00.js", kBad},  // NUL
    {"/a%0ab", kBad},             // control bytes
    {"/a%7fb", kBad},
    {"/%c0%ae%c0%ae/etc/passwd", kBad},  // overlong '.'
    {"/%c0%af", kBad},                   // overlong '/'
    {"/%e0%80%ae", kBad},                // overlong, 3 bytes
    {"/%f0%80%80%ae", kBad},             // overlong, 4 bytes
    {"/%ed%a0%80", kBad},                // a surrogate
    {"/%f4%90%80%80", kBad},             // above U+10FFFF
    {"/%ff", kBad},
    {"/%c3", kBad},  // truncated sequence
    {"/%zz", kBad},
    {"/%2", kBad},
    {"/%", kBad},
    {"", kBad},
    {"*", kBad},
    {"index.html", kBad},
    {"http://localhost/etc/passwd", kBad},
};

TEST(StaticFiles, TargetPathTable) {
  for (const TargetCase& c : kTargets) {
    const auto r = target_path(c.target);
    if (c.want == kBad) {
      ASSERT_FALSE(r) << c.target << " -> " << *r;
      EXPECT_EQ(r.error().code, ErrorCode::kBadSyntax) << c.target << ": " << r.error().detail;
    } else if (c.want == kNotServed) {
      ASSERT_FALSE(r) << c.target << " -> " << *r;
      EXPECT_EQ(r.error().code, ErrorCode::kBadValue) << c.target << ": " << r.error().detail;
    } else {
      ASSERT_TRUE(r) << c.target << ": " << r.error().detail;
      EXPECT_EQ(*r, c.want) << c.target;
    }
  }
}

TEST(StaticFiles, TargetPathRefusesLongSegments) {
  EXPECT_TRUE(target_path("/" + std::string(255, 'a')));
  EXPECT_FALSE(target_path("/" + std::string(256, 'a')));
}

TEST(StaticFiles, ValidUtf8Table) {
  const std::pair<const char*, bool> cases[] = {
      {"", true},
      {"plain", true},
      {"caf\xc3\xa9", true},
      {"\xe2\x82\xac", true},       // euro sign
      {"\xf0\x9f\x9b\xa9", true},   // an airplane
      {"\xf4\x8f\xbf\xbf", true},   // U+10FFFF
      {"\xc0\xae", false},          // overlong
      {"\xc1\xbf", false},          // overlong
      {"\xe0\x9f\xbf", false},      // overlong
      {"\xf0\x8f\xbf\xbf", false},  // overlong
      {"\xed\xbf\xbf", false},      // surrogate
      {"\xf4\x90\x80\x80", false},  // too big
      {"\xf5\x80\x80\x80", false},  // too big
      {"\x80", false},              // continuation first
      {"\xe2\x82", false},          // truncated
      {"a\xc3", false},             // truncated at the end
  };
  for (const auto& [s, ok] : cases) EXPECT_EQ(valid_utf8(s), ok) << s;
}

TEST(StaticFiles, ContentTypeByExtension) {
  EXPECT_EQ(content_type("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(content_type("a/app.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(content_type("zones.geojson"), "application/geo+json");
  EXPECT_EQ(content_type("a.b/noext"), "application/octet-stream");
  EXPECT_EQ(content_type("x.unknown"), "application/octet-stream");
}

class StaticFilesOnDisk : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::path(::testing::TempDir()) /
            ("skyfuse_static_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(base_);
    web_ = base_ / "web";
    fs::create_directories(web_ / "sub");
    write(web_ / "index.html", "<html>map</html>");
    write(web_ / "sub" / "page.html", "page");
    write(web_ / "big.bin", std::string(5000, 'x'));
    write(base_ / "secret.txt", "SECRET");
    fs::create_symlink("index.html", web_ / "alias.html");     // inside: served
    fs::create_symlink("../secret.txt", web_ / "escape.txt");  // outside: refused
    fs::create_symlink("/etc", web_ / "etc");
    fs::create_symlink("/dev/zero", web_ / "zero");
    fs::create_symlink(base_, web_ / "up");
    ASSERT_EQ(::mkfifo((web_ / "fifo").c_str(), 0600), 0);
  }
  void TearDown() override { fs::remove_all(base_); }
  static void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }
  static std::string read_all(int fd) {
    std::string s(100, '\0');
    const ssize_t n = ::pread(fd, s.data(), s.size(), 0);
    s.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    return s;
  }
  fs::path base_, web_;
};

TEST_F(StaticFilesOnDisk, ServesRegularFilesUnderTheRoot) {
  const StaticFiles files(web_.string(), 4096);
  EXPECT_EQ(files.root(), fs::canonical(web_).string());
  auto f = files.open("/");
  ASSERT_TRUE(f) << f.error().detail;
  EXPECT_EQ(f->size, 16U);
  EXPECT_EQ(f->content_type, "text/html; charset=utf-8");
  EXPECT_EQ(read_all(f->fd.get()), "<html>map</html>");
  auto page = files.open("/sub/page.html?x=1");
  ASSERT_TRUE(page);
  EXPECT_EQ(read_all(page->fd.get()), "page");
  auto alias = files.open("/alias.html");  // a symlink that stays inside
  ASSERT_TRUE(alias);
  EXPECT_EQ(read_all(alias->fd.get()), "<html>map</html>");
}

TEST_F(StaticFilesOnDisk, RefusesWhatLeavesTheRootOrIsNotARegularFile) {
  const StaticFiles files(web_.string(), 4096);
  for (const char* t :
       {"/escape.txt", "/etc/passwd", "/etc/hostname", "/zero", "/up/secret.txt", "/sub", "/sub/",
        "/missing.html", "/big.bin", "//etc/passwd", "/../secret.txt", "/%2e%2e/secret.txt"}) {
    auto f = files.open(t);
    ASSERT_FALSE(f) << t;
    EXPECT_EQ(f.error().code, ErrorCode::kBadValue) << t << ": " << f.error().detail;
  }
  EXPECT_EQ(files.open("/..%2fsecret.txt").error().code, ErrorCode::kBadSyntax);
}

TEST_F(StaticFilesOnDisk, AFifoIsRefusedWithoutWaitingForAWriter) {
  const StaticFiles files(web_.string(), 4096);
  const auto t0 = std::chrono::steady_clock::now();
  auto f = files.open("/fifo");
  EXPECT_FALSE(f);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(1));
}

TEST_F(StaticFilesOnDisk, NoRootServesNothing) {
  EXPECT_FALSE(StaticFiles("", 4096).open("/"));
  EXPECT_EQ(StaticFiles((base_ / "nowhere").string(), 4096).root(), "");
  EXPECT_FALSE(StaticFiles((base_ / "nowhere").string(), 4096).open("/"));
  EXPECT_FALSE(StaticFiles((web_ / "index.html").string(), 4096).open("/"));  // not a folder
}

}  // namespace
}  // namespace skyfuse::server
