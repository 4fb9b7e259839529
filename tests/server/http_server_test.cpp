// The HTTP / WebSocket server in-process on port 0, driven through raw
// sockets on 127.0.0.x (several source addresses: per-address limits):
// files only under the web root, refusals answered (400/401/405/413/414/431/
// 503) and counted, timeouts, WebSocket limits, and an accept loop that backs
// off when the process runs out of file descriptors (issue #16).
#include "server/http_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "server/http_encoding.hpp"

namespace skyfuse::server {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

struct Reply {
  int status = 0;                              // 0: no answer
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
};

// One client connection from a chosen loopback address.
class Conn {
 public:
  explicit Conn(std::uint16_t port, const char* from = "127.0.0.1") {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    ::inet_pton(AF_INET, from, &a.sin_addr);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) ADD_FAILURE() << "bind";
    a.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;
  ~Conn() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool connected() const { return connected_; }
  int fd() const { return fd_; }

  bool send(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }
  // Bytes already read past the last reply, else what comes within the time;
  // "" when closed or nothing came.
  std::string recv_some(double timeout_s) {
    if (!pending_.empty()) return std::exchange(pending_, {});
    return read_socket(timeout_s);
  }
  // True if the server closes (or resets) the connection within the time.
  bool closed_within(double timeout_s) {
    const auto t0 = Clock::now();
    while (since(t0) < timeout_s) {
      pending_ += read_socket(0.05);
      if (closed_) return true;
    }
    return false;
  }
  // One response (its body by Content-Length; none for HEAD).
  Reply reply(bool head = false, double timeout_s = 5) {
    Reply r;
    const auto t0 = Clock::now();
    std::size_t end;
    while ((end = pending_.find("\r\n\r\n")) == std::string::npos) {
      if (since(t0) > timeout_s || closed_) return r;
      pending_ += read_socket(0.05);
    }
    std::string head_text = pending_.substr(0, end);
    pending_.erase(0, end + 4);
    std::size_t eol = head_text.find("\r\n");
    const std::string status_line = head_text.substr(0, eol);
    if (status_line.size() >= 12) r.status = std::stoi(status_line.substr(9, 3));
    while (eol != std::string::npos) {
      const std::size_t next = head_text.find("\r\n", eol + 2);
      const std::string line = head_text.substr(eol + 2, next - eol - 2);
      const std::size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        r.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
      }
      eol = next;
    }
    const std::size_t length =
        head || !r.headers.count("content-length") ? 0 : std::stoul(r.headers["content-length"]);
    while (pending_.size() < length && since(t0) < timeout_s && !closed_)
      pending_ += read_socket(0.05);
    r.body = pending_.substr(0, length);
    pending_.erase(0, std::min(length, pending_.size()));
    return r;
  }
  Reply get(const std::string& target, const std::string& extra = "") {
    send("GET " + target + " HTTP/1.1\r\nHost: t\r\n" + extra + "\r\n");
    return reply();
  }
  const std::string& pending() const { return pending_; }

 private:
  std::string read_socket(double timeout_s) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout_s * 1000)) <= 0) return {};
    char buf[65536];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) {
      closed_ = true;
      return {};
    }
    return std::string(buf, static_cast<std::size_t>(n));
  }

  int fd_ = -1;
  bool connected_ = false;
  bool closed_ = false;
  std::string pending_;
};

Reply request(std::uint16_t port, const std::string& raw, bool head = false) {
  Conn c(port);
  c.send(raw);
  return c.reply(head);
}

