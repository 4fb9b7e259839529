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

// Per least-squares run: the information matrix (inverse range-noise
// covariance) over the subset, and each receiver's refractivity decay.
struct Context {
  Square omega;  // (c^2 cov)^-1 [1/m^2]
  bool ok = false;
  Vec rx_decay;  // exp(-h / H) of each receiver in the subset (refractivity profile)
};

Context make_context(const SolverInput& in, std::span<const int> subset) {
  const int m = static_cast<int>(subset.size());
  Square cov(m, m);
  for (int i = 0; i < m; ++i) {
    for (int j = 0; j < m; ++j) cov(i, j) = c * c * in.toa_cov_s2(subset[i], subset[j]);
  }
  Eigen::LLT<Square> llt(cov);
  Context w;
  w.ok = llt.info() == Eigen::Success;
  if (w.ok) w.omega = llt.solve(Square::Identity(m, m));
  w.rx_decay.resize(m);
  for (int i = 0; i < m; ++i) {
    w.rx_decay(i) = std::exp(-in.receiver_h_m[subset[i]] / kRefractivityScale_m);
  }
  return w;
}

// Normal equations of the weighted problem at p = (x, cT): a = J^T W J,
// g = J^T W r, cost = r^T W r, with r = z - h(p) and J = dh/dp.
struct Normal {
  Eigen::Matrix4d a;
  Eigen::Vector4d g;
  double cost = 0;
};

Normal evaluate(const SolverInput& in, std::span<const int> subset, const Context& w,
                const Eigen::Vector3d& x, double ct, bool refraction) {
  const int m = static_cast<int>(subset.size());
  Vec r(m);
  Rows4 j(m, 4);
  const double hx = fast_height(x);
  const double x_decay = refraction ? std::exp(-hx / kRefractivityScale_m) : 0.0;
  for (int k = 0; k < m; ++k) {
    const int s = subset[k];
    const Eigen::Vector3d d = x - in.receiver_ecef_m[s];
    const double rho = std::max(d.norm(), 1.0);
    // mean_refractivity(h_s, hx) with the exponentials computed once.
    double scale = 1.0;
    if (refraction) {
      const double dh = hx - in.receiver_h_m[s];
      scale += std::abs(dh) < 1.0
                   ? kRefractivity0 * w.rx_decay(k)
                   : kRefractivity0 * kRefractivityScale_m * (w.rx_decay(k) - x_decay) / dh;
    }
    r(k) = c * in.toa_s(s) - (ct + rho * scale);
    j.row(k).head<3>() = (scale / rho) * d.transpose();
    j(k, 3) = 1.0;
  }
  // Plain loops: m is small (<= 24) and Eigen's dynamic-size products go
  // through its general kernels here.
  Normal n;
  n.a.setZero();
  n.g.setZero();
  n.cost = 0;
  for (int i = 0; i < m; ++i) {
    double wr = 0;
    Eigen::Vector4d wj = Eigen::Vector4d::Zero();
    for (int k = 0; k < m; ++k) {
      const double o = w.omega(i, k);
      wr += o * r(k);
      wj += o * j.row(k).transpose();
    }
    const Eigen::Vector4d ji = j.row(i).transpose();
    n.a.noalias() += ji * wj.transpose();
    n.g += ji * wr;
    n.cost += r(i) * wr;
  }
  if (in.altitude) {
    const double inv = 1.0 / in.altitude->sigma_m;
    const double ra = (in.altitude->height_m - hx) * inv;
    const Eigen::Vector4d ja((inv / x.norm()) * x.x(), (inv / x.norm()) * x.y(),
                             (inv / x.norm()) * x.z(), 0.0);
    n.a.noalias() += ja * ja.transpose();
    n.g += ja * ra;
    n.cost += ra * ra;
  }
  return n;
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

// Solves a x = b for a symmetric positive definite 4x4 (Cholesky, unrolled
// by the compiler); nullopt if a is not positive definite.
std::optional<Eigen::Vector4d> solve_spd4(const Eigen::Matrix4d& a, const Eigen::Vector4d& b) {
  double l[4][4] = {};
  for (int i = 0; i < 4; ++i) {
    for (int k = 0; k <= i; ++k) {
      double sum = a(i, k);
      for (int p = 0; p < k; ++p) sum -= l[i][p] * l[k][p];
      if (i == k) {
        if (!(sum > 0)) return std::nullopt;
        l[i][i] = std::sqrt(sum);
      } else {
        l[i][k] = sum / l[k][k];
      }
    }
  }
  double y[4];
  for (int i = 0; i < 4; ++i) {
    double sum = b(i);
    for (int p = 0; p < i; ++p) sum -= l[i][p] * y[p];
    y[i] = sum / l[i][i];
  }
  Eigen::Vector4d x;
  for (int i = 3; i >= 0; --i) {
    double sum = y[i];
    for (int p = i + 1; p < 4; ++p) sum -= l[p][i] * x(p);
    x(i) = sum / l[i][i];
  }
  return x;
}

}  // namespace

