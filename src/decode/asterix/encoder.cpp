#include "decode/asterix/encoder.hpp"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "decode/asterix/generated/runtime.hpp"

namespace skyfuse::decode::asterix {

namespace {
using nlohmann::ordered_json;

struct Fault : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class BitWriter {
 public:
  void put(std::uint64_t v, int bits) {
    for (int i = bits - 1; i >= 0; --i) {
      if ((n_ & 7) == 0) out_.push_back(0);
      if ((v >> i) & 1) out_.back() |= static_cast<std::uint8_t>(0x80 >> (n_ & 7));
      ++n_;
    }
  }
  void put_bytes(const std::vector<std::uint8_t>& b) {
    for (auto x : b) put(x, 8);
  }
  std::vector<std::uint8_t>& bytes() { return out_; }

 private:
  std::vector<std::uint8_t> out_;
  std::size_t n_ = 0;
};

std::vector<std::uint8_t> from_hex(const std::string& h) {
  if (h.size() % 2) throw Fault("hex string of odd length");
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i < h.size(); i += 2)
    out.push_back(static_cast<std::uint8_t>(std::stoul(h.substr(i, 2), nullptr, 16)));
  return out;
}

bool fits(long double v, int bits, bool is_signed) {
  const long double lo = is_signed ? -std::ldexp(1.0L, bits - 1) : 0;
  const long double hi = is_signed ? std::ldexp(1.0L, bits - 1) - 1 : std::ldexp(1.0L, bits) - 1;
  return v >= lo && v <= hi;  // false for NaN (converting it to an integer is undefined)
}

std::uint64_t fit(long double v, int bits, bool is_signed) {
  if (!fits(v, bits, is_signed))
    throw Fault("value does not fit in " + std::to_string(bits) + " bits");
  // (an unsigned value of 2^63 or more does not fit a long long: converted as unsigned)
  const std::uint64_t i = is_signed ? static_cast<std::uint64_t>(static_cast<long long>(v))
                                    : static_cast<std::uint64_t>(v);
  return bits >= 64 ? i : i & ((1ULL << bits) - 1);
}

// A quantity in LSBs, rounded to the nearest.
long double steps(const Content& c, long double v) {
  return std::roundl(v / static_cast<long double>(c.lsb));
}

void encode_variation(BitWriter& w, const Variation& v, const ordered_json& value,
                      const ordered_json* siblings);

void encode_element(BitWriter& w, const Variation& v, const ordered_json& value,
                    const ordered_json* siblings) {
  const int bits = v.bit_size;
  const Content* c = &v.content;
  if (v.dependent && siblings && !v.dependent->path.empty()) {
    const auto& key = v.dependent->path.back();
    if (siblings->contains(key) && (*siblings)[key].is_number_integer()) {
      const long sel = (*siblings)[key].get<long>();
      for (const auto& [val, content] : v.dependent->cases)
        if (val == sel) c = &content;
    }
  }
  if (value.is_null()) {
    w.put(0, bits);
    return;
  }
  if (value.is_string() && !(c->kind == Content::Kind::kString)) {  // wide raw element, as hex
    const auto b = from_hex(value.get<std::string>());
    if (static_cast<int>(b.size() * 8) < bits - 7) throw Fault("hex value shorter than its field");
    int left = bits;
    for (auto x : b) {
      const int take = std::min(left, 8);
      w.put(x >> (8 - take), take);
      left -= take;
    }
    return;
  }
  switch (c->kind) {
    case Content::Kind::kRaw:
    case Content::Kind::kTable:
    case Content::Kind::kBds:
      w.put(fit(value.get<long double>(), bits, false), bits);
      return;
    case Content::Kind::kInteger:
      w.put(fit(value.get<long double>(), bits, c->is_signed), bits);
      return;
    case Content::Kind::kQuantity:
      w.put(fit(steps(*c, value.get<long double>()), bits, c->is_signed), bits);
      return;
    case Content::Kind::kString: {
      const std::string s = value.get<std::string>();
      if (c->str == Content::Str::kOctal) {
        if (static_cast<int>(s.size()) * 3 != bits) throw Fault("octal code of the wrong length");
        for (char ch : s) {
          if (ch < '0' || ch > '7') throw Fault("not an octal digit");
          w.put(static_cast<std::uint64_t>(ch - '0'), 3);
        }
      } else if (c->str == Content::Str::kIcao) {
        for (int k = 0; k < bits / 6; ++k) {
          const char ch = k < static_cast<int>(s.size()) ? s[k] : ' ';
          w.put(static_cast<std::uint64_t>(icao_code(ch)), 6);
        }
      } else {
        for (int k = 0; k < bits / 8; ++k)
          w.put(k < static_cast<int>(s.size()) ? static_cast<std::uint8_t>(s[k]) : ' ', 8);
      }
      return;
    }
  }
}

void encode_members(BitWriter& w, const std::vector<Member>& members, const ordered_json& value,
                    bool extended) {
  // Extended: write parts up to the last one holding a present member.
  std::size_t last_part_end = members.size();
  if (extended) {
    std::size_t end = 0, part_start = 0;
    for (std::size_t i = 0; i < members.size(); ++i) {
      if (members[i].kind == Member::Kind::kFx) {
        part_start = i + 1;
        continue;
      }
      if (members[i].kind == Member::Kind::kItem && value.is_object() &&
          value.contains(members[i].name)) {
        std::size_t j = part_start;
        while (j < members.size() && members[j].kind != Member::Kind::kFx) ++j;
        end = std::max(end, j);
      }
    }
    if (end == 0) {  // nothing present: the first part alone
      while (end < members.size() && members[end].kind != Member::Kind::kFx) ++end;
    }
    last_part_end = end;  // index of the FX that closes the last part
  }
  for (std::size_t i = 0; i < members.size(); ++i) {
    const Member& m = members[i];
    switch (m.kind) {
      case Member::Kind::kSpare:
        w.put(0, m.spare_bits);
        break;
      case Member::Kind::kFx:
        w.put(i < last_part_end ? 1 : 0, 1);
        if (i >= last_part_end) return;
        break;
      case Member::Kind::kItem: {
        const ordered_json& sub =
            value.is_object() && value.contains(m.name) ? value[m.name] : ordered_json();
        encode_variation(w, *m.variation, sub, &value);
        break;
      }
    }
  }
}

void encode_variation(BitWriter& w, const Variation& v, const ordered_json& value,
                      const ordered_json* siblings) {
  switch (v.kind) {
    case Variation::Kind::kElement:
      encode_element(w, v, value, siblings);
      return;
    case Variation::Kind::kGroup:
      encode_members(w, v.members, value, false);
      return;
    case Variation::Kind::kExtended:
      encode_members(w, v.members, value, true);
      return;
    case Variation::Kind::kRepetitive: {
      const std::size_t n = value.is_array() ? value.size() : 0;
      if (v.rep_bytes > 0) {
        w.put(fit(static_cast<long double>(n), 8 * v.rep_bytes, false), 8 * v.rep_bytes);
        for (std::size_t k = 0; k < n; ++k) encode_variation(w, *v.element, value[k], nullptr);
      } else {
        if (n == 0) throw Fault("FX-repetitive item needs at least one element");
        for (std::size_t k = 0; k < n; ++k) {
          encode_variation(w, *v.element, value[k], nullptr);
          w.put(k + 1 < n ? 1 : 0, 1);
        }
      }
      return;
    }
    case Variation::Kind::kExplicit: {
      const auto b =
          value.is_string() ? from_hex(value.get<std::string>()) : std::vector<std::uint8_t>{};
      if (b.size() > 254) throw Fault("explicit item longer than 254 bytes");
      w.put(b.size() + 1, 8);
      w.put_bytes(b);
      return;
    }
    case Variation::Kind::kCompound: {
      std::size_t last = 0;
      for (std::size_t k = 0; k < v.slots.size(); ++k)
        if (v.slots[k] && value.is_object() && value.contains(v.slots[k]->name)) last = k + 1;
      const std::size_t octets = std::max<std::size_t>(1, (last + 6) / 7);
      for (std::size_t o = 0; o < octets; ++o) {
        for (std::size_t b = 0; b < 7; ++b) {
          const std::size_t k = o * 7 + b;
          w.put(k < v.slots.size() && v.slots[k] && value.is_object() &&
                        value.contains(v.slots[k]->name)
                    ? 1
                    : 0,
                1);
        }
        w.put(o + 1 < octets ? 1 : 0, 1);
      }
      for (std::size_t k = 0; k < v.slots.size(); ++k)
        if (v.slots[k] && value.is_object() && value.contains(v.slots[k]->name))
          encode_variation(w, *v.slots[k]->variation, value[v.slots[k]->name], &value);
      return;
    }
  }
}
}  // namespace

