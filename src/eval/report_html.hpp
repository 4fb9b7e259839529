// File: eval/report_html.hpp
//
// A self-contained HTML page (inline SVG, no scripts, no network) showing an
// evaluation: truth and tracks on a map-like plot, GOSPA over time, error
// histograms, the summary table and per-object continuity.
//
//   std::string html = eval::render_report(evaluation, truth, tracks, "run 42");
#pragma once

#include <span>
#include <string>

#include "core/types.hpp"
#include "eval/evaluator.hpp"

namespace skyfuse::eval {

std::string render_report(const Evaluation& ev, std::span<const ObjectState> truth,
                          std::span<const ObjectState> tracks, const std::string& title);

}  // namespace skyfuse::eval
