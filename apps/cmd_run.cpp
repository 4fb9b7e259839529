// `skyfuse run` (the live system) and `skyfuse replay` (a recording, exactly).
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <csignal>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "apps/asterix_feeds.hpp"
#include "apps/commands.hpp"
#include "apps/feed_decoder.hpp"
#include "apps/pipeline.hpp"
#include "apps/system_config.hpp"
#include "core/error.hpp"
#include "decode/asterix/decoder.hpp"
#include "decode/asterix/framing.hpp"
#include "io/tcp_client.hpp"
#include "io/udp_receiver.hpp"
#include "io/udp_sender.hpp"
#include "record/recording.hpp"
#include "safety/zones.hpp"
#include "server/http_server.hpp"

namespace skyfuse::apps {

namespace {

std::atomic<bool> g_stop{false};
extern "C" void on_signal(int) { g_stop = true; }

Time wall_now() {
  return Time{std::chrono::duration_cast<std::chrono::nanoseconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count()};
}

// Bounded multi-producer queue: files wait when it is full (back-pressure),
// network sources drop and count.
class PacketQueue {
 public:
  explicit PacketQueue(std::size_t capacity) : cap_(capacity) {}
  bool push_wait(Packet&& p) {
    std::unique_lock lock(mu_);
    while (q_.size() >= cap_) {
      if (g_stop || closed_) return false;
      not_full_.wait_for(lock, std::chrono::milliseconds(100));
    }
    q_.push_back(std::move(p));
    not_empty_.notify_one();
    return true;
  }
  bool try_push(Packet&& p) {
    std::lock_guard lock(mu_);
    if (q_.size() >= cap_) return false;
    q_.push_back(std::move(p));
    not_empty_.notify_one();
    return true;
  }
  std::optional<Packet> pop(std::chrono::milliseconds wait) {
    std::unique_lock lock(mu_);
    if (q_.empty()) not_empty_.wait_for(lock, wait);
    if (q_.empty()) return std::nullopt;
    Packet p = std::move(q_.front());
    q_.pop_front();
    not_full_.notify_one();
    return p;
  }
  void close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    not_full_.notify_all();
  }
  std::size_t size() {
    std::lock_guard lock(mu_);
    return q_.size();
  }

