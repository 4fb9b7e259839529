#include "estimation/imm.hpp"

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "core/assert.hpp"

namespace skyfuse::estimation {

namespace {
constexpr double kTiny = 1e-9;

// All entries finite: v * 0 is 0 for a finite v and NaN for infinity and
// NaN, and a sum with a NaN is NaN. Eigen's sum runs over packets (the
// comparison-per-entry form costs about six instructions an entry).
bool finite(const StateVec& x, const StateCov& p) {
  return (x.array() * 0.0).sum() == 0 && (p.array() * 0.0).sum() == 0;
}

// The 21 pairs of off-diagonal entries (lower, upper) of a state
// covariance, as offsets into its column-major data (a loop with a
// triangular bound is not unrolled).
constexpr auto kPairs = [] {
  std::array<std::array<int, 2>, kStateDim*(kStateDim - 1) / 2> out{};
  int n = 0;
  for (int j = 0; j < kStateDim; ++j)
    for (int i = j + 1; i < kStateDim; ++i) out[n++] = {i + j * kStateDim, j + i * kStateDim};
  return out;
}();

// Upper triangle <- lower triangle.
void mirror_lower(StateCov& p) {
  double* d = p.data();
#pragma GCC unroll 21
  for (const auto& [lo, up] : kPairs) d[up] = d[lo];
}

// P <- (P + P') / 2.
void symmetrise(StateCov& p) {
  double* d = p.data();
  for (const auto& [lo, up] : kPairs) {
    const double v = 0.5 * (d[lo] + d[up]);
    d[lo] = v;
    d[up] = v;
  }
}

}  // namespace

namespace {

// Continuous white-noise acceleration (sigma [m/s^2] per sqrt(s)) over t
// seconds on the (position, velocity) pairs of both axes.
void add_white_acceleration(StateCov& p, double sigma, double t) {
  const double qd = sigma * sigma;
  for (int axis = 0; axis < 2; ++axis) {
    const int pi = axis, vi = axis + 2;
    p(pi, pi) += qd * t * t * t / 3;
    p(pi, vi) += qd * t * t / 2;
    p(vi, pi) += qd * t * t / 2;
    p(vi, vi) += qd * t;
  }
}

// The states each model holds at zero and the small variance it keeps there
// (positive, so P stays positive definite); 0 marks a state the model moves.
// CV holds a and omega, CT holds a, CA holds omega.
constexpr std::array<std::array<double, kStateDim>, kModels> kHoldVar = {{
    {0, 0, 0, 0, 1e-4, 1e-4, 1e-8},
    {0, 0, 0, 0, 1e-4, 1e-4, 0},
    {0, 0, 0, 0, 0, 0, 1e-8},
}};

constexpr int moved_count(int m) {
  int n = 0;
  for (double v : kHoldVar[m]) n += v == 0 ? 1 : 0;
  return n;
}

template <int M>
constexpr std::array<int, moved_count(M)> moved_states() {
  std::array<int, moved_count(M)> out{};
  int n = 0;
  for (int k = 0; k < kStateDim; ++k)
    if (kHoldVar[M][k] == 0) out[n++] = k;
  return out;
}

// Zeroes the rows and columns of the states model m holds and gives them
// their variance.
void hold_states(StateCov& p, int m) {
  for (int k = 0; k < kStateDim; ++k) {
    if (kHoldVar[m][k] == 0) continue;
    p.row(k).setZero();
    p.col(k).setZero();
    p(k, k) = kHoldVar[m][k];
  }
}

// Cholesky factor of a small symmetric matrix, loops with compile-time bounds
// (unrolled; Eigen's LLT dispatches to its dynamic-size triangular solver for
// a matrix right-hand side). `ok` is false unless the matrix is positive
// definite (also for NaN).
template <int N>
struct SmallCholesky {
  double l[N][N] = {};
  double inv_diag[N] = {};
  double det = 1;  // product of the pivots l_jj^2
  bool ok = false;

