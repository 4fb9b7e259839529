// File: python/columns.hpp
//
// Records (a list of dicts, as the module's decode/track return them) <-> columns
// (a dict of one-dimensional numpy arrays, one row per record), so that
// pandas.DataFrame(columns) loads without surprises:
//
//   - nested dicts are flattened with "." (ASTERIX `items.070.MODE3A`, track
//     `sources.mode_s`), as pandas.json_normalize names them;
//   - the top-level `time` (Unix seconds) is named `time_s`;
//   - a column's dtype follows its values: bool (no missing value), int64 (every
//     row an integer), float64 (numbers; a missing value is NaN), and object
//     otherwise: strings stay Python str (a Mode A code "0012" never becomes 12;
//     a missing string is None), lists stay lists.
//
// The reverse (rows_from_columns) gives one JSON object per row for the
// stages' own line parsers: missing values (None, NaN) are left out, `time_s`
// becomes `time` again and dotted names nest again.
//
//   py::dict cols = columns_from_records(records);     // {"time_s": array([...]), ...}
//   std::vector<std::string> lines = json_rows(cols);  // {"time":..., "sources":{...}}
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <string>
#include <vector>

namespace skyfuse::python {

pybind11::dict columns_from_records(const pybind11::list& records);

// One JSON object text per row of `columns` (a mapping of equal-length
// one-dimensional array-likes); throws ConfigError naming the column when
// lengths differ or a column is not one-dimensional.
std::vector<std::string> json_rows(const pybind11::handle& columns, const std::string& what);

}  // namespace skyfuse::python
