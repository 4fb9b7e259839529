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
// record decoded before the fault. In a stream of blocks, a LEN that does not
// lead to another plausible block (a byte inserted or lost, garbage) makes the
// decoder search for the next block that starts a plausible chain (known
// category, LEN within the data, records that decode, and a plausible next
// header or the end); the bytes skipped are one counted error.
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
  // Bytes of candidate blocks decoded to check them while resynchronising, and
  // of blocks decoded again (bounded per walk by resync_budget).
  long resync_bytes_checked = 0;
  std::vector<std::string> messages;  // first few: "offset N: CAT048 item 130: ..."
  void error(std::int64_t offset, const std::string& what);
};

class Decoder {
 public:
  explicit Decoder(std::vector<Category> categories);

  struct Block {
    std::size_t length = 0;  // LEN, or 0 if even that is unusable
    bool whole = false;      // a known category and every record decoded
  };
  // Decodes one data block starting at `block[0]` (its CAT byte).
  Block decode_block(std::span<const std::uint8_t> block, std::int64_t offset,
                     const std::function<void(const Record&)>& sink);
  // Decodes a buffer of back-to-back data blocks (the "raw" framing), with
  // resynchronisation after damage.
  void decode_stream(std::span<const std::uint8_t> data, std::int64_t offset,
                     const std::function<void(const Record&)>& sink);
  // The same walk with another block handler (e.g. a typed decoder): `block`
  // gets each data block whose header fits, returns whether it decoded whole.
  // After a block that did not, and whose LEN does not lead to a plausible next
  // header, the walk goes on at the next plausible chain (see above).
  using BlockHandler = std::function<bool(std::span<const std::uint8_t>, std::int64_t)>;
  void walk_blocks(std::span<const std::uint8_t> data, std::int64_t offset,
                   const BlockHandler& block);
  // The first position at or after `from` where a plausible chain of blocks
  // starts, or data.size(). A candidate (known category, LEN within the data,
  // a plausible next header or the end) is checked by decoding its records
  // while `budget` (bytes, shared by the searches of one walk) lasts; once it
  // is spent, a candidate is taken if four headers chain from it (or reach
  // the end). `checked`: whether the candidate returned was checked by its
  // records. A walk also charges to the budget the bytes it decodes again (a
  // block found inside one that failed), beyond it skipping such a block; so
  // crafted data cannot make a walk decode more than its bytes plus twice the
  // budget, and a search never gives up on the rest.
  std::size_t find_block(std::span<const std::uint8_t> data, std::size_t from, std::size_t& budget,
                         bool* checked = nullptr) const;
  // The checking budget of a walk over `size` bytes: 4 times them
  // (real damage needs about one block's length per search).
  static std::size_t resync_budget(std::size_t size) { return 4 * size; }
  // The LEN of the block at `at` if it fits and leads to the end of `data` or
  // to a plausible header (known category, LEN that fits), else 0.
  std::size_t chained_length(std::span<const std::uint8_t> data, std::size_t at) const;

  const DecodeStats& stats() const { return stats_; }
  const Category* category(int number) const;

 private:
  bool plausible_header(std::span<const std::uint8_t> data, std::size_t at) const;
  bool plausible_next(std::span<const std::uint8_t> data, std::size_t at, int prev) const;
  bool plausible_chain(std::span<const std::uint8_t> data, std::size_t at, int depth) const;
  // Decodes the records of a block (the first `max_records`, 0: all); false at
  // the first fault (named in `fault`).
  bool records(std::span<const std::uint8_t> block, std::int64_t offset, const Category& cat,
               const std::function<void(const Record&)>* sink, std::string* fault,
               std::int64_t* fault_offset, std::size_t max_records) const;
  std::map<int, Category> cats_;
  DecodeStats stats_;
};

}  // namespace skyfuse::decode::asterix
