// File: sim/scenario.hpp
//
// Everything a simulation run needs, as plain config structs with units in the
// field names: the targets (already built trajectories) and the sensors. The
// TOML file is parsed into this by apps/ (docs/scenario.md); the simulator
// never reads files.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/types.hpp"
#include "geo/atmosphere.hpp"
#include "mlat/receiver.hpp"
#include "sim/trajectory.hpp"

namespace skyfuse::sim {

struct RadarConfig {
  std::string name;
  SensorKind kind = SensorKind::kPsr;  // kPsr, kSsr, kModeSRadar or kDroneRadar
  std::uint8_t sac = 0, sic = 0;
  GeodeticPosition site;
  double rotation_period_s = 4.0;
  double start_azimuth_deg = 0;  // beam azimuth at the scenario start
  double pd = 0.9;               // detection probability per scan
  double sigma_range_m = 50;
  double sigma_azimuth_deg = 0.08;
  double sigma_elevation_deg = 0.5;  // 3-D (drone) radars only
  double bias_range_m = 0;
  double bias_azimuth_deg = 0;
  double range_gain_ppm = 0;  // measured range = true range x (1 + gain) + bias
  double time_bias_s = 0;     // plot time stamps = true detection time + this
  // A detection split into two plots (a second one beside it in azimuth,
  // 0.5 to 1.5 x split_azimuth_deg away, same replies): its probability.
  double split_plot_probability = 0;
  double split_azimuth_deg = 1.0;
  double clutter_per_scan = 0;  // Poisson mean of false plots per scan
  // SSR / Mode S: Poisson mean of false replies per scan (garbling, FRUIT):
  // a random Mode 3/A code and pressure altitude, and on a Mode S radar a
  // random 24-bit address that no aircraft has and that is never seen again.
  double false_replies_per_scan = 0;
  double min_range_m = 500;
  double max_range_m = 200e3;      // instrumented range (SSR) / range for 1 m^2 (PSR)
  double min_elevation_deg = -90;  // antenna lower limit
  double k_factor = 4.0 / 3.0;     // refraction
};

struct AdsbConfig {
  std::string name;
  std::uint8_t sac = 0, sic = 0;
  GeodeticPosition site;  // receiver antenna
  double max_range_m = 400e3;
  double min_interval_s = 0.5;
  double max_interval_s = 2.0;
  double dropout_probability = 0.05;
};

struct MlatConfig {
  std::string name;
  std::uint8_t sac = 0, sic = 0;
  std::vector<GeodeticPosition> receivers;
  double sigma_toa_ns = 10;  // time-of-arrival noise per receiver (1 sigma)
  double interval_s = 1.0;
  double pd = 0.95;
  double max_range_m = 150e3;  // receiver reach
};

// A multilateration receiver network that writes raw arrival times (the
// LocaRDS layout `skyfuse mlat` and the `mlat_receivers` feed read) instead
// of finished positions. Every Mode S aircraft transmits at random intervals;
// each receiver in range and above its radio horizon timestamps the message
// in its own clock: true arrival time + offset + drift x (t - start), on its
// clock's tick (GPS 1 ns, Beast 1/12 MHz, SBS 1/20 MHz), plus Gaussian jitter
// of its kind. ADS-B aircraft's messages carry their reported position (a
// reference row); the others carry only the pressure altitude.
struct MlatReceiverConfig {
  std::uint32_t id = 0;  // serial in the receiver list
  GeodeticPosition site;
  mlat::ClockKind clock = mlat::ClockKind::kGps;
  std::optional<double> offset_s{};   // clock reading minus true time at the start [s]
  std::optional<double> drift_ppm{};  // clock rate error [1e-6 s/s]
  double pd = 0.9;                    // probability of decoding a message in reach
};

struct MlatNetworkConfig {
  std::string name;
  std::vector<MlatReceiverConfig> receivers;
  // Timing jitter (1 sigma) per clock kind, added to the tick quantisation [ns].
  double jitter_gps_ns = 30;
  double jitter_beast_ns = 50;
  double jitter_sbs_ns = 60;
  // Free-running clocks without a given offset / drift draw them: offset
  // uniform in [0, max_offset_s), drift normal with this sigma [ppm].
  double max_offset_s = 1000;
  double drift_sigma_ppm = 20;
  double max_range_m = 300e3;  // reach of a receiver (line of sight also needed)
  double messages_per_s = 2;   // mean Mode S transmissions per aircraft heard
  double server_delay_s = 0;   // timeAtServer = first arrival + this
  // Also write one Beast file per receiver (sim/beast_network.hpp) and make
  // the sensors.toml entry read them (format "beast") instead of the CSV.
  bool beast = false;
  double position_latency_s = 0;  // ADS-B position older than the message [s]
  int min_receivers = 3;          // rows heard by fewer are not written
};

struct RemoteIdConfig {
  std::string name;
  std::uint8_t sac = 0, sic = 0;
  GeodeticPosition site;
  double max_range_m = 3000;
  double interval_s = 1.0;
  double pd = 0.95;
  double sigma_horizontal_m = 4;  // ASTM F3411 horizontal accuracy < 10 m (95 %)
  double sigma_vertical_m = 6;
  // RSSI written on each report: transmit power minus free-space loss at
  // frequency_mhz over the range, plus Gaussian noise (shadowing).
  double tx_power_dbm = 20;
  double frequency_mhz = 2437;
  double rssi_sigma_db = 2;
};

struct Scenario {
  std::string name;
  Time start;
  double duration_s = 600;
  double truth_interval_s = 1.0;
  // Geometric height minus pressure altitude: what a barometric (Mode C, ADS-B
  // baro) altitude misses of the true height, e.g. geoid plus non-ISA weather.
  double geometric_minus_baro_m = 0;
  // A non-standard atmosphere instead: pressure altitudes from heights through
  // it (ISA deviation, QNH, geoid undulation), so the offset grows with height.
  std::optional<geo::AtmosphereConfig> atmosphere;
  std::vector<Trajectory> targets;
  std::vector<RadarConfig> radars;
  std::vector<AdsbConfig> adsb;
  std::vector<MlatConfig> mlat;
  std::vector<RemoteIdConfig> remote_id;
  std::vector<MlatNetworkConfig> mlat_networks;
};

}  // namespace skyfuse::sim
