// File: apps/remoteid_decode.hpp
//
// `skyfuse decode --format remoteid FILE`: the Remote ID messages of a pcap or
// pcapng capture (Wi-Fi beacon / NAN, Bluetooth 4 / 5; link layers of
// decode/remoteid/link.hpp) as JSON Lines, one object per message, with the
// capture time, transport, transmitter address, RSSI, message counter and the
// message's fields with units in their names (docs/formats.md). Malformed
// packets are printed to stderr with their packet number; `--stats` adds
// counts per transport, message type and error to stderr.
//
//   return run_remoteid_decode("flight.pcapng", /*stats=*/true);  // exit code
#pragma once

#include <string>

#include "feeds/remoteid_json.hpp"

namespace skyfuse::apps {

// Exit code: 0 when at least one Remote ID message was decoded; 1 when the
// file cannot be read, its link type is not supported, or it holds no Remote ID.
int run_remoteid_decode(const std::string& file, bool stats);

// One message as the JSON object printed (no line end): feeds/remoteid_json.hpp.
using feeds::remoteid_json;

}  // namespace skyfuse::apps