 private:
  std::mutex mu_;
  std::condition_variable not_empty_, not_full_;
  std::deque<Packet> q_;
  std::size_t cap_;
  bool closed_ = false;
};

std::vector<std::uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(fmt::format("{}: cannot open input", path));
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A file cut into the packets a live feed would have delivered: ASTERIX data
// blocks (unwrapped from FINAL / pcap), Beast in 512-byte pieces, text in
// line-aligned pieces of about 512 bytes (a few lines: a second or less).
struct FilePiece {
  std::int64_t offset;
  std::size_t begin, size;
};
std::vector<FilePiece> cut_file(const FeedConfig& feed, const std::vector<std::uint8_t>& data,
                                const std::string& specs, std::vector<std::uint8_t>& payloads) {
  namespace ax = decode::asterix;
  std::vector<FilePiece> out;
  const std::string& f = feed.format;
  if (f == "final" || f == "pcap") {
    ax::FramingStats fs;
    auto sink = [&](const ax::Payload& p) {
      out.push_back({p.offset, payloads.size(), p.bytes.size()});
      payloads.insert(payloads.end(), p.bytes.begin(), p.bytes.end());
    };
    if (f == "final")
      ax::read_final(data, sink, fs);
    else
      ax::read_pcap(data, sink, fs);
    for (const auto& m : fs.messages) fmt::print(stderr, "skyfuse run: {}: {}\n", feed.path, m);
    return out;
  }
  payloads = data;
  std::size_t pos = 0;
  if (f == "asterix") {
    // Whole data blocks; damage (a byte lost or inserted, garbage) becomes a
    // piece of its own up to the next plausible block, which the sensor's
    // decoder then counts as an error.
    std::vector<decode::asterix::Category> cats;
    for (auto& [c, cat] : load_categories(specs, feed.editions)) cats.push_back(std::move(cat));
    const decode::asterix::Decoder dec(std::move(cats));
    while (pos < data.size()) {
      std::size_t len = dec.chained_length(data, pos);
      if (len == 0) len = dec.find_block(data, pos + 1) - pos;
      out.push_back({static_cast<std::int64_t>(pos), pos, len});
      pos += len;
    }
  } else if (f == "beast") {
    for (; pos < data.size(); pos += 512)
      out.push_back(
          {static_cast<std::int64_t>(pos), pos, std::min<std::size_t>(512, data.size() - pos)});
  } else {
    while (pos < data.size()) {
      std::size_t end = std::min(data.size(), pos + 512);
      while (end < data.size() && data[end - 1] != '\n') ++end;
      out.push_back({static_cast<std::int64_t>(pos), pos, end - pos});
      pos = end;
    }
  }
  return out;
}

struct FileSource {
  std::uint16_t index;
  const FeedConfig* feed;
  const Sensor* sensor;
  std::vector<std::uint8_t> payloads;
  std::vector<FilePiece> pieces;
  std::vector<Time> times;                 // per piece
  Time first{INT64_MAX}, last{INT64_MIN};  // data times (unshifted)
};

// The data time of every piece (its earliest report, so none of its reports
// arrives late; a piece without reports takes its predecessor's), and the
// file's span. A piece far (10 minutes) from the file's trusted time holds
// lying times: it keeps its predecessor's place in the replay (the pipeline's
// data-time guard rejects its reports) and does not stretch the span, which
// sets the replay's time shift.
void scan_times(FileSource& fsrc, const std::string& specs) {
  FeedDecoder dec(*fsrc.feed, *fsrc.sensor, specs, false);
  std::vector<Report> rs;
  std::vector<std::int64_t> earliest(fsrc.pieces.size(), INT64_MIN);
  std::vector<std::int64_t> latest(fsrc.pieces.size(), INT64_MIN);
  for (std::size_t k = 0; k < fsrc.pieces.size(); ++k) {
    const FilePiece& p = fsrc.pieces[k];
    rs.clear();
    dec.feed(std::span<const std::uint8_t>(fsrc.payloads.data() + p.begin, p.size), Time{},
             p.offset, rs);
    for (const Report& r : rs) {
      if (earliest[k] == INT64_MIN || r.time.ns < earliest[k]) earliest[k] = r.time.ns;
      latest[k] = std::max(latest[k], r.time.ns);
    }
  }
  std::vector<std::int64_t> known;  // pieces with reports, in file order
  for (std::int64_t t : earliest)
    if (t != INT64_MIN) known.push_back(t);
  // In file order, a piece more than 10 minutes from the trusted time is
  // lying, unless the next twenty agree with it (the recording really jumps).
  // The trusted time starts at the median of the first 21 pieces.
  constexpr std::int64_t kFar = 600'000'000'000;  // 10 minutes
  constexpr int kRun = 20;
  std::vector<char> lying(known.size(), 0);
  if (!known.empty()) {
    std::vector<std::int64_t> head(
        known.begin(),
        known.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(known.size(), 21)));
    std::nth_element(head.begin(), head.begin() + static_cast<std::ptrdiff_t>(head.size() / 2),
                     head.end());
    std::int64_t trusted = head[head.size() / 2];
    auto far = [&](std::int64_t a, std::int64_t b) { return a - b > kFar || b - a > kFar; };
    for (std::size_t i = 0; i < known.size(); ++i) {
      if (!far(known[i], trusted)) {
        trusted = std::max(trusted, known[i]);
        continue;
      }
      std::size_t agree = 1;
      while (agree < static_cast<std::size_t>(kRun) && i + agree < known.size() &&
             far(known[i + agree], trusted) && !far(known[i + agree], known[i]))
        ++agree;
      if (agree == static_cast<std::size_t>(kRun)) {
        trusted = known[i];  // a real jump
        continue;
      }
      lying[i] = 1;
    }
  }
  Time prev{INT64_MIN};
  std::size_t j = 0;
  fsrc.times.reserve(fsrc.pieces.size());
  for (std::size_t k = 0; k < earliest.size(); ++k) {
    if (earliest[k] != INT64_MIN && !lying[j++]) {
      prev = std::max(prev, Time{earliest[k]});
      fsrc.first = std::min(fsrc.first, Time{earliest[k]});
      fsrc.last = std::max(fsrc.last, Time{latest[k]});
    }
    fsrc.times.push_back(prev);
  }
  // Leading pieces without (trusted) reports take the first time.
  for (Time& t : fsrc.times)
    if (t.ns == INT64_MIN) t = fsrc.first;
}

void pace(Time start_wall, Time epoch, Time data, double speed) {
  if (speed <= 0) return;
  const Time target =
      start_wall +
      Duration{static_cast<std::int64_t>(static_cast<double>((data - epoch).ns) / speed)};
  while (!g_stop) {
    const Time now = wall_now();
    if (now >= target) return;
    std::this_thread::sleep_for(
        std::chrono::nanoseconds(std::min<std::int64_t>((target - now).ns, 100'000'000)));
  }
}

struct RunOptions {
  std::string config;
  std::string specs = SKYFUSE_SPECS_DIR;
  int http_port = -1;
  double speed = -1;
  double duration_s = -1;
  std::string record_dir;
  std::string tracks_out, alerts_out;
  bool exit_at_end = false;
  bool once = false;
  bool quiet = false;
};

std::string default_web_root() { return SKYFUSE_WEB_DIR; }