  template <class Mat>
  explicit SmallCholesky(const Mat& a) {
#pragma GCC unroll 8
    for (int j = 0; j < N; ++j) {
      double d = a(j, j);
#pragma GCC unroll 8
      for (int k = 0; k < j; ++k) d -= l[j][k] * l[j][k];
      if (!(d > 0)) return;
      det *= d;
      l[j][j] = std::sqrt(d);
      inv_diag[j] = 1.0 / l[j][j];
#pragma GCC unroll 8
      for (int i = j + 1; i < N; ++i) {
        double s = a(i, j);
#pragma GCC unroll 8
        for (int k = 0; k < j; ++k) s -= l[i][k] * l[j][k];
        l[i][j] = s * inv_diag[j];
      }
    }
    ok = true;
  }

  // One logarithm of the pivots' product unless it leaves the normal range.
  double log_det() const {
    if (det > std::numeric_limits<double>::min() && det < std::numeric_limits<double>::max())
      return std::log(det);
    double v = 0;
#pragma GCC unroll 8
    for (int i = 0; i < N; ++i) v += 2 * std::log(l[i][i]);
    return v;
  }
};

bool positive_definite(const StateCov& p) { return SmallCholesky<kStateDim>(p).ok; }

// Whether model m's held states have no covariance with the others (every
// prediction leaves P so; an initial covariance may not).
bool held_decoupled(const StateCov& p, int m) {
  for (int k = 0; k < kStateDim; ++k) {
    if (kHoldVar[m][k] == 0) continue;
    for (int j = 0; j < kStateDim; ++j)
      if (j != k && (p(k, j) != 0 || p(j, k) != 0)) return false;
  }
  return true;
}

// The same test for model M when its held states are decoupled: the Cholesky
// test on the moved states plus positive held variances. Falls back to the
// full test otherwise.
template <int M>
bool model_positive_definite(const StateCov& p) {
  if (!held_decoupled(p, M)) return positive_definite(p);
  for (int k = 0; k < kStateDim; ++k)
    if (kHoldVar[M][k] != 0 && !(p(k, k) > 0)) return false;
  constexpr auto moved = moved_states<M>();
  constexpr int n = moved_count(M);
  Eigen::Matrix<double, n, n> a;
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i) a(i, j) = p(moved[i], moved[j]);
  return SmallCholesky<n>(a).ok;
}

enum class UpdateResult { kSingular, kNonFinite, kNotPositiveDefinite, kOk };

// Model `Model`'s update by the first M states (position, or position and
// velocity: H selects, H P = the first M rows of P, S = P_MM + R = L L').
// With G = L^-1 H P and w = L^-1 nu: x += G' w, P -= G' G (= K S K'), NIS =
// w'w. Worked on the states the model moves only: its held rows and columns
// of P are zero off the diagonal (every prediction leaves them so), hence
// so are those columns of G, and the update leaves them as they are. The new
// estimate is written only when finite; the Cholesky test of the new moved
// block follows (the caller repairs and counts).
template <int Model, int M>
UpdateResult update_moved(StateVec& x, StateCov& p, const Eigen::Matrix<double, M, 1>& z,
                          const Eigen::Matrix<double, M, M>& r, double& log_l) {
  constexpr auto mv = moved_states<Model>();
  constexpr int n = moved_count(Model);
  static_assert(n >= M && mv[M - 1] == M - 1, "the measured states are moved by every model");
  SKYFUSE_ASSERT(held_decoupled(p, Model), "IMM: a held state is coupled at an update");
  Eigen::Matrix<double, M, M> s;
#pragma GCC unroll 8
  for (int j = 0; j < M; ++j)
#pragma GCC unroll 8
    for (int i = 0; i < M; ++i) s(i, j) = p(i, j) + r(i, j);
  const SmallCholesky<M> llt(s);
  if (!llt.ok || !s.allFinite()) return UpdateResult::kSingular;
  double g[M][n];
  double w[M];
#pragma GCC unroll 8
  for (int k = 0; k < M; ++k) {
#pragma GCC unroll 8
    for (int c = 0; c < n; ++c) g[k][c] = p(k, mv[c]);
    w[k] = z[k] - x[k];
  }
#pragma GCC unroll 8
  for (int i = 0; i < M; ++i) {
#pragma GCC unroll 8
    for (int k = 0; k < i; ++k) {
#pragma GCC unroll 8
      for (int c = 0; c < n; ++c) g[i][c] -= llt.l[i][k] * g[k][c];
      w[i] -= llt.l[i][k] * w[k];
    }
#pragma GCC unroll 8
    for (int c = 0; c < n; ++c) g[i][c] *= llt.inv_diag[i];
    w[i] *= llt.inv_diag[i];
  }
  double nis = 0;
#pragma GCC unroll 8
  for (int k = 0; k < M; ++k) nis += w[k] * w[k];
  log_l = -0.5 * (nis + llt.log_det() + M * std::log(2 * std::numbers::pi));
  double xn[n];
  double pn[n][n];
  double bad = log_l * 0;  // NaN once any input is not finite
#pragma GCC unroll 8
  for (int c = 0; c < n; ++c) {
    double v = x[mv[c]];
#pragma GCC unroll 8
    for (int k = 0; k < M; ++k) v += g[k][c] * w[k];
    xn[c] = v;
    bad += v * 0;
  }
#pragma GCC unroll 8
  for (int d = 0; d < n; ++d)
#pragma GCC unroll 8
    for (int c = d; c < n; ++c) {
      double v = p(mv[c], mv[d]);
#pragma GCC unroll 8
      for (int k = 0; k < M; ++k) v -= g[k][c] * g[k][d];
      pn[c][d] = v;
      bad += v * 0;
    }
  if (!(bad == 0)) return UpdateResult::kNonFinite;
#pragma GCC unroll 8
  for (int c = 0; c < n; ++c) x[mv[c]] = xn[c];
#pragma GCC unroll 8
  for (int d = 0; d < n; ++d)
#pragma GCC unroll 8
    for (int c = d; c < n; ++c) {
      p(mv[c], mv[d]) = pn[c][d];
      p(mv[d], mv[c]) = pn[c][d];
    }
  struct Lower {
    const double (*v)[n];
    double operator()(int i, int j) const { return v[i][j]; }
  };
  return SmallCholesky<n>(Lower{pn}).ok ? UpdateResult::kOk : UpdateResult::kNotPositiveDefinite;
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
  // The initial covariance is symmetrised and gets the full test
  // (predictions rely on it).
  for (int m = 0; m < kModels; ++m) {
    symmetrise(pm_[m]);
    sanitise(m, Check::kFull);
    decoupled_[m] = held_decoupled(pm_[m], m);
  }
  combine();
}

// P <- F P F' + Q, with F applied as row operations (F P) and then column
// operations ((F P) F') on the states the model moves: F is sparse, and the
// dense 7x7 product would spend most of its work multiplying zeros.
void Imm::predict_model(int m, double dt) {
  const double t = std::abs(dt);
  StateVec& x = xm_[m];
  StateCov& p = pm_[m];
  if (m == kCv) {
    // States px, py, vx, vy; a and omega held at zero.
    for (int j = 0; j < 4; ++j) {
      p(0, j) += dt * p(2, j);
      p(1, j) += dt * p(3, j);
    }
    for (int i = 0; i < 4; ++i) {
      p(i, 0) += dt * p(i, 2);
      p(i, 1) += dt * p(i, 3);
    }
    hold_states(p, kCv);
    add_white_acceleration(p, params_.cv_accel_sigma_mps2, t);
    x[0] += dt * x[2];
    x[1] += dt * x[3];
    x[4] = x[5] = x[6] = 0;
  } else if (m == kCt) {
    // States px, py, vx, vy, omega (EKF: Jacobian column for omega); a held at zero.
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
    // Jacobian column for omega.
    const double f06 = da * vx - db * vy, f16 = db * vx + da * vy;
    const double f26 = -dt * s * vx - dt * c * vy, f36 = dt * c * vx - dt * s * vy;
    constexpr auto kAct = moved_states<kCt>();
    for (int j : kAct) {
      const double r2 = p(2, j), r3 = p(3, j), r6 = p(6, j);
      p(0, j) += a * r2 - b * r3 + f06 * r6;
      p(1, j) += b * r2 + a * r3 + f16 * r6;
      p(2, j) = c * r2 - s * r3 + f26 * r6;
      p(3, j) = s * r2 + c * r3 + f36 * r6;
    }
    for (int i : kAct) {
      const double c2 = p(i, 2), c3 = p(i, 3), c6 = p(i, 6);
      p(i, 0) += a * c2 - b * c3 + f06 * c6;
      p(i, 1) += b * c2 + a * c3 + f16 * c6;
      p(i, 2) = c * c2 - s * c3 + f26 * c6;
      p(i, 3) = s * c2 + c * c3 + f36 * c6;
    }
    hold_states(p, kCt);
    add_white_acceleration(p, params_.ct_accel_sigma_mps2, t);
    p(6, 6) += params_.ct_turn_accel_sigma * params_.ct_turn_accel_sigma * t;
    x[0] += a * vx - b * vy;
    x[1] += b * vx + a * vy;
    x[2] = c * vx - s * vy;
    x[3] = s * vx + c * vy;
    x[4] = x[5] = 0;
    x[6] = w;
  } else {
    // States px, py, vx, vy, ax, ay (white jerk); omega held at zero.
    const double h = 0.5 * dt * dt;
    for (int j = 0; j < 6; ++j) {
      p(0, j) += dt * p(2, j) + h * p(4, j);
      p(1, j) += dt * p(3, j) + h * p(5, j);
      p(2, j) += dt * p(4, j);
      p(3, j) += dt * p(5, j);
    }
    for (int i = 0; i < 6; ++i) {
      p(i, 0) += dt * p(i, 2) + h * p(i, 4);
      p(i, 1) += dt * p(i, 3) + h * p(i, 5);
      p(i, 2) += dt * p(i, 4);
      p(i, 3) += dt * p(i, 5);
    }
    hold_states(p, kCa);
    const double qd = params_.ca_jerk_sigma_mps3 * params_.ca_jerk_sigma_mps3;
    const double t2 = t * t, t3 = t2 * t, t4 = t3 * t, t5 = t4 * t;
    const double mq[3][3] = {
        {t5 / 20, t4 / 8, t3 / 6}, {t4 / 8, t3 / 3, t2 / 2}, {t3 / 6, t2 / 2, t}};
    for (int axis = 0; axis < 2; ++axis)
      for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) p(axis + 2 * i, axis + 2 * j) += qd * mq[i][j];
    x[0] += dt * x[2] + h * x[4];
    x[1] += dt * x[3] + h * x[5];
    x[2] += dt * x[4];
    x[3] += dt * x[5];
    x[6] = 0;
  }
}

