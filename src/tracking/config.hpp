// File: tracking/config.hpp
//
// Every tracker setting, with the defaults docs/config.md documents. The
// fields under "Limits and weights" are not read from the configuration file:
// they name what were bare numbers in the tracker's code, with their units,
// so each unit (tracking/*.hpp) states what it depends on and a test can vary
// it. Their defaults are the values the tracker has always used.
//
//   TrackerConfig cfg;
//   cfg.association = AssociationMode::kJpda;
//   Tracker t(cfg, sensors);
#pragma once

#include <optional>

#include "core/types.hpp"
#include "estimation/imm.hpp"
#include "estimation/vertical_filter.hpp"
#include "geo/atmosphere.hpp"

namespace skyfuse::tracking {

// Remote ID spoofing checks ([spoof]; tracking/spoof_check.hpp, docs/tracking.md).
struct SpoofConfig {
  bool enabled = true;
  // speed_mismatch
  double speed_window_s = 10.0;           // implied speed over this much data time
  double speed_tolerance_mps = 3.0;       // |reported - implied| beyond max(this,
  double speed_tolerance_fraction = 0.5;  // ... this x the larger speed)
  double speed_sustain_s = 10.0;          // ... for this long in a row
  // impossible_jump, two_places
  double max_uav_speed_mps = 60.0;  // no small UAV flies faster
  double place_slack_m = 50.0;      // GNSS error allowance on top
  int jump_confirm_reports = 3;     // reports at the new place, none at the old: a jump
  double place_memory_s = 30.0;     // a place silent this long is forgotten
  // out_of_reception_range (0: off)
  double reception_range_factor = 1.5;
  // rssi_constant
  double rssi_window_s = 60.0;
  double rssi_min_range_ratio = 3.0;
  double rssi_min_range_m = 30.0;  // closer samples are ignored (antenna pattern, near field)
  double rssi_max_slope_db_per_decade = 6.0;
  int rssi_min_samples = 20;
  // no_radar_confirmation
  double radar_uav_rcs_m2 = 0.02;  // a drone radar's max_range_m is for 1 m^2
  double radar_min_range_m = 50.0;
  double radar_confirm_distance_m = 100.0;
  double radar_window_s = 30.0;
  int radar_min_samples = 10;
  double radar_min_fraction = 0.1;
  // time_inconsistent
  double max_clock_offset_s = 10.0;
  double max_clock_spread_s = 5.0;
  double clock_window_s = 30.0;
};

enum class AssociationMode : std::uint8_t { kGnn, kJpda };

struct TrackerConfig {
  std::optional<GeodeticPosition> origin;  // tracking plane origin; default: mean of sites
  estimation::ImmParams imm;
  estimation::VerticalFilter::Params vertical;
  AssociationMode association = AssociationMode::kGnn;

  double gate_nis = 16.0;            // chi-square, 2 dof (99.97 %)
  double identity_gate_nis = 400.0;  // looser gate when the 24-bit address / serial matches
  double gate_accel_mps2 = 6.0;      // manoeuvre allowance in the gating prediction
  double batch_window_s = 0.1;       // plots of one sensor this close are associated jointly
  double latency_s = 2.0;        // reorder buffer: data older than newest - latency is processed
  double max_oosm_lag_s = 15.0;  // older reports than this behind their track are dropped
  double jpda_pd = 0.9;          // JPDA: detection probability
  double jpda_clutter_per_km2 = 0.01;  // JPDA: clutter density (per scan, per km^2)

  int confirm_hits_identified = 2;     // updates to confirm a track with an address / serial
  int confirm_hits_anonymous = 4;      // ... without (PSR, SSR, drone radar plots)
  double confirm_score = 12.0;         // ... and this track score (log-likelihood ratio vs clutter)
  double address_prior_score = 6.0;    // the score of one reply carrying a (not yet seen) address
  double detection_probability = 0.9;  // in the track score
  // Where a radar's unexplained plots concentrate (ground clutter near the
  // site, weather, a wind farm), the track score uses the local density of a
  // polar map around each radar (rings x sectors) once a cell's count is
  // significantly above the sensor-wide mean; 0 (ring) disables it.
  double clutter_map_ring_m = 5000.0;
  int clutter_map_sectors = 36;
  double tentative_miss_factor = 2.5;  // tentative deleted after this many expected intervals
  double coast_factor = 1.8;           // coasting after this many expected intervals
  double delete_after_s = 20.0;        // confirmed deleted this long after its last update
  double delete_after_intervals = 6;   // ... or sooner: this many missed sensor intervals
  double number_memory_s = 600.0;      // an address seen again within this keeps its track number

