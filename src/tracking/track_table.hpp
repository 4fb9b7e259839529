// File: tracking/track_table.hpp
//
// The tracker's tracks: full records (filter state and all, ~1.5 KB) in a
// vector of slots reused after deletion; beside it a packed summary per slot
// (~100 bytes) that gating, the duplicate check and maintenance scan; a
// uniform grid of the slots by plane position; the maps from 24-bit address
// and Remote ID serial to the one track that holds each (its canonical
// track); track numbers, remembered per address for `number_memory_s` after
// its track is deleted.
//
// Whoever changes a record's filter, status or identity calls moved() (or
// summarise()) so the summary and the grid follow. Identity binding happens
// only here (bind_address, bind_serial), and only erase() unbinds.
//
//   TrackTable table(cfg);
//   std::uint32_t slot = table.create();
//   TrackRecord& t = table[slot];  ... fill ...
//   t.number = table.number_for(t.identity, now);
//   table.bind_address(slot);
//   table.moved(slot);
//   table.query(xy, 5000, [&](std::uint32_t other) { ... table.summary(other) ... });
#pragma once

#include <absl/container/flat_hash_map.h>

#include <boost/container/small_vector.hpp>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "association/grid.hpp"
#include "core/types.hpp"
#include "estimation/imm.hpp"
#include "estimation/vertical_filter.hpp"
#include "tracking/classifier.hpp"
#include "tracking/config.hpp"

namespace skyfuse::tracking {

inline constexpr std::size_t kInlineSensors = 4;

struct TrackRecord {
  std::uint32_t number = 0;
  bool alive = false;
  Time time;  // time of the filter state
  estimation::Imm imm;
  estimation::VerticalFilter vert;
  bool seen_geometric = false;
  bool seen_baro = false;
  TrackStatus status = TrackStatus::kTentative;
  int hits = 0;
  Time first_update, last_update, last_reference;
  Identity identity;
  bool emergency = false;                             // from the last ADS-B report
  std::optional<OperatorPosition> operator_position;  // from the last Remote ID report with one
  bool in_icao_map = false;
  bool in_rid_map = false;
  // Sensors that updated it and when (inline for up to four: no heap block
  // to fetch on every update).
  boost::container::small_vector<std::pair<SensorId, Time>, kInlineSensors> sensors;
  double interval_s = 4;
  ClassEvidence evidence;
  TargetClass cls = TargetClass::kUnknown;
  double class_confidence = 0;
  int merge_count = 0;
  double score = 0;  // log-likelihood ratio, target vs clutter
  // The last ADS-B/MLAT fix alone (registration reference, free of radar plots).
  Eigen::Vector2d ref_xy = Eigen::Vector2d::Zero();
  Eigen::Vector2d ref_velocity = Eigen::Vector2d::Zero();
  double ref_var = 0;
  bool ref_has_velocity = false;
  SensorId last_radar = 0;  // last radar whose plot updated it
  bool height_known() const { return seen_geometric || seen_baro; }
  bool identified() const { return identity.icao24.has_value() || !identity.remote_id.empty(); }
  // Reports that carried its address or serial. One alone is not trusted: a
  // garbled Mode S reply or a false reply carries an address no aircraft has.
  int identity_hits = 0;
  bool corroborated() const { return identified() && identity_hits >= 2; }
};

// What gating, the duplicate check and the per-second maintenance read of
// every nearby or live track, packed per slot (about 100 bytes, contiguous):
// they scan many tracks and act on few, so they read this instead of the
// 1.5 KB TrackRecord (filter state and all).
struct TrackSummary {
  Time time;  // of the filter state
  Time last_update;
  double x = 0, y = 0, vx = 0, vy = 0;
  double sigma_pos_m = 0;    // sqrt(P_xx + P_yy)
  double sigma_vel_mps = 0;  // sqrt(P_vxvx + P_vyvy)
  double interval_s = 0;
  double baro_offset_m = 0;   // vert.offset()
  double pressure_alt_m = 0;  // vert.height() - vert.offset()
  TrackStatus status = TrackStatus::kTentative;
  bool alive = false;
  bool canonical = false;     // holds its address or serial
  bool offset_known = false;  // seen geometric and baro heights lately, enough hits