std::vector<safety::Zone> load_zone_file(const std::string& path, std::string* text) {
  if (path.empty()) {
    *text = R"({"type":"FeatureCollection","features":[]})";
    return {};
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(fmt::format("{}: cannot open zones file", path));
  text->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return safety::load_zones(*text, path);
}

server::StoreInfo store_info(const SystemConfig& cfg, const std::vector<safety::Zone>& zones) {
  server::StoreInfo info;
  info.sensors = cfg.sensors;
  info.zones_geojson = safety::zones_geojson(zones);
  return info;
}

struct Control {
  std::mutex mu;
  std::vector<std::pair<std::vector<safety::Zone>, std::string>> zones;
};

int run_live(RunOptions o) {
  SystemConfig cfg = load_system_config(o.config, true);
  if (o.http_port >= 0) cfg.run.http_port = o.http_port;
  if (o.speed >= 0) cfg.run.speed = o.speed;
  if (o.duration_s >= 0) cfg.run.duration_s = o.duration_s;
  if (!o.record_dir.empty()) cfg.run.record_dir = o.record_dir;
  if (!o.tracks_out.empty()) cfg.run.tracks_out = o.tracks_out;
  if (!o.alerts_out.empty()) cfg.run.alerts_out = o.alerts_out;
  if (o.exit_at_end) cfg.run.exit_at_end = true;
  if (o.once) cfg.run.loop = false;
  if (cfg.run.web_root.empty()) cfg.run.web_root = default_web_root();
  std::string zones_text;
  std::vector<safety::Zone> zones = load_zone_file(cfg.run.zones, &zones_text);

  const Time start = wall_now();
  const Time epoch = cfg.run.epoch == "now" ? Time{start.ns / 1000000000 * 1000000000}
                                            : Time::from_seconds(std::stod(cfg.run.epoch));

  // File sources: cut, scanned for their time span, shifted per clock group.
  std::vector<FileSource> files;
  for (std::size_t i = 0; i < cfg.sensors.size(); ++i) {
    if (cfg.feeds[i].transport != Transport::kFile) continue;
    FileSource f;
    f.index = static_cast<std::uint16_t>(i);
    f.feed = &cfg.feeds[i];
    f.sensor = &cfg.sensors[i];
    const auto data = read_file(cfg.feeds[i].path);
    f.pieces = cut_file(cfg.feeds[i], data, o.specs, f.payloads);
    scan_times(f, o.specs);
    files.push_back(std::move(f));
  }
  std::map<std::string, std::pair<Time, Time>> groups;  // first, last
  for (const FileSource& f : files) {
    if (f.first.ns == INT64_MAX) continue;
    auto [it, fresh] = groups.try_emplace(f.feed->clock_group, f.first, f.last);
    if (!fresh) {
      it->second.first = std::min(it->second.first, f.first);
      it->second.second = std::max(it->second.second, f.last);
    }
  }
  std::map<std::string, std::int64_t> shifts;
  for (const auto& [g, span] : groups) shifts[g] = (epoch - span.first).ns;

  // Recording header: everything a replay needs.
  nlohmann::json header = {{"program", "skyfuse 0.1.0"}, {"config_file", cfg.file},
                           {"config", cfg.text},         {"zones", zones_text},
                           {"epoch_ns", epoch.ns},       {"started_unix", start.seconds()}};
  for (const auto& [g, s] : shifts) header["shifts_ns"][g] = s;
  std::unique_ptr<record::Recorder> recorder;
  if (!cfg.run.record_dir.empty()) {
    record::RecorderConfig rc;
    rc.dir = cfg.run.record_dir;
    rc.max_file_bytes = static_cast<std::uint64_t>(cfg.run.record_max_file_mb * 1048576);
    rc.max_file_s = cfg.run.record_max_file_s;
    rc.max_total_bytes = static_cast<std::uint64_t>(cfg.run.record_max_total_mb * 1048576);
    recorder = std::make_unique<record::Recorder>(rc, header.dump(), start);
  }
  std::unique_ptr<io::UdpSender> udp_out;
  if (!cfg.run.asterix_udp.empty()) {
    const auto colon = cfg.run.asterix_udp.rfind(':');
    if (colon == std::string::npos)
      throw ConfigError(fmt::format("{}: [run] asterix_udp must be \"HOST:PORT\"", cfg.file));
    udp_out = std::make_unique<io::UdpSender>(
        cfg.run.asterix_udp.substr(0, colon),
        static_cast<std::uint16_t>(std::stoi(cfg.run.asterix_udp.substr(colon + 1))));
  }

  server::LiveStore store(store_info(cfg, zones));
  Control control;
  std::unique_ptr<server::HttpServer> http;
  if (cfg.run.http_port > 0 || o.http_port == 0) {
    server::ServerConfig sc;
    sc.bind = cfg.run.http_bind;
    sc.port = static_cast<std::uint16_t>(cfg.run.http_port);
    sc.web_root = cfg.run.web_root;
    sc.token = cfg.run.token;
    sc.limits = cfg.run.http_limits;
    http = std::make_unique<server::HttpServer>(
        sc, store, [&control](const std::string& path, const std::string& body) {
          if (path != "/api/zones")
            return std::pair<int, std::string>{404, R"({"error":"no such control"})"};
          try {
            auto z = safety::load_zones(body, "POST /api/zones");
            const std::size_t n = z.size();
            std::lock_guard lock(control.mu);
            control.zones.emplace_back(std::move(z), body);
            return std::pair<int, std::string>{200, fmt::format("{{\"zones\":{}}}", n)};
          } catch (const ConfigError& e) {
            return std::pair<int, std::string>{400, nlohmann::json{{"error", e.what()}}.dump()};
          }
        });
  }

  PipelineOutputs po;
  po.tracks_out = cfg.run.tracks_out;
  po.alerts_out = cfg.run.alerts_out;
  po.recorder = recorder.get();
  po.store = &store;
  if (http)
    po.on_picture = [&http](std::shared_ptr<const std::string> m) {
      http->broadcast(std::move(m));
    };
  if (udp_out) po.on_asterix = [&udp_out](std::vector<std::uint8_t>&& b) { udp_out->send(b); };
  Pipeline pipeline(cfg, zones, o.specs, std::move(po));

  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  // A file size limit reached (RLIMIT_FSIZE) fails the write instead of killing
  // the process: the recorder stops, tracking goes on.
  std::signal(SIGXFSZ, SIG_IGN);
  PacketQueue queue(static_cast<std::size_t>(cfg.run.queue_packets));
  const std::size_t n = cfg.sensors.size();
  std::vector<std::atomic<std::uint64_t>> drops(n);
  std::vector<std::atomic<int>> state(n);  // 0 idle, 1 connected, 2 disconnected, 3 ended
  std::atomic<int> files_running{files.empty() ? 0 : 1};
  std::vector<std::thread> threads;
  std::vector<std::unique_ptr<io::UdpReceiver>> udps;
  std::vector<io::UdpReceiver*> udp_of(n, nullptr);  // by sensor
  std::vector<std::unique_ptr<io::TcpFeedClient>> tcps;

  // One thread replays every file input, merged in data-time order (so "as
  // fast as possible" still interleaves the sensors as they were), paced at
  // `speed` x real time from the epoch.
  if (!files.empty()) {
    threads.emplace_back([&] {
      struct Cursor {
        std::size_t piece = 0;
        std::int64_t shift = 0, period = 0;
        bool done = false;
      };
      std::vector<Cursor> cur(files.size());
      for (std::size_t k = 0; k < files.size(); ++k) {
        const std::string& g = files[k].feed->clock_group;
        cur[k].shift = shifts.count(g) ? shifts[g] : 0;
        const auto it = groups.find(g);
        cur[k].period =
            it == groups.end() ? 0 : (it->second.second - it->second.first).ns + 1'000'000'000;
        if (files[k].pieces.empty()) cur[k].done = true;
      }
      auto finish_file = [&](std::size_t k) {
        Packet end;
        end.source = files[k].index;
        end.end = true;
        end.shift_ns = cur[k].shift;
        end.arrival = wall_now();
        queue.push_wait(std::move(end));
        state[files[k].index] = 3;
        cur[k].done = true;
      };
      for (std::size_t k = 0; k < files.size(); ++k)
        if (cur[k].done) finish_file(k);
      while (!g_stop) {
        std::size_t best = files.size();
        Time best_t{INT64_MAX};
        for (std::size_t k = 0; k < files.size(); ++k) {
          if (cur[k].done) continue;
          const Time t = files[k].times[cur[k].piece] + Duration{cur[k].shift};
          if (t < best_t) {
            best_t = t;
            best = k;
          }
        }
        if (best == files.size()) break;
        FileSource& f = files[best];
        Cursor& c = cur[best];
        const FilePiece& piece = f.pieces[c.piece];
        pace(start, epoch, best_t, cfg.run.speed);
        Packet p;
        p.source = f.index;
        p.offset = piece.offset;
        p.shift_ns = c.shift;
        p.bytes.assign(f.payloads.begin() + static_cast<std::ptrdiff_t>(piece.begin),
                       f.payloads.begin() + static_cast<std::ptrdiff_t>(piece.begin + piece.size));
        p.arrival = wall_now();
        if (!queue.push_wait(std::move(p))) break;
        if (++c.piece == f.pieces.size()) {
          if (cfg.run.loop && c.period > 0) {
            c.piece = 0;
            c.shift += c.period;
          } else {
            finish_file(best);
          }
        }
      }
      files_running = 0;
    });
  }
  for (std::size_t i = 0; i < n; ++i) {
    const FeedConfig& fc = cfg.feeds[i];
    const auto idx = static_cast<std::uint16_t>(i);
    if (fc.transport == Transport::kUdp) {
      io::UdpConfig uc;
      uc.port = fc.port;
      uc.group = fc.host;
      uc.interface_address = fc.interface_address;
      if (!fc.bind_address.empty()) uc.bind_address = fc.bind_address;
      uc.device = fc.device;
      uc.allow_from = fc.allow_from;
      uc.receive_buffer_bytes = fc.receive_buffer_bytes > 0 ? fc.receive_buffer_bytes : 8 << 20;
      try {
        udps.push_back(std::make_unique<io::UdpReceiver>(uc));
      } catch (const ConfigError& e) {
        throw ConfigError(
            fmt::format("sensor \"{}\" ({}): {}", cfg.sensors[i].name, fc.input, e.what()));
      }
      io::UdpReceiver* rx = udps.back().get();
      udp_of[i] = rx;
      if (!o.quiet && rx->receive_buffer() < uc.receive_buffer_bytes)
        fmt::print(stderr,
                   "skyfuse run: sensor \"{}\": receive buffer {} kB of the {} kB asked for (raise "
                   "net.core.rmem_max, or run with CAP_NET_ADMIN)\n",
                   cfg.sensors[i].name, rx->receive_buffer() / 1024,
                   uc.receive_buffer_bytes / 1024);
      state[i] = 1;
      threads.emplace_back([&, rx, idx] {
        std::int64_t offset = 0;
        rx->run_for(std::chrono::hours(24 * 365 * 10),
                    [&](std::span<const std::uint8_t> d, const std::string&) {
                      Packet p;
                      p.source = idx;
                      p.arrival = wall_now();
                      p.offset = offset;
                      offset += static_cast<std::int64_t>(d.size());
                      p.bytes.assign(d.begin(), d.end());
                      if (!queue.try_push(std::move(p))) ++drops[idx];
                    });
      });
    } else if (fc.transport == Transport::kTcp) {
      io::TcpFeedConfig tc;
      tc.host = fc.host;
      tc.port = fc.port;
      tcps.push_back(std::make_unique<io::TcpFeedClient>(tc));
      io::TcpFeedClient* cl = tcps.back().get();
      threads.emplace_back([&, cl, idx] {
        std::int64_t offset = 0;
        cl->run_for(
            std::chrono::hours(24 * 365 * 10),
            [&](std::span<const std::uint8_t> d) {
              Packet p;
              p.source = idx;
              p.arrival = wall_now();
              p.offset = offset;
              offset += static_cast<std::int64_t>(d.size());
              p.bytes.assign(d.begin(), d.end());
              if (!queue.push_wait(std::move(p))) ++drops[idx];
            },
            [&, idx](bool up) { state[idx] = up ? 1 : 2; });
      });
    }
  }
  if (http) {
    http->start();
    // Printed even with --quiet: scripts read the port from it.
    fmt::print(stderr, "skyfuse run: map at http://{}:{}/ ({} sensors)\n",
               cfg.run.http_bind == "0.0.0.0" ? "localhost" : cfg.run.http_bind, http->port(), n);
  }

  std::vector<std::uint64_t> drops_seen(n, 0), kernel_seen(n, 0), filtered_seen(n, 0);
  std::vector<Time> kernel_logged(n);
  std::vector<int> state_seen(n, 0);
  bool ended_reported = false;
  Time last_refresh = start;
  while (!g_stop) {
    if (auto p = queue.pop(std::chrono::milliseconds(100))) pipeline.process(*p, wall_now());
    const Time now = wall_now();
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint64_t d = drops[i];
      if (d != drops_seen[i]) {
        pipeline.add_drops(static_cast<std::uint16_t>(i), d - drops_seen[i]);
        drops_seen[i] = d;
      }
      if (io::UdpReceiver* rx = udp_of[i]) {
        // The kernel's drops (receive buffer full) and refused senders, logged
        // at most every 10 s per sensor.
        const std::uint64_t k = rx->kernel_drops(), f = rx->filtered();
        if ((k != kernel_seen[i] || f != filtered_seen[i]) &&
            (now - kernel_logged[i]).seconds() >= 10) {
          fmt::print(stderr,
                     "skyfuse run: sensor \"{}\": {} datagrams dropped by the kernel (receive "
                     "buffer full), {} from senders not in allow_from, in all\n",
                     cfg.sensors[i].name, k, f);
          kernel_logged[i] = now;
          kernel_seen[i] = k;
          filtered_seen[i] = f;
        }
        pipeline.set_kernel_drops(static_cast<std::uint16_t>(i), k);
      }
      const int s = state[i];
      if (s != state_seen[i] && s != 3) {
        static const char* kNames[] = {"idle", "connected", "disconnected", "ended"};
        pipeline.set_source_state(static_cast<std::uint16_t>(i), kNames[s]);
        state_seen[i] = s;
      }
    }
    {
      std::lock_guard lock(control.mu);
      for (auto& [z, text] : control.zones) pipeline.set_zones(std::move(z), text, now);
      control.zones.clear();
    }
    if (recorder) recorder->tick(now);
    if ((now - last_refresh).seconds() >= 1.0) {
      pipeline.refresh();
      last_refresh = now;
    }
    if (cfg.run.duration_s > 0 && (now - start).seconds() >= cfg.run.duration_s) break;
    if (files_running == 0 && udps.empty() && tcps.empty() && queue.size() == 0) {
      if (cfg.run.exit_at_end) break;
      if (!ended_reported) {
        pipeline.finish();
        ended_reported = true;
        if (!o.quiet)
          fmt::print(
              stderr,
              "skyfuse run: every input has ended; serving the last picture (Ctrl-C stops)\n");
      }
    }
  }
  g_stop = true;
  queue.close();
  for (auto& u : udps) u->stop();
  for (auto& t : tcps) t->stop();
  for (auto& t : threads) t.join();
  // Whatever was queued when stopping is still processed: nothing is lost.
  while (auto p = queue.pop(std::chrono::milliseconds(0))) pipeline.process(*p, wall_now());
  if (!ended_reported) pipeline.finish();
  if (recorder) recorder->flush();
  if (http) http->stop();
  if (!o.quiet) {
    pipeline.print_summary();
    if (recorder)
      fmt::print(stderr, "  recording: {} entries, {:.1f} MB raw -> {:.1f} MB in {} files ({})\n",
                 recorder->stats().entries, static_cast<double>(recorder->stats().raw_bytes) / 1e6,
                 static_cast<double>(recorder->stats().written_bytes) / 1e6,
                 recorder->stats().files, cfg.run.record_dir);
  }
  return 0;
}