double chi2_threshold(int dof, double z) {
  const double k = std::max(dof, 1);
  const double a = 2.0 / (9.0 * k);
  const double t = 1.0 - a + z * std::sqrt(a);
  return k * t * t * t;
}

namespace {

// least_squares(), stopping early (duplicate = true) once the iterate comes
// within `near_m` of one of `known`: that run is heading for a minimum already found.
Solution least_squares_until(const SolverInput& in, std::span<const int> subset, const Context& w,
                             const Eigen::Vector3d& start_ecef_m, const SolverConfig& cfg,
                             std::span<const Solution> known, double near_m) {
  Solution out;
  const int m = static_cast<int>(subset.size());
  if (m < 2 || m > kMaxSolverReceivers || !w.ok) return out;
  Eigen::Vector3d x = start_ecef_m;
  double ct = initial_emit(in, subset, x);
  Normal n = evaluate(in, subset, w, x, ct, cfg.refraction);
  double lambda = 1e-4;
  bool converged = false;
  int it = 0;
  for (; it < cfg.max_iterations && !converged; ++it) {
    bool stepped = false;
    while (lambda < 1e10) {
      Eigen::Matrix4d damped = n.a;
      damped.diagonal() *= 1.0 + lambda;
      const std::optional<Eigen::Vector4d> solved = solve_spd4(damped, n.g);
      if (!solved || !solved->allFinite()) break;
      const Eigen::Vector4d& step = *solved;
      const Eigen::Vector3d x_new = x + step.head<3>();
      const double ct_new = ct + step(3);
      const Normal n_new = evaluate(in, subset, w, x_new, ct_new, cfg.refraction);
      if (n_new.cost <= n.cost) {
        converged = step.head<3>().norm() < 1e-2 || n.cost - n_new.cost < 1e-10 * (1.0 + n.cost);
        x = x_new;
        ct = ct_new;
        n = n_new;
        lambda = std::max(lambda * 0.1, 1e-9);
        stepped = true;
        for (const Solution& k : known) {
          if ((k.ecef_m - x).norm() < near_m) {
            out.duplicate = true;
            out.ecef_m = x;
            return out;
          }
        }
        break;
      }
      lambda *= 10;
    }
    if (!stepped) {
      // No descent step left: at a minimum if the gradient is negligible.
      converged = n.g.norm() < 1e-6 * (1.0 + std::sqrt(n.cost));
      break;
    }
  }
  Eigen::FullPivLU<Eigen::Matrix4d> lu(n.a);
  out.converged = converged;
  out.singular = !lu.isInvertible();
  out.ecef_m = x;
  out.emit_m = ct;
  // A singular normal matrix: some direction is not observed at all.
  out.cov = out.singular ? Eigen::Matrix4d(Eigen::Matrix4d::Identity() * 1e12)
                         : Eigen::Matrix4d(lu.inverse());
  out.chi2 = n.cost;
  out.dof = m + (in.altitude ? 1 : 0) - 4;
  out.iterations = it;
  return out;
}

}  // namespace

