#include "decode/asterix/decoder.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "decode/asterix/generated/runtime.hpp"

namespace skyfuse::decode::asterix {

namespace {
using nlohmann::ordered_json;

struct Fault : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class BitReader {
 public:
  BitReader(const std::uint8_t* p, std::size_t n) : p_(p), n_bits_(n * 8) {}
  std::uint64_t take(int bits) {
    if (bits < 0 || pos_ + static_cast<std::size_t>(bits) > n_bits_)
      throw Fault("data past the end of the record");
    std::uint64_t v = 0;
    for (int i = 0; i < bits; ++i, ++pos_)
      v = (v << 1) | ((p_[pos_ >> 3] >> (7 - (pos_ & 7))) & 1u);
    return v;
  }
  void align() {
    if (pos_ & 7) throw Fault("item does not end on an octet boundary");
  }
  std::size_t byte() const { return pos_ >> 3; }
  std::size_t bytes_left() const { return (n_bits_ - pos_) >> 3; }

 private:
  const std::uint8_t* p_;
  std::size_t n_bits_;
  std::size_t pos_ = 0;
};

ordered_json element_value(std::uint64_t raw, int bits, const Content& c) {
  switch (c.kind) {
    case Content::Kind::kRaw:
    case Content::Kind::kTable:
    case Content::Kind::kBds:
      if (bits > 53) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%0*llX", (bits + 3) / 4,
                      static_cast<unsigned long long>(raw));
        return buf;
      }
      return raw;
    case Content::Kind::kInteger:
    case Content::Kind::kQuantity: {
      double v = static_cast<double>(raw);
      if (c.is_signed && bits < 64 && (raw >> (bits - 1)) & 1) v -= std::ldexp(1.0, bits);
      if (c.kind == Content::Kind::kInteger) return static_cast<long long>(v);
      return v * c.lsb;
    }
    case Content::Kind::kString: {
      std::string s;
      if (c.str == Content::Str::kOctal) {
        for (int k = bits / 3 - 1; k >= 0; --k)
          s += static_cast<char>('0' + ((raw >> (3 * k)) & 7));
      } else if (c.str == Content::Str::kIcao) {
        for (int k = bits / 6 - 1; k >= 0; --k) s += detail::kIcao[(raw >> (6 * k)) & 63];
      } else {
        for (int k = bits / 8 - 1; k >= 0; --k) s += static_cast<char>((raw >> (8 * k)) & 0xFF);
      }
      return s;
    }
  }
  return nullptr;
}

// Strings longer than 64 bits (e.g. 8-character callsigns are 48 bits, but
// ASCII strings can be longer) are read octet by octet.
ordered_json decode_variation(BitReader& r, const Variation& v, const ordered_json* siblings);

ordered_json decode_element(BitReader& r, const Variation& v, const ordered_json* siblings) {
  const int bits = v.bit_size;
  if (bits > 64) {
    if (v.content.kind == Content::Kind::kString && v.content.str == Content::Str::kAscii &&
        bits % 8 == 0) {
      std::string s;
      for (int k = 0; k < bits / 8; ++k) s += static_cast<char>(r.take(8));
      return s;
    }
    std::string hex;
    for (int k = 0; k < bits / 8; ++k) {
      char b[3];
      std::snprintf(b, sizeof b, "%02X", static_cast<unsigned>(r.take(8)));
      hex += b;
    }
    r.take(bits % 8);
    return hex;
  }
  const std::uint64_t raw = r.take(bits);
  const Content* c = &v.content;
  if (v.dependent && siblings && !v.dependent->path.empty()) {
    const auto& key = v.dependent->path.back();
    if (siblings->contains(key) && (*siblings)[key].is_number_integer()) {
      const long sel = (*siblings)[key].get<long>();
      for (const auto& [val, content] : v.dependent->cases)
        if (val == sel) c = &content;
    }
  }
  return element_value(raw, bits, *c);
}

