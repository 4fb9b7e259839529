#include "server/http_server.hpp"

#include <fmt/format.h>

// clang-format off
#include "io/asio.hpp"
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
// clang-format on

#include <algorithm>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "core/error.hpp"

namespace skyfuse::server {

namespace {
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

std::string content_type(const std::string& ext) {
  static const std::map<std::string, std::string> kTypes = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".png", "image/png"},
      {".svg", "image/svg+xml"},
      {".ico", "image/x-icon"},
      {".geojson", "application/geo+json"}};
  auto it = kTypes.find(ext);
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}
}  // namespace

struct HttpServer::Impl {
  ServerConfig cfg;
  LiveStore& store;
  ControlHandler control;
  net::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  std::thread thread;
  ServerStats stats;
  struct WsSession;
  std::map<WsSession*, std::weak_ptr<WsSession>> sockets;

  Impl(ServerConfig c, LiveStore& s, ControlHandler h)
      : cfg(std::move(c)), store(s), control(std::move(h)) {}

  struct WsSession : std::enable_shared_from_this<WsSession> {
    websocket::stream<beast::tcp_stream> ws;
    beast::flat_buffer buffer;
    Request req;
    std::deque<std::shared_ptr<const std::string>> queue;
    Impl* impl;
    bool open = false;
    WsSession(tcp::socket&& s, Impl* i) : ws(std::move(s)), impl(i) {}

    void run(Request r) {
      req = std::move(r);
      ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
      ws.async_accept(req, [self = shared_from_this()](beast::error_code ec) {
        if (ec) return;
        self->open = true;
        self->impl->sockets[self.get()] = self;
        ++self->impl->stats.ws_clients;
        self->read();
        self->send(std::make_shared<const std::string>(self->impl->store.picture_json()));
      });
    }
    void read() {
      ws.async_read(buffer, [self = shared_from_this()](beast::error_code ec, std::size_t) {
        if (ec) return self->close();
        self->buffer.consume(self->buffer.size());  // clients only listen
        self->read();
      });
    }
    void send(std::shared_ptr<const std::string> m) {
      if (!open) return;
      if (queue.size() >= impl->cfg.max_ws_queue) {
        ++impl->stats.ws_dropped;
        return;
      }
      queue.push_back(std::move(m));
      if (queue.size() == 1) write();
    }
    void write() {
      ws.text(true);
      ws.async_write(net::buffer(*queue.front()),
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec) return self->close();
                       self->queue.pop_front();
                       ++self->impl->stats.ws_sent;
                       if (!self->queue.empty()) self->write();
                     });
    }
    void close() {
      if (!open) return;
      open = false;
      queue.clear();
      impl->sockets.erase(this);
      --impl->stats.ws_clients;
    }
  };

  struct HttpSession : std::enable_shared_from_this<HttpSession> {
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    Request req;
    Impl* impl;
    HttpSession(tcp::socket&& s, Impl* i) : stream(std::move(s)), impl(i) {}

    void read() {
      req = {};
      stream.expires_after(std::chrono::seconds(60));
      http::async_read(stream, buffer, req,
                       [self = shared_from_this()](beast::error_code ec, std::size_t) {
                         if (ec) {
                           beast::error_code ignore;
                           self->stream.socket().shutdown(tcp::socket::shutdown_send, ignore);
                           return;
                         }
                         self->handle();
                       });
    }
    void handle() {
      ++impl->stats.requests;
      if (websocket::is_upgrade(req) && req.target() == "/ws") {
        stream.expires_never();
        std::make_shared<WsSession>(stream.release_socket(), impl)->run(std::move(req));
        return;
      }
      auto res = std::make_shared<Response>(impl->respond(req));
      http::async_write(stream, *res,
                        [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
                          if (ec) return;
                          if (!res->keep_alive()) {
                            beast::error_code ignore;
                            self->stream.socket().shutdown(tcp::socket::shutdown_send, ignore);
                            return;
                          }
                          self->read();
                        });
    }
  };

  Response make(const Request& req, http::status st, std::string body, std::string type) {
    Response res{st, req.version()};
    res.set(http::field::server, "skyfuse");
    res.set(http::field::content_type, type);
    res.set(http::field::cache_control, "no-store");
    res.keep_alive(req.keep_alive());
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
  }
  Response json(const Request& req, std::string body, http::status st = http::status::ok) {
    return make(req, st, std::move(body), "application/json");
  }
  Response error(const Request& req, http::status st, const std::string& why) {
    return json(req, fmt::format("{{\"error\":\"{}\"}}", why), st);
  }

  Response respond(const Request& req) {
    std::string target(req.target());
    const auto q = target.find('?');
    const std::string path = target.substr(0, q);
    if (req.method() == http::verb::post) {
      const std::string auth(req[http::field::authorization]);
      const bool open =
          std::find(cfg.open_posts.begin(), cfg.open_posts.end(), path) != cfg.open_posts.end();
      if (!open && (cfg.token.empty() || auth != "Bearer " + cfg.token)) {
        ++stats.refused;
        return error(req, http::status::unauthorized,
                     cfg.token.empty() ? "read-only: no token configured"
                                       : "a valid 'Authorization: Bearer TOKEN' is required");
      }
      if (!control) return error(req, http::status::not_found, "no such control");
      auto [code, body] = control(path, req.body());
      return json(req, std::move(body), static_cast<http::status>(code));
    }
    if (req.method() != http::verb::get && req.method() != http::verb::head)
      return error(req, http::status::method_not_allowed, "GET, HEAD or POST");
    if (path == "/api/tracks") return json(req, store.picture_json());
    if (path.rfind("/api/tracks/", 0) == 0) {
      if (auto t = store.track_json(path.substr(12))) return json(req, std::move(*t));
      ++stats.not_found;
      return error(req, http::status::not_found, "no such track");
    }
    if (path == "/api/sensors") return json(req, store.sensors_json());
    if (path == "/api/alerts") return json(req, store.alerts_json());
    if (path == "/api/stats") return json(req, store.stats_json());
    if (path == "/api/zones")
      return make(req, http::status::ok, store.zones_json(), "application/geo+json");
    if (path == "/api/info") return json(req, store.info_json());
    if (path == "/data/aircraft.json") return json(req, store.aircraft_json());
    if (path == "/data/receiver.json") return json(req, store.receiver_json());
    if (path == "/metrics")
      return make(req, http::status::ok, store.metrics_text(), "text/plain; version=0.0.4");
    return file(req, path);
  }

  Response file(const Request& req, std::string path) {
    if (cfg.web_root.empty() || path.find("..") != std::string::npos || path.empty() ||
        path[0] != '/') {
      ++stats.not_found;
      return error(req, http::status::not_found, "not found");
    }
    if (path == "/") path = "/index.html";
    const std::filesystem::path p = std::filesystem::path(cfg.web_root) / path.substr(1);
    std::ifstream in(p, std::ios::binary);
    if (!in || std::filesystem::is_directory(p)) {
      ++stats.not_found;
      return error(req, http::status::not_found, "not found");
    }
    std::stringstream ss;
    ss << in.rdbuf();
    return make(req, http::status::ok, ss.str(), content_type(p.extension().string()));
  }

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket s) {
      if (!ec) std::make_shared<HttpSession>(std::move(s), this)->read();
      if (acceptor.is_open()) accept();
    });
  }
};

