// File: mlat/output.hpp
//
// One JSON Lines record per fix (`skyfuse mlat --out`):
//   {"id":14040,"time":7.634000,"aircraft":"766","lat_deg":48.341985,
//    "lon_deg":10.069837,"alt_m":8336.3,"cov_ne_m2":[[812.1,-40.2],[-40.2,955.0]],
//    "sigma_up_m":25.1,"gdop":3.21,"receivers":5,"heard":5,"receiver_ids":[263,141,598,143,10],
//    "chi2":1.92,"dof":2,"flag":"ok"}
// A fix without a position (flags too_few_receivers, unsynchronised,
// no_convergence) has only id, time, aircraft, receivers (0), heard and flag.
// cov_ne_m2 is the horizontal covariance in (north, east) order [m^2].
//
//   std::string line = mlat::to_json_line(fix);   // no trailing newline
#pragma once

#include <string>

#include "mlat/message.hpp"

namespace skyfuse::mlat {

std::string to_json_line(const Fix& f);

}  // namespace skyfuse::mlat
