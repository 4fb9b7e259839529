#include "estimation/vertical_filter.hpp"

#include <Eigen/Cholesky>
#include <cmath>

namespace skyfuse::estimation {

namespace {
constexpr double kTiny = 1e-9;
}  // namespace

VerticalFilter::VerticalFilter(const Params& params, double h, double var_h, double b, double var_b)
    : params_(params) {
  x_ << h, 0, b;
  p_.setZero();
  p_(0, 0) = var_h;
  p_(1, 1) = 25.0 * 25.0;  // up to ~5,000 ft/min unknown at start
  p_(2, 2) = var_b;
}

void VerticalFilter::predict(double dt) {
  // F = [1 dt 0; 0 1 0; 0 0 1]: F P F' written out (symmetric), plus white
  // acceleration on (h, vh) and the offset's random walk.
  const double t = std::abs(dt);
  const double qd = params_.accel_sigma_mps2 * params_.accel_sigma_mps2;
  const Eigen::Matrix3d& p = p_;
  const double p01 = p(0, 1) + dt * p(1, 1);  // (F P)(0, 1)
  const double p00 = p(0, 0) + dt * p(1, 0) + dt * p01 + qd * t * t * t / 3;
  const double p02 = p(0, 2) + dt * p(1, 2);
  const double q01 = p01 + qd * t * t / 2;
  const double p11 = p(1, 1) + qd * t;
  const double p22 = p(2, 2) + params_.offset_walk_sigma * params_.offset_walk_sigma * t;
  const double x0 = x_[0] + dt * x_[1];
  // Finite: v * 0 is NaN for an infinite or NaN v.
  if (!((x0 + x_[1] + x_[2] + p00 + q01 + p02 + p11 + p22 + p(1, 2)) * 0 == 0)) {
    ++faults_;
    return;
  }
  x_[0] = x0;
  p_(0, 0) = p00;  // (1, 2) and (2, 1) stay as they are
  p_(0, 1) = p_(1, 0) = q01;
  p_(0, 2) = p_(2, 0) = p02;
  p_(1, 1) = p11;
  p_(2, 2) = p22;
}

double VerticalFilter::nis_baro(double baro_m, double var) const {
  const double nu = baro_m - (x_[0] - x_[2]);
  const double s = p_(0, 0) + p_(2, 2) - 2 * p_(0, 2) + var;
  return s > kTiny ? nu * nu / s : 0.0;
}

double VerticalFilter::nis_geometric(double h, double var) const {
  const double nu = h - x_[0];
  const double s = p_(0, 0) + var;
  return s > kTiny ? nu * nu / s : 0.0;
}

// Scalar measurement z = h x: P -= (P h')(P h')' / s, symmetrised; refused
// (and counted) when s or the result is not finite or a variance is lost.
bool VerticalFilter::update_row(const Eigen::RowVector3d& h, double z, double var) {
  double ph[3];
  for (int i = 0; i < 3; ++i) ph[i] = p_(i, 0) * h[0] + p_(i, 1) * h[1] + p_(i, 2) * h[2];
  const double s = h[0] * ph[0] + h[1] * ph[1] + h[2] * ph[2] + var;
  if (!(s > kTiny) || !std::isfinite(s)) {
    ++faults_;
    return false;
  }
  const double k = (z - (h[0] * x_[0] + h[1] * x_[1] + h[2] * x_[2])) / s;
  double x[3], p[3][3];
  double bad = 0;  // NaN once a value is not finite
  for (int i = 0; i < 3; ++i) {
    x[i] = x_[i] + ph[i] * k;
    bad += x[i] * 0;
    for (int j = 0; j <= i; ++j) {
      const double c = ph[i] * ph[j] / s;
      p[i][j] = 0.5 * ((p_(i, j) - c) + (p_(j, i) - c));
      bad += p[i][j] * 0;
    }
  }
  if (!(bad == 0) || !(p[0][0] > 0 && p[1][1] > 0 && p[2][2] > 0)) {
    ++faults_;
    return false;
  }
  for (int i = 0; i < 3; ++i) {
    x_[i] = x[i];
    for (int j = 0; j <= i; ++j) p_(i, j) = p_(j, i) = p[i][j];
  }
  return true;
}

bool VerticalFilter::update_from_plane(const Eigen::Vector2d& h_row, const Eigen::Matrix2d& s,
                                       const Eigen::Vector2d& nu) {
  Eigen::LLT<Eigen::Matrix2d> llt(s);
  if (llt.info() != Eigen::Success || !h_row.allFinite() || !nu.allFinite()) {
    ++faults_;
    return false;
  }
  Eigen::Matrix<double, 2, 3> h = Eigen::Matrix<double, 2, 3>::Zero();
  h.col(0) = h_row;
  const Eigen::Matrix<double, 3, 2> k = (llt.solve(h * p_)).transpose();  // P H' S^-1
  const Eigen::Vector3d x = x_ + k * nu;
  Eigen::Matrix3d p = p_ - k * s * k.transpose();
  p = 0.5 * (p + p.transpose());
  if (!x.allFinite() || !p.allFinite() || p(0, 0) <= 0) {
    ++faults_;
    return false;
  }
  x_ = x;
  p_ = p;
  return true;
}

bool VerticalFilter::update_baro(double baro_m, double var) {
  return update_row(Eigen::RowVector3d(1, 0, -1), baro_m, var);
}
bool VerticalFilter::update_geometric(double h, double var) {
  return update_row(Eigen::RowVector3d(1, 0, 0), h, var);
}
bool VerticalFilter::update_offset(double b, double var) {
  return update_row(Eigen::RowVector3d(0, 0, 1), b, var);
}
void VerticalFilter::set_offset(double b, double var) {
  if (!std::isfinite(b) || !(var > 0) || !std::isfinite(var)) return;
  Eigen::Matrix3d& p = p_;
  const double var_pa = p(0, 0) + p(2, 2) - 2 * p(0, 2);  // of h - b
  const double cov_pa_v = p(0, 1) - p(1, 2);
  x_[0] += b - x_[2];
  x_[2] = b;
  p(0, 0) = var_pa + var;
  p(0, 1) = p(1, 0) = cov_pa_v;
  p(0, 2) = p(2, 0) = var;
  p(1, 2) = p(2, 1) = 0;
  p(2, 2) = var;
}

bool VerticalFilter::update_rate(double vh, double var) {
  return update_row(Eigen::RowVector3d(0, 1, 0), vh, var);
}

}  // namespace skyfuse::estimation