Reply get(std::uint16_t port, const std::string& target) {
  return request(port, "GET " + target + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
}

// A WebSocket client: the handshake and masked frames.
bool ws_handshake(Conn& c) {
  c.send(
      "GET /ws HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
  return c.reply(true).status == 101;
}
std::string ws_frame(const std::string& payload) {
  std::string f;
  f += static_cast<char>(0x81);  // FIN, text
  if (payload.size() < 126) {
    f += static_cast<char>(0x80 | payload.size());
  } else if (payload.size() < 65536) {
    f += static_cast<char>(0x80 | 126);
    f += static_cast<char>(payload.size() >> 8);
    f += static_cast<char>(payload.size() & 0xff);
  } else {
    f += static_cast<char>(0x80 | 127);
    for (int i = 7; i >= 0; --i) f += static_cast<char>((payload.size() >> (8 * i)) & 0xff);
  }
  f += std::string(4, '\0');  // a zero mask leaves the payload as it is
  return f + payload;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::path(::testing::TempDir()) /
            ("skyfuse_http_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(base_);
    web_ = base_ / "web";
    fs::create_directories(web_);
    std::ofstream(web_ / "index.html") << "<html>skyfuse map</html>";
    std::ofstream(web_ / "app.js") << std::string(100000, 'j');
    std::ofstream(base_ / "secret.txt") << "SECRET";
    fs::create_symlink("../secret.txt", web_ / "escape.txt");
    fs::create_symlink("/etc", web_ / "etc");
    fs::create_symlink("/dev/zero", web_ / "zero");
    ASSERT_EQ(::mkfifo((web_ / "fifo").c_str(), 0600), 0);
    cfg_.port = 0;
    cfg_.web_root = web_.string();
    cfg_.token = "s3cret";
  }
  void TearDown() override {
    server_.reset();
    fs::remove_all(base_);
  }
  std::uint16_t start() {
    server_ = std::make_unique<HttpServer>(
        cfg_, store_, [this](const std::string& path, const std::string& body) {
          ++controls_;
          last_body_ = body;
          if (path != "/api/zones")
            return std::pair<int, std::string>{404, R"({"error":"no such control"})"};
          return std::pair<int, std::string>{200, R"({"zones":0})"};
        });
    server_->start();
    return server_->port();
  }
  const ServerStats& stats() const { return server_->stats(); }
  // Waits until `cond` holds (the server counts on its own thread).
  template <class Cond>
  static bool eventually(Cond cond, double timeout_s = 5) {
    const auto t0 = Clock::now();
    while (!cond()) {
      if (since(t0) > timeout_s) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
  }

  fs::path base_, web_;
  ServerConfig cfg_;
  LiveStore store_{StoreInfo{}};
  std::unique_ptr<HttpServer> server_;
  std::atomic<int> controls_{0};
  std::string last_body_;
};

TEST_F(HttpServerTest, ServesTheApiAndTheWebRoot) {
  const auto port = start();
  Reply r = get(port, "/api/stats");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["content-type"], "application/json");
  EXPECT_TRUE(nlohmann::json::parse(r.body).contains("http_requests_total"));
  r = get(port, "/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "<html>skyfuse map</html>");
  EXPECT_EQ(r.headers["content-type"], "text/html; charset=utf-8");
  r = get(port, "/app.js?v=1");  // streamed from the file
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, std::string(100000, 'j'));
  EXPECT_EQ(get(port, "/api/tracks/77").status, 404);
  EXPECT_EQ(get(port, "/nothing.html").status, 404);
  EXPECT_GE(stats().not_found, 2U);
}

// tar1090's history files (issue #21): /data/history_N.json for N below
// receiver.json's "history", 404 for any other name.
TEST_F(HttpServerTest, ServesTheAircraftHistory) {
  Publication p;
  p.now = Time::from_seconds(100);
  store_.publish(p);
  p.now = Time::from_seconds(130);
  store_.publish(p);
  const auto port = start();
  EXPECT_EQ(nlohmann::json::parse(get(port, "/data/receiver.json").body)["history"], 2);
  for (const char* ok : {"/data/history_0.json", "/data/history_1.json?x=1"}) {
    Reply r = get(port, ok);
    EXPECT_EQ(r.status, 200) << ok;
    EXPECT_EQ(r.headers["content-type"], "application/json");
    EXPECT_TRUE(nlohmann::json::parse(r.body).contains("aircraft")) << ok;
  }
  EXPECT_DOUBLE_EQ(
      nlohmann::json::parse(get(port, "/data/history_1.json").body)["now"].get<double>(), 130);
  for (const char* bad : {"/data/history_2.json", "/data/history_.json", "/data/history_-1.json",
                          "/data/history_1x.json", "/data/history_99999999999999999999.json",
                          "/data/history_0.jsonx", "/data/history_%30.json"})
    EXPECT_EQ(get(port, bad).status, 404) << bad;
}

// gzip as readsb serves its /data/ JSON (issue #21): compressed when the
// request accepts gzip, decompressing (zlib, independent of the server's
// encoder settings) to the very bytes a plain request gets.
std::string gunzip(const std::string& in) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) return "<inflateInit2 failed>";
  std::string out;
  char buf[16384];
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof buf - zs.avail_out);
  }
  const bool whole = rc == Z_STREAM_END && zs.avail_in == 0;
  inflateEnd(&zs);
  return whole ? out : "<not one whole gzip member>";
}