  // Squared distance from `xy` to the track moved at its velocity to `at`.
  double distance2(Time at, const Eigen::Vector2d& xy) const {
    const double dt = (at - time).seconds();
    const double ex = x + vx * dt - xy.x(), ey = y + vy * dt - xy.y();
    return ex * ex + ey * ey;
  }
};

class TrackTable {
 public:
  explicit TrackTable(const TrackerConfig& cfg) : cfg_(cfg), grid_(cfg.grid_cell_m) {}

  // A fresh record (default values, alive) in a free slot; not yet in the
  // grid nor summarised: fill it, then moved().
  std::uint32_t create();
  // Unbinds its address and serial (remembering the number of an address's
  // track that was more than one plot), takes it out of the grid, frees the slot.
  void erase(std::uint32_t slot, Time at);

  TrackRecord& operator[](std::uint32_t slot) { return tracks_[slot]; }
  const TrackRecord& operator[](std::uint32_t slot) const { return tracks_[slot]; }
  const TrackSummary& summary(std::uint32_t slot) const { return summary_[slot]; }
  TrackSummary& summary(std::uint32_t slot) { return summary_[slot]; }
  // Slots, live and free: summaries exist for every one.
  std::uint32_t slots() const { return static_cast<std::uint32_t>(summary_.size()); }
  const std::vector<TrackRecord>& records() const { return tracks_; }

  // The record's filter, status or identity changed: its summary follows.
  void summarise(std::uint32_t slot);
  // ... and its position: the grid follows too.
  void moved(std::uint32_t slot) {
    grid_.set(slot, tracks_[slot].imm.state().head<2>());
    summarise(slot);
  }

  // The canonical track of the address, else of the serial, if any.
  std::optional<std::uint32_t> find(const Identity& id) const {
    if (id.icao24)
      if (auto it = by_icao_.find(*id.icao24); it != by_icao_.end()) return it->second;
    if (!id.remote_id.empty())
      if (auto it = by_rid_.find(id.remote_id); it != by_rid_.end()) return it->second;
    return std::nullopt;
  }
  // Makes the slot the canonical track of its record's address (or serial)
  // unless another track already is; true when it now is.
  bool bind_address(std::uint32_t slot);
  bool bind_serial(std::uint32_t slot);

  // A new track's number: the one its address had within number_memory_s
  // before `at` (forgotten once given back), else the next unused one.
  std::uint32_t number_for(const Identity& id, Time at);

  // Calls f(slot) for every track in the grid cells within radius_m of xy
  // (a superset of the tracks within radius).
  template <class F>
  void query(const Eigen::Vector2d& xy, double radius_m, F&& f) const {
    grid_.query(xy, radius_m, std::forward<F>(f));
  }

  // Fetches the record of the address's track into cache (a report about
  // to update it, among thousands of records).
  void prefetch(const Report& r) const {
    if (r.identity.icao24)
      if (auto it = by_icao_.find(*r.identity.icao24); it != by_icao_.end())
        prefetch_record(it->second);
  }

  std::size_t memory_bytes() const;

 private:
  void prefetch_record(std::uint32_t slot) const {
    const char* base = reinterpret_cast<const char*>(&tracks_[slot]);
    for (std::size_t off = 0; off < sizeof(TrackRecord); off += 64) __builtin_prefetch(base + off);
  }

  const TrackerConfig& cfg_;
  std::vector<TrackRecord> tracks_;
  std::vector<TrackSummary> summary_;  // per slot, beside `tracks_`
  std::vector<std::uint32_t> free_slots_;
  association::GridIndex grid_;
  absl::flat_hash_map<std::uint32_t, std::uint32_t> by_icao_;
  std::unordered_map<std::string, std::uint32_t> by_rid_;
  std::unordered_map<std::uint32_t, std::pair<std::uint32_t, Time>> number_memory_;  // icao
  std::uint32_t next_number_ = 1;
};

}  // namespace skyfuse::tracking
