#!/usr/bin/env python3
"""The Python module against the binary (issue #21): from Python, decode a
Mode S capture, a Remote ID capture and the independent scenario's ASTERIX
recordings
(tests/data/independent/ch-20min-cut, made by a generator that is not
skyfuse's), track that scenario and score it by its own conventions; every
record, track update and figure must equal what `skyfuse decode`, `skyfuse
track` and `skyfuse eval --json` give for the same input, exactly. Errors come
as skyfuse.Error with the binary's message.

  skyfuse_module_test.py SKYFUSE SOURCE_DIR WORK_DIR MODULE_DIR
"""
import json
import os
import subprocess
import sys
import time

skyfuse_bin, source, work, module_dir = [os.path.abspath(a) for a in sys.argv[1:5]]
sys.path.insert(0, module_dir)
import skyfuse  # noqa: E402

os.makedirs(work, exist_ok=True)
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)


def run(*args):
    return subprocess.run([skyfuse_bin, *args], capture_output=True, text=True)


def binary_lines(*args):
    r = run(*args)
    if r.returncode != 0:
        sys.exit(f"skyfuse {' '.join(args)}: exit {r.returncode}: {r.stderr}")
    return [json.loads(line) for line in r.stdout.splitlines()]


# The version, as `skyfuse --version` says it.
check(run("--version").stdout.strip() == f"skyfuse {skyfuse.version()}" and
      skyfuse.__version__ == skyfuse.version(), f"version {skyfuse.version()}")

# Decode: the same dicts as the binary's JSON Lines.
data = os.path.join(source, "tests/data/independent/ch-20min-cut")
for fmt, path in (("csv", os.path.join(source, "tests/data/adsb/sample_data_adsb.csv")),
                  ("asterix", os.path.join(data, "adsb.ast")),
                  ("asterix", os.path.join(data, "radar_20_1.ast")),
                  ("remoteid", os.path.join(source, "tests/data/remoteid/odid_wifi_sample.pcap"))):
    t = time.monotonic()
    rows, stats = skyfuse.decode(path, fmt, stats=True)
    seconds = time.monotonic() - t
    expected = binary_lines("decode", "--format", fmt, path)
    first_diff = next((i for i, (a, b) in enumerate(zip(rows, expected)) if a != b), None)
    check(len(rows) >= 42 and rows == expected,
          f"decode --format {fmt} {os.path.basename(path)}: {len(rows)} records from Python, "
          f"{len(expected)} from the binary, first difference at {first_diff} ({seconds:.2f} s)")
    check(stats["errors"] == 0 and stats["messages"] == [], f"  no errors ({stats['errors']})")
# Codes stay strings (pandas keeps the leading zeros of a Mode A code).
squawks = [r["squawk"] for r in skyfuse.decode(
    os.path.join(source, "tests/data/adsb/sample_data_commb_df21.csv"), "csv", all=True)
    if "squawk" in r]
check(len(squawks) > 100 and all(isinstance(s, str) and len(s) == 4 for s in squawks) and
      any(s.startswith("0") for s in squawks), f"{len(squawks)} squawks (DF21) as 4-digit strings")

# Errors: the binary's message, as an exception (a ValueError).
pcap = os.path.join(source, "tests/data/asterix/asterix.pcap")
for fmt, path, printed in (("asterix", pcap, "skyfuse: error: {}\n"),  # stops at once
                           ("avr", os.path.join(data, "adsb.ast"), "skyfuse decode: {}\n")):
    r = run("decode", "--format", fmt, path)
    try:
        skyfuse.decode(path, fmt)
        check(False, f"decode of {os.path.basename(path)} as {fmt} raises")
    except skyfuse.Error as e:
        check(isinstance(e, ValueError) and r.returncode == 1 and printed.format(e) in r.stderr,
              f"decode of {os.path.basename(path)} as {fmt} raises, as the binary says: {e}")
try:
    skyfuse.track(os.path.join(work, "missing.toml"))
    check(False, "track of a missing configuration raises")
except skyfuse.Error as e:
    check("missing.toml" in str(e), f"track of a missing configuration raises: {e}")

# Track the independent scenario as tests/tracking/independent_test.py configures it.
template = open(os.path.join(source, "tests/data/independent/sensors_from_description.toml")).read()
config = os.path.join(work, "sensors.toml")
open(config, "w").write(template.replace('"file:', f'"file:{data}/'))
py_tracks = os.path.join(work, "tracks_python.jsonl")
bin_tracks = os.path.join(work, "tracks_binary.jsonl")
t = time.monotonic()
updates, summary = skyfuse.track(config, out=py_tracks, stats=True)
seconds = time.monotonic() - t
r = run("track", "--config", config, "--out", bin_tracks)
if r.returncode != 0:
    sys.exit(f"skyfuse track: exit {r.returncode}: {r.stderr}")
py_bytes, bin_bytes = open(py_tracks, "rb").read(), open(bin_tracks, "rb").read()
check(len(bin_bytes) > 0 and py_bytes == bin_bytes,
      f"track: {len(updates)} updates, Python's file {len(py_bytes)} bytes == binary's "
      f"{len(bin_bytes)} ({seconds:.2f} s)")
check(updates == [json.loads(line) for line in bin_bytes.decode().splitlines()],
      "track: returned updates == the binary's lines")
check(f"track: {summary['counters']['reports']} reports" in r.stderr,
      f"track: {summary['counters']['reports']} reports, as the binary counts")

# Score: the same figures as `skyfuse eval --json`, to the last bit.
truth = os.path.join(data, "truth.jsonl.gz")
figures = skyfuse.eval(truth, py_tracks, conventions="independent")
expected = binary_lines("eval", "--truth", truth, "--tracks", bin_tracks, "--conventions",
                        "independent", "--json")[0]
check(figures == expected, "eval --conventions independent: every figure equal to the binary's")
print(json.dumps({k: figures[k] for k in ("gospa_mean_m", "rms_horizontal_m", "rms_vertical_m",
                                          "id_changes", "false_tracks", "truth_coverage")}))
# Against the scenario's own truth (the bars of tracking.independent_ch).
check(figures["false_tracks"] == 0 and figures["truth_coverage"] >= 0.99 and
      figures["rms_horizontal_m"] <= 40, "figures within tracking.independent_ch's bars")
check(skyfuse.eval(truth, py_tracks) == binary_lines("eval", "--truth", truth, "--tracks", bin_tracks,
                                                     "--json")[0],
      "eval with skyfuse's conventions: equal too")
try:
    skyfuse.eval(truth, py_tracks, conventions="ospa")
    check(False, "unknown conventions raise")
except skyfuse.Error as e:
    check("ospa" in str(e), f"unknown conventions raise: {e}")

sys.exit(1 if failures else 0)