namespace {

// Model M's mixed initial state and covariance on the states it moves:
// x0 = xbar + f and P0 = sum_i w_i (P_i + e_i e_i') - f f' (see Imm::mix).
// Its held rows and columns are left as they are: the prediction that follows
// zeroes them (hold_states) and never reads them before.
template <int M>
void mix_into(const std::array<StateCov, kModels>& p_in, const std::array<StateVec, kModels>& e,
              const StateVec& xbar, const std::array<double, kModels>& w, StateVec& x_out,
              StateCov& p_out) {
  constexpr auto moved = moved_states<M>();
  constexpr int n = moved_count(M);
  double f[n];
#pragma GCC unroll 8
  for (int a = 0; a < n; ++a) {
    double v = 0;
#pragma GCC unroll 8
    for (int i = 0; i < kModels; ++i) v += w[i] * e[i][moved[a]];
    f[a] = v;
  }
#pragma GCC unroll 8
  for (int b = 0; b < n; ++b)
#pragma GCC unroll 8
    for (int a = b; a < n; ++a) {
      const int ra = moved[a], rb = moved[b];
      double q = 0;
#pragma GCC unroll 8
      for (int i = 0; i < kModels; ++i) q += w[i] * (p_in[i](ra, rb) + e[i][ra] * e[i][rb]);
      q -= f[a] * f[b];
      p_out(ra, rb) = q;
      p_out(rb, ra) = q;
    }
#pragma GCC unroll 8
  for (int a = 0; a < n; ++a) x_out[moved[a]] = xbar[moved[a]] + f[a];
}

}  // namespace

