#include "live/file_replay.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <iterator>

#include "core/error.hpp"
#include "core/input_file.hpp"
#include "decode/asterix/catalogue.hpp"
#include "decode/asterix/decoder.hpp"
#include "decode/asterix/framing.hpp"
#include "feeds/feed_decoder.hpp"
#include "feeds/remote_id_feed.hpp"
#include "log/log.hpp"

namespace skyfuse::live {

namespace {
namespace ax = decode::asterix;

std::vector<std::uint8_t> read_file(const std::string& path) {
  return read_input_bytes(path, "input");
}

}  // namespace

std::vector<FilePiece> cut_file(const feeds::FeedConfig& feed,
                                const std::vector<std::uint8_t>& data, const std::string& specs,
                                std::vector<std::uint8_t>& payloads) {
  namespace ax = decode::asterix;
  std::vector<FilePiece> out;
  using feeds::FeedFormat;
  const FeedFormat f = feed.format;
  if (f == FeedFormat::kRemoteIdPcap) {  // one packet record per captured packet
    std::vector<feeds::RecordSpan> spans;
    const std::string why = feeds::capture_to_records(data, payloads, spans);
    if (!why.empty()) log::warn("skyfuse run: {}: {}", feed.path, why);
    for (const auto& s : spans) out.push_back({s.number, s.begin, s.size});
    return out;
  }
  if (f == FeedFormat::kFinal || f == FeedFormat::kPcap) {
    ax::FramingStats fs;
    auto sink = [&](const ax::Payload& p) {
      out.push_back({p.offset, payloads.size(), p.bytes.size()});
      payloads.insert(payloads.end(), p.bytes.begin(), p.bytes.end());
    };
    if (f == FeedFormat::kFinal)
      ax::read_final(data, sink, fs);
    else
      ax::read_pcap(data, sink, fs, feed.udp_port);
    for (const auto& m : fs.messages) log::warn("skyfuse run: {}: {}", feed.path, m);
    if (fs.other_port > 0)
      log::info("skyfuse run: {}: {} datagrams to ports other than udp_port {} skipped", feed.path,
                fs.other_port, feed.udp_port);
    return out;
  }
  payloads = data;
  std::size_t pos = 0;
  if (f == FeedFormat::kAsterix) {
    // Whole data blocks; damage (a byte lost or inserted, garbage) becomes a
    // piece of its own up to the next plausible block, which the sensor's
    // decoder then counts as an error.
    std::vector<ax::Category> cats;
    for (auto& [c, cat] : ax::load_categories(specs, feed.editions)) cats.push_back(std::move(cat));
    const ax::Decoder dec(std::move(cats));
    std::size_t budget = ax::Decoder::resync_budget(data.size());
    while (pos < data.size()) {
      std::size_t len = dec.chained_length(data, pos);
      if (len == 0) len = dec.find_block(data, pos + 1, budget) - pos;
      out.push_back({static_cast<std::int64_t>(pos), pos, len});
      pos += len;
    }
  } else if (f == FeedFormat::kBeast) {
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

// The data time of every piece (its earliest report, so none of its reports
// arrives late; a piece without reports takes its predecessor's), and the
// file's span. A piece far (10 minutes) from the file's trusted time holds
// lying times: it keeps its predecessor's place in the replay (the pipeline's
// data-time guard rejects its reports) and does not stretch the span, which
// sets the replay's time shift.
void scan_times(FileSource& fsrc, const std::string& specs) {
  feeds::FeedDecoder dec(*fsrc.feed, *fsrc.sensor, specs, false);
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

FileReplay::FileReplay(const SystemConfig& cfg, const std::string& specs, Time epoch) : cfg_(cfg) {
  for (std::size_t i = 0; i < cfg.sensors.size(); ++i) {
    if (cfg.feeds[i].transport != feeds::Transport::kFile) continue;
    FileSource f;
    f.index = static_cast<std::uint16_t>(i);
    f.feed = &cfg.feeds[i];
    f.sensor = &cfg.sensors[i];
    const auto data = read_file(cfg.feeds[i].path);
    f.pieces = cut_file(cfg.feeds[i], data, specs, f.payloads);
    scan_times(f, specs);
    files_.push_back(std::move(f));
  }
  for (const FileSource& f : files_) {
    if (f.first.ns == INT64_MAX) continue;
    auto [it, fresh] = groups_.try_emplace(f.feed->clock_group, f.first, f.last);
    if (!fresh) {
      it->second.first = std::min(it->second.first, f.first);
      it->second.second = std::max(it->second.second, f.last);
    }
  }
  for (const auto& [g, span] : groups_) shifts_[g] = (epoch - span.first).ns;
}

void FileReplay::run(std::stop_token stop, PacketQueue& queue, Pacer& pacer,
                     std::vector<SourceStatus>& status) {
  struct Cursor {
    std::size_t piece = 0;
    std::int64_t shift = 0, period = 0;
    bool done = false;
  };
  std::vector<Cursor> cur(files_.size());
  for (std::size_t k = 0; k < files_.size(); ++k) {
    const std::string& g = files_[k].feed->clock_group;
    cur[k].shift = shifts_.count(g) ? shifts_[g] : 0;
    const auto it = groups_.find(g);
    cur[k].period =
        it == groups_.end() ? 0 : (it->second.second - it->second.first).ns + 1'000'000'000;
    if (files_[k].pieces.empty()) cur[k].done = true;
  }
  auto finish_file = [&](std::size_t k) {
    Packet end;
    end.source = files_[k].index;
    end.end = true;
    end.shift_ns = cur[k].shift;
    end.arrival = wall_now();
    queue.push_wait(std::move(end), stop);
    status[files_[k].index].state = SourceState::kEnded;
    cur[k].done = true;
  };
  for (std::size_t k = 0; k < files_.size(); ++k)
    if (cur[k].done) finish_file(k);
  while (!stop.stop_requested()) {
    std::size_t best = files_.size();
    Time best_t{INT64_MAX};
    for (std::size_t k = 0; k < files_.size(); ++k) {
      if (cur[k].done) continue;
      const Time t = files_[k].times[cur[k].piece] + Duration{cur[k].shift};
      if (t < best_t) {
        best_t = t;
        best = k;
      }
    }
    if (best == files_.size()) break;
    FileSource& f = files_[best];
    Cursor& c = cur[best];
    const FilePiece& piece = f.pieces[c.piece];
    if (!pacer.wait_until(best_t, stop)) break;
    Packet p;
    p.source = f.index;
    p.offset = piece.offset;
    p.shift_ns = c.shift;
    p.bytes.assign(f.payloads.begin() + static_cast<std::ptrdiff_t>(piece.begin),
                   f.payloads.begin() + static_cast<std::ptrdiff_t>(piece.begin + piece.size));
    p.arrival = wall_now();
    if (!queue.push_wait(std::move(p), stop)) break;
    if (++c.piece == f.pieces.size()) {
      if (cfg_.run.loop && c.period > 0) {
        c.piece = 0;
        c.shift += c.period;
      } else {
        finish_file(best);
      }
    }
  }
}

}  // namespace skyfuse::live
