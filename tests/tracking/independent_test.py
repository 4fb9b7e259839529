#!/usr/bin/env python3
"""The independent scenario (tests/data/independent/ch-20min-cut: the first five
minutes of ../shared/data/scenarios/independent-ch-20min, made by a generator
that is not skyfuse's), configured only from its sensor descriptions
(tests/data/independent/sensors_from_description.toml), tracked and scored by
the scenario README's conventions. The bars are those of issue #18 with the
start-up of a five-minute cut allowed for (every aircraft in view at the first
second must first be confirmed).

  independent_test.py SKYFUSE SOURCE_DIR WORK_DIR
"""
import json
import os
import subprocess
import sys

skyfuse, source, work = [os.path.abspath(a) for a in sys.argv[1:4]]
os.makedirs(work, exist_ok=True)
data = os.path.join(source, "tests/data/independent/ch-20min-cut")
template = open(os.path.join(source, "tests/data/independent/sensors_from_description.toml")).read()
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

failures = []


def bar(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


bar(s["rms_vertical_m"] <= 10, f"RMS vertical {s['rms_vertical_m']:.1f} <= 10 m (Mode C aircraft included)")
bar(s["rms_horizontal_m"] <= 40, f"RMS horizontal {s['rms_horizontal_m']:.1f} <= 40 m")
bar(s["id_changes"] <= 3, f"id changes {s['id_changes']} <= 3")
# Garbled Mode S replies (random addresses, never seen again) make no track.
bar(s["false_tracks"] == 0, f"false tracks {s['false_tracks']} == 0")
bar(s["truth_coverage"] >= 0.99, f"coverage {100 * s['truth_coverage']:.2f} % >= 99 % (start-up)")
bar(s["gospa_mean_m"] <= 650, f"GOSPA {s['gospa_mean_m']:.0f} <= 650 m")
# Registration on radars without bias, with the straight-line range model of
# their description: no bias within 5 m and 0.02 deg.
import re
for m in re.finditer(r"registration (\S+)\s+range bias ([+-][0-9.]+) m .*azimuth bias ([+-][0-9.]+) deg",
                     run.stderr):
    bar(abs(float(m.group(2))) <= 5 and abs(float(m.group(3))) <= 0.02,
        f"{m.group(1)}: range bias {m.group(2)} m, azimuth {m.group(3)} deg: none within 5 m, 0.02 deg")
if not re.search(r"registration", run.stderr):
    bar(False, "registration reported")
sys.exit(1 if failures else 0)
