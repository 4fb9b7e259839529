#include "decode/modes/cpr.hpp"

#include <array>
#include <cmath>

namespace skyfuse::decode::modes::cpr {

namespace {
constexpr double kNz = 15;
constexpr double kScale = 131072.0;  // 2^17

// Latitude thresholds where NL drops from n to n-1 (n = 59 .. 2), from the
// closed form in DO-260B: lat = acos(sqrt((1 - cos(pi/2NZ)) / (1 - cos(2pi/n)))).
const std::array<double, 60>& thresholds() {
  static const std::array<double, 60> t = [] {
    std::array<double, 60> a{};
    for (int n = 2; n <= 59; ++n) {
      const double num = 1 - std::cos(M_PI / (2 * kNz));
      const double den = 1 - std::cos(2 * M_PI / n);
      a[n] = std::acos(std::sqrt(num / den)) * 180.0 / M_PI;
    }
    return a;
  }();
  return t;
}

double mod(double x, double y) {
  const double r = std::fmod(x, y);
  return r < 0 ? r + y : r;
}

double wrap_lon(double lon) {
  lon = mod(lon + 180.0, 360.0) - 180.0;
  return lon;
}
}  // namespace

int nl(double lat) {
  lat = std::abs(lat);
  if (lat >= 87.0) return lat > 87.0 ? 1 : 2;
  const auto& t = thresholds();
  int n = 59;
  while (n > 1 && lat >= t[n]) --n;  // above the threshold of n: fewer zones
  return n;
}

namespace {
// Pair decoding over a latitude span of 360 (airborne) or 90 (surface) degrees.
// For the surface, the southern candidate (lat - 90) is chosen when nearer the
// reference latitude; NL then follows the chosen latitude.
std::optional<LatLon> global(const CprFix& even, const CprFix& odd, bool newer_is_odd, double span,
                             double ref_lat) {
  const double lat_e = even.lat / kScale, lat_o = odd.lat / kScale;
  const double lon_e = even.lon / kScale, lon_o = odd.lon / kScale;
  const double dlat_e = span / 60.0, dlat_o = span / 59.0;
  const double j = std::floor(59 * lat_e - 60 * lat_o + 0.5);
  double rlat_e = dlat_e * (mod(j, 60) + lat_e);
  double rlat_o = dlat_o * (mod(j, 59) + lat_o);
  if (span == 360.0) {
    if (rlat_e >= 270) rlat_e -= 360;
    if (rlat_o >= 270) rlat_o -= 360;
  } else {
    const double newer = newer_is_odd ? rlat_o : rlat_e;
    if (std::abs(newer - 90.0 - ref_lat) < std::abs(newer - ref_lat)) {
      rlat_e -= 90.0;
      rlat_o -= 90.0;
    }
  }
  if (std::abs(rlat_e) > 90 || std::abs(rlat_o) > 90) return std::nullopt;
  if (nl(rlat_e) != nl(rlat_o)) return std::nullopt;  // the pair straddles a zone boundary
  const double lat = newer_is_odd ? rlat_o : rlat_e;
  const int n = nl(lat);
  const int ni = std::max(n - (newer_is_odd ? 1 : 0), 1);
  const double m = std::floor(lon_e * (n - 1) - lon_o * n + 0.5);
  const double lon = (span / ni) * (mod(m, ni) + (newer_is_odd ? lon_o : lon_e));
  return LatLon{lat, lon};
}
}  // namespace

std::optional<LatLon> global_airborne(const CprFix& even, const CprFix& odd, bool newer_is_odd) {
  auto p = global(even, odd, newer_is_odd, 360.0, 0);
  if (!p) return p;
  p->lon_deg = wrap_lon(p->lon_deg);
  return p;
}

std::optional<LatLon> global_surface(const CprFix& even, const CprFix& odd, bool newer_is_odd,
                                     double ref_lat, double ref_lon) {
  auto p = global(even, odd, newer_is_odd, 90.0, ref_lat);
  if (!p) return p;
  // Longitude: one of four 90-degree quadrants, nearest the reference.
  double best = p->lon_deg, best_d = 1e9;
  for (int k = 0; k < 4; ++k) {
    const double cand = wrap_lon(p->lon_deg + 90.0 * k);
    const double d = std::abs(wrap_lon(cand - ref_lon));
    if (d < best_d) {
      best_d = d;
      best = cand;
    }
  }
  p->lon_deg = best;
  return p;
}

std::optional<LatLon> local(const CprFix& fix, double ref_lat, double ref_lon) {
  const double span = fix.surface ? 90.0 : 360.0;
  const double lat_c = fix.lat / kScale, lon_c = fix.lon / kScale;
  const double dlat = span / (fix.odd ? 59.0 : 60.0);
  // Zone index and fraction from one division, so a reference on a zone
  // boundary cannot get the index of one zone and the fraction of the other.
  const double rl = ref_lat / dlat;
  const double j = std::floor(rl) + std::floor(0.5 + (rl - std::floor(rl)) - lat_c);
  const double lat = dlat * (j + lat_c);
  if (std::abs(lat) > 90) return std::nullopt;
  const int ni = std::max(nl(lat) - (fix.odd ? 1 : 0), 1);
  const double dlon = span / ni;
  const double rn = ref_lon / dlon;
  const double m = std::floor(rn) + std::floor(0.5 + (rn - std::floor(rn)) - lon_c);
  return LatLon{lat, wrap_lon(dlon * (m + lon_c))};
}

}  // namespace skyfuse::decode::modes::cpr
