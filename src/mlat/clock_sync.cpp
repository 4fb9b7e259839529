#include "mlat/clock_sync.hpp"

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>

namespace skyfuse::mlat {

namespace {

double median(std::vector<double> v) {
  const std::size_t n = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n), v.end());
  if (v.size() % 2 == 1) return v[n];
  const double hi = v[n];
  return 0.5 * (hi + *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n)));
}

double ns_to_s(std::int64_t ns) { return static_cast<double>(ns) * 1e-9; }

}  // namespace

ClockSync::ClockSync(const ReceiverSet& receivers, ClockSyncConfig cfg)
    : receivers_(&receivers), cfg_(cfg) {}

int ClockSync::add_clock(ReceiverId id, std::int64_t base_ns, std::int64_t anchor_ns,
                         double offset_sigma_s) {
  const Receiver* r = receivers_->find(id);
  Clock c;
  c.id = id;
  c.spec = cfg_.specs[static_cast<std::size_t>(r ? r->clock : ClockKind::kGps)];
  c.base_ns = base_ns;
  c.anchor_ns = anchor_ns;
  c.noise_var = c.spec.noise_s * c.spec.noise_s;
  const int i = static_cast<int>(clocks_.size());
  clocks_.push_back(std::move(c));
  index_.emplace(id, i);
  const Eigen::Index n = x_.size();
  x_.conservativeResize(n + 2);
  x_.tail<2>().setZero();
  p_.conservativeResize(n + 2, n + 2);
  p_.rightCols<2>().setZero();
  p_.bottomRows<2>().setZero();
  p_(n, n) = offset_sigma_s * offset_sigma_s;
  p_(n + 1, n + 1) = clocks_[static_cast<std::size_t>(i)].spec.prior_drift *
                     clocks_[static_cast<std::size_t>(i)].spec.prior_drift;
  return i;
}

void ClockSync::predict_to(int i, std::int64_t toa_ns) {
  Clock& c = clocks_[static_cast<std::size_t>(i)];
  const double dt = ns_to_s(toa_ns - c.anchor_ns);
  const Eigen::Index o = 2 * i, d = o + 1;
  // x' = F x with F = [1 dt; 0 1] on this receiver's pair; P' = F P F^T + Q.
  x_(o) += dt * x_(d);
  p_.row(o) += dt * p_.row(d);
  p_.col(o) += dt * p_.col(d);
  const double a = std::abs(dt);
  const double qo = c.spec.offset_walk_s2_per_s, qd = c.spec.drift_walk_per_s;
  p_(o, o) += qo * a + qd * a * a * a / 3.0;
  p_(o, d) += qd * a * a / 2.0 * (dt < 0 ? -1.0 : 1.0);
  p_(d, o) = p_(o, d);
  p_(d, d) += qd * a;
  c.anchor_ns = toa_ns;
}

bool ClockSync::synchronised(const Clock& c, int i) const {
  return c.references >= cfg_.min_references && c.outlier_rate <= cfg_.max_outlier_rate &&
         static_cast<int>(c.pending.size()) < cfg_.jump_after - 1 && p_(2 * i, 2 * i) < 1e-10;
}

void ClockSync::reset_offset(int i, double shift_s) {
  const Eigen::Index o = 2 * i;
  x_(o) += shift_s;
  const double keep_drift = p_(o + 1, o + 1);
  p_.row(o).setZero();
  p_.col(o).setZero();
  p_(o, o) = cfg_.jump_reset_sigma_s * cfg_.jump_reset_sigma_s;
  p_(o + 1, o + 1) = keep_drift;
}

