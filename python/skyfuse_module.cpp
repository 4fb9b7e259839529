// The Python module `skyfuse` (docs/design.md, "Python"): a thin binding over
// the stages that the verbs also call, so that Python gets the same fields and
// the same numbers as the binary:
//
//   decode  feeds::decode_file           (`skyfuse decode FILE`)
//   track   live::track_batch            (`skyfuse track --config C --out F`)
//   eval    eval::evaluate + evaluation_json (`skyfuse eval --json`)
//   geodetic_to_enu / enu_to_geodetic   geo::LocalFrame (GeographicLib)
//
// Records cross as JSON text written by the stages' own writers and parsed by
// Python's json module: one format, one definition of every field
// (docs/formats.md). The GIL is released while the stages run. A
// skyfuse::ConfigError becomes skyfuse.Error (a ValueError) with the message
// the binary prints after "skyfuse: error: ". With as_arrays=True, decode and
// track return columns (a dict of numpy arrays, python/columns.hpp) instead of
// a list of dicts, and eval takes columns (or a list of dicts) as well as files.
//
//   import skyfuse
//   rows = skyfuse.decode("capture.bin", "beast")
//   updates = skyfuse.track("sensors.toml", out="tracks.jsonl")
//   figures = skyfuse.eval("truth.jsonl", "tracks.jsonl", conventions="independent")
//   cols = skyfuse.track("sensors.toml", as_arrays=True)   # pandas.DataFrame(cols)
//   figures = skyfuse.eval(truth_columns, cols)
#include <fmt/format.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "columns.hpp"
#include "core/error.hpp"
#include "eval/evaluation_json.hpp"
#include "eval/evaluator.hpp"
#include "feeds/decode_file.hpp"
#include "geo/wgs84.hpp"
#include "io/jsonl.hpp"
#include "live/batch_track.hpp"
#include "live/system_config_loader.hpp"
#include "output/sinks.hpp"
#include "tracking/stats.hpp"

namespace py = pybind11;

namespace {

using namespace skyfuse;

// JSON text as Python objects (dicts, lists, numbers as Python reads them).
py::object loads(const std::string& json_text) {
  return py::module_::import("json").attr("loads")(json_text);
}

// Appends JSON objects to one array text, so Python parses once.
class JsonArray {
 public:
  void add(std::string_view object) {
    text_ += text_.empty() ? '[' : ',';
    text_ += object;
  }
  std::string close() && { return text_.empty() ? "[]" : std::move(text_) + "]"; }

 private:
  std::string text_;
};

py::object py_decode(const std::string& path, const std::string& format, bool all, bool oradis,
                     std::optional<std::pair<double, double>> receiver_deg,
                     std::optional<double> start_unix, int max_corrected_bits,
                     std::vector<std::string> editions, std::string specs, bool stats,
                     bool as_arrays) {
  feeds::DecodeOptions o;
  o.format = format;
  o.all = all;
  o.oradis = oradis;
  if (receiver_deg) o.receiver = GeodeticPosition{receiver_deg->first, receiver_deg->second, 0};
  if (start_unix) o.start_unix = *start_unix;
  o.max_corrected_bits = max_corrected_bits;
  o.editions = std::move(editions);
  o.specs = std::move(specs);
  JsonArray rows;
  feeds::DecodeSummary s;
  {
    py::gil_scoped_release release;
    s = feeds::decode_file(path, o, [&](std::string_view line) { rows.add(line); });
  }
  const std::string nothing = feeds::nothing_decoded(path, format, s);
  if (!nothing.empty()) throw ConfigError(nothing);
  py::object records = loads(std::move(rows).close());
  if (as_arrays) records = python::columns_from_records(py::list(records));
  if (!stats) return records;
  py::dict summary = loads(s.stats_json);
  summary["errors"] = s.errors;
  summary["messages"] = s.messages;
  return py::make_tuple(records, summary);
}

// Every track update, as the JSON Lines sink writes it (io::to_json).
class CollectSink final : public output::TrackSink {
 public:
  void update(const ObjectState& s) override { rows_.add(io::to_json(s)); }
  std::string close() && { return std::move(rows_).close(); }

