// File: live/recording_export.hpp
//
// `skyfuse export`: the ASTERIX inputs of a recording (or of a time window of
// it) written as a pcap capture or a FINAL recording, one datagram / frame per
// recorded packet, as the sensors delivered them (file inputs: the data
// blocks unwrapped from their container). Each run's own configuration (the
// recording header) says which sources are ASTERIX and where each went:
//
//   pcap   source 10.1.SAC.SIC port 40000 + index; destination the sensor's
//          `udp:` group (else 127.0.0.1) and port (else 8600 + index: the
//          first sensor on Wireshark's ASTERIX port 8600)
//   FINAL  board 0, line = sensor index + 1 (mod 256)
//
// Time stamps are the packets' arrival times (the wall clock at the edge, as
// a capture would have it); --from/--to select on them ([from, to)). Other
// inputs (Beast, AVR, SBS, JSON Lines, Remote ID) are skipped and counted per
// sensor. docs/formats.md#export.
//
//   ExportOptions o{.recording = "rec/", .out = "rec.pcap", .format = ExportFormat::kPcap};
//   o.load_config = ...;  // the TOML text of a header -> SystemConfig
//   ExportResult r = export_recording(o);
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "live/system_config.hpp"

namespace skyfuse::live {

enum class ExportFormat : std::uint8_t { kPcap, kFinal };

struct ExportOptions {
  std::string recording;  // a .sfrec file or a folder of them
  std::string out;
  ExportFormat format = ExportFormat::kPcap;
  std::optional<double> from_s, to_s;  // Unix seconds of arrival: [from, to)
  std::function<SystemConfig(const std::string& text, const std::string& name)> load_config;
};

struct ExportedSensor {
  std::string name;
  std::string format;  // the feed's
  bool asterix = false;
  std::uint16_t dst_port = 0;  // pcap
  std::uint64_t packets = 0, bytes = 0;
  std::uint64_t skipped = 0;    // not ASTERIX
  std::uint64_t oversized = 0;  // over the container's limit
};

struct ExportResult {
  std::vector<ExportedSensor> sensors;  // of the last run
  std::uint64_t packets = 0;            // written
  std::uint64_t skipped = 0;            // not ASTERIX (all sensors)
  std::uint64_t oversized = 0;
  std::uint64_t outside = 0;          // ASTERIX packets outside the time window
  std::uint64_t unknown_source = 0;   // inputs of no configured sensor
  std::vector<std::string> problems;  // damage the reader skipped
  bool damaged = false;
};

// Throws ConfigError for an unreadable recording or output.
ExportResult export_recording(const ExportOptions& o);

}  // namespace skyfuse::live
