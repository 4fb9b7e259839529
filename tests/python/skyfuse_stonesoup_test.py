#!/usr/bin/env python3
"""The Stone Soup adapter (python/skyfuse_stonesoup.py, issue #21) on a real
scenario: the ADS-B feed of the independent scenario's cut
(tests/data/independent/ch-20min-cut/adsb.ast, CAT021 from a generator that is
not skyfuse's), decoded with skyfuse.decode, becomes Stone Soup Detections in a
local ENU frame (x, vx, y, vy, z, vz) with a LinearGaussian model; the adapter
tracks them and scores its Tracks against the scenario's truth as
GroundTruthPaths. The same reports written directly as skyfuse report lines
(geodetic, by this test) and tracked with skyfuse.track give the same tracks
(ids, times, statuses; positions to 0.1 mm: the adapter's path goes through the
local frame and back) and skyfuse.eval the same figures.

Stone Soup is used when `import stonesoup` works; otherwise fakes below with
Stone Soup's documented attribute names (Detection: state_vector, timestamp,
measurement_model, metadata; LinearGaussian: ndim_state, mapping,
noise_covar; GroundTruthState: state_vector, timestamp; GroundTruthPath:
states, id).

  skyfuse_stonesoup_test.py SKYFUSE SOURCE_DIR WORK_DIR MODULE_DIR
"""
import gzip
import json
import math
import os
import sys
import time
from datetime import datetime, timedelta

import numpy as np

skyfuse_bin, source, work, module_dir = [os.path.abspath(a) for a in sys.argv[1:5]]
sys.path.insert(0, module_dir)
import skyfuse  # noqa: E402
import skyfuse_stonesoup as sfs  # noqa: E402

try:
    from stonesoup.models.measurement.linear import LinearGaussian
    from stonesoup.types.detection import Detection
    from stonesoup.types.groundtruth import GroundTruthPath, GroundTruthState
    real = True
except ImportError:
    real = False

    class LinearGaussian:
        def __init__(self, ndim_state, mapping, noise_covar):
            self.ndim_state, self.mapping = ndim_state, tuple(mapping)
            self.noise_covar = np.asarray(noise_covar, dtype=float)

    class Detection:
        def __init__(self, state_vector, timestamp=None, measurement_model=None, metadata=None):
            self.state_vector = np.asarray(state_vector, dtype=float).reshape(-1, 1)
            self.timestamp, self.measurement_model = timestamp, measurement_model
            self.metadata = dict(metadata or {})

    class GroundTruthState:
        def __init__(self, state_vector, timestamp=None, metadata=None):
            self.state_vector = np.asarray(state_vector, dtype=float).reshape(-1, 1)
            self.timestamp, self.metadata = timestamp, dict(metadata or {})

    class GroundTruthPath:
        def __init__(self, states=None, id=None):  # noqa: A002
            self.states, self.id = list(states or []), id

os.makedirs(work, exist_ok=True)
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)


print(f"Stone Soup types: {'stonesoup' if real else 'fakes with its attribute names'}")
data = os.path.join(source, "tests/data/independent/ch-20min-cut")
origin = (46.8, 8.2, 500.0)  # the frame's origin, mid-Switzerland
sigma_m = 10.0               # isotropic, so the same in every frame's axes

# The ADS-B records: position (I021/131), geometric height (I021/140, ft),
# time of reception of the position (I021/073, s of the day; the recording
# starts on 2018-08-01, Unix day start 1533081600), address (I021/080).
cols = skyfuse.decode(os.path.join(data, "adsb.ast"), "asterix", as_arrays=True)
ok = (~np.isnan(cols["items.131.LAT"])) & (~np.isnan(cols["items.140"])) & \
    (~np.isnan(cols["items.073"]))
micros = np.round((1533081600 + cols["items.073"][ok]) * 1e6).astype(np.int64)
lat, lon = cols["items.131.LAT"][ok], cols["items.131.LON"][ok]
alt = cols["items.140"][ok] * 0.3048
icao = [f"{int(a):06x}" for a in cols["items.080"][ok]]
order = np.lexsort((lon, lat, micros))  # time, then position: the adapter's order for a scan
print(f"{len(micros)} ADS-B positions from {len(cols['time_s']) if 'time_s' in cols else ok.size} "
      f"records")

