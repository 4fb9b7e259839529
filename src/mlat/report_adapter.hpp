// File: mlat/report_adapter.hpp
//
// The multilaterator as a sensor of the tracker: messages of a receiver
// network go in (time order), and every fix flagged ok comes out as a
// `Report` (sensor kind kMlat): WGS-84 position, the horizontal covariance of
// the fix (east/north, m^2; the height is the message's pressure altitude,
// not a measured geometric height), the 24-bit address as identity when the
// message had one, and the fix's time. Fixes with any other flag are counted
// per flag, never reported.
//
//   mlat::ReportAdapter a(receivers, mlat::MultilateratorConfig{}, sensor_id);
//   std::vector<Report> out;
//   for (const mlat::Message& m : rows) a.push(m, out);
//   a.flush(out);
//   a.counts(mlat::FixFlag::kBadGeometry);   // fixes left out for their geometry
//
// Units: SI; covariances in m^2.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/types.hpp"
#include "mlat/message.hpp"
#include "mlat/multilaterator.hpp"

namespace skyfuse::mlat {

inline constexpr std::size_t kFixFlagCount = 7;

// The report of one fix, or nothing unless it is flagged ok.
std::optional<Report> to_report(const Fix& fix, SensorId sensor, std::optional<double> baro_alt_m);

class ReportAdapter {
 public:
  // `receivers` must outlive the adapter.
  ReportAdapter(const ReceiverSet& receivers, MultilateratorConfig cfg, SensorId sensor);

  // `source_offset`: where the message came from (copied to its report).
  void push(const Message& m, std::vector<Report>& out, std::int64_t source_offset = -1);
  void flush(std::vector<Report>& out);

  // Fixes per flag (ok: reported), and messages seen.
  std::int64_t counts(FixFlag f) const { return flags_[static_cast<std::size_t>(f)]; }
  std::int64_t messages() const { return messages_; }
  const Multilaterator& multilaterator() const { return ml_; }

 private:
  struct Pending {
    std::optional<double> baro_alt_m;
    std::int64_t offset;
  };
  void emit(const std::vector<Fix>& fixes, std::vector<Report>& out);

  Multilaterator ml_;
  SensorId sensor_;
  std::array<std::int64_t, kFixFlagCount> flags_{};
  std::int64_t messages_ = 0;
  // Per message id waiting for its fix (look-ahead): what the report needs.
  std::vector<std::pair<std::int64_t, Pending>> pending_;
};

}  // namespace skyfuse::mlat
