// File: decode/remoteid/decoder.hpp
//
// The Remote ID receiver: captured packets (any supported link layer, see
// link.hpp) in, one `Decoded` per Remote ID message out, with capture time,
// packet number, transport, transmitter address, RSSI and message counter. A
// Message Pack yields one `Decoded` per message it holds. Nothing is ever
// thrown on bad bytes: every malformed packet, payload or message is counted
// with its packet number and a reason, bad FCS/CRC packets are counted and
// dropped, and decoding goes on. The only state is the reassembly of HCI
// extended advertising data split over several events (bounded).
//
//   remoteid::Decoder dec;
//   dec.decode(kDltRadiotap, t, frame_no, packet, [](const remoteid::Decoded& d) {
//     if (auto* loc = std::get_if<remoteid::Location>(&d.message.body)) use(*loc);
//   });
//   for (const auto& e : dec.stats().first_errors) log(e.frame, e.error.detail);
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "core/time.hpp"
#include "decode/remoteid/link.hpp"
#include "decode/remoteid/message.hpp"

namespace skyfuse::decode::remoteid {

struct Decoded {
  Time time;               // capture time
  std::int64_t frame = 0;  // packet number in the capture (1-based)
  Transport transport = Transport::kWifiBeacon;
  std::optional<Mac> mac;
  std::optional<int> rssi_dbm;
  std::uint8_t msg_counter = 0;
  std::uint8_t pack_index = 0;  // position in the Message Pack
  std::uint8_t pack_size = 0;   // messages in the pack; 0 if the message was sent alone
  Message message;
  Bytes raw;  // the message's 25 bytes; valid only during the sink call
};

struct FrameError {
  std::int64_t frame = 0;
  Error error;
};

struct DecoderStats {
  long packets = 0;          // packets given to decode()
  long rid_packets = 0;      // packets carrying at least one Remote ID payload
  long other_packets = 0;    // well-formed packets without Remote ID (other beacons, NAN sync ...)
  long check_failed = 0;     // bad 802.11 FCS or Bluetooth CRC: dropped
  long errors = 0;           // malformed packets, payloads and messages
  long messages = 0;         // decoded messages
  long unknown_version = 0;  // ... of protocol versions above 2 (decoded all the same)
  std::array<long, kTransports> payloads_per_transport{};
  std::array<long, kTransports> messages_per_transport{};
  std::array<long, 6> messages_per_type{};  // indexed by MessageType 0..5
  std::vector<FrameError> first_errors;     // the first DecoderConfig::kept_errors
};

struct DecoderConfig {
  std::size_t kept_errors = 1000;     // errors kept with their packet number (all are counted)
  std::size_t max_pending_sets = 64;  // HCI advertising sets being reassembled at once
};

class Decoder {
 public:
  explicit Decoder(DecoderConfig cfg = {}) : cfg_(cfg) {}

  // One captured packet of link type `dlt`; calls `sink(const Decoded&)` per message.
  template <typename Sink>
  void decode(int dlt, Time t, std::int64_t frame, Bytes packet, Sink&& sink);

  // Counts an error of the caller's (e.g. a damaged capture file).
  void error(std::int64_t frame, Error e);

  const DecoderStats& stats() const { return stats_; }

 private:
  // HCI extended report: the complete advertising data once all fragments are
  // in (empty while waiting), searched for Remote ID.
  Result<Bytes> assemble(const Frame& f);
  // The messages of one Remote ID payload, through `sink`.
  template <typename Sink>
  void emit(const Frame& f, Time t, std::int64_t frame, Bytes odid, Sink& sink);
  void count(const Decoded& d);

  DecoderConfig cfg_;
  DecoderStats stats_;
  using SetKey = std::tuple<Mac, std::uint8_t, std::uint8_t>;  // address, address type, SID
  std::map<SetKey, std::vector<std::uint8_t>> pending_;
  std::vector<std::uint8_t> assembled_;
};

// ---------------------------------------------------------------------------
template <typename Sink>
void Decoder::decode(int dlt, Time t, std::int64_t frame, Bytes packet, Sink&& sink) {
  ++stats_.packets;
  auto link = parse_link(dlt, packet);
  if (!link) {
    error(frame, link.error());
    return;
  }
  if (link->check_failed) {
    ++stats_.check_failed;
    return;
  }
  bool carried = false;
  for (const Frame& f : link->frames()) {
    Bytes odid = f.odid;
    if (odid.empty()) {  // an HCI extended report: raw advertising data, maybe a fragment
      auto a = assemble(f);
      if (!a) {
        carried = true;
        error(frame, a.error());
        continue;
      }
      odid = *a;
    }
    if (odid.empty()) continue;
    carried = true;
    emit(f, t, frame, odid, sink);
  }
  if (carried)
    ++stats_.rid_packets;
  else
    ++stats_.other_packets;
}

template <typename Sink>
void Decoder::emit(const Frame& f, Time t, std::int64_t frame, Bytes odid, Sink& sink) {
  auto p = parse_payload(odid);
  const char* transport = to_string(f.transport);
  if (!p) {
    Error e = p.error();
    e.detail = std::string(transport) + " payload: " + e.detail;
    error(frame, std::move(e));
    return;
  }
  ++stats_.payloads_per_transport[static_cast<std::size_t>(f.transport)];
  const std::size_t n = p->count();
  for (std::size_t i = 0; i < n; ++i) {
    auto m = decode_message(p->message(i));
    if (!m) {
      Error e = m.error();
      e.detail = std::string(transport) + " message " + std::to_string(i + 1) + " of " +
                 std::to_string(n) + ": " + e.detail;
      error(frame, std::move(e));
      continue;
    }
    Decoded d;
    d.time = t;
    d.frame = frame;
    d.transport = f.transport;
    d.mac = f.mac;
    d.rssi_dbm = f.rssi_dbm;
    d.msg_counter = p->counter;
    d.pack_index = static_cast<std::uint8_t>(i);
    d.pack_size = p->packed ? static_cast<std::uint8_t>(n) : 0;
    d.message = std::move(*m);
    d.raw = p->message(i);
    count(d);
    sink(static_cast<const Decoded&>(d));
  }
}

}  // namespace skyfuse::decode::remoteid
