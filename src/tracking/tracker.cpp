// The tracker: the units of tracking/*.hpp put together, and the cycle.
#include "tracking/tracker.hpp"

#include <fmt/format.h>

#include <Eigen/LU>
#include <algorithm>
#include <cmath>
#include <numbers>
#include <span>
#include <string>

#include "association/gnn.hpp"
#include "association/jpda.hpp"
#include "estimation/frame.hpp"
#include "tracking/gating.hpp"
#include "tracking/height_offset.hpp"
#include "tracking/lifecycle.hpp"
#include "tracking/measurement.hpp"
#include "tracking/merge.hpp"
#include "tracking/reorder_buffer.hpp"
#include "tracking/sensor_table.hpp"
#include "tracking/spoof_check.hpp"
#include "tracking/track_table.hpp"
#include "tracking/update.hpp"

namespace skyfuse::tracking {

namespace {
constexpr std::size_t kMaxMessages = 20;
// A sensor counts as a source of a track update when it updated the track
// within this many of its update intervals (ObjectState::sources).
constexpr double kSourceFreshIntervals = 2.5;

RegistrationConfig registration_config(const TrackerConfig& c) {
  RegistrationConfig r;
  r.memory_samples = c.registration_memory;
  r.min_samples = c.registration_min_samples;
  r.prior_gain_ppm = c.registration_prior_gain_ppm;
  r.prior_time_s = c.registration_prior_time_s;
  r.max_chi2_dof = c.registration_max_chi2_dof;
  return r;
}
}  // namespace

struct Tracker::Impl {
  // State (declaration order is construction order: the frame from the
  // sensors' list before the sensor table takes it).
  TrackerConfig cfg;
  estimation::TrackingFrame frame;
  SensorTable sensors;
  Registration registration;
  HeightOffsetModel offsets;  // geometric height - pressure altitude, by pressure altitude
  TrackerStats stats;
  TrackTable table;
  ReorderBuffer buffer;
  // The units of the cycle.
  MeasurementPreparer preparer{cfg, frame, sensors, registration, offsets};
  Gate gate{cfg, frame, sensors, offsets, preparer};
  Updater updater{cfg, gate, sensors, table, registration, offsets, frame, stats};
  Initiator initiator{cfg, table, sensors, offsets, stats};
  DuplicateMerger merger{cfg, gate, sensors, frame};
  // Sensors whose data starts over (restart_sensor), and from when.
  std::vector<std::pair<SensorId, Time>> restarts;
  SpoofChecker spoof;  // Remote ID consistency, by serial
  // Data time.
  Time now_;
  bool started = false;
  Time last_maintain;
  // Out.
  std::vector<std::string> errors;
  std::vector<ObjectState> pending;
  // One batch's scratch.
  std::vector<Prepared> prepared;
  std::vector<Report> shifted;  // radar plots at their time-corrected stamps
  GateResult gated;
  association::Association assignment;
  std::vector<double> innovation_det;  // JPDA: |S| per candidate
  std::vector<std::size_t> unassociated;

  Impl(TrackerConfig c, std::vector<Sensor> list)
      : cfg(std::move(c)),
        frame(cfg.origin ? *cfg.origin : SensorTable::centre(list)),
        sensors(std::move(list), frame, cfg),
        registration(registration_config(cfg)),
        offsets(cfg.atmosphere, cfg.atmosphere_given),
        table(cfg),
        buffer(cfg.latency_s),
        spoof(cfg.spoof, sensors.any(SensorKind::kRemoteId)) {}

  // ------------------------------------------------------------ the cycle

  // One batch: the plots of one sensor within its batch window, or one report.
  void process_batch(std::span<const Report* const> batch) {
    prepare(batch);
    if (prepared.empty()) return;
    gate.by_identity(prepared, table, gated, stats,
                     [this](std::uint32_t slot, Time at) { erase_track(slot, at); });
    gate.by_position(prepared, table, gated);
    associate();
    // Updates first, so a split plot finds its target's plot of this scan.
    unassociated.clear();
    for (std::size_t i = 0; i < prepared.size(); ++i) {
      const int slot = gated.direct[i] >= 0 ? gated.direct[i] : assignment.report_to_track[i];
      if (slot >= 0) {
        update(static_cast<std::uint32_t>(slot), prepared[i]);
      } else {
        unassociated.push_back(i);
      }
    }
    for (std::size_t i : unassociated) {
      ++stats.unassociated;
      if (split_plot(prepared[i])) {
        ++stats.split_plots;
        continue;
      }
      initiator.initiate(prepared[i]);
    }
  }