std::optional<std::int64_t> quantity_field(const Content& c, int bits, double value) {
  if (!std::isfinite(value)) return std::nullopt;
  const long double q = steps(c, value);
  if (!fits(q, bits, c.is_signed)) return std::nullopt;
  return static_cast<std::int64_t>(q);
}

int icao_code(char ch) {
  int code = ch == '#' ? 0 : 32;  // '#' (a code outside the alphabet) as 0, unknown as space
  for (int i = 0; i < 64; ++i)
    if (detail::kIcao[i] == ch && ch != '#') code = i;
  return code;
}

Result<std::vector<std::uint8_t>> encode_record(const Category& cat,
                                                const nlohmann::ordered_json& items) {
  const auto& uap = cat.uaps.at(cat.default_uap);
  std::vector<bool> fspec;
  std::string item_name;
  try {
    for (const auto& [name, _] : items.items()) {
      bool found = false;
      for (const auto& u : uap) found |= u == name;
      if (!found)
        throw Fault("item " + name + " is not in the UAP of CAT" + std::to_string(cat.number));
    }
    std::size_t last = 0;
    for (std::size_t k = 0; k < uap.size(); ++k)
      if (!uap[k].empty() && items.contains(uap[k])) last = k + 1;
    const std::size_t octets = std::max<std::size_t>(1, (last + 6) / 7);
    BitWriter w;
    for (std::size_t o = 0; o < octets; ++o) {
      for (std::size_t b = 0; b < 7; ++b) {
        const std::size_t k = o * 7 + b;
        w.put(k < uap.size() && !uap[k].empty() && items.contains(uap[k]) ? 1 : 0, 1);
      }
      w.put(o + 1 < octets ? 1 : 0, 1);
    }
    for (const auto& name : uap) {
      if (name.empty() || !items.contains(name)) continue;
      item_name = name;
      encode_variation(w, *cat.items.at(name), items[name], nullptr);
    }
    return std::move(w.bytes());
  } catch (const std::exception& e) {
    return Error{ErrorCode::kBadValue, -1,
                 "CAT" + std::to_string(cat.number) + " item " + item_name + ": " + e.what()};
  }
}

Result<std::vector<std::uint8_t>> encode_block(
    int category, const std::vector<std::vector<std::uint8_t>>& records) {
  std::size_t len = 3;
  for (const auto& r : records) len += r.size();
  if (len > 65535) return Error{ErrorCode::kBadValue, -1, "data block longer than 65,535 bytes"};
  std::vector<std::uint8_t> out{static_cast<std::uint8_t>(category),
                                static_cast<std::uint8_t>(len >> 8),
                                static_cast<std::uint8_t>(len & 0xFF)};
  for (const auto& r : records) out.insert(out.end(), r.begin(), r.end());
  return out;
}

namespace {
constexpr std::int64_t kDayNs = 86400LL * 1000000000LL;
}  // namespace

double time_of_day_s(Time t) {
  return static_cast<double>(((t.ns % kDayNs) + kDayNs) % kDayNs) * 1e-9;
}

std::string mode3a_digits(std::uint16_t code) { return fmt::format("{:04o}", code & 07777); }

std::string callsign8(const std::string& c) {
  std::string s = c.substr(0, 8);
  s.resize(8, ' ');
  return s;
}

}  // namespace skyfuse::decode::asterix
