#include "server/http_server.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

// clang-format off
#include "io/asio.hpp"
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
// clang-format on

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <deque>
#include <limits>
#include <map>
#include <optional>
#include <thread>
#include <variant>

#include "core/error.hpp"
#include "server/http_encoding.hpp"
#include "server/static_files.hpp"

namespace skyfuse::server {

namespace {
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
using Request = http::request<http::string_body>;
using Header = http::request<http::empty_body>;
using Response = http::response<http::string_body>;
using FileResponse = http::response<http::file_body>;
using Reply = std::variant<Response, FileResponse>;

constexpr std::size_t kReadChunk = 4096;           // bytes per socket read
constexpr std::size_t kFdReserve = 32;             // descriptors left to the rest of the process
constexpr auto kLinger = std::chrono::seconds(2);  // reading what a refused client still sends ...
constexpr std::size_t kLingerBytes = 1 << 20;      // ... up to this much
constexpr auto kMinBackoff = std::chrono::milliseconds(10);  // accept errors
constexpr auto kMaxBackoff = std::chrono::milliseconds(1000);
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
constexpr std::string_view kBusy =
    "HTTP/1.1 503 Service Unavailable\r\nServer: skyfuse\r\nConnection: close\r\n"
    "Retry-After: 1\r\nContent-Type: application/json\r\nContent-Length: 32\r\n\r\n"
    "{\"error\":\"too many connections\"}";

Clock::duration seconds(double s) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

std::string_view view(beast::string_view s) { return {s.data(), s.size()}; }

// Connections the file-descriptor limit can hold: each may use a second
// descriptor while a file is sent, and kFdReserve stay for everything else.
std::size_t connection_budget(std::size_t wanted) {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return wanted;
  const auto soft = static_cast<std::size_t>(rl.rlim_cur);
  const std::size_t budget = soft > kFdReserve ? (soft - kFdReserve) / 2 : 0;
  return std::max<std::size_t>(1, std::min(wanted, budget));
}

Response reply(unsigned version, bool keep_alive, bool head, http::status st, std::string body,
               std::string_view type) {
  Response res{st, version};
  res.set(http::field::server, "skyfuse");
  res.set(http::field::content_type, beast::string_view(type.data(), type.size()));
  res.set(http::field::cache_control, "no-store");
  res.keep_alive(keep_alive);
  res.content_length(body.size());          // also for HEAD: the size a GET would get ...
  if (!head) res.body() = std::move(body);  // ... without the body
  return res;
}

std::string error_body(std::string_view why) { return fmt::format("{{\"error\":\"{}\"}}", why); }

bool is_http_error(const beast::error_code& ec) {
  return ec.category() == make_error_code(http::error::bad_method).category();
}
}  // namespace

bool same_secret(std::string_view presented, std::string_view expected) {
  unsigned diff = presented.size() == expected.size() ? 0U : 1U;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const char p = i < presented.size() ? presented[i] : '\0';
    diff |= static_cast<unsigned char>(p) ^ static_cast<unsigned char>(expected[i]);
  }
  return diff == 0;
}

struct HttpServer::Impl {
  ServerConfig cfg;
  LiveStore& store;
  ControlHandler control;
  StaticFiles files;
  ServerStats stats;
  std::size_t max_connections = 0;
  // Declared before the io_context: sessions it still holds when destroyed
  // give their slots back here.
  std::map<net::ip::address, std::size_t> per_address;
  struct WsSession;
  std::map<WsSession*, std::weak_ptr<WsSession>> sockets;
  UniqueFd spare;  // given up to shed waiting connections when descriptors run out
  Clock::duration backoff{};
  // aircraft.json's gzip, kept while the store serves the same text (one per
  // publication): a client polling it costs a copy, not a compression. Only
  // the I/O thread touches them.
  std::shared_ptr<const std::string> aircraft_text;
  std::string aircraft_gzip;
  net::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  net::steady_timer accept_timer{ioc};
  std::thread thread;

