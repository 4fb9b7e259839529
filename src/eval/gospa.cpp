#include "eval/gospa.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>

#include "association/assignment.hpp"

namespace skyfuse::eval {

namespace {
struct Cell {
  std::int64_t x, y, z;
  friend auto operator<=>(const Cell&, const Cell&) = default;
};

struct Keyed {
  Cell cell;
  int index;
};

class UnionFind {
 public:
  explicit UnionFind(int n) : parent_(n) { std::iota(parent_.begin(), parent_.end(), 0); }
  int find(int a) {
    while (parent_[a] != a) a = parent_[a] = parent_[parent_[a]];
    return a;
  }
  void unite(int a, int b) {
    a = find(a);
    b = find(b);
    if (a != b) parent_[std::max(a, b)] = std::min(a, b);
  }

 private:
  std::vector<int> parent_;
};

double pow_p(double d, double p) { return p == 2 ? d * d : std::pow(d, p); }
}  // namespace

GospaStep gospa_step(std::span<const Eigen::Vector3d> truth,
                     std::span<const Eigen::Vector3d> tracks, const GospaConfig& cfg) {
  const double c = cfg.cutoff_m;
  const double p = cfg.p;
  const double cp = pow_p(c, p);
  const int n = static_cast<int>(truth.size());
  const int m = static_cast<int>(tracks.size());
  GospaStep out;
  out.truth_to_track.assign(n, -1);
  out.track_to_truth.assign(m, -1);

  // Candidate pairs through a grid of cell 2c over the larger set, queried
  // with the smaller: a ball of radius c touches at most two cells per axis,
  // the ones on the near side of the point.
  const double cell = 2 * c;
  const bool grid_on_tracks = m >= n;
  const std::span<const Eigen::Vector3d> indexed = grid_on_tracks ? tracks : truth;
  const std::span<const Eigen::Vector3d> queries = grid_on_tracks ? truth : tracks;
  std::vector<Keyed> grid(indexed.size());
  for (int j = 0; j < static_cast<int>(indexed.size()); ++j) {
    const Eigen::Vector3d& y = indexed[j];
    grid[j] = {{static_cast<std::int64_t>(std::floor(y.x() / cell)),
                static_cast<std::int64_t>(std::floor(y.y() / cell)),
                static_cast<std::int64_t>(std::floor(y.z() / cell))},
               j};
  }
  std::sort(grid.begin(), grid.end(), [](const Keyed& a, const Keyed& b) {
    return a.cell < b.cell || (a.cell == b.cell && a.index < b.index);
  });
  for (int i = 0; i < static_cast<int>(queries.size()); ++i) {
    const Eigen::Vector3d& x = queries[i];
    std::array<std::int64_t, 3> base{}, step{};
    for (int a = 0; a < 3; ++a) {
      const double f = x[a] / cell;
      const double fl = std::floor(f);
      base[a] = static_cast<std::int64_t>(fl);
      step[a] = (f - fl) < 0.5 ? -1 : 1;
    }
    for (int corner = 0; corner < 8; ++corner) {
      const Cell key{base[0] + ((corner & 1) ? step[0] : 0), base[1] + ((corner & 2) ? step[1] : 0),
                     base[2] + ((corner & 4) ? step[2] : 0)};
      auto it = std::lower_bound(grid.begin(), grid.end(), key,
                                 [](const Keyed& k, const Cell& v) { return k.cell < v; });
      for (; it != grid.end() && it->cell == key; ++it) {
        const double d = (x - indexed[it->index]).norm();
        if (d >= c) continue;
        if (grid_on_tracks) {
          out.candidates.push_back({i, it->index, d});
        } else {
          out.candidates.push_back({it->index, i, d});
        }
      }
    }
  }
  std::sort(out.candidates.begin(), out.candidates.end(),
            [](const CandidatePair& a, const CandidatePair& b) {
              return a.truth < b.truth || (a.truth == b.truth && a.track < b.track);
            });

  // Independent sub-problems: connected components of the candidate graph.
  UnionFind uf(n + m);
  for (const auto& cp_ : out.candidates) uf.unite(cp_.truth, n + cp_.track);
  // Candidate indices grouped by component root (stable: deterministic order).
  const int n_cand = static_cast<int>(out.candidates.size());
  std::vector<std::pair<int, int>> by_root(n_cand);
  for (int k = 0; k < n_cand; ++k) by_root[k] = {uf.find(out.candidates[k].truth), k};
  std::sort(by_root.begin(), by_root.end());
  std::vector<int> pairs;
  for (int b = 0; b < n_cand;) {
    int e = b;
    pairs.clear();
    while (e < n_cand && by_root[e].first == by_root[b].first) pairs.push_back(by_root[e++].second);
    b = e;
    if (pairs.size() == 1) {
      const auto& pr = out.candidates[pairs[0]];
      out.truth_to_track[pr.truth] = pr.track;
      out.track_to_truth[pr.track] = pr.truth;
      continue;
    }
    std::vector<int> rows, cols;
    for (int k : pairs) {
      rows.push_back(out.candidates[k].truth);
      cols.push_back(out.candidates[k].track);
    }
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    std::sort(cols.begin(), cols.end());
    cols.erase(std::unique(cols.begin(), cols.end()), cols.end());
    Eigen::MatrixXd cost = Eigen::MatrixXd::Constant(static_cast<Eigen::Index>(rows.size()),
                                                     static_cast<Eigen::Index>(cols.size()), cp);
    Eigen::MatrixXd dist = Eigen::MatrixXd::Constant(cost.rows(), cost.cols(), -1);
    for (int k : pairs) {
      const auto& pr = out.candidates[k];
      const auto r = std::lower_bound(rows.begin(), rows.end(), pr.truth) - rows.begin();
      const auto q = std::lower_bound(cols.begin(), cols.end(), pr.track) - cols.begin();
      cost(r, q) = pow_p(pr.distance_m, p);
      dist(r, q) = pr.distance_m;
    }
    const std::vector<int> a = association::solve_assignment(cost);
    for (int r = 0; r < static_cast<int>(rows.size()); ++r) {
      if (a[r] < 0 || dist(r, a[r]) < 0) continue;  // only pairs closer than c count
      out.truth_to_track[rows[r]] = cols[a[r]];
      out.track_to_truth[cols[a[r]]] = rows[r];
    }
  }

  for (int i = 0; i < n; ++i) {
    const int j = out.truth_to_track[i];
    if (j < 0) continue;
    out.localisation += pow_p((truth[i] - tracks[j]).norm(), p);
    ++out.n_assigned;
  }
  out.missed = cp / 2 * (n - out.n_assigned);
  out.false_ = cp / 2 * (m - out.n_assigned);
  out.gospa_m = std::pow(out.localisation + out.missed + out.false_, 1 / p);
  const int big = std::max(n, m);
  out.ospa_m =
      big == 0 ? 0 : std::pow((out.localisation + cp * (big - out.n_assigned)) / big, 1 / p);
  return out;
}

}  // namespace skyfuse::eval
