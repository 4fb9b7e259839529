#include "estimation/imm.hpp"

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

namespace skyfuse::estimation {

namespace {
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

// Where model m's covariance lives in the packed array: the lower triangle of
// its moved states' block, row by row ((a, b), a >= b, at a (a + 1) / 2 + b).
// Its held states carry no covariance with the others and a fixed variance,
// so they take no storage.
constexpr std::array<int, kModels> kPackedOffset = {
    0, moved_count(0) * (moved_count(0) + 1) / 2,
    moved_count(0) * (moved_count(0) + 1) / 2 + moved_count(1) * (moved_count(1) + 1) / 2};
static_assert(kPackedOffset[2] + moved_count(2) * (moved_count(2) + 1) / 2 == kPackedCovSize);

// Position of each state among model m's moved ones (-1: held).
constexpr auto kLocal = [] {
  std::array<std::array<int, kStateDim>, kModels> out{};
  for (int m = 0; m < kModels; ++m) {
    int n = 0;
    for (int k = 0; k < kStateDim; ++k) out[m][k] = kHoldVar[m][k] == 0 ? n++ : -1;
  }
  return out;
}();

// Index of moved-state entry (a, b) of model M (either order).
template <int M>
constexpr int packed(int a, int b) {
  return a >= b ? kPackedOffset[M] + a * (a + 1) / 2 + b : kPackedOffset[M] + b * (b + 1) / 2 + a;
}

// Model M's covariance entry (r, c) over the full state.
template <int M>
double entry(const PackedCov& pk, int r, int c) {
  const int a = kLocal[M][r], b = kLocal[M][c];
  if (a >= 0 && b >= 0) return pk[packed<M>(a, b)];
  return r == c ? kHoldVar[M][r] : 0.0;
}

// All entries finite: v * 0 is 0 for a finite v and NaN for infinity and
// NaN, and a sum with a NaN is NaN.
bool finite(const std::array<StateVec, kModels>& x, const PackedCov& pk) {
  double bad = 0;
  for (const StateVec& v : x) bad += (v.array() * 0.0).sum();
  for (double v : pk) bad += v * 0;
  return bad == 0;
}

// Continuous white-noise acceleration (sigma [m/s^2] per sqrt(s)) over t
// seconds on the (position, velocity) pairs of both axes, on model M's
// packed block.
template <int M>
void add_white_acceleration(PackedCov& pk, double sigma, double t) {
  const double qd = sigma * sigma;
  for (int axis = 0; axis < 2; ++axis) {
    const int pi = axis, vi = axis + 2;
    pk[packed<M>(pi, pi)] += qd * t * t * t / 3;
    pk[packed<M>(vi, pi)] += qd * t * t / 2;
    pk[packed<M>(vi, vi)] += qd * t;
  }
}

// Cholesky factor of a small symmetric matrix (its lower triangle read through
// a(i, j), i >= j), loops with compile-time bounds (unrolled; Eigen's LLT
// dispatches to its dynamic-size triangular solver for a matrix right-hand
// side). `ok` is false unless the matrix is positive definite (also for NaN).
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

// Model M's moved block as a matrix for SmallCholesky.
template <int M>
struct Block {
  const PackedCov& pk;
  double operator()(int a, int b) const { return pk[packed<M>(a, b)]; }
};

template <int M>
bool block_positive_definite(const PackedCov& pk) {
  return SmallCholesky<moved_count(M)>(Block<M>{pk}).ok;
}

enum class UpdateResult { kSingular, kNonFinite, kNotPositiveDefinite, kOk };

// Model `Model`'s update by the first M states (position, or position and
// velocity: H selects, H P = the first M rows of P, S = P_MM + R = L L').
// With G = L^-1 H P and w = L^-1 nu: x += G' w, P -= G' G (= K S K'), NIS =
// w'w. Worked on the states the model moves: its held states carry no
// covariance with the others, hence those columns of G are zero and the
// update leaves them as they are. The new estimate is written only when
// finite; the Cholesky test of the new block follows (the caller repairs and
// counts).
template <int Model, int M>
UpdateResult update_moved(StateVec& x, PackedCov& pk, const Eigen::Matrix<double, M, 1>& z,
                          const Eigen::Matrix<double, M, M>& r, double& log_l) {
  constexpr auto mv = moved_states<Model>();
  constexpr int n = moved_count(Model);
  static_assert(n >= M && mv[M - 1] == M - 1, "the measured states are moved by every model");
  Eigen::Matrix<double, M, M> s;
#pragma GCC unroll 8
  for (int j = 0; j < M; ++j)
#pragma GCC unroll 8
    for (int i = 0; i < M; ++i) s(i, j) = pk[packed<Model>(i, j)] + r(i, j);
  const SmallCholesky<M> llt(s);
  if (!llt.ok || !s.allFinite()) return UpdateResult::kSingular;
  double g[M][n];
  double w[M];
#pragma GCC unroll 8
  for (int k = 0; k < M; ++k) {
#pragma GCC unroll 8
    for (int c = 0; c < n; ++c) g[k][c] = pk[packed<Model>(k, c)];
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
      double v = pk[packed<Model>(c, d)];
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
    for (int c = d; c < n; ++c) pk[packed<Model>(c, d)] = pn[c][d];
  struct Lower {
    const double (*v)[n];
    double operator()(int i, int j) const { return v[i][j]; }
  };
  return SmallCholesky<n>(Lower{pn}).ok ? UpdateResult::kOk : UpdateResult::kNotPositiveDefinite;
}

// Packs model M's moved block of a (symmetric) covariance.
template <int M>
void pack_block(const StateCov& p, PackedCov& pk) {
  constexpr auto mv = moved_states<M>();
  for (int a = 0; a < moved_count(M); ++a)
    for (int b = 0; b <= a; ++b) pk[packed<M>(a, b)] = p(mv[a], mv[b]);
}

template <int M>
StateCov expand_block(const PackedCov& pk) {
  StateCov p;
  for (int j = 0; j < kStateDim; ++j)
    for (int i = 0; i < kStateDim; ++i) p(i, j) = entry<M>(pk, i, j);
  return p;
}

}  // namespace

Imm::Imm(const ImmParams& params, const StateVec& x0, const StateCov& p0) : params_(params) {
  // Symmetrised; each model holds its held states at once (zero, with their
  // fixed variance) and keeps its moved block, which gets the full test.
  const StateCov p = 0.5 * (p0 + p0.transpose());
  for (int m = 0; m < kModels; ++m) {
    xm_[m] = x0;
    mu_[m] = params.initial_probability[m];
  }
  xm_[kCv].segment<3>(4).setZero();
  xm_[kCt].segment<2>(4).setZero();
  xm_[kCa][6] = 0;
  pack_block<kCv>(p, pk_);
  pack_block<kCt>(p, pk_);
  pack_block<kCa>(p, pk_);
  for (int m = 0; m < kModels; ++m) sanitise(m, Check::kFull);
  combine();
}

StateCov Imm::model_covariance(int m) const {
  return m == kCv   ? expand_block<kCv>(pk_)
         : m == kCt ? expand_block<kCt>(pk_)
                    : expand_block<kCa>(pk_);
}

// P <- F P F' + Q on the model's moved block, unpacked to a small dense
// matrix: F as row operations (F P) and then column operations ((F P) F'),
// F being sparse; the lower triangle is packed back.
template <int Mdl>
void Imm::predict_model(double dt) {
  constexpr int n = moved_count(Mdl);
  const double t = std::abs(dt);
  StateVec& x = xm_[Mdl];
  double p[n][n];
#pragma GCC unroll 8
  for (int a = 0; a < n; ++a)
#pragma GCC unroll 8
    for (int b = 0; b < n; ++b) p[a][b] = pk_[packed<Mdl>(a, b)];
  if constexpr (Mdl == kCv) {
    // States px, py, vx, vy; a and omega held at zero.
    for (int j = 0; j < 4; ++j) {
      p[0][j] += dt * p[2][j];
      p[1][j] += dt * p[3][j];
    }
    for (int i = 0; i < 4; ++i) {
      p[i][0] += dt * p[i][2];
      p[i][1] += dt * p[i][3];
    }
    x[0] += dt * x[2];
    x[1] += dt * x[3];
    x[4] = x[5] = x[6] = 0;
  } else if constexpr (Mdl == kCt) {
    // States px, py, vx, vy, omega (local 4; EKF: Jacobian column for omega);
    // a held at zero.
    constexpr int kW = 4;
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
#pragma GCC unroll 8
    for (int j = 0; j < n; ++j) {
      const double r2 = p[2][j], r3 = p[3][j], r6 = p[kW][j];
      p[0][j] += a * r2 - b * r3 + f06 * r6;
      p[1][j] += b * r2 + a * r3 + f16 * r6;
      p[2][j] = c * r2 - s * r3 + f26 * r6;
      p[3][j] = s * r2 + c * r3 + f36 * r6;
    }
#pragma GCC unroll 8
    for (int i = 0; i < n; ++i) {
      const double c2 = p[i][2], c3 = p[i][3], c6 = p[i][kW];
      p[i][0] += a * c2 - b * c3 + f06 * c6;
      p[i][1] += b * c2 + a * c3 + f16 * c6;
      p[i][2] = c * c2 - s * c3 + f26 * c6;
      p[i][3] = s * c2 + c * c3 + f36 * c6;
    }
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
      p[0][j] += dt * p[2][j] + h * p[4][j];
      p[1][j] += dt * p[3][j] + h * p[5][j];
      p[2][j] += dt * p[4][j];
      p[3][j] += dt * p[5][j];
    }
    for (int i = 0; i < 6; ++i) {
      p[i][0] += dt * p[i][2] + h * p[i][4];
      p[i][1] += dt * p[i][3] + h * p[i][5];
      p[i][2] += dt * p[i][4];
      p[i][3] += dt * p[i][5];
    }
    x[0] += dt * x[2] + h * x[4];
    x[1] += dt * x[3] + h * x[5];
    x[2] += dt * x[4];
    x[3] += dt * x[5];
    x[6] = 0;
  }
#pragma GCC unroll 8
  for (int a = 0; a < n; ++a)
#pragma GCC unroll 8
    for (int b = 0; b <= a; ++b) pk_[packed<Mdl>(a, b)] = p[a][b];
  if constexpr (Mdl == kCv) {
    add_white_acceleration<kCv>(pk_, params_.cv_accel_sigma_mps2, t);
  } else if constexpr (Mdl == kCt) {
    add_white_acceleration<kCt>(pk_, params_.ct_accel_sigma_mps2, t);
    pk_[packed<kCt>(4, 4)] += params_.ct_turn_accel_sigma * params_.ct_turn_accel_sigma * t;
  } else {
    const double qd = params_.ca_jerk_sigma_mps3 * params_.ca_jerk_sigma_mps3;
    const double t2 = t * t, t3 = t2 * t, t4 = t3 * t, t5 = t4 * t;
    const double mq[3][3] = {
        {t5 / 20, t4 / 8, t3 / 6}, {t4 / 8, t3 / 3, t2 / 2}, {t3 / 6, t2 / 2, t}};
    for (int axis = 0; axis < 2; ++axis)
      for (int i = 0; i < 3; ++i)
        for (int j = 0; j <= i; ++j) pk_[packed<kCa>(axis + 2 * i, axis + 2 * j)] += qd * mq[i][j];
  }
}

namespace {

// Model M's mixed initial state and covariance on the states it moves:
// x0 = xbar + f and P0 = sum_i w_i (P_i + e_i e_i') - f f' (see Imm::mix).
// Its held states need nothing: they are held.
template <int M>
void mix_into(const PackedCov& p_in, const std::array<StateVec, kModels>& e, const StateVec& xbar,
              const std::array<double, kModels>& w, StateVec& x_out, PackedCov& p_out) {
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
      q += w[0] * (entry<0>(p_in, ra, rb) + e[0][ra] * e[0][rb]);
      q += w[1] * (entry<1>(p_in, ra, rb) + e[1][ra] * e[1][rb]);
      q += w[2] * (entry<2>(p_in, ra, rb) + e[2][ra] * e[2][rb]);
      q -= f[a] * f[b];
      p_out[packed<M>(a, b)] = q;
    }
#pragma GCC unroll 8
  for (int a = 0; a < n; ++a) x_out[moved[a]] = xbar[moved[a]] + f[a];
}

}  // namespace

