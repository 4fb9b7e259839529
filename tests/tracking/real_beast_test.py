#!/usr/bin/env python3
"""The bundled real Beast capture (data/adsb/, 1 receiver, 60 s) decoded and
tracked end to end with config/ulss7_beast.toml. Independent truth: the set of
aircraft whose positions the decoder resolves (`skyfuse decode`, itself held to
dump1090-mutability in the Mode S tests). Must show: one track per aircraft,
exactly one system track number each, no track deleted and restarted (no
breaks), and every track's positions within 2 km of that aircraft's decoded
positions at the same time."""
import json, math, os, subprocess, sys
skyfuse, root, work = sys.argv[1:4]
os.makedirs(work, exist_ok=True)
cap = os.path.join(root, "data/adsb/ulss7-beast-bin-utc--1522782148.136310917--.log")
out = os.path.join(work, "tracks.jsonl")
subprocess.run([skyfuse, "track", "--config", os.path.join(root, "config/ulss7_beast.toml"), "--out", out, "--quiet"], check=True)
dec = subprocess.run([skyfuse, "decode", cap, "--receiver", "59.9", "30.5"], check=True, capture_output=True, text=True).stdout
fixes = {}
for line in dec.splitlines():
    j = json.loads(line)
    if "lat_deg" in j: fixes.setdefault(j["icao24"], []).append((j["time"], j["lat_deg"], j["lon_deg"]))
tracks, deleted = {}, {}
worst = 0.0
for line in open(out):
    j = json.loads(line)
    icao = j.get("icao24")
    assert icao, f"track without address: {line}"
    tracks.setdefault(icao, set()).add(j["id"])
    if j["status"] == "deleted": deleted[icao] = j["time"]
    elif icao in deleted: sys.exit(f"FAIL: {icao} tracked again after deletion (a break)")
    if j["status"] == "confirmed":
        f = min(fixes[icao], key=lambda x: abs(x[0] - j["time"]))
        if abs(f[0] - j["time"]) < 1.0:
            d = 6371e3 * math.hypot(math.radians(f[1] - j["lat_deg"]), math.radians(f[2] - j["lon_deg"]) * math.cos(math.radians(f[1])))
            worst = max(worst, d)
errors = []
if set(tracks) != set(fixes): errors.append(f"aircraft tracked {sorted(tracks)} != decoded {sorted(fixes)}")
for icao, ids in tracks.items():
    if len(ids) != 1: errors.append(f"{icao} has track numbers {sorted(ids)}")
if worst > 2000: errors.append(f"worst distance to a decoded fix {worst:.0f} m")
print(f"{len(fixes)} aircraft with decoded positions, {len(tracks)} tracked, numbers per aircraft "
      f"{sorted(len(v) for v in tracks.values())}, deletions {len(deleted)}, worst distance {worst:.0f} m")
for e in errors: print("FAIL:", e)
sys.exit(1 if errors else 0)
