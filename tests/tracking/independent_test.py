#!/usr/bin/env python3
"""The independent scenario, made by a generator that is not skyfuse's,
configured only from its sensor descriptions
(tests/data/independent/sensors_from_description.toml), tracked and scored by
the scenario README's conventions.

- Always: tests/data/independent/ch-20min-cut, the first five minutes of it
  (kept in the project), with issue #18's bars and the start-up of a
  five-minute cut allowed for (every aircraft in view at the first second must
  first be confirmed): RMS horizontal <= 40 m, coverage >= 99 %, GOSPA <= 650 m.
- When ../shared is beside the project: the whole 20 minutes
  (../shared/data/scenarios/independent-ch-20min) with issue #18's bars exactly.

  independent_test.py SKYFUSE SOURCE_DIR WORK_DIR
"""
import json
import os
import re
import subprocess
import sys

skyfuse, source, work = [os.path.abspath(a) for a in sys.argv[1:4]]
template = open(os.path.join(source, "tests/data/independent/sensors_from_description.toml")).read()
failures = []


def bar(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)


def check(name, data, work, whole):
    """Track and score one scenario folder; whole: issue #18's bars exactly."""
    print(f"== {name} ({data})", flush=True)
    os.makedirs(work, exist_ok=True)
    config = os.path.join(work, "sensors.toml")
    open(config, "w").write(template.replace('"file:', f'"file:{data}/'))
    tracks = os.path.join(work, "tracks.jsonl")
    run = subprocess.run([skyfuse, "track", "--config", config, "--out", tracks],
                         capture_output=True, text=True)
    print(run.stderr)
    if run.returncode != 0:
        sys.exit(f"track failed: {run.returncode}")
    ev = subprocess.run([skyfuse, "eval", "--truth", os.path.join(data, "truth.jsonl.gz"), "--tracks",
                         tracks, "--conventions", "independent", "--json"],
                        capture_output=True, text=True, check=True)
    s = json.loads(ev.stdout)
    figures = {k: s[k] for k in ("gospa_mean_m", "rms_horizontal_m", "rms_vertical_m", "id_changes",
                                 "false_tracks", "false_track_share", "truth_coverage", "tracks")}
    print(json.dumps(figures, indent=1))
    # Issue #18's bars; a five-minute cut's start-up (every aircraft in view at
    # its first second must first be confirmed) is allowed for in three of them.
    h_max, cov_min, gospa_max = (35, 0.995, 600) if whole else (40, 0.99, 650)
    bar(s["rms_vertical_m"] <= 10, f"RMS vertical {s['rms_vertical_m']:.2f} <= 10 m (Mode C aircraft included)")
    bar(s["rms_horizontal_m"] <= h_max, f"RMS horizontal {s['rms_horizontal_m']:.2f} <= {h_max} m")
    bar(s["id_changes"] <= 3, f"id changes {s['id_changes']} <= 3")
    # Garbled Mode S replies (random addresses, never seen again) make no track;
    # issue #18 allows 0.5 % of the tracks, none has been seen.
    bar(s["false_tracks"] == 0, f"false tracks {s['false_tracks']} == 0")
    bar(s["truth_coverage"] >= cov_min,
        f"coverage {100 * s['truth_coverage']:.3f} % >= {100 * cov_min:.1f} %")
    bar(s["gospa_mean_m"] <= gospa_max, f"GOSPA {s['gospa_mean_m']:.1f} <= {gospa_max} m")
    # Registration on radars without bias, with the straight-line range model of
    # their description: no bias within 5 m and 0.02 deg.
    for m in re.finditer(r"registration (\S+)\s+range bias ([+-][0-9.]+) m .*azimuth bias ([+-][0-9.]+) deg",
                         run.stderr):
        bar(abs(float(m.group(2))) <= 5 and abs(float(m.group(3))) <= 0.02,
            f"{m.group(1)}: range bias {m.group(2)} m, azimuth {m.group(3)} deg: none within 5 m, 0.02 deg")
    if not re.search(r"registration", run.stderr):
        bar(False, "registration reported")


check("ch-20min-cut (first five minutes)", os.path.join(source, "tests/data/independent/ch-20min-cut"),
      os.path.join(work, "cut"), whole=False)
shared = os.path.join(source, "..", "shared", "data", "scenarios", "independent-ch-20min")
if os.path.isdir(shared):
    check("independent-ch-20min (whole)", os.path.abspath(shared), os.path.join(work, "whole"), whole=True)
else:
    print("../shared is not beside the project: the whole scenario is not checked")
sys.exit(1 if failures else 0)