 private:
  JsonArray rows_;
};

py::object py_track(const std::string& config, const std::string& out, const std::string& specs,
                    bool stats, bool as_arrays) {
  CollectSink collect;
  live::BatchResult r;
  {
    py::gil_scoped_release release;
    const live::SystemConfig cfg = live::load_system_config(config);
    output::JsonLinesSink lines(out, nullptr);  // no file when `out` is empty
    output::TrackSink* sinks[] = {&lines, &collect};
    r = live::track_batch(cfg, specs, sinks);
    if (r.stats.reports == 0)
      throw ConfigError(
          fmt::format("no report could be read from the {} input(s){}", cfg.sensors.size(),
                      r.input_errors > 0 ? fmt::format(" ({} input errors)", r.input_errors) : ""));
  }
  py::object updates = loads(std::move(collect).close());
  if (as_arrays) updates = python::columns_from_records(py::list(updates));
  if (!stats) return updates;
  py::dict counters;
  for (const tracking::StatEntry& e : tracking::describe(r.stats))
    counters[py::str(std::string(e.key))] = e.value;
  counters["input_errors"] = r.input_errors;
  counters["time_rejected"] = r.time_rejected;
  py::list registration;
  for (const auto& [name, b] : r.registration) {
    py::dict d;
    d["name"] = name;
    d["range_bias_m"] = b.range_m;
    d["azimuth_bias_rad"] = b.azimuth_rad;
    d["samples"] = b.samples;
    registration.append(d);
  }
  py::list messages;
  for (const auto& f : r.feeds)
    for (const auto& m : f.messages) messages.append(m);
  for (const auto& m : r.rejected) messages.append(m);
  py::dict summary;
  summary["counters"] = counters;
  summary["registration"] = registration;
  summary["messages"] = messages;
  summary["seconds"] = r.seconds;
  return py::make_tuple(updates, summary);
}

io::StateFile read(const std::string& path) {
  auto r = io::read_states(path);
  if (!r) throw ConfigError(r.error().detail);
  return std::move(r).value();
}

// Truth or tracks from a path (str or os.PathLike), columns (a mapping of
// arrays, as track(as_arrays=True) returns) or a list of dicts (as track
// returns): each row parsed by the file reader's own line parser, so the same
// fields count. A bad row raises (a file's bad line is counted and skipped).
io::StateFile states_from(const py::object& src, const std::string& what) {
  if (py::isinstance<py::str>(src) || py::hasattr(src, "__fspath__")) {
    const auto path = py::module_::import("os").attr("fspath")(src).cast<std::string>();
    py::gil_scoped_release release;
    return read(path);
  }
  std::vector<std::string> lines;
  if (py::hasattr(src, "keys")) {
    lines = python::json_rows(src, what);
  } else {
    const py::object dumps = py::module_::import("json").attr("dumps");
    for (py::handle row : src) lines.push_back(dumps(row).cast<std::string>());
  }
  io::StateFile f;
  f.lines = static_cast<long>(lines.size());
  f.states.reserve(lines.size());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    auto s = io::parse_state(lines[i]);
    if (!s) throw ConfigError(fmt::format("{} row {}: {}", what, i, s.error().detail));
    f.states.push_back(std::move(s).value());
  }
  return f;
}

py::object py_eval(const py::object& truth_src, const py::object& tracks_src,
                   const std::string& conventions) {
  eval::EvalConfig cfg;
  if (conventions == "independent")
    cfg = eval::independent_conventions();
  else if (conventions != "skyfuse")
    throw ConfigError(fmt::format("conventions \"{}\": skyfuse or independent", conventions));
  const io::StateFile truth = states_from(truth_src, "truth");
  const io::StateFile tracks = states_from(tracks_src, "tracks");
  std::string json;
  {
    py::gil_scoped_release release;
    const eval::Evaluation ev = eval::evaluate(truth.states, tracks.states, cfg);
    json = eval::evaluation_json(ev, cfg, truth.error_count, tracks.error_count);
  }
  return loads(json);
}

using Doubles = py::array_t<double, py::array::c_style | py::array::forcecast>;