TEST_F(HttpServerTest, DataJsonIsGzippedWhenTheClientAcceptsIt) {
  ObjectState s;
  s.id = "7";
  s.time = Time::from_seconds(99);
  s.position = {47.1, 8.2, 3000};
  s.identity.icao24 = 0x4b1805;
  store_.apply(std::vector<ObjectState>{s});
  Publication p;
  p.now = Time::from_seconds(100);
  p.messages = 12;
  store_.publish(p);
  const auto port = start();
  for (const char* path :
       {"/data/aircraft.json", "/data/receiver.json", "/data/stats.json", "/data/history_0.json"}) {
    SCOPED_TRACE(path);
    Conn c(port);
    const Reply plain = c.get(path);  // no Accept-Encoding: plain JSON
    EXPECT_EQ(plain.status, 200);
    EXPECT_EQ(plain.headers.count("content-encoding"), 0U);
    EXPECT_EQ(plain.headers.at("vary"), "Accept-Encoding");
    EXPECT_TRUE(nlohmann::json::accept(plain.body));
    const Reply packed = c.get(path, "Accept-Encoding: deflate, gzip;q=0.8, br\r\n");
    EXPECT_EQ(packed.status, 200);
    EXPECT_EQ(packed.headers.at("content-encoding"), "gzip");
    EXPECT_EQ(packed.headers.at("vary"), "Accept-Encoding");
    EXPECT_EQ(packed.headers.at("content-type"), "application/json");
    ASSERT_GE(packed.body.size(), 2U);
    EXPECT_EQ(packed.body.substr(0, 2), "\x1f\x8b");  // the gzip magic (RFC 1952)
    EXPECT_EQ(gunzip(packed.body), plain.body);
    // Refused gzip, or only other codings: plain.
    EXPECT_EQ(c.get(path, "Accept-Encoding: gzip;q=0, *\r\n").headers.count("content-encoding"),
              0U);
    EXPECT_EQ(c.get(path, "Accept-Encoding: br, identity\r\n").body, plain.body);
  }
  EXPECT_TRUE(nlohmann::json::parse(get(port, "/data/aircraft.json").body)["aircraft"].size() == 1);
  // The API proper stays plain (its clients are the map and scripts).
  EXPECT_EQ(
      Conn(port).get("/api/tracks", "Accept-Encoding: gzip\r\n").headers.count("content-encoding"),
      0U);
}

TEST(AcceptsGzip, FollowsTheAcceptEncodingGrammar) {
  const std::pair<const char*, bool> table[] = {
      {"", false},
      {"gzip", true},
      {"GZIP", true},
      {"x-gzip", true},
      {"gzip, deflate, br", true},
      {"deflate,gzip;q=0.5", true},
      {"gzip;q=0", false},
      {"gzip; q=0.000", false},
      {"gzip;q=0.001", true},
      {"*", true},
      {"*;q=0", false},
      {"gzip;q=0, *", false},  // explicit refusal beats the wildcard
      {"br, *;q=0.1", true},
      {"identity", false},
      {"gzipx", false},
      {"gzip;q=abc", false},  // malformed q: not acceptable
      {"gzip;q=2", false},
      {" gzip ; q=1.0 ", true},
      {",,,", false},
  };
  for (const auto& [header, want] : table) EXPECT_EQ(accepts_gzip(header), want) << header;
  EXPECT_EQ(gunzip(gzip("")), "");
  const std::string big(200000, 'a');
  const std::string packed = gzip(big);
  EXPECT_LT(packed.size(), 2000U);
  EXPECT_EQ(gunzip(packed), big);
}