  // A radar plot that no track took, beside a target its radar updated in
  // the same scan (the track's predicted position in the radar's
  // coordinates within split_plot_azimuth_deg and 5 range sigmas) and
  // carrying no code or address that contradicts it: the plot extractor split
  // that target, and a track started from it would be false.
  bool split_plot(const Prepared& p) const {
    if (!p.polar || cfg.split_plot_azimuth_deg <= 0 || !p.sensor->radar) return false;
    const Report& r = *p.report;
    const double max_az = cfg.split_plot_azimuth_deg * std::numbers::pi / 180;
    const double half_scan = 0.5 * p.sensor->interval_s;
    bool split = false;
    table.query(p.xy, p.range_m * max_az + cfg.max_gate_m, [&](std::uint32_t slot) {
      if (split) return;
      const TrackRecord& t = table[slot];
      if (!t.alive) return;
      const auto seen = std::find_if(t.sensors.begin(), t.sensors.end(),
                                     [&](const auto& e) { return e.first == r.sensor; });
      if (seen == t.sensors.end() || std::abs((r.time - seen->second).seconds()) > half_scan)
        return;
      const Identity& a = r.identity;
      const Identity& b = t.identity;
      if (a.icao24 && b.icao24 && *a.icao24 != *b.icao24) return;
      if (a.mode3a && b.mode3a && *a.mode3a != *b.mode3a) return;
      const estimation::StateVec& x = t.imm.state();
      const double dt = (r.time - t.time).seconds();
      const Eigen::Vector2d xy = x.head<2>() + x.segment<2>(2) * dt;
      const geo::Polar z =
          p.sensor->radar->forward(frame.from_plane(xy, Gate::predicted_height(t, r.time)));
      const double sigma_track = table.summary(slot).sigma_pos_m;
      if (std::abs(p.range_m - z.range_m) > 5 * p.sigma_range_m + 2 * sigma_track) return;
      const double daz = std::remainder(p.azimuth_rad - z.azimuth_rad, 2 * std::numbers::pi);
      split = std::abs(daz) <= max_az;
    });
    return split;
  }

  // Once per data second: coasting, deletion, the fleet's height offsets,
  // duplicates.
  void maintain(Time at) {
    offsets.begin();
    for (std::uint32_t slot = 0; slot < table.slots(); ++slot) {
      TrackSummary& g = table.summary(slot);
      if (!g.alive) continue;
      const double silent = (at - g.last_update).seconds();
      Verdict v = silence_verdict(g.status, silent, g.interval_s, cfg);
      if (g.sigma_pos_m > cfg.max_position_sigma_m) v = Verdict::kDelete;  // lost
      if (v == Verdict::kDelete) {
        erase_track(slot, at);
        continue;
      }
      if (v == Verdict::kCoast && g.status == TrackStatus::kConfirmed) {
        TrackRecord& t = table[slot];
        t.status = TrackStatus::kCoasting;
        g.status = TrackStatus::kCoasting;
        pending.push_back(make_state(t, at, std::nullopt));
      }
      if (g.offset_known) offsets.add(g.pressure_alt_m, g.baro_offset_m);
    }
    offsets.finish();
    spoof.evaluate(at);
    merger.check(table, at, [&](std::uint32_t slot) {
      ++stats.merged;
      erase_track(slot, at);
    });
  }

  // ------------------------------------------------------------ its steps

  // Validate, correct, to the plane (a report whose track is known by its
  // address has that track's record, likely out of cache among thousands,
  // fetched while it is projected).
  // A radar plot whose radar's registration has a time offset is prepared
  // from a copy at its corrected time (its stamp minus the offset); the
  // stamp stays in Prepared::stamp for the registration's residuals.
  void prepare(std::span<const Report* const> batch) {
    prepared.clear();
    shifted.clear();
    shifted.reserve(batch.size());  // no reallocation: Prepared points into it
    for (const Report* r : batch) {
      ++stats.processed;
      table.prefetch(*r);
      const Report* use = r;
      if (cfg.registration && std::holds_alternative<PolarMeasurement>(r->measurement))
        if (const auto b = registration.bias(r->sensor); b && b->time_s != 0) {
          Report& c = shifted.emplace_back(*r);
          c.time = r->time - Duration::from_seconds(b->time_s);
          use = &c;
        }
      Prepared p;
      if (const Rejection why = preparer.prepare(*use, p); why != Rejection::kNone) {
        reject(*r, to_string(why));
      } else {
        p.stamp = r->time;
        if (spoof.active()) check_spoofing(p);
        prepared.push_back(p);
      }
    }
  }

  // The spoofing checks see every drone radar plot and Remote ID report.
  void check_spoofing(const Prepared& p) {
    const Report& r = *p.report;
    if (r.sensor_kind == SensorKind::kDroneRadar && p.polar && !p.needs_height && p.geometric_h)
      spoof.radar_plot(*p.sensor, p.xy, *p.geometric_h, r.time);
    else if (r.sensor_kind == SensorKind::kRemoteId)
      spoof.remote_id(*p.sensor, r.identity.remote_id, p.xy,
                      p.geometric_h.value_or(p.sensor->sensor.site.alt_m), r.time, r);
  }

