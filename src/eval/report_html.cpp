#include "eval/report_html.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numbers>
#include <vector>

namespace skyfuse::eval {

namespace {

std::string escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      case '&':
        o += "&amp;";
        break;
      case '"':
        o += "&quot;";
        break;
      default:
        o += c;
    }
  }
  return o;
}

std::string colour(std::size_t k) {
  // Golden-angle hues: neighbours in id order get distinct colours.
  const double hue = std::fmod(static_cast<double>(k) * 137.508, 360.0);
  return fmt::format("hsl({:.0f},70%,45%)", hue);
}

struct Box {
  double x0, x1, y0, y1;
};

// Map-like plot: equirectangular, x scaled by cos(mean latitude).
std::string map_svg(std::span<const ObjectState> truth, std::span<const ObjectState> tracks) {
  constexpr int kW = 900, kH = 640;
  if (truth.empty() && tracks.empty()) return "<p>No positions.</p>";
  double lat0 = 0;
  Box b{1e9, -1e9, 1e9, -1e9};
  auto grow = [&](const ObjectState& s) {
    b.x0 = std::min(b.x0, s.position.lon_deg);
    b.x1 = std::max(b.x1, s.position.lon_deg);
    b.y0 = std::min(b.y0, s.position.lat_deg);
    b.y1 = std::max(b.y1, s.position.lat_deg);
  };
  for (const auto& s : truth) grow(s);
  for (const auto& s : tracks) grow(s);
  lat0 = (b.y0 + b.y1) / 2;
  const double kx = std::cos(lat0 * std::numbers::pi / 180);
  double w = std::max((b.x1 - b.x0) * kx, 1e-6), h = std::max(b.y1 - b.y0, 1e-6);
  const double scale = std::min((kW - 40) / w, (kH - 40) / h);
  auto px = [&](double lon) { return 20 + (lon - b.x0) * kx * scale; };
  auto py = [&](double lat) { return kH - 20 - (lat - b.y0) * scale; };
  std::string svg = fmt::format(
      "<svg viewBox='0 0 {} {}' width='{}' height='{}' class='map'><rect width='100%' "
      "height='100%' fill='#eef3f7'/>",
      kW, kH, kW, kH);
  // Graticule at a round step.
  const double span = std::max(b.x1 - b.x0, b.y1 - b.y0);
  double step = std::pow(10, std::floor(std::log10(std::max(span, 1e-6))));
  if (span / step < 3) {
    step /= 5;
  } else if (span / step < 6) {
    step /= 2;
  }
  for (double lon = std::ceil(b.x0 / step) * step; lon <= b.x1; lon += step)
    svg += fmt::format(
        "<line x1='{0:.1f}' x2='{0:.1f}' y1='0' y2='{1}' class='grid'/><text x='{2:.1f}' "
        "y='{3}' class='tick'>{4:.3f}°</text>",
        px(lon), kH, px(lon) + 2, kH - 4, lon);
  for (double lat = std::ceil(b.y0 / step) * step; lat <= b.y1; lat += step)
    svg += fmt::format(
        "<line y1='{0:.1f}' y2='{0:.1f}' x1='0' x2='{1}' class='grid'/><text y='{2:.1f}' "
        "x='2' class='tick'>{3:.3f}°</text>",
        py(lat), kW, py(lat) - 2, lat);
  auto polylines = [&](std::span<const ObjectState> states, bool is_truth) {
    std::map<std::string, std::vector<const ObjectState*>> by_id;
    for (const auto& s : states) by_id[s.id].push_back(&s);
    const std::size_t budget = 60000;
    const std::size_t stride = std::max<std::size_t>(1, states.size() / budget);
    std::size_t k = 0;
    for (auto& [id, v] : by_id) {
      std::string pts;
      for (std::size_t i = 0; i < v.size(); i += stride)
        pts +=
            fmt::format("{:.1f},{:.1f} ", px(v[i]->position.lon_deg), py(v[i]->position.lat_deg));
      if (v.size() > 1)
        pts += fmt::format("{:.1f},{:.1f}", px(v.back()->position.lon_deg),
                           py(v.back()->position.lat_deg));
      if (is_truth)
        svg += fmt::format("<polyline points='{}' class='truth'><title>truth {}</title></polyline>",
                           pts, escape(id));
      else
        svg += fmt::format(
            "<polyline points='{}' class='track' stroke='{}'><title>track {}</title>"
            "</polyline>",
            pts, colour(k), escape(id));
      ++k;
    }
  };
  polylines(truth, true);
  polylines(tracks, false);
  svg += "</svg>";
  return svg;
}