  Impl(ServerConfig c, LiveStore& s, ControlHandler h)
      : cfg(std::move(c)),
        store(s),
        control(std::move(h)),
        files(cfg.web_root, cfg.limits.max_file_bytes),
        max_connections(connection_budget(cfg.limits.max_connections)),
        spare(::open("/dev/null", O_RDONLY | O_CLOEXEC)) {}

  const ServerLimits& limits() const { return cfg.limits; }

  // One admitted connection, counted while it lives (first HTTP, then maybe
  // WebSocket).
  class Slot {
   public:
    Slot(Impl* impl, net::ip::address address) : impl_(impl), address_(std::move(address)) {
      ++impl_->per_address[address_];
      ++impl_->stats.connections_open;
    }
    ~Slot() {
      auto it = impl_->per_address.find(address_);
      if (it != impl_->per_address.end() && --it->second == 0) impl_->per_address.erase(it);
      --impl_->stats.connections_open;
    }
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;

   private:
    Impl* impl_;
    net::ip::address address_;
  };

  struct WsSession : std::enable_shared_from_this<WsSession> {
    websocket::stream<beast::tcp_stream> ws;
    beast::flat_buffer buffer;
    Header req;
    std::deque<std::shared_ptr<const std::string>> queue;
    Impl* impl;
    std::unique_ptr<Slot> slot;
    Clock::time_point write_started;
    bool open = false;
    bool writing = false;
    WsSession(tcp::socket&& s, Impl* i, std::unique_ptr<Slot> sl)
        : ws(std::move(s)), impl(i), slot(std::move(sl)) {}