geo::LocalFrame frame_at(const std::vector<double>& origin_deg) {
  if (origin_deg.size() != 3)
    throw ConfigError("origin_deg: (lat_deg, lon_deg, alt_m) of the local frame's origin");
  return geo::LocalFrame({origin_deg[0], origin_deg[1], origin_deg[2]});
}

std::size_t same_length(std::initializer_list<const Doubles*> arrays) {
  std::size_t n = 0;
  bool first = true;
  for (const Doubles* a : arrays) {
    if (a == nullptr) continue;
    if (a->ndim() != 1) throw ConfigError("coordinates must be one-dimensional arrays");
    const auto m = static_cast<std::size_t>(a->shape(0));
    if (!first && m != n) throw ConfigError("coordinate arrays of different lengths");
    n = m;
    first = false;
  }
  return n;
}

// Velocities are optional (all three or none); they are rotated between the
// ENU axes at each point and the frame's axes at its origin.
py::dict py_geodetic_to_enu(const std::vector<double>& origin_deg, const Doubles& lat,
                            const Doubles& lon, const Doubles& alt,
                            const std::optional<Doubles>& ve, const std::optional<Doubles>& vn,
                            const std::optional<Doubles>& vu) {
  const geo::LocalFrame frame = frame_at(origin_deg);
  const bool vel = ve && vn && vu;
  const std::size_t n = same_length(
      {&lat, &lon, &alt, vel ? &*ve : nullptr, vel ? &*vn : nullptr, vel ? &*vu : nullptr});
  const auto len = static_cast<py::ssize_t>(n);
  Doubles e(len), no(len), u(len), oe(vel ? len : 0), on(vel ? len : 0), ou(vel ? len : 0);
  for (py::ssize_t i = 0; i < len; ++i) {
    const GeodeticPosition p{lat.at(i), lon.at(i), alt.at(i)};
    const Eigen::Vector3d x = frame.forward(p);
    e.mutable_at(i) = x.x();
    no.mutable_at(i) = x.y();
    u.mutable_at(i) = x.z();
    if (!vel) continue;
    const Eigen::Vector3d v = frame.rotate_from(p, {ve->at(i), vn->at(i), vu->at(i)});
    oe.mutable_at(i) = v.x();
    on.mutable_at(i) = v.y();
    ou.mutable_at(i) = v.z();
  }
  py::dict d;
  d["e_m"] = e;
  d["n_m"] = no;
  d["u_m"] = u;
  if (vel) {
    d["ve_mps"] = oe;
    d["vn_mps"] = on;
    d["vu_mps"] = ou;
  }
  return d;
}

py::dict py_enu_to_geodetic(const std::vector<double>& origin_deg, const Doubles& e,
                            const Doubles& n_m, const Doubles& u, const std::optional<Doubles>& ve,
                            const std::optional<Doubles>& vn, const std::optional<Doubles>& vu) {
  const geo::LocalFrame frame = frame_at(origin_deg);
  const bool vel = ve && vn && vu;
  const std::size_t n =
      same_length({&e, &n_m, &u, vel ? &*ve : nullptr, vel ? &*vn : nullptr, vel ? &*vu : nullptr});
  const auto len = static_cast<py::ssize_t>(n);
  Doubles lat(len), lon(len), alt(len), oe(vel ? len : 0), on(vel ? len : 0), ou(vel ? len : 0);
  for (py::ssize_t i = 0; i < len; ++i) {
    const GeodeticPosition p = frame.reverse({e.at(i), n_m.at(i), u.at(i)});
    lat.mutable_at(i) = p.lat_deg;
    lon.mutable_at(i) = p.lon_deg;
    alt.mutable_at(i) = p.alt_m;
    if (!vel) continue;
    const Eigen::Vector3d v = frame.rotate_to(p, {ve->at(i), vn->at(i), vu->at(i)});
    oe.mutable_at(i) = v.x();
    on.mutable_at(i) = v.y();
    ou.mutable_at(i) = v.z();
  }
  py::dict d;
  d["lat_deg"] = lat;
  d["lon_deg"] = lon;
  d["alt_m"] = alt;
  if (vel) {
    d["ve_mps"] = oe;
    d["vn_mps"] = on;
    d["vu_mps"] = ou;
  }
  return d;
}

}  // namespace

