#!/usr/bin/env python3
"""Remote ID spoofing detection end to end (issue #20): `skyfuse sim` builds
the test set scenarios/remoteid_spoofing.toml, `skyfuse track` tracks it and
every track line of each serial is read back.

Independent truth: the scenario itself says which broadcast lies and how
(each spoofing option of `sim` makes exactly one kind of lie), so:
  - each spoofed serial's tracks carry exactly its one reason (the union of
    `spoof_reasons` over all its lines), `spoof_suspect` true and a confidence
    in (0, 1], from some line on;
  - the honest serials' lines never carry a spoofing field;
  - with `[spoof] enabled = false` no line does (what this test would see if
    detection were switched off: it then fails on the first point);
  - scenarios/drones_airport.toml (two honest Remote ID drones beside a drone
    radar with clutter) has no suspect line.
"""
import json, os, shutil, subprocess, sys

skyfuse, root, work = sys.argv[1:4]
root, work = os.path.abspath(root), os.path.abspath(work)
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)

def run(*cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"FAIL: {' '.join(cmd)}\n{r.stdout}\n{r.stderr}")
    return r.stdout

def track(scenario, name, extra=""):
    w = os.path.join(work, name)
    run(skyfuse, "sim", os.path.join(root, "scenarios", scenario), "--seed", "1", "--out", w)
    cfg = os.path.join(w, "sensors.toml")
    if extra:
        body = open(cfg).read()
        with open(cfg, "w") as f:
            f.write(extra + "\n" + body)
    out = os.path.join(w, "tracks.jsonl")
    run(skyfuse, "track", "--config", cfg, "--out", out, "--quiet")
    return [json.loads(l) for l in open(out)]

def by_serial(lines):
    got = {}
    for l in lines:
        rid = l.get("remote_id")
        if not rid: continue
        g = got.setdefault(rid, {"lines": 0, "reasons": set(), "suspect": 0, "conf": []})
        g["lines"] += 1
        if "spoof_reasons" in l or "spoof_suspect" in l:
            g["suspect"] += 1
            g["reasons"].update(l.get("spoof_reasons", []))
            g["conf"].append(l.get("spoof_confidence", 0))
            if l.get("spoof_suspect") is not True:
                errors.append(f"{rid}: spoof_reasons without spoof_suspect: {l}")
    return got

errors = []
expect = {
    "1581F5HONEST000A1": set(),
    "1581F5HONEST000B2": set(),
    "1581F5SPOOFZERO01": {"speed_mismatch"},
    "1581F5SPOOFRSSI02": {"rssi_constant"},
    "1581F5SPOOFREPL03": {"two_places"},
    "1581F5PHANTOM04": {"no_radar_confirmation"},
}
got = by_serial(track("remoteid_spoofing.toml", "spoofing"))
for rid, want in expect.items():
    g = got.get(rid)
    if not g:
        errors.append(f"{rid}: no track")
        continue
    print(f"{rid}: {g['lines']} lines, {g['suspect']} suspect, reasons {sorted(g['reasons'])}"
          + (f", confidence {min(g['conf']):.2f}-{max(g['conf']):.2f}" if g["conf"] else ""))
    if g["reasons"] != want:
        errors.append(f"{rid}: reasons {sorted(g['reasons'])}, expected {sorted(want)}")
    if any(not (0 < c <= 1) for c in g["conf"]):
        errors.append(f"{rid}: confidence outside (0, 1]: {g['conf'][:5]}")

off = by_serial(track("remoteid_spoofing.toml", "spoofing_off", "[spoof]\nenabled = false\n"))
if any(g["suspect"] for g in off.values()):
    errors.append("detection disabled but lines still flagged")

airport = by_serial(track("drones_airport.toml", "drones_airport"))
if len(airport) < 2:
    errors.append(f"drones_airport: {len(airport)} Remote ID serials tracked, expected 2")
for rid, g in airport.items():
    print(f"drones_airport {rid}: {g['lines']} lines, {g['suspect']} suspect")
    if g["suspect"]:
        errors.append(f"drones_airport {rid} flagged: {sorted(g['reasons'])}")

if errors:
    print("\n".join("FAIL: " + e for e in errors))
    sys.exit(1)
print("PASS")