struct ReplayOptions {
  std::string recording;
  std::string specs = SKYFUSE_SPECS_DIR;
  double speed = 1;
  double from = 0;
  std::string out, alerts_out;
  int http_port = 8080;
  bool no_http = false;
  bool verify = false;
  bool index = false;
  bool quiet = false;
  std::string web_root;
};

// `replay --index`: what a recording holds, without running anything.
int print_index(const std::string& path) {
  const auto files = record::recording_files(path);
  record::RecordingReader r(files);
  const auto chunks = r.index();
  std::uint64_t entries = 0, inputs = 0, tracks = 0, alerts = 0;
  Time first_arrival{INT64_MAX}, last_arrival{INT64_MIN}, first_data{INT64_MAX},
      last_data{INT64_MIN};
  while (auto e = r.next()) {
    ++entries;
    if (e->type == record::EntryType::kInput) {
      ++inputs;
      first_arrival = std::min(first_arrival, e->arrival);
      last_arrival = std::max(last_arrival, e->arrival);
    }
    if (e->type == record::EntryType::kTrack) ++tracks;
    if (e->type == record::EntryType::kAlert) ++alerts;
    if (e->data.ns != 0) {
      first_data = std::min(first_data, e->data);
      last_data = std::max(last_data, e->data);
    }
  }
  nlohmann::json j = {{"files", files},
                      {"chunks", chunks.size()},
                      {"entries", entries},
                      {"inputs", inputs},
                      {"track_lines", tracks},
                      {"alert_lines", alerts},
                      {"first_arrival", inputs ? first_arrival.seconds() : 0.0},
                      {"last_arrival", inputs ? last_arrival.seconds() : 0.0},
                      {"first_data", entries ? first_data.seconds() : 0.0},
                      {"last_data", entries ? last_data.seconds() : 0.0},
                      {"damaged_regions", r.stats().damaged_regions},
                      {"bytes_skipped", r.stats().bytes_skipped},
                      {"incomplete_tail_bytes", r.stats().tail_bytes},
                      {"problems", r.problems()}};
  fmt::print("{}\n", j.dump());
  return r.damaged() ? 1 : 0;
}