void Imm::mix(double dt, const std::array<StateCov, kModels>& p_in) {
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
  // Second moments about the combined mean xbar: S_i = P_i + e_i e_i',
  // e_i = x_i - xbar. Then with weights w_ij = pi_ij mu_i / c_j and
  // f_j = sum_i w_ij e_i: x0_j = xbar + f_j, P0_j = sum_i w_ij S_i - f_j f_j'
  // (the same as sum_i w_ij (P_i + d d'), d = x_i - x0_j, in fewer products;
  // centring keeps the subtraction free of cancellation). Only the states
  // model j moves are mixed (the lower triangle, mirrored): its prediction
  // overwrites the rest.
  StateVec xbar = StateVec::Zero();
  for (int i = 0; i < kModels; ++i) xbar += mu_[i] * xm_[i];
  std::array<StateVec, kModels> e;
  for (int i = 0; i < kModels; ++i) e[i] = xm_[i] - xbar;
  std::array<std::array<double, kModels>, kModels> w{};  // w[j][i]
  for (int j = 0; j < kModels; ++j)
    for (int i = 0; i < kModels; ++i) w[j][i] = pi[i][j] * mu_[i] / c[j];
  mix_into<kCv>(p_in, e, xbar, w[kCv], xm_[kCv], pm_[kCv]);
  mix_into<kCt>(p_in, e, xbar, w[kCt], xm_[kCt], pm_[kCt]);
  mix_into<kCa>(p_in, e, xbar, w[kCa], xm_[kCa], pm_[kCa]);
  double sum = 0;
  for (double v : c) sum += v;
  for (int j = 0; j < kModels; ++j) mu_[j] = c[j] / sum;
}

