// File: tracking/measurement.hpp
//
// Measurement preparation, the first step of the cycle: a report is checked
// for impossible values, a radar plot's range and azimuth are corrected by its
// radar's registration bias, and the report is put on the tracking plane
// (position and covariance; velocity and its covariance; its height, geometric
// or pressure altitude, with variances). A 2-D radar plot without Mode C is
// placed at the default height; gating re-places it at each track's height.
//
// Units: metres and seconds on the plane; heights above the WGS-84
// ellipsoid except `baro_m` (pressure altitude).
//
//   MeasurementPreparer prep(cfg, frame, sensors, registration, offsets);
//   Prepared p;
//   if (Rejection why = prep.prepare(report, p); why != Rejection::kNone) count(why);
#pragma once

#include <Eigen/Core>
#include <optional>

#include "core/types.hpp"
#include "estimation/frame.hpp"
#include "tracking/config.hpp"
#include "tracking/height_offset.hpp"
#include "tracking/registration.hpp"
#include "tracking/sensor_table.hpp"

namespace skyfuse::tracking {

// A report ready for gating: its plane position and covariance (for a 2-D
// radar plot without Mode C, at the reference height; recomputed per track).
struct Prepared {
  const Report* report = nullptr;
  const SensorInfo* sensor = nullptr;
  // The report's own time stamp. A radar plot's report->time is this moved by
  // its radar's registration time offset (the plot's corrected time).
  Time stamp;
  bool polar = false;
  bool needs_height = false;            // 2-D plot without Mode C: position depends on track height
  double range_m = 0, azimuth_rad = 0;  // registration-corrected (offset, gain, azimuth)
  double sigma_range_m = 0, sigma_azimuth_rad = 0;
  Eigen::Vector2d xy = Eigen::Vector2d::Zero();
  Eigen::Matrix2d cov = Eigen::Matrix2d::Identity();
  geo::Convergence local;  // the local-to-plane map at the report
  std::optional<Eigen::Vector2d> velocity;
  Eigen::Matrix2d velocity_cov = Eigen::Matrix2d::Identity();
  std::optional<double> vertical_rate;
  std::optional<double> geometric_h;
  double geometric_var = 0;
  std::optional<double> baro_m;
  double baro_var = 0;
};

// Why a report was not used.
enum class Rejection : std::uint8_t {
  kNone,
  kUnknownSensor,
  kImpossibleVelocity,
  kImpossiblePressureAltitude,
  kPolarFromNonRadar,
  kImpossibleRangeAzimuth,
  kRangeBelowHeight,  // range shorter than the height difference
  kImpossiblePosition,
};
const char* to_string(Rejection r);

// Places a radar plot (p.range_m, p.azimuth_rad and their sigmas) on the
// plane for a target at height `h` (variance `var_h`): p.xy, p.cov, p.local.
// False when the slant range is shorter than the height difference.
bool place_polar(const estimation::TrackingFrame& frame, const SensorInfo& s, Prepared& p, double h,
                 double var_h, double floor_var_m2);

class MeasurementPreparer {
 public:
  // Keeps references: all must outlive it. `sensors` is not const: sensors
  // without a rotation period learn their interval from the reports.
  MeasurementPreparer(const TrackerConfig& cfg, const estimation::TrackingFrame& frame,
                      SensorTable& sensors, const Registration& registration,
                      const HeightOffsetModel& offsets)
      : cfg_(cfg),
        frame_(frame),
        sensors_(sensors),
        registration_(registration),
        offsets_(offsets) {}

  // Validates, corrects and converts `r` into `p` (which refers to r).
  Rejection prepare(const Report& r, Prepared& p);

  // Radar plot -> plane at height h (place_polar with the configured floor).
  bool place(const SensorInfo& s, Prepared& p, double h, double var_h) const {
    return place_polar(frame_, s, p, h, var_h, cfg_.plot_position_floor_var_m2);
  }

 private:
  Rejection prepare_polar(const Report& r, const PolarMeasurement& m, const SensorInfo& s,
                          Prepared& p) const;
  Rejection prepare_geodetic(const Report& r, const SensorInfo& s, Prepared& p) const;

  const TrackerConfig& cfg_;
  const estimation::TrackingFrame& frame_;
  SensorTable& sensors_;
  const Registration& registration_;
  const HeightOffsetModel& offsets_;
};

}  // namespace skyfuse::tracking