ordered_json decode_members(BitReader& r, const std::vector<Member>& members, bool extended) {
  ordered_json out = ordered_json::object();
  for (const Member& m : members) {
    switch (m.kind) {
      case Member::Kind::kSpare:
        r.take(m.spare_bits);
        break;
      case Member::Kind::kFx:
        if (!extended) throw Fault("FX in a fixed group");
        if (r.take(1) == 0) return out;
        break;
      case Member::Kind::kItem:
        out[m.name] = decode_variation(r, *m.variation, &out);
        break;
    }
  }
  return out;
}

ordered_json decode_variation(BitReader& r, const Variation& v, const ordered_json* siblings) {
  switch (v.kind) {
    case Variation::Kind::kElement:
      return decode_element(r, v, siblings);
    case Variation::Kind::kGroup:
      return decode_members(r, v.members, false);
    case Variation::Kind::kExtended:
      return decode_members(r, v.members, true);
    case Variation::Kind::kRepetitive: {
      ordered_json arr = ordered_json::array();
      if (v.rep_bytes > 0) {
        const auto n = r.take(8 * v.rep_bytes);
        for (std::uint64_t k = 0; k < n; ++k)
          arr.push_back(decode_variation(r, *v.element, nullptr));
      } else {
        // FX-terminated: each element is followed by its FX bit.
        for (int guard = 0; guard < 1024; ++guard) {
          arr.push_back(decode_variation(r, *v.element, nullptr));
          if (r.take(1) == 0) break;
        }
      }
      return arr;
    }
    case Variation::Kind::kExplicit: {
      const auto len = r.take(8);
      if (len < 1) throw Fault("explicit item with LEN 0");
      std::string hex;
      for (std::uint64_t k = 1; k < len; ++k) {
        char b[3];
        std::snprintf(b, sizeof b, "%02X", static_cast<unsigned>(r.take(8)));
        hex += b;
      }
      return hex;
    }
    case Variation::Kind::kCompound: {
      std::vector<bool> present;
      for (;;) {  // primary subfield: 7 presence bits + FX per octet
        for (int k = 0; k < 7; ++k) present.push_back(r.take(1) != 0);
        if (r.take(1) == 0) break;
        if (present.size() > 7 * 16) throw Fault("compound primary subfield FX chain too long");
      }
      ordered_json out = ordered_json::object();
      for (std::size_t k = 0; k < present.size(); ++k) {
        if (!present[k]) continue;
        if (k >= v.slots.size() || !v.slots[k])
          throw Fault("compound subfield " + std::to_string(k + 1) + " undefined");
        out[v.slots[k]->name] = decode_variation(r, *v.slots[k]->variation, &out);
      }
      return out;
    }
  }
  return nullptr;
}
}  // namespace

void DecodeStats::error(std::int64_t offset, const std::string& what) {
  ++errors;
  if (messages.size() < 50) messages.push_back("offset " + std::to_string(offset) + ": " + what);
}

Decoder::Decoder(std::vector<Category> categories) {
  for (auto& c : categories) cats_[c.number] = std::move(c);
}

const Category* Decoder::category(int number) const {
  auto it = cats_.find(number);
  return it == cats_.end() ? nullptr : &it->second;
}

Decoder::Block Decoder::decode_block(std::span<const std::uint8_t> block, std::int64_t offset,
                                     const std::function<void(const Record&)>& sink) {
  if (block.size() < 3) {
    stats_.error(offset, "data block shorter than its 3-byte header");
    return {};
  }
  const int cat_no = block[0];
  const std::size_t len = (static_cast<std::size_t>(block[1]) << 8) | block[2];
  if (len < 3) {
    stats_.error(offset, "data block LEN " + std::to_string(len) + " below 3");
    return {};
  }
  if (len > block.size()) {
    stats_.error(offset, "data block LEN " + std::to_string(len) + " past the end of the input (" +
                             std::to_string(block.size()) + " bytes left)");
    return {};
  }
  ++stats_.blocks;
  const Category* cat = category(cat_no);
  if (!cat) {
    ++stats_.unknown_category_blocks;
    stats_.error(offset, "unknown category " + std::to_string(cat_no) + " (block skipped)");
    return {len, false};
  }
  std::string fault;
  std::int64_t fault_offset = 0;
  auto counted = [&](const Record& r) {
    ++stats_.records;
    ++stats_.records_per_category[cat_no];
    sink(r);
  };
  const std::function<void(const Record&)> f = counted;
  if (records(block.first(len), offset, *cat, &f, &fault, &fault_offset, 0)) return {len, true};
  stats_.error(fault_offset, fault + " (rest of the block skipped)");
  return {len, false};
}

