#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>

#include "apps/commands.hpp"
#include "apps/remoteid_decode.hpp"
#include "core/error.hpp"
#include "decode/asterix/catalogue.hpp"
#include "decode/asterix/decoder.hpp"
#include "decode/asterix/framing.hpp"
#include "decode/modes/commb.hpp"
#include "decode/modes/decoder.hpp"
#include "feeds/decode_file.hpp"
#include "feeds/feed.hpp"
#include "io/jsonl.hpp"
#include "io/tcp_client.hpp"
#include "io/udp_receiver.hpp"

namespace skyfuse::apps {

namespace {

namespace modes = decode::modes;

struct DecodeCliOptions {
  std::string format = "beast";
  std::string file;
  bool stats = false;
  bool all = false;
  bool oradis = false;
  int port = 0;  // --port: a capture's datagrams to this UDP port only
  std::vector<double> receiver;
  double start_unix = NAN;
  int max_corrected_bits = 1;
  std::vector<std::string> editions;  // ASTERIX: "48=1.32" overrides
  std::string specs = SKYFUSE_SPECS_DIR;
  std::string connect;  // HOST:PORT of a receiver feed instead of a file
  double seconds = 0;   // with --connect: stop after this long (0: run until killed)
  int udp_port = -1;    // ASTERIX over UDP instead of a file
  std::string group;    // --udp: multicast group
  std::string iface;    // --udp: interface address for the group
};

// After the first messages (50 per layer) errors are only counted: say so.
void more_errors(const std::string& source, long errors, std::size_t shown) {
  if (errors > static_cast<long>(shown))
    fmt::print(stderr, "skyfuse decode: {}: {} more errors not shown (--stats counts them)\n",
               source, errors - static_cast<long>(shown));
}

// A recorded feed or ASTERIX recording (feeds/decode_file.hpp) to stdout.
int run_file(const DecodeCliOptions& o) {
  feeds::DecodeOptions d;
  d.format = o.format;
  d.all = o.all;
  d.oradis = o.oradis;
  d.port = o.port;
  if (o.receiver.size() == 2) d.receiver = GeodeticPosition{o.receiver[0], o.receiver[1], 0};
  d.start_unix = o.start_unix;
  d.max_corrected_bits = o.max_corrected_bits;
  d.editions = o.editions;
  d.specs = o.specs;
  std::string out;
  out.reserve(1 << 20);
  const feeds::DecodeSummary s = feeds::decode_file(o.file, d, [&](std::string_view line) {
    out += line;
    out += '\n';
    if (out.size() > (1 << 20)) {
      std::cout << out;
      out.clear();
    }
  });
  std::cout << out;
  std::cout.flush();
  for (const auto& m : s.messages) fmt::print(stderr, "skyfuse decode: {}: {}\n", o.file, m);
  more_errors(o.file, s.errors, s.messages.size());
  const std::string nothing = feeds::nothing_decoded(o.file, o.format, s);
  if (!nothing.empty()) fmt::print(stderr, "skyfuse decode: {}\n", nothing);
  if (o.stats) fmt::print(stderr, "{}\n", s.stats_json);
  return nothing.empty() ? 0 : 1;
}

// ASTERIX datagrams received on a UDP port, until --seconds.
int run_asterix_udp(const DecodeCliOptions& o) {
  decode::asterix::Decoder dec = feeds::asterix_decoder(o.editions, o.specs);
  io::UdpConfig uc;
  uc.port = static_cast<std::uint16_t>(o.udp_port);
  uc.group = o.group;
  uc.interface_address = o.iface;
  io::UdpReceiver rx(uc);
  std::int64_t offset = 0;
  const auto duration = o.seconds > 0
                            ? std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                  std::chrono::duration<double>(o.seconds))
                            : std::chrono::steady_clock::duration::max() / 2;
  const io::UdpStats us =
      rx.run_for(duration, [&](std::span<const std::uint8_t> d, const std::string&) {
        std::string out;
        dec.decode_stream(d, offset, [&](const decode::asterix::Record& r) {
          out += feeds::asterix_json(r);
          out += '\n';
        });
        offset += static_cast<std::int64_t>(d.size());
        std::cout << out << std::flush;
      });
  for (const auto& m : dec.stats().messages) fmt::print(stderr, "skyfuse decode: udp: {}\n", m);
  if (o.stats)
    fmt::print(stderr,
               "{{\"datagrams\":{},\"bytes\":{},\"truncated\":{},\"blocks\":{},\"records\":{},"
               "\"errors\":{}}}\n",
               us.datagrams, us.bytes, us.truncated, dec.stats().blocks, dec.stats().records,
               dec.stats().errors);
  return 0;
}

int run_decode(const DecodeCliOptions& o) {
  if (!o.file.empty() && o.connect.empty()) {
    feeds::check_format(o.file, o.format);
  }
  if (o.udp_port >= 0 && o.format != "asterix")
    throw ConfigError("--udp carries ASTERIX: use it with --format asterix");
  if (o.oradis && o.format != "pcap") throw ConfigError("--oradis goes with --format pcap");
  if (o.port != 0 && o.format != "pcap")
    throw ConfigError(
        "--port filters a capture: use it with --format pcap (--udp names a live port)");
  if (o.format == "remoteid") {
    if (o.file.empty() || !o.connect.empty())
      throw ConfigError("--format remoteid reads a capture FILE (pcap/pcapng)");
    return run_remoteid_decode(o.file, o.stats);
  }
  if (o.udp_port >= 0) return run_asterix_udp(o);
  if (o.connect.empty()) {
    if (o.file.empty()) throw ConfigError("decode: give a FILE or --connect HOST:PORT");
    return run_file(o);
  }
  if (o.format == "asterix" || o.format == "final" || o.format == "pcap" || o.format == "gps")
    throw ConfigError("--connect reads a Mode S receiver feed (beast, avr, sbs, csv)");
  // A live Mode S receiver feed over TCP.
  modes::DecoderConfig cfg;
  cfg.max_corrected_bits = o.max_corrected_bits;
  if (o.receiver.size() == 2) cfg.receiver = GeodeticPosition{o.receiver[0], o.receiver[1], 0};
  modes::Decoder dec(cfg);
  const double t0 = std::isnan(o.start_unix) ? feeds::start_from_name(o.file) : o.start_unix;
  modes::FrameClock clock(t0);
  std::string out;
  out.reserve(1 << 20);
  auto emit = [&](const modes::RawFrame& f) {
    const Time t = clock(f);
    const modes::Decoded d = dec.decode(f, t);
    if (f.kind == modes::RawFrame::Kind::kModeAC) return;
    if (!o.all && !(d.msg.crc_ok || d.address_known)) return;
    out += feeds::modes_json(d);
    out += '\n';
    if (out.size() > (1 << 20)) {
      std::cout << out;
      out.clear();
    }
  };
  auto emit_sbs = [&](const modes::SbsRecord& r) {
    out += feeds::sbs_json(r);
    out += '\n';
  };
  modes::SbsParser sbs;
  modes::AvrParser avr;
  modes::CsvParser csv;
  const auto colon = o.connect.rfind(':');
  if (colon == std::string::npos) throw ConfigError("--connect needs HOST:PORT");
  io::TcpFeedConfig tc;
  tc.host = o.connect.substr(0, colon);
  try {
    tc.port = static_cast<std::uint16_t>(std::stoi(o.connect.substr(colon + 1)));
  } catch (const std::exception&) {
    throw ConfigError("--connect needs HOST:PORT with a numeric port");
  }
  io::TcpFeedClient client(tc);
  std::string pending;
  std::int64_t offset = 0;
  auto beast_stream = std::make_unique<modes::BeastStream>();
  long framing_errors = 0;
  auto on_bytes = [&](std::span<const std::uint8_t> bytes) {
    if (o.format == "beast") {
      beast_stream->feed(bytes, emit);
    } else {
      pending.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
      if (pending.size() > (1 << 16) && pending.find('\n') == std::string::npos) {
        // A line feed that never comes: drop the junk, bounded memory.
        fmt::print(stderr, "skyfuse decode: {}: offset {}: {} bytes without a line end dropped\n",
                   o.connect, offset, pending.size());
        offset += static_cast<std::int64_t>(pending.size());
        pending.clear();
      }
      std::size_t nl;
      while ((nl = pending.find('\n')) != std::string::npos) {
        const std::string line = pending.substr(0, nl);
        if (o.format == "avr")
          avr.line(line, offset, emit);
        else if (o.format == "sbs")
          sbs.line(line, offset, emit_sbs);
        else
          csv.line(line, offset, emit);
        offset += static_cast<std::int64_t>(nl) + 1;
        pending.erase(0, nl + 1);
      }
    }
    std::cout << out;
    std::cout.flush();
    out.clear();
  };
  auto on_state = [&](bool connected) {
    fmt::print(stderr, "skyfuse decode: {} {}\n", connected ? "connected to" : "disconnected from",
               o.connect);
    if (!connected) {
      beast_stream->finish();
      framing_errors += beast_stream->stats().errors;
      beast_stream = std::make_unique<modes::BeastStream>();
      pending.clear();
    }
  };
  const auto duration = o.seconds > 0
                            ? std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                  std::chrono::duration<double>(o.seconds))
                            : std::chrono::steady_clock::duration::max() / 2;
  auto on_failure = [&](const std::string& reason, double backoff_s) {
    fmt::print(stderr, "skyfuse decode: cannot connect to {}: {}; retrying in {:g} s\n", o.connect,
               reason, backoff_s);
  };
  const io::TcpFeedStats ts = client.run_for(duration, on_bytes, on_state, on_failure);
  if (o.stats) {
    const auto& s = dec.stats();
    fmt::print(stderr,
               "{{\"connects\":{},\"failed_attempts\":{},\"disconnects\":{},\"bytes\":{},"
               "\"framing_errors\":{},"
               "\"messages\":{},\"crc_failures\":{},\"corrected\":{},\"positions\":{},"
               "\"positions_rejected\":{}}}\n",
               ts.connects, ts.failed_attempts, ts.disconnects, ts.bytes, framing_errors,
               s.messages, s.crc_failures, s.corrected, s.positions, s.positions_rejected);
  }
  if (ts.connects == 0) {
    fmt::print(stderr, "skyfuse decode: never connected to {} ({} attempts; last: {})\n", o.connect,
               ts.failed_attempts, ts.last_error);
    return 1;
  }
  return 0;
}

}  // namespace

