// File: decode/asterix/encoder.hpp
//
// The inverse of the decoder, from the same category definition: a record given
// as items (the decoder's JSON form: {"010": {"SAC": 25, "SIC": 201}, "040":
// {"RHO": 197.68, "THETA": 340.13}, ...}) becomes FSPEC + items, and records
// become a data block. Quantities are rounded to the nearest LSB; absent
// subfields of a present group are zero; an Extended item is written up to its
// last present part; a Compound up to its last present sub-item.
//
//   auto bytes = asterix::encode_record(cat48, items);
//   if (bytes) block = asterix::encode_block(48, {*bytes});
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"
#include "decode/asterix/spec.hpp"

namespace skyfuse::decode::asterix {

// Fails (with the item named) on an item the category does not have or a
// value that does not fit its field.
Result<std::vector<std::uint8_t>> encode_record(const Category& cat,
                                                const nlohmann::ordered_json& items);

// A quantity element's field value as encode_record() writes it (value / LSB
// rounded to the nearest), or nullopt where it would refuse the value (outside
// the field) or the value is not finite.
std::optional<std::int64_t> quantity_field(const Content& c, int bits, double value);

// A character's code in the 6-bit ICAO alphabet as encode_record() writes it
// ('#' as 0, a character outside the alphabet as space).
int icao_code(char ch);

// CAT, LEN and the records; fails if LEN would exceed 65,535.
Result<std::vector<std::uint8_t>> encode_block(
    int category, const std::vector<std::vector<std::uint8_t>>& records);

// Field values as the encoder takes them: UTC seconds of the day (I048/140,
// I062/070 ...), a Mode 3/A code as its 4 octal digits, and an 8-character,
// space-padded ICAO identification.
double time_of_day_s(Time t);
std::string mode3a_digits(std::uint16_t code);
std::string callsign8(const std::string& callsign);

}  // namespace skyfuse::decode::asterix
