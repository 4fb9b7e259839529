#include "output/cat062_writer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "decode/asterix/encoder.hpp"

namespace skyfuse::output {

using decode::asterix::callsign8;
using decode::asterix::mode3a_digits;
using decode::asterix::time_of_day_s;

namespace {
constexpr double kFt = 0.3048;
bool layout_matches(const decode::asterix::Category& cat);
}  // namespace

Cat062Writer::Cat062Writer(const std::string& path, const std::string& specs_dir, std::uint8_t sac,
                           std::uint8_t sic, std::size_t max_records)
    : out_(path, std::ios::binary | std::ios::trunc),
      cat_(decode::asterix::load_category(specs_dir + "/cat062/cat062-1.18.json")),
      sac_(sac),
      sic_(sic),
      max_records_(max_records),
      typed_(layout_matches(cat_) ? std::make_shared<const Typed>(cat_) : nullptr) {
  if (!out_) throw ConfigError(fmt::format("{}: cannot write", path));
}

Cat062Writer::Cat062Writer(BlockSink sink, const std::string& specs_dir, std::uint8_t sac,
                           std::uint8_t sic, std::size_t max_records)
    : sink_(std::move(sink)),
      cat_(decode::asterix::load_category(specs_dir + "/cat062/cat062-1.18.json")),
      sac_(sac),
      sic_(sic),
      max_records_(max_records),
      typed_(layout_matches(cat_) ? std::make_shared<const Typed>(cat_) : nullptr) {}

namespace {

namespace ax = decode::asterix;

// Element `sub` of item `item` (`sub` empty: the item is an element itself).
const ax::Variation& element(const ax::Category& cat, const std::string& item,
                             const std::string& sub = "") {
  const ax::Variation& v = *cat.items.at(item);
  if (sub.empty()) return v;
  for (const auto& m : v.members)
    if (m.kind == ax::Member::Kind::kItem && m.name == sub) return *m.variation;
  throw ConfigError(fmt::format("CAT062: no {}/{} in the definition", item, sub));
}

void put_be(std::vector<std::uint8_t>& out, std::int64_t v, int bytes) {
  for (int k = bytes - 1; k >= 0; --k)
    out.push_back(static_cast<std::uint8_t>((v >> (8 * k)) & 0xFF));
}

}  // namespace

namespace {
// Whether the definition has the layout the direct path writes (edition
// 1.18's): element sizes and I062/080's first four parts. Otherwise every
// record goes through the spec-driven encoder.
bool layout_matches(const ax::Category& cat) {
  try {
    auto bits = [&](const std::string& item, const std::string& sub = "") {
      return element(cat, item, sub).bit_size;
    };
    if (bits("015") != 8 || bits("070") != 24 || bits("105", "LAT") != 32 ||
        bits("105", "LON") != 32 || bits("185", "VX") != 16 || bits("185", "VY") != 16 ||
        bits("040") != 16 || bits("130") != 16 || bits("220") != 16 || bits("060", "MODE3A") != 12)
      return false;
    std::string parts;
    for (const auto& m : cat.items.at("080")->members)
      parts += m.kind == ax::Member::Kind::kFx      ? "|"
               : m.kind == ax::Member::Kind::kSpare ? "_"
                                                    : m.name + ",";
    return parts.starts_with(
        "MON,SPI,MRH,SRC,CNF,|SIM,TSE,TSB,FPC,AFF,STP,KOS,|AMA,MD4,ME,MI,MD5,|CST,PSR,SSR,MDS,ADS,"
        "SUC,AAC,|");
  } catch (const std::exception&) {
    return false;
  }
}
}  // namespace

struct Cat062Writer::Typed {
  // Field reference number (UAP position) of each item written.
  int frn_010, frn_015, frn_070, frn_105, frn_185, frn_060, frn_380, frn_040, frn_080, frn_130,
      frn_220;
  // The quantity elements written (their scales and signedness).
  const ax::Variation *e_070, *e_lat, *e_lon, *e_vx, *e_vy, *e_130, *e_220;
  // The items in UAP order: {field reference number, which}.
  std::array<std::pair<int, int>, 11> order;
  ax::Category def;  // holds the item trees the element pointers point into

  explicit Typed(const ax::Category& category) : def(category) {
    const ax::Category& cat = def;
    const auto& uap = cat.uaps.at(cat.default_uap);
    auto frn = [&](const char* name) {
      for (std::size_t k = 0; k < uap.size(); ++k)
        if (uap[k] == name) return static_cast<int>(k);
      throw ConfigError(fmt::format("CAT062: item {} not in the UAP", name));
    };
    frn_010 = frn("010"), frn_015 = frn("015"), frn_070 = frn("070"), frn_105 = frn("105");
    frn_185 = frn("185"), frn_060 = frn("060"), frn_380 = frn("380"), frn_040 = frn("040");
    frn_080 = frn("080"), frn_130 = frn("130"), frn_220 = frn("220");
    e_070 = &element(cat, "070");
    e_lat = &element(cat, "105", "LAT");
    e_lon = &element(cat, "105", "LON");
    e_vx = &element(cat, "185", "VX");
    e_vy = &element(cat, "185", "VY");
    e_130 = &element(cat, "130");
    e_220 = &element(cat, "220");
    order = {{{frn_010, 0},
              {frn_015, 1},
              {frn_070, 2},
              {frn_105, 3},
              {frn_185, 4},
              {frn_060, 5},
              {frn_380, 6},
              {frn_040, 7},
              {frn_080, 8},
              {frn_130, 9},
              {frn_220, 10}}};
    std::sort(order.begin(), order.end());
  }