HttpServer::HttpServer(ServerConfig cfg, LiveStore& store, ControlHandler control)
    : impl_(std::make_unique<Impl>(std::move(cfg), store, std::move(control))) {
  beast::error_code ec;
  const auto addr = net::ip::make_address(impl_->cfg.bind, ec);
  if (ec) throw ConfigError(fmt::format("http: bad bind address \"{}\"", impl_->cfg.bind));
  const tcp::endpoint ep(addr, impl_->cfg.port);
  impl_->acceptor.open(ep.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(ep, ec);
  if (!ec) impl_->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    throw ConfigError(fmt::format("http: cannot listen on {}:{}: {}", impl_->cfg.bind,
                                  impl_->cfg.port, ec.message()));
}

HttpServer::~HttpServer() { stop(); }

void HttpServer::start() {
  impl_->accept();
  impl_->thread = std::thread([this] { impl_->ioc.run(); });
}

void HttpServer::stop() {
  if (!impl_) return;
  impl_->ioc.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

std::uint16_t HttpServer::port() const { return impl_->acceptor.local_endpoint().port(); }

void HttpServer::broadcast(std::shared_ptr<const std::string> message) {
  net::post(impl_->ioc, [this, m = std::move(message)] {
    std::vector<std::shared_ptr<Impl::WsSession>> live;
    for (auto& [p, w] : impl_->sockets)
      if (auto s = w.lock()) live.push_back(std::move(s));
    for (auto& s : live) s->send(m);
  });
}

const ServerStats& HttpServer::stats() const { return impl_->stats; }

}  // namespace skyfuse::server