// CORS as readsb (issue #21): pages of any origin may read the read-only
// JSON; the control endpoints (POST) and everything else say nothing, so a
// browser keeps other origins from reading them.
TEST_F(HttpServerTest, CorsOnlyOnTheReadOnlyJson) {
  const auto port = start();
  for (const char* path :
       {"/api/tracks", "/api/info", "/api/stats", "/api/zones", "/api/tracks/404",
        "/data/aircraft.json", "/data/receiver.json", "/data/stats.json"}) {
    const Reply r = get(port, path);
    EXPECT_EQ(r.headers.count("access-control-allow-origin")
                  ? r.headers.at("access-control-allow-origin")
                  : "",
              "*")
        << path;
  }
  EXPECT_EQ(
      request(port, "HEAD /data/aircraft.json HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
              true)
          .headers.count("access-control-allow-origin"),
      1U);
  const std::string zones = R"({"type":"FeatureCollection","features":[]})";
  auto post = [&](const std::string& auth) {
    return request(port,
                   "POST /api/zones HTTP/1.1\r\nHost: t\r\nConnection: close\r\n" + auth +
                       "Origin: http://elsewhere.example\r\nContent-Type: application/json\r\n"
                       "Content-Length: " +
                       std::to_string(zones.size()) + "\r\n\r\n" + zones);
  };
  const Reply refused = post("");
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(refused.headers.count("access-control-allow-origin"), 0U);
  const Reply accepted = post("Authorization: Bearer s3cret\r\n");
  EXPECT_EQ(accepted.status, 200);
  EXPECT_EQ(accepted.headers.count("access-control-allow-origin"), 0U);
  // A browser's preflight for a cross-origin POST: refused, without CORS.
  const Reply preflight = request(port,
                                  "OPTIONS /api/zones HTTP/1.1\r\nHost: t\r\nConnection: "
                                  "close\r\nOrigin: http://elsewhere.example\r\n"
                                  "Access-Control-Request-Method: "
                                  "POST\r\nAccess-Control-Request-Headers: authorization\r\n\r\n");
  EXPECT_EQ(preflight.status, 405);
  EXPECT_EQ(preflight.headers.count("access-control-allow-origin"), 0U);
  for (const char* path : {"/metrics", "/", "/app.js", "/nothing.html"})
    EXPECT_EQ(get(port, path).headers.count("access-control-allow-origin"), 0U) << path;
}

TEST_F(HttpServerTest, KeepAliveServesRequestsInTurn) {
  const auto port = start();
  Conn c(port);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(c.get("/api/info").status, 200);
    EXPECT_EQ(c.get("/app.js").body.size(), 100000U);
  }
  // Pipelined: both answered, in order.
  c.send(
      "GET /index.html HTTP/1.1\r\nHost: t\r\n\r\nGET /api/tracks/1 HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(c.reply().status, 200);
  EXPECT_EQ(c.reply().status, 404);
}

TEST_F(HttpServerTest, NoFileOutsideTheWebRootInAnyEncoding) {
  const auto port = start();
  const std::string hostname = [] {
    std::ifstream in("/etc/hostname");
    std::string s;
    std::getline(in, s);
    return s;
  }();
  for (const char* t :
       {"//etc/passwd", "//etc/hostname", "/../secret.txt", "/../../../../etc/passwd",
        "/%2e%2e/secret.txt", "/%2E%2E/%2e%2e/etc/passwd", "/%252e%252e/secret.txt",
        "/..%2fsecret.txt", "/web/../../secret.txt", "/..%5csecret.txt", "/..\\secret.txt",
        "/index.html%00.js", "/%c0%ae%c0%ae/secret.txt", "/escape.txt", "/etc/passwd",
        "/etc/hostname", "//proc/self/environ", "//proc/self/status", "/.%2e/secret.txt"}) {
    const Reply r = get(port, t);
    EXPECT_TRUE(r.status == 404 || r.status == 400) << t << ": " << r.status;
    EXPECT_EQ(r.body.find("SECRET"), std::string::npos) << t;
    EXPECT_EQ(r.body.find("root:"), std::string::npos) << t;
    if (!hostname.empty()) {
      EXPECT_EQ(r.body.find(hostname), std::string::npos) << t;
    }
  }
  EXPECT_GE(stats().bad_requests, 5U);
  EXPECT_GE(stats().not_found, 10U);
}

TEST_F(HttpServerTest, SpecialFilesAreRefusedAtOnce) {
  const auto port = start();
  for (const char* t : {"/fifo", "/zero", "//dev/zero", "//dev/urandom", "//proc/self/maps"}) {
    const auto t0 = Clock::now();
    EXPECT_EQ(get(port, t).status, 404) << t;
    EXPECT_LT(since(t0), 1.0) << t;
  }
  EXPECT_EQ(get(port, "/api/stats").status, 200);  // the I/O thread is free
}

TEST_F(HttpServerTest, HeadAnswersWithoutABody) {
  const auto port = start();
  Conn c(port);
  for (const char* t : {"/api/stats", "/index.html", "/app.js", "/nothing"}) {
    c.send(std::string("HEAD ") + t + " HTTP/1.1\r\nHost: t\r\n\r\n");
    const Reply r = c.reply(true);
    EXPECT_TRUE(r.status == 200 || r.status == 404) << t;
    EXPECT_GT(std::stoul(r.headers.at("content-length")), 0U) << t;
  }
  EXPECT_EQ(c.recv_some(0.3), "");  // nothing more came
  EXPECT_EQ(c.pending(), "");
  // The connection is in step: the next answer is the next request's.
  const Reply r = c.get("/index.html");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "<html>skyfuse map</html>");
}

