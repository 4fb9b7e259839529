// File: tracking/config.hpp
//
// Every tracker setting, with the defaults docs/config.md documents.
#pragma once

#include <optional>

#include "core/types.hpp"
#include "estimation/imm.hpp"
#include "estimation/vertical_filter.hpp"
#include "geo/atmosphere.hpp"

namespace skyfuse::tracking {

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
  double tentative_miss_factor = 2.5;  // tentative deleted after this many expected intervals
  double coast_factor = 1.8;           // coasting after this many expected intervals
  double delete_after_s = 20.0;        // confirmed deleted this long after its last update
  double delete_after_intervals = 6;   // ... or sooner: this many missed sensor intervals
  double number_memory_s = 600.0;      // an address seen again within this keeps its track number

  double initial_speed_sigma_mps = 300.0;  // unknown velocity at initiation
  double default_height_m = 3000.0;        // unknown height (PSR plot, no track)
  double default_height_sigma_m = 3000.0;
  double max_speed_mps = 1500.0;         // reports implying more are impossible
  double confirm_max_speed_mps = 450.0;  // a new track faster than this needs ...
  int confirm_hits_fast = 6;             // ... this many updates to be confirmed
  double max_gate_m = 20000.0;           // no association farther than this
  double search_radius_m = 8000.0;       // grid search around a report (15 km for 2-D plots)
  double max_position_sigma_m = 5000.0;  // a track this uncertain is lost: deleted

  // Met data ([atmosphere]): the prior of the pressure altitude -> height offset.
  geo::AtmosphereConfig atmosphere;
  bool atmosphere_given = false;  // else the prior is ISA and uncertain (150 m)

  bool registration = true;             // estimate radar range/azimuth biases online
  int registration_min_samples = 40;    // before corrections are applied
  double registration_memory = 3000.0;  // effective samples (exponential forgetting)
  double reference_max_age_s = 3.0;     // ADS-B/MLAT update this recent makes a reference track
};

}  // namespace skyfuse::tracking
