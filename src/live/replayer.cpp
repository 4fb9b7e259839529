#include "live/replayer.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "core/error.hpp"
#include "live/live_system.hpp"
#include "live/pacer.hpp"
#include "live/pipeline.hpp"
#include "log/log.hpp"
#include "record/recording.hpp"
#include "server/http_server.hpp"

namespace skyfuse::live {

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
    if (e->type == record::EntryType::kInput || e->type == record::EntryType::kReceiverInput) {
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

int run_replay(ReplayOptions o, std::stop_token stop) {
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
  if (!header.is_object())
    throw ConfigError(fmt::format("{}: the recording header is not a JSON object", o.recording));
  // A header member, or `def` when absent; any other type than text is damage.
  auto member = [&](const char* key, const char* def) {
    auto it = header.find(key);
    if (it == header.end()) return std::string(def);
    if (!it->is_string())
      throw ConfigError(
          fmt::format("{}: the recording header's \"{}\" is not text", o.recording, key));
    return it->get<std::string>();
  };
  // Several runs in one folder (the system restarted): replayed in order,
  // through the same configuration; the wall-clock gap between them is not
  // waited for.
  std::vector<std::string> runs;
  for (const auto& f : files)
    if (runs.empty() || record::recording_run(f) != runs.back()) {
      runs.push_back(record::recording_run(f));
      if (runs.size() == 1) continue;
      record::RecordingReader other({f});
      std::string config;
      try {
        config = nlohmann::json::parse(other.header()).value("config", std::string());
      } catch (const std::exception&) {
        config = "(unreadable)";
      }
      if (config != member("config", ""))
        throw ConfigError(fmt::format(
            "{}: run {} has another configuration than run {}: replay each run's files from a "
            "folder of their own",
            o.recording, runs.back(), runs.front()));
    }
  if (runs.size() > 1) {
    if (o.verify)
      throw ConfigError(fmt::format("{}: --verify checks one run; the folder holds {} ({} to {})",
                                    o.recording, runs.size(), runs.front(), runs.back()));
    if (!o.quiet)
      log::info("skyfuse replay: {} runs, in order: {}", runs.size(), fmt::join(runs, ", "));
  }
  SystemConfig cfg = o.load_config(member("config", ""), member("config_file", "recording"));
  if (!o.aircraft_db.empty()) {
    cfg.run.aircraft_db = o.aircraft_db;
  } else if (const std::string db = member("aircraft_db", ""); !db.empty()) {
    cfg.run.aircraft_db = db;  // what the run used (run --aircraft-db too)
  }
  const std::string zones_text = member("zones", "");
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
  server::LiveStore store(store_info(cfg, zones, o.aircraft_db.empty()));
  if (first.ns != INT64_MAX) store.set_time_range(first, last);
  std::unique_ptr<server::HttpServer> http;
  if (!o.no_http) {
    server::ServerConfig sc;
    sc.port = static_cast<std::uint16_t>(o.http_port);
    sc.web_root = o.web_root;
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
            if (new_speed) {
              speed = *new_speed;
              store.set_speed(*new_speed);  // /api/info at once, not at the next picture
            }
            if (new_seek) seek = Time::from_seconds(*new_seek).ns;
            if (new_pause) paused = *new_pause;
            return std::pair<int, std::string>{200, fmt::format("{{\"speed\":{}}}", speed.load())};
          } catch (const std::exception&) {
            return bad("body: {\"speed\":X} or {\"seek\":UNIX_S} or {\"pause\":true}");
          }
        });
    http->start();
    if (log::enabled(log::Level::kInfo))
      log::info("skyfuse replay: map at http://localhost:{}/", http->port());
    else
      fmt::print(stderr, "skyfuse replay: map at http://localhost:{}/\n", http->port());
  }
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
    Pacer pacer(speed);
    std::string run;
    while (auto e = reader.next()) {
      if (stop.stop_requested()) break;
      if (runs.size() > 1) {
        std::string r = record::recording_run(reader.current_file());
        if (r != run) {
          run = std::move(r);
          pacer.reset();  // the next run starts now, not after the gap
        }
      }
      const std::int64_t sk = seek.exchange(INT64_MIN);
      if (sk != INT64_MIN) {
        if (Time{sk} < pipeline.data_time()) {
          from = Time{sk};
          restarted = true;
          break;
        }
        from = Time{sk};
        pacer.reset();
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
      // Paused: hold, but only once there is a picture and past --from or a
      // seek, showing the picture at the data time reached (the last period's
      // picture can be up to a publish period before the time sought).
      for (bool shown = false; paused && pipeline.data_time().ns != 0 &&
                               pipeline.data_time() >= from && !stop.stop_requested() &&
                               seek == INT64_MIN;) {
        if (!shown) pipeline.show_now();
        shown = true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        pacer.reset();  // resume from here, not from the old wall time
      }
      if (e->type == record::EntryType::kEnd) {
        Packet end;
        end.source = e->source;
        end.end = true;
        end.shift_ns = e->shift_ns;
        pipeline.process(end, Time{});
        continue;
      }
      // Pacing by data time (what the map shows), once past --from. A new
      // speed applies from the data time reached (the picture does not jump).
      // A speed change while waiting re-plans the wait from now (the entry
      // is not let through early).
      for (;;) {
        const double sp = speed;
        if (sp != pacer.speed()) {
          pacer.set_speed(sp);
          pipeline.set_speed(sp);
        }
        if (sp <= 0 || pipeline.data_time() < from || e->data.ns == 0) {
          pacer.reset();
          break;
        }
        if (pacer.wait_until(e->data, stop, [&] { return seek != INT64_MIN || speed != sp; }) ||
            stop.stop_requested() || seek != INT64_MIN)
          break;
      }
      Packet p;
      p.source = e->source;
      p.input = e->input;
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
    for (const auto& pr : reader.problems()) log::warn("skyfuse replay: {}", pr);
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
      const bool tracks_ok = compare("tracks", recorded_tracks, got_tracks);
      const bool alerts_ok = compare("alerts", recorded_alerts, got_alerts);  // both reported
      bool ok = tracks_ok && alerts_ok;
      if (reader.damaged()) {
        // What was skipped cannot have been verified.
        fmt::print(stderr, "verify: the recording is damaged: {} regions, {} bytes skipped\n",
                   reader.stats().damaged_regions, reader.stats().bytes_skipped);
        ok = false;
      }
      exit_code = ok ? 0 : 1;
    }
    if (http && !o.no_http && !stop.stop_requested() && !o.verify) {
      // At the end: serve the last picture; a seek (the map's slider) replays again.
      if (!o.quiet)
        log::info("skyfuse replay: at the end; serving the last picture (Ctrl-C stops)");
      while (!stop.stop_requested() && seek == INT64_MIN)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      if (!stop.stop_requested()) {
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

}  // namespace skyfuse::live