std::string line_chart(const std::vector<double>& t, const std::vector<std::vector<double>>& ys,
                       const std::vector<std::string>& names, const std::string& y_label) {
  constexpr int kW = 900, kH = 260, kL = 60, kB = 30;
  if (t.empty()) return "<p>No steps.</p>";
  double ymax = 1e-9;
  for (const auto& y : ys)
    for (double v : y) ymax = std::max(ymax, v);
  const double t0 = t.front(), t1 = std::max(t.back(), t0 + 1e-9);
  auto px = [&](double x) { return kL + (x - t0) / (t1 - t0) * (kW - kL - 10); };
  auto py = [&](double y) { return kH - kB - y / ymax * (kH - kB - 10); };
  std::string svg = fmt::format("<svg viewBox='0 0 {} {}' width='{}' height='{}'>", kW, kH, kW, kH);
  for (int i = 0; i <= 4; ++i) {
    const double v = ymax * i / 4;
    svg += fmt::format(
        "<line x1='{}' x2='{}' y1='{:.1f}' y2='{:.1f}' class='grid'/><text x='2' "
        "y='{:.1f}' class='tick'>{:.4g}</text>",
        kL, kW - 10, py(v), py(v), py(v) + 4, v);
  }
  svg += fmt::format("<text x='{}' y='{}' class='tick'>time since start [s] (0 … {:.0f})</text>",
                     kL, kH - 6, t1 - t0);
  svg += fmt::format("<text x='{}' y='12' class='tick'>{}</text>", kL + 4, escape(y_label));
  const std::size_t stride = std::max<std::size_t>(1, t.size() / 3000);
  for (std::size_t k = 0; k < ys.size(); ++k) {
    std::string pts;
    for (std::size_t i = 0; i < t.size(); i += stride)
      pts += fmt::format("{:.1f},{:.1f} ", px(t[i]), py(ys[k][i]));
    svg += fmt::format("<polyline points='{}' fill='none' stroke='{}' stroke-width='1.5'/>", pts,
                       colour(k * 2 + 1));
    svg += fmt::format("<text x='{}' y='{}' class='tick' style='fill:{};font-weight:600'>{}</text>",
                       kW - 200, 24 + 14 * k, colour(k * 2 + 1), escape(names[k]));
  }
  return svg + "</svg>";
}

std::vector<double> magnitudes(const std::vector<double>& values) {
  std::vector<double> out;
  out.reserve(values.size());
  for (double v : values) out.push_back(std::abs(v));
  return out;
}

// Of non-negative values.
std::string histogram(const std::vector<double>& values, const std::string& label) {
  constexpr int kW = 440, kH = 240, kBins = 40;
  if (values.empty()) return "<p>No assigned pairs.</p>";
  std::vector<double> v = values;
  std::sort(v.begin(), v.end());
  const double hi = std::max(v[std::min(v.size() - 1, v.size() * 99 / 100)], 1e-9);
  std::vector<int> bins(kBins, 0);
  for (double x : v) bins[std::min(kBins - 1, static_cast<int>(x / hi * kBins))]++;
  const int peak = std::max(1, *std::max_element(bins.begin(), bins.end()));
  std::string svg = fmt::format("<svg viewBox='0 0 {} {}' width='{}' height='{}'>", kW, kH, kW, kH);
  const double bw = (kW - 20.0) / kBins;
  for (int i = 0; i < kBins; ++i) {
    const double h = bins[i] * (kH - 50.0) / peak;
    svg += fmt::format("<rect x='{:.1f}' y='{:.1f}' width='{:.1f}' height='{:.1f}' class='bar'/>",
                       10 + i * bw, kH - 30 - h, bw - 1, h);
  }
  svg += fmt::format(
      "<text x='10' y='{}' class='tick'>0</text><text x='{}' y='{}' class='tick' "
      "text-anchor='end'>{:.4g} (p99; the last bin holds the rest)</text>",
      kH - 14, kW - 10, kH - 14, hi);
  svg += fmt::format("<text x='10' y='14' class='tick'>{} — n = {}, median {:.4g}</text>",
                     escape(label), v.size(), v[v.size() / 2]);
  return svg + "</svg>";
}

}  // namespace