int run_replay(ReplayOptions o) {
  const auto files = record::recording_files(o.recording);
  std::string header_text;
  {
    record::RecordingReader r(files);
    header_text = r.header();
    if (header_text.empty())
      throw ConfigError(fmt::format("{}: no readable recording header{}", o.recording,
                                    r.problems().empty() ? "" : " (" + r.problems()[0] + ")"));
  }
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(header_text);
  } catch (const std::exception&) {
    throw ConfigError(fmt::format("{}: the recording header is not JSON", o.recording));
  }
  SystemConfig cfg =
      load_system_config_text(header.value("config", std::string()),
                              header.value("config_file", std::string("recording")), true);
  const std::string zones_text = header.value("zones", std::string());
  std::vector<safety::Zone> zones = zones_text.empty()
                                        ? std::vector<safety::Zone>{}
                                        : safety::load_zones(zones_text, "recording");
  std::atomic<double> speed{o.speed};
  std::atomic<std::int64_t> seek{INT64_MIN};
  std::atomic<bool> paused{false};

  // The time range (for the map's slider), from the chunk index.
  Time first{INT64_MAX}, last{INT64_MIN};
  for (const auto& c : record::RecordingReader(files).index()) {
    if (c.entries == 0 || c.first_data.ns == 0) continue;
    first = std::min(first, c.first_data);
    last = std::max(last, c.last_data);
  }
  server::LiveStore store(store_info(cfg, zones));
  if (first.ns != INT64_MAX) store.set_time_range(first, last);
  std::unique_ptr<server::HttpServer> http;
  if (!o.no_http) {
    server::ServerConfig sc;
    sc.port = static_cast<std::uint16_t>(o.http_port);
    sc.web_root = o.web_root.empty() ? default_web_root() : o.web_root;
    sc.open_posts = {"/api/replay"};
    sc.limits = cfg.run.http_limits;
    http = std::make_unique<server::HttpServer>(
        sc, store, [&](const std::string& path, const std::string& body) {
          if (path != "/api/replay")
            return std::pair<int, std::string>{404, R"({"error":"no such control"})"};
          // Every value checked before any is applied: a speed in [0, 10000]
          // (0: as fast as possible), a seek within a day of the recording.
          auto bad = [](const std::string& why) {
            return std::pair<int, std::string>{400, nlohmann::json{{"error", why}}.dump()};
          };
          try {
            auto j = nlohmann::json::parse(body);
            if (!j.is_object()) return bad("body: a JSON object {\"speed\":X, \"seek\":UNIX_S}");
            std::optional<double> new_speed, new_seek;
            std::optional<bool> new_pause;
            if (j.contains("speed")) {
              if (!j["speed"].is_number()) return bad("speed: a number");
              const double v = j["speed"].get<double>();
              if (!std::isfinite(v) || v < 0 || v > 10000)
                return bad("speed: from 0 (as fast as possible) to 10000");
              new_speed = v;
            }
            if (j.contains("seek")) {
              if (!j["seek"].is_number()) return bad("seek: Unix seconds");
              const double v = j["seek"].get<double>();
              const double lo = first.ns == INT64_MAX ? 0 : first.seconds() - 86400;
              const double hi = first.ns == INT64_MAX ? 4e9 : last.seconds() + 86400;
              if (!std::isfinite(v) || v < lo || v > hi)
                return bad(fmt::format("seek: Unix seconds within the recording ({:.0f} to {:.0f})",
                                       lo + (first.ns == INT64_MAX ? 0 : 86400),
                                       hi - (first.ns == INT64_MAX ? 0 : 86400)));
              new_seek = v;
            }
            if (j.contains("pause")) {
              if (!j["pause"].is_boolean()) return bad("pause: true or false");
              new_pause = j["pause"].get<bool>();
            }
            if (new_speed) speed = *new_speed;
            if (new_seek) seek = Time::from_seconds(*new_seek).ns;
            if (new_pause) paused = *new_pause;
            return std::pair<int, std::string>{200, fmt::format("{{\"speed\":{}}}", speed.load())};
          } catch (const std::exception&) {
            return bad("body: {\"speed\":X} or {\"seek\":UNIX_S} or {\"pause\":true}");
          }
        });
    http->start();
    fmt::print(stderr, "skyfuse replay: map at http://localhost:{}/\n", http->port());
  }
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);

  std::vector<std::string> recorded_tracks, recorded_alerts;
  Time from = o.from > 0 ? Time::from_seconds(o.from) : Time{INT64_MIN};
  int exit_code = 0;
  for (;;) {  // once, or again after a seek backwards
    PipelineOutputs po;
    po.tracks_out = o.out;
    po.alerts_out = o.alerts_out;
    po.store = &store;
    po.mode = "replay";
    store.clear();
    po.speed = speed;
    std::vector<std::string> tracks, alerts;
    if (http)
      po.on_picture = [&http](std::shared_ptr<const std::string> m) {
        http->broadcast(std::move(m));
      };
    Pipeline pipeline(cfg, zones, o.specs, std::move(po));
    record::RecordingReader reader(files);
    bool restarted = false;
    Time wall0{}, arrival0{};
    bool paced = false;
    while (auto e = reader.next()) {
      if (g_stop) break;
      const std::int64_t sk = seek.exchange(INT64_MIN);
      if (sk != INT64_MIN) {
        if (Time{sk} < pipeline.data_time()) {
          from = Time{sk};
          restarted = true;
          break;
        }
        from = Time{sk};
        paced = false;
      }
      if (e->type == record::EntryType::kTrack) {
        if (o.verify && !restarted) recorded_tracks.push_back(std::move(e->bytes));
        continue;
      }
      if (e->type == record::EntryType::kAlert) {
        if (o.verify) recorded_alerts.push_back(std::move(e->bytes));
        continue;
      }
      if (e->type == record::EntryType::kZones) {
        pipeline.set_zones(safety::load_zones(e->bytes, "recording"), e->bytes, Time{});
        continue;
      }
      while (paused && !g_stop && seek == INT64_MIN) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        paced = false;  // resume from here, not from the old wall time
      }
      if (e->type == record::EntryType::kEnd) {
        Packet end;
        end.source = e->source;
        end.end = true;
        end.shift_ns = e->shift_ns;
        pipeline.process(end, Time{});
        continue;
      }
      // Pacing by data time (what the map shows), once past --from.
      const double sp = speed;
      if (sp > 0 && pipeline.data_time() >= from && e->data.ns != 0) {
        if (!paced) {
          wall0 = wall_now();
          arrival0 = e->data;
          paced = true;
        }
        const Time target =
            wall0 +
            Duration{static_cast<std::int64_t>(static_cast<double>((e->data - arrival0).ns) / sp)};
        while (!g_stop && wall_now() < target && seek == INT64_MIN)
          std::this_thread::sleep_for(std::chrono::milliseconds(std::min<std::int64_t>(
              100, std::max<std::int64_t>(1, (target - wall_now()).ns / 1000000))));
      } else {
        paced = false;
      }
      Packet p;
      p.source = e->source;
      p.arrival = e->arrival;
      p.offset = e->offset;
      p.shift_ns = e->shift_ns;
      p.bytes.assign(e->bytes.begin(), e->bytes.end());
      pipeline.process(p, Time{});
    }
    if (restarted) {
      recorded_tracks.clear();
      recorded_alerts.clear();
      continue;
    }
    pipeline.finish();
    for (const auto& pr : reader.problems()) fmt::print(stderr, "skyfuse replay: {}\n", pr);
    if (!o.quiet) pipeline.print_summary();
    if (o.verify) {
      // Compare what this replay wrote with what the run recorded.
      auto lines = [](const std::string& path) {
        std::vector<std::string> v;
        std::ifstream in(path);
        for (std::string l; std::getline(in, l);) v.push_back(l);
        return v;
      };
      const auto got_tracks = lines(o.out);
      const auto got_alerts = lines(o.alerts_out);
      auto compare = [&](const char* what, const std::vector<std::string>& want,
                         const std::vector<std::string>& got) {
        const std::size_t k = std::min(want.size(), got.size());
        for (std::size_t i = 0; i < k; ++i)
          if (want[i] != got[i]) {
            fmt::print(stderr, "verify: {} line {} differs:\n  recorded {}\n  replayed {}\n", what,
                       i + 1, want[i], got[i]);
            return false;
          }
        if (want.size() > got.size()) {
          // The run may have been killed: its recording then ends early, and
          // the replay's extra lines (flushed at the end) are not a mismatch.
          fmt::print(stderr, "verify: {}: recorded {} lines, replayed {}\n", what, want.size(),
                     got.size());
          return false;
        }
        fmt::print(stderr, "verify: {} {} recorded lines identical{}\n", what, want.size(),
                   got.size() > want.size()
                       ? fmt::format(" (+{} after the recording ended)", got.size() - want.size())
                       : "");
        return true;
      };
      bool ok = compare("tracks", recorded_tracks, got_tracks) &
                compare("alerts", recorded_alerts, got_alerts);
      if (reader.damaged()) {
        // What was skipped cannot have been verified.
        fmt::print(stderr, "verify: the recording is damaged: {} regions, {} bytes skipped\n",
                   reader.stats().damaged_regions, reader.stats().bytes_skipped);
        ok = false;
      }
      exit_code = ok ? 0 : 1;
    }
    if (http && !o.no_http && !g_stop && !o.verify) {
      // At the end: serve the last picture; a seek (the map's slider) replays again.
      if (!o.quiet)
        fmt::print(stderr, "skyfuse replay: at the end; serving the last picture (Ctrl-C stops)\n");
      while (!g_stop && seek == INT64_MIN)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      if (!g_stop) {
        from = Time{seek.exchange(INT64_MIN)};
        recorded_tracks.clear();
        recorded_alerts.clear();
        continue;
      }
    }
    break;
  }
  if (http) http->stop();
  return exit_code;
}

}  // namespace

