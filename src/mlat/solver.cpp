#include "mlat/solver.hpp"

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <Eigen/LU>
#include <algorithm>
#include <cmath>
#include <limits>

#include "geo/wgs84.hpp"
#include "mlat/propagation.hpp"

namespace skyfuse::mlat {

namespace {

constexpr int kMaxRows = kMaxSolverReceivers + 1;
using Rows4 = Eigen::Matrix<double, Eigen::Dynamic, 4, 0, kMaxRows, 4>;
using Vec = Eigen::Matrix<double, Eigen::Dynamic, 1, 0, kMaxRows, 1>;
using Square = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, 0, kMaxSolverReceivers,
                             kMaxSolverReceivers>;

constexpr double c = kSpeedOfLight;

// Lower Cholesky factor of the range-noise covariance c^2 * cov over a subset.
struct Whitener {
  Square l;
  bool ok = false;
};

Whitener make_whitener(const SolverInput& in, std::span<const int> subset) {
  const int m = static_cast<int>(subset.size());
  Square cov(m, m);
  for (int i = 0; i < m; ++i) {
    for (int j = 0; j < m; ++j) cov(i, j) = c * c * in.toa_cov_s2(subset[i], subset[j]);
  }
  Eigen::LLT<Square> llt(cov);
  Whitener w;
  w.ok = llt.info() == Eigen::Success;
  if (w.ok) w.l = llt.matrixL();
  return w;
}

// Whitened residuals r = z - h(p) and Jacobian J = dh/dp at p = (x, cT).
double evaluate(const SolverInput& in, std::span<const int> subset, const Whitener& w,
                const Eigen::Vector3d& x, double ct, bool refraction, Vec& r, Rows4& j) {
  const int m = static_cast<int>(subset.size());
  const bool aid = in.altitude.has_value();
  r.resize(m + (aid ? 1 : 0));
  j.resize(m + (aid ? 1 : 0), 4);
  const double hx = fast_height(x);
  for (int k = 0; k < m; ++k) {
    const int s = subset[k];
    const Eigen::Vector3d d = x - in.receiver_ecef_m[s];
    const double rho = std::max(d.norm(), 1.0);
    const double scale = 1.0 + (refraction ? mean_refractivity(in.receiver_h_m[s], hx) : 0.0);
    r(k) = c * in.toa_s(s) - (ct + rho * scale);
    j.row(k).head<3>() = (scale / rho) * d.transpose();
    j(k, 3) = 1.0;
  }
  w.l.triangularView<Eigen::Lower>().solveInPlace(r.head(m));
  w.l.triangularView<Eigen::Lower>().solveInPlace(j.topRows(m));
  if (aid) {
    const double inv = 1.0 / in.altitude->sigma_m;
    r(m) = (in.altitude->height_m - hx) * inv;
    j.row(m).head<3>() = (inv / x.norm()) * x.transpose();
    j(m, 3) = 0.0;
  }
  return r.squaredNorm();
}

Eigen::Vector3d lift(const Eigen::Vector3d& p, double h) {
  return p + (h - fast_height(p)) * p.normalized();
}

double initial_emit(const SolverInput& in, std::span<const int> subset, const Eigen::Vector3d& x) {
  double sum = 0;
  for (int s : subset) sum += c * in.toa_s(s) - (x - in.receiver_ecef_m[s]).norm();
  return sum / static_cast<double>(subset.size());
}

bool plausible(const SolverInput& in, std::span<const int> subset, const Solution& s,
               const SolverConfig& cfg) {
  if (!s.converged || !s.ecef_m.allFinite()) return false;
  const double h = fast_height(s.ecef_m);
  if (h < cfg.min_height_m || h > cfg.max_height_m) return false;
  // Every receiver must be within radio line of sight (4/3-earth horizon,
  // 4.12 km per sqrt(m) of each height) and the configured range.
  for (int k : subset) {
    const double d = (s.ecef_m - in.receiver_ecef_m[k]).norm();
    const double horizon = 4120.0 * (std::sqrt(std::max(h, 0.0)) +
                                     std::sqrt(std::max(in.receiver_h_m[k], 0.0) + 100.0));
    if (d > std::min(cfg.max_range_m, cfg.horizon_margin * horizon)) return false;
  }
  return true;
}

bool passes(const Solution& s, const SolverConfig& cfg) {
  return s.dof < 1 || s.chi2 <= chi2_threshold(s.dof, cfg.consistency_z);
}

// Receivers closer together than `separation_m` count as one site: they add
// no geometric redundancy (a co-located pair cannot outvote an outlier).
int effective_sites(const SolverInput& in, std::span<const int> subset, double separation_m) {
  std::vector<int> sites;
  for (int k : subset) {
    bool near = false;
    for (int s : sites) {
      near = near || (in.receiver_ecef_m[k] - in.receiver_ecef_m[s]).norm() < separation_m;
    }
    if (!near) sites.push_back(k);
  }
  return static_cast<int>(sites.size());
}

std::vector<int> all_indices(const SolverInput& in) {
  std::vector<int> v(static_cast<std::size_t>(in.toa_s.size()));
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<int>(i);
  return v;
}

}  // namespace

double chi2_threshold(int dof, double z) {
  const double k = std::max(dof, 1);
  const double a = 2.0 / (9.0 * k);
  const double t = 1.0 - a + z * std::sqrt(a);
  return k * t * t * t;
}

Solution least_squares(const SolverInput& in, std::span<const int> subset,
                       const Eigen::Vector3d& start_ecef_m, const SolverConfig& cfg) {
  Solution out;
  const int m = static_cast<int>(subset.size());
  if (m < 2 || m > kMaxSolverReceivers) return out;
  const Whitener w = make_whitener(in, subset);
  if (!w.ok) return out;
  Eigen::Vector3d x = start_ecef_m;
  double ct = initial_emit(in, subset, x);
  Vec r, r_new;
  Rows4 j, j_new;
  double cost = evaluate(in, subset, w, x, ct, cfg.refraction, r, j);
  double lambda = 1e-4;
  bool converged = false;
  int it = 0;
  for (; it < cfg.max_iterations && !converged; ++it) {
    const Eigen::Matrix4d a = j.transpose() * j;
    const Eigen::Vector4d g = j.transpose() * r;
    bool stepped = false;
    while (lambda < 1e10) {
      Eigen::Matrix4d damped = a;
      damped.diagonal() *= 1.0 + lambda;
      const Eigen::Vector4d step = damped.ldlt().solve(g);
      if (!step.allFinite()) break;
      const Eigen::Vector3d x_new = x + step.head<3>();
      const double ct_new = ct + step(3);
      const double cost_new = evaluate(in, subset, w, x_new, ct_new, cfg.refraction, r_new, j_new);
      if (cost_new <= cost) {
        x = x_new;
        ct = ct_new;
        std::swap(r, r_new);
        std::swap(j, j_new);
        converged = step.head<3>().norm() < 1e-3 || cost - cost_new < 1e-10 * (1.0 + cost);
        cost = cost_new;
        lambda = std::max(lambda * 0.1, 1e-9);
        stepped = true;
        break;
      }
      lambda *= 10;
    }
    if (!stepped) {
      // No descent step left: at a minimum if the gradient is negligible.
      converged = g.norm() < 1e-6 * (1.0 + std::sqrt(cost));
      break;
    }
  }
  const Eigen::Matrix4d info = j.transpose() * j;
  Eigen::FullPivLU<Eigen::Matrix4d> lu(info);
  out.converged = converged;
  out.singular = !lu.isInvertible();
  out.ecef_m = x;
  out.emit_m = ct;
  // A singular normal matrix: some direction is not observed at all.
  out.cov = out.singular ? Eigen::Matrix4d(Eigen::Matrix4d::Identity() * 1e12)
                         : Eigen::Matrix4d(lu.inverse());
  out.chi2 = cost;
  out.dof = static_cast<int>(r.size()) - 4;
  out.iterations = it;
  return out;
}

std::optional<Eigen::Matrix4d> cramer_rao_bound(const SolverInput& in, std::span<const int> subset,
                                                const Eigen::Vector3d& x_ecef_m, bool refraction) {
  const Whitener w = make_whitener(in, subset);
  if (!w.ok) return std::nullopt;
  Vec r;
  Rows4 j;
  evaluate(in, subset, w, x_ecef_m, initial_emit(in, subset, x_ecef_m), refraction, r, j);
  Eigen::FullPivLU<Eigen::Matrix4d> lu(j.transpose() * j);
  if (!lu.isInvertible()) return std::nullopt;
  return Eigen::Matrix4d(lu.inverse());
}

double gdop(const SolverInput& in, std::span<const int> subset, const Eigen::Vector3d& x) {
  const int m = static_cast<int>(subset.size());
  Rows4 h(m + (in.altitude ? 1 : 0), 4);
  double mean_var = 0;
  for (int k = 0; k < m; ++k) {
    const int s = subset[k];
    h.row(k).head<3>() = (x - in.receiver_ecef_m[s]).normalized().transpose();
    h(k, 3) = 1.0;
    mean_var += in.toa_cov_s2(s, s) / m;
  }
  if (in.altitude) {
    const double weight = c * std::sqrt(mean_var) / in.altitude->sigma_m;
    h.row(m).head<3>() = weight * x.normalized().transpose();
    h(m, 3) = 0.0;
  }
  Eigen::FullPivLU<Eigen::Matrix4d> lu(h.transpose() * h);
  if (!lu.isInvertible()) return std::numeric_limits<double>::infinity();
  return std::sqrt(std::max(0.0, Eigen::Matrix4d(lu.inverse()).trace()));
}

Eigen::Matrix3d ecef_cov_to_enu(const Eigen::Matrix3d& cov_ecef, const GeodeticPosition& at) {
  const Eigen::Matrix3d rot = geo::ecef_to_enu_rotation(at.lat_deg, at.lon_deg);
  return rot * cov_ecef * rot.transpose();
}

SolveResult solve(const SolverInput& in, const SolverConfig& cfg) {
  SolveResult out;
  const int m = static_cast<int>(in.toa_s.size());
  const int min_rx = in.altitude ? 3 : 4;
  if (m < min_rx) {
    out.flag = FixFlag::kTooFewReceivers;
    return out;
  }
  if (m > kMaxSolverReceivers) {
    out.flag = FixFlag::kNoConvergence;
    return out;
  }
  const std::vector<int> all = all_indices(in);
  const double h0 = in.altitude ? in.altitude->height_m : 9000.0;

  // Starts: above the receiver that heard the transmission first (usually the
  // nearest), above the receivers' centroid, then a ring around the centroid.
  Eigen::Vector3d centroid = Eigen::Vector3d::Zero();
  int first = 0;
  for (int k = 0; k < m; ++k) {
    centroid += in.receiver_ecef_m[k] / m;
    if (in.toa_s(k) < in.toa_s(first)) first = k;
  }
  std::vector<Eigen::Vector3d> starts = {lift(in.receiver_ecef_m[first], h0), lift(centroid, h0)};
  std::vector<Solution> found;
  auto run = [&](const Eigen::Vector3d& start) {
    Solution s = least_squares(in, all, start, cfg);
    if (plausible(in, all, s, cfg)) found.push_back(s);
  };
  for (const auto& s : starts) run(s);
  // The ring of extra starts also finds a second minimum (ambiguity) when there is one.
  if (cfg.extra_starts > 0) {
    const GeodeticPosition g = geo::ecef_to_geodetic(centroid);
    const Eigen::Matrix3d rot = geo::ecef_to_enu_rotation(g.lat_deg, g.lon_deg);
    for (int i = 0; i < cfg.extra_starts; ++i) {
      const double a = 2.0 * M_PI * i / cfg.extra_starts;
      const Eigen::Vector3d off(60e3 * std::cos(a), 60e3 * std::sin(a), 0.0);
      run(lift(centroid + rot.transpose() * off, h0));
    }
  }
  if (found.empty()) {
    out.flag = FixFlag::kNoConvergence;
    return out;
  }
  std::sort(found.begin(), found.end(),
            [](const Solution& a, const Solution& b) { return a.chi2 < b.chi2; });
  Solution best = found.front();
  out.used = all;
  bool ambiguous = false;
  for (std::size_t i = 1; i < found.size(); ++i) {
    if ((found[i].ecef_m - best.ecef_m).norm() > cfg.ambiguity_distance_m &&
        passes(found[i], cfg)) {
      ambiguous = true;
    }
  }

  bool consistent = passes(best, cfg);
  if (!consistent && cfg.drop_one_outlier && m - 1 >= min_rx + 1) {
    Solution best_sub;
    int dropped = -1;
    for (int k = 0; k < m; ++k) {
      std::vector<int> sub;
      for (int i : all) {
        if (i != k) sub.push_back(i);
      }
      // Only if what is left can still be checked (one spare site).
      if (effective_sites(in, sub, cfg.min_site_separation_m) + (in.altitude ? 1 : 0) < 5) continue;
      Solution s = least_squares(in, sub, best.ecef_m, cfg);
      if (plausible(in, sub, s, cfg) && (dropped < 0 || s.chi2 < best_sub.chi2)) {
        best_sub = s;
        dropped = k;
      }
    }
    if (dropped >= 0 && passes(best_sub, cfg)) {
      best = best_sub;
      out.used.erase(out.used.begin() + dropped);
      consistent = true;
    }
  }

  out.solution = best;
  out.position = geo::ecef_to_geodetic(best.ecef_m);
  out.cov_enu_m2 = ecef_cov_to_enu(best.cov.topLeftCorner<3, 3>(), out.position);
  out.gdop = gdop(in, out.used, best.ecef_m);
  const Eigen::SelfAdjointEigenSolver<Eigen::Matrix2d> eig(out.cov_enu_m2.topLeftCorner<2, 2>());
  const double major = std::sqrt(std::max(0.0, eig.eigenvalues()(1)));
  if (!consistent) {
    out.flag = FixFlag::kInconsistent;
  } else if (best.singular) {
    out.flag = FixFlag::kBadGeometry;
  } else if (ambiguous) {
    out.flag = FixFlag::kAmbiguous;
  } else if (!(major <= cfg.max_sigma_ok_m) || !(out.gdop <= cfg.max_gdop)) {
    out.flag = FixFlag::kBadGeometry;
  } else {
    out.flag = FixFlag::kOk;
  }
  return out;
}

}  // namespace skyfuse::mlat
