#include "estimation/imm.hpp"

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

namespace skyfuse::estimation {

namespace {
constexpr double kTiny = 1e-9;

bool finite(const StateVec& x, const StateCov& p) { return x.allFinite() && p.allFinite(); }

// Continuous white-noise acceleration on one axis (position i, velocity i+2).
void add_cwna(StateCov& q, int axis, double qd, double t) {
  const int p = axis, v = axis + 2;
  q(p, p) += qd * t * t * t / 3;
  q(p, v) += qd * t * t / 2;
  q(v, p) += qd * t * t / 2;
  q(v, v) += qd * t;
}

// Continuous white-noise jerk on one axis (position, velocity, acceleration).
void add_cwnj(StateCov& q, int axis, double qd, double t) {
  const int idx[3] = {axis, axis + 2, axis + 4};
  const double t2 = t * t, t3 = t2 * t, t4 = t3 * t, t5 = t4 * t;
  const double m[3][3] = {{t5 / 20, t4 / 8, t3 / 6}, {t4 / 8, t3 / 3, t2 / 2}, {t3 / 6, t2 / 2, t}};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) q(idx[i], idx[j]) += qd * m[i][j];
}
}  // namespace

Imm::Imm(const ImmParams& params, const StateVec& x0, const StateCov& p0) : params_(params) {
  for (int m = 0; m < kModels; ++m) {
    xm_[m] = x0;
    pm_[m] = p0;
    mu_[m] = params.initial_probability[m];
  }
  xm_[kCv].segment<3>(4).setZero();
  xm_[kCt].segment<2>(4).setZero();
  xm_[kCa][6] = 0;
  combine();
}

void Imm::predict_model(int m, double dt) {
  const double t = std::abs(dt);
  StateVec& x = xm_[m];
  StateCov& p = pm_[m];
  StateCov f = StateCov::Identity();
  StateCov q = StateCov::Zero();
  if (m == kCv) {
    f(0, 2) = f(1, 3) = dt;
    f(4, 4) = f(5, 5) = f(6, 6) = 0;
    const double qd = params_.cv_accel_sigma_mps2 * params_.cv_accel_sigma_mps2;
    add_cwna(q, 0, qd, t);
    add_cwna(q, 1, qd, t);
    q(4, 4) = q(5, 5) = 1e-4;
    q(6, 6) = 1e-8;
    x = f * x;
  } else if (m == kCt) {
    const double w = std::clamp(x[6], -params_.max_turn_rate, params_.max_turn_rate);
    const double vx = x[2], vy = x[3];
    const double s = std::sin(w * dt), c = std::cos(w * dt);
    double a, b, da, db;  // a = sin/w, b = (1-cos)/w and their derivatives in w
    if (std::abs(w) > 1e-6) {
      a = s / w;
      b = (1 - c) / w;
      da = (dt * c * w - s) / (w * w);
      db = (dt * s * w - (1 - c)) / (w * w);
    } else {
      a = dt;
      b = 0.5 * w * dt * dt;
      da = -w * dt * dt * dt / 3;
      db = 0.5 * dt * dt;
    }
    f(0, 2) = a;
    f(0, 3) = -b;
    f(1, 2) = b;
    f(1, 3) = a;
    f(2, 2) = c;
    f(2, 3) = -s;
    f(3, 2) = s;
    f(3, 3) = c;
    f(4, 4) = f(5, 5) = 0;
    StateVec xn = x;
    xn[0] = x[0] + a * vx - b * vy;
    xn[1] = x[1] + b * vx + a * vy;
    xn[2] = c * vx - s * vy;
    xn[3] = s * vx + c * vy;
    xn[4] = xn[5] = 0;
    xn[6] = w;
    // Jacobian column for omega.
    f(0, 6) = da * vx - db * vy;
    f(1, 6) = db * vx + da * vy;
    f(2, 6) = -dt * s * vx - dt * c * vy;
    f(3, 6) = dt * c * vx - dt * s * vy;
    const double qd = params_.ct_accel_sigma_mps2 * params_.ct_accel_sigma_mps2;
    add_cwna(q, 0, qd, t);
    add_cwna(q, 1, qd, t);
    q(4, 4) = q(5, 5) = 1e-4;
    q(6, 6) = params_.ct_turn_accel_sigma * params_.ct_turn_accel_sigma * t;
    x = xn;
  } else {
    f(0, 2) = f(1, 3) = dt;
    f(0, 4) = f(1, 5) = 0.5 * dt * dt;
    f(2, 4) = f(3, 5) = dt;
    f(6, 6) = 0;
    const double qd = params_.ca_jerk_sigma_mps3 * params_.ca_jerk_sigma_mps3;
    add_cwnj(q, 0, qd, t);
    add_cwnj(q, 1, qd, t);
    q(6, 6) = 1e-8;
    x = f * x;
  }
  p = f * p * f.transpose() + q;
}

