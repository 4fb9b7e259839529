// File: core/time.hpp
//
// `Time` is an instant in UTC as integer nanoseconds since the Unix epoch. It
// always comes from the data (measurement time of applicability), never from the
// wall clock inside a stage. `Duration` is a signed span in nanoseconds.
//
//   Time t = Time::from_seconds(1533123000.25);
//   Time later = t + Duration::from_seconds(1.5);
//   double s = (later - t).seconds();  // 1.5
#pragma once

#include <charconv>
#include <cmath>
#include <compare>
#include <cstdint>
#include <cstdio>
#include <string>

namespace skyfuse {

struct Duration {
  std::int64_t ns = 0;

  // Whole seconds and the fraction are converted apart, so Unix times keep
  // their full double precision (s * 1e9 alone would round at 256 ns).
  static constexpr Duration from_seconds(double s) {
    const double whole = s >= 0 ? static_cast<double>(static_cast<std::int64_t>(s))
                                : -static_cast<double>(static_cast<std::int64_t>(-s));
    const double frac_ns = (s - whole) * 1e9;
    return Duration{static_cast<std::int64_t>(whole) * 1000000000 +
                    static_cast<std::int64_t>(frac_ns >= 0 ? frac_ns + 0.5 : frac_ns - 0.5)};
  }
  constexpr double seconds() const { return static_cast<double>(ns) * 1e-9; }
  friend constexpr auto operator<=>(Duration, Duration) = default;
  friend constexpr Duration operator+(Duration a, Duration b) { return {a.ns + b.ns}; }
  friend constexpr Duration operator-(Duration a, Duration b) { return {a.ns - b.ns}; }
};

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Time {
  std::int64_t ns = 0;  // nanoseconds since 1970-01-01T00:00:00Z

  static constexpr Time from_seconds(double unix_s) {
    return Time{Duration::from_seconds(unix_s).ns};
  }
  constexpr double seconds() const { return static_cast<double>(ns) * 1e-9; }
  friend constexpr auto operator<=>(Time, Time) = default;
  friend constexpr Time operator+(Time t, Duration d) { return {t.ns + d.ns}; }
  friend constexpr Time operator-(Time t, Duration d) { return {t.ns - d.ns}; }
  friend constexpr Duration operator-(Time a, Time b) { return {a.ns - b.ns}; }
};

// Unix seconds with microseconds ("1533123000.250000"), printed exactly from
// the integer nanoseconds (rounded to the microsecond): every JSON time field.
// append_time() writes it at the end of `o` (a line being built).
inline void append_time(std::string& o, Time t) {
  std::int64_t us = t.ns >= 0 ? (t.ns + 500) / 1000 : -((-t.ns + 500) / 1000);
  if (us < 0) {
    o += '-';
    us = -us;
  }
  char buf[32];
  char* end = std::to_chars(buf, buf + sizeof buf, us / 1000000).ptr;
  *end++ = '.';
  const std::int64_t frac = us % 1000000;
  for (std::int64_t d = 100000; d > 0; d /= 10) *end++ = static_cast<char>('0' + frac / d % 10);
  o.append(buf, end);
}

inline std::string format_time(Time t) {
  std::string o;
  append_time(o, t);
  return o;
}

}  // namespace skyfuse
