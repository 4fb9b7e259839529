// File: core/quality.hpp
//
// ADS-B quality indicators as distances (RTCA DO-260B): NACp -> the 95 %
// horizontal position bound (EPU), NIC -> the containment radius Rc, and the
// 1-sigma per axis of a circular Gaussian whose 95 % radius is the EPU
// (sqrt(-2 ln 0.05) = 2.4477 sigma). One table for the simulator, the Mode S
// decoder and the ASTERIX readers.
//
//   double sigma = nacp_sigma_m(8);   // 92.6 m / 2.4477 = 37.8 m
#pragma once

#include <cstdint>

namespace skyfuse {

inline constexpr double kCircular95 = 2.447746830680816;

// NACp 1..11 (0 or out of range: unknown, taken as >= 10 NM -> 20 NM).
constexpr double nacp_epu_m(int nacp) {
  constexpr double kNm = 1852.0;
  constexpr double kTable[12] = {20 * kNm,  10 * kNm,  4 * kNm,    2 * kNm, 1 * kNm, 0.5 * kNm,
                                 0.3 * kNm, 0.1 * kNm, 0.05 * kNm, 30,      10,      3};
  return kTable[nacp >= 0 && nacp <= 11 ? nacp : 0];
}

// NIC 1..11 (0 or out of range: unknown -> 40 NM).
constexpr double nic_rc_m(int nic) {
  constexpr double kNm = 1852.0;
  constexpr double kTable[12] = {40 * kNm,  20 * kNm,  8 * kNm,   4 * kNm, 2 * kNm, 1 * kNm,
                                 0.6 * kNm, 0.2 * kNm, 0.1 * kNm, 75,      25,      7.5};
  return kTable[nic >= 0 && nic <= 11 ? nic : 0];
}

constexpr double nacp_sigma_m(int nacp) { return nacp_epu_m(nacp) / kCircular95; }

}  // namespace skyfuse