void Imm::mix(double dt, const PackedCov& p_in) {
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
  // model j moves are mixed: it holds the rest.
  StateVec xbar = StateVec::Zero();
  for (int i = 0; i < kModels; ++i) xbar += mu_[i] * xm_[i];
  std::array<StateVec, kModels> e;
  for (int i = 0; i < kModels; ++i) e[i] = xm_[i] - xbar;
  std::array<std::array<double, kModels>, kModels> w{};  // w[j][i]
  for (int j = 0; j < kModels; ++j)
    for (int i = 0; i < kModels; ++i) w[j][i] = pi[i][j] * mu_[i] / c[j];
  mix_into<kCv>(p_in, e, xbar, w[kCv], xm_[kCv], pk_);
  mix_into<kCt>(p_in, e, xbar, w[kCt], xm_[kCt], pk_);
  mix_into<kCa>(p_in, e, xbar, w[kCa], xm_[kCa], pk_);
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
  const int n = m == kCv ? moved_count(kCv) : m == kCt ? moved_count(kCt) : moved_count(kCa);
  const int off = kPackedOffset[m];
  auto diag = [&](int a) -> double& { return pk_[off + a * (a + 1) / 2 + a]; };
  auto block_pd = [&] {
    return m == kCv   ? block_positive_definite<kCv>(pk_)
           : m == kCt ? block_positive_definite<kCt>(pk_)
                      : block_positive_definite<kCa>(pk_);
  };
  if (check == Check::kVariances) {
    // After a prediction P = F P F' + Q with Q positive definite on the moved
    // block, so a positive-definite block stays so: the variances are checked
    // (the held ones are fixed and positive).
    bool pd = true;
    for (int a = 0; a < n; ++a) pd = pd && diag(a) > 0;
    if (pd) return;
  }
  // The full (Cholesky) test. (A prediction reaches here only with a
  // non-positive variance; kRepair: an update's test failed.)
  const bool pd = check == Check::kFull && block_pd();
  if (!pd) {
    ++faults_.repaired_covariance;
    for (int a = 0; a < n; ++a) diag(a) = std::max(diag(a), 0.0) + 1e-6;
    if (!block_pd()) {
      // Keep the variances only: always positive definite.
      for (int a = 0; a < n; ++a)
        for (int b = 0; b < a; ++b) pk_[off + a * (a + 1) / 2 + b] = 0;
      for (int a = 0; a < n; ++a) diag(a) = std::max(diag(a), 1e-6);
    }
  }
}

