// File: feeds/remote_id_feed.hpp
//
// A Remote ID receiver as a sensor (`kind = "remote_id"`, `format = "pcap"`,
// FeedFormat::kRemoteIdPcap): captured Wi-Fi / Bluetooth packets in, one
// `Report` per distinct Location/Vector message of each UA out.
//
// libpcap reads the capture (a file, a pcap stream, an interface: the
// decode_remoteid CaptureReader); each captured packet travels from there to
// the feed's decoder as one *packet record*, which is also what the live
// queue and recordings carry:
//
//   u32 data length | i32 pcap link type (DLT) | i64 capture time (ns since
//   the Unix epoch) | i64 packet number (1-based) | data     (little endian)
//
// The decoder pairs each Location with what the same transmitter (MAC
// address) sent before: the Basic ID (the serial number, else a session ID,
// UTM UUID or registration: `Identity::remote_id`) and the System message
// (the operator's position). A Location repeated unchanged (beacons repeat
// each message until the next) gives one report. A Location heard before
// any Basic ID of its transmitter waits up to `kHoldS` of capture time for
// one, then goes out without a serial.
//
// Report (docs/design.md, "Remote ID as a sensor"): time of the message's own time stamp
// placed in the hour of reception (the capture time if it has none or if it
// is more than `kMaxClockOffsetS` from the capture time); WGS-84 latitude and
// longitude; height: the geodetic altitude, else the operator's geodetic
// altitude plus the height above take-off, else the pressure altitude (as
// `baro_alt_m`), else the receiver's site height plus the height above
// take-off or ground (sigma 30 m: the ground near a receiver); covariance
// from the accuracy classes (95 % bounds: horizontal / 2.448 per axis,
// vertical / 1.96; zero when unknown, which the tracker reads as the
// sensor's `sigma_position_m`); velocity from
// ground speed, track and vertical speed (0 when unknown), its covariance
// from the speed accuracy class; `emergency` for status 3; the link's RSSI
// (`rssi_dbm`) and the message time stamp minus the capture time
// (`clock_offset_s`), which the spoofing checks read.
//
//   std::vector<std::uint8_t> rec;
//   append_packet_record(rec, dlt, t, number, packet);
//   decoder.feed(rec, arrival, number, reports);  // the FeedDecoder of the sensor
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/types.hpp"
#include "decode/remoteid/fix.hpp"
#include "feeds/feed.hpp"
#include "feeds/feed_decoder.hpp"

namespace skyfuse::feeds {

inline constexpr std::size_t kPacketRecordHeader = 24;
inline constexpr std::size_t kMaxPacketRecordData = 1 << 18;  // larger: a damaged stream
inline constexpr double kHoldS = 3.0;                         // a Location waiting for a Basic ID
inline constexpr double kMaxClockOffsetS = 10.0;              // message time stamp vs capture time

void append_packet_record(std::vector<std::uint8_t>& out, int dlt, Time t, std::int64_t number,
                          std::span<const std::uint8_t> data);

// One packet record's place in a buffer of records.
struct RecordSpan {
  std::int64_t number = 0;  // packet number in the capture
  std::size_t begin = 0, size = 0;
};

// A whole capture file held in memory (pcap or pcapng, read by libpcap) as
// packet records appended to `records`, one span each. Returns "" or what
// stopped the reading (unreadable file, a damaged packet: the packets before
// it are kept).
std::string capture_to_records(std::span<const std::uint8_t> file,
                               std::vector<std::uint8_t>& records, std::vector<RecordSpan>& spans);

// The Report of one position fix of a Remote ID receiver (pure; see above).
// `capture`: when the packet was captured.
Report remote_id_report(const decode::remoteid::PositionFix& fix, const Sensor& sensor,
                        Time capture, const std::optional<OperatorPosition>& op);

// The FormatDecoder of a kRemoteIdPcap feed (make_format_decoder's).
std::unique_ptr<FormatDecoder> make_remote_id_decoder(const FeedConfig& feed, const Sensor& sensor,
                                                      bool live, Diagnostics& diagnostics);

// A Remote ID capture file read into Reports (read_feed's).
FeedData read_remote_id_capture(const FeedConfig& feed, const Sensor& sensor);

}  // namespace skyfuse::feeds
