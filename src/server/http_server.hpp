// File: server/http_server.hpp
//
// The live system's HTTP and WebSocket server (Boost.Beast over Asio, one I/O
// thread): the web map's static files, the JSON API and tar1090's
// aircraft.json from a LiveStore, Prometheus /metrics, and /ws, which pushes
// every published picture to each browser. Read-only by default: a POST needs
// `Authorization: Bearer TOKEN` with the configured token (none configured:
// every POST is refused). A slow WebSocket client loses pictures, counted,
// never blocks the pipeline. What any client can make it hold is bounded
// (ServerLimits: connections, header / body / message bytes, time); every
// refusal is answered where HTTP allows (400, 408, 413, 414, 431, 503) and
// counted, and the counters are appended to the store's /api/stats and
// /metrics. Only regular files under the web root are served
// (server/static_files.hpp). docs/api.md.
//
//   HttpServer srv({.port = 8080, .web_root = "web"}, store, control);
//   srv.start();
//   srv.broadcast(std::make_shared<const std::string>(store.publish(p)));
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/live_store.hpp"
#include "server/server_config.hpp"

namespace skyfuse::server {

// Written by the I/O thread, readable from any (also as the store's counters:
// the names there are in docs/api.md).
struct ServerStats {
  std::atomic<std::uint64_t> requests{0};      // request headers read
  std::atomic<std::uint64_t> not_found{0};     // 404
  std::atomic<std::uint64_t> refused{0};       // POST without the token (401)
  std::atomic<std::uint64_t> bad_requests{0};  // malformed (400), bad method (405)
  std::atomic<std::uint64_t> oversized{0};     // header 431, target 414, body 413
  std::atomic<std::uint64_t> timeouts{0};      // header or body too slow (408), response not taken
  std::atomic<std::uint64_t> connections{0};   // accepted
  std::atomic<std::uint64_t> connections_open{0};
  std::atomic<std::uint64_t> connections_refused{0};  // over a limit (503) or out of descriptors
  std::atomic<std::uint64_t> accept_errors{0};
  std::atomic<std::uint64_t> ws_clients{0};  // open now
  std::atomic<std::uint64_t> ws_sent{0};
  std::atomic<std::uint64_t> ws_dropped{0};    // pictures a slow client did not get
  std::atomic<std::uint64_t> ws_oversized{0};  // clients closed for a message over the limit
  std::atomic<std::uint64_t> ws_timeouts{0};   // clients closed: silent or not reading
};

// Compares a presented secret with the expected one in a time that depends
// only on the expected one's length (not on where they differ).
bool same_secret(std::string_view presented, std::string_view expected);

// Handles an authorised POST (target, body) -> (HTTP status, JSON body).
using ControlHandler =
    std::function<std::pair<int, std::string>(const std::string& target, const std::string& body)>;

class HttpServer {
 public:
  // Binds (throws ConfigError naming the address when it cannot).
  HttpServer(ServerConfig cfg, LiveStore& store, ControlHandler control);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  void start();  // the I/O thread
  void stop();
  std::uint16_t port() const;
  void broadcast(std::shared_ptr<const std::string> message);
  const ServerStats& stats() const;
  // Connections allowed at once: ServerLimits::max_connections, or less if the
  // file-descriptor limit at construction could not hold that many.
  std::size_t max_connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace skyfuse::server