void Imm::predict(double dt) {
  if (dt == 0) return;
  const auto saved_x = xm_;
  const PackedCov saved_p = pk_;
  const auto saved_mu = mu_;
  mix(dt, saved_p);  // reads the saved copy, writes pk_
  predict_model<kCv>(dt);
  predict_model<kCt>(dt);
  predict_model<kCa>(dt);
  for (int m = 0; m < kModels; ++m) sanitise(m, Check::kVariances);
  if (!finite(xm_, pk_)) {
    ++faults_.non_finite;
    xm_ = saved_x;
    pk_ = saved_p;
    mu_ = saved_mu;
  }
  combined_ = false;  // combined on first use (an update usually follows)
}

// x = sum mu_m x_m, P = sum mu_m (P_m + d d'), d = x_m - x: the lower
// triangle.
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
      v += mu_[0] * (entry<0>(pk_, i, j) + d[0][i] * d[0][j]);
      v += mu_[1] * (entry<1>(pk_, i, j) + d[1][i] * d[1][j]);
      v += mu_[2] * (entry<2>(pk_, i, j) + d[2][i] * d[2][j]);
      pc_[i * (i + 1) / 2 + j] = v;
    }
}

StateCov Imm::covariance() const {
  StateCov p;
  for (int j = 0; j < kStateDim; ++j)
    for (int i = 0; i < kStateDim; ++i) p(i, j) = covariance(i, j);
  return p;
}

Innovation Imm::innovation(const Eigen::Vector2d& z, const Eigen::Matrix2d& r) const {
  Innovation out;
  const Eigen::Vector2d nu = z - state().head<2>();
  Eigen::Matrix2d s;
  s << covariance(0, 0) + r(0, 0), covariance(0, 1) + r(0, 1), covariance(1, 0) + r(1, 0),
      covariance(1, 1) + r(1, 1);
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
    const UpdateResult res = m == kCv   ? update_moved<kCv, M>(xm_[m], pk_, z, r, log_l[m])
                             : m == kCt ? update_moved<kCt, M>(xm_[m], pk_, z, r, log_l[m])
                                        : update_moved<kCa, M>(xm_[m], pk_, z, r, log_l[m]);
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

// ---------------------------------------------------------------- shift

void Imm::shift_position(const Eigen::Vector2d& d) {
  if (!d.allFinite()) return;
  for (StateVec& x : xm_) x.head<2>() += d;
  combined_ = false;
}

}  // namespace skyfuse::estimation
