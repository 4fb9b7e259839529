// File: decode/modes/decoder.hpp
//
// The stateful Mode S decoder: per-aircraft state (identity, last position and
// velocity, quality), CPR pairing and local decoding, position plausibility
// (range from the receiver, speed from the last position; rejections counted
// as readsb does), address/parity recovery for DF0/4/5/16/20/21 against
// aircraft already seen with a clean DF11/17/18, and conversion to `Report`s.
//
//   modes::Decoder dec({.receiver = GeodeticPosition{59.7, 30.6, 0}});
//   modes::Decoded d = dec.decode(frame, time);
//   if (d.position) ...;  if (auto r = dec.to_report(d)) tracker_input(*r);
#pragma once

#include <cstdint>
#include <optional>
#include <unordered_map>

#include "core/types.hpp"
#include "decode/modes/cpr.hpp"
#include "decode/modes/framing.hpp"
#include "decode/modes/message.hpp"

namespace skyfuse::decode::modes {

struct DecoderConfig {
  std::optional<GeodeticPosition> receiver;  // enables surface decoding and the range check
  double max_range_m = 600e3;                // positions farther from the receiver are rejected
  double airborne_pair_window_s = 10;        // even/odd pair for global airborne decoding
  double surface_pair_window_s = 25;
  double local_reference_max_age_s = 600;  // last position usable for local decoding
  double max_speed_kt = 2000;              // plausibility between consecutive positions
  int max_corrected_bits = 1;              // DF11/17/18 error correction: 0, 1 or 2
  SensorId sensor = 0;
};

struct Decoded {
  Message msg;
  Time time;
  bool address_known = false;  // AP frames: address seen before in a clean DF11/17/18
  std::optional<cpr::LatLon> position;
  bool position_rejected = false;
  std::int64_t offset = -1;
};

struct DecoderStats {
  long messages = 0;
  long mode_ac = 0;
  long crc_failures = 0;  // DF11/17/18 that did not check even after correction
  long corrected = 0;
  long unknown_address = 0;  // AP frames from no known aircraft (dropped)
  long positions = 0;
  long positions_global = 0;               // ... of which from an even/odd pair (the rest: local)
  long cpr_airborne = 0, cpr_surface = 0;  // CPR position messages received
  long positions_rejected = 0;  // failed range or speed plausibility, or inconsistent pairs
  long commb_resolved = 0;      // ambiguous Comm-B replies resolved from the aircraft's history
  long commb_ambiguous = 0;     // ... left ambiguous
};

struct AircraftState {
  std::uint32_t icao = 0;
  Time last_seen;
  std::string callsign;
  std::uint8_t category = 0;
  std::optional<int> altitude_ft;
  std::optional<int> gnss_altitude_ft;
  std::optional<std::uint16_t> squawk;
  std::uint8_t emergency = 0;  // TC28 emergency/priority state (0: none)
  std::optional<Velocity> velocity;
  std::optional<CprFix> even, odd;
  Time even_time, odd_time;
  std::optional<cpr::LatLon> position;
  Time position_time;
  std::uint8_t nacp = 0, nic = 0, version = 0;
  std::optional<OperationalStatus> opstatus;  // last TC 31
  std::optional<TargetState> target_state;    // last TC 29 subtype 1
  bool clean = false;                         // seen in a CRC-checked DF11/17/18
  // Last Comm-B register contents, to resolve ambiguous replies by continuity.
  std::optional<CommB> last40, last50, last60;
};

class Decoder {
 public:
  explicit Decoder(DecoderConfig cfg = {});

  Decoded decode(const RawFrame& frame, Time t);
  Decoded decode(const std::uint8_t* bytes, std::size_t n, Time t);

  // An ADS-B position as a tracker input: WGS-84 with covariance from NACp
  // (sigma = EPU / 2.448 per axis) or, failing that, from NIC.
  std::optional<Report> to_report(const Decoded& d) const;

  const DecoderStats& stats() const { return stats_; }
  const std::unordered_map<std::uint32_t, AircraftState>& aircraft() const { return aircraft_; }

 private:
  void update_position(AircraftState& a, Decoded& d);
  void resolve_commb(AircraftState& a, Message& m);
  bool plausible(const AircraftState& a, const cpr::LatLon& p, Time t) const;

  DecoderConfig cfg_;
  DecodeOptions opt_;
  DecoderStats stats_;
  std::unordered_map<std::uint32_t, AircraftState> aircraft_;
  std::unordered_map<std::uint32_t, AircraftState>
      unverified_;  // Comm-B history of AP-only addresses
};

}  // namespace skyfuse::decode::modes
