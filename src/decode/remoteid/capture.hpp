// File: decode/remoteid/capture.hpp
//
// Packet captures read through libpcap (classic pcap and pcapng, microsecond
// or nanosecond time stamps; libpcap knows the formats, we never parse them),
// and `decode_capture()`: every packet of a capture through the Decoder.
// Packets are numbered from 1 as Wireshark numbers them. A damaged file stops
// the reading at the damage; what came before is kept and the damage counted.
//
//   auto stats = remoteid::decode_capture("flight.pcapng", [](const remoteid::Decoded& d) {
//     print(d.time, d.mac, d.message.type());
//   });
//   if (!stats) fail(stats.error().detail);  // unreadable file or unsupported link type
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"
#include "decode/remoteid/decoder.hpp"

namespace skyfuse::decode::remoteid {

struct CapturedPacket {
  std::int64_t number = 0;  // 1-based
  Time time;                // capture time stamp
  Bytes data;               // captured bytes; valid until the next call to next()
  std::uint32_t original_length = 0;
};

class CaptureReader {
 public:
  // A capture file (pcap or pcapng).
  static Result<CaptureReader> open(const std::string& path);
  // A capture held in memory (copied), e.g. for tests and fuzzing.
  static Result<CaptureReader> open_memory(Bytes file);

  int link_type() const { return dlt_; }  // pcap DLT of the packets
  // The next packet; empty at the end of the capture; an error (kIo) if the
  // file is damaged there (reading stops).
  Result<std::optional<CapturedPacket>> next();

  CaptureReader(CaptureReader&&) noexcept = default;
  CaptureReader& operator=(CaptureReader&&) noexcept = default;
  ~CaptureReader();

 private:
  struct Handle;
  explicit CaptureReader(std::unique_ptr<Handle> h);
  std::unique_ptr<Handle> h_;
  int dlt_ = 0;
  std::int64_t number_ = 0;
  bool done_ = false;
};

using DecodedSink = std::function<void(const Decoded&)>;

// Every packet of `reader` through a Decoder. An unsupported link type is an
// error (kUnsupported); a damaged file ends the decoding and is counted.
Result<DecoderStats> decode_capture(CaptureReader& reader, const DecodedSink& sink,
                                    DecoderConfig cfg = {});
// The same for a file; errors also for a file libpcap cannot open.
Result<DecoderStats> decode_capture(const std::string& path, const DecodedSink& sink,
                                    DecoderConfig cfg = {});

}  // namespace skyfuse::decode::remoteid
