#!/usr/bin/env python3
"""Columns from the Python module (issue #21): decode(..., as_arrays=True) and
track(..., as_arrays=True) give a dict of numpy arrays that agrees element for
element with the list of dicts the same call returns without it (flattened
names, `time` as `time_s`, NaN/None where a record lacks the field), codes stay
str, and eval scores columns (or a list of dicts) exactly as it scores the
files: every figure equal to `skyfuse eval --json`. geodetic_to_enu /
enu_to_geodetic against hand-derived values.

  skyfuse_arrays_test.py SKYFUSE SOURCE_DIR WORK_DIR MODULE_DIR
"""
import gzip
import json
import math
import os
import subprocess
import sys
import time

import numpy as np

skyfuse_bin, source, work, module_dir = [os.path.abspath(a) for a in sys.argv[1:5]]
sys.path.insert(0, module_dir)
import skyfuse  # noqa: E402

os.makedirs(work, exist_ok=True)
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)


def flatten(record):
    """The columns' naming, written independently of the module."""
    out = {}

    def walk(value, name):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, f"{name}.{k}")
        else:
            out[name] = value
    for k, v in record.items():
        walk(v, "time_s" if k == "time" else k)
    return out


def agree(records, cols):
    """First disagreement between records and columns, or None."""
    flat = [flatten(r) for r in records]
    names = list(dict.fromkeys(k for f in flat for k in f))
    if list(cols) != names:
        return f"columns {list(cols)[:8]}... != fields {names[:8]}..."
    for name, a in cols.items():
        if not isinstance(a, np.ndarray) or a.ndim != 1 or len(a) != len(records):
            return f"{name}: not a 1-D array of {len(records)}"
        for i, f in enumerate(flat):
            v, x = f.get(name), a[i]
            if v is None:
                ok = x is None or (isinstance(x, float) and math.isnan(x))
            elif isinstance(v, bool):
                ok = a.dtype in (np.bool_, object) and bool(x) is v
            elif isinstance(v, str):
                ok = a.dtype == object and isinstance(x, str) and x == v
            elif isinstance(v, (int, float)):
                ok = a.dtype in (np.int64, np.float64) and x == v
            else:
                ok = a.dtype == object and x == v
            if not ok:
                return f"{name}[{i}]: {x!r} ({a.dtype}) != {v!r}"
    return None


data = os.path.join(source, "tests/data/independent/ch-20min-cut")
commb = os.path.join(source, "tests/data/adsb/sample_data_commb_df21.csv")
for fmt, path, kw in (("csv", os.path.join(source, "tests/data/adsb/sample_data_adsb.csv"), {}),
                      ("csv", commb, {"all": True}),
                      ("asterix", os.path.join(data, "radar_20_1.ast"), {}),
                      ("remoteid", os.path.join(source, "tests/data/remoteid/odid_wifi_sample.pcap"),
                       {})):
    records = skyfuse.decode(path, fmt, **kw)
    t = time.monotonic()
    cols = skyfuse.decode(path, fmt, as_arrays=True, **kw)
    seconds = time.monotonic() - t
    diff = agree(records, cols)
    check(len(records) > 40 and diff is None,
          f"decode --format {fmt} {os.path.basename(path)}: {len(cols)} columns x {len(records)} "
          f"rows agree with the dicts ({seconds:.2f} s){': ' + diff if diff else ''}")

# dtypes as pandas will see them: codes str (leading zeros kept), numbers float/int.
cols = skyfuse.decode(commb, "csv", all=True, as_arrays=True)
sq = cols["squawk"]
present = [s for s in sq if s is not None]
check(sq.dtype == object and len(present) > 100 and all(isinstance(s, str) and len(s) == 4 for s in present)
      and any(s.startswith("0") for s in present),
      f"squawk: object column of {len(present)} 4-digit str (leading zeros kept)")
check(cols["time_s"].dtype == np.float64 and cols["df"].dtype == np.int64 and
      cols["icao24"].dtype == object, "time_s float64, df int64, icao24 str")
radar = skyfuse.decode(os.path.join(data, "radar_20_1.ast"), "asterix", as_arrays=True)
check(radar["items.070.MODE3A"].dtype == object and radar["items.040.RHO"].dtype == np.float64 and
      radar["items.010.SAC"].dtype == np.int64 and set(radar["items.010.SAC"]) == {20},
      "ASTERIX: items.070.MODE3A str, items.040.RHO float64, items.010.SAC int64 (all 20)")
rows, stats = skyfuse.decode(commb, "csv", all=True, as_arrays=True, stats=True)
check(isinstance(rows, dict) and stats["errors"] == 0, "as_arrays with stats: (columns, stats)")

# Track the independent scenario (as tests/tracking/independent_test.py configures it).
template = open(os.path.join(source, "tests/data/independent/sensors_from_description.toml")).read()
config = os.path.join(work, "sensors.toml")
open(config, "w").write(template.replace('"file:', f'"file:{data}/'))
tracks_file = os.path.join(work, "tracks.jsonl")
updates = skyfuse.track(config, out=tracks_file)
t = time.monotonic()
track_cols = skyfuse.track(config, as_arrays=True)
seconds = time.monotonic() - t
diff = agree(updates, track_cols)
check(len(updates) > 1000 and diff is None,
      f"track: {len(track_cols)} columns x {len(updates)} rows agree with the dicts "
      f"({seconds:.2f} s){': ' + diff if diff else ''}")
