// File: decode/asterix/decoder.hpp
//
// Spec-driven ASTERIX record decoding: a data block (CAT, LEN, records) is
// walked with the category's UAP, each present item interpreted by its
// variation from the loaded definition. Values come out scaled to the spec's
// units (quantities), as numbers (raw, tables, integers) or strings (ASCII,
// ICAO 6-bit, octal codes); Reserved Expansion and Special Purpose fields are
// kept as hex. Every problem (short block, wrong LEN, FSPEC or FX chain past
// the end, unknown category) is an error naming the byte offset and item; the
// block is abandoned and decoding resumes at the next one, keeping every
// record decoded before the fault.
//
//   asterix::Decoder dec({load_category("specs/asterix/cat048/cat048-1.31.json")});
//   dec.decode_block(bytes, offset, [](const asterix::Record& r) { ... });
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "decode/asterix/spec.hpp"

namespace skyfuse::decode::asterix {

struct Record {
  int category = 0;
  std::string edition;
  std::int64_t offset = 0;       // of the record's FSPEC in the stream
  std::size_t length = 0;        // bytes of the record (FSPEC and items)
  nlohmann::ordered_json items;  // "010": {"SAC": .., "SIC": ..}, ...
};

struct DecodeStats {
  long blocks = 0;
  long records = 0;
  std::map<int, long> records_per_category;
  long errors = 0;
  long unknown_category_blocks = 0;
  std::vector<std::string> messages;  // first few: "offset N: CAT048 item 130: ..."
  void error(std::int64_t offset, const std::string& what);
};

class Decoder {
 public:
  explicit Decoder(std::vector<Category> categories);

  // Decodes one data block starting at `block[0]` (its CAT byte); returns the
  // number of bytes the block claims (LEN), or 0 if even that is unusable.
  std::size_t decode_block(std::span<const std::uint8_t> block, std::int64_t offset,
                           const std::function<void(const Record&)>& sink);
  // Decodes a buffer of back-to-back data blocks (the "raw" framing).
  void decode_stream(std::span<const std::uint8_t> data, std::int64_t offset,
                     const std::function<void(const Record&)>& sink);

  const DecodeStats& stats() const { return stats_; }
  const Category* category(int number) const;

 private:
  std::map<int, Category> cats_;
  DecodeStats stats_;
};

}  // namespace skyfuse::decode::asterix