ReferenceUpdate ClockSync::add_reference(std::span<const ReferenceObservation> obs) {
  ReferenceUpdate out;
  // Receivers of this reference that have (or get) a clock state.
  struct Item {
    int clock;
    std::size_t obs;
    double e = 0;  // (toa - base - epoch) - flight - offset [s]
  };
  std::vector<Item> items;
  std::vector<std::size_t> pending_new;
  for (std::size_t k = 0; k < obs.size(); ++k) {
    const Receiver* r = receivers_->find(obs[k].receiver);
    if (!r) continue;
    if (auto it = index_.find(r->id); it != index_.end()) {
      items.push_back({it->second, k});
    } else if (const ClockSpec& spec = cfg_.specs[static_cast<std::size_t>(r->clock)];
               spec.absolute) {
      items.push_back({add_clock(r->id, 0, obs[k].toa_ns, spec.prior_offset_s), k});
    } else {
      pending_new.push_back(k);
    }
  }
  if (items.empty() && !pending_new.empty() && clocks_.empty()) {
    // The first free-running clock defines the time scale (gauge).
    const auto& o = obs[pending_new.front()];
    const auto flight_ns = static_cast<std::int64_t>(std::llround(o.flight_s * 1e9));
    items.push_back(
        {add_clock(o.receiver, o.toa_ns - flight_ns, o.toa_ns, 1e-6), pending_new.front()});
    pending_new.erase(pending_new.begin());
  }
  if (items.empty()) return out;

  for (auto& it : items) predict_to(it.clock, obs[it.obs].toa_ns);
  const Clock& c0 = clocks_[static_cast<std::size_t>(items.front().clock)];
  const std::int64_t epoch_ns = obs[items.front().obs].toa_ns - c0.base_ns;
  auto residual = [&](const Item& it) {
    const Clock& c = clocks_[static_cast<std::size_t>(it.clock)];
    return ns_to_s(obs[it.obs].toa_ns - c.base_ns - epoch_ns) - obs[it.obs].flight_s -
           x_(2 * it.clock);
  };
  std::vector<double> es;
  for (auto& it : items) es.push_back(it.e = residual(it));
  const double t_emit = median(es);

  // New free-running clocks start from this reference's emission time.
  for (std::size_t k : pending_new) {
    const auto& o = obs[k];
    const auto arrival_ns = static_cast<std::int64_t>(std::llround((t_emit + o.flight_s) * 1e9));
    Item it{add_clock(o.receiver, o.toa_ns - epoch_ns - arrival_ns, o.toa_ns, 1e-6), k};
    it.e = residual(it);
    items.push_back(it);
  }
  const int m = static_cast<int>(items.size());

  // Outliers against the median emission time (needs three to say which one).
  std::vector<char> inlier(static_cast<std::size_t>(m), 1);
  int n_out = 0;
  if (m >= 3) {
    for (int k = 0; k < m; ++k) {
      const Item& it = items[static_cast<std::size_t>(k)];
      const Clock& c = clocks_[static_cast<std::size_t>(it.clock)];
      const double sigma = std::sqrt(c.noise_var + p_(2 * it.clock, 2 * it.clock));
      if (std::abs(it.e - t_emit) > cfg_.outlier_z * sigma) {
        inlier[static_cast<std::size_t>(k)] = 0;
        ++n_out;
      }
    }
    if (2 * n_out >= m) return out;  // no majority: cannot tell who is wrong
  } else if (m == 2) {
    const int a = items[0].clock, b = items[1].clock;
    const double var = clocks_[static_cast<std::size_t>(a)].noise_var +
                       clocks_[static_cast<std::size_t>(b)].noise_var + p_(2 * a, 2 * a) +
                       p_(2 * b, 2 * b) - 2 * p_(2 * a, 2 * b);
    if (std::abs(items[0].e - items[1].e) > cfg_.outlier_z * std::sqrt(var)) return out;
  } else {
    return out;
  }

  // Clock jumps: consecutive outliers of one receiver that agree with each other.
  for (int k = 0; k < m; ++k) {
    const Item& it = items[static_cast<std::size_t>(k)];
    Clock& c = clocks_[static_cast<std::size_t>(it.clock)];
    c.outlier_rate += cfg_.outlier_rate_gain *
                      ((inlier[static_cast<std::size_t>(k)] ? 0.0 : 1.0) - c.outlier_rate);
    if (inlier[static_cast<std::size_t>(k)]) {
      c.pending.clear();
      continue;
    }
    ++c.outliers;
    ++out.outliers;
    c.pending.push_back(it.e - t_emit);
    if (static_cast<int>(c.pending.size()) < cfg_.jump_after) continue;
    const auto [lo, hi] = std::minmax_element(c.pending.begin(), c.pending.end());
    if (*hi - *lo <
        cfg_.jump_spread_z * std::sqrt(std::max(c.noise_var, c.spec.noise_s * c.spec.noise_s))) {
      reset_offset(it.clock, median(c.pending));
      ++c.jumps;
      ++out.jumps;
      c.outlier_rate = 0;
      c.pending.clear();
    } else {
      c.pending.erase(c.pending.begin());
    }
  }

  // Timing noise from the pre-fit residuals against the mean of the other
  // inliers, less what the clock estimates themselves contribute (a residual
  // after the update would be shrunk by the update and underestimate it).
  {
    std::vector<int> in_idx;
    for (int k = 0; k < m; ++k) {
      if (inlier[static_cast<std::size_t>(k)]) in_idx.push_back(k);
    }
    const int qi = static_cast<int>(in_idx.size());
    if (qi >= 3) {
      Eigen::MatrixXd pi(qi, qi);  // offset covariance of the inliers
      for (int a = 0; a < qi; ++a) {
        for (int b = 0; b < qi; ++b) {
          pi(a, b) =
              p_(2 * items[static_cast<std::size_t>(in_idx[static_cast<std::size_t>(a)])].clock,
                 2 * items[static_cast<std::size_t>(in_idx[static_cast<std::size_t>(b)])].clock);
        }
      }
      double sum_e = 0;
      for (int k : in_idx) sum_e += items[static_cast<std::size_t>(k)].e;
      const double others_n = qi - 1.0;
      for (int a = 0; a < qi; ++a) {
        const Item& it = items[static_cast<std::size_t>(in_idx[static_cast<std::size_t>(a)])];
        Clock& c = clocks_[static_cast<std::size_t>(it.clock)];
        Eigen::VectorXd w = Eigen::VectorXd::Constant(qi, -1.0 / others_n);
        w(a) = 1.0;
        const double clock_var = w.dot(pi * w);
        // Only once the clocks are known better than the noise.
        if (clock_var > c.noise_var) continue;
        // var(v) = noise_s^2 + clock_var + mean noise of the others / (q - 1),
        // taking the others' noise as equal to this one's (no collapse onto
        // one noisy neighbour): noise_s^2 ~ (v^2 - clock_var) (q - 1) / q.
        const double v = it.e - (sum_e - it.e) / others_n;
        const double scale = std::max(c.noise_var, c.spec.noise_s * c.spec.noise_s);
        const double clipped = std::min(v * v, cfg_.noise_clip_z * cfg_.noise_clip_z * scale);
        const double sample = (clipped - clock_var) * others_n / qi;
        c.noise_var += cfg_.noise_gain * (sample - c.noise_var);
        c.noise_var = std::max(c.noise_var, cfg_.min_noise_s * cfg_.min_noise_s);
      }
    }
  }

  // Kalman update on the differences to the first inlier.
  std::vector<int> use;
  for (int k = 0; k < m; ++k) {
    if (inlier[static_cast<std::size_t>(k)]) use.push_back(k);
  }
  const int q = static_cast<int>(use.size()) - 1;
  if (q < 1) return out;
  const Item& ref = items[static_cast<std::size_t>(use[0])];
  const Eigen::Index n = x_.size();
  Eigen::MatrixXd pht(n, q);
  Eigen::VectorXd nu(q);
  Eigen::MatrixXd r =
      Eigen::MatrixXd::Constant(q, q, clocks_[static_cast<std::size_t>(ref.clock)].noise_var);
  for (int k = 0; k < q; ++k) {
    const Item& it = items[static_cast<std::size_t>(use[static_cast<std::size_t>(k) + 1])];
    pht.col(k) = p_.col(2 * it.clock) - p_.col(2 * ref.clock);
    nu(k) = it.e - ref.e;
    r(k, k) += clocks_[static_cast<std::size_t>(it.clock)].noise_var;
  }
  Eigen::MatrixXd s = r;
  for (int k = 0; k < q; ++k) {
    const Item& it = items[static_cast<std::size_t>(use[static_cast<std::size_t>(k) + 1])];
    s.row(k) += pht.row(2 * it.clock) - pht.row(2 * ref.clock);
  }
  const Eigen::LLT<Eigen::MatrixXd> llt(s);
  if (llt.info() != Eigen::Success) return out;
  const Eigen::MatrixXd k_gain = llt.solve(pht.transpose()).transpose();
  x_ += k_gain * nu;
  p_ -= k_gain * pht.transpose();
  p_ = 0.5 * (p_ + p_.transpose()).eval();

  for (int k : use) {
    Clock& c = clocks_[static_cast<std::size_t>(items[static_cast<std::size_t>(k)].clock)];
    ++c.references;
  }
  out.used = q + 1;
  out.applied = true;
  return out;
}

