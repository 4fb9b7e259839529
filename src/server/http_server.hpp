// File: server/http_server.hpp
//
// The live system's HTTP and WebSocket server (Boost.Beast over Asio, one I/O
// thread): the web map's static files, the JSON API and tar1090's
// aircraft.json from a LiveStore, Prometheus /metrics, and /ws, which pushes
// every published picture to each browser. Read-only by default: a POST needs
// `Authorization: Bearer TOKEN` with the configured token (none configured:
// every POST is refused). A slow WebSocket client loses pictures, counted,
// never blocks the pipeline. docs/api.md.
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
#include <utility>
#include <vector>

#include "server/live_store.hpp"

namespace skyfuse::server {

struct ServerConfig {
  std::string bind = "127.0.0.1";
  std::uint16_t port = 8080;     // 0: any free port (tests)
  std::string web_root;          // static files; "" serves none
  std::string token;             // required for POST; empty: POST refused
  std::size_t max_ws_queue = 4;  // pictures queued per client before dropping
  // POST paths that need no token (view controls such as replay speed).
  std::vector<std::string> open_posts;
};

struct ServerStats {
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> not_found{0};
  std::atomic<std::uint64_t> refused{0};  // POST without the token
  std::atomic<std::uint64_t> ws_clients{0};
  std::atomic<std::uint64_t> ws_sent{0};
  std::atomic<std::uint64_t> ws_dropped{0};
};

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

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace skyfuse::server
