#include "feeds/decode_file.hpp"

#include <fmt/format.h>

#include <cctype>
#include <fstream>
#include <iterator>
#include <map>

#include "core/error.hpp"
#include "core/input_file.hpp"
#include "decode/asterix/catalogue.hpp"
#include "decode/asterix/decoder.hpp"
#include "decode/asterix/framing.hpp"
#include "decode/modes/commb.hpp"
#include "decode/modes/decoder.hpp"
#include "feeds/feed.hpp"
#include "feeds/remoteid_json.hpp"

namespace skyfuse::feeds {

namespace modes = decode::modes;

namespace {

std::string octal4(std::uint16_t v) { return fmt::format("{:04o}", v); }

}  // namespace

std::string modes_json(const modes::Decoded& d) {
  const modes::Message& m = d.msg;
  std::string o = fmt::format("{{\"time\":{},\"icao24\":\"{:06x}\",\"df\":{}", format_time(d.time),
                              m.icao, m.df);
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

std::string sbs_json(const modes::SbsRecord& r) {
  static constexpr int kDf[9] = {0, 17, 17, 17, 17, 4, 5, 16, 11};  // BaseStation type -> DF
  std::string l = fmt::format("{{\"time\":{},\"icao24\":\"{:06x}\",\"df\":{},\"sbs_type\":{}",
                              format_time(Time{r.time_ns}), r.icao, kDf[r.transmission_type],
                              r.transmission_type);
  if (!r.callsign.empty()) l += fmt::format(",\"callsign\":\"{}\"", r.callsign);
  if (r.altitude_ft) l += fmt::format(",\"alt_baro_ft\":{}", *r.altitude_ft);
  if (r.lat_deg) l += fmt::format(",\"lat_deg\":{:.6f},\"lon_deg\":{:.6f}", *r.lat_deg, *r.lon_deg);
  if (r.gs_kt) l += fmt::format(",\"gs_kt\":{:.1f}", *r.gs_kt);
  if (r.track_deg) l += fmt::format(",\"track_deg\":{:.2f}", *r.track_deg);
  if (r.vrate_fpm) l += fmt::format(",\"vrate_fpm\":{}", *r.vrate_fpm);
  if (r.squawk) l += fmt::format(",\"squawk\":\"{}\"", octal4(*r.squawk));
  if (r.emergency) l += ",\"emergency\":true";
  if (r.on_ground) l += ",\"on_ground\":true";
  return l + "}";
}

std::string asterix_json(const decode::asterix::Record& r) {
  return fmt::format(
      "{{\"cat\":{},\"edition\":\"{}\",\"offset\":{},\"items\":{}}}", r.category, r.edition,
      r.offset, r.items.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
}

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

std::string nothing_decoded(const std::string& path, const std::string& format,
                            const DecodeSummary& s) {
  if (format == "remoteid")
    return s.decoded > 0 ? ""
                         : fmt::format("{}: no Remote ID message in {} packets", path, s.packets);
  if (s.decoded > 0 || s.bytes == 0) return "";
  return fmt::format("{}: nothing decoded from {} bytes ({} errors); is --format {} right?", path,
                     s.bytes, s.errors, format);
}

void check_format(const std::string& path, const std::string& format) {
  // A wrong --format stops here, not with one error per line.
  const std::string looks = sniff_format(path);
  const bool capture = format == "pcap" || format == "remoteid";
  auto upper = [](std::string v) {
    for (char& c : v) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return v;
  };
  if (!looks.empty() && looks != format && !(looks == "pcap" && capture))
    throw ConfigError(fmt::format("{}: this looks like {}, not {} (give --format {})", path,
                                  looks == "beast" ? "Beast" : upper(looks),
                                  format == "beast" ? "Beast" : upper(format), looks));
}

decode::asterix::Decoder asterix_decoder(const std::vector<std::string>& editions,
                                         const std::string& specs) {
  std::map<int, std::string> chosen = decode::asterix::default_editions();
  for (const auto& e : editions) {
    const auto eq = e.find('=');
    if (eq == std::string::npos) throw ConfigError("--edition wants CAT=X.Y, e.g. 48=1.32");
    chosen[std::stoi(e.substr(0, eq))] = e.substr(eq + 1);
  }
  std::vector<decode::asterix::Category> cats;
  for (const auto& [cat, ed] : chosen)
    cats.push_back(decode::asterix::load_category(
        fmt::format("{}/cat{:03d}/cat{:03d}-{}.json", specs, cat, cat, ed)));
  return decode::asterix::Decoder(std::move(cats));
}

namespace {

DecodeSummary decode_asterix(const std::string& path, const DecodeOptions& o,
                             const LineSink& sink) {
  decode::asterix::Decoder dec = asterix_decoder(o.editions, o.specs);
  const std::vector<std::uint8_t> data = read_input_bytes(path, "file");
  auto record = [&](const decode::asterix::Record& r) { sink(asterix_json(r)); };
  decode::asterix::FramingStats fs;
  const auto payload = [&](const decode::asterix::Payload& p) {
    dec.decode_stream(p.bytes, p.offset, record);
  };
  // A capture's datagrams to the chosen port only (read_pcap filters them
  // before ORADIS splits them).
  const auto port = static_cast<std::uint16_t>(o.port);
  if (o.format == "asterix") {
    dec.decode_stream(data, 0, record);
  } else if (o.format == "final") {
    decode::asterix::read_final(data, payload, fs);
  } else if (o.format == "gps") {
    decode::asterix::read_gps(data, payload, fs);
  } else if (o.oradis) {
    decode::asterix::read_pcap(
        data,
        [&](const decode::asterix::Payload& p) { decode::asterix::split_oradis(p, payload, fs); },
        fs, port);
  } else {
    decode::asterix::read_pcap(data, payload, fs, port);
  }
  const auto& s = dec.stats();
  DecodeSummary out;
  out.messages = fs.messages;
  out.messages.insert(out.messages.end(), s.messages.begin(), s.messages.end());
  out.errors = fs.errors + s.errors;
  // Blocks of categories not loaded were framed right: not a format error.
  out.decoded = s.records + s.unknown_category_blocks;
  out.bytes = data.size();
  std::string per;
  for (const auto& [c, n] : s.records_per_category)
    per += fmt::format("{}\"{:03d}\":{}", per.empty() ? "" : ",", c, n);
  out.stats_json = fmt::format(
      "{{\"frames\":{},\"framing_errors\":{},\"packets_without_udp\":{},"
      "\"reassembled_datagrams\":{},\"datagrams_to_other_ports\":{},\"blocks\":{},"
      "\"records\":{},\"records_per_category\":{{{}}},"
      "\"errors\":{},\"unknown_category_blocks\":{}}}",
      fs.frames, fs.errors, fs.skipped, fs.reassembled, fs.other_port, s.blocks, s.records, per,
      s.errors, s.unknown_category_blocks);
  return out;
}

DecodeSummary decode_modes(const std::string& path, const DecodeOptions& o, const LineSink& sink) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(fmt::format("{}: cannot open file", path));
  modes::DecoderConfig cfg;
  cfg.max_corrected_bits = o.max_corrected_bits;
  cfg.receiver = o.receiver;
  modes::Decoder dec(cfg);
  const double t0 = std::isnan(o.start_unix) ? start_from_name(path) : o.start_unix;
  modes::FrameClock clock(t0);
  long emitted = 0;  // lines given to the sink
  std::uint64_t bytes_read = 0;
  auto emit = [&](const modes::RawFrame& f) {
    const Time t = clock(f);
    const modes::Decoded d = dec.decode(f, t);
    if (f.kind == modes::RawFrame::Kind::kModeAC) return;
    if (!o.all && !(d.msg.crc_ok || d.address_known)) return;
    ++emitted;
    sink(modes_json(d));
  };
  auto emit_sbs = [&](const modes::SbsRecord& r) {
    ++emitted;
    sink(sbs_json(r));
  };
  const modes::FramingStats* fs = nullptr;
  modes::SbsParser sbs;
  modes::BeastStream beast;
  modes::AvrParser avr;
  modes::CsvParser csv;
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
    }
    fs = o.format == "avr" ? &avr.stats() : o.format == "sbs" ? &sbs.stats() : &csv.stats();
  }
  DecodeSummary out;
  out.messages = fs->messages;
  out.errors = fs->errors;
  out.decoded = emitted;
  out.bytes = bytes_read;
  const auto& s = dec.stats();
  // SBS is decoded by the receiver: its records are the messages.
  const bool sbs_feed = o.format == "sbs";
  out.stats_json = fmt::format(
      "{{\"frames\":{},\"framing_errors\":{},\"skipped_bytes\":{},\"messages\":{},\"mode_ac\":{},"
      "\"crc_failures\":{},\"corrected\":{},\"unknown_address\":{},\"positions\":{},"
      "\"positions_rejected\":{},\"aircraft\":{}}}",
      fs->frames, fs->errors, fs->skipped_bytes, sbs_feed ? emitted : s.messages, s.mode_ac,
      s.crc_failures, s.corrected, s.unknown_address, s.positions, s.positions_rejected,
      dec.aircraft().size());
  return out;
}

DecodeSummary decode_remoteid(const std::string& path, const LineSink& sink) {
  namespace rid = decode::remoteid;
  auto st = rid::decode_capture(path, [&](const rid::Decoded& d) { sink(remoteid_json(d)); });
  if (!st) throw ConfigError(fmt::format("{}: {}", path, st.error().detail));
  const rid::DecoderStats& s = *st;
  DecodeSummary out;
  for (const auto& e : s.first_errors)
    out.messages.push_back(fmt::format("frame {}: {}", e.frame, e.error.detail));
  out.errors = s.errors;
  out.decoded = s.messages;
  out.packets = s.packets;
  out.stats_json = remoteid_stats_json(s);
  return out;
}

}  // namespace

DecodeSummary decode_file(const std::string& path, const DecodeOptions& o, const LineSink& sink) {
  require_regular_file(path, "file");  // a device or FIFO would never end, or block
  check_format(path, o.format);
  if (o.oradis && o.format != "pcap") throw ConfigError("--oradis goes with --format pcap");
  if (o.port != 0 && o.format != "pcap")
    throw ConfigError("a UDP port filters a capture: it goes with --format pcap");
  if (o.format == "asterix" || o.format == "final" || o.format == "pcap" || o.format == "gps")
    return decode_asterix(path, o, sink);
  if (o.format == "beast" || o.format == "avr" || o.format == "sbs" || o.format == "csv")
    return decode_modes(path, o, sink);
  if (o.format == "remoteid") return decode_remoteid(path, sink);
  throw ConfigError(fmt::format(
      "{}: format \"{}\" is not one of beast, avr, sbs, csv, asterix, final, pcap, gps, "
      "remoteid",
      path, o.format));
}

}  // namespace skyfuse::feeds