TEST_F(HttpServerTest, OversizedAndMalformedRequestsAreAnsweredAndCounted) {
  cfg_.limits.max_header_bytes = 8192;
  cfg_.limits.max_target_bytes = 1024;
  cfg_.limits.max_post_body_bytes = {{"/api/zones", 1000}};
  const auto port = start();
  const std::string auth = "Authorization: Bearer s3cret\r\n";
  struct Case {
    std::string raw;
    int status;
  };
  const Case cases[] = {
      {"GET /api/stats HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n", 431},
      {"GET /api/stats HTTP/1.1\r\nHost: t\r\n" + std::string(500, 'x') + ": 1\r\n" +
           [] {
             std::string s;
             for (int i = 0; i < 40; ++i)
               s += "X-" + std::to_string(i) + ": " + std::string(300, 'v') + "\r\n";
             return s;
           }() +
           "\r\n",
       431},
      {"GET /" + std::string(2000, 'a') + " HTTP/1.1\r\nHost: t\r\n\r\n", 414},
      {"GET /" + std::string(100000, 'a') + " HTTP/1.1\r\nHost: t\r\n\r\n", 414},
      {"POST /api/zones HTTP/1.1\r\nHost: t\r\n" + auth + "Content-Length: 100000000\r\n\r\n", 413},
      {"POST /api/zones HTTP/1.1\r\nHost: t\r\n" + auth +
           "Transfer-Encoding: chunked\r\n\r\n800\r\n" + std::string(2048, 'z') + "\r\n0\r\n\r\n",
       413},
      {"POST /api/other HTTP/1.1\r\nHost: t\r\n" + auth + "Content-Length: 10\r\n\r\n0123456789",
       413},
      {"GET /api/stats HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello", 413},
      {"\x16\x03\x01\x02\x00 garbage\r\n\r\n", 400},
      {"GET /api/stats HTTP/9.9\r\nHost: t\r\n\r\n", 400},
      {"GET /api/stats HTTP/1.1\r\nHost: t\r\nContent-Length: x\r\n\r\n", 400},
      {"GET /api/stats HTTP/1.1\r\nBad Header\r\n\r\n", 400},
      {"PUT /api/zones HTTP/1.1\r\nHost: t\r\n" + auth + "\r\n", 405},
      {"DELETE / HTTP/1.1\r\nHost: t\r\n\r\n", 405},
  };
  for (const Case& c : cases) {
    const Reply r = request(port, c.raw);
    EXPECT_EQ(r.status, c.status) << c.raw.substr(0, 60);
    if (r.status) {
      EXPECT_EQ(r.headers.at("content-type"), "application/json");
    }
  }
  EXPECT_EQ(stats().oversized, 8U);
  EXPECT_EQ(stats().bad_requests, 6U);
  EXPECT_EQ(controls_, 0);
  EXPECT_EQ(get(port, "/api/stats").status, 200);
}

