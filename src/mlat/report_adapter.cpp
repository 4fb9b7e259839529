#include "mlat/report_adapter.hpp"

#include <algorithm>

namespace skyfuse::mlat {

std::optional<Report> to_report(const Fix& fix, SensorId sensor, std::optional<double> baro_alt_m) {
  if (fix.flag != FixFlag::kOk) return std::nullopt;
  Report r;
  r.time = fix.time;
  r.sensor = sensor;
  r.sensor_kind = SensorKind::kMlat;
  GeodeticMeasurement g;
  g.position = fix.position;
  g.has_height = false;  // the height is the altitude aid, not measured
  g.covariance_enu.topLeftCorner<2, 2>() = fix.cov_enu_m2.topLeftCorner<2, 2>();
  r.measurement = g;
  r.baro_alt_m = baro_alt_m;
  r.identity.icao24 = fix.icao24;
  r.source = sensor;
  return r;
}

ReportAdapter::ReportAdapter(const ReceiverSet& receivers, MultilateratorConfig cfg,
                             SensorId sensor)
    : ml_(receivers, cfg), sensor_(sensor) {}

void ReportAdapter::push(const Message& m, std::vector<Report>& out, std::int64_t source_offset) {
  ++messages_;
  if (!m.reference) pending_.push_back({m.id, {m.baro_alt_m, source_offset}});
  emit(ml_.push(m), out);
}

void ReportAdapter::flush(std::vector<Report>& out) { emit(ml_.flush(), out); }

void ReportAdapter::emit(const std::vector<Fix>& fixes, std::vector<Report>& out) {
  for (const Fix& f : fixes) {
    ++flags_[static_cast<std::size_t>(f.flag)];
    // Fixes come back in the order their messages went in.
    Pending p{std::nullopt, -1};
    const auto it = std::find_if(pending_.begin(), pending_.end(),
                                 [&](const auto& e) { return e.first == f.id; });
    if (it != pending_.end()) {
      p = it->second;
      pending_.erase(it);
    }
    if (auto r = to_report(f, sensor_, p.baro_alt_m)) {
      r->source_offset = p.offset;
      out.push_back(std::move(*r));
    }
  }
}

}  // namespace skyfuse::mlat
