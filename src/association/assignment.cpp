#include "association/assignment.hpp"

#include <limits>

#include "core/assert.hpp"

namespace skyfuse::association {

namespace {
// Rows <= columns. Each row in turn is joined by a shortest augmenting path in
// the reduced costs (Dijkstra-like over columns); the duals u, v keep reduced
// costs non-negative.
std::vector<int> solve_wide(const Eigen::MatrixXd& c) {
  const auto nr = static_cast<int>(c.rows());
  const auto nc = static_cast<int>(c.cols());
  constexpr double kInf = std::numeric_limits<double>::infinity();
  std::vector<double> u(nr, 0), v(nc, 0), shortest(nc);
  std::vector<int> path(nc, -1), col4row(nr, -1), row4col(nc, -1), remaining(nc);
  std::vector<char> sr(nr), sc(nc);
  for (int cur = 0; cur < nr; ++cur) {
    std::fill(shortest.begin(), shortest.end(), kInf);
    std::fill(sr.begin(), sr.end(), 0);
    std::fill(sc.begin(), sc.end(), 0);
    for (int j = 0; j < nc; ++j) remaining[j] = nc - j - 1;
    int n_remaining = nc;
    double min_val = 0;
    int i = cur, sink = -1;
    while (sink == -1) {
      sr[i] = 1;
      int index = -1;
      double lowest = kInf;
      for (int k = 0; k < n_remaining; ++k) {
        const int j = remaining[k];
        const double r = min_val + c(i, j) - u[i] - v[j];
        if (r < shortest[j]) {
          path[j] = i;
          shortest[j] = r;
        }
        if (shortest[j] < lowest || (shortest[j] == lowest && row4col[j] == -1)) {
          lowest = shortest[j];
          index = k;
        }
      }
      SKYFUSE_ASSERT(index >= 0 && lowest < kInf, "assignment cost must be finite");
      min_val = lowest;
      const int j = remaining[index];
      if (row4col[j] == -1) {
        sink = j;
      } else {
        i = row4col[j];
      }
      sc[j] = 1;
      remaining[index] = remaining[--n_remaining];
    }
    u[cur] += min_val;
    for (int r = 0; r < nr; ++r)
      if (sr[r] && r != cur) u[r] += min_val - shortest[col4row[r]];
    for (int j = 0; j < nc; ++j)
      if (sc[j]) v[j] -= min_val - shortest[j];
    for (int j = sink;;) {
      const int r = path[j];
      row4col[j] = r;
      std::swap(col4row[r], j);
      if (r == cur) break;
    }
  }
  return col4row;
}
}  // namespace

std::vector<int> solve_assignment(const Eigen::MatrixXd& cost) {
  if (cost.rows() == 0 || cost.cols() == 0) return std::vector<int>(cost.rows(), -1);
  if (cost.rows() <= cost.cols()) return solve_wide(cost);
  const std::vector<int> col4row = solve_wide(cost.transpose());
  std::vector<int> out(cost.rows(), -1);
  for (int j = 0; j < static_cast<int>(col4row.size()); ++j) out[col4row[j]] = j;
  return out;
}

}  // namespace skyfuse::association
