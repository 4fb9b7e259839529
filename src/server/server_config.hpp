// File: server/server_config.hpp
//
// What the HTTP / WebSocket server is told: where it listens, what it serves,
// who may POST, and the limits that bound what one client (or many) can make
// it hold: connections, bytes and time. Every limit has its unit in its name;
// the defaults suit a control room (a few browsers, a Prometheus scraper).
// docs/api.md#limits lists what each refusal answers; docs/config.md the
// `[run]` keys that set them.
//
//   ServerConfig cfg{.port = 0, .web_root = "web"};
//   cfg.limits.header_timeout_s = 2;   // tests: slow clients give up fast
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace skyfuse::server {

struct ServerLimits {
  // Connections (HTTP and WebSocket) open at once; beyond, a new one is answered
  // 503 and closed. The total is also capped by the process's file-descriptor
  // limit (half of what is left after 32 kept for the rest of the process).
  std::size_t max_connections = 256;
  std::size_t max_connections_per_address = 32;
  std::size_t max_header_bytes = 64 * 1024;  // request line + fields; beyond: 431
  std::size_t max_target_bytes = 8 * 1024;   // request target (URI); beyond: 414
  // Request bodies: a POST to one of these paths may carry up to that many
  // bytes; every other request carries none (beyond: 413).
  std::map<std::string, std::size_t> max_post_body_bytes = {{"/api/zones", 1024 * 1024},
                                                            {"/api/replay", 4 * 1024}};
  std::uint64_t max_file_bytes = 16 * 1024 * 1024;  // bigger files under web_root are not served
  std::size_t max_ws_message_bytes =
      4 * 1024;                   // from a client (clients only listen); beyond: closed
  double header_timeout_s = 10;   // connection or first byte to the end of the header; then 408
  double body_timeout_s = 10;     // header to the end of the body; then 408
  double idle_timeout_s = 30;     // a kept-alive connection with no new request is closed
  double write_timeout_s = 30;    // a response (or WebSocket picture) not taken is abandoned
  double ws_idle_timeout_s = 30;  // WebSocket: pinged after half of it without data, closed after
};

struct ServerConfig {
  std::string bind = "127.0.0.1";
  std::uint16_t port = 8080;     // 0: any free port (tests)
  std::string web_root;          // static files; "" serves none
  std::string token;             // required for POST; empty: POST refused
  std::size_t max_ws_queue = 4;  // pictures queued per client before dropping
  // POST paths that need no token (view controls such as replay speed).
  std::vector<std::string> open_posts;
  ServerLimits limits;
};

}  // namespace skyfuse::server
