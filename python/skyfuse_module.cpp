// The Python module `skyfuse` (docs/design.md, "Python"): a thin binding over
// the stages that the verbs also call, so that Python gets the same fields and
// the same numbers as the binary:
//
//   decode  feeds::decode_file           (`skyfuse decode FILE`)
//   track   live::track_batch            (`skyfuse track --config C --out F`)
//   eval    eval::evaluate + evaluation_json (`skyfuse eval --json`)
//
// Records cross as JSON text written by the stages' own writers and parsed by
// Python's json module: one format, one definition of every field
// (docs/formats.md). The GIL is released while the stages run. A
// skyfuse::ConfigError becomes skyfuse.Error (a ValueError) with the message
// the binary prints after "skyfuse: error: ".
//
//   import skyfuse
//   rows = skyfuse.decode("capture.bin", "beast")
//   updates = skyfuse.track("sensors.toml", out="tracks.jsonl")
//   figures = skyfuse.eval("truth.jsonl", "tracks.jsonl", conventions="independent")
#include <fmt/format.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "eval/evaluation_json.hpp"
#include "eval/evaluator.hpp"
#include "feeds/decode_file.hpp"
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
                     std::vector<std::string> editions, std::string specs, bool stats) {
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
                    bool stats) {
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

py::object py_eval(const std::string& truth_path, const std::string& tracks_path,
                   const std::string& conventions) {
  eval::EvalConfig cfg;
  if (conventions == "independent")
    cfg = eval::independent_conventions();
  else if (conventions != "skyfuse")
    throw ConfigError(fmt::format("conventions \"{}\": skyfuse or independent", conventions));
  std::string json;
  {
    py::gil_scoped_release release;
    const io::StateFile truth = read(truth_path);
    const io::StateFile tracks = read(tracks_path);
    const eval::Evaluation ev = eval::evaluate(truth.states, tracks.states, cfg);
    json = eval::evaluation_json(ev, cfg, truth.error_count, tracks.error_count);
  }
  return loads(json);
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
        "Decode a recorded feed like `skyfuse decode --format FORMAT PATH`: a list with one "
        "dict per message (beast, avr, sbs, csv) or record (asterix, final, pcap, gps). "
        "receiver_deg=(lat, lon) enables surface positions; editions=['48=1.32'] picks ASTERIX "
        "editions. With stats=True: (records, counts as `--stats` prints them, plus 'errors' "
        "and the first error 'messages').");
  m.def("track", &py_track, py::arg("config"), py::kw_only(), py::arg("out") = "",
        py::arg("specs") = std::string(SKYFUSE_SPECS_DIR), py::arg("stats") = false,
        "Track a configuration's recorded feeds like `skyfuse track --config CONFIG --out OUT`: "
        "the list of track updates as dicts (the lines of OUT, also written when out is "
        "given). With stats=True: (updates, {'counters', 'registration', 'messages', "
        "'seconds'}).");
  m.def("eval", &py_eval, py::arg("truth"), py::arg("tracks"), py::arg("conventions") = "skyfuse",
        "Score a track file against a truth file like `skyfuse eval --json`: the same dict "
        "(GOSPA, RMS, continuity ...; docs/metrics.md). conventions: 'skyfuse' or "
        "'independent' (those of the independent scenarios).");
}