TEST_F(HttpServerTest, AcceptedBodyWithinItsLimitReachesTheControl) {
  cfg_.limits.max_post_body_bytes = {{"/api/zones", 1000}};
  const auto port = start();
  const std::string body(1000, 'g');
  Reply r = request(port,
                    "POST /api/zones HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer s3cret\r\n"
                    "Content-Length: 1000\r\n\r\n" +
                        body);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(last_body_, body);
  // curl's "Expect: 100-continue": told to go on before sending the body.
  Conn c(port);
  c.send(
      "POST /api/zones HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer s3cret\r\n"
      "Content-Length: 3\r\nExpect: 100-continue\r\n\r\n");
  EXPECT_EQ(c.reply(true).status, 100);
  c.send("abc");
  EXPECT_EQ(c.reply().status, 200);
  EXPECT_EQ(last_body_, "abc");
  // Chunked within the limit.
  r = request(port,
              "POST /api/zones HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer s3cret\r\n"
              "Transfer-Encoding: chunked\r\n\r\n3\r\nxyz\r\n0\r\n\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(last_body_, "xyz");
}

TEST_F(HttpServerTest, PostNeedsTheRightToken) {
  cfg_.open_posts = {"/api/replay"};
  const auto port = start();
  auto post = [&](const std::string& auth, const std::string& path = "/api/zones") {
    return request(port, "POST " + path + " HTTP/1.1\r\nHost: t\r\n" + auth +
                             "Content-Length: 2\r\n\r\n{}")
        .status;
  };
  EXPECT_EQ(post(""), 401);
  EXPECT_EQ(post("Authorization: Bearer wrong\r\n"), 401);
  EXPECT_EQ(post("Authorization: Bearer s3cre\r\n"), 401);
  EXPECT_EQ(post("Authorization: Bearer s3cretX\r\n"), 401);
  EXPECT_EQ(post("Authorization: Bearer S3CRET\r\n"), 401);
  EXPECT_EQ(post("Authorization: Basic czNjcmV0\r\n"), 401);
  EXPECT_EQ(post("Authorization: s3cret\r\n"), 401);
  EXPECT_EQ(stats().refused, 7U);
  EXPECT_EQ(controls_, 0);
  EXPECT_EQ(post("Authorization: Bearer s3cret\r\n"), 200);
  EXPECT_EQ(post("Authorization: bearer s3cret\r\n"), 200);  // the scheme is case-insensitive
  EXPECT_EQ(post("", "/api/replay"), 404);  // open: no token, then the control (404 here)
  EXPECT_EQ(controls_, 3);
}

TEST_F(HttpServerTest, WithoutATokenEveryPostIsRefused) {
  cfg_.token.clear();
  const auto port = start();
  const Reply r = request(port,
                          "POST /api/zones HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer \r\n"
                          "Content-Length: 0\r\n\r\n");
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("read-only"), std::string::npos);
  EXPECT_EQ(controls_, 0);
}

TEST_F(HttpServerTest, AnUnauthorisedBodyIsNeverRead) {
  const auto port = start();
  Conn c(port);
  c.send("POST /api/zones HTTP/1.1\r\nHost: t\r\nContent-Length: 1048576\r\n\r\n");
  const auto t0 = Clock::now();
  EXPECT_EQ(c.reply().status, 401);  // at once, not after the body
  EXPECT_LT(since(t0), 1.0);
  EXPECT_TRUE(c.closed_within(5));
}

TEST(SameSecret, ComparesWholeStrings) {
  EXPECT_TRUE(same_secret("s3cret", "s3cret"));
  EXPECT_TRUE(same_secret("", ""));
  EXPECT_FALSE(same_secret("", "s3cret"));
  EXPECT_FALSE(same_secret("s3cret", ""));
  EXPECT_FALSE(same_secret("s3cre", "s3cret"));
  EXPECT_FALSE(same_secret("s3cretX", "s3cret"));
  EXPECT_FALSE(same_secret("s3cres", "s3cret"));
  EXPECT_FALSE(same_secret(std::string("s3cret\0", 7), "s3cret"));
  EXPECT_FALSE(same_secret("t3cret", "s3cret"));
}

TEST_F(HttpServerTest, ConnectionsAreLimitedInTotalAndPerAddress) {
  cfg_.limits.max_connections = 6;
  cfg_.limits.max_connections_per_address = 4;
  const auto port = start();
  ASSERT_EQ(server_->max_connections(), 6U);
  std::vector<std::unique_ptr<Conn>> held;
  auto hold = [&](const char* from) {
    held.push_back(std::make_unique<Conn>(port, from));
    return held.back().get();
  };
  for (int i = 0; i < 4; ++i) hold("127.0.0.2");
  ASSERT_TRUE(eventually([&] { return stats().connections_open == 4; }));
  Conn* fifth = hold("127.0.0.2");  // over its address's share
  EXPECT_EQ(fifth->reply().status, 503);
  EXPECT_TRUE(fifth->closed_within(2));
  Conn* other = hold("127.0.0.3");  // another address still gets in
  EXPECT_EQ(other->get("/api/info").status, 200);
  hold("127.0.0.3");
  ASSERT_TRUE(eventually([&] { return stats().connections_open == 6; }));
  Conn* over = hold("127.0.0.4");  // over the total
  EXPECT_EQ(over->reply().status, 503);
  EXPECT_EQ(stats().connections_refused, 2U);
  held.erase(held.begin(), held.begin() + 2);  // two of 127.0.0.2's leave
  ASSERT_TRUE(eventually([&] { return stats().connections_open == 4; }));
  EXPECT_EQ(Conn(port, "127.0.0.4").get("/api/info").status, 200);
  const auto s = nlohmann::json::parse(store_.stats_json());
  EXPECT_EQ(s["http_connections_refused_total"], 2);
  EXPECT_EQ(s["http_connections_max"], 6);
}