Runner add_decode_command(CLI::App& app) {
  auto o = std::make_shared<DecodeCliOptions>();
  CLI::App* cmd =
      app.add_subcommand("decode",
                         "Decode a receiver feed (Mode S / ADS-B), an ASTERIX recording or a "
                         "Remote ID capture to JSON Lines");
  cmd->add_option("--format", o->format, "Input framing")
      ->check(CLI::IsMember(
          {"beast", "avr", "sbs", "csv", "asterix", "final", "pcap", "gps", "remoteid"}))
      ->capture_default_str();
  cmd->add_option("file", o->file, "Input file")->check(CLI::ExistingFile);
  cmd->callback([o]() {
    if (o->file.empty() && o->connect.empty() && o->udp_port < 0)
      throw CLI::ValidationError("decode", "give a FILE, --connect HOST:PORT or --udp PORT");
  });
  cmd->add_option(
      "--connect", o->connect,
      "Read a live receiver feed over TCP instead (HOST:PORT, e.g. 127.0.0.1:30005 for Beast); "
      "reconnects with exponential back-off");
  cmd->add_option("--edition", o->editions,
                  "ASTERIX edition per category, CAT=X.Y (e.g. 48=1.32); repeatable");
  cmd->add_flag("--oradis", o->oradis,
                "With --format pcap: each UDP payload is ORADIS frames (6-byte header each)");
  cmd->add_option("--port", o->port,
                  "With --format pcap: only datagrams to this UDP port (e.g. 8600); the others "
                  "are counted as datagrams_to_other_ports")
      ->check(CLI::Range(1, 65535));
  cmd->add_option("--specs", o->specs, "Directory of the asterix-specs category definitions")
      ->capture_default_str();
  cmd->add_option("--seconds", o->seconds, "With --connect or --udp: stop after this many seconds")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--udp", o->udp_port, "Receive ASTERIX datagrams on this UDP port (live input)")
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--group", o->group, "With --udp: join this IPv4 multicast group");
  cmd->add_option("--interface", o->iface,
                  "With --udp --group: the local interface's IPv4 address to join on");
  cmd->add_flag("--stats", o->stats,
                "Print counts (messages, CRC failures, corrections, positions) to stderr");
  cmd->add_flag("--all", o->all, "Also print frames that fail CRC or come from unknown addresses");
  cmd->add_option("--receiver", o->receiver,
                  "Receiver LAT_DEG LON_DEG (surface positions, range check)")
      ->expected(2)
      ->allow_extra_args(false);  // `--receiver LAT LON FILE`: FILE is the file
  cmd->add_option(
      "--start-unix", o->start_unix,
      "Unix time of the first Beast/AVR frame (default: from a 'utc--<unix>' file name, else 0)");
  cmd->add_option("--max-corrected-bits", o->max_corrected_bits, "DF11/17/18 error correction")
      ->check(CLI::Range(0, 2))
      ->capture_default_str();
  cmd->footer(
      "\nOne JSON object per message: time (Unix s), icao24, df, tc, and the decoded fields with "
      "units\n"
      "in their names (docs/formats.md). Example:\n"
      "  skyfuse decode --format beast --stats "
      "data/adsb/ulss7-beast-bin-utc--1522782148.136310917--.log\n"
      "  skyfuse decode --format remoteid --stats tests/data/remoteid/odid_wifi_sample.pcap");
  return [o]() { return run_decode(*o); };
}

}  // namespace skyfuse::apps