void Imm::mix(double dt) {
  // Markov switching over dt from the models' mean sojourn times.
  std::array<std::array<double, kModels>, kModels> pi{};
  for (int i = 0; i < kModels; ++i) {
    const double stay = std::exp(-std::abs(dt) / params_.sojourn_s[i]);
    for (int j = 0; j < kModels; ++j) pi[i][j] = i == j ? stay : (1 - stay) / (kModels - 1);
  }
  std::array<double, kModels> c{};
  for (int j = 0; j < kModels; ++j) {
    for (int i = 0; i < kModels; ++i) c[j] += pi[i][j] * mu_[i];
    c[j] = std::max(c[j], 1e-12);
  }
  std::array<StateVec, kModels> x0;
  std::array<StateCov, kModels> p0;
  for (int j = 0; j < kModels; ++j) {
    x0[j].setZero();
    for (int i = 0; i < kModels; ++i) x0[j] += (pi[i][j] * mu_[i] / c[j]) * xm_[i];
    p0[j].setZero();
    for (int i = 0; i < kModels; ++i) {
      const StateVec d = xm_[i] - x0[j];
      p0[j] += (pi[i][j] * mu_[i] / c[j]) * (pm_[i] + d * d.transpose());
    }
  }
  double sum = 0;
  for (double v : c) sum += v;
  for (int j = 0; j < kModels; ++j) {
    xm_[j] = x0[j];
    pm_[j] = p0[j];
    mu_[j] = c[j] / sum;
  }
}

void Imm::sanitise(int m) {
  StateVec& x = xm_[m];
  StateCov& p = pm_[m];
  x[6] = std::clamp(x[6], -params_.max_turn_rate, params_.max_turn_rate);
  const double a = x.segment<2>(4).norm();
  if (a > params_.max_accel_mps2) x.segment<2>(4) *= params_.max_accel_mps2 / a;
  p = 0.5 * (p + p.transpose());
  Eigen::LLT<StateCov> llt(p);
  if (llt.info() != Eigen::Success) {
    ++faults_.repaired_covariance;
    for (int i = 0; i < kStateDim; ++i) p(i, i) = std::max(p(i, i), 0.0) + 1e-6;
    Eigen::LLT<StateCov> again(p);
    if (again.info() != Eigen::Success) {
      // Keep the variances only: always positive definite.
      const StateVec d = p.diagonal().cwiseMax(1e-6);
      p = d.asDiagonal();
    }
  }
}

void Imm::predict(double dt) {
  if (dt == 0) return;
  const auto saved_x = xm_;
  const auto saved_p = pm_;
  const auto saved_mu = mu_;
  mix(dt);
  for (int m = 0; m < kModels; ++m) {
    predict_model(m, dt);
    sanitise(m);
  }
  bool ok = true;
  for (int m = 0; m < kModels; ++m) ok = ok && finite(xm_[m], pm_[m]);
  if (!ok) {
    ++faults_.non_finite;
    xm_ = saved_x;
    pm_ = saved_p;
    mu_ = saved_mu;
  }
  combine();
}

void Imm::combine() {
  x_.setZero();
  for (int m = 0; m < kModels; ++m) x_ += mu_[m] * xm_[m];
  p_.setZero();
  for (int m = 0; m < kModels; ++m) {
    const StateVec d = xm_[m] - x_;
    p_ += mu_[m] * (pm_[m] + d * d.transpose());
  }
}

Innovation Imm::innovation(const Eigen::Vector2d& z, const Eigen::Matrix2d& r) const {
  Innovation out;
  const Eigen::Vector2d nu = z - x_.head<2>();
  const Eigen::Matrix2d s = p_.topLeftCorner<2, 2>() + r;
  Eigen::LLT<Eigen::Matrix2d> llt(s);
  if (llt.info() != Eigen::Success || !s.allFinite()) return out;
  out.nis = nu.dot(llt.solve(nu));
  const Eigen::Matrix2d l = llt.matrixL();
  out.log_det_s = 2 * (std::log(l(0, 0)) + std::log(l(1, 1)));
  out.ok = std::isfinite(out.nis);
  return out;
}