  double initial_speed_sigma_mps = 300.0;  // unknown velocity at initiation
  double default_height_m = 3000.0;        // unknown height (PSR plot, no track)
  double default_height_sigma_m = 3000.0;
  double max_speed_mps = 1500.0;                 // reports implying more are impossible
  double confirm_max_speed_mps = 450.0;          // a new track faster than this needs ...
  int confirm_hits_fast = 6;                     // ... this many updates to be confirmed
  double confirm_max_velocity_sigma_mps = 30.0;  // a new track's velocity must be this well known
  // On confirmation, also a line at the track's first update (status
  // tentative, retrodicted along the confirmed state): `track` yes, `run` no.
  bool backdate_confirmed = false;
  double backdate_max_s = 15.0;  // ... when confirmed within this of its first report
  double max_gate_m = 20000.0;   // no association farther than this
  // Split plots: an unassociated radar plot in the same scan as a plot of the
  // same radar on a track, within this azimuth of it and 5 range sigmas, with
  // no code or address that differs, is that target again (counted, no
  // track started). 0 turns it off.
  double split_plot_azimuth_deg = 2.0;
  double search_radius_m = 8000.0;       // grid search around a report (15 km for 2-D plots)
  double max_position_sigma_m = 5000.0;  // a track this uncertain is lost: deleted

  // Met data ([atmosphere]): the prior of the pressure altitude -> height offset.
  geo::AtmosphereConfig atmosphere;
  bool atmosphere_given = false;  // else the prior is ISA and uncertain (150 m)

  SpoofConfig spoof;  // Remote ID spoofing and consistency checks ([spoof])

  bool registration = true;             // estimate radar range/azimuth biases online
  int registration_min_samples = 40;    // before corrections are applied
  double registration_memory = 3000.0;  // effective samples (exponential forgetting)
  // The fit of range offset, range gain, azimuth offset and time offset
  // (tracking/registration.hpp): zero-mean priors of gain and time offset, and
  // the fit check (chi-square per degree of freedom of the residuals after it).
  double registration_prior_gain_ppm = 1000.0;
  double registration_prior_time_s = 2.0;
  double registration_max_chi2_dof = 3.0;
  double reference_max_age_s = 3.0;  // ADS-B/MLAT update this recent makes a reference track

  // ---------------------------------------------------------------- Limits and weights
  // (not in the configuration file; see the header comment)

  // Sensors (tracking/sensor_table.hpp).
  double adsb_interval_s = 2.0;           // expected update interval of an ADS-B feed
  double default_interval_s = 1.0;        // ... of any other sensor without a rotation period
  double default_sensor_range_m = 200e3;  // covered radius when a sensor gives none (clutter)
  double sensor_memory_s = 30.0;  // a sensor that updated a track this recently still feeds it

  // Measurement preparation (tracking/measurement.hpp): impossible values.
  double min_pressure_altitude_m = -1000.0;
  double max_pressure_altitude_m = 40000.0;
  double max_plot_range_m = 2e6;  // a radar plot farther than this is impossible
  double max_abs_height_m = 1e5;  // a geodetic position higher or lower is impossible
  // ... and the accuracies assumed where a report or its sensor states none.
  double min_sigma_range_m = 1.0;           // floor on a sensor's configured range sigma
  double min_sigma_azimuth_rad = 1e-4;      // ... azimuth sigma
  double min_sigma_elevation_rad = 1e-3;    // ... elevation sigma
  double plot_position_floor_var_m2 = 1.0;  // added to each axis of a radar plot's covariance
  double pressure_altitude_sigma_m = 8.0;   // altimetry error beside the code's quantisation
  double default_position_sigma_m = 150.0;  // a position without accuracy, sensor without one
  double integrity_only_trace_m2 = 2e6;     // ADS-B without NACp: a covariance this wide is only
                                            // an integrity bound (TC 18 / NIC 0: 40 NM)
  double default_geometric_height_var_m2 = 2500.0;  // a height without (plausible) variance
  double max_geometric_height_var_m2 = 1e6;         // ... or with one at least this wide
  double default_velocity_sigma_mps = 2.0;          // a velocity without covariance
  double close_in_height_above_site_m = 100.0;      // a 2-D plot too close in for the default
  double close_in_height_var_m2 = 1e6;              // height: this high above the site instead

