// File: mlat/locards_csv.hpp
//
// Readers for the LocaRDS layout (Schaefer et al. 2021, OpenSky Network):
// a receiver list `serial,latitude,longitude,height,type,good` and measurement
// rows `id,timeAtServer,aircraft,latitude,longitude,baroAltitude,geoAltitude,
// numMeasurements,measurements` where measurements is a quoted JSON-like list
// `[[receiver,timestamp_ns,rssi],...]`. Rows with a latitude and longitude are
// references; rows with both empty are to be located. Bad rows are returned as
// errors carrying their line number, never thrown.
//
// skyfuse extension: an optional tenth column `icao24` (the transmission's
// 24-bit address, 6 hex digits, empty when unknown), which `skyfuse sim`
// writes; files without it (the real LocaRDS sets) read unchanged. The
// writers below produce both files as `skyfuse sim` writes them.
//
//   std::ifstream in("set_1.csv");
//   mlat::MeasurementFile f = mlat::read_measurements(in);
//   for (const Error& e : f.errors) log(e.offset, e.detail);  // offset = line number
//   for (const mlat::Message& m : f.messages) multilaterator.push(m);
//
// Units: timeAtServer [s], altitudes [m], timestamps [ns]; heights in the
// receiver list are taken as above the WGS-84 ellipsoid.
#pragma once

#include <cstdint>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/result.hpp"
#include "mlat/message.hpp"
#include "mlat/receiver.hpp"

namespace skyfuse::mlat {

// One measurement row (no trailing newline). `line` is used for error offsets.
Result<Message> parse_measurement_line(std::string_view line, std::int64_t line_no);

// One receiver row.
Result<Receiver> parse_receiver_line(std::string_view line, std::int64_t line_no);

struct MeasurementFile {
  std::vector<Message> messages;  // in file order
  std::vector<Error> errors;      // code, offset = 1-based line number, detail
};

struct ReceiverFile {
  ReceiverSet receivers;
  std::vector<Error> errors;
};

// Both skip a first line that starts with the header's first column name.
MeasurementFile read_measurements(std::istream& in);
ReceiverFile read_receivers(std::istream& in);

// Writers (no trailing newline). `with_icao24`: the extension column.
std::string measurement_header(bool with_icao24);
// Times with nanosecond resolution (timeAtServer in seconds, 9 decimals).
std::string to_csv_line(const Message& m, bool with_icao24);
inline constexpr const char* kReceiverHeader = "serial,latitude,longitude,height,type,good";
// `type`: a name clock_kind_from_type() knows (Radarcape, dump1090, SBS-3).
std::string to_csv_line(const Receiver& r);

}  // namespace skyfuse::mlat
