// File: estimation/imm.hpp
//
// Horizontal interacting multiple model filter on the tracking plane. One
// 7-element state for every model, x = [px, py, vx, vy, ax, ay, omega]
// (m, m/s, m/s^2, rad/s counter-clockwise), so mixing needs no padding:
//   CV  constant velocity: a and omega are held at zero,
//   CT  coordinated turn with unknown rate (extended Kalman filter on omega),
//   CA  constant (white-jerk) acceleration.
// Measurements are linear on the plane: position, or position and velocity.
// Polar radar plots are converted by the caller with their covariance
// (converted-measurement filter); the conversion error at radar accuracies is
// far below the noise (docs/design.md).
//
// Numerical faults (a covariance that is not positive definite, a singular
// innovation, a non-finite value) are repaired and counted in `faults`, never
// propagated: the state falls back to the last finite estimate, the covariance
// to a symmetric positive-definite one.
//
//   Imm f(ImmParams{}, x0, P0);
//   f.predict(4.0);
//   double nis = f.innovation(z, R).nis;   // gate
//   f.update(z, R);
#pragma once

#include <Eigen/Core>
#include <array>
#include <cstdint>

namespace skyfuse::estimation {

inline constexpr int kStateDim = 7;
inline constexpr int kModels = 3;
using StateVec = Eigen::Matrix<double, kStateDim, 1>;
using StateCov = Eigen::Matrix<double, kStateDim, kStateDim>;
// The three models' covariances, packed: each model's held states carry no
// covariance and a fixed variance, so only the lower triangle of its moved
// states' block is stored (CV 4 states, CT 5, CA 6: 10 + 15 + 21 entries).
inline constexpr int kPackedCovSize = 46;
using PackedCov = std::array<double, kPackedCovSize>;

enum Model : int { kCv = 0, kCt = 1, kCa = 2 };

struct ImmParams {
  double cv_accel_sigma_mps2 = 0.2;                   // CV white-acceleration noise
  double ct_accel_sigma_mps2 = 0.5;                   // CT white-acceleration noise
  double ct_turn_accel_sigma = 0.02;                  // CT turn-rate noise [rad/s per sqrt(s)]
  double ca_jerk_sigma_mps3 = 0.3;                    // CA white-jerk noise
  std::array<double, kModels> sojourn_s{90, 25, 15};  // mean time in each model
  std::array<double, kModels> initial_probability{0.8, 0.1, 0.1};
  double max_turn_rate = 0.35;  // |omega| clamp [rad/s] (20 deg/s)
  double max_accel_mps2 = 100;  // |a| clamp (10 g)
};

struct Innovation {
  double nis = 0;        // normalised innovation squared (Mahalanobis distance^2)
  double log_det_s = 0;  // log |S|
  bool ok = false;       // S was positive definite
};

struct FaultCounts {
  std::uint64_t repaired_covariance = 0;  // not PD: symmetrised and regularised
  std::uint64_t singular_innovation = 0;  // S not PD: update skipped
  std::uint64_t non_finite = 0;           // NaN/inf after a step: rolled back
};

class Imm {
 public:
  Imm() = default;
  Imm(const ImmParams& params, const StateVec& x0, const StateCov& p0);

  // Predicts every model dt seconds ahead (dt may be negative for a small
  // out-of-sequence step; the process noise uses |dt|).
  void predict(double dt);

  // Innovation of the combined estimate for a position (2) or position and
  // velocity (4) measurement; for gating and association costs.
  Innovation innovation(const Eigen::Vector2d& z, const Eigen::Matrix2d& r) const;

  // Updates every model and the model probabilities. Returns false (and
  // counts a fault) when no model could be updated.
  bool update(const Eigen::Vector2d& z, const Eigen::Matrix2d& r);
  bool update(const Eigen::Vector4d& z, const Eigen::Matrix4d& r);

  const StateVec& state() const {
    if (!combined_) combine();
    return x_;
  }
  StateCov covariance() const;
  // One entry of the combined covariance (no copy of the matrix).
  double covariance(int i, int j) const {
    if (!combined_) combine();
    return i >= j ? pc_[i * (i + 1) / 2 + j] : pc_[j * (j + 1) / 2 + i];
  }
  const std::array<double, kModels>& probabilities() const { return mu_; }
  // One model's own (model-conditioned) estimate.
  const StateVec& model_state(int m) const { return xm_[m]; }
  StateCov model_covariance(int m) const;  // held states: zero covariance, fixed variance
  const FaultCounts& faults() const { return faults_; }
  // Moves every model's position by `d` (a track placed at a wrong height,
  // re-projected once its height is known).
  void shift_position(const Eigen::Vector2d& d);

  // Combined (moment-matched) estimate of the model-conditioned ones
  // (computed on demand by state() and covariance()).
  void combine() const;

 private:
  template <int M>
  bool update_impl(const Eigen::Matrix<double, M, 1>& z, const Eigen::Matrix<double, M, M>& r);
  // Mixes the models' estimates into xm_ and pk_; `p_in` holds the
  // covariances before (a copy of pk_, which is overwritten).
  void mix(double dt, const PackedCov& p_in);
  template <int M>
  void predict_model(double dt);
  // What sanitise() does besides clamping turn rate and acceleration: after
  // a prediction check the variances; after an update whose own test passed
  // nothing more, or repair; the initial covariance gets the full test.
  enum class Check { kVariances, kClampOnly, kRepair, kFull };
  void sanitise(int m, Check check);
  void clamp_state(int m);

  ImmParams params_;
  std::array<StateVec, kModels> xm_{};
  PackedCov pk_{};
  std::array<double, kModels> mu_{1, 0, 0};
  mutable StateVec x_ = StateVec::Zero();
  // The combined covariance's lower triangle, row by row.
  mutable std::array<double, kStateDim*(kStateDim + 1) / 2> pc_ = [] {
    std::array<double, kStateDim*(kStateDim + 1) / 2> a{};
    for (int i = 0; i < kStateDim; ++i) a[i * (i + 1) / 2 + i] = 1;
    return a;
  }();
  mutable bool combined_ = true;
  FaultCounts faults_;
};

}  // namespace skyfuse::estimation