  // The record the spec-driven encoder makes of the same items, written
  // directly; false (nothing written) wherever that encoder could refuse a
  // value, which then decides as before.
  bool encode(const ObjectState& s, std::uint8_t sac, std::uint8_t sic, std::uint32_t number,
              TrackStatus st, bool first, std::vector<std::uint8_t>& rec) const {
    auto q = [](const ax::Variation* e, double v) {
      return ax::quantity_field(e->content, e->bit_size, v);
    };
    const auto t = q(e_070, time_of_day_s(s.time));
    const auto lat = q(e_lat, s.position.lat_deg), lon = q(e_lon, s.position.lon_deg);
    const auto vx = q(e_vx, std::clamp(s.velocity_enu_mps.x(), -8192.0, 8191.0));
    const auto vy = q(e_vy, std::clamp(s.velocity_enu_mps.y(), -8192.0, 8191.0));
    const auto alt = q(e_130, std::clamp(s.position.alt_m / kFt, -1500.0, 150000.0));
    const auto roc = q(e_220, std::clamp(s.velocity_enu_mps.z() / kFt * 60, -204800.0, 204799.0));
    if (!t || !lat || !lon || !vx || !vy || !alt || !roc) return false;
    if (s.identity.icao24 && *s.identity.icao24 > 0xFFFFFF) return false;
    const bool has_380 = s.identity.icao24 || !s.identity.callsign.empty();
    const bool has_060 = s.identity.mode3a.has_value();
    // FSPEC over the UAP positions present.
    std::uint64_t present = 0;
    for (int f : {frn_010, frn_015, frn_070, frn_105, frn_185, frn_040, frn_080, frn_130, frn_220})
      present |= std::uint64_t{1} << f;
    if (has_060) present |= std::uint64_t{1} << frn_060;
    if (has_380) present |= std::uint64_t{1} << frn_380;
    int last = 0;
    for (int f = 0; f < 64; ++f)
      if (present >> f & 1) last = f + 1;
    const int octets = std::max(1, (last + 6) / 7);
    rec.clear();
    for (int o = 0; o < octets; ++o) {
      std::uint8_t b = 0;
      for (int k = 0; k < 7; ++k)
        if (present >> (o * 7 + k) & 1) b |= static_cast<std::uint8_t>(0x80 >> k);
      if (o + 1 < octets) b |= 1;
      rec.push_back(b);
    }
    for (const auto& [frn, which] : order) {
      switch (which) {
        case 0:
          rec.push_back(sac);
          rec.push_back(sic);
          break;
        case 1:
          rec.push_back(1);
          break;
        case 2:
          put_be(rec, *t, 3);
          break;
        case 3:
          put_be(rec, *lat, 4);
          put_be(rec, *lon, 4);
          break;
        case 4:
          put_be(rec, *vx, 2);
          put_be(rec, *vy, 2);
          break;
        case 5:
          if (!has_060) break;
          put_be(rec, *s.identity.mode3a & 07777, 2);  // V, G, CH and the spare bit zero
          break;
        case 6: {
          if (!has_380) break;
          const bool adr = s.identity.icao24.has_value(), id = !s.identity.callsign.empty();
          rec.push_back(static_cast<std::uint8_t>((adr ? 0x80 : 0) | (id ? 0x40 : 0)));
          if (adr) put_be(rec, *s.identity.icao24, 3);
          if (id) {
            // Eight characters in the 6-bit ICAO alphabet ('#' and anything
            // outside it as the encoder writes them: 0 and space).
            const std::string c = callsign8(s.identity.callsign);
            std::uint64_t bits = 0;
            for (char ch : c) bits = bits << 6 | static_cast<std::uint64_t>(ax::icao_code(ch));
            put_be(rec, static_cast<std::int64_t>(bits), 6);
          }
          break;
        }
        case 7:
          put_be(rec, number, 2);
          break;
        case 8:
          // MON SPI MRH SRC CNF FX | SIM TSE TSB FPC AFF STP KOS FX |
          // AMA MD4 ME MI MD5 FX | CST PSR SSR MDS ADS SUC AAC FX(0).
          rec.push_back(static_cast<std::uint8_t>((st == TrackStatus::kTentative ? 0x02 : 0) | 1));
          rec.push_back(static_cast<std::uint8_t>((st == TrackStatus::kDeleted ? 0x40 : 0) |
                                                  (first ? 0x20 : 0) | 1));
          rec.push_back(0x01);
          rec.push_back(st == TrackStatus::kCoasting ? 0x80 : 0);
          break;
        case 9:
          put_be(rec, *alt, 2);
          break;
        case 10:
          put_be(rec, *roc, 2);
          break;
      }
    }
    return true;
  }
};

void Cat062Writer::add(const ObjectState& s) {
  std::uint32_t number = 0;
  try {
    number = static_cast<std::uint32_t>(std::stoul(s.id)) & 0xFFFF;
  } catch (const std::exception&) {
    number = static_cast<std::uint32_t>(std::hash<std::string>{}(s.id) & 0xFFFF);
  }
  const TrackStatus st = s.status.value_or(TrackStatus::kConfirmed);
  const bool first = seen_.insert(s.id).second;
  if (st == TrackStatus::kDeleted) seen_.erase(s.id);
  std::vector<std::uint8_t> rec;
  if (typed_ && typed_->encode(s, sac_, sic_, number, st, first, rec)) {
    pending_.push_back(std::move(rec));
    ++records_;
    if (pending_.size() >= max_records_) flush();
    return;
  }
  add_generic(s, number, st, first);
}

// The spec-driven path: the items as JSON through the encoder.
void Cat062Writer::add_generic(const ObjectState& s, std::uint32_t number, TrackStatus st,
                               bool first) {
  nlohmann::ordered_json items;
  items["010"] = {{"SAC", sac_}, {"SIC", sic_}};
  items["015"] = 1;
  items["070"] = time_of_day_s(s.time);
  items["105"] = {{"LAT", s.position.lat_deg}, {"LON", s.position.lon_deg}};
  items["185"] = {{"VX", std::clamp(s.velocity_enu_mps.x(), -8192.0, 8191.0)},
                  {"VY", std::clamp(s.velocity_enu_mps.y(), -8192.0, 8191.0)}};
  items["040"] = number;
  items["080"] = {{"MON", 0},
                  {"SPI", 0},
                  {"MRH", 0},
                  {"SRC", 0},
                  {"CNF", st == TrackStatus::kTentative ? 1 : 0},
                  {"SIM", 0},
                  {"TSE", st == TrackStatus::kDeleted ? 1 : 0},
                  {"TSB", first ? 1 : 0},
                  {"FPC", 0},
                  {"AFF", 0},
                  {"STP", 0},
                  {"KOS", 0},
                  {"AMA", 0},
                  {"MD4", 0},
                  {"ME", 0},
                  {"MI", 0},
                  {"MD5", 0},
                  {"CST", st == TrackStatus::kCoasting ? 1 : 0},
                  {"PSR", 0},
                  {"SSR", 0},
                  {"MDS", 0},
                  {"ADS", 0},
                  {"SUC", 0},
                  {"AAC", 0}};
  if (s.identity.mode3a)
    items["060"] = {{"V", 0}, {"G", 0}, {"CH", 0}, {"MODE3A", mode3a_digits(*s.identity.mode3a)}};
  nlohmann::ordered_json adr;
  if (s.identity.icao24) adr["ADR"] = *s.identity.icao24;
  if (!s.identity.callsign.empty()) adr["ID"] = callsign8(s.identity.callsign);
  if (!adr.empty()) items["380"] = adr;
  items["130"] = std::clamp(s.position.alt_m / kFt, -1500.0, 150000.0);
  items["220"] = std::clamp(s.velocity_enu_mps.z() / kFt * 60, -204800.0, 204799.0);
  auto rec = decode::asterix::encode_record(cat_, items);
  if (!rec) {
    // A callsign outside the ICAO character set, say: write the record without it.
    items.erase("380");
    if (s.identity.icao24) items["380"] = {{"ADR", *s.identity.icao24}};
    rec = decode::asterix::encode_record(cat_, items);
  }
  if (!rec) {
    ++errors_;
    return;
  }
  pending_.push_back(std::move(*rec));
  ++records_;
  if (pending_.size() >= max_records_) flush();
}

void Cat062Writer::flush() {
  if (pending_.empty()) return;
  auto block = decode::asterix::encode_block(62, pending_);
  pending_.clear();
  if (!block) {
    ++errors_;
    return;
  }
  if (sink_) {
    sink_(std::move(*block));
    return;
  }
  out_.write(reinterpret_cast<const char*>(block->data()),
             static_cast<std::streamsize>(block->size()));
}

std::vector<std::uint8_t> encode_cat065(const decode::asterix::Category& cat065, std::uint8_t sac,
                                        std::uint8_t sic, Time t, int batch, bool end_of_batch) {
  nlohmann::ordered_json items;
  items["010"] = {{"SAC", sac}, {"SIC", sic}};
  items["000"] = end_of_batch ? 2 : 1;
  items["015"] = 1;
  items["030"] = time_of_day_s(t);
  if (end_of_batch) {
    items["020"] = batch & 0xFF;
  } else {
    items["040"] = {{"NOGO", 0}, {"OVL", 0}, {"TSV", 0}, {"PSS", 0}, {"STTN", 0}};
  }
  auto rec = decode::asterix::encode_record(cat065, items);
  if (!rec) return {};
  auto block = decode::asterix::encode_block(65, {std::move(*rec)});
  return block ? std::move(*block) : std::vector<std::uint8_t>{};
}

}  // namespace skyfuse::output
