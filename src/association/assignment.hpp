// File: association/assignment.hpp
//
// Optimal linear assignment (minimum total cost) for a dense rectangular cost
// matrix: the shortest-augmenting-path algorithm of Jonker and Volgenant in the
// rectangular form described by Crouse (2016), O(n^2 m) for n <= m.
//
//   Eigen::MatrixXd cost(2, 3); cost << 4, 1, 3,  2, 0, 5;
//   auto rows_to_cols = association::solve_assignment(cost);  // {1, 0}
#pragma once

#include <Eigen/Core>
#include <vector>

namespace skyfuse::association {

// Returns, for each row, the column assigned to it, or -1 when there are more
// rows than columns and the row is left out. Every entry must be finite.
std::vector<int> solve_assignment(const Eigen::MatrixXd& cost);

}  // namespace skyfuse::association
