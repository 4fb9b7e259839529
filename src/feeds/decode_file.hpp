// File: feeds/decode_file.hpp
//
// `skyfuse decode FILE` as a library function: a recorded receiver feed
// (Mode S / ADS-B: beast, avr, sbs, csv), an ASTERIX recording (asterix, final,
// pcap, gps) or a Remote ID capture (remoteid; feeds/remoteid_json.hpp) decoded to JSON objects,
// one per message or record, exactly as the CLI prints them (docs/formats.md); bad input is counted
// and described with its offset, decoding goes on. The CLI and the Python module both call it, so
// their fields are the same. The one-line writers are also used by the CLI's
// live inputs (--connect, --udp).
//
//   feeds::DecodeOptions o;
//   o.format = "beast";
//   auto s = feeds::decode_file("capture.bin", o, [](std::string_view line) { ... });
//   for (const auto& m : s.messages) std::cerr << m << "\n";
#pragma once

#include <cmath>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/types.hpp"
#include "decode/asterix/decoder.hpp"

namespace skyfuse::decode::modes {
struct Decoded;
struct SbsRecord;
}  // namespace skyfuse::decode::modes

namespace skyfuse::feeds {

struct DecodeOptions {
  std::string format = "beast";  // beast|avr|sbs|csv|asterix|final|pcap|gps|remoteid
  bool all = false;              // Mode S: also frames failing CRC / of unknown addresses
  bool oradis = false;           // pcap: each UDP payload is ORADIS frames
  int port = 0;                  // pcap: only datagrams to this UDP port (0: every one)
  std::optional<GeodeticPosition> receiver;  // Mode S: surface positions, range check
  double start_unix = NAN;  // Beast/AVR: Unix time of the first frame (NaN: from the name)
  int max_corrected_bits = 1;
  std::vector<std::string> editions;  // ASTERIX: "48=1.32" overrides
  std::string specs;                  // directory of the asterix-specs definitions
};

struct DecodeSummary {
  long decoded = 0;                   // messages/records found (0 with bytes > 0: wrong format?)
  std::uint64_t bytes = 0;            // input bytes read
  long errors = 0;                    // framing and decoding errors
  std::vector<std::string> messages;  // the first errors, "offset N: reason"
  std::string stats_json;             // counts as one JSON object (`decode --stats`), no line end
  long packets = 0;                   // remoteid: packets in the capture
};

// One JSON object per line, without the line end.
using LineSink = std::function<void(std::string_view)>;

// Throws ConfigError when the file cannot be read, a --edition is malformed,
// a spec is missing, or the file's first bytes show another format than
// `o.format` ("this looks like Beast, not AVR").
DecodeSummary decode_file(const std::string& path, const DecodeOptions& o, const LineSink& sink);

// A file that gave nothing at all is a failure (a wrong format, garbage), not
// an empty success: the message saying so ("FILE: nothing decoded from N bytes
// (E errors); is --format X right?", "FILE: no Remote ID message in N
// packets"), or empty when something was decoded.
std::string nothing_decoded(const std::string& path, const std::string& format,
                            const DecodeSummary& s);

// What a file's first bytes say it is when they say it clearly: "beast",
// "avr", "sbs", "pcap"; empty otherwise (ASTERIX, CSV and FINAL are not claimed).
std::string sniff_format(const std::string& path);
// Throws ConfigError when sniff_format(path) contradicts `format`.
void check_format(const std::string& path, const std::string& format);

// An ASTERIX decoder of the default editions with `editions` ("48=1.32")
// instead, loaded from the asterix-specs directory `specs`; ConfigError if one
// is malformed or missing.
decode::asterix::Decoder asterix_decoder(const std::vector<std::string>& editions,
                                         const std::string& specs);

// One message or record as one JSON object (no line end), as `decode` prints.
std::string modes_json(const decode::modes::Decoded& d);
std::string sbs_json(const decode::modes::SbsRecord& r);
std::string asterix_json(const decode::asterix::Record& r);

}  // namespace skyfuse::feeds