bool Decoder::records(std::span<const std::uint8_t> block, std::int64_t offset, const Category& c,
                      const std::function<void(const Record&)>* sink, std::string* fault,
                      std::int64_t* fault_offset, std::size_t max_records) const {
  const Category* cat = &c;
  const int cat_no = cat->number;
  const std::size_t len = block.size();
  char catname[8];
  std::snprintf(catname, sizeof catname, "CAT%03d", cat_no);
  std::size_t pos = 3;
  for (std::size_t n = 0; pos < len && (max_records == 0 || n < max_records); ++n) {
    const std::int64_t rec_offset = offset + static_cast<std::int64_t>(pos);
    BitReader r(block.data() + pos, len - pos);
    std::string item_name = "FSPEC";
    try {
      std::vector<bool> fspec;
      for (;;) {
        for (int k = 0; k < 7; ++k) fspec.push_back(r.take(1) != 0);
        if (r.take(1) == 0) break;
        if (fspec.size() > 7 * 8) throw Fault("FSPEC FX chain too long");
      }
      Record rec;
      rec.category = cat_no;
      rec.edition = cat->edition;
      rec.offset = rec_offset;
      rec.items = ordered_json::object();
      const std::vector<std::string>* uap = &cat->uaps.at(cat->default_uap);
      for (std::size_t frn = 0; frn < fspec.size(); ++frn) {
        if (!fspec[frn]) continue;
        if (frn >= uap->size() || (*uap)[frn].empty())
          throw Fault("FRN " + std::to_string(frn + 1) + " is not in the UAP");
        item_name = (*uap)[frn];
        if (item_name == "RFS") throw Fault("random field sequencing is not supported");
        auto it = cat->items.find(item_name);
        if (it == cat->items.end()) throw Fault("item " + item_name + " has no definition");
        rec.items[item_name] = decode_variation(r, *it->second, nullptr);
        r.align();
        // Switch UAP once the selector item (e.g. CAT001 I020 TYP) is known.
        if (!cat->selector_path.empty() && item_name == cat->selector_path[0]) {
          const auto& sub = rec.items[item_name];
          const std::string& key = cat->selector_path.back();
          if (sub.is_object() && sub.contains(key)) {
            const long sel = sub[key].get<long>();
            for (const auto& [val, name] : cat->selector)
              if (val == sel) uap = &cat->uaps.at(name);
          }
        }
      }
      pos += r.byte();
      rec.length = r.byte();
      if (sink) (*sink)(rec);
    } catch (const Fault& f) {
      if (fault) *fault = std::string(catname) + " item " + item_name + ": " + f.what();
      if (fault_offset) *fault_offset = rec_offset;
      return false;
    }
  }
  return true;
}

bool Decoder::plausible_header(std::span<const std::uint8_t> data, std::size_t at) const {
  if (data.size() - at < 3) return false;
  const std::size_t len = (static_cast<std::size_t>(data[at + 1]) << 8) | data[at + 2];
  return len > 3 && len <= data.size() - at && category(data[at]) != nullptr;
}

std::size_t Decoder::find_block(std::span<const std::uint8_t> data, std::size_t from,
                                std::size_t& budget, bool* checked) const {
  if (checked) *checked = false;
  for (std::size_t k = from; k < data.size(); ++k) {
    if (!plausible_header(data, k)) continue;
    const std::size_t len = (static_cast<std::size_t>(data[k + 1]) << 8) | data[k + 2];
    const std::size_t next = k + len;
    if (next != data.size() && !plausible_header(data, next)) continue;
    if (len > budget) {
      if (plausible_chain(data, k, 4)) return k;
      continue;
    }
    budget -= len;
    if (records(data.subspan(k, len), 0, *category(data[k]), nullptr, nullptr, nullptr, 0)) {
      if (checked) *checked = true;
      return k;
    }
  }
  return data.size();
}