  // GNN, or JPDA, over the spatial candidates.
  void associate() {
    const int n = static_cast<int>(prepared.size());
    if (gated.candidates.empty()) {
      assignment.report_to_track.assign(n, -1);
      return;
    }
    const double unassigned = cfg.gate_nis + cfg.unassigned_cost_margin;
    if (cfg.association == AssociationMode::kJpda) {
      innovation_det.clear();
      for (const association::Candidate& c : gated.candidates) {
        const Prepared& p = prepared[c.report];
        const GatePrediction g = gate.predict(table[c.track], p.report->time);
        innovation_det.push_back((g.cov + p.cov).determinant());
      }
      association::associate_jpda(
          gated.candidates, innovation_det, n,
          {cfg.jpda_pd, cfg.jpda_clutter_per_km2 * 1e-6, unassigned, cfg.jpda_min_probability},
          assignment);
      stats.jpda_fallbacks += static_cast<std::uint64_t>(assignment.jpda_fallbacks);
    } else {
      association::associate(gated.candidates, n, unassigned, assignment);
    }
    stats.clusters += static_cast<std::uint64_t>(assignment.clusters);
    stats.largest_cluster = std::max<std::uint64_t>(
        stats.largest_cluster, static_cast<std::uint64_t>(assignment.largest_cluster));
  }

  void update(std::uint32_t slot, const Prepared& p) {
    const TrackStatus before = table[slot].status;
    if (updater.update(slot, p) != UpdateOutcome::kUpdated) return;
    const TrackRecord& t = table[slot];
    // Confirmed now: with `backdate_confirmed` (offline), its history starts
    // at its first report, a line there retrodicted along the confirmed state.
    if (cfg.backdate_confirmed && before == TrackStatus::kTentative &&
        t.status == TrackStatus::kConfirmed && t.first_update < t.time &&
        (t.time - t.first_update).seconds() <= cfg.backdate_max_s)
      pending.push_back(make_state(t, t.first_update, TrackStatus::kTentative));
    publish(t);
  }

  // ------------------------------------------------------------ out

  void reject(const Report& r, const char* why) {
    ++stats.rejected;
    if (errors.size() < kMaxMessages)
      errors.push_back(fmt::format("sensor {} source {} offset {}: {}", sensors.name(r.sensor),
                                   r.source, r.source_offset, why));
  }

  ObjectState make_state(const TrackRecord& t, Time at, std::optional<TrackStatus> status) const {
    ObjectState s;
    s.time = at;
    s.id = std::to_string(t.number);
    const double dt = (at - t.time).seconds();
    const estimation::StateVec& x = t.imm.state();
    const Eigen::Vector2d xy = x.head<2>() + x.segment<2>(2) * dt;
    geo::Convergence local;
    const double height = Gate::predicted_height(t, at);
    s.position = frame.from_plane(xy, height, &local);
    if (t.seen_baro) s.baro_alt_m = height - t.vert.offset();
    for (const auto& [sid, when] : t.sensors) {
      const SensorInfo* si = sensors.find(sid);
      if (si == nullptr || (at - when).seconds() > kSourceFreshIntervals * si->interval_s) continue;
      auto& n = s.sources[static_cast<std::size_t>(si->sensor.kind)];
      if (n < 255) ++n;
    }
    const Eigen::Vector2d v =
        estimation::TrackingFrame::plane_to_local(Eigen::Vector2d(x.segment<2>(2)), local);
    s.velocity_enu_mps = Eigen::Vector3d(v.x(), v.y(), t.vert.rate());
    s.status = status ? status : std::optional<TrackStatus>(t.status);
    s.target_class = t.cls;
    s.identity = t.identity;
    s.emergency = t.emergency;
    s.operator_position = t.operator_position;
    if (const SpoofVerdict* sv = spoof.verdict(t.identity.remote_id)) {
      s.spoof_reasons = sv->reasons;
      s.spoof_confidence = sv->confidence;
    }
    return s;
  }

  void publish(const TrackRecord& t) {
    if (t.status == TrackStatus::kConfirmed || t.status == TrackStatus::kCoasting)
      pending.push_back(make_state(t, t.time, std::nullopt));
  }

  // A restarted sensor's first report of its new pass is in the batch: the
  // tracks it alone updated are closed first.
  void apply_restarts(std::span<const Report* const> batch) {
    std::erase_if(restarts, [&](const std::pair<SensorId, Time>& r) {
      const bool reached = std::any_of(batch.begin(), batch.end(), [&](const Report* x) {
        return x->sensor == r.first && x->time >= r.second;
      });
      if (!reached) return false;
      const Time at = batch.front()->time;
      for (std::uint32_t slot = 0; slot < table.slots(); ++slot) {
        if (!table.summary(slot).alive) continue;
        const TrackRecord& t = table[slot];
        const bool only =
            !t.sensors.empty() && std::all_of(t.sensors.begin(), t.sensors.end(),
                                              [&](const auto& e) { return e.first == r.first; });
        if (only) erase_track(slot, at);
      }
      return true;
    });
  }

