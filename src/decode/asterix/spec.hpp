// File: decode/asterix/spec.hpp
//
// An ASTERIX category edition as data, loaded from the asterix-specs JSON
// (specs/asterix/): the item catalogue with each item's structure (Element,
// Group, Extended, Repetitive, Explicit, Compound), the content of each
// element (raw, table, string, integer, quantity with LSB and unit, BDS) and
// the UAP (or UAPs with a selector, as CAT001 plot/track). The decoder
// interprets this model; nothing about a category is written by hand.
//
//   asterix::Category cat48 = asterix::load_category("specs/asterix/cat048/cat048-1.31.json");
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace skyfuse::decode::asterix {

struct Content {
  enum class Kind { kRaw, kTable, kString, kInteger, kQuantity, kBds };
  enum class Str { kAscii, kIcao, kOctal };
  Kind kind = Kind::kRaw;
  Str str = Str::kAscii;
  bool is_signed = false;
  double lsb = 1;
  std::string unit;
  std::vector<std::pair<long, std::string>> table;
};

// Content that depends on a sibling's value (e.g. I062/380 IAS/IM).
struct DependentContent {
  std::vector<std::string> path;  // item, subitem, ... of the selector
  std::vector<std::pair<long, Content>> cases;
  Content fallback;
};

struct Variation;
using VariationPtr = std::shared_ptr<const Variation>;

struct Member {  // of a Group or Extended
  enum class Kind { kItem, kSpare, kFx };
  Kind kind = Kind::kItem;
  std::string name;
  int spare_bits = 0;
  VariationPtr variation;
};

struct Variation {
  enum class Kind { kElement, kGroup, kExtended, kRepetitive, kExplicit, kCompound };
  Kind kind = Kind::kElement;
  int bit_size = 0;  // Element
  Content content;   // Element
  std::optional<DependentContent> dependent;
  std::vector<Member> members;               // Group, Extended
  std::vector<std::optional<Member>> slots;  // Compound: sub-items by presence bit (nullopt: spare)
  int rep_bytes = 0;                         // Repetitive: REP counter size (0: FX-terminated)
  VariationPtr element;                      // Repetitive
  std::string explicit_kind;  // Explicit: "ReservedExpansion", "SpecialPurpose" or ""
};

struct Category {
  int number = 0;
  std::string edition;
  std::map<std::string, VariationPtr> items;
  // UAP: item names by FRN (index 0 = FRN 1); "" = spare, "RFS" = random field sequencing.
  std::map<std::string, std::vector<std::string>> uaps;
  std::string default_uap;
  std::vector<std::string> selector_path;              // e.g. {"020", "TYP"}
  std::vector<std::pair<long, std::string>> selector;  // value -> UAP name
};

// Throws ConfigError naming the file on anything it cannot read.
Category load_category(const std::string& json_path);

}  // namespace skyfuse::decode::asterix