std::string render_report(const Evaluation& ev, std::span<const ObjectState> truth,
                          std::span<const ObjectState> tracks, const std::string& title) {
  const Summary& s = ev.summary;
  std::string html = fmt::format(R"(<!doctype html><html><head><meta charset="utf-8">
<title>skyfuse evaluation — {0}</title><style>
body{{font-family:system-ui,sans-serif;margin:24px;color:#1d2733;max-width:960px}}
h1{{font-size:22px}} h2{{font-size:17px;margin-top:28px}}
table{{border-collapse:collapse;font-size:13px}} td,th{{border-bottom:1px solid #d5dde5;padding:3px 10px;text-align:right}}
td:first-child,th:first-child{{text-align:left}}
.grid{{stroke:#c9d3dc;stroke-width:0.6}} .tick{{font-size:10px;fill:#4b5866}}
.truth{{fill:none;stroke:#333;stroke-width:3;stroke-opacity:0.25}} .track{{fill:none;stroke-width:1.2}}
.bar{{fill:#3a78b5}} .row{{display:flex;gap:12px;flex-wrap:wrap}}
</style></head><body><h1>skyfuse evaluation — {0}</h1>
)",
                                 escape(title));
  html += "<h2>Summary</h2><table><tr><th>figure</th><th>value</th></tr>";
  auto row = [&](const char* name, const std::string& v) {
    html += fmt::format("<tr><td>{}</td><td>{}</td></tr>", name, v);
  };
  row("evaluation steps", std::to_string(s.steps));
  row("truth objects / tracks", fmt::format("{} / {}", s.truth_objects, s.tracks));
  row("GOSPA mean per step [m]", fmt::format("{:.2f}", s.gospa_mean_m));
  row("GOSPA per object [m]", fmt::format("{:.2f}", s.gospa_per_object_m));
  row("… localisation / missed / false [m]",
      fmt::format("{:.2f} / {:.2f} / {:.2f}", s.gospa_localisation_m, s.gospa_missed_m,
                  s.gospa_false_m));
  row("OSPA mean [m]", fmt::format("{:.2f}", s.ospa_mean_m));
  row("RMS horizontal / vertical / 3-D [m]",
      fmt::format("{:.2f} / {:.2f} / {:.2f}", s.rms_horizontal_m, s.rms_vertical_m, s.rms_3d_m));
  row("RMS velocity [m/s]", fmt::format("{:.2f}", s.rms_velocity_mps));
  row(fmt::format("positions within {:.0f} m", ev.config.within_threshold_m).c_str(),
      fmt::format("{:.3f} %", 100 * s.share_within_m));
  row(fmt::format("false positions (> {:.0f} m)", ev.config.false_position_m).c_str(),
      fmt::format("{:.3f} %", 100 * s.false_position_share));
  row("extra track positions", fmt::format("{:.3f} %", 100 * s.extra_track_share));
  row("truth coverage", fmt::format("{:.3f} %", 100 * s.truth_coverage));
  row("identity swaps / track breaks / false tracks",
      fmt::format("{} / {} / {}", s.identity_swaps, s.track_breaks, s.false_tracks));
  row("never tracked objects", std::to_string(s.never_tracked));
  row("mean initiation delay [s]", fmt::format("{:.2f}", s.initiation_delay_s));
  row("horizontal error p50 / p95 / p99 [m]",
      fmt::format("{:.1f} / {:.1f} / {:.1f}", s.horizontal_p50_m, s.horizontal_p95_m,
                  s.horizontal_p99_m));
  row("vertical bias / |vertical| p95 [m]",
      fmt::format("{:+.1f} / {:.1f}", s.vertical_bias_m, s.vertical_p95_m));
  row(fmt::format("probability of update ({:g} s)", ev.config.expected_update_interval_s).c_str(),
      fmt::format("{:.2f} %", 100 * s.update_probability));
  row("pressure altitude correct (300 ft)",
      s.mode_c_pairs ? fmt::format("{:.2f} % of {}", 100 * s.mode_c_correct_share, s.mode_c_pairs)
                     : std::string("not scored"));
  html += "</table>";

  html +=
      "<h2>By coverage (ESASSP style)</h2><table><tr><th>coverage</th><th>pairs</th>"
      "<th>RMS horizontal [m]</th><th>p95 horizontal [m]</th><th>RMS vertical [m]</th>"
      "<th>updated</th></tr>";
  double worst = 1;
  for (const auto& f : s.by_coverage) worst = std::max(worst, f.horizontal_p95_m);
  std::string bars;
  int n_bars = 0;
  for (std::size_t c = 0; c < kCoverageCount; ++c) {
    const CoverageFigures& f = s.by_coverage[c];
    if (f.pairs == 0) continue;
    const char* name = to_string(static_cast<Coverage>(c));
    html += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{:.1f}</td><td>{:.1f}</td><td>{:.1f}</td><td>{:.2f} "
        "%</td></tr>",
        name, f.pairs, f.rms_horizontal_m, f.horizontal_p95_m, f.rms_vertical_m,
        100 * f.update_probability);
    const double y = 10 + 26.0 * n_bars++;
    bars += fmt::format(
        "<text class='tick' x='0' y='{0:.0f}'>{1}</text>"
        "<rect class='bar' x='100' y='{2:.0f}' width='{3:.1f}' height='9'/>"
        "<rect x='100' y='{4:.0f}' width='{5:.1f}' height='9' fill='#c0602a'/>",
        y + 9, name, y, 480 * f.rms_horizontal_m / worst, y + 10, 480 * f.horizontal_p95_m / worst);
  }
  html += "</table>";
  if (n_bars > 0)
    html += fmt::format(
        "<svg width='640' height='{:.0f}' role='img' aria-label='horizontal error by "
        "coverage'>{}<text class='tick' x='100' y='{:.0f}'>blue: RMS horizontal, orange: 95th "
        "percentile; full width {:.0f} m</text></svg>",
        26.0 * n_bars + 24, bars, 26.0 * n_bars + 18, worst);

  html += "<h2>Truth (grey) and tracks (colours)</h2>" + map_svg(truth, tracks);

  std::vector<double> t, gospa, ospa, loc, miss, fal;
  const double t0 = ev.steps.empty() ? 0 : ev.steps.front().time.seconds();
  for (const auto& st : ev.steps) {
    t.push_back(st.time.seconds() - t0);
    gospa.push_back(st.gospa_m);
    ospa.push_back(st.ospa_m);
    loc.push_back(std::sqrt(st.localisation_m2));
    miss.push_back(std::sqrt(st.missed_m2));
    fal.push_back(std::sqrt(st.false_m2));
  }
  html += "<h2>GOSPA over time</h2>" +
          line_chart(t, {gospa, loc, miss, fal},
                     {"GOSPA", "localisation part", "missed part", "false part"}, "metres") +
          line_chart(t, {ospa}, {"OSPA"}, "metres");
  html += "<h2>Errors of assigned pairs</h2><div class='row'>" +
          histogram(ev.horizontal_errors_m, "horizontal error [m]") +
          histogram(ev.velocity_errors_mps, "velocity error [m/s]") +
          histogram(magnitudes(ev.vertical_errors_m), "|vertical error| [m]") + "</div>";

  html +=
      "<h2>Per truth object</h2><table><tr><th>truth</th><th>steps</th><th>covered</th>"
      "<th>tracks</th><th>swaps</th><th>breaks</th><th>initiation delay [s]</th></tr>";
  for (const auto& pt : ev.per_truth) {
    html += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{:.1f} %</td><td>{}</td><td>{}</td><td>{}</td>"
        "<td>{}</td></tr>",
        escape(pt.id), pt.steps, pt.steps ? 100.0 * pt.assigned_steps / pt.steps : 0.0,
        pt.distinct_tracks, pt.swaps, pt.breaks,
        pt.initiation_delay_s < 0 ? std::string("never")
                                  : fmt::format("{:.1f}", pt.initiation_delay_s));
  }
  html +=
      "</table><p style='font-size:12px;color:#667'>Definitions: docs/metrics.md. GOSPA with "
      "alpha = 2, p = " +
      fmt::format("{:g}, c = {:g} m", ev.config.gospa.p, ev.config.gospa.cutoff_m) +
      ".</p></body></html>\n";
  return html;
}

}  // namespace skyfuse::eval