check(all(n in track_cols for n in ("time_s", "id", "lat_deg", "lon_deg", "alt_m", "status")),
      f"track columns: {', '.join(track_cols)}")
cs = track_cols["callsign"]
check(cs.dtype == object and any(c is None for c in cs) and any(isinstance(c, str) for c in cs) and
      track_cols["sources.adsb"].dtype == np.float64 and np.isnan(track_cols["sources.adsb"]).any(),
      "absent fields: None in str columns (callsign), NaN in number columns (sources.adsb)")

# Eval: columns and lists of dicts score exactly as the files do (and as the binary).
truth = os.path.join(data, "truth.jsonl.gz")
truth_rows = [json.loads(line) for line in gzip.open(truth, "rt")]
truth_cols = {"time_s": np.array([r["time"] for r in truth_rows], dtype=np.float64),
              "id": np.array([r["id"] for r in truth_rows], dtype=object),
              "lat_deg": np.array([r["lat_deg"] for r in truth_rows]),
              "lon_deg": np.array([r["lon_deg"] for r in truth_rows]),
              "alt_m": np.array([r["alt_m"] for r in truth_rows])}
for v in ("ve_mps", "vn_mps", "vu_mps"):
    truth_cols[v] = np.array([r.get(v, 0.0) for r in truth_rows])
r = subprocess.run([skyfuse_bin, "eval", "--truth", truth, "--tracks", tracks_file,
                    "--conventions", "independent", "--json"], capture_output=True, text=True)
expected = json.loads(r.stdout)
from_files = skyfuse.eval(truth, tracks_file, conventions="independent")
t = time.monotonic()
from_cols = skyfuse.eval(truth_cols, track_cols, conventions="independent")
seconds = time.monotonic() - t
check(from_files == expected, "eval of files == `skyfuse eval --json`")
check(from_cols == expected,
      f"eval of columns ({len(truth_rows)} truth rows, {len(updates)} track rows; {seconds:.2f} s) "
      f"== `skyfuse eval --json`: GOSPA {from_cols['gospa_mean_m']:.3f} m, RMS "
      f"{from_cols['rms_horizontal_m']:.3f} m, id changes {from_cols['id_changes']}")
check(skyfuse.eval(truth_rows, updates, conventions="independent") == expected,
      "eval of lists of dicts == `skyfuse eval --json`")
# A column missing, or of the wrong length, is an error naming it.
for bad, word in (({k: v for k, v in truth_cols.items() if k != "lat_deg"}, "lat_deg"),
                  (dict(truth_cols, alt_m=truth_cols["alt_m"][:-1]), "alt_m")):
    try:
        skyfuse.eval(bad, track_cols)
        check(False, f"truth without a good {word} raises")
    except skyfuse.Error as e:
        check(word in str(e), f"truth without a good {word} raises: {e}")

# Local frame: hand-derived values. On the equator at the origin's meridian a
# point 0.001 deg east lies a*dlon east (a = 6378137 m) less the drop of the
# tangent plane, ~1e-3 m; height goes to up.
enu = skyfuse.geodetic_to_enu((0.0, 0.0, 0.0), [0.0, 0.0, 0.001], [0.0, 0.001, 0.0],
                              [100.0, 0.0, 0.0])
a = 6378137.0
check(abs(enu["u_m"][0] - 100) < 1e-6 and abs(enu["e_m"][0]) < 1e-6 and
      abs(enu["e_m"][1] - a * math.radians(0.001)) < 2e-3 and abs(enu["n_m"][1]) < 1e-6 and
      abs(enu["n_m"][2] - 6335439.327 * math.radians(0.001)) < 2e-3,
      f"geodetic_to_enu: up {enu['u_m'][0]:.6f}, east {enu['e_m'][1]:.4f} (a*dlon "
      f"{a * math.radians(0.001):.4f}), north {enu['n_m'][2]:.4f} (M0*dlat)")
lat = np.array(truth_cols["lat_deg"][:500])
lon, alt = truth_cols["lon_deg"][:500], truth_cols["alt_m"][:500]
origin = (46.8, 8.2, 500.0)
vel = {k: truth_cols[k][:500] for k in ("ve_mps", "vn_mps", "vu_mps")}
fwd = skyfuse.geodetic_to_enu(origin, lat, lon, alt, **vel)
back = skyfuse.enu_to_geodetic(origin, fwd["e_m"], fwd["n_m"], fwd["u_m"], ve_mps=fwd["ve_mps"],
                               vn_mps=fwd["vn_mps"], vu_mps=fwd["vu_mps"])
err = max(np.max(np.abs(back["lat_deg"] - lat)) * 111e3, np.max(np.abs(back["alt_m"] - alt)),
          max(np.max(np.abs(back[k] - vel[k])) for k in vel))
speed = np.hypot(np.hypot(fwd["ve_mps"], fwd["vn_mps"]), fwd["vu_mps"])
check(err < 1e-6 and np.allclose(speed, np.sqrt(sum(vel[k] ** 2 for k in vel)), rtol=0, atol=1e-9)
      and float(np.max(np.abs(fwd["ve_mps"] - vel["ve_mps"]))) > 0.01,
      f"round trip through the local frame within {err:.1e} m (m/s); velocities rotated, speeds kept")

sys.exit(1 if failures else 0)