Runner add_run_command(CLI::App& app) {
  auto o = std::make_shared<RunOptions>();
  CLI::App* cmd = app.add_subcommand(
      "run", "The live system: ingest feeds, track, raise alerts, record, serve the map");
  cmd->add_option("--config", o->config, "System configuration TOML (docs/config.md)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--http-port", o->http_port,
                  "Map and API port (0: any free port; default [run] http_port, 8080)")
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--speed", o->speed,
                  "File inputs at this many times real time (0: as fast as possible)")
      ->check(CLI::Range(0.0, 10000.0));
  cmd->add_option("--duration", o->duration_s, "Stop after this many seconds of wall time")
      ->check(CLI::Range(0.0, 1e9));
  cmd->add_option("--record", o->record_dir, "Record every input and output into this folder");
  cmd->add_option("--tracks-out", o->tracks_out, "Also write track updates as JSON Lines");
  cmd->add_option("--alerts-out", o->alerts_out, "Also write alert events as JSON Lines");
  cmd->add_flag("--exit-at-end", o->exit_at_end, "Stop when every file input has ended");
  cmd->add_flag("--once", o->once, "Play file inputs once even if [run] loop = true");
  cmd->add_option("--specs", o->specs, "Directory of the asterix-specs category definitions");
  cmd->add_flag("--quiet", o->quiet, "Print only errors");
  cmd->footer(
      "Example:\n  skyfuse run --config config/demo_run.toml      # map at http://localhost:8080\n"
      "  skyfuse run --config C.toml --record rec/ --speed 10 --exit-at-end\n"
      "Stop with Ctrl-C; the recording stays readable even after kill -9.");
  return [o] { return run_live(*o); };
}