TEST_F(HttpServerTest, SlowAndSilentClientsTimeOut) {
  cfg_.limits.header_timeout_s = 0.3;
  cfg_.limits.body_timeout_s = 0.3;
  cfg_.limits.idle_timeout_s = 0.3;
  const auto port = start();
  Conn silent(port);  // never sends a byte
  Conn slowloris(port);
  Conn slow_body(port);
  Conn idle(port);
  EXPECT_EQ(idle.get("/api/info").status, 200);
  slow_body.send(
      "POST /api/zones HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer s3cret\r\n"
      "Content-Length: 1000\r\n\r\nonly a part");
  const auto t0 = Clock::now();
  bool slowloris_closed = false;
  while (since(t0) < 3 && !slowloris_closed) {  // a header byte every 100 ms
    slowloris.send("X");
    slowloris_closed = slowloris.closed_within(0.1);
  }
  EXPECT_TRUE(slowloris_closed);
  EXPECT_LT(since(t0), 1.5);
  EXPECT_TRUE(silent.closed_within(2));
  EXPECT_TRUE(slow_body.closed_within(2));
  EXPECT_TRUE(idle.closed_within(2));
  EXPECT_TRUE(eventually([&] { return stats().connections_open == 0; }));
  EXPECT_EQ(stats().timeouts, 3U);  // the kept-alive idle one is not a timeout
  EXPECT_EQ(controls_, 0);
}

TEST_F(HttpServerTest, WebSocketClientsGetPicturesAndMayNotSendMuch) {
  cfg_.limits.max_ws_message_bytes = 4096;
  const auto port = start();
  Conn ok(port);
  ASSERT_TRUE(ws_handshake(ok));
  EXPECT_NE(ok.recv_some(2).find("\"type\":\"picture\""), std::string::npos);  // at connect
  ASSERT_TRUE(eventually([&] { return stats().ws_clients == 1; }));
  ok.send(ws_frame(std::string(100, 'h')));  // small messages are read and ignored
  server_->broadcast(std::make_shared<const std::string>("{\"n\":1}"));
  EXPECT_NE(ok.recv_some(2).find("{\"n\":1}"), std::string::npos);

  Conn big(port);
  ASSERT_TRUE(ws_handshake(big));
  big.recv_some(1);
  big.send(ws_frame(std::string(16 * 1024 * 1024, 'x')));  // refused from its frame header
  EXPECT_TRUE(big.closed_within(3));
  EXPECT_TRUE(eventually([&] { return stats().ws_oversized == 1 && stats().ws_clients == 1; }));
  EXPECT_EQ(get(port, "/api/stats").status, 200);
}

