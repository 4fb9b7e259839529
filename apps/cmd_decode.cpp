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

std::string octal4(std::uint16_t v) { return fmt::format("{:04o}", v); }

std::string json_line(const modes::Decoded& d) {
  const modes::Message& m = d.msg;
  std::string o = fmt::format("{{\"time\":{},\"icao24\":\"{:06x}\",\"df\":{}",
                              io::format_time(d.time), m.icao, m.df);
  if (m.df == 17 || m.df == 18) o += fmt::format(",\"tc\":{}", m.tc);
  o += fmt::format(",\"raw\":\"{}\"", modes::to_hex(m.bytes.data(), m.n_bytes));
  if (m.corrected_bits) o += fmt::format(",\"corrected_bits\":{}", m.corrected_bits);
  if (!m.crc_ok && !d.address_known) o += ",\"crc\":\"bad\"";
  if (!m.callsign.empty()) o += fmt::format(",\"callsign\":\"{}\"", m.callsign);
  if (m.category) o += fmt::format(",\"category\":{}", m.category);
  if (m.altitude_ft) o += fmt::format(",\"alt_baro_ft\":{}", *m.altitude_ft);
  if (m.gnss_altitude_ft) o += fmt::format(",\"alt_geo_ft\":{}", *m.gnss_altitude_ft);
  if (m.cpr)
    o += fmt::format(",\"cpr_odd\":{},\"cpr_lat\":{},\"cpr_lon\":{}", m.cpr->odd ? 1 : 0,
                     m.cpr->lat, m.cpr->lon);
  if (d.position)
    o += fmt::format(",\"lat_deg\":{:.6f},\"lon_deg\":{:.6f}", d.position->lat_deg,
                     d.position->lon_deg);
  if (d.position_rejected) o += ",\"position_rejected\":true";
  if (m.on_ground) o += ",\"on_ground\":true";
  if (m.velocity) {
    const auto& v = *m.velocity;
    if (v.gs_kt) o += fmt::format(",\"gs_kt\":{:.1f}", *v.gs_kt);
    if (v.track_deg) o += fmt::format(",\"track_deg\":{:.2f}", *v.track_deg);
    if (v.airspeed_kt)
      o += fmt::format(",\"{}\":{:.0f}", v.airspeed_is_tas ? "tas_kt" : "ias_kt", *v.airspeed_kt);
    if (v.heading_deg) o += fmt::format(",\"heading_deg\":{:.2f}", *v.heading_deg);
    if (v.vrate_fpm)
      o += fmt::format(",\"vrate_fpm\":{},\"vrate_source\":\"{}\"", *v.vrate_fpm,
                       v.vrate_from_gnss ? "gnss" : "baro");
    if (v.geo_minus_baro_ft) o += fmt::format(",\"geo_minus_baro_ft\":{}", *v.geo_minus_baro_ft);
    if (m.tc == 19) o += fmt::format(",\"nacv\":{}", v.nacv);
  }
  if (m.squawk) o += fmt::format(",\"squawk\":\"{}\"", octal4(*m.squawk));
  if (m.emergency) o += fmt::format(",\"emergency\":{}", *m.emergency);
  if (m.nic) o += fmt::format(",\"nic\":{}", *m.nic);
  if (m.opstatus)
    o += fmt::format(",\"version\":{},\"nacp\":{},\"sil\":{}", m.opstatus->version,
                     m.opstatus->nacp, m.opstatus->sil);
  if (m.target_state) {
    const auto& t = *m.target_state;
    if (t.selected_altitude_ft)
      o += fmt::format(",\"selected_altitude_ft\":{}", *t.selected_altitude_ft);
    if (t.baro_setting_hpa) o += fmt::format(",\"baro_setting_hpa\":{:.1f}", *t.baro_setting_hpa);
    if (t.selected_heading_deg)
      o += fmt::format(",\"selected_heading_deg\":{:.2f}", *t.selected_heading_deg);
    o += fmt::format(",\"nacp\":{}", t.nacp);
  }
  if (m.commb) {
    const auto& c = *m.commb;
    if (c.bds.empty()) {
      std::string cands;
      for (const auto& s : modes::commb_candidates(m.bytes.data()))
        cands += (cands.empty() ? "\"" : ",\"") + s + "\"";
      o += ",\"bds_candidates\":[" + cands + "]";
    } else {
      o += fmt::format(",\"bds\":\"{}\"", c.bds);
    }
    if (!c.callsign.empty()) o += fmt::format(",\"callsign\":\"{}\"", c.callsign);
    if (c.selected_altitude_mcp_ft)
      o += fmt::format(",\"selected_altitude_mcp_ft\":{}", *c.selected_altitude_mcp_ft);
    if (c.selected_altitude_fms_ft)
      o += fmt::format(",\"selected_altitude_fms_ft\":{}", *c.selected_altitude_fms_ft);
    if (c.baro_setting_hpa) o += fmt::format(",\"baro_setting_hpa\":{:.1f}", *c.baro_setting_hpa);
    if (c.roll_deg) o += fmt::format(",\"roll_deg\":{:.3f}", *c.roll_deg);
    if (c.true_track_deg) o += fmt::format(",\"true_track_deg\":{:.3f}", *c.true_track_deg);
    if (c.groundspeed_kt) o += fmt::format(",\"gs_kt\":{}", *c.groundspeed_kt);
    if (c.track_rate_dps) o += fmt::format(",\"track_rate_dps\":{:.3f}", *c.track_rate_dps);
    if (c.true_airspeed_kt) o += fmt::format(",\"tas_kt\":{}", *c.true_airspeed_kt);
    if (c.magnetic_heading_deg)
      o += fmt::format(",\"heading_deg\":{:.3f}", *c.magnetic_heading_deg);
    if (c.indicated_airspeed_kt) o += fmt::format(",\"ias_kt\":{}", *c.indicated_airspeed_kt);
    if (c.mach) o += fmt::format(",\"mach\":{:.3f}", *c.mach);
    if (c.baro_vrate_fpm) o += fmt::format(",\"vrate_fpm\":{}", *c.baro_vrate_fpm);
    if (c.inertial_vrate_fpm) o += fmt::format(",\"inertial_vrate_fpm\":{}", *c.inertial_vrate_fpm);
  }
  o += '}';
  return o;
}