# Direct: the reports as skyfuse report lines, tracked by skyfuse.track.
direct_dir = os.path.join(work, "direct")
os.makedirs(direct_dir, exist_ok=True)
with open(os.path.join(direct_dir, "adsb.jsonl"), "w") as f:
    for i in order:
        f.write(json.dumps({"time": int(micros[i]) / 1e6, "sensor": "adsb", "kind": "adsb",
                            "icao24": icao[i], "lat_deg": float(lat[i]), "lon_deg": float(lon[i]),
                            "alt_m": float(alt[i]),
                            "cov_enu_m2": [sigma_m ** 2, 0.0, 0.0, sigma_m ** 2, 0.0,
                                           sigma_m ** 2]}) + "\n")
with open(os.path.join(direct_dir, "sensors.toml"), "w") as f:
    f.write(f'[[sensor]]\nname = "adsb"\nkind = "adsb"\nlat_deg = {origin[0]}\n'
            f'lon_deg = {origin[1]}\nalt_m = {origin[2]}\ninput = "file:adsb.jsonl"\n'
            'format = "jsonl"\n')
direct = skyfuse.track(os.path.join(direct_dir, "sensors.toml"))

# Through the adapter: Detections in the local frame, as a Stone Soup detector yields them.
enu = skyfuse.geodetic_to_enu(origin, lat, lon, alt)
model = LinearGaussian(ndim_state=6, mapping=(0, 2, 4), noise_covar=np.eye(3) * sigma_m ** 2)
epoch = datetime(1970, 1, 1)
scans = {}
for i in order:
    t = epoch + timedelta(microseconds=int(micros[i]))
    scans.setdefault(t, set()).add(Detection(
        np.array([[enu["e_m"][i]], [enu["n_m"][i]], [enu["u_m"][i]]]), timestamp=t,
        measurement_model=model, metadata={"sensor": "adsb", "icao24": icao[i]}))
detector = sorted(scans.items(), key=lambda kv: kv[0])
t0 = time.monotonic()
tracker = sfs.SkyfuseTracker(detector, origin_deg=origin, workdir=work)
# Iteration as MultiTargetTracker: (time, live tracks) in time order; the
# Track objects grow as iteration goes on, so each step is checked as it comes:
# every live track's newest state is at or before the step's time, and the
# tracks updated at that time end with it.
steps, newest_ok = [], True
for t, live in tracker:
    steps.append(t)
    newest_ok = newest_ok and all(tr.states[-1].timestamp <= t for tr in live) and \
        any(tr.states[-1].timestamp == t for tr in live)
seconds = time.monotonic() - t0
adapted = tracker.updates

same_shape = len(adapted) == len(direct) and all(
    a["id"] == b["id"] and a["time"] == b["time"] and a["status"] == b["status"] and
    a.get("icao24") == b.get("icao24") for a, b in zip(adapted, direct))
dpos = max((max(abs(a["lat_deg"] - b["lat_deg"]) * 111.2e3,
                abs(a["lon_deg"] - b["lon_deg"]) * 111.2e3 * math.cos(math.radians(a["lat_deg"])),
                abs(a["alt_m"] - b["alt_m"])) for a, b in zip(adapted, direct)), default=math.inf)
# Positions agree to the output's resolution (1e-8 deg, 0.01 m): the adapter's
# reports went through the local frame and back, so a last printed digit may differ.
check(len(direct) > 1000 and same_shape and dpos <= 0.011,
      f"adapter: {len(adapted)} updates, direct skyfuse.track: {len(direct)}; same ids, times, "
      f"statuses; positions within {dpos:.4f} m ({seconds:.2f} s)")

# The Track objects: one per skyfuse id, GaussianStates in the frame.
tracks = tracker.tracks
direct_ids = sorted({str(u["id"]) for u in direct})
check(sorted(t.id for t in tracks) == direct_ids,
      f"{len(tracks)} Track objects, one per skyfuse track id")
