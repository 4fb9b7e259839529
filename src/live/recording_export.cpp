#include "live/recording_export.hpp"

#include <fmt/format.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <span>

#include "core/error.hpp"
#include "feeds/feed.hpp"
#include "record/asterix_export.hpp"
#include "record/recording.hpp"

namespace skyfuse::live {

namespace {
// A dotted IPv4 address, or nothing.
std::optional<std::array<std::uint8_t, 4>> ipv4(const std::string& s) {
  std::array<std::uint8_t, 4> a{};
  unsigned v[4];
  char tail = 0;
  if (std::sscanf(s.c_str(), "%u.%u.%u.%u%c", &v[0], &v[1], &v[2], &v[3], &tail) != 4)
    return std::nullopt;
  for (int i = 0; i < 4; ++i) {
    if (v[i] > 255) return std::nullopt;
    a[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v[i]);
  }
  return a;
}
}  // namespace

ExportResult export_recording(const ExportOptions& o) {
  const auto files = record::recording_files(o.recording);
  if (files.empty()) throw ConfigError(fmt::format("{}: no recording files", o.recording));
  std::ofstream out(o.out, std::ios::binary | std::ios::trunc);
  if (!out) throw ConfigError(fmt::format("{}: cannot write", o.out));
  std::optional<record::PcapWriter> pcap;
  std::optional<record::FinalWriter> final_;
  if (o.format == ExportFormat::kPcap) {
    pcap.emplace(out);
  } else {
    final_.emplace(out);
  }
  const std::int64_t from = o.from_s ? std::llround(*o.from_s * 1e9) : INT64_MIN;
  const std::int64_t to = o.to_s ? std::llround(*o.to_s * 1e9) : INT64_MAX;
  ExportResult res;
  // Each run (a start of the system) with its own configuration.
  std::size_t i = 0;
  while (i < files.size()) {
    const std::string run = record::recording_run(files[i]);
    std::vector<std::string> group;
    for (; i < files.size() && record::recording_run(files[i]) == run; ++i)
      group.push_back(files[i]);
    record::RecordingReader reader(group);
    std::string config;
    try {
      config = nlohmann::json::parse(reader.header()).value("config", std::string());
    } catch (const std::exception&) {
      throw ConfigError(fmt::format("{}: no readable recording header", group.front()));
    }
    const SystemConfig cfg = o.load_config(config, run);
    res.sensors.clear();
    std::vector<record::UdpEndpoints> ends;
    for (std::size_t k = 0; k < cfg.sensors.size() && k < cfg.feeds.size(); ++k) {
      const Sensor& s = cfg.sensors[k];
      const feeds::FeedConfig& f = cfg.feeds[k];
      ExportedSensor e;
      e.name = s.name;
      e.format = feeds::to_string(f.format);
      e.asterix = feeds::is_asterix(f.format);
      record::UdpEndpoints ep;
      ep.src_ip = {10, 1, s.sac, s.sic};
      ep.src_port = static_cast<std::uint16_t>(40000 + k);
      const bool udp = f.transport == feeds::Transport::kUdp;
      ep.dst_port = udp && f.port ? f.port : static_cast<std::uint16_t>(8600 + k);
      if (const auto group_ip = udp ? ipv4(f.host) : std::nullopt) ep.dst_ip = *group_ip;
      e.dst_port = ep.dst_port;
      res.sensors.push_back(std::move(e));
      ends.push_back(ep);
    }
    while (auto e = reader.next()) {
      if (e->type != record::EntryType::kInput && e->type != record::EntryType::kReceiverInput)
        continue;  // (a receiver network's packets: counted as skipped, not ASTERIX)
      if (e->source >= res.sensors.size()) {
        ++res.unknown_source;
        continue;
      }
      ExportedSensor& s = res.sensors[e->source];
      if (!s.asterix) {
        ++s.skipped;
        ++res.skipped;
        continue;
      }
      if (e->arrival.ns < from || e->arrival.ns >= to) {
        ++res.outside;
        continue;
      }
      const std::span<const std::uint8_t> bytes(
          reinterpret_cast<const std::uint8_t*>(e->bytes.data()), e->bytes.size());
      const bool ok = pcap
                          ? pcap->write(e->arrival, ends[e->source], bytes)
                          : final_->write(e->arrival, 0,
                                          static_cast<std::uint8_t>((e->source + 1) & 0xff), bytes);
      if (!ok) {
        ++s.oversized;
        ++res.oversized;
        continue;
      }
      ++s.packets;
      s.bytes += bytes.size();
      ++res.packets;
    }
    for (const auto& p : reader.problems()) res.problems.push_back(p);
    res.damaged = res.damaged || reader.damaged();
  }
  out.flush();
  if (!out) throw ConfigError(fmt::format("{}: write failed", o.out));
  return res;
}

}  // namespace skyfuse::live