// `depth` plausible headers follow each other's LEN from `at` (or reach the end).
bool Decoder::plausible_chain(std::span<const std::uint8_t> data, std::size_t at, int depth) const {
  for (int n = 0; n < depth; ++n) {
    if (!plausible_header(data, at)) return false;
    at += (static_cast<std::size_t>(data[at + 1]) << 8) | data[at + 2];
    if (at == data.size()) return true;
  }
  return true;
}

// The header at `at` may follow a block of category `prev`: its LEN fits, and
// its category is known or the same (a stream of one category not loaded).
bool Decoder::plausible_next(std::span<const std::uint8_t> data, std::size_t at, int prev) const {
  if (data.size() - at < 3) return false;
  const std::size_t len = (static_cast<std::size_t>(data[at + 1]) << 8) | data[at + 2];
  return len >= 3 && len <= data.size() - at && (data[at] == prev || category(data[at]));
}

std::size_t Decoder::chained_length(std::span<const std::uint8_t> data, std::size_t at) const {
  if (data.size() - at < 3) return 0;
  const std::size_t len = (static_cast<std::size_t>(data[at + 1]) << 8) | data[at + 2];
  if (len < 3 || len > data.size() - at) return 0;
  return at + len == data.size() || plausible_next(data, at + len, data[at]) ? len : 0;
}

void Decoder::walk_blocks(std::span<const std::uint8_t> data, std::int64_t offset,
                          const BlockHandler& block) {
  std::size_t pos = 0;
  const std::size_t budget_start = resync_budget(data.size());
  std::size_t budget = budget_start;
  // A search after a failed block starts inside it, so a block found there
  // decodes bytes again: that is charged to the budget too (except for the
  // block a search just checked), and beyond it such a block is skipped.
  std::size_t decoded_to = 0, checked_at = data.size();
  while (pos < data.size()) {
    const auto rest = data.subspan(pos);
    const std::int64_t at = offset + static_cast<std::int64_t>(pos);
    std::string why;
    if (rest.size() < 3) {
      why = "data block shorter than its 3-byte header";
    } else {
      const std::size_t len = (static_cast<std::size_t>(rest[1]) << 8) | rest[2];
      if (len < 3) {
        why = "data block LEN " + std::to_string(len) + " below 3";
      } else if (len > rest.size()) {
        why = "data block LEN " + std::to_string(len) + " past the end of the input (" +
              std::to_string(rest.size()) + " bytes left)";
      } else {
        const std::size_t again = pos < decoded_to ? std::min(len, decoded_to - pos) : 0;
        bool whole = false;
        if (again == 0 || pos == checked_at || again <= budget) {
          if (pos != checked_at) budget -= again;
          whole = block(rest.first(len), at);
          decoded_to = std::max(decoded_to, pos + len);
        } else {
          stats_.error(at, "data block LEN " + std::to_string(len) +
                               " inside bytes decoded before: not decoded again (the "
                               "resynchronisation budget is spent)");
        }
        // Aligned: the block decoded, or its LEN leads to the end or to another
        // plausible header (a damaged block of a healthy stream).
        if (whole || pos + len == data.size() || plausible_next(data, pos + len, rest[0])) {
          pos += len;
          continue;
        }
        why = "data block LEN " + std::to_string(len) + " leads to no plausible data block";
      }
    }
    bool checked = false;
    const std::size_t next = find_block(data, pos + 1, budget, &checked);
    checked_at = checked ? next : data.size();
    stats_.error(at,
                 why + (next == data.size()
                            ? "; the last " + std::to_string(data.size() - pos) + " bytes skipped"
                            : "; skipped " + std::to_string(next - pos) +
                                  " bytes to the next plausible data block"));
    pos = next;
  }
  stats_.resync_bytes_checked += static_cast<long>(budget_start - budget);
}

void Decoder::decode_stream(std::span<const std::uint8_t> data, std::int64_t offset,
                            const std::function<void(const Record&)>& sink) {
  walk_blocks(data, offset, [&](std::span<const std::uint8_t> b, std::int64_t at) {
    return decode_block(b, at, sink).whole;
  });
}

}  // namespace skyfuse::decode::asterix
