// File: tracking/spoof_check.hpp
//
// Remote ID spoofing and consistency checks (docs/tracking.md, "Spoofing"):
// each Remote ID report is held against what the same serial said before,
// against the receiver that heard it and against the drone radars that cover
// the claimed position. A serial caught contradicting itself or the world is
// suspect, with the reasons (SpoofReason bits) and a confidence; the tracker
// copies them onto every track of that serial. Data time only, no clock, no
// randomness: the same reports give the same verdicts.
//
//   speed_mismatch          mean reported velocity over `speed_window_s` vs
//                           the displacement over that time, off by more than
//                           max(speed_tolerance_mps, fraction x speed) for
//                           `speed_sustain_s` in a row
//   impossible_jump         a position no small UAV reaches from the last one
//                           (max_uav_speed_mps x dt + place_slack_m), and the
//                           serial stays at the new place
//   two_places              ... and the serial is heard at the old place again
//                           while the new one is alive (two transmitters, or
//                           two receivers hearing one serial far apart)
//   out_of_reception_range  claimed position farther from the receiver than
//                           reception_range_factor x its max_range_m
//   rssi_constant           over `rssi_window_s`, claimed range spanning a
//                           factor >= rssi_min_range_ratio but the RSSI slope
//                           against log10(range) flatter than
//                           rssi_max_slope_db_per_decade (free space: -20)
//   no_radar_confirmation   drone radars covering the claimed position (range
//                           within max_range_m x rcs^(1/4) of a small UAV)
//                           scanned it >= radar_min_samples times in
//                           `radar_window_s`, saw other plots meanwhile, and
//                           put fewer than radar_min_fraction of them within
//                           radar_confirm_distance_m of the claim
//   time_inconsistent       message time stamp off the capture time by more
//                           than max_clock_offset_s, or its offset wandering
//                           by more than max_clock_spread_s in `clock_window_s`
//
//   SpoofChecker check(cfg.spoof, /*has_remote_id=*/true);
//   check.radar_plot(*p.sensor, p.xy, *p.geometric_h, t);   // drone radar plots
//   check.remote_id(*p.sensor, serial, p.xy, h, t, *p.report); // Remote ID reports
//   check.evaluate(now);                                      // once per data second
//   if (const SpoofVerdict* v = check.verdict(serial)) ...
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/types.hpp"
#include "tracking/config.hpp"
#include "tracking/sensor_table.hpp"

namespace skyfuse::tracking {

struct SpoofVerdict {
  std::uint16_t reasons = 0;  // spoof_bit(SpoofReason) ...
  double confidence = 0;
};

class SpoofChecker {
 public:
  // Inactive (every call returns at once) when disabled or without a Remote
  // ID receiver among the sensors.
  SpoofChecker(const SpoofConfig& cfg, bool has_remote_id);

  bool active() const { return active_; }
  // A drone radar plot on the plane (xy, height above the ellipsoid h).
  void radar_plot(const SensorInfo& radar, const Eigen::Vector2d& xy, double h, Time t);
  // A Remote ID report of `serial`, claimed at plane position xy, height h.
  void remote_id(const SensorInfo& receiver, const std::string& serial, const Eigen::Vector2d& xy,
                 double h, Time t, const Report& r);
  // Radar confirmations of the claims old enough that every plot of their
  // scan has arrived (call once per data second, and with `all` at the end).
  void evaluate(Time now, bool all = false);
  // The verdict on a serial, or null when it is not suspect.
  const SpoofVerdict* verdict(const std::string& serial) const;

  std::size_t serials() const { return uas_.size(); }

 private:
  struct Sample {
    Time t;
    Eigen::Vector2d xy;
    std::optional<Eigen::Vector2d> velocity;
  };
  struct Place {
    Time first, last;
    Eigen::Vector2d xy = Eigen::Vector2d::Zero();
    int reports = 0;
    std::deque<Sample> history;  // within speed_window_s (+ one older)
    std::optional<Time> mismatch_since;
    // Created by a jump away from this place index (its number), if any.
    std::optional<std::uint64_t> jumped_from;
    std::uint64_t number = 0;
  };
  struct Claim {
    Time t;
    Eigen::Vector2d xy;
    double h = 0;
  };
  struct RssiSample {
    Time t;
    double log_range = 0;
    double rssi_dbm = 0;
  };
  struct Uas {
    Time last_seen;
    std::vector<Place> places;
    std::uint64_t next_place = 0;
    std::map<SensorId, std::deque<RssiSample>> rssi;  // per receiver
    std::deque<Claim> pending;                        // radar confirmation not yet evaluated
    std::map<SensorId, std::deque<std::pair<Time, bool>>> radar;  // per radar: covered, confirmed
    std::deque<std::pair<Time, double>> clock;                    // clock offsets
    SpoofVerdict verdict;
  };
  struct Plot {
    Time t;
    Eigen::Vector2d xy;
    double h = 0;
  };
  struct Radar {
    const SensorInfo* info = nullptr;
    double reach_m = 0;
    std::deque<Plot> plots;
  };

  void flag(Uas& u, SpoofReason why) const;
  void check_places(Uas& u, const Eigen::Vector2d& xy, Time t, const Report& r) const;
  void check_speed(Uas& u, Place& p, Time t) const;
  void check_rssi(Uas& u, SensorId receiver, double range_m, Time t, double rssi) const;
  void check_clock(Uas& u, Time t, double offset_s) const;
  void confirm(Uas& u, const Claim& c);
  void forget_oldest();

  SpoofConfig cfg_;
  bool active_ = false;
  std::map<std::string, Uas> uas_;
  std::map<SensorId, Radar> radars_;
};

}  // namespace skyfuse::tracking