  // Deletes a track, announcing it if it was shown.
  void erase_track(std::uint32_t slot, Time at) {
    const TrackRecord& t = table[slot];
    if (t.status == TrackStatus::kConfirmed || t.status == TrackStatus::kCoasting)
      pending.push_back(make_state(t, std::max(at, t.time), TrackStatus::kDeleted));
    table.erase(slot, at);
    --stats.live_tracks;
    ++stats.deleted;
  }

  // ------------------------------------------------------------ driving

  void release(bool all) {
    buffer.release(
        all,
        [this](SensorId s) {
          const SensorInfo* si = sensors.find(s);
          return si ? si->batch_window_s : 0.0;
        },
        [this](std::span<const Report* const> batch, const Report* next) {
          if (!started) {
            started = true;
            last_maintain = batch.front()->time;
          }
          now_ = std::max(now_, batch.front()->time);
          // Look ahead: the record of the track the next queued report will
          // update (by its address) is fetched while this one is processed.
          if (next) table.prefetch(*next);
          if (!restarts.empty()) apply_restarts(batch);
          process_batch(batch);
          if ((now_ - last_maintain).seconds() >= cfg.maintain_period_s) {
            maintain(now_);
            last_maintain = now_;
          }
        });
  }

  void push(const Report& r) {
    ++stats.reports;
    if (started && (now_ - r.time).seconds() > cfg.max_oosm_lag_s) {
      ++stats.late_dropped;
      return;
    }
    buffer.push(r);
    if (buffer.due()) release(false);
  }
};

Tracker::Tracker(TrackerConfig cfg, std::vector<Sensor> sensors)
    : impl_(std::make_unique<Impl>(std::move(cfg), std::move(sensors))) {}
Tracker::~Tracker() = default;

void Tracker::push(const Report& r) { impl_->push(r); }

void Tracker::restart_sensor(SensorId sensor, Time from) {
  impl_->restarts.emplace_back(sensor, from);
}

void Tracker::flush() {
  impl_->release(true);
  impl_->spoof.evaluate(impl_->now_, true);
  if (impl_->started) impl_->maintain(impl_->now_);
}

std::vector<ObjectState> Tracker::drain() {
  std::vector<ObjectState> out;
  out.swap(impl_->pending);
  return out;
}

const std::vector<ObjectState>& Tracker::pending() const { return impl_->pending; }
void Tracker::clear_pending() { impl_->pending.clear(); }

std::vector<Track> Tracker::tracks() const {
  std::vector<Track> out;
  for (const TrackRecord& t : impl_->table.records()) {
    if (!t.alive || t.status == TrackStatus::kTentative) continue;
    Track k;
    k.id = t.number;
    k.time = t.time;
    const estimation::StateVec& x = t.imm.state();
    k.state << x[0], x[1], t.vert.height(), x[2], x[3], t.vert.rate(), x[4], x[5], 0;
    k.covariance.setZero();
    const estimation::StateCov p = t.imm.covariance();
    const int idx[6] = {0, 1, -1, 2, 3, -1};
    for (int i = 0; i < 6; ++i)
      for (int j = 0; j < 6; ++j)
        if (idx[i] >= 0 && idx[j] >= 0) k.covariance(i, j) = p(idx[i], idx[j]);
    k.covariance(2, 2) = t.vert.covariance()(0, 0);
    k.covariance(5, 5) = t.vert.covariance()(1, 1);
    k.covariance(6, 6) = p(4, 4);
    k.covariance(7, 7) = p(5, 5);
    k.covariance(8, 8) = 1;
    k.mode_probability = t.imm.probabilities();
    k.status = t.status;
    k.identity = t.identity;
    k.target_class = t.cls;
    k.class_confidence = t.class_confidence;
    for (const auto& s : t.sensors) k.sensors.push_back(s.first);
    k.first_update = t.first_update;
    k.last_update = t.last_update;
    out.push_back(std::move(k));
  }
  return out;
}

const TrackerStats& Tracker::stats() const { return impl_->stats; }
const std::vector<std::string>& Tracker::errors() const { return impl_->errors; }
std::optional<RadarBias> Tracker::radar_bias(SensorId sensor) const {
  return impl_->registration.raw(sensor);
}
Time Tracker::now() const { return impl_->now_; }

std::size_t Tracker::memory_bytes() const { return impl_->table.memory_bytes(); }

}  // namespace skyfuse::tracking
