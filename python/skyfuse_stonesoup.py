"""skyfuse's tracker and metrics in a Stone Soup-style script (issue #21).

Stone Soup (dstl/Stone-Soup) describes a scenario with Detection, Track,
GaussianState and GroundTruthPath objects in a local Cartesian frame; skyfuse
works on WGS-84 reports. This adapter converts between them through a local
east/north/up frame at ``origin_deg = (lat_deg, lon_deg, alt_m)`` (skyfuse's
geodetic_to_enu / enu_to_geodetic, GeographicLib):

  * the target state is Stone Soup's usual ``[x, vx, y, vy, z, vz]`` with
    x east, y north, z up in metres (``position_mapping=(0, 2, 4)``,
    ``velocity_mapping=(1, 3, 5)``);
  * a Detection carries ``timestamp`` (datetime, naive = UTC, or Unix
    seconds), ``state_vector`` (the measured position components, in the order
    of ``measurement_model.mapping``), ``measurement_model`` (``mapping`` into
    the state and ``noise_covar`` in m^2: a LinearGaussian) and ``metadata``:
    ``sensor`` (the sensor's name, default "stonesoup"), ``kind`` (skyfuse's
    sensor kind: ``adsb`` for 3-D positions, ``mlat`` for 2-D ones by default)
    and identity fields passed to the tracker as they are (``icao24``,
    ``mode3a``, ``callsign``, ``remote_id``, ``baro_alt_ft``). The
    covariance is rotated from the frame's axes into the axes at the point.

  tracker = SkyfuseTracker(detector, origin_deg=(46.8, 8.2, 500.0))
  for time, tracks in tracker:         # as Stone Soup's MultiTargetTracker
      ...
  figures = SkyfuseMetrics(origin_deg=(46.8, 8.2, 500.0)).compute(truths, tracker.tracks)

The tracker runs once over every detection (skyfuse.track on report files
written to a temporary folder; batch, data time), then iteration replays its
track updates in time order. Tracks come back as Track objects of
GaussianState objects (state ``[x, vx, y, vy, z, vz]``); skyfuse's track
output carries no covariance, so ``covar`` is a 6x6 matrix of NaN. Each
state's ``metadata`` holds skyfuse's fields of that update (status, sources,
identity). Real Stone Soup types are used when ``import stonesoup`` works;
otherwise small stand-ins with the same attribute names.

SkyfuseMetrics scores Track objects against GroundTruthPath objects with
skyfuse.eval (GOSPA, RMS, continuity: docs/metrics.md), the same figures as
`skyfuse eval --json`.
"""
import json
import math
import os
import tempfile
from datetime import datetime, timedelta, timezone

import numpy as np

import skyfuse

_EPOCH = datetime(1970, 1, 1)
_IDENTITY = ("icao24", "mode3a", "callsign", "remote_id", "baro_alt_ft", "emitter_category",
             "nacp", "nic")

try:  # real Stone Soup when installed
    from stonesoup.types.state import GaussianState
    from stonesoup.types.track import Track
except ImportError:
    class GaussianState:
        """Stand-in for stonesoup.types.state.GaussianState."""

        def __init__(self, state_vector, covar, timestamp=None):
            self.state_vector = np.asarray(state_vector, dtype=float).reshape(-1, 1)
            self.covar = np.asarray(covar, dtype=float)
            self.timestamp = timestamp

    class Track:
        """Stand-in for stonesoup.types.track.Track."""

        def __init__(self, states=None, id=None, init_metadata=None):  # noqa: A002
            self.states = list(states or [])
            self.id = id
            self.init_metadata = dict(init_metadata or {})

        @property
        def state(self):
            return self.states[-1]

        def append(self, state):
            self.states.append(state)

        def __iter__(self):
            return iter(self.states)

        def __len__(self):
            return len(self.states)


