// File: eval/evaluation_json.hpp
//
// An evaluation as the one JSON object `skyfuse eval --json` prints: the
// summary figures (names with their units, docs/metrics.md), figures per
// coverage, the configuration used, and one entry per truth object. The CLI
// and the Python module (`skyfuse.eval`) both print it, so their numbers are
// the same to the last bit (doubles are written to round-trip exactly).
//
//   const eval::Evaluation ev = eval::evaluate(truth, tracks, cfg);
//   std::cout << eval::evaluation_json(ev, cfg, 0, 0) << "\n";
#pragma once

#include <string>

#include "eval/evaluator.hpp"

namespace skyfuse::eval {

// `truth_bad_lines`, `track_bad_lines`: input lines skipped while reading.
std::string evaluation_json(const Evaluation& ev, const EvalConfig& cfg, long truth_bad_lines,
                            long track_bad_lines);

}  // namespace skyfuse::eval
