#include "tracking/stats.hpp"

#include <fmt/format.h>

namespace skyfuse::tracking {

std::vector<StatEntry> describe(const TrackerStats& s) {
  // key, Prometheus name, help, words in a summary, gauge, value
  return {
      {"reports", "reports_total", "Reports into the tracker", "reports", false, s.reports},
      {"processed", "reports_processed_total", "Reports processed (out of the reorder buffer)",
       "processed", false, s.processed},
      {"rejected", "reports_rejected_total", "Reports rejected as impossible", "rejected", false,
       s.rejected},
      {"late_dropped", "reports_late_total", "Reports older than the out-of-sequence window",
       "late", false, s.late_dropped},
      {"out_of_sequence", "reports_out_of_sequence_total", "Reports used behind their track's time",
       "out of sequence", false, s.out_of_sequence},
      {"associated", "reports_associated_total", "Reports that updated a track", "associated",
       false, s.associated},
      {"identity_associated", "reports_identity_associated_total",
       "Reports associated through their address or serial", "associated by identity", false,
       s.identity_associated},
      {"identity_conflicts", "identity_conflicts_total", "Identity conflicts", "identity conflicts",
       false, s.identity_conflicts},
      {"duplicate_identities", "duplicate_identities_total",
       "Tracks started for an address another live track holds", "duplicate identities", false,
       s.duplicate_identities},
      {"unassociated", "reports_unassociated_total", "Reports that updated no track",
       "unassociated", false, s.unassociated},
      {"split_plots", "split_plots_total",
       "Radar plots taken as a split plot of a tracked target (no track started)", "split plots",
       false, s.split_plots},
      {"initiated", "tracks_initiated_total", "Tracks initiated", "initiated", false, s.initiated},
      {"confirmed", "tracks_confirmed_total", "Tracks confirmed", "confirmed", false, s.confirmed},
      {"deleted", "tracks_deleted_total", "Tracks deleted", "deleted", false, s.deleted},
      {"merged", "tracks_merged_total", "Tracks deleted as duplicates of another", "merged", false,
       s.merged},
      {"clusters", "association_clusters_total", "Independent association problems solved",
       "association clusters", false, s.clusters},
      {"largest_cluster", "association_largest_cluster", "Reports and tracks in the largest one",
       "largest cluster", true, s.largest_cluster},
      {"jpda_fallbacks", "jpda_fallbacks_total", "JPDA clusters too large, solved by GNN",
       "JPDA fallbacks", false, s.jpda_fallbacks},
      {"numerical_faults", "numerical_faults_total", "Numerical faults repaired",
       "numerical faults", false, s.numerical_faults},
      {"height_outliers", "height_outliers_total", "Heights outside their track's gate",
       "height outliers", false, s.height_outliers},
      {"implausible_initiations", "implausible_initiations_total",
       "Confirmations refused: faster than common aircraft", "implausible initiations", false,
       s.implausible_initiations},
      {"unobserved_velocity", "unobserved_velocity_total",
       "Confirmations deferred: velocity not yet known", "confirmations deferred (velocity)", false,
       s.unobserved_velocity},
      {"live_tracks", "tracker_live_tracks", "Tracks held (tentative included)", "live tracks",
       true, s.live_tracks},
      {"max_live_tracks", "tracker_max_live_tracks", "Most tracks held at once", "most live tracks",
       true, s.max_live_tracks},
  };
}

const StatEntry* find(const std::vector<StatEntry>& entries, std::string_view key) {
  for (const StatEntry& e : entries)
    if (e.key == key) return &e;
  return nullptr;
}

std::string to_text(const TrackerStats& s) {
  std::string out;
  for (const StatEntry& e : describe(s))
    out += fmt::format("{}{} {}", out.empty() ? "" : ", ", e.words, e.value);
  return out;
}

}  // namespace skyfuse::tracking
