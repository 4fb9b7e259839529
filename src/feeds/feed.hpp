// File: feeds/feed.hpp
//
// What a sensor's feed is: its transport (a file, UDP datagrams, a TCP byte
// stream), its format (one enum, parsed once from the configuration) and the
// settings that go with them; and FeedData, what a whole recorded feed reads
// into. Everything that turns a sensor's bytes into Reports (feeds/*) starts
// here.
//
//   FeedConfig f;
//   f.format = *parse_feed_format("asterix");
//   f.path = "radar.ast";
//   FeedData d = read_feed(f, sensor, specs_dir);  // feeds/feed_reader.hpp
#pragma once

#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/types.hpp"

namespace skyfuse::feeds {

enum class Transport : std::uint8_t { kFile, kUdp, kTcp };

enum class FeedFormat : std::uint8_t {
  kJsonl,    // sensor reports as JSON Lines (docs/formats.md)
  kBeast,    // Mode S receiver, binary Beast
  kAvr,      // Mode S receiver, AVR text (*hex;)
  kCsv,      // Mode S receiver, time-stamped hex CSV
  kSbs,      // BaseStation port-30003 text, decoded by the receiver
  kAsterix,  // raw ASTERIX data blocks
  kFinal,    // ASTERIX in FINAL/IOSS frames
  kPcap,     // ASTERIX in UDP in a pcap/pcapng capture
  kMlatCsv,  // receiver-network arrival times, LocaRDS CSV (feeds/mlat_feed.hpp)
  // A Remote ID receiver's Wi-Fi / Bluetooth capture (pcap/pcapng, or a live
  // capture), carried as packet records (feeds/remote_id_feed.hpp). Named
  // "pcap" too: a remote_id sensor's "pcap" (parse_feed_format with a kind).
  kRemoteIdPcap,
  // A receiver network's Beast streams, one per receiver, with their MLAT
  // timestamps (feeds/mlat_beast_feed.hpp). Named "beast" too: the "beast" of
  // a kind = "mlat_receivers" sensor (the configuration loader maps it).
  kMlatBeast,
};

// "asterix" -> kAsterix ..., nothing for an unknown name.
std::optional<FeedFormat> parse_feed_format(std::string_view name);
// The format a sensor of `kind` reads under `name`: "pcap" is ASTERIX in UDP
// for a radar or a multilateration system, a Remote ID capture for a
// remote_id receiver (docs/adr/0005-feed-format-by-sensor-kind.md).
std::optional<FeedFormat> parse_feed_format(std::string_view name, SensorKind kind);
// Why a sensor of `kind` cannot read `format` ("" if it can), for the
// configuration's error message.
std::string format_mismatch(SensorKind kind, FeedFormat format);
const char* to_string(FeedFormat f);
// The names parse_feed_format knows, for messages ("jsonl, beast, ...").
std::string feed_format_names();
// ASTERIX formats carry a time of day only (start_unix or an arrival gives the day).
bool is_asterix(FeedFormat f);
// Mode S receiver formats decoded frame by frame (Beast, AVR, CSV).
bool is_mode_s(FeedFormat f);
// Formats a byte stream of lines (AVR, CSV, SBS, JSON Lines).
bool is_text(FeedFormat f);

// One receiver of a receiver network read as Beast (kMlatBeast).
struct ReceiverInput {
  std::uint32_t serial = 0;  // its row in the receiver list (site, clock type)
  std::string input;         // as written: "file:rx7.beast"
  Transport transport = Transport::kFile;
  std::string path;         // file input resolved against the configuration's folder
  std::string host;         // tcp
  std::uint16_t port = 0;   // tcp
  double start_unix = NAN;  // file, free-running clock: Unix time of its first frame
};

struct FeedConfig {
  std::string input;  // as written: "file:radar.jsonl", "udp:8600", "tcp:host:30005"
  Transport transport = Transport::kFile;
  std::string path;                     // file input resolved against the configuration's folder
  std::string host;                     // tcp: the server; udp: the multicast group ("" unicast)
  std::uint16_t port = 0;               // udp / tcp
  std::string interface_address;        // udp multicast: the local interface's IPv4 address
  std::string bind_address;             // udp unicast: the local address to listen on ("" any)
  std::string device;                   // udp: the network interface (SO_BINDTODEVICE) ("" any)
  std::vector<std::string> allow_from;  // udp: sender addresses or prefixes ("" list: any)
  int receive_buffer_bytes = 0;         // udp: SO_RCVBUF (0: the receiver's default)
  std::uint16_t udp_port = 0;        // a pcap file: only datagrams to this UDP port (0: every one)
  std::string clock_group = "main";  // run: files of one group share one replay time shift
  FeedFormat format = FeedFormat::kJsonl;
  std::map<int, std::string> editions;  // ASTERIX category -> edition
  double start_unix = NAN;              // Beast/AVR without timestamps: time of the first frame
  std::string receivers_path;           // mlat_csv / mlat_beast: the receiver list (LocaRDS CSV)
  std::vector<ReceiverInput> receiver_inputs;  // mlat_beast: one per receiver
  double group_window_s = 0.1;                 // mlat_beast: copies of one message within [s]
  int max_pending_groups = 20000;              // mlat_beast: groups waiting at most
};

// A whole recorded feed, read.
struct FeedData {
  std::vector<Report> reports;
  long errors = 0;
  std::vector<std::string> messages;  // the first few, "FILE:LINE: reason" / "FILE: offset N: ..."
  // The decoder's own counters beyond errors (mlat_csv: fixes per flag).
  std::vector<std::pair<std::string, long>> counters;
};

// The Unix time in a beastblackbox-style file name ("...utc--1522782148.13--..."), else 0.
double start_from_name(const std::string& file);

}  // namespace skyfuse::feeds