Runner add_replay_command(CLI::App& app) {
  auto o = std::make_shared<ReplayOptions>();
  CLI::App* cmd = app.add_subcommand(
      "replay", "Replay a recording through the same pipeline: the same tracks and alerts");
  cmd->add_option("recording", o->recording, "A .sfrec file or a folder of them")->required();
  cmd->add_option("--speed", o->speed, "Times real time (0: as fast as possible)")
      ->check(CLI::Range(0.0, 10000.0));
  cmd->add_option(
      "--from", o->from,
      "Start showing at this data time (Unix seconds); earlier data is processed at full speed");
  cmd->add_option("--out", o->out, "Track updates as JSON Lines");
  cmd->add_option("--alerts-out", o->alerts_out, "Alert events as JSON Lines");
  cmd->add_option("--http-port", o->http_port, "Map and API port")->check(CLI::Range(0, 65535));
  cmd->add_flag("--no-http", o->no_http, "No map; exit at the end");
  cmd->add_flag("--verify", o->verify,
                "Compare the replayed tracks and alerts with those recorded (needs --out and "
                "--alerts-out); exit 1 if they differ");
  cmd->add_flag(
      "--index", o->index,
      "Print what the recording holds (files, chunks, entries, time span, damage) and exit");
  cmd->add_option("--specs", o->specs, "Directory of the asterix-specs category definitions");
  cmd->add_option("--web-root", o->web_root, "The map's files");
  cmd->add_flag("--quiet", o->quiet, "Print only errors");
  cmd->footer(
      "Example:\n  skyfuse replay rec/ --speed 0 --no-http --out t.jsonl --alerts-out a.jsonl "
      "--verify");
  return [o] {
    if (o->index) return print_index(o->recording);
    if (o->verify && (o->out.empty() || o->alerts_out.empty()))
      throw ConfigError("--verify needs --out and --alerts-out");
    return run_replay(*o);
  };
}

}  // namespace skyfuse::apps