PYBIND11_MODULE(skyfuse, m) {
  m.doc() =
      "skyfuse: open multi-sensor air surveillance (civil and defensive use). The same stages "
      "as the skyfuse binary: decode, track, eval. Records are dicts with the fields of "
      "docs/formats.md (units in the names).";
  m.attr("__version__") = SKYFUSE_VERSION;
  m.def(
      "version", [] { return std::string(SKYFUSE_VERSION); }, "skyfuse's version, e.g. 0.1.0");
  py::register_exception<ConfigError>(m, "Error", PyExc_ValueError);
  m.def("decode", &py_decode, py::arg("path"), py::arg("format") = "beast", py::kw_only(),
        py::arg("all") = false, py::arg("oradis") = false, py::arg("receiver_deg") = py::none(),
        py::arg("start_unix") = py::none(), py::arg("max_corrected_bits") = 1,
        py::arg("editions") = std::vector<std::string>{},
        py::arg("specs") = std::string(SKYFUSE_SPECS_DIR), py::arg("stats") = false,
        py::arg("as_arrays") = false,
        "Decode a recorded feed like `skyfuse decode --format FORMAT PATH`: a list with one "
        "dict per message (beast, avr, sbs, csv) or record (asterix, final, pcap, gps). "
        "receiver_deg=(lat, lon) enables surface positions; editions=['48=1.32'] picks ASTERIX "
        "editions. With stats=True: (records, counts as `--stats` prints them, plus 'errors' "
        "and the first error 'messages'). With as_arrays=True: a dict of numpy arrays, one "
        "column per field (nested fields joined with '.', `time` as `time_s`, codes as str; "
        "docs/python.md).");
  m.def("track", &py_track, py::arg("config"), py::kw_only(), py::arg("out") = "",
        py::arg("specs") = std::string(SKYFUSE_SPECS_DIR), py::arg("stats") = false,
        py::arg("as_arrays") = false,
        "Track a configuration's recorded feeds like `skyfuse track --config CONFIG --out OUT`: "
        "the list of track updates as dicts (the lines of OUT, also written when out is "
        "given). With stats=True: (updates, {'counters', 'registration', 'messages', "
        "'seconds'}). With as_arrays=True: a dict of numpy arrays (time_s, id, lat_deg, "
        "lon_deg, alt_m, ...).");
  m.def("eval", &py_eval, py::arg("truth"), py::arg("tracks"), py::arg("conventions") = "skyfuse",
        "Score tracks against truth like `skyfuse eval --json`: the same dict "
        "(GOSPA, RMS, continuity ...; docs/metrics.md). conventions: 'skyfuse' or "
        "'independent' (those of the independent scenarios). truth and tracks: a path, "
        "columns (a dict of arrays: time_s, id, lat_deg, lon_deg, alt_m and optionally "
        "ve_mps, vn_mps, vu_mps, status, sources.<kind>, icao24 ...) or a list of dicts.");
  m.def("geodetic_to_enu", &py_geodetic_to_enu, py::arg("origin_deg"), py::arg("lat_deg"),
        py::arg("lon_deg"), py::arg("alt_m"), py::kw_only(), py::arg("ve_mps") = py::none(),
        py::arg("vn_mps") = py::none(), py::arg("vu_mps") = py::none(),
        "WGS-84 positions (degrees, metres above the ellipsoid) to east/north/up metres in "
        "the local frame at origin_deg=(lat_deg, lon_deg, alt_m): {'e_m', 'n_m', 'u_m'} "
        "arrays; with velocities (ENU at each point) also {'ve_mps', 'vn_mps', 'vu_mps'} in "
        "the frame's axes.");
  m.def("enu_to_geodetic", &py_enu_to_geodetic, py::arg("origin_deg"), py::arg("e_m"),
        py::arg("n_m"), py::arg("u_m"), py::kw_only(), py::arg("ve_mps") = py::none(),
        py::arg("vn_mps") = py::none(), py::arg("vu_mps") = py::none(),
        "The reverse of geodetic_to_enu: {'lat_deg', 'lon_deg', 'alt_m'} (and velocities "
        "rotated into the ENU axes at each point).");
}
