#include "eval/evaluation_json.hpp"

#include <nlohmann/json.hpp>

namespace skyfuse::eval {

std::string evaluation_json(const Evaluation& ev, const EvalConfig& cfg, long truth_bad_lines,
                            long track_bad_lines) {
  const Summary& s = ev.summary;
  nlohmann::ordered_json j;
  j["gospa_mean_m"] = s.gospa_mean_m;
  j["gospa_per_object_m"] = s.gospa_per_object_m;
  j["gospa_localisation_m"] = s.gospa_localisation_m;
  j["gospa_missed_m"] = s.gospa_missed_m;
  j["gospa_false_m"] = s.gospa_false_m;
  j["ospa_mean_m"] = s.ospa_mean_m;
  j["rms_horizontal_m"] = s.rms_horizontal_m;
  j["rms_vertical_m"] = s.rms_vertical_m;
  j["rms_3d_m"] = s.rms_3d_m;
  j["rms_velocity_mps"] = s.rms_velocity_mps;
  j["share_within_400m"] = s.share_within_m;
  j["false_position_share"] = s.false_position_share;
  j["extra_track_share"] = s.extra_track_share;
  j["truth_coverage"] = s.truth_coverage;
  j["identity_swaps"] = s.identity_swaps;
  j["track_breaks"] = s.track_breaks;
  j["id_changes"] = s.id_changes;
  j["false_tracks"] = s.false_tracks;
  j["false_track_share"] = s.false_track_share;
  j["never_tracked"] = s.never_tracked;
  j["initiation_delay_s"] = s.initiation_delay_s;
  j["horizontal_p50_m"] = s.horizontal_p50_m;
  j["horizontal_p95_m"] = s.horizontal_p95_m;
  j["horizontal_p99_m"] = s.horizontal_p99_m;
  j["vertical_bias_m"] = s.vertical_bias_m;
  j["vertical_p95_m"] = s.vertical_p95_m;
  j["update_probability"] = s.update_probability;
  j["mode_c_pairs"] = s.mode_c_pairs;
  if (s.mode_c_pairs > 0) j["mode_c_correct_share"] = s.mode_c_correct_share;
  nlohmann::ordered_json coverage = nlohmann::ordered_json::object();
  for (std::size_t c = 0; c < kCoverageCount; ++c) {
    const CoverageFigures& f = s.by_coverage[c];
    if (f.pairs == 0) continue;
    coverage[to_string(static_cast<Coverage>(c))] = {{"pairs", f.pairs},
                                                     {"rms_horizontal_m", f.rms_horizontal_m},
                                                     {"horizontal_p95_m", f.horizontal_p95_m},
                                                     {"rms_vertical_m", f.rms_vertical_m},
                                                     {"update_probability", f.update_probability}};
  }
  j["by_coverage"] = std::move(coverage);
  j["steps"] = s.steps;
  j["truth_objects"] = s.truth_objects;
  j["tracks"] = s.tracks;
  j["assigned_pairs"] = s.assigned_pairs;
  j["truth_bad_lines"] = truth_bad_lines;
  j["track_bad_lines"] = track_bad_lines;
  j["config"] = {{"cutoff_m", cfg.gospa.cutoff_m},
                 {"p", cfg.gospa.p},
                 {"alpha", 2},
                 {"track_max_age_s", cfg.track_max_age_s},
                 {"present_after_last_line", cfg.present_after_last_line},
                 {"truth_end_grace_s", cfg.truth_end_grace_s},
                 {"false_if_never_within_cutoff", cfg.false_if_never_within_cutoff},
                 {"within_threshold_m", cfg.within_threshold_m},
                 {"false_position_m", cfg.false_position_m},
                 {"expected_update_interval_s", cfg.expected_update_interval_s},
                 {"mode_c_tolerance_m", cfg.mode_c_tolerance_m}};
  nlohmann::ordered_json objects = nlohmann::ordered_json::array();
  for (const auto& o : ev.per_truth)
    objects.push_back({{"id", o.id},
                       {"steps", o.steps},
                       {"assigned_steps", o.assigned_steps},
                       {"swaps", o.swaps},
                       {"breaks", o.breaks},
                       {"distinct_tracks", o.distinct_tracks},
                       {"horizontal_rms_m", o.rms_horizontal_m},
                       {"vertical_rms_m", o.rms_vertical_m},
                       {"initiation_delay_s", o.initiation_delay_s}});
  j["objects"] = std::move(objects);
  return j.dump();
}

}  // namespace skyfuse::eval