// After the first messages (50 per layer) errors are only counted: say so.
void more_errors(const std::string& source, long errors, std::size_t shown) {
  if (errors > static_cast<long>(shown))
    fmt::print(stderr, "skyfuse decode: {}: {} more errors not shown (--stats counts them)\n",
               source, errors - static_cast<long>(shown));
}

// A file that gave nothing at all is a failure (a wrong --format, garbage),
// not an empty success.
int nothing_decoded(const DecodeCliOptions& o, long decoded, std::size_t bytes, long errors) {
  if (decoded > 0 || bytes == 0) return 0;
  fmt::print(stderr,
             "skyfuse decode: {}: nothing decoded from {} bytes ({} errors); is --format {} "
             "right?\n",
             o.file, bytes, errors, o.format);
  return 1;
}

int run_asterix(const DecodeCliOptions& o) {
  std::map<int, std::string> editions = decode::asterix::default_editions();
  for (const auto& e : o.editions) {
    const auto eq = e.find('=');
    if (eq == std::string::npos) throw ConfigError("--edition wants CAT=X.Y, e.g. 48=1.32");
    editions[std::stoi(e.substr(0, eq))] = e.substr(eq + 1);
  }
  std::vector<decode::asterix::Category> cats;
  for (const auto& [cat, ed] : editions)
    cats.push_back(decode::asterix::load_category(
        fmt::format("{}/cat{:03d}/cat{:03d}-{}.json", o.specs, cat, cat, ed)));
  decode::asterix::Decoder dec(std::move(cats));
  if (o.udp_port >= 0) {
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
            out += fmt::format(
                "{{\"cat\":{},\"edition\":\"{}\",\"offset\":{},\"items\":{}}}\n", r.category,
                r.edition, r.offset,
                r.items.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
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
  std::ifstream in(o.file, std::ios::binary);
  if (!in) throw ConfigError(fmt::format("{}: cannot open file", o.file));
  const std::vector<std::uint8_t> data{std::istreambuf_iterator<char>(in),
                                       std::istreambuf_iterator<char>()};
  std::string out;
  auto sink = [&](const decode::asterix::Record& r) {
    out += fmt::format(
        "{{\"cat\":{},\"edition\":\"{}\",\"offset\":{},\"items\":{}}}\n", r.category, r.edition,
        r.offset, r.items.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
    if (out.size() > (1 << 20)) {
      std::cout << out;
      out.clear();
    }
  };
  decode::asterix::FramingStats fs;
  const auto payload = [&](const decode::asterix::Payload& p) {
    dec.decode_stream(p.bytes, p.offset, sink);
  };
  if (o.format == "asterix") {
    dec.decode_stream(data, 0, sink);
  } else if (o.format == "final") {
    decode::asterix::read_final(data, payload, fs);
  } else if (o.format == "gps") {
    decode::asterix::read_gps(data, payload, fs);
  } else if (o.oradis) {
    decode::asterix::read_pcap(
        data,
        [&](const decode::asterix::Payload& p) { decode::asterix::split_oradis(p, payload, fs); },
        fs);
  } else {
    decode::asterix::read_pcap(data, payload, fs);
  }
  std::cout << out;
  std::cout.flush();
  for (const auto& m : fs.messages) fmt::print(stderr, "skyfuse decode: {}: {}\n", o.file, m);
  for (const auto& m : dec.stats().messages)
    fmt::print(stderr, "skyfuse decode: {}: {}\n", o.file, m);
  more_errors(o.file, fs.errors + dec.stats().errors,
              fs.messages.size() + dec.stats().messages.size());
  // Blocks of categories not loaded were framed right: not a format error.
  const int rc = nothing_decoded(o, dec.stats().records + dec.stats().unknown_category_blocks,
                                 data.size(), fs.errors + dec.stats().errors);
  if (o.stats) {
    const auto& s = dec.stats();
    std::string per;
    for (const auto& [c, n] : s.records_per_category)
      per += fmt::format("{}\"{:03d}\":{}", per.empty() ? "" : ",", c, n);
    fmt::print(stderr,
               "{{\"frames\":{},\"framing_errors\":{},\"blocks\":{},\"records\":{},\"records_per_"
               "category\":{{{}}},"
               "\"errors\":{},\"unknown_category_blocks\":{}}}\n",
               fs.frames, fs.errors, s.blocks, s.records, per, s.errors, s.unknown_category_blocks);
  }
  return rc;
}

// What a file's first bytes say it is, when they say it clearly: "beast"
// (0x1A then a frame type '1'..'4'), "avr" ('*', '@' or ':' then hex), "sbs"
// ("MSG," ...), "pcap" (pcap or pcapng magic); empty otherwise (ASTERIX, CSV
// and FINAL are not claimed).
std::string sniff_format(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string head(64, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  if (head.size() < 4) return "";
  const auto b = [&](std::size_t i) { return static_cast<unsigned char>(head[i]); };
  if (b(0) == 0x1a && b(1) >= '1' && b(1) <= '4') return "beast";
  const std::uint32_t magic =
      (std::uint32_t{b(0)} << 24) | (std::uint32_t{b(1)} << 16) | (std::uint32_t{b(2)} << 8) | b(3);
  if (magic == 0xd4c3b2a1 || magic == 0xa1b2c3d4 || magic == 0x4d3cb2a1 || magic == 0xa1b23c4d ||
      magic == 0x0a0d0d0a)
    return "pcap";
  for (const char* t : {"MSG,", "SEL,", "ID,", "AIR,", "STA,", "CLK,"})
    if (head.rfind(t, 0) == 0) return "sbs";
  if ((head[0] == '*' || head[0] == '@' || head[0] == ':') && std::isxdigit(b(1))) return "avr";
  return "";
}

int run_decode(const DecodeCliOptions& o) {
  if (!o.file.empty() && o.connect.empty()) {
    // A wrong --format stops here, not with one error per line.
    const std::string looks = sniff_format(o.file);
    const bool capture = o.format == "pcap" || o.format == "remoteid";
    auto upper = [](std::string v) {
      for (char& c : v) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      return v;
    };
    if (!looks.empty() && looks != o.format && !(looks == "pcap" && capture))
      throw ConfigError(fmt::format("{}: this looks like {}, not {} (give --format {})", o.file,
                                    looks == "beast" ? "Beast" : upper(looks),
                                    o.format == "beast" ? "Beast" : upper(o.format), looks));
  }
  if (o.udp_port >= 0 && o.format != "asterix")
    throw ConfigError("--udp carries ASTERIX: use it with --format asterix");
  if (o.oradis && o.format != "pcap") throw ConfigError("--oradis goes with --format pcap");
  if (o.format == "remoteid") {
    if (o.file.empty() || !o.connect.empty())
      throw ConfigError("--format remoteid reads a capture FILE (pcap/pcapng)");
    return run_remoteid_decode(o.file, o.stats);
  }
  if (o.format == "asterix" || o.format == "final" || o.format == "pcap" || o.format == "gps")
    return run_asterix(o);
  std::ifstream in;
  if (o.connect.empty()) {
    if (o.file.empty()) throw ConfigError("decode: give a FILE or --connect HOST:PORT");
    in.open(o.file, std::ios::binary);
    if (!in) throw ConfigError(fmt::format("{}: cannot open file", o.file));
  }
  modes::DecoderConfig cfg;
  cfg.max_corrected_bits = o.max_corrected_bits;
  if (o.receiver.size() == 2) cfg.receiver = GeodeticPosition{o.receiver[0], o.receiver[1], 0};
  modes::Decoder dec(cfg);
  const double t0 = std::isnan(o.start_unix) ? feeds::start_from_name(o.file) : o.start_unix;
  modes::FrameClock clock(t0);
  std::string out;
  out.reserve(1 << 20);
  long emitted = 0;  // lines printed
  std::uint64_t bytes_read = 0;
  auto emit = [&](const modes::RawFrame& f) {
    const Time t = clock(f);
    const modes::Decoded d = dec.decode(f, t);
    if (f.kind == modes::RawFrame::Kind::kModeAC) return;
    if (!o.all && !(d.msg.crc_ok || d.address_known)) return;
    ++emitted;
    out += json_line(d);
    out += '\n';
    if (out.size() > (1 << 20)) {
      std::cout << out;
      out.clear();
    }
  };
  auto emit_sbs = [&](const modes::SbsRecord& r) {
    static constexpr int kDf[9] = {0, 17, 17, 17, 17,
                                   4, 5,  16, 11};  // BaseStation type -> downlink format
    std::string l = fmt::format("{{\"time\":{},\"icao24\":\"{:06x}\",\"df\":{},\"sbs_type\":{}",
                                io::format_time(Time{r.time_ns}), r.icao, kDf[r.transmission_type],
                                r.transmission_type);
    if (!r.callsign.empty()) l += fmt::format(",\"callsign\":\"{}\"", r.callsign);
    if (r.altitude_ft) l += fmt::format(",\"alt_baro_ft\":{}", *r.altitude_ft);
    if (r.lat_deg)
      l += fmt::format(",\"lat_deg\":{:.6f},\"lon_deg\":{:.6f}", *r.lat_deg, *r.lon_deg);
    if (r.gs_kt) l += fmt::format(",\"gs_kt\":{:.1f}", *r.gs_kt);
    if (r.track_deg) l += fmt::format(",\"track_deg\":{:.2f}", *r.track_deg);
    if (r.vrate_fpm) l += fmt::format(",\"vrate_fpm\":{}", *r.vrate_fpm);
    if (r.squawk) l += fmt::format(",\"squawk\":\"{}\"", octal4(*r.squawk));
    if (r.emergency) l += ",\"emergency\":true";
    if (r.on_ground) l += ",\"on_ground\":true";
    out += l + "}\n";
    ++emitted;
  };
  const modes::FramingStats* fs = nullptr;
  modes::SbsParser sbs;
  modes::BeastStream beast;
  modes::AvrParser avr;
  modes::CsvParser csv;
  if (!o.connect.empty()) {
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
      fmt::print(stderr, "skyfuse decode: {} {}\n",
                 connected ? "connected to" : "disconnected from", o.connect);
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
      fmt::print(stderr, "skyfuse decode: cannot connect to {}: {}; retrying in {:g} s\n",
                 o.connect, reason, backoff_s);
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
      fmt::print(stderr, "skyfuse decode: never connected to {} ({} attempts; last: {})\n",
                 o.connect, ts.failed_attempts, ts.last_error);
      return 1;
    }
    return 0;
  }
  if (o.format == "beast") {
    std::vector<std::uint8_t> buf(1 << 16);
    while (in) {
      in.read(reinterpret_cast<char*>(buf.data()), static_cast<std::streamsize>(buf.size()));
      const auto got = static_cast<std::size_t>(in.gcount());
      if (got == 0) break;
      bytes_read += got;
      beast.feed(std::span<const std::uint8_t>(buf.data(), got), emit);
    }
    beast.finish();
    fs = &beast.stats();
  } else {
    std::string line;
    std::int64_t offset = 0;
    while (std::getline(in, line)) {
      bytes_read += line.size() + 1;
      if (o.format == "avr") {
        avr.line(line, offset, emit);
      } else if (o.format == "sbs") {
        sbs.line(line, offset, emit_sbs);
      } else {
        csv.line(line, offset, emit);
      }
      offset += static_cast<std::int64_t>(line.size()) + 1;
      if (out.size() > (1 << 20)) {
        std::cout << out;
        out.clear();
      }
    }
    fs = o.format == "avr" ? &avr.stats() : o.format == "sbs" ? &sbs.stats() : &csv.stats();
  }
  std::cout << out;
  std::cout.flush();
  for (const auto& msg : fs->messages) fmt::print(stderr, "skyfuse decode: {}: {}\n", o.file, msg);
  more_errors(o.file, fs->errors, fs->messages.size());
  const int rc = nothing_decoded(o, emitted, bytes_read, fs->errors);
  if (o.stats) {
    const auto& s = dec.stats();
    // SBS is decoded by the receiver: its records are the messages.
    const bool sbs_feed = o.format == "sbs";
    fmt::print(
        stderr,
        "{{\"frames\":{},\"framing_errors\":{},\"skipped_bytes\":{},\"messages\":{},\"mode_ac\":{},"
        "\"crc_failures\":{},\"corrected\":{},\"unknown_address\":{},\"positions\":{},"
        "\"positions_rejected\":{},\"aircraft\":{}}}\n",
        fs->frames, fs->errors, fs->skipped_bytes, sbs_feed ? emitted : s.messages, s.mode_ac,
        s.crc_failures, s.corrected, s.unknown_address, s.positions, s.positions_rejected,
        dec.aircraft().size());
  }
  return rc;
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
