// mlat_eval: leave-one-aircraft-out evaluation of the multilaterator on
// LocaRDS-layout sets (docs/mlat.md). Prints one Markdown table row per set.
//
//   build/release/bench/mlat_eval --receivers sensors.csv set_1.csv set_2.csv ...
//       [--lookahead S] [--max-aircraft N] [--no-refraction] [--records OUT.csv]
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "mlat/evaluation.hpp"
#include "mlat/locards_csv.hpp"

using namespace skyfuse;

int main(int argc, char** argv) {
  std::string receivers_path, records_path;
  std::vector<std::string> sets;
  mlat::EvalConfig cfg;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        fmt::print(stderr, "mlat_eval: {} needs a value\n", a);
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--receivers") {
      receivers_path = next();
    } else if (a == "--lookahead") {
      cfg.mlat.lookahead_s = std::stod(next());
    } else if (a == "--max-aircraft") {
      cfg.max_aircraft = std::stoi(next());
    } else if (a == "--no-refraction") {
      cfg.mlat.refraction = false;
    } else if (a == "--no-altitude-correction") {
      cfg.mlat.min_altitude_samples = 1 << 30;
    } else if (a == "--gps-walk") {  // GPS offset random walk [s^2/s]
      cfg.mlat.clock.specs[0].offset_walk_s2_per_s = std::stod(next());
    } else if (a == "--gps-drift") {  // GPS prior drift sigma [s/s]
      cfg.mlat.clock.specs[0].prior_drift = std::stod(next());
    } else if (a == "--gps-drift-walk") {
      cfg.mlat.clock.specs[0].drift_walk_per_s = std::stod(next());
    } else if (a == "--noise-gain") {
      cfg.mlat.clock.noise_gain = std::stod(next());
    } else if (a == "--duplicate-radius") {
      cfg.mlat.solver.duplicate_radius_m = std::stod(next());
    } else if (a == "--no-calibration") {
      cfg.mlat.calibrate_covariance = false;
    } else if (a == "--calibration-quantile") {
      cfg.mlat.calibration_quantile = std::stod(next());
    } else if (a == "--calibration-min") {
      cfg.mlat.calibration_min_samples = std::stoi(next());
    } else if (a == "--no-latency") {
      cfg.mlat.reference_latency = false;
    } else if (a == "--no-mirror") {
      cfg.mlat.solver.mirror_starts = false;
    } else if (a == "--noise-clip") {
      cfg.mlat.clock.noise_clip_z = std::stod(next());
    } else if (a == "--outlier-z") {
      cfg.mlat.clock.outlier_z = std::stod(next());
    } else if (a == "--keep-geo-alt") {
      cfg.keep_geo_altitude = true;
    } else if (a == "--records") {
      records_path = next();
    } else {
      sets.push_back(a);
    }
  }
  std::ifstream rin(receivers_path);
  if (!rin || sets.empty()) {
    fmt::print(stderr, "usage: mlat_eval --receivers SENSORS.csv SET.csv...\n");
    return 2;
  }
  const mlat::ReceiverFile rf = mlat::read_receivers(rin);
  std::ofstream rec;
  if (!records_path.empty()) {
    rec.open(records_path);
    rec << "set,id,aircraft,flag,error_m,mahalanobis2,sigma_major_m,gdop,crb_rms_m,baseline_flag,"
           "baseline_error_m,lat_deg,lon_deg,time_s,truth_lat_deg,truth_lon_deg,crb_ee_m2,crb_en_"
           "m2,crb_nn_m2,chi2,dof\n";
  }
  fmt::print(
      "| set | rows | aircraft | located % | ok % | median m | p90 m | p99 m | ok > 1 km | "
      "in 2-sigma | error rms m | CRB rms m | CRB median m | CRB p90 m | baseline located % "
      "| baseline median m | baseline p90 m | baseline same rows median / p90 m | run s |\n");
  fmt::print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  std::vector<std::pair<std::string, mlat::EvalSummary>> splits;
  for (const std::string& path : sets) {
    std::ifstream in(path);
    mlat::MeasurementFile mf = mlat::read_measurements(in);
    if (!in.eof() && !in) {
      fmt::print(stderr, "mlat_eval: cannot read {}\n", path);
      return 1;
    }
    std::stable_sort(
        mf.messages.begin(), mf.messages.end(),
        [](const mlat::Message& a, const mlat::Message& b) { return a.time < b.time; });
    const auto t0 = std::chrono::steady_clock::now();
    const auto records = mlat::leave_one_aircraft_out(rf.receivers, mf.messages, cfg);
    const double run_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const mlat::EvalSummary s = mlat::summarise(records);
    std::string name = path.substr(path.find_last_of('/') + 1);
    fmt::print(
        "| {} | {} | {} | {:.1f} | {:.1f} | {:.0f} | {:.0f} | {:.0f} | {} | {:.1f} % | {:.0f} | "
        "{:.0f} | {:.0f} | {:.0f} | {:.1f} | {:.0f} | {:.0f} | {:.0f} / {:.0f} | {:.1f} |\n",
        name, s.rows, s.aircraft, s.located_pct, s.ok_pct, s.median_m, s.p90_m, s.p99_m,
        s.ok_over_1km, 100 * s.inside_2sigma, s.error_rms_m, s.crb_rms_m, s.crb_median_m,
        s.crb_p90_m, 100.0 * s.baseline_located / std::max(1, s.rows), s.baseline_median_m,
        s.baseline_p90_m, s.baseline_same_median_m, s.baseline_same_p90_m, run_s);
    splits.emplace_back(name, s);
    fmt::print(stderr, "{}: flags", name);
    for (int f = 0; f < 7; ++f) {
      fmt::print(stderr, " {}={}", mlat::to_string(static_cast<mlat::FixFlag>(f)),
                 s.by_flag[static_cast<std::size_t>(f)]);
    }
    fmt::print(stderr, "; parse errors {}\n", mf.errors.size());
    if (rec) {
      for (const auto& r : records) {
        const Eigen::Matrix2d c = r.fix.cov_enu_m2.topLeftCorner<2, 2>();
        const double major =
            std::sqrt(0.5 * (c.trace() + std::hypot(c(0, 0) - c(1, 1), 2 * c(0, 1))));
        const double crb = r.fix.crb_en_m2 ? std::sqrt(r.fix.crb_en_m2->trace()) : NAN;
        const auto& crb_en = r.fix.crb_en_m2;
        rec << fmt::format(
            "{},{},{},{},{:.1f},{:.2f},{:.1f},{:.2f},{:.1f},{},{:.1f},{:.7f},{:.7f},{:.3f},{:.7f},"
            "{:.7f},{:.1f},{:.1f},{:.1f},{:.2f},{}\n",
            name, r.fix.id, r.fix.aircraft, mlat::to_string(r.fix.flag), r.error_m, r.mahalanobis2,
            major, r.fix.gdop, crb, mlat::to_string(r.baseline.flag), r.baseline_error_m,
            r.fix.position.lat_deg, r.fix.position.lon_deg, r.fix.time.seconds(), r.truth.lat_deg,
            r.truth.lon_deg, crb_en ? (*crb_en)(0, 0) : NAN, crb_en ? (*crb_en)(0, 1) : NAN,
            crb_en ? (*crb_en)(1, 1) : NAN, r.fix.chi2, r.fix.dof);
      }
    }
  }
  // The same ok fixes split along and across their aircraft's track.
  fmt::print(
      "\n| set | ok fixes with a track | across p50 / p90 m | CRB across p50 / p90 m | along p50 / "
      "p90 m | CRB along p50 / p90 m | fix ahead of the report p10 / p50 / p90 s |\n"
      "|---|---|---|---|---|---|---|\n");
  for (const auto& [name, s] : splits) {
    fmt::print(
        "| {} | {} | {:.0f} / {:.0f} | {:.0f} / {:.0f} | {:.0f} / {:.0f} | {:.0f} / {:.0f} | "
        "{:.2f} "
        "/ {:.2f} / {:.2f} |\n",
        name, s.split_n, s.across_p50_m, s.across_p90_m, s.crb_across_p50_m, s.crb_across_p90_m,
        s.along_p50_m, s.along_p90_m, s.crb_along_p50_m, s.crb_along_p90_m, s.lead_p10_s,
        s.lead_p50_s, s.lead_p90_s);
  }
  // The same with the lag each aircraft shows on its other fixes taken out.
  fmt::print(
      "\n| set | ok fixes (aircraft with 3+) | 2-D p50 / p90 m | with the aircraft's lag from its "
      "other fixes taken out, p50 / p90 m | CRB p50 / p90 m |\n|---|---|---|---|---|\n");
  for (const auto& [name, s] : splits) {
    fmt::print("| {} | {} | {:.0f} / {:.0f} | {:.0f} / {:.0f} | {:.0f} / {:.0f} |\n", name, s.lag_n,
               s.lag_raw_p50_m, s.lag_raw_p90_m, s.lag_removed_p50_m, s.lag_removed_p90_m,
               s.lag_crb_p50_m, s.lag_crb_p90_m);
  }
  return 0;
}