template <int M>
bool Imm::update_impl(const Eigen::Matrix<double, M, 1>& z, const Eigen::Matrix<double, M, M>& r) {
  using HMat = Eigen::Matrix<double, M, kStateDim>;
  HMat h = HMat::Zero();
  for (int i = 0; i < M; ++i) h(i, i) = 1;
  std::array<double, kModels> log_l{};
  std::array<bool, kModels> updated{};
  const auto saved_x = xm_;
  const auto saved_p = pm_;
  bool any = false;
  for (int m = 0; m < kModels; ++m) {
    const Eigen::Matrix<double, M, 1> nu = z - h * xm_[m];
    const Eigen::Matrix<double, M, M> s = h * pm_[m] * h.transpose() + r;
    Eigen::LLT<Eigen::Matrix<double, M, M>> llt(s);
    if (llt.info() != Eigen::Success || !s.allFinite()) {
      ++faults_.singular_innovation;
      continue;
    }
    const Eigen::Matrix<double, kStateDim, M> k =
        llt.solve(h * pm_[m]).transpose();  // P H' S^-1 (S and P symmetric)
    const Eigen::Matrix<double, M, M> l = llt.matrixL();
    double log_det = 0;
    for (int i = 0; i < M; ++i) log_det += 2 * std::log(l(i, i));
    log_l[m] = -0.5 * (nu.dot(llt.solve(nu)) + log_det + M * std::log(2 * std::numbers::pi));
    xm_[m] += k * nu;
    const StateCov ikh = StateCov::Identity() - k * h;
    pm_[m] = ikh * pm_[m] * ikh.transpose() + k * r * k.transpose();  // Joseph form
    sanitise(m);
    if (!finite(xm_[m], pm_[m]) || !std::isfinite(log_l[m])) {
      ++faults_.non_finite;
      xm_[m] = saved_x[m];
      pm_[m] = saved_p[m];
      continue;
    }
    updated[m] = true;
    any = true;
  }
  if (!any) {
    combine();
    return false;
  }
  double best = -std::numeric_limits<double>::infinity();
  for (int m = 0; m < kModels; ++m)
    if (updated[m]) best = std::max(best, log_l[m]);
  double sum = 0;
  std::array<double, kModels> w{};
  for (int m = 0; m < kModels; ++m) {
    w[m] = updated[m] ? mu_[m] * std::exp(log_l[m] - best) : 0.0;
    sum += w[m];
  }
  if (sum > 0 && std::isfinite(sum))
    for (int m = 0; m < kModels; ++m) mu_[m] = std::max(w[m] / sum, 1e-6);
  double norm = mu_[0] + mu_[1] + mu_[2];
  for (double& v : mu_) v /= norm;
  combine();
  return true;
}

bool Imm::update(const Eigen::Vector2d& z, const Eigen::Matrix2d& r) {
  return update_impl<2>(z, r);
}
bool Imm::update(const Eigen::Vector4d& z, const Eigen::Matrix4d& r) {
  return update_impl<4>(z, r);
}

// ---------------------------------------------------------------- vertical

VerticalFilter::VerticalFilter(const Params& params, double h, double var_h, double b, double var_b)
    : params_(params) {
  x_ << h, 0, b;
  p_.setZero();
  p_(0, 0) = var_h;
  p_(1, 1) = 25.0 * 25.0;  // up to ~5,000 ft/min unknown at start
  p_(2, 2) = var_b;
}

void VerticalFilter::predict(double dt) {
  const double t = std::abs(dt);
  Eigen::Matrix3d f = Eigen::Matrix3d::Identity();
  f(0, 1) = dt;
  const double qd = params_.accel_sigma_mps2 * params_.accel_sigma_mps2;
  Eigen::Matrix3d q = Eigen::Matrix3d::Zero();
  q(0, 0) = qd * t * t * t / 3;
  q(0, 1) = q(1, 0) = qd * t * t / 2;
  q(1, 1) = qd * t;
  q(2, 2) = params_.offset_walk_sigma * params_.offset_walk_sigma * t;
  const Eigen::Vector3d x = f * x_;
  const Eigen::Matrix3d p = f * p_ * f.transpose() + q;
  if (!x.allFinite() || !p.allFinite()) {
    ++faults_;
    return;
  }
  x_ = x;
  p_ = p;
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

bool VerticalFilter::update_row(const Eigen::RowVector3d& h, double z, double var) {
  const double s = h * p_ * h.transpose() + var;
  if (!(s > kTiny) || !std::isfinite(s)) {
    ++faults_;
    return false;
  }
  const Eigen::Vector3d k = p_ * h.transpose() / s;
  const double nu = z - h * x_;
  const Eigen::Vector3d x = x_ + k * nu;
  const Eigen::Matrix3d ikh = Eigen::Matrix3d::Identity() - k * h;
  Eigen::Matrix3d p = ikh * p_ * ikh.transpose() + k * var * k.transpose();
  p = 0.5 * (p + p.transpose());
  if (!x.allFinite() || !p.allFinite()) {
    ++faults_;
    return false;
  }
  x_ = x;
  p_ = p;
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
bool VerticalFilter::update_rate(double vh, double var) {
  return update_row(Eigen::RowVector3d(0, 1, 0), vh, var);
}

}  // namespace skyfuse::estimation