def unix_seconds(timestamp):
    """A datetime (naive = UTC) or Unix seconds as Unix seconds, to the microsecond."""
    if isinstance(timestamp, datetime):
        if timestamp.tzinfo is not None:
            timestamp = timestamp.astimezone(timezone.utc).replace(tzinfo=None)
        return ((timestamp - _EPOCH) // timedelta(microseconds=1)) / 1e6
    return float(timestamp)


def to_datetime(seconds):
    """Unix seconds as a naive UTC datetime (Stone Soup's habit), to the microsecond."""
    return _EPOCH + timedelta(microseconds=round(seconds * 1e6))


def _axes_at(origin_deg, e, n, u):
    """Per point (frame coordinates), the rotation taking the frame's ENU axes
    to the ENU axes at the point: [point, row, column]."""
    cols = []
    for axis in np.eye(3):
        v = [np.full(len(e), c) for c in axis]
        r = skyfuse.enu_to_geodetic(origin_deg, e, n, u, ve_mps=v[0], vn_mps=v[1], vu_mps=v[2])
        cols.append(np.stack([r["ve_mps"], r["vn_mps"], r["vu_mps"]], axis=1))
    return np.stack(cols, axis=2)


class SkyfuseTracker:
    """skyfuse's tracker behind Stone Soup's tracker interface.

    detector: an iterable of (time, detections) pairs (a Stone Soup detector)
    or of detections. tracker_toml: extra configuration text (a [tracker]
    table, docs/config.md) appended to the generated sensors.toml.
    """

    def __init__(self, detector, origin_deg, *, position_mapping=(0, 2, 4),
                 velocity_mapping=(1, 3, 5), tracker_toml="", workdir=None):
        self.detector = detector
        self.origin_deg = tuple(float(x) for x in origin_deg)
        self.position_mapping = tuple(position_mapping)
        self.velocity_mapping = tuple(velocity_mapping)
        self.tracker_toml = tracker_toml
        self.workdir = workdir
        self.updates = None     # skyfuse's track updates (dicts), once run
        self.summary = None     # skyfuse's counters for the run
        self._tracks = {}
        self._steps = None

    # -- Detections -> skyfuse reports ------------------------------------
    def _report_rows(self, detections):
        """Report dicts (docs/formats.md, "Sensor reports") by sensor name."""
        rows, enu, covs = [], [], []
        for det in detections:
            mapping = tuple(det.measurement_model.mapping)
            z = np.asarray(det.state_vector, dtype=float).reshape(-1)
            r = np.asarray(det.measurement_model.noise_covar, dtype=float)
            axes = [mapping.index(m) if m in mapping else None for m in self.position_mapping]
            if axes[0] is None or axes[1] is None:
                raise ValueError(f"detection at {det.timestamp}: the measurement model maps no "
                                 f"horizontal position (mapping {mapping})")
            has_up = axes[2] is not None
            idx = axes if has_up else axes[:2]
            meta = dict(getattr(det, "metadata", None) or {})
            row = {"time": unix_seconds(det.timestamp),
                   "sensor": str(meta.get("sensor", "stonesoup")),
                   "kind": str(meta.get("kind", "adsb" if has_up else "mlat"))}
            for k in _IDENTITY:
                if k in meta:
                    row[k] = meta[k]
            rows.append(row)
            enu.append([z[idx[0]], z[idx[1]], z[idx[2]] if has_up else 0.0])
            c = np.full((3, 3), np.nan)
            c[:len(idx), :len(idx)] = r[np.ix_(idx, idx)]
            covs.append(c)
        if not rows:
            return {}
        enu = np.array(enu)
        geo = skyfuse.enu_to_geodetic(self.origin_deg, enu[:, 0], enu[:, 1], enu[:, 2])
        rot = _axes_at(self.origin_deg, enu[:, 0], enu[:, 1], enu[:, 2])
        by_sensor = {}
        for i, row in enumerate(rows):
            row["lat_deg"] = float(geo["lat_deg"][i])
            row["lon_deg"] = float(geo["lon_deg"][i])
            if row["kind"] == "mlat":  # horizontal only: the 2x2 block
                c = rot[i, :2, :2] @ covs[i][:2, :2] @ rot[i, :2, :2].T
                row["cov_enu_m2"] = [float(c[0, 0]), float(c[0, 1]), float(c[1, 1])]
            else:
                row["alt_m"] = float(geo["alt_m"][i])
                c = rot[i] @ covs[i] @ rot[i].T
                row["cov_enu_m2"] = [float(c[a, b]) for a, b in
                                     ((0, 0), (0, 1), (0, 2), (1, 1), (1, 2), (2, 2))]
            by_sensor.setdefault((row["sensor"], row["kind"]), []).append(row)
        return by_sensor

    def config_text(self, sensors):
        """The sensors.toml the adapter gives skyfuse: one position sensor per
        (name, kind) at the frame's origin, its reports in <name>.jsonl."""
        lat, lon, alt = self.origin_deg
        parts = []
        for name, kind in sensors:
            parts.append(f'[[sensor]]\nname = "{name}"\nkind = "{kind}"\nlat_deg = {lat!r}\n'
                         f'lon_deg = {lon!r}\nalt_m = {alt!r}\ninput = "file:{name}.jsonl"\n'
                         'format = "jsonl"\n')
        return "\n".join(parts) + ("\n" + self.tracker_toml if self.tracker_toml else "")

    def _detections(self):
        for item in self.detector:
            if isinstance(item, tuple) and len(item) == 2:
                yield from item[1]
            else:
                yield item

    def run(self):
        """Tracks every detection once; returns the set of tracks."""
        by_sensor = self._report_rows(self._detections())
        if not by_sensor:
            raise ValueError("no detections")
        with tempfile.TemporaryDirectory(dir=self.workdir) as d:
            for (name, _), rows in by_sensor.items():
                # A scan's detections are a set (no order); the tracker's
                # order for equal times is the file's: by position, so that
                # the same detections give the same tracks on every run.
                rows.sort(key=lambda r: (r["time"], r["lat_deg"], r["lon_deg"]))
                with open(os.path.join(d, f"{name}.jsonl"), "w") as f:
                    for r in rows:
                        f.write(json.dumps(r) + "\n")
            config = os.path.join(d, "sensors.toml")
            with open(config, "w") as f:
                f.write(self.config_text(by_sensor))
            # Inputs are relative to the configuration's folder.
            self.updates, self.summary = skyfuse.track(config, stats=True)
        self._tracks, self._steps = tracks_from_updates(self.updates, self.origin_deg)
        return self.tracks

    @property
    def tracks(self):
        return set(self._tracks.values())

    def __iter__(self):
        """(time, tracks alive at that time) per distinct update time, as
        MultiTargetTracker yields them; each Track holds its states so far."""
        if self._steps is None:
            self.run()
        live = {}
        for t, updates in self._steps:
            for track_id, state in updates:
                if track_id not in live:
                    live[track_id] = Track(id=track_id,
                                           init_metadata=self._tracks[track_id].init_metadata)
                live[track_id].append(state)
                if state.metadata.get("status") == "deleted":
                    del live[track_id]
            yield to_datetime(t), set(live.values())


def _states(updates, origin_deg):
    lat = np.array([u["lat_deg"] for u in updates])
    lon = np.array([u["lon_deg"] for u in updates])
    alt = np.array([u["alt_m"] for u in updates])
    vel = {k: np.array([u.get(k, 0.0) for u in updates]) for k in ("ve_mps", "vn_mps", "vu_mps")}
    enu = skyfuse.geodetic_to_enu(origin_deg, lat, lon, alt, **vel)
    nan = np.full((6, 6), np.nan)
    out = []
    for i, u in enumerate(updates):
        x = np.zeros(6)
        x[[0, 2, 4]] = enu["e_m"][i], enu["n_m"][i], enu["u_m"][i]
        x[[1, 3, 5]] = enu["ve_mps"][i], enu["vn_mps"][i], enu["vu_mps"][i]
        s = GaussianState(x.reshape(-1, 1), nan.copy(), timestamp=to_datetime(u["time"]))
        s.metadata = {k: v for k, v in u.items()
                      if k not in ("time", "lat_deg", "lon_deg", "alt_m", "ve_mps", "vn_mps",
                                   "vu_mps")}
        out.append(s)
    return out


def tracks_from_updates(updates, origin_deg):
    """skyfuse track updates (dicts, as skyfuse.track returns them) as Track
    objects by id, and the updates grouped by time: [(t, [(id, state)])]."""
    states = _states(updates, origin_deg) if updates else []
    # skyfuse writes updates as the tracker makes them: a late report's update
    # may come after a newer one of another track. Stone Soup wants time order.
    order = sorted(range(len(updates)), key=lambda i: updates[i]["time"])
    tracks, steps = {}, []
    for i in order:
        u, s = updates[i], states[i]
        track_id = str(u["id"])
        if track_id not in tracks:
            tracks[track_id] = Track(id=track_id, init_metadata={
                k: u[k] for k in ("icao24", "mode3a", "callsign", "remote_id") if k in u})
        tracks[track_id].append(s)
        if not steps or steps[-1][0] != u["time"]:
            steps.append((u["time"], []))
        steps[-1][1].append((track_id, s))
    return tracks, steps


def _columns(paths, origin_deg, with_metadata):
    """Track-like or GroundTruthPath-like objects as skyfuse.eval columns."""
    rows = []
    for path in paths:
        for s in path.states if hasattr(path, "states") else path:
            rows.append((path.id, s))
    if not rows:
        return {k: np.zeros(0) for k in ("time_s", "id", "lat_deg", "lon_deg", "alt_m")}
    x = np.array([np.asarray(s.state_vector, dtype=float).reshape(-1) for _, s in rows])
    geo = skyfuse.enu_to_geodetic(origin_deg, x[:, 0], x[:, 2], x[:, 4], ve_mps=x[:, 1],
                                  vn_mps=x[:, 3], vu_mps=x[:, 5])
    cols = {"time_s": np.array([unix_seconds(s.timestamp) for _, s in rows]),
            "id": np.array([str(i) for i, _ in rows], dtype=object)}
    cols.update(geo)
    if with_metadata:  # skyfuse's own fields of each update: status, sources
        names = []
        for _, s in rows:
            for k in getattr(s, "metadata", None) or {}:
                if k not in names and k != "id":
                    names.append(k)
        for k in names:
            vals = [(getattr(s, "metadata", None) or {}).get(k) for _, s in rows]
            if k == "sources":
                kinds = sorted({kind for v in vals if v for kind in v})
                for kind in kinds:
                    cols[f"sources.{kind}"] = np.array(
                        [v.get(kind, math.nan) if v else math.nan for v in vals])
            else:
                cols[k] = np.array(vals, dtype=object)
    return cols


class SkyfuseMetrics:
    """skyfuse's evaluation (GOSPA, RMS, continuity; docs/metrics.md) of
    Track-like objects against GroundTruthPath-like objects (states with
    ``state_vector`` ``[x, vx, y, vy, z, vz]`` in the frame at ``origin_deg``
    and ``timestamp``). conventions: 'skyfuse' or 'independent'."""

    def __init__(self, origin_deg, conventions="skyfuse"):
        self.origin_deg = tuple(float(x) for x in origin_deg)
        self.conventions = conventions

    def compute(self, groundtruth_paths, tracks):
        """The dict `skyfuse eval --json` prints."""
        truth = _columns(groundtruth_paths, self.origin_deg, with_metadata=False)
        est = _columns(tracks, self.origin_deg, with_metadata=True)
        return skyfuse.eval(truth, est, conventions=self.conventions)

    def compute_metric(self, manager):
        """Stone Soup's MetricGenerator entry point: a manager with
        ``groundtruth_paths`` and ``tracks``."""
        return self.compute(manager.groundtruth_paths, manager.tracks)