ClockEstimate ClockSync::estimate(ReceiverId id) const {
  ClockEstimate e;
  const auto it = index_.find(id);
  if (it == index_.end()) return e;
  const int i = it->second;
  const Clock& c = clocks_[static_cast<std::size_t>(i)];
  e.known = true;
  e.synchronised = synchronised(c, i);
  e.base_ns = c.base_ns;
  e.offset_s = x_(2 * i);
  e.drift = x_(2 * i + 1);
  e.offset_sigma_s = std::sqrt(p_(2 * i, 2 * i));
  e.noise_s = std::sqrt(c.noise_var);
  e.anchor_ns = c.anchor_ns;
  e.references = c.references;
  e.outliers = c.outliers;
  e.jumps = c.jumps;
  e.outlier_rate = c.outlier_rate;
  return e;
}

CorrectedToas ClockSync::correct(std::span<const Toa> toas) const {
  CorrectedToas out;
  std::vector<int> clock;
  for (std::size_t k = 0; k < toas.size(); ++k) {
    const auto it = index_.find(toas[k].receiver);
    if (it == index_.end() ||
        !synchronised(clocks_[static_cast<std::size_t>(it->second)], it->second)) {
      continue;
    }
    out.index.push_back(static_cast<int>(k));
    clock.push_back(it->second);
  }
  const int m = static_cast<int>(clock.size());
  out.toa_s.resize(m);
  out.cov_s2.resize(m, m);
  if (m == 0) return out;
  std::vector<double> dt(static_cast<std::size_t>(m));
  const std::int64_t epoch_ns = toas[static_cast<std::size_t>(out.index[0])].toa_ns -
                                clocks_[static_cast<std::size_t>(clock[0])].base_ns;
  for (int k = 0; k < m; ++k) {
    const Clock& c = clocks_[static_cast<std::size_t>(clock[static_cast<std::size_t>(k)])];
    const std::int64_t t =
        toas[static_cast<std::size_t>(out.index[static_cast<std::size_t>(k)])].toa_ns;
    const int i = clock[static_cast<std::size_t>(k)];
    dt[static_cast<std::size_t>(k)] = ns_to_s(t - c.anchor_ns);
    out.toa_s(k) = ns_to_s(t - c.base_ns - epoch_ns) -
                   (x_(2 * i) + dt[static_cast<std::size_t>(k)] * x_(2 * i + 1));
  }
  for (int a = 0; a < m; ++a) {
    const int i = 2 * clock[static_cast<std::size_t>(a)];
    const double da = dt[static_cast<std::size_t>(a)];
    for (int b = 0; b < m; ++b) {
      const int j = 2 * clock[static_cast<std::size_t>(b)];
      const double db = dt[static_cast<std::size_t>(b)];
      out.cov_s2(a, b) =
          p_(i, j) + db * p_(i, j + 1) + da * p_(i + 1, j) + da * db * p_(i + 1, j + 1);
    }
    const Clock& c = clocks_[static_cast<std::size_t>(clock[static_cast<std::size_t>(a)])];
    const double t = std::abs(da);
    out.cov_s2(a, a) +=
        c.noise_var + c.spec.offset_walk_s2_per_s * t + c.spec.drift_walk_per_s * t * t * t / 3.0;
  }
  return out;
}

}  // namespace skyfuse::mlat