    void run(Header r) {
      req = std::move(r);
      const ServerLimits& lim = impl->limits();
      websocket::stream_base::timeout t{};
      t.handshake_timeout = seconds(lim.header_timeout_s);
      t.idle_timeout = seconds(lim.ws_idle_timeout_s);  // a ping after half, closed after all
      t.keep_alive_pings = true;
      ws.set_option(t);
      ws.read_message_max(lim.max_ws_message_bytes);
      ws.set_option(websocket::stream_base::decorator(
          [](websocket::response_type& res) { res.set(http::field::server, "skyfuse"); }));
      ws.async_accept(req, [self = shared_from_this()](beast::error_code ec) {
        if (ec) {
          if (ec == beast::error::timeout) ++self->impl->stats.timeouts;
          return;
        }
        self->open = true;
        self->impl->sockets[self.get()] = self;
        ++self->impl->stats.ws_clients;
        self->read();
        self->send(std::make_shared<const std::string>(self->impl->store.picture_json()));
      });
    }
    void read() {
      ws.async_read(buffer, [self = shared_from_this()](beast::error_code ec, std::size_t) {
        if (ec) return self->close(ec);
        self->buffer.consume(self->buffer.size());  // clients only listen
        self->read();
      });
    }
    // A full queue drops its oldest waiting picture, not the new one: each
    // picture has the whole view, so a slow client catches up with the
    // newest (a paused replay's last picture is not lost behind older ones).
    void send(std::shared_ptr<const std::string> m) {
      if (!open) return;
      if (queue.size() >= impl->cfg.max_ws_queue) {
        ++impl->stats.ws_dropped;
        if (Clock::now() - write_started > seconds(impl->limits().write_timeout_s)) {
          beast::get_lowest_layer(ws).close();  // not reading: let go of it
          close(beast::error::timeout);
          return;
        }
        const std::size_t waiting = writing ? 1 : 0;  // the one being written stays
        if (queue.size() <= waiting) return;
        queue.erase(queue.begin() + static_cast<std::ptrdiff_t>(waiting));
      }
      queue.push_back(std::move(m));
      if (!writing) write();
    }
    void write() {
      writing = true;
      write_started = Clock::now();
      ws.text(true);
      ws.async_write(net::buffer(*queue.front()),
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       self->writing = false;
                       if (ec) return self->close(ec);
                       self->queue.pop_front();
                       ++self->impl->stats.ws_sent;
                       if (!self->queue.empty()) self->write();
                     });
    }
    // The first error ends the session and says why. Beast's own time-out
    // reaches only the first operation to resume (our read, our write or its
    // ping); the others find the stream aborted, so an abort of an open
    // stream is a time-out too.
    void close(const beast::error_code& ec) {
      if (writing) {
        queue.resize(1);  // the picture being written stays until its write ends
      } else {
        queue.clear();
      }
      if (!open) return;
      open = false;
      if (ec == websocket::error::message_too_big) ++impl->stats.ws_oversized;
      if (ec == beast::error::timeout || ec == net::error::operation_aborted)
        ++impl->stats.ws_timeouts;
      impl->sockets.erase(this);
      --impl->stats.ws_clients;
    }
  };

  struct HttpSession : std::enable_shared_from_this<HttpSession> {
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    std::optional<http::request_parser<http::empty_body>> header;
    std::optional<http::request_parser<http::string_body>> body;
    Impl* impl;
    std::unique_ptr<Slot> slot;
    bool first = true;  // no request read yet
    Clock::time_point header_deadline;
    std::size_t drained = 0;
    HttpSession(tcp::socket&& s, Impl* i, std::unique_ptr<Slot> sl)
        : stream(std::move(s)),
          buffer(i->limits().max_header_bytes + kReadChunk),
          impl(i),
          slot(std::move(sl)) {}

    const ServerLimits& limits() const { return impl->limits(); }
    ServerStats& stats() { return impl->stats; }

    // The next request's first byte: on a new connection the header timeout
    // runs from the connection, on a kept-alive one from its first byte, after
    // at most the idle timeout.
    void next_request() {
      if (first) header_deadline = Clock::now() + seconds(limits().header_timeout_s);
      if (buffer.size() > 0) return read_header();
      if (first) {
        stream.expires_at(header_deadline);
      } else {
        stream.expires_after(seconds(limits().idle_timeout_s));
      }
      stream.async_read_some(buffer.prepare(kReadChunk),
                             [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                               self->buffer.commit(n);
                               if (ec) {
                                 if (ec == beast::error::timeout && self->first)
                                   ++self->stats().timeouts;
                                 return self->close_now();
                               }
                               self->read_header();
                             });
    }
    void read_header() {
      if (!first) header_deadline = Clock::now() + seconds(limits().header_timeout_s);
      header.emplace();
      header->header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(
          limits().max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
      stream.expires_at(header_deadline);
      http::async_read_header(
          stream, buffer, *header,
          [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
    }
    void on_header(beast::error_code ec) {
      if (ec) return read_failed(ec, true);
      first = false;
      ++stats().requests;
      const Header& req = header->get();
      const std::string_view target = view(req.target());
      const bool has_body = header->chunked() || header->content_length().value_or(0) > 0;
      if (target.size() > limits().max_target_bytes) {
        ++stats().oversized;
        return refuse(http::status::uri_too_long, "request target too long", true);
      }
      if (websocket::is_upgrade(req) && target == "/ws") return upgrade();
      const std::string_view path = target.substr(0, target.find('?'));
      std::uint64_t allowed = 0;  // body bytes
      if (req.method() == http::verb::post) {
        if (!impl->authorised(req, path)) {
          ++stats().refused;
          return refuse(http::status::unauthorized,
                        impl->cfg.token.empty()
                            ? "read-only: no token configured"
                            : "a valid 'Authorization: Bearer TOKEN' is required",
                        has_body);
        }
        const auto it = limits().max_post_body_bytes.find(std::string(path));
        if (it != limits().max_post_body_bytes.end()) allowed = it->second;
      } else if (req.method() != http::verb::get && req.method() != http::verb::head) {
        ++stats().bad_requests;
        return refuse(http::status::method_not_allowed, "GET, HEAD or POST", has_body);
      }
      if (header->content_length().value_or(0) > allowed || (header->chunked() && allowed == 0)) {
        ++stats().oversized;
        return refuse(http::status::payload_too_large, "request body too large", true);
      }
      const bool expect_continue = beast::iequals(req[http::field::expect], "100-continue");
      body.emplace(std::move(*header));
      header.reset();
      body->body_limit(allowed);
      if (body->is_done()) return handle();
      if (!expect_continue) return read_body();
      stream.expires_after(seconds(limits().write_timeout_s));
      net::async_write(stream, net::buffer(kContinue.data(), kContinue.size()),
                       [self = shared_from_this()](beast::error_code e, std::size_t) {
                         if (e) return self->close_now();
                         self->read_body();
                       });
    }
    void read_body() {
      stream.expires_after(seconds(limits().body_timeout_s));
      http::async_read(stream, buffer, *body,
                       [self = shared_from_this()](beast::error_code ec, std::size_t) {
                         if (ec) return self->read_failed(ec, false);
                         self->handle();
                       });
    }
    void read_failed(beast::error_code ec, bool in_header) {
      if (ec == beast::error::timeout) {
        ++stats().timeouts;  // tcp_stream has closed the socket
        return close_now();
      }
      if (ec == http::error::header_limit || (in_header && ec == http::error::buffer_overflow)) {
        ++stats().oversized;
        return request_line_complete()
                   ? refuse(http::status::request_header_fields_too_large, "header too large", true)
                   : refuse(http::status::uri_too_long, "request target too long", true);
      }
      if (ec == http::error::body_limit) {
        ++stats().oversized;
        return refuse(http::status::payload_too_large, "request body too large", true);
      }
      if (is_http_error(ec) && ec != http::error::end_of_stream &&
          ec != http::error::partial_message) {
        ++stats().bad_requests;
        return refuse(http::status::bad_request, "malformed request", true);
      }
      close_now();  // closed or reset by the client
    }
    // Whether a too-large header got past its request line (431) or not (414):
    // the parser consumes the line, and sets the target, once it is whole.
    bool request_line_complete() const {
      return header && !header->get().target().empty() &&
             header->get().target().size() <= limits().max_target_bytes;
    }

    void upgrade() {
      stream.expires_never();  // the WebSocket stream keeps its own time
      std::make_shared<WsSession>(stream.release_socket(), impl, std::move(slot))
          ->run(header->release());
    }

    void handle() {
      Request req = body->release();
      body.reset();
      std::visit(
          [this](auto&& res) {
            using Message = std::decay_t<decltype(res)>;
            send(std::make_shared<Message>(std::move(res)), false);
          },
          impl->respond(req));
    }
    // Answers a request refused before its body was read; the connection is
    // closed after it when there is an unread body (or the request is unusable).
    void refuse(http::status st, std::string_view why, bool close) {
      unsigned version = 11;
      bool keep_alive = false, head = false;
      auto from = [&](const auto& req) {
        version = req.version();
        keep_alive = req.keep_alive();
        head = req.method() == http::verb::head;
      };
      if (header && header->is_header_done()) from(header->get());
      if (body && body->is_header_done()) from(body->get());
      header.reset();
      body.reset();
      send(std::make_shared<Response>(
               reply(version, keep_alive && !close, head, st, error_body(why), "application/json")),
           close);
    }
    template <class Message>
    void send(std::shared_ptr<Message> res, bool close) {
      stream.expires_after(seconds(limits().write_timeout_s));
      http::async_write(stream, *res,
                        [self = shared_from_this(), res, close](beast::error_code ec, std::size_t) {
                          if (ec) {
                            if (ec == beast::error::timeout) ++self->stats().timeouts;
                            return self->close_now();
                          }
                          if (close || !res->keep_alive()) return self->linger_close();
                          self->next_request();
                        });
    }
    // Stops sending, then reads and drops what the client still sends for a
    // moment: closing with unread data would reset the connection, and the
    // client could lose the answer before reading it.
    void linger_close() {
      beast::error_code ignore;
      stream.socket().shutdown(tcp::socket::shutdown_send, ignore);
      buffer.clear();
      stream.expires_after(kLinger);
      drain();
    }
    void drain() {
      stream.async_read_some(buffer.prepare(kReadChunk),
                             [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                               self->drained += n;
                               if (ec || self->drained > kLingerBytes) return self->close_now();
                               self->drain();
                             });
    }
    void close_now() {
      beast::error_code ignore;
      stream.socket().shutdown(tcp::socket::shutdown_both, ignore);
      stream.close();
    }
  };

  bool authorised(const Header& req, std::string_view path) const {
    if (std::find(cfg.open_posts.begin(), cfg.open_posts.end(), path) != cfg.open_posts.end())
      return true;
    if (cfg.token.empty()) return false;
    const beast::string_view auth = req[http::field::authorization];
    const beast::string_view scheme = "Bearer ";
    if (auth.size() < scheme.size() || !beast::iequals(auth.substr(0, scheme.size()), scheme))
      return false;
    return same_secret(view(auth.substr(scheme.size())), cfg.token);
  }

  Response make(const Request& req, http::status st, std::string body, std::string_view type) {
    return reply(req.version(), req.keep_alive(), req.method() == http::verb::head, st,
                 std::move(body), type);
  }
  Response json(const Request& req, std::string body, http::status st = http::status::ok) {
    return make(req, st, std::move(body), "application/json");
  }
  Response error(const Request& req, http::status st, std::string_view why) {
    return json(req, error_body(why), st);
  }

  // readsb's /data/ JSON: gzip when the client accepts it; either way it
  // varies with Accept-Encoding.
  Response data_json(const Request& req, std::string body) {
    std::string packed;
    if (accepts_gzip(view(req[http::field::accept_encoding]))) packed = gzip(body);
    const bool gzipped = !packed.empty();  // else zlib failed: plain
    Response res = json(req, gzipped ? std::move(packed) : std::move(body));
    res.set(http::field::vary, "Accept-Encoding");
    if (gzipped) res.set(http::field::content_encoding, "gzip");
    return res;
  }

  // /data/aircraft.json: as data_json, compressed once per text.
  Response aircraft_json(const Request& req) {
    std::shared_ptr<const std::string> text = store.aircraft_json_shared();
    if (!accepts_gzip(view(req[http::field::accept_encoding]))) return data_json(req, *text);
    if (text != aircraft_text) {
      aircraft_gzip = gzip(*text);
      aircraft_text = aircraft_gzip.empty() ? nullptr : text;  // zlib failed: try again next time
    }
    if (aircraft_gzip.empty()) {  // zlib failed: plain this time
      Response res = json(req, *text);
      res.set(http::field::vary, "Accept-Encoding");
      return res;
    }
    Response res = json(req, aircraft_gzip);
    res.set(http::field::vary, "Accept-Encoding");
    res.set(http::field::content_encoding, "gzip");
    return res;
  }

  // A request whose header passed the checks (and whose POST is authorised).
  // The read-only JSON (GET and HEAD under /api/ and /data/) may be read by
  // pages of any origin, as readsb's: Access-Control-Allow-Origin: *. Not the
  // POSTs (a cross-origin POST with a token needs a preflight, which is
  // refused: OPTIONS answers 405), not /metrics, the files or /ws.
  Reply respond(const Request& req) {
    Reply r = route(req);
    const std::string_view target = view(req.target());
    const std::string_view path = target.substr(0, target.find('?'));
    if (req.method() != http::verb::post &&
        (path.starts_with("/api/") || path.starts_with("/data/")))
      if (auto* res = std::get_if<Response>(&r))
        res->set(http::field::access_control_allow_origin, "*");
    return r;
  }

  Reply route(const Request& req) {
    const std::string_view target = view(req.target());
    const std::string path(target.substr(0, target.find('?')));
    if (req.method() == http::verb::post) {
      if (!control) return error(req, http::status::not_found, "no such control");
      auto [code, body] = control(path, req.body());
      if (code == 404) ++stats.not_found;
      return json(req, std::move(body), static_cast<http::status>(code));
    }
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
    if (path == "/data/aircraft.json") return aircraft_json(req);
    if (path == "/data/receiver.json") return data_json(req, store.receiver_json());
    if (path == "/data/stats.json") return data_json(req, store.readsb_stats_json());
    if (path.starts_with("/data/history_") && path.ends_with(".json")) {
      // tar1090's history: /data/history_N.json, N plain decimal digits.
      const std::string_view n = std::string_view(path).substr(14, path.size() - 14 - 5);
      std::size_t k = 0;
      const bool ok = !n.empty() && n.size() <= 4 &&
                      std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (ok)
        for (char c : n) k = k * 10 + static_cast<std::size_t>(c - '0');
      if (auto body = ok ? store.aircraft_history_json(k) : std::nullopt)
        return data_json(req, std::move(*body));
      ++stats.not_found;
      return error(req, http::status::not_found, "no such history file");
    }
    if (path.starts_with("/data/traces/")) {
      // readsb's trace files: /data/traces/xx/trace_{recent,full}_HEX.json.
      const auto trace = parse_trace_path(path);
      if (auto body = trace ? store.trace_json(trace->hex, trace->full) : std::nullopt)
        return data_json(req, std::move(*body));
      ++stats.not_found;
      return error(req, http::status::not_found, "no such trace");
    }
    if (path == "/metrics")
      return make(req, http::status::ok, store.metrics_text(), "text/plain; version=0.0.4");
    return file(req, target);
  }

  Reply file(const Request& req, std::string_view target) {
    auto f = files.open(target);
    if (!f) {
      if (f.error().code == ErrorCode::kBadSyntax) {
        ++stats.bad_requests;
        return error(req, http::status::bad_request, "bad request target");
      }
      ++stats.not_found;
      return error(req, http::status::not_found, "not found");
    }
    if (req.method() == http::verb::head) {
      Response res = make(req, http::status::ok, "", f->content_type);
      res.content_length(f->size);
      return res;
    }
    // Streamed from the descriptor: a connection holds a few KiB, not the file.
    FileResponse res{http::status::ok, req.version()};
    res.set(http::field::server, "skyfuse");
    res.set(http::field::content_type, f->content_type);
    res.set(http::field::cache_control, "no-store");
    res.keep_alive(req.keep_alive());
    beast::file file;
    file.native_handle(f->fd.release());
    beast::error_code ec;
    res.body().reset(std::move(file), ec);
    if (ec) {
      ++stats.not_found;
      return error(req, http::status::not_found, "not found");
    }
    res.prepare_payload();
    return res;
  }

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket s) {
      if (!acceptor.is_open() || ec == net::error::operation_aborted) return;
      if (ec) return accept_failed(ec);
      backoff = {};
      admit(std::move(s));
      accept();
    });
  }
  // An accept error does not end the loop, nor spin it: it waits, longer each
  // time in a row. Out of descriptors, the waiting connections are accepted
  // on the spare descriptor and closed, so that their clients learn it now.
  void accept_failed(const beast::error_code& ec) {
    ++stats.accept_errors;
    if (ec == net::error::no_descriptors || ec.value() == ENFILE) shed();
    backoff = std::clamp<Clock::duration>(backoff * 2, kMinBackoff, kMaxBackoff);
    accept_timer.expires_after(backoff);
    accept_timer.async_wait([this](beast::error_code e) {
      if (!e) accept();
    });
  }
  void shed() {
    if (!spare) return;
    spare = UniqueFd();
    for (int i = 0; i < 1024; ++i) {
      UniqueFd fd(::accept4(acceptor.native_handle(), nullptr, nullptr, SOCK_CLOEXEC));
      if (!fd) break;
      ++stats.connections_refused;
      (void)::send(fd.get(), kBusy.data(), kBusy.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    }
    spare = UniqueFd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  }
  void admit(tcp::socket s) {
    ++stats.connections;
    beast::error_code ec;
    const tcp::endpoint peer = s.remote_endpoint(ec);
    if (ec) return;
    net::ip::address address = peer.address();
    if (address.is_v6() && address.to_v6().is_v4_mapped())
      address = net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6());
    const auto it = per_address.find(address);
    if (stats.connections_open >= max_connections ||
        (it != per_address.end() && it->second >= limits().max_connections_per_address)) {
      ++stats.connections_refused;
      (void)::send(s.native_handle(), kBusy.data(), kBusy.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
      s.shutdown(tcp::socket::shutdown_both, ec);
      return;
    }
    std::make_shared<HttpSession>(std::move(s), this, std::make_unique<Slot>(this, address))
        ->next_request();
  }

  std::vector<Counter> counters() const {
    auto c = [](std::string name, std::string help, std::string type, std::uint64_t v) {
      return Counter{
          std::move(name), std::move(help), std::move(type), {{"", static_cast<double>(v)}}};
    };
    const ServerStats& s = stats;
    return {
        c("http_requests_total", "HTTP requests read", "counter", s.requests),
        c("http_not_found_total", "HTTP answers 404", "counter", s.not_found),
        c("http_refused_total", "POSTs without the token (401)", "counter", s.refused),
        c("http_bad_requests_total", "Malformed requests (400) and other methods (405)", "counter",
          s.bad_requests),
        c("http_oversized_total", "Requests over a size limit (413, 414, 431)", "counter",
          s.oversized),
        c("http_timeouts_total", "Connections closed: request too slow or answer not taken",
          "counter", s.timeouts),
        c("http_connections_total", "Connections accepted", "counter", s.connections),
        c("http_connections_open", "Connections open (HTTP and WebSocket)", "gauge",
          s.connections_open),
        c("http_connections_max", "Connections allowed at once", "gauge", max_connections),
        c("http_connections_refused_total",
          "Connections refused: over a limit (503) or out of file descriptors", "counter",
          s.connections_refused),
        c("http_accept_errors_total", "Failed accepts (each followed by a back-off)", "counter",
          s.accept_errors),
        c("ws_clients", "WebSocket clients connected", "gauge", s.ws_clients),
        c("ws_sent_total", "Pictures sent to WebSocket clients", "counter", s.ws_sent),
        c("ws_dropped_total", "Pictures a slow WebSocket client did not get", "counter",
          s.ws_dropped),
        c("ws_oversized_total", "WebSocket clients closed for a message over the limit", "counter",
          s.ws_oversized),
        c("ws_timeouts_total", "WebSocket clients closed: silent, or not reading", "counter",
          s.ws_timeouts),
    };
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
  if (!ec) impl_->acceptor.non_blocking(true, ec);  // shed() accepts on it directly
  if (ec)
    throw ConfigError(fmt::format("http: cannot listen on {}:{}: {}", impl_->cfg.bind,
                                  impl_->cfg.port, ec.message()));
  store.set_counter_source([impl = impl_.get()] { return impl->counters(); });
}

HttpServer::~HttpServer() {
  stop();
  impl_->store.set_counter_source(nullptr);
}

void HttpServer::start() {
  impl_->accept();
  impl_->thread = std::thread([impl = impl_.get()] {
    for (;;) {
      try {
        impl->ioc.run();  // returns when stopped
        return;
      } catch (const std::exception&) {
        // A handler that threw has ended its connection only; serve on.
      }
    }
  });
}

void HttpServer::stop() {
  if (!impl_) return;
  impl_->ioc.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

std::uint16_t HttpServer::port() const { return impl_->acceptor.local_endpoint().port(); }

void HttpServer::broadcast(std::shared_ptr<const std::string> message) {
  net::post(impl_->ioc, [impl = impl_.get(), m = std::move(message)] {
    std::vector<std::shared_ptr<Impl::WsSession>> live;
    for (auto& [p, w] : impl->sockets)
      if (auto s = w.lock()) live.push_back(std::move(s));
    for (auto& s : live) s->send(m);
  });
}

const ServerStats& HttpServer::stats() const { return impl_->stats; }

std::size_t HttpServer::max_connections() const { return impl_->max_connections; }

}  // namespace skyfuse::server