by_id = {t.id: t for t in tracks}
u = direct[len(direct) // 2]
s = next(s for s in by_id[str(u["id"])].states
         if s.timestamp == epoch + timedelta(microseconds=round(u["time"] * 1e6)))
e = skyfuse.geodetic_to_enu(origin, [u["lat_deg"]], [u["lon_deg"]], [u["alt_m"]],
                            ve_mps=[u["ve_mps"]], vn_mps=[u["vn_mps"]], vu_mps=[u["vu_mps"]])
want = [e["e_m"][0], e["ve_mps"][0], e["n_m"][0], e["vn_mps"][0], e["u_m"][0], e["vu_mps"][0]]
sv = np.asarray(s.state_vector, dtype=float).reshape(-1)
check(sv.shape == (6,) and np.allclose(sv, want, rtol=0, atol=1e-3) and s.covar.shape == (6, 6),
      f"a state as [x, vx, y, vy, z, vz] in the frame: {np.round(sv, 1).tolist()}")
check(len(steps) == len({u["time"] for u in direct}) and steps == sorted(steps) and newest_ok,
      f"iteration: {len(steps)} (time, tracks) steps in time order, one per update time, "
      "each with the tracks updated then")

# Metrics: the truth as GroundTruthPaths in the frame, scored by the adapter
# and by skyfuse.eval on the direct tracks; equal figures.
truth_file = os.path.join(data, "truth.jsonl.gz")
truth_rows = [json.loads(line) for line in gzip.open(truth_file, "rt")]
tr = skyfuse.geodetic_to_enu(origin, [r["lat_deg"] for r in truth_rows],
                             [r["lon_deg"] for r in truth_rows], [r["alt_m"] for r in truth_rows],
                             ve_mps=[r["ve_mps"] for r in truth_rows],
                             vn_mps=[r["vn_mps"] for r in truth_rows],
                             vu_mps=[r["vu_mps"] for r in truth_rows])
paths = {}
for i, r in enumerate(truth_rows):
    sv = np.array([[tr["e_m"][i]], [tr["ve_mps"][i]], [tr["n_m"][i]], [tr["vn_mps"][i]],
                   [tr["u_m"][i]], [tr["vu_mps"][i]]])
    paths.setdefault(r["id"], []).append(GroundTruthState(
        sv, timestamp=epoch + timedelta(microseconds=round(r["time"] * 1e6))))
truths = {GroundTruthPath(states, id=i) for i, states in paths.items()}
metrics = sfs.SkyfuseMetrics(origin_deg=origin, conventions="independent")
adapter_fig = metrics.compute(truths, tracks)
# Like for like: the adapter's Tracks against skyfuse.eval of the same updates
# (skyfuse's own dicts, geodetic); then the direct tracks' figures, to the
# tracks' printed resolution.
direct_fig = skyfuse.eval(truth_file, adapted, conventions="independent")
direct_tracks_fig = skyfuse.eval(truth_file, direct, conventions="independent")


def close(a, b, tol=1e-6):
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k], tol) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(close(x, y, tol) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, (int, float)):
        return abs(a - b) <= tol * max(1.0, abs(b))
    return a == b


diff = [k for k in direct_fig if not close(adapter_fig.get(k), direct_fig[k])]
check(not diff and adapter_fig.keys() == direct_fig.keys(),
      f"metrics through the adapter == skyfuse.eval of the direct tracks (relative 1e-6)"
      f"{': differ in ' + ', '.join(diff[:6]) if diff else ''}: GOSPA "
      f"{adapter_fig['gospa_mean_m']:.2f} m, RMS horizontal {adapter_fig['rms_horizontal_m']:.2f} m, "
      f"coverage {adapter_fig['truth_coverage']:.3f}, false tracks {adapter_fig['false_tracks']}")
diff = [k for k in direct_fig if not close(direct_tracks_fig[k], direct_fig[k], 1e-3)]
check(not diff, "figures of the direct tracks equal too (relative 1e-3: the printed digits)"
      f"{': differ in ' + ', '.join(diff[:6]) if diff else ''}")
# Against the scenario's own truth: ADS-B alone, every track a real aircraft,
# within the feed's declared accuracy (NACp 8-10: 95 % bounds 92.6 m to 10 m).
check(adapter_fig["false_tracks"] == 0 and adapter_fig["rms_horizontal_m"] <= 92.6,
      "ADS-B tracks against the independent truth: no false track, RMS horizontal within "
      "NACp 8's 95 % bound (92.6 m)")


class Manager:  # Stone Soup's older MultiManager attribute names
    groundtruth_paths, tracks = truths, tracks


check(metrics.compute_metric(Manager()) == adapter_fig, "compute_metric(manager): the same dict")
sys.exit(1 if failures else 0)
