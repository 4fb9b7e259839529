// File: sim/beast_network.hpp
//
// A simulated receiver network (simulate_network) as the receivers themselves
// would send it: one Beast stream per receiver, each frame the real Mode S
// bytes of the transmission (parity included) with the receiver's own 48-bit
// MLAT timestamp and a signal byte. ADS-B aircraft's messages (references)
// are DF17 airborne positions (type code 11, barometric altitude, CPR even and
// odd in turn); the others DF11 all-call replies (every third, so their
// address is known) and DF4 altitude replies (address in the parity).
// Timestamps: Beast 12 MHz ticks, SBS 20 MHz ticks, GPS seconds of the UTC day
// (upper 18 bits) and nanoseconds (lower 30), as mlat/timestamp.hpp reads them.
//
//   sim::NetworkFeed net = sim::simulate_network(cfg, scenario, seed);
//   sim::BeastStreams b = sim::to_beast_streams(net);
//   write(b.streams[k]);   // receiver net.receivers.all()[k], first frame at b.start_unix[k]
//
// Units: SI; altitudes encoded in feet (25 ft steps), as Mode S does.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "sim/simulator.hpp"

namespace skyfuse::sim {

// Mode S frames with their parity.
std::array<std::uint8_t, 7> encode_df11(std::uint32_t icao);
std::array<std::uint8_t, 7> encode_df4(std::uint32_t icao, int altitude_ft);
std::array<std::uint8_t, 14> encode_df17_airborne_position(std::uint32_t icao, double lat_deg,
                                                           double lon_deg, int altitude_ft,
                                                           bool odd);
// One Beast frame (type '2' for 7 bytes, '3' for 14; 0x1A escaped) appended to `out`.
void append_beast_frame(std::vector<std::uint8_t>& out, std::span<const std::uint8_t> frame,
                        std::uint64_t timestamp48, std::uint8_t signal);

struct BeastStreams {
  std::vector<std::vector<std::uint8_t>> streams;  // per receiver, in ReceiverSet::all() order
  std::vector<double> start_unix;  // true time of each stream's first frame [s] (0: no frame)
  std::vector<std::int64_t> frames;
};

// Messages without an address are left out.
BeastStreams to_beast_streams(const NetworkFeed& feed);

}  // namespace skyfuse::sim
