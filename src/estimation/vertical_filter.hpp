// File: estimation/vertical_filter.hpp
//
// Vertical filter: x = [h, vh, b], h the geometric height above the ellipsoid,
// vh its rate, b = geometric height - pressure altitude (the per-track offset
// between GNSS and Mode C heights, observable once both are seen; a slow random
// walk). A geometric height measures h; a pressure altitude measures h - b.
// Units: m, m/s; variances in m^2, (m/s)^2.
//
// Numerical faults (a non-finite value, a lost variance) leave the state as it
// was and are counted in `faults()`.
//
//   VerticalFilter v(VerticalFilter::Params{}, 10000, 1e4, 0, 200 * 200);
//   v.predict(4.0);
//   if (v.nis_baro(9990, 64) < 25) v.update_baro(9990, 64);
//   double h = v.height();
#pragma once

#include <Eigen/Core>
#include <cstdint>

namespace skyfuse::estimation {

class VerticalFilter {
 public:
  struct Params {
    double accel_sigma_mps2 = 1.5;
    double offset_walk_sigma = 0.05;  // m / sqrt(s)
  };
  VerticalFilter() = default;
  VerticalFilter(const Params& params, double h, double var_h, double b, double var_b);

  void predict(double dt);
  double nis_baro(double baro_m, double var) const;
  double nis_geometric(double h, double var) const;
  bool update_baro(double baro_m, double var);
  bool update_geometric(double h, double var);
  bool update_rate(double vh, double var);
  // A measurement of the offset itself (the fleet's offset at this pressure
  // altitude, for an aircraft whose own is not observed).
  bool update_offset(double b, double var);
  // The offset set to `b` (variance `var`, independent of the rest), the
  // pressure altitude h - b kept: for an aircraft whose own offset is not
  // observed, the offset is a function of its pressure altitude, not a
  // constant to average (as a measurement it would lag a climb).
  void set_offset(double b, double var);
  // A 2-D radar plot placed on the plane at the predicted height h0 is
  // m = x + J (h0 - h): the horizontal innovation `nu` (total covariance `s`,
  // which includes the height term) also measures the height. `h_row` = -J,
  // the plot's sensitivity to the height state (joint update, cross-covariance
  // with the horizontal filter dropped).
  bool update_from_plane(const Eigen::Vector2d& h_row, const Eigen::Matrix2d& s,
                         const Eigen::Vector2d& nu);

  double height() const { return x_[0]; }
  double rate() const { return x_[1]; }
  double offset() const { return x_[2]; }
  const Eigen::Matrix3d& covariance() const { return p_; }
  std::uint64_t faults() const { return faults_; }

 private:
  bool update_row(const Eigen::RowVector3d& h, double z, double var);
  Params params_;
  Eigen::Vector3d x_ = Eigen::Vector3d::Zero();
  Eigen::Matrix3d p_ = Eigen::Matrix3d::Identity();
  std::uint64_t faults_ = 0;
};

}  // namespace skyfuse::estimation