  // Gating (tracking/gating.hpp).
  double grid_cell_m = 8000.0;              // cell of the tracks' spatial index
  double search_radius_2d_m = 15000.0;      // grid search around a 2-D plot without height
  double search_radius_sigmas = 5.0;        // a track's search radius: this many position and
  double search_radius_margin_m = 2000.0;   // velocity sigmas, the manoeuvre allowance and this
  double height_gate_nis = 25.0;            // chi-square, 1 dof, on a reported height ...
  double baro_height_gate_m = 400.0;        // ... and a pressure altitude this far off excludes
  double geometric_height_gate_m = 600.0;   // ... a geometric height this far off excludes
  double discrete_code_gate_factor = 4.0;   // a shared discrete Mode 3/A code widens the gate
  double identity_restart_intervals = 3.0;  // address far from its track silent this many
                                            // intervals: the track restarts at the report
  // Association costs (NIS units; tracking/gating.hpp and the cycle).
  double mode3a_mismatch_cost = 6.0;    // different Mode 3/A codes
  double discrete_code_bonus = 3.0;     // the same discrete Mode 3/A code (subtracted)
  double tentative_cost = 2.0;          // prefer established tracks
  double unknown_height_cost = 4.0;     // 2-D plot: prefer a track that knows its height
  double unassigned_cost_margin = 8.0;  // a report stays unassigned above gate_nis + this
  double jpda_min_probability = 0.2;    // JPDA: pairs less probable are not assigned

  // Initiation and deletion (tracking/lifecycle.hpp).
  double delete_min_intervals = 3.5;  // a track is never deleted sooner than this many intervals
  double initial_velocity_extra_sigma_mps = 2.0;  // added to a reported velocity's sigma
  double initial_accel_sigma_mps2 = 2.0;
  double initial_turn_rate_sigma_radps = 0.03;
  double unknown_offset_sigma_m = 150.0;  // geometric - pressure offset without a model

  // Update (tracking/update.hpp).
  double vertical_rate_sigma_mps = 1.0;   // a reported vertical rate
  int height_gate_min_hits = 3;           // a track with fewer updates takes any height
  double baro_outlier_var_factor = 16.0;  // a pressure altitude outside the gate: inflated
  double own_offset_memory_s = 60.0;      // a track keeps its own offset this long after its last
                                          // geometric height (then the fleet's)
  int own_offset_min_hits = 5;            // ... and counts it as known after more updates than this
  double backs_identity_height_m = 150.0;  // an SSR reply backing an address: altitude this close
  // Registration residuals: the reference (the last ADS-B/MLAT fix moved along its
  // velocity) drifts by this per second with a reported velocity, and without one.
  double reference_sigma_mps = 2.0;
  double reference_sigma_no_velocity_mps = 10.0;
  double registration_min_ground_m = 1000.0;      // azimuth residual's distance floor
  double registration_gate_sigmas2 = 25.0;        // a residual beyond this many variances ...
  double registration_range_slack_m2 = 250000.0;  // ... plus this is another target's plot
  double registration_azimuth_slack_rad2 = 1e-4;  // ... (azimuth: plus this)
  int class_min_updates = 8;       // the classifier's speed extremes after this many updates
  double class_min_span_s = 10.0;  // ... and the minimum speed after this long

  // Maintenance and duplicate merging (tracking/merge.hpp).
  double maintain_period_s = 1.0;         // data time between maintenance passes
  double merge_radius_m = 3000.0;         // duplicates are looked for this close
  int merge_checks = 3;                   // ... and merged after this many checks running
  double merge_nis = 9.0;                 // same position: chi-square, 2 dof, or ...
  double merge_distance_m = 200.0;        // ... this close
  double merge_velocity_mps = 25.0;       // same velocity: this close
  double merge_height_m = 300.0;          // same height: this close
  double merge_code_nis = 25.0;           // same discrete Mode 3/A code: chi-square or ...
  double merge_code_distance_m = 1000.0;  // ... this close
  double merge_polar_sigmas = 5.0;        // a track at a guessed height: same range and azimuth
  double merge_polar_margin_m = 300.0;    // within this many of its radar's sigmas plus this
  double merge_polar_speed_mps = 60.0;    // ... and speeds this close
};

}  // namespace skyfuse::tracking
