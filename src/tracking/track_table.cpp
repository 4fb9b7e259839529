#include "tracking/track_table.hpp"

namespace skyfuse::tracking {

std::uint32_t TrackTable::create() {
  std::uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    tracks_.emplace_back();
    slot = static_cast<std::uint32_t>(tracks_.size() - 1);
  }
  TrackRecord& t = tracks_[slot];
  t = TrackRecord{};
  t.alive = true;
  return slot;
}

void TrackTable::erase(std::uint32_t slot, Time at) {
  TrackRecord& t = tracks_[slot];
  if (t.in_icao_map) {
    by_icao_.erase(*t.identity.icao24);
    if (t.status != TrackStatus::kTentative || t.hits >= 2)
      number_memory_[*t.identity.icao24] = {t.number, at};
  }
  if (t.in_rid_map) by_rid_.erase(t.identity.remote_id);
  grid_.erase(slot);
  t = TrackRecord{};
  summarise(slot);
  free_slots_.push_back(slot);
}

void TrackTable::summarise(std::uint32_t slot) {
  const TrackRecord& t = tracks_[slot];
  if (summary_.size() < tracks_.size()) summary_.resize(tracks_.size());
  TrackSummary& g = summary_[slot];
  g.alive = t.alive;
  if (!t.alive) return;
  const estimation::StateVec& x = t.imm.state();
  const estimation::Imm& f = t.imm;
  g.time = t.time;
  g.last_update = t.last_update;
  g.x = x[0];
  g.y = x[1];
  g.vx = x[2];
  g.vy = x[3];
  g.sigma_pos_m = std::sqrt(f.covariance(0, 0) + f.covariance(1, 1));
  g.sigma_vel_mps = std::sqrt(f.covariance(2, 2) + f.covariance(3, 3));
  g.interval_s = t.interval_s;
  g.baro_offset_m = t.vert.offset();
  g.pressure_alt_m = t.vert.height() - t.vert.offset();
  g.status = t.status;
  g.canonical = t.in_icao_map || t.in_rid_map;
  // Its own offset, measured: both heights seen, and a geometric one lately.
  g.offset_known = t.seen_geometric && t.seen_baro && t.hits > cfg_.own_offset_min_hits &&
                   t.last_reference.ns != 0 &&
                   (t.last_update - t.last_reference).seconds() <= cfg_.own_offset_memory_s;
}

bool TrackTable::bind_address(std::uint32_t slot) {
  TrackRecord& t = tracks_[slot];
  if (by_icao_.contains(*t.identity.icao24)) return false;
  by_icao_[*t.identity.icao24] = slot;
  t.in_icao_map = true;
  return true;
}

bool TrackTable::bind_serial(std::uint32_t slot) {
  TrackRecord& t = tracks_[slot];
  if (by_rid_.contains(t.identity.remote_id)) return false;
  by_rid_[t.identity.remote_id] = slot;
  t.in_rid_map = true;
  return true;
}

std::uint32_t TrackTable::number_for(const Identity& id, Time at) {
  if (id.icao24) {
    auto it = number_memory_.find(*id.icao24);
    if (it != number_memory_.end()) {
      const bool recent = (at - it->second.second).seconds() <= cfg_.number_memory_s;
      const std::uint32_t number = it->second.first;
      number_memory_.erase(it);
      if (recent) return number;
    }
  }
  return next_number_++;
}

std::size_t TrackTable::memory_bytes() const {
  std::size_t b = tracks_.capacity() * sizeof(TrackRecord);
  for (const TrackRecord& t : tracks_)
    if (t.sensors.capacity() > kInlineSensors)
      b += t.sensors.capacity() * sizeof(std::pair<SensorId, Time>);
  // Flat tables: a slot (key, value) and a control byte per bucket.
  b += by_icao_.capacity() * 9 + by_rid_.size() * 64 + number_memory_.size() * 40;
  b += grid_.size() * 24;
  return b;
}

}  // namespace skyfuse::tracking
