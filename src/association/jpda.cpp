#include "association/jpda.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

namespace skyfuse::association {

void associate_jpda(const std::vector<Candidate>& candidates,
                    std::span<const double> innovation_det, int n_reports, const JpdaParams& params,
                    Association& out) {
  // Every gated pair takes part (no unassigned-cost cut for the weights).
  const std::vector<std::vector<int>> comps =
      cluster_candidates(candidates, n_reports, std::numeric_limits<double>::infinity());
  out.clusters = static_cast<int>(comps.size());
  out.largest_cluster = 0;
  out.jpda_fallbacks = 0;
  out.report_to_track.assign(n_reports, -1);
  const double clutter = params.clutter_per_m2;
  for (const auto& cl : comps) {
    std::vector<int> rs, ts;
    for (int c : cl) {
      rs.push_back(candidates[c].report);
      ts.push_back(candidates[c].track);
    }
    std::sort(rs.begin(), rs.end());
    rs.erase(std::unique(rs.begin(), rs.end()), rs.end());
    std::sort(ts.begin(), ts.end());
    ts.erase(std::unique(ts.begin(), ts.end()), ts.end());
    out.largest_cluster = std::max(out.largest_cluster, static_cast<int>(rs.size() + ts.size()));
    std::vector<std::vector<double>> l(rs.size(), std::vector<double>(ts.size(), 0.0));
    for (int c : cl) {
      const auto& cand = candidates[c];
      const std::size_t r = std::lower_bound(rs.begin(), rs.end(), cand.report) - rs.begin();
      const std::size_t t = std::lower_bound(ts.begin(), ts.end(), cand.track) - ts.begin();
      const double det = innovation_det[c];
      const double dens =
          std::exp(-0.5 * cand.cost) / (2 * std::numbers::pi * std::sqrt(std::max(det, 1e-9)));
      l[r][t] = std::max(l[r][t], dens / std::max(clutter, 1e-15));
    }
    std::vector<std::vector<double>> beta;
    if (!jpda_marginals(l, params.detection_probability, beta)) {
      ++out.jpda_fallbacks;
      std::vector<Candidate> sub;
      for (int c : cl) sub.push_back(candidates[c]);
      auto a = associate(sub, n_reports, params.unassigned_cost);
      for (int r : rs) out.report_to_track[r] = a.report_to_track[r];
      continue;
    }
    std::vector<Candidate> sub;
    for (std::size_t t = 0; t < ts.size(); ++t)
      for (std::size_t r = 0; r < rs.size(); ++r)
        if (beta[t][r] > params.min_probability)
          sub.push_back({rs[r], ts[t], -std::log(beta[t][r])});
    auto a = associate(sub, n_reports, -std::log(params.min_probability));
    for (int r : rs) out.report_to_track[r] = a.report_to_track[r];
  }
}

namespace {
// Depth-first enumeration of joint events: each track takes one unused report
// or none.
struct Enumerator {
  const std::vector<std::vector<double>>& l;  // [r][t]
  double pd;
  int nr, nt;
  std::vector<char> used;
  std::vector<int> pick;  // per track: report or -1
  std::vector<std::vector<double>>& beta;
  double total = 0;
  long events = 0;
  long max_events;
  bool overflow = false;

  void run(int t, double weight) {
    if (overflow) return;
    if (t == nt) {
      if (++events > max_events) {
        overflow = true;
        return;
      }
      total += weight;
      for (int k = 0; k < nt; ++k) beta[k][pick[k] < 0 ? nr : pick[k]] += weight;
      return;
    }
    pick[t] = -1;
    run(t + 1, weight * (1 - pd));
    for (int r = 0; r < nr; ++r) {
      if (used[r] || l[r][t] <= 0) continue;
      used[r] = 1;
      pick[t] = r;
      run(t + 1, weight * pd * l[r][t]);
      used[r] = 0;
    }
    pick[t] = -1;
  }
};
}  // namespace

bool jpda_marginals(const std::vector<std::vector<double>>& likelihood, double pd,
                    std::vector<std::vector<double>>& beta, long max_events) {
  const int nr = static_cast<int>(likelihood.size());
  const int nt = nr ? static_cast<int>(likelihood[0].size()) : 0;
  beta.assign(nt, std::vector<double>(nr + 1, 0.0));
  Enumerator e{likelihood, pd, nr, nt,        std::vector<char>(nr, 0), std::vector<int>(nt, -1),
               beta,       0,  0,  max_events};
  e.run(0, 1.0);
  if (e.overflow || !(e.total > 0)) {
    beta.assign(nt, std::vector<double>(nr + 1, 0.0));
    for (auto& b : beta) b[nr] = 1;
    return false;
  }
  for (auto& b : beta)
    for (double& v : b) v /= e.total;
  return true;
}

}  // namespace skyfuse::association
