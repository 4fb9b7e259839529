// File: mlat/solver.hpp
//
// Time-of-arrival least squares: given the arrival times of one transmission at
// M receivers (already corrected to a common time base, with their covariance)
// and optionally the emitter's height, find the emitter position x and the
// emission time T minimising the whitened residuals of
//     c * toa_s = c * T + |x - r_s| * (1 + n_s)       (pseudorange, n_s: refraction)
//     h_aid     = h(x)                                 (altitude aid, sigma_h)
// by Levenberg-Marquardt in ECEF from several starts. The covariance is the
// inverse normal matrix at the solution (geometry x timing noise); the fix is
// checked for consistency (chi-square), ambiguity (two distinct minima) and
// geometry (largest horizontal sigma, GDOP) and flagged.
//
//   mlat::SolverInput in;
//   in.receiver_ecef_m = {...}; in.receiver_h_m = {...};
//   in.toa_s = ...;            // [s] relative to any common epoch
//   in.toa_cov_s2 = ...;       // [s^2], M x M (clock uncertainty makes it non-diagonal)
//   in.altitude = mlat::AltitudeAid{10'000.0, 40.0};
//   mlat::SolveResult r = mlat::solve(in, mlat::SolverConfig{});
//   if (r.flag == mlat::FixFlag::kOk) use(r.position, r.cov_enu_m2);
//
// GDOP here: sqrt(trace((H^T H)^-1)) with H the unit-weight pseudorange rows
// [u_s^T, 1] and, with an altitude aid, the row [up^T, 0] weighted by
// c * sigma_toa_mean / sigma_h; dimensionless (position+time error per metre of
// range noise).
//
// Units: m, s; ECEF and local east/north/up at the fix.
#pragma once

#include <Eigen/Core>
#include <optional>
#include <span>
#include <vector>

#include "core/types.hpp"
#include "mlat/message.hpp"

namespace skyfuse::mlat {

inline constexpr int kMaxSolverReceivers = 24;

struct AltitudeAid {
  double height_m = 0;  // above the WGS-84 ellipsoid
  double sigma_m = 50;
};

struct SolverInput {
  std::vector<Eigen::Vector3d> receiver_ecef_m;  // M receivers (at most kMaxSolverReceivers)
  std::vector<double> receiver_h_m;              // their ellipsoidal heights
  std::vector<ReceiverId> receiver_ids;          // informative, copied to the fix
  Eigen::VectorXd toa_s;                         // corrected arrival times [s]
  Eigen::MatrixXd toa_cov_s2;                    // their covariance [s^2]
  std::optional<AltitudeAid> altitude;
};

struct SolverConfig {
  bool refraction = true;  // tropospheric excess path (propagation.hpp)
  int max_iterations = 30;
  double consistency_z = 3.09;          // chi-square test at this normal quantile (0.999)
  bool drop_one_outlier = true;         // on a failed test, retry without each receiver
  double min_site_separation_m = 1000;  // closer receivers count as one site for that retry
  double max_sigma_ok_m = 350;          // largest horizontal 1-sigma for kOk [m]
  double max_gdop = 60;                 // above: kBadGeometry
  double ambiguity_distance_m = 3000;   // two minima further apart than this: ambiguous
  double max_range_m = 800e3;           // no receiver may be further than this [m]
  double horizon_margin = 1.15;         // nor beyond this times its radio horizon
  double min_height_m = -1000, max_height_m = 25000;  // plausible emitter heights
  bool mirror_starts = false;        // also start from the mirror images of the first solution
  double duplicate_radius_m = 3000;  // a run whose iterate comes this near a found minimum stops
  int extra_starts = 4;              // starts on a ring around the centroid if nothing fits
  bool always_extra_starts = true;   // the ring even when a solution fits
  // Multiplies the reported covariance (not the chi-square test): the
  // multilaterator's calibration against references (multilaterator.hpp).
  double covariance_scale = 1.0;
};

struct Solution {
  bool converged = false;
  bool singular = false;  // the geometry leaves a direction unobserved (cov meaningless)
  Eigen::Vector3d ecef_m = Eigen::Vector3d::Zero();
  double emit_m = 0;                              // c * T [m]
  Eigen::Matrix4d cov = Eigen::Matrix4d::Zero();  // (x, y, z, cT) [m^2]
  double chi2 = 0;
  int dof = 0;
  int iterations = 0;
  bool duplicate = false;  // internal: stopped early, heading for a known minimum
};

struct SolveResult {
  FixFlag flag = FixFlag::kNoConvergence;
  Solution solution;
  GeodeticPosition position;
  Eigen::Matrix3d cov_enu_m2 = Eigen::Matrix3d::Zero();
  double gdop = 0;
  std::vector<int> used;  // indices into the input's receivers
};

// One Levenberg-Marquardt run over the receivers `subset` from `start`.
Solution least_squares(const SolverInput& in, std::span<const int> subset,
                       const Eigen::Vector3d& start_ecef_m, const SolverConfig& cfg);

// The full solve: starts, consistency, ambiguity, geometry, flag.
SolveResult solve(const SolverInput& in, const SolverConfig& cfg);

// Covariance of (x, y, z, cT) that the timing noise and geometry allow at the
// point x (the inverse Fisher information, i.e. the Cramer-Rao bound for an
// unbiased estimator), in ECEF [m^2]; nullopt if the geometry is singular.
std::optional<Eigen::Matrix4d> cramer_rao_bound(const SolverInput& in, std::span<const int> subset,
                                                const Eigen::Vector3d& x_ecef_m,
                                                bool refraction = true);

// GDOP as defined above, at x over `subset`.
double gdop(const SolverInput& in, std::span<const int> subset, const Eigen::Vector3d& x_ecef_m);

// Rotate a 3x3 ECEF covariance into east/north/up at a geodetic position.
Eigen::Matrix3d ecef_cov_to_enu(const Eigen::Matrix3d& cov_ecef, const GeodeticPosition& at);

// chi-square quantile at normal quantile z (Wilson-Hilferty), dof >= 1.
double chi2_threshold(int dof, double z);

}  // namespace skyfuse::mlat
