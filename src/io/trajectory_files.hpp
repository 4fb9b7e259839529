// File: io/trajectory_files.hpp
//
// Readers for the real trajectories the simulator flies:
//  - OpenSky-style state vectors as JSON Lines (one object per line with
//    timestamp [ms], icao24, callsign, latitude, longitude, altitude [ft],
//    groundspeed [kt], track [deg], vertical_rate [ft/min]), as in
//    data/traffic/ (a slice of traffic's switzerland.json.gz);
//  - drone flight logs as CSV with a header naming at least time, lat, lon and
//    alt columns (the CPhy-ML / CMU package-delivery logs in data/drones/).
// Rows with bad values are counted and skipped with "FILE:LINE: reason".
//
//   auto t = io::read_state_vectors("data/traffic/switzerland_1130.jsonl");
#pragma once

#include <string>
#include <vector>

#include "core/result.hpp"
#include "sim/trajectory.hpp"

namespace skyfuse::io {

struct TrajectoryFile {
  std::vector<sim::Trajectory> trajectories;
  long rows = 0;
  long error_count = 0;
  std::vector<std::string> errors;
};

// Groups rows by icao24 into fixed-wing, ADS-B-equipped trajectories. Rows that
// merely repeat the previous position (no new fix) are dropped, so the
// trajectory interpolates between real fixes. A gap over 60 s splits an
// aircraft into pieces "<icao24>", "<icao24>-2" ... so truth has no holes. Heights: the file's
// altitude is taken as height above the ellipsoid.
Result<TrajectoryFile> read_state_vectors(const std::string& path);

// One drone flight; velocities come from the positions.
Result<TrajectoryFile> read_drone_csv(const std::string& path);

// Parses "YYYY-MM-DD HH:MM:SS[.fraction]" (UTC; 'T' also accepted) or a plain
// number of seconds.
Result<Time> parse_utc(std::string_view text);

}  // namespace skyfuse::io
