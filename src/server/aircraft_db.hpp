// File: server/aircraft_db.hpp
//
// An aircraft database: what a 24-bit address is registered as (registration,
// ICAO type designator, description, owner or operator, year, and readsb's
// database flags), for aircraft.json's `r`, `t`, `desc`, `ownOp`, `year` and
// `dbFlags` and the map's registration column and search (docs/api.md,
// "Aircraft database"). Read once at start-up from a file in one of two
// common layouts, plain or gzip-compressed:
//
//  * readsb / tar1090-db `aircraft.csv` (what `readsb --db-file` reads):
//    `hex;registration;type;flags;description;year;owner_operator;`, no
//    header; flags a string of 0/1 whose characters 1-4 are military,
//    interesting, PIA and LADD (dbFlags bits 1, 2, 4, 8);
//  * OpenSky Network's aircraft database (`aircraftDatabase.csv`): comma
//    separated, optionally quoted, with a header naming `icao24`,
//    `registration`, `typecode`, `model` or `manufacturername`, `owner` or
//    `operator`, `built`.
//
// A bad line (an address that is not 6 hex digits, too few fields, longer
// than 64 KiB) is counted and named with its line; the rest is kept. A later
// line for the same address that gives anything replaces the earlier one.
// The layout is told by the first non-blank line. The file is at most
// 256 MiB, and so is its text once inflated; at most 2 M aircraft.
//
//   auto db = AircraftDb::load("aircraft.csv.gz");   // throws ConfigError
//   if (const AircraftRecord* r = db.find(0x4b1805)) use(r->registration);
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace skyfuse::server {

struct AircraftRecord {
  std::string registration;    // "HB-JCA"
  std::string type;            // ICAO type designator, "BCS3"
  std::string description;     // "AIRBUS A-220-300"
  std::string owner_operator;  // "Swiss International Air Lines"
  std::string year;            // "2016"
  std::uint8_t flags = 0;      // readsb's dbFlags: 1 military, 2 interesting, 4 PIA, 8 LADD
};

class AircraftDb {
 public:
  // Parses a whole file's text; `source` names it in the errors.
  static AircraftDb parse(std::string_view text, const std::string& source);
  // Reads `path` (a regular file of at most 256 MiB; gunzipped, member after
  // member, when it starts with gzip's magic bytes, at most 256 MiB once
  // inflated). Throws ConfigError when it
  // cannot be read, is not one of the layouts, or has no valid line.
  static AircraftDb load(const std::string& path);

  const AircraftRecord* find(std::uint32_t icao24) const;
  std::size_t size() const { return records_.size(); }
  std::size_t lines() const { return lines_; }
  std::size_t error_count() const { return error_count_; }
  // The first 20 errors, "SOURCE:LINE: why".
  const std::vector<std::string>& errors() const { return errors_; }
  const std::string& layout() const { return layout_; }  // "readsb" or "opensky"

 private:
  std::unordered_map<std::uint32_t, AircraftRecord> records_;
  std::size_t lines_ = 0;
  std::size_t error_count_ = 0;
  std::vector<std::string> errors_;
  std::string layout_;
};

}  // namespace skyfuse::server
