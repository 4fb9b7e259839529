// File: sim/rng.hpp
//
// A small deterministic random generator for the simulator (xoshiro256**,
// seeded through splitmix64) with its own uniform, normal and Poisson draws, so
// that the same seed gives the same bytes on every platform and standard
// library (std::normal_distribution is implementation-defined).
//
//   sim::Rng rng(sim::Rng::derive(seed, "radar-1"));
//   double noise_m = rng.normal(0.0, 50.0);
#pragma once

#include <Eigen/Core>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <string_view>

namespace skyfuse::sim {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) {
    std::uint64_t x = seed;
    for (auto& s : s_) s = splitmix(x);
  }

  // A seed for an independent stream named `name` under `seed` (FNV-1a mixed).
  static std::uint64_t derive(std::uint64_t seed, std::string_view name) {
    std::uint64_t h = 1469598103934665603ULL ^ seed;
    for (char c : name) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    std::uint64_t x = h;
    return splitmix(x);
  }

  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  bool bernoulli(double p) { return uniform() < p; }

  // Standard normal by the Box-Muller transform (one value per call).
  double normal() {
    double u1 = uniform();
    while (u1 <= 0.0) u1 = uniform();
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  }
  double normal(double mean, double sigma) { return mean + sigma * normal(); }

  // Poisson count with mean `lambda` (Knuth's product method, split into
  // chunks of at most 30 so exp() never underflows).
  std::uint32_t poisson(double lambda) {
    std::uint32_t n = 0;
    while (lambda > 0) {
      const double chunk = lambda > 30 ? 30 : lambda;
      lambda -= chunk;
      const double limit = std::exp(-chunk);
      double prod = uniform();
      while (prod > limit) {
        ++n;
        prod *= uniform();
      }
    }
    return n;
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static std::uint64_t splitmix(std::uint64_t& x) {
    std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::uint64_t s_[4]{};
};

// Three independent normal draws, N(0, s1), N(0, s2), N(0, s3), made last
// first. Draws written as the arguments of one call are made in an order C++
// leaves unspecified (GCC right to left, clang left to right), which made the
// simulated noise depend on the compiler; this is the one place that orders
// them, last first as GCC did, so the scenarios are the ones GCC built.
inline Eigen::Vector3d draw3(Rng& rng, double s1, double s2, double s3) {
  const double z = rng.normal(0, s3);
  const double y = rng.normal(0, s2);
  const double x = rng.normal(0, s1);
  return {x, y, z};
}

}  // namespace skyfuse::sim
