#include "columns.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <unordered_map>
#include <utility>

#include "core/error.hpp"

namespace py = pybind11;

namespace skyfuse::python {
namespace {

// One column's cells, one per record; a null handle is a missing value.
struct Column {
  std::string name;
  std::vector<py::object> cells;
};

class Columns {
 public:
  explicit Columns(std::size_t rows) : rows_(rows) {}

  void add(const std::string& name, std::size_t row, py::handle value) {
    auto [it, inserted] = index_.try_emplace(name, columns_.size());
    if (inserted) columns_.push_back({name, std::vector<py::object>(rows_)});
    columns_[it->second].cells[row] = py::reinterpret_borrow<py::object>(value);
  }
  std::vector<Column>& columns() { return columns_; }

 private:
  std::size_t rows_;
  std::unordered_map<std::string, std::size_t> index_;
  std::vector<Column> columns_;  // in order of first appearance
};

void flatten(py::handle value, const std::string& name, std::size_t row, Columns& out) {
  if (PyDict_Check(value.ptr())) {
    for (auto [k, v] : py::reinterpret_borrow<py::dict>(value))
      flatten(v, name + "." + py::str(k).cast<std::string>(), row, out);
    return;
  }
  out.add(name, row, value);
}

constexpr double kExactDouble = 9007199254740992.0;  // 2^53: larger integers lose digits

py::array to_array(const std::vector<py::object>& cells) {
  bool missing = false, is_bool = true, is_int = true, is_number = true;
  for (const py::object& c : cells) {
    if (!c) {
      missing = true;
      continue;
    }
    PyObject* p = c.ptr();
    const bool b = PyBool_Check(p);
    is_bool = is_bool && b;
    if (b || !(PyLong_Check(p) || PyFloat_Check(p))) {
      is_int = is_number = false;
      continue;
    }
    if (PyLong_Check(p)) {
      int overflow = 0;
      const long long v = PyLong_AsLongLongAndOverflow(p, &overflow);
      if (overflow != 0 || std::abs(static_cast<double>(v)) > kExactDouble)
        is_int = is_number = false;  // kept exactly, as Python ints (object)
    } else {
      is_int = false;
    }
  }
  const auto n = static_cast<py::ssize_t>(cells.size());
  if (is_bool && !missing) {
    py::array_t<bool> a(n);
    auto w = a.mutable_unchecked<1>();
    for (py::ssize_t i = 0; i < n; ++i) w(i) = cells[static_cast<std::size_t>(i)].ptr() == Py_True;
    return a;
  }
  if (is_int && !missing) {
    py::array_t<std::int64_t> a(n);
    auto w = a.mutable_unchecked<1>();
    for (py::ssize_t i = 0; i < n; ++i)
      w(i) = PyLong_AsLongLong(cells[static_cast<std::size_t>(i)].ptr());
    return a;
  }
  if (is_number && !is_bool) {
    py::array_t<double> a(n);
    auto w = a.mutable_unchecked<1>();
    for (py::ssize_t i = 0; i < n; ++i) {
      const py::object& c = cells[static_cast<std::size_t>(i)];
      w(i) = c ? PyFloat_AsDouble(c.ptr()) : std::nan("");
    }
    return a;
  }
  // Strings, mixed values, lists: the Python objects themselves (None when missing).
  py::array a = py::module_::import("numpy").attr("empty")(n, py::arg("dtype") = "object");
  auto** slots = static_cast<PyObject**>(a.mutable_data());
  for (py::ssize_t i = 0; i < n; ++i) {
    const py::object& c = cells[static_cast<std::size_t>(i)];
    if (!c) continue;  // numpy.empty filled it with None
    Py_XDECREF(slots[i]);
    slots[i] = c.inc_ref().ptr();
  }
  return a;
}

// Sets a dotted name in a nested dict: "sources.mode_s" -> {"sources": {"mode_s": v}}.
void set_nested(py::dict& row, const std::string& name, py::handle value) {
  py::dict d = row;
  std::size_t start = 0;
  for (std::size_t dot = name.find('.'); dot != std::string::npos; dot = name.find('.', start)) {
    const py::str key(name.substr(start, dot - start));
    if (!d.contains(key)) d[key] = py::dict();
    d = d[key].cast<py::dict>();
    start = dot + 1;
  }
  d[py::str(name.substr(start))] = value;
}

}  // namespace

py::dict columns_from_records(const py::list& records) {
  Columns cols(records.size());
  std::size_t row = 0;
  for (py::handle r : records) {
    if (!PyDict_Check(r.ptr())) throw ConfigError("records must be dicts");
    for (auto [k, v] : py::reinterpret_borrow<py::dict>(r)) {
      std::string name = py::str(k).cast<std::string>();
      if (name == "time") name = "time_s";
      flatten(v, name, row, cols);
    }
    ++row;
  }
  py::dict out;
  for (Column& c : cols.columns()) out[py::str(c.name)] = to_array(c.cells);
  return out;
}

std::vector<std::string> json_rows(const py::handle& columns, const std::string& what) {
  const py::module_ np = py::module_::import("numpy");
  std::vector<std::pair<std::string, py::list>> cols;
  std::size_t rows = 0;
  for (py::handle key : columns.attr("keys")()) {
    std::string name = py::str(key).cast<std::string>();
    const py::array a = np.attr("asarray")(columns.attr("__getitem__")(key));
    if (a.ndim() != 1)
      throw ConfigError(fmt::format("{}: column \"{}\" is not one-dimensional", what, name));
    if (!cols.empty() && static_cast<std::size_t>(a.shape(0)) != rows)
      throw ConfigError(fmt::format("{}: column \"{}\" has {} rows, \"{}\" {}", what, name,
                                    a.shape(0), cols.front().first, rows));
    rows = static_cast<std::size_t>(a.shape(0));
    if (name == "time_s") name = "time";
    cols.emplace_back(std::move(name), a.attr("tolist")().cast<py::list>());
  }
  const py::object dumps = py::module_::import("json").attr("dumps");
  std::vector<std::string> lines;
  lines.reserve(rows);
  for (std::size_t i = 0; i < rows; ++i) {
    py::dict row;
    for (const auto& [name, values] : cols) {
      py::handle v = values[i];
      if (v.is_none() || (PyFloat_Check(v.ptr()) && std::isnan(PyFloat_AsDouble(v.ptr()))))
        continue;
      // An integral float (a NaN-padded integer column: `sources.adsb`) goes
      // back as an integer: JSON has one number type, the parsers want counts whole.
      if (PyFloat_Check(v.ptr())) {
        const double d = PyFloat_AsDouble(v.ptr());
        if (std::abs(d) <= kExactDouble && d == std::floor(d)) {
          set_nested(row, name, py::int_(static_cast<long long>(d)));
          continue;
        }
      }
      set_nested(row, name, v);
    }
    lines.push_back(dumps(row).cast<std::string>());
  }
  return lines;
}

}  // namespace skyfuse::python
