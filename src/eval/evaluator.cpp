#include "eval/evaluator.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <string_view>
#include <unordered_map>

#include "geo/wgs84.hpp"

namespace skyfuse::eval {

namespace {

struct TrackSeries {
  std::string id;
  std::vector<const ObjectState*> states;  // time-ordered
  std::size_t cursor = 0;                  // last state at or before the current step
  bool started = false;
  bool deleted = false;
  // Cached for the state under the cursor.
  Eigen::Vector3d ecef = Eigen::Vector3d::Zero();
  Eigen::Vector3d vel_ecef = Eigen::Vector3d::Zero();
  std::size_t cached = static_cast<std::size_t>(-1);
  int present_steps = 0;
  int assigned_steps = 0;
  long present_stamp = -1;  // index of the last step the track was present at
  int last_truth = -1;      // the object it was last assigned to
  bool ever_within_cutoff = false;
};

void cache(TrackSeries& t) {
  if (t.cached == t.cursor) return;
  const ObjectState& s = *t.states[t.cursor];
  t.ecef = geo::geodetic_to_ecef(s.position);
  t.vel_ecef = geo::ecef_to_enu_rotation(s.position.lat_deg, s.position.lon_deg).transpose() *
               s.velocity_enu_mps;
  t.cached = t.cursor;
}

struct TruthProgress {
  int last_track = -1;  // track assigned at the last step this truth was assigned
  bool assigned_prev = false;
  bool seen = false;
  Time first_seen;
  bool ever_assigned = false;
  Time first_assigned;
  std::set<int> tracks;
  int steps = 0;
  int assigned_steps = 0;
  int swaps = 0;
  int breaks = 0;
  int id_changes = 0;
  double sum_h2 = 0, sum_v2 = 0;  // errors of its assigned steps
  Time last_time;                 // its latest truth time so far
};

// The q-quantile (0..1) by nearest rank of a sorted sample; 0 when empty.
double quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const auto n = static_cast<double>(sorted.size());
  const auto rank = static_cast<std::size_t>(std::ceil(q * n));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

constexpr std::array<std::string_view, kCoverageCount> kCoverageNames{
    "multi_radar", "single_radar", "adsb_only", "psr_only", "other", "none"};

}  // namespace

const char* to_string(Coverage c) { return kCoverageNames[static_cast<std::size_t>(c)].data(); }

Coverage coverage_of(const ObjectState& track) {
  const auto n = [&](SensorKind k) { return track.sources[static_cast<std::size_t>(k)]; };
  const int ssr = n(SensorKind::kSsr) + n(SensorKind::kModeSRadar);
  if (ssr >= 2) return Coverage::kMultiRadar;
  if (ssr == 1) return Coverage::kSingleRadar;
  if (n(SensorKind::kAdsb) > 0 || n(SensorKind::kMlat) > 0) return Coverage::kAdsbOnly;
  if (n(SensorKind::kPsr) > 0) return Coverage::kPsrOnly;
  if (n(SensorKind::kDroneRadar) > 0 || n(SensorKind::kRemoteId) > 0) return Coverage::kOther;
  return Coverage::kNone;
}

EvalConfig independent_conventions() {
  EvalConfig c;
  c.gospa.cutoff_m = 1000;
  c.gospa.p = 2;
  c.track_max_age_s = 15;
  c.present_after_last_line = true;
  c.truth_end_grace_s = 15;
  c.false_if_never_within_cutoff = true;
  return c;
}

Evaluation evaluate(std::span<const ObjectState> truth, std::span<const ObjectState> tracks,
                    const EvalConfig& cfg, const EvalProgress& on_progress) {
  Evaluation ev;
  ev.config = cfg;
  const double p = cfg.gospa.p;

  // Ids in sorted order -> dense indices (one hash look-up per state).
  auto index_ids = [](std::span<const ObjectState> states) {
    std::unordered_map<std::string_view, int> index;
    for (const auto& s : states) index.emplace(s.id, 0);
    std::vector<std::string_view> ids;
    ids.reserve(index.size());
    for (const auto& [id, k] : index) ids.push_back(id);
    std::sort(ids.begin(), ids.end());
    for (int k = 0; k < static_cast<int>(ids.size()); ++k) index[ids[k]] = k;
    std::vector<int> of_state(states.size());
    for (std::size_t i = 0; i < states.size(); ++i) of_state[i] = index[states[i].id];
    return std::pair{std::move(ids), std::move(of_state)};
  };
  const auto [truth_ids, truth_of] = index_ids(truth);
  const auto [track_ids, track_of] = index_ids(tracks);

  // Truth states ordered by time, then id.
  struct TruthRef {
    const ObjectState* state;
    int index;
  };
  std::vector<TruthRef> truth_sorted(truth.size());
  for (std::size_t i = 0; i < truth.size(); ++i) truth_sorted[i] = {&truth[i], truth_of[i]};
  std::stable_sort(truth_sorted.begin(), truth_sorted.end(),
                   [](const TruthRef& a, const TruthRef& b) {
                     return a.state->time < b.state->time ||
                            (a.state->time == b.state->time && a.index < b.index);
                   });

  // Track series in id order, each time-ordered.
  std::vector<TrackSeries> series(track_ids.size());
  for (std::size_t k = 0; k < track_ids.size(); ++k) series[k].id = std::string(track_ids[k]);
  for (std::size_t i = 0; i < tracks.size(); ++i) series[track_of[i]].states.push_back(&tracks[i]);
  for (auto& t : series)
    std::stable_sort(t.states.begin(), t.states.end(),
                     [](const ObjectState* a, const ObjectState* b) { return a->time < b->time; });
  std::vector<int> by_start(series.size());
  for (int i = 0; i < static_cast<int>(series.size()); ++i) by_start[i] = i;
  std::stable_sort(by_start.begin(), by_start.end(), [&](int a, int b) {
    return series[a].states.front()->time < series[b].states.front()->time;
  });

  std::vector<TruthProgress> progress(truth_ids.size());
  std::vector<Time> truth_end(truth_ids.size(), Time{INT64_MIN});  // each object's last time
  for (std::size_t i = 0; i < truth.size(); ++i)
    truth_end[truth_of[i]] = std::max(truth_end[truth_of[i]], truth[i].time);
  std::vector<int> active;  // indices into series
  std::size_t next_start = 0;
  const Duration max_age = Duration::from_seconds(cfg.track_max_age_s);

  double sum_gospa = 0, sum_gospa_p = 0, sum_norm = 0, sum_loc = 0, sum_miss = 0, sum_false = 0;
  double sum_ospa = 0, sum_h2 = 0, sum_v2 = 0, sum_3d2 = 0, sum_vel2 = 0;
  long n_within = 0, n_track_positions = 0, n_false_positions = 0, n_extra = 0;
  long n_truth_steps = 0;
  long s_mode_c_pairs = 0;

  std::vector<Eigen::Vector3d> x, y;
  std::vector<TruthRef> xs;
  std::vector<int> y_series;
  std::vector<Eigen::Vector3d> y_vel;
  std::vector<Duration> y_dt;
  std::vector<const ObjectState*> y_state;
  long n_updated = 0, n_mode_c_correct = 0;
  std::array<long, kCoverageCount> cov_updated{};
  const std::size_t progress_step = std::max<std::size_t>(1, truth_sorted.size() / 100);
  std::size_t progress_next = progress_step;
  for (std::size_t begin = 0; begin < truth_sorted.size();) {
    if (on_progress && begin >= progress_next) {
      on_progress(begin, truth_sorted.size());
      progress_next = begin + progress_step;
    }
    const Time t = truth_sorted[begin].state->time;
    std::size_t end = begin;
    while (end < truth_sorted.size() && truth_sorted[end].state->time == t) ++end;
    xs.assign(truth_sorted.begin() + static_cast<std::ptrdiff_t>(begin),
              truth_sorted.begin() + static_cast<std::ptrdiff_t>(end));
    begin = end;
    const long step_index = static_cast<long>(ev.steps.size());

    // Tracks present at t.
    while (next_start < by_start.size() && series[by_start[next_start]].states.front()->time <= t) {
      active.push_back(by_start[next_start]);
      series[by_start[next_start]].started = true;
      ++next_start;
    }
    std::sort(active.begin(), active.end());
    y.clear();
    y_series.clear();
    y_vel.clear();
    y_dt.clear();
    y_state.clear();
    std::vector<int> still_active;
    for (int si : active) {
      TrackSeries& ts = series[si];
      while (ts.cursor + 1 < ts.states.size() && ts.states[ts.cursor + 1]->time <= t) ++ts.cursor;
      const ObjectState& s = *ts.states[ts.cursor];
      if (s.status && *s.status == TrackStatus::kDeleted) continue;  // gone for good
      const bool more = ts.cursor + 1 < ts.states.size();
      const Duration age = t - s.time;
      if (!more && age.ns > 0 && (!cfg.present_after_last_line || age > max_age))
        continue;           // past its last update: the track has ended
      if (age > max_age) {  // a gap longer than max age: absent meanwhile
        still_active.push_back(si);
        continue;
      }
      still_active.push_back(si);
      // Excused: the object it followed ended moments ago (it is not
      // assigned to it any more, and must not count as false meanwhile).
      if (cfg.truth_end_grace_s > 0 && ts.last_truth >= 0) {
        const Duration since_end = t - truth_end[ts.last_truth];
        if (since_end.ns > 0 && since_end <= Duration::from_seconds(cfg.truth_end_grace_s))
          continue;
      }
      ts.present_stamp = step_index;
      cache(ts);
      y.push_back(ts.ecef + ts.vel_ecef * age.seconds());
      y_series.push_back(si);
      y_vel.push_back(s.velocity_enu_mps);
      y_dt.push_back(age);
      y_state.push_back(&s);
    }
    active.swap(still_active);

    x.clear();
    for (const TruthRef& r : xs) x.push_back(geo::geodetic_to_ecef(r.state->position));
    const GospaStep g = gospa_step(x, y, cfg.gospa);

    StepResult step;
    step.time = t;
    step.n_truth = static_cast<int>(x.size());
    step.n_tracks = static_cast<int>(y.size());
    step.n_assigned = g.n_assigned;
    step.gospa_m = g.gospa_m;
    step.localisation_m2 = g.localisation;
    step.missed_m2 = g.missed;
    step.false_m2 = g.false_;
    step.ospa_m = g.ospa_m;
    ev.steps.push_back(step);
    sum_gospa += g.gospa_m;
    sum_gospa_p += g.localisation + g.missed + g.false_;
    sum_norm += std::max(step.n_truth, step.n_tracks);
    sum_loc += g.localisation;
    sum_miss += g.missed;
    sum_false += g.false_;
    sum_ospa += g.ospa_m;
    n_truth_steps += step.n_truth;
    n_track_positions += step.n_tracks;

    // Errors of assigned pairs, continuity per truth object.
    for (int i = 0; i < static_cast<int>(xs.size()); ++i) {
      const ObjectState& tr = *xs[i].state;
      TruthProgress& pr = progress[xs[i].index];
      if (!pr.seen) {
        pr.seen = true;
        pr.first_seen = t;
      }
      pr.last_time = t;
      ++pr.steps;
      const int j = g.truth_to_track[i];
      if (j < 0) {
        pr.assigned_prev = false;
        continue;
      }
      if (pr.ever_assigned && !pr.assigned_prev) {  // tracked again after a gap
        ++ev.summary.track_breaks;
        ++pr.breaks;
      }
      const int si = y_series[j];
      series[si].assigned_steps++;
      series[si].last_truth = xs[i].index;
      if (pr.last_track >= 0 && pr.last_track != si) {
        ++ev.summary.id_changes;
        ++pr.id_changes;
      }
      if (pr.last_track >= 0 && pr.last_track != si) {
        // Another track took the object over while its old track is still there.
        if (series[pr.last_track].present_stamp == step_index) {
          ++ev.summary.identity_swaps;
          ++pr.swaps;
        }
      }
      pr.last_track = si;
      pr.assigned_prev = true;
      ++pr.assigned_steps;
      pr.tracks.insert(si);
      if (!pr.ever_assigned) {
        pr.ever_assigned = true;
        pr.first_assigned = t;
      }
      const Eigen::Vector3d d = y[j] - x[i];
      const Eigen::Matrix3d rot =
          geo::ecef_to_enu_rotation(tr.position.lat_deg, tr.position.lon_deg);
      const Eigen::Vector3d d_enu = rot * d;
      const double h = std::hypot(d_enu.x(), d_enu.y());
      const double vel = (y_vel[j] - tr.velocity_enu_mps).norm();
      sum_h2 += h * h;
      sum_v2 += d_enu.z() * d_enu.z();
      pr.sum_h2 += h * h;
      pr.sum_v2 += d_enu.z() * d_enu.z();
      sum_3d2 += d.squaredNorm();
      sum_vel2 += vel * vel;
      if (h <= cfg.within_threshold_m) ++n_within;
      ev.horizontal_errors_m.push_back(h);
      ev.vertical_errors_m.push_back(d_enu.z());
      ev.velocity_errors_mps.push_back(vel);
      const ObjectState& ks = *y_state[j];
      const Coverage c = coverage_of(ks);
      ev.pair_coverage.push_back(c);
      if (y_dt[j] <= Duration::from_seconds(cfg.expected_update_interval_s)) {
        ++n_updated;
        ++cov_updated[static_cast<std::size_t>(c)];
      }
      if (tr.baro_alt_m && ks.baro_alt_m) {
        ++s_mode_c_pairs;
        if (std::abs(*ks.baro_alt_m - *tr.baro_alt_m) <= cfg.mode_c_tolerance_m) ++n_mode_c_correct;
      }
    }
    // Track positions: false (far from every truth) and extra (a second track
    // on an object that already has one).
    std::vector<double> nearest(y.size(), INFINITY);
    std::vector<char> near_tracked(y.size(), 0);
    for (const auto& c : g.candidates) {
      nearest[c.track] = std::min(nearest[c.track], c.distance_m);
      if (c.distance_m < cfg.gospa.cutoff_m) series[y_series[c.track]].ever_within_cutoff = true;
      if (g.truth_to_track[c.truth] >= 0 && g.truth_to_track[c.truth] != c.track)
        near_tracked[c.track] = 1;
    }
    for (int j = 0; j < static_cast<int>(y.size()); ++j) {
      series[y_series[j]].present_steps++;
      if (nearest[j] > cfg.false_position_m) ++n_false_positions;
      if (g.track_to_truth[j] < 0 && near_tracked[j]) ++n_extra;
    }
  }

  // Per-truth figures and totals.
  Summary& s = ev.summary;
  s.steps = static_cast<int>(ev.steps.size());
  s.truth_objects = static_cast<int>(truth_ids.size());
  s.tracks = static_cast<int>(series.size());
  double delay_sum = 0;
  int delay_n = 0;
  for (int idx = 0; idx < static_cast<int>(truth_ids.size()); ++idx) {
    const std::string id(truth_ids[idx]);
    const TruthProgress& pr = progress[idx];
    PerTruth pt;
    pt.id = id;
    pt.distinct_tracks = static_cast<int>(pr.tracks.size());
    if (pr.assigned_steps > 0) {
      pt.rms_horizontal_m = std::sqrt(pr.sum_h2 / pr.assigned_steps);
      pt.rms_vertical_m = std::sqrt(pr.sum_v2 / pr.assigned_steps);
    }
    pt.steps = pr.steps;
    pt.assigned_steps = pr.assigned_steps;
    pt.swaps = pr.swaps;
    pt.breaks = pr.breaks;
    pt.id_changes = pr.id_changes;
    if (pr.ever_assigned) {
      pt.initiation_delay_s = (pr.first_assigned - pr.first_seen).seconds();
      delay_sum += pt.initiation_delay_s;
      ++delay_n;
    } else {
      ++s.never_tracked;
    }
    ev.per_truth.push_back(pt);
  }
  int counted = 0;
  for (const auto& ts : series) {
    if (cfg.false_if_never_within_cutoff) {
      ++counted;
      if (!ts.ever_within_cutoff) ++s.false_tracks;
    } else if (ts.present_steps > 0) {
      ++counted;
      if (ts.assigned_steps < cfg.false_track_share * ts.present_steps) ++s.false_tracks;
    }
  }
  s.false_track_share = counted ? static_cast<double>(s.false_tracks) / counted : 0;
  s.assigned_pairs = static_cast<long>(ev.horizontal_errors_m.size());
  const double pairs = static_cast<double>(std::max<long>(s.assigned_pairs, 1));
  s.gospa_mean_m = s.steps ? sum_gospa / s.steps : 0;
  const double norm = std::max(sum_norm, 1.0);
  s.gospa_per_object_m = std::pow(sum_gospa_p / norm, 1 / p);
  s.gospa_localisation_m = std::pow(sum_loc / norm, 1 / p);
  s.gospa_missed_m = std::pow(sum_miss / norm, 1 / p);
  s.gospa_false_m = std::pow(sum_false / norm, 1 / p);
  s.ospa_mean_m = s.steps ? sum_ospa / s.steps : 0;
  s.rms_horizontal_m = std::sqrt(sum_h2 / pairs);
  s.rms_vertical_m = std::sqrt(sum_v2 / pairs);
  s.rms_3d_m = std::sqrt(sum_3d2 / pairs);
  s.rms_velocity_mps = std::sqrt(sum_vel2 / pairs);
  s.share_within_m = s.assigned_pairs ? static_cast<double>(n_within) / pairs : 0;
  const double positions = static_cast<double>(std::max<long>(n_track_positions, 1));
  s.false_position_share = static_cast<double>(n_false_positions) / positions;
  s.extra_track_share = static_cast<double>(n_extra) / positions;
  s.truth_coverage =
      n_truth_steps ? static_cast<double>(s.assigned_pairs) / static_cast<double>(n_truth_steps)
                    : 0;
  s.initiation_delay_s = delay_n ? delay_sum / delay_n : 0;

  // Percentiles, probability of update, pressure altitude, per coverage.
  std::vector<double> sorted = ev.horizontal_errors_m;
  std::sort(sorted.begin(), sorted.end());
  s.horizontal_p50_m = quantile(sorted, 0.50);
  s.horizontal_p95_m = quantile(sorted, 0.95);
  s.horizontal_p99_m = quantile(sorted, 0.99);
  std::vector<double> vabs;
  vabs.reserve(ev.vertical_errors_m.size());
  double vsum = 0;
  for (double v : ev.vertical_errors_m) {
    vsum += v;
    vabs.push_back(std::abs(v));
  }
  std::sort(vabs.begin(), vabs.end());
  s.vertical_bias_m = vsum / pairs;
  s.vertical_p95_m = quantile(vabs, 0.95);
  s.update_probability = static_cast<double>(n_updated) / pairs;
  s.mode_c_pairs = s_mode_c_pairs;
  s.mode_c_correct_share =
      s_mode_c_pairs ? static_cast<double>(n_mode_c_correct) / static_cast<double>(s_mode_c_pairs)
                     : 0;
  for (std::size_t c = 0; c < kCoverageCount; ++c) {
    CoverageFigures& f = s.by_coverage[c];
    std::vector<double> h;
    double h2 = 0, v2 = 0;
    for (std::size_t i = 0; i < ev.pair_coverage.size(); ++i) {
      if (static_cast<std::size_t>(ev.pair_coverage[i]) != c) continue;
      h.push_back(ev.horizontal_errors_m[i]);
      h2 += ev.horizontal_errors_m[i] * ev.horizontal_errors_m[i];
      v2 += ev.vertical_errors_m[i] * ev.vertical_errors_m[i];
    }
    f.pairs = static_cast<long>(h.size());
    if (h.empty()) continue;
    std::sort(h.begin(), h.end());
    const auto n = static_cast<double>(h.size());
    f.rms_horizontal_m = std::sqrt(h2 / n);
    f.rms_vertical_m = std::sqrt(v2 / n);
    f.horizontal_p95_m = quantile(h, 0.95);
    f.update_probability = static_cast<double>(cov_updated[c]) / n;
  }
  if (on_progress) on_progress(truth_sorted.size(), truth_sorted.size());
  return ev;
}

}  // namespace skyfuse::eval