TEST_F(HttpServerTest, ANonReadingWebSocketClientLosesPicturesThenIsClosed) {
  cfg_.limits.write_timeout_s = 0.5;
  cfg_.limits.ws_idle_timeout_s = 60;  // only the stalled writes close it here
  const auto port = start();
  Conn stuck(port);
  int small = 4096;
  ::setsockopt(stuck.fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  ASSERT_TRUE(ws_handshake(stuck));
  ASSERT_TRUE(eventually([&] { return stats().ws_clients == 1; }));
  const auto picture = std::make_shared<const std::string>(std::string(1 << 20, 'p'));
  const auto t0 = Clock::now();
  while (stats().ws_timeouts == 0 && since(t0) < 10) {
    server_->broadcast(picture);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(stats().ws_timeouts, 1U);
  EXPECT_GT(stats().ws_dropped, 0U);
  EXPECT_TRUE(eventually([&] { return stats().ws_clients == 0; }));
  EXPECT_TRUE(eventually([&] { return stats().connections_open == 0; }));
}

// A client slower than the pictures loses the older ones, not the newest: it
// ends with the last picture broadcast (failed before: the queue kept the
// first four and dropped every later one, so a paused map showed a stale
// picture).
TEST_F(HttpServerTest, ASlowWebSocketClientEndsWithTheNewestPicture) {
  cfg_.limits.write_timeout_s = 30;
  cfg_.limits.ws_idle_timeout_s = 60;
  const auto port = start();
  Conn slow(port);
  int small = 4096;
  ::setsockopt(slow.fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  ASSERT_TRUE(ws_handshake(slow));
  ASSERT_TRUE(eventually([&] { return stats().ws_clients == 1; }));
  auto mark = [](int n) { return "{\"n\":" + std::to_string(n) + "}"; };
  constexpr int kPictures = 30;
  for (int n = 1; n <= kPictures; ++n)  // 30 x 256 KiB, far more than the socket buffers
    server_->broadcast(std::make_shared<const std::string>(mark(n) + std::string(256 * 1024, ' ')));
  ASSERT_TRUE(eventually([&] { return stats().ws_dropped > 0; }));
  int large = 8 << 20;  // then it reads quickly
  ::setsockopt(slow.fd(), SOL_SOCKET, SO_RCVBUF, &large, sizeof large);
  std::string got;
  const auto t0 = Clock::now();
  const std::string last = mark(kPictures);
  while (got.find(last) == std::string::npos && since(t0) < 10) got += slow.recv_some(0.2);
  EXPECT_NE(got.find(last), std::string::npos) << "the newest picture never came";
  EXPECT_EQ(stats().ws_timeouts, 0U);
}

TEST_F(HttpServerTest, ASilentWebSocketClientIsPingedThenClosed) {
  cfg_.limits.ws_idle_timeout_s = 0.4;
  const auto port = start();
  Conn silent(port);
  ASSERT_TRUE(ws_handshake(silent));
  EXPECT_TRUE(silent.closed_within(3));  // it never answers the ping
  EXPECT_TRUE(eventually([&] { return stats().ws_timeouts == 1; }));
}

// The descriptors this process has open, and its highest.
int highest_fd() {
  int top = 0;
  for (const auto& e : fs::directory_iterator("/proc/self/fd"))
    top = std::max(top, std::stoi(e.path().filename().string()));
  return top;
}
double cpu_s() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

TEST_F(HttpServerTest, OutOfDescriptorsTheAcceptLoopBacksOffAndSheds) {
  const auto port = start();
  Conn kept(port);  // a client from before keeps being served
  ASSERT_EQ(kept.get("/api/stats").status, 200);
  std::vector<int> late_fds;  // sockets made now, connected once out of descriptors
  for (int i = 0; i < 8; ++i) late_fds.push_back(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));

  rlimit old{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &old), 0);
  rlimit low = old;
  low.rlim_cur = static_cast<rlim_t>(highest_fd() + 16);
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
  std::vector<int> filler;
  for (int fd; (fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0;) filler.push_back(fd);

  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  ::inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  for (int fd : late_fds) ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  const double cpu0 = cpu_s();
  const auto t0 = Clock::now();
  // Each waiting client is told (503) or closed, and not left hanging.
  int answered = 0;
  for (int fd : late_fds) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 2000) == 1) ++answered;
  }
  EXPECT_EQ(answered, 8);
  EXPECT_EQ(kept.get("/api/stats").status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const double busy = (cpu_s() - cpu0) / since(t0);
  EXPECT_LT(busy, 0.5) << "the server spins on accept errors";
  EXPECT_GE(stats().accept_errors, 1U);
  EXPECT_GE(stats().connections_refused, 8U);

  for (int fd : filler) ::close(fd);
  for (int fd : late_fds) ::close(fd);
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &old), 0);
  EXPECT_TRUE(eventually([&] { return get(port, "/api/info").status == 200; }, 3));
}

TEST_F(HttpServerTest, CountersReachStatsAndMetricsUntilTheServerGoes) {
  const auto port = start();
  EXPECT_EQ(get(port, "/nothing").status, 404);
  const auto s = nlohmann::json::parse(get(port, "/api/stats").body);
  for (const char* k :
       {"http_requests_total", "http_not_found_total", "http_refused_total",
        "http_bad_requests_total", "http_oversized_total", "http_timeouts_total",
        "http_connections_total", "http_connections_open", "http_connections_max",
        "http_connections_refused_total", "http_accept_errors_total", "ws_clients", "ws_sent_total",
        "ws_dropped_total", "ws_oversized_total", "ws_timeouts_total"})
    EXPECT_TRUE(s.contains(k)) << k;
  EXPECT_EQ(s["http_not_found_total"], 1);
  EXPECT_EQ(s["http_requests_total"], 2);
  const std::string metrics = get(port, "/metrics").body;
  EXPECT_NE(
      metrics.find("# TYPE skyfuse_http_requests_total counter\nskyfuse_http_requests_total 3"),
      std::string::npos);
  EXPECT_NE(metrics.find("# TYPE skyfuse_ws_clients gauge\nskyfuse_ws_clients 0"),
            std::string::npos);
  server_.reset();
  EXPECT_FALSE(nlohmann::json::parse(store_.stats_json()).contains("http_requests_total"));
}

}  // namespace
}  // namespace skyfuse::server
