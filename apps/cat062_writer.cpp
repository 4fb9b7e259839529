#include "apps/cat062_writer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "apps/asterix_feeds.hpp"
#include "core/error.hpp"
#include "decode/asterix/encoder.hpp"

namespace skyfuse::apps {

namespace {
constexpr double kFt = 0.3048;
}

Cat062Writer::Cat062Writer(const std::string& path, const std::string& specs_dir, std::uint8_t sac,
                           std::uint8_t sic, std::size_t max_records)
    : out_(path, std::ios::binary | std::ios::trunc),
      cat_(decode::asterix::load_category(specs_dir + "/cat062/cat062-1.18.json")),
      sac_(sac),
      sic_(sic),
      max_records_(max_records) {
  if (!out_) throw ConfigError(fmt::format("{}: cannot write", path));
}

Cat062Writer::Cat062Writer(BlockSink sink, const std::string& specs_dir, std::uint8_t sac,
                           std::uint8_t sic, std::size_t max_records)
    : sink_(std::move(sink)),
      cat_(decode::asterix::load_category(specs_dir + "/cat062/cat062-1.18.json")),
      sac_(sac),
      sic_(sic),
      max_records_(max_records) {}

void Cat062Writer::add(const ObjectState& s) {
  nlohmann::ordered_json items;
  items["010"] = {{"SAC", sac_}, {"SIC", sic_}};
  items["015"] = 1;
  items["070"] = time_of_day_s(s.time);
  items["105"] = {{"LAT", s.position.lat_deg}, {"LON", s.position.lon_deg}};
  items["185"] = {{"VX", std::clamp(s.velocity_enu_mps.x(), -8192.0, 8191.0)},
                  {"VY", std::clamp(s.velocity_enu_mps.y(), -8192.0, 8191.0)}};
  std::uint32_t number = 0;
  try {
    number = static_cast<std::uint32_t>(std::stoul(s.id)) & 0xFFFF;
  } catch (const std::exception&) {
    number = static_cast<std::uint32_t>(std::hash<std::string>{}(s.id) & 0xFFFF);
  }
  items["040"] = number;
  const TrackStatus st = s.status.value_or(TrackStatus::kConfirmed);
  const bool first = seen_.insert(s.id).second;
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
  if (st == TrackStatus::kDeleted) seen_.erase(s.id);
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

}  // namespace skyfuse::apps