void Imm::clamp_state(int m) {
  StateVec& x = xm_[m];
  x[6] = std::clamp(x[6], -params_.max_turn_rate, params_.max_turn_rate);
  const double a = x.segment<2>(4).norm();
  if (a > params_.max_accel_mps2) x.segment<2>(4) *= params_.max_accel_mps2 / a;
}

void Imm::sanitise(int m, Check check) {
  clamp_state(m);
  if (check == Check::kClampOnly) return;
  StateCov& p = pm_[m];
  if (check == Check::kVariances) {
    // After a prediction P = F P F' + Q with Q positive definite on the states
    // the model moves and on its held ones, so a positive-definite P stays so
    // (and symmetric to rounding; the next update keeps its lower triangle):
    // the variances are checked.
    bool pd = true;
    for (int i = 0; i < kStateDim; ++i) pd = pd && p(i, i) > 0;
    if (pd) return;
  }
  // The full (Cholesky) test. (A prediction reaches here only with a
  // non-positive variance; kRepair: an update's test failed.)
  const bool pd = check == Check::kFull && (m == kCv   ? model_positive_definite<kCv>(p)
                                            : m == kCt ? model_positive_definite<kCt>(p)
                                                       : model_positive_definite<kCa>(p));
  if (!pd) {
    ++faults_.repaired_covariance;
    mirror_lower(p);
    for (int i = 0; i < kStateDim; ++i) p(i, i) = std::max(p(i, i), 0.0) + 1e-6;
    if (!positive_definite(p)) {
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
  const auto saved_decoupled = decoupled_;
  mix(dt, saved_p);  // reads the saved copy, writes pm_
  for (int m = 0; m < kModels; ++m) {
    predict_model(m, dt);  // holds the held states
    decoupled_[m] = true;
    sanitise(m, Check::kVariances);
  }
  bool ok = true;
  for (int m = 0; m < kModels; ++m) ok = ok && finite(xm_[m], pm_[m]);
  if (!ok) {
    ++faults_.non_finite;
    xm_ = saved_x;
    pm_ = saved_p;
    mu_ = saved_mu;
    decoupled_ = saved_decoupled;
  }
  combined_ = false;  // combined on first use (an update usually follows)
}

// x = sum mu_m x_m, P = sum mu_m (P_m + d d'), d = x_m - x: the lower
// triangle (each model's P is symmetric), mirrored.
void Imm::combine() const {
  combined_ = true;
  x_.setZero();
  for (int m = 0; m < kModels; ++m) x_ += mu_[m] * xm_[m];
  std::array<StateVec, kModels> d;
  for (int m = 0; m < kModels; ++m) d[m] = xm_[m] - x_;
#pragma GCC unroll 8
  for (int j = 0; j < kStateDim; ++j)
#pragma GCC unroll 8
    for (int i = j; i < kStateDim; ++i) {
      double v = 0;
      for (int m = 0; m < kModels; ++m) v += mu_[m] * (pm_[m](i, j) + d[m][i] * d[m][j]);
      p_(i, j) = v;
    }
  mirror_lower(p_);
}

Innovation Imm::innovation(const Eigen::Vector2d& z, const Eigen::Matrix2d& r) const {
  Innovation out;
  const Eigen::Vector2d nu = z - state().head<2>();
  const Eigen::Matrix2d s = covariance().topLeftCorner<2, 2>() + r;
  Eigen::LLT<Eigen::Matrix2d> llt(s);
  if (llt.info() != Eigen::Success || !s.allFinite()) return out;
  out.nis = nu.dot(llt.solve(nu));
  const Eigen::Matrix2d l = llt.matrixL();
  out.log_det_s = 2 * (std::log(l(0, 0)) + std::log(l(1, 1)));
  out.ok = std::isfinite(out.nis);
  return out;
}

// Each model by update_moved(); a model whose update fails keeps its
// prediction and is left out of the probability update.
template <int M>
bool Imm::update_impl(const Eigen::Matrix<double, M, 1>& z, const Eigen::Matrix<double, M, M>& r) {
  std::array<double, kModels> log_l{};
  std::array<bool, kModels> updated{};
  bool any = false;
  for (int m = 0; m < kModels; ++m) {
    if (!decoupled_[m]) {  // an initial covariance, not yet predicted
      hold_states(pm_[m], m);
      decoupled_[m] = true;
    }
    const UpdateResult res = m == kCv   ? update_moved<kCv, M>(xm_[m], pm_[m], z, r, log_l[m])
                             : m == kCt ? update_moved<kCt, M>(xm_[m], pm_[m], z, r, log_l[m])
                                        : update_moved<kCa, M>(xm_[m], pm_[m], z, r, log_l[m]);
    if (res == UpdateResult::kSingular) {
      ++faults_.singular_innovation;
      continue;
    }
    if (res == UpdateResult::kNonFinite) {
      ++faults_.non_finite;
      continue;
    }
    sanitise(m, res == UpdateResult::kOk ? Check::kClampOnly : Check::kRepair);
    updated[m] = true;
    any = true;
  }
  if (!any) {
    combined_ = false;
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
  combined_ = false;
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
bool VerticalFilter::update_rate(double vh, double var) {
  return update_row(Eigen::RowVector3d(0, 1, 0), vh, var);
}

}  // namespace skyfuse::estimation
