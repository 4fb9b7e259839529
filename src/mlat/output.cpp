#include "mlat/output.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>

namespace skyfuse::mlat {

namespace {

// JSON string body: quotes, backslashes and control characters escaped.
std::string escaped(const std::string& s) {
  std::string o;
  for (const char ch : s) {
    const auto u = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') {
      o += '\\';
      o += ch;
    } else if (u < 0x20) {
      o += fmt::format("\\u{:04x}", u);
    } else {
      o += ch;
    }
  }
  return o;
}

}  // namespace

std::string to_json_line(const Fix& f) {
  std::string o = fmt::format("{{\"id\":{},\"time\":", f.id);
  append_time(o, f.time);
  o += fmt::format(",\"aircraft\":\"{}\"", escaped(f.aircraft));
  if (f.icao24) o += fmt::format(",\"icao24\":\"{:06x}\"", *f.icao24);
  if (has_position(f.flag)) {
    const Eigen::Matrix2d c = f.cov_ne_m2();
    o += fmt::format(
        ",\"lat_deg\":{:.6f},\"lon_deg\":{:.6f},\"alt_m\":{:.1f},\"cov_ne_m2\":[[{:.1f},{:.1f}],[{:"
        "."
        "1f},{:.1f}]],\"sigma_up_m\":{:.1f},\"gdop\":{:.3f}",
        f.position.lat_deg, f.position.lon_deg, f.position.alt_m, c(0, 0), c(0, 1), c(1, 0),
        c(1, 1), std::sqrt(std::max(0.0, f.cov_enu_m2(2, 2))),
        std::isfinite(f.gdop) ? f.gdop : -1.0);
  }
  o += fmt::format(",\"receivers\":{},\"heard\":{}", f.receivers.size(), f.heard);
  if (has_position(f.flag)) {
    o += fmt::format(",\"receiver_ids\":[{}],\"chi2\":{:.3f},\"dof\":{}",
                     fmt::join(f.receivers, ","), f.chi2, f.dof);
  }
  o += fmt::format(",\"flag\":\"{}\"}}", to_string(f.flag));
  return o;
}

}  // namespace skyfuse::mlat