Solution least_squares(const SolverInput& in, std::span<const int> subset,
                       const Eigen::Vector3d& start_ecef_m, const SolverConfig& cfg) {
  if (subset.size() < 2 || subset.size() > kMaxSolverReceivers) return Solution{};
  return least_squares_until(in, subset, make_context(in, subset), start_ecef_m, cfg, {}, 0.0);
}

std::optional<Eigen::Matrix4d> cramer_rao_bound(const SolverInput& in, std::span<const int> subset,
                                                const Eigen::Vector3d& x_ecef_m, bool refraction) {
  const Context w = make_context(in, subset);
  if (!w.ok) return std::nullopt;
  const Normal n =
      evaluate(in, subset, w, x_ecef_m, initial_emit(in, subset, x_ecef_m), refraction);
  Eigen::FullPivLU<Eigen::Matrix4d> lu(n.a);
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
  const Context ctx = make_context(in, all);
  // Runs that head for a minimum already found stop early (the common case).
  auto run = [&](const Eigen::Vector3d& start) {
    Solution s = least_squares_until(in, all, ctx, start, cfg, found, cfg.duplicate_radius_m);
    if (!s.duplicate && plausible(in, all, s, cfg)) found.push_back(s);
  };
  for (const auto& s : starts) run(s);
  // More starts where a second minimum would be: the first solution mirrored
  // across the receivers' principal axis and through their centroid (the
  // classic TDOA mirror ambiguities), plus a ring around the centroid when
  // nothing acceptable was found yet.
  // Local east/north/radial-up axes at the centroid (no geodetic conversion
  // needed: the starts only have to be spread around it).
  Eigen::Matrix3d rot;
  {
    const Eigen::Vector3d up = centroid.normalized();
    const Eigen::Vector3d east = Eigen::Vector3d(-centroid.y(), centroid.x(), 0.0).normalized();
    rot.row(0) = east.transpose();
    rot.row(1) = up.cross(east).transpose();
    rot.row(2) = up.transpose();
  }
  auto at = [&](const Eigen::Vector2d& en) {
    return lift(centroid + rot.transpose() * Eigen::Vector3d(en.x(), en.y(), 0.0), h0);
  };
  if (!found.empty() && cfg.mirror_starts) {
    Eigen::Matrix2d spread = Eigen::Matrix2d::Zero();
    for (int k = 0; k < m; ++k) {
      const Eigen::Vector2d e = (rot * (in.receiver_ecef_m[k] - centroid)).head<2>();
      spread += e * e.transpose();
    }
    const Eigen::SelfAdjointEigenSolver<Eigen::Matrix2d> pca(spread);
    const Eigen::Vector2d axis = pca.eigenvectors().col(1);
    const Eigen::Vector2d d = (rot * (found.front().ecef_m - centroid)).head<2>();
    run(at(2.0 * d.dot(axis) * axis - d));
    run(at(-d));
  }
  const bool acceptable =
      std::any_of(found.begin(), found.end(), [&](const Solution& s) { return passes(s, cfg); });
  if (cfg.extra_starts > 0 && (!acceptable || cfg.always_extra_starts)) {
    for (int i = 0; i < cfg.extra_starts; ++i) {
      const double a = 2.0 * M_PI * i / cfg.extra_starts;
      run(at(Eigen::Vector2d(60e3 * std::cos(a), 60e3 * std::sin(a))));
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

  out.position = geo::ecef_to_geodetic(best.ecef_m);
  out.cov_enu_m2 = ecef_cov_to_enu(best.cov.topLeftCorner<3, 3>(), out.position);
  out.gdop = gdop(in, out.used, best.ecef_m);
  // The geometry test is on what geometry and timing noise allow; the
  // calibration (how far real errors exceed that) scales what is reported.
  const Eigen::SelfAdjointEigenSolver<Eigen::Matrix2d> eig(out.cov_enu_m2.topLeftCorner<2, 2>());
  const double major = std::sqrt(std::max(0.0, eig.eigenvalues()(1)));
  best.cov *= cfg.covariance_scale;
  out.cov_enu_m2 *= cfg.covariance_scale;
  out.solution = best;
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
