// File: feeds/remoteid_json.hpp
//
// Remote ID messages as `skyfuse decode --format remoteid` prints them: one
// JSON object per message with the capture time, transport, transmitter
// address, RSSI, message counter and the message's fields with units in their
// names (docs/formats.md); and the capture's counts (`--stats`). Used by the
// CLI and by feeds::decode_file (the Python module).
//
//   remoteid::decode_capture(path, [](const remoteid::Decoded& d) {
//     std::puts(feeds::remoteid_json(d).c_str());
//   });
#pragma once

#include <string>

#include "decode/remoteid/capture.hpp"

namespace skyfuse::feeds {

// One message as one JSON object (no line end).
std::string remoteid_json(const decode::remoteid::Decoded& d);
// A capture's counts per transport, message type and error, one JSON object.
std::string remoteid_stats_json(const decode::remoteid::DecoderStats& s);

}  // namespace skyfuse::feeds
