#!/usr/bin/env python3
"""The real Parrot ANAFI flight (tests/data/remoteid/parrot_anafi4_real_rid_only.pcapng,
Wi-Fi beacon Remote ID) decoded and tracked end to end with
config/parrot_remoteid.toml (one remote_id sensor, format "pcap").

Independent truth: the decoded oracle parrot_anafi4_real_rid_only.decoded.jsonl
(cross-checked against opendroneid-core-c's decoder), not skyfuse's own decoder.
Its distinct Location messages (by their 25 raw bytes) are the UA's broadcast
positions; their time is the message's time stamp (tenths of a second after
the hour) placed in the hour of the capture time.

Must show (issue #20):
  - exactly one track, carrying the Basic ID serial of the oracle;
  - every distinct broadcast location within 1 m (horizontal: the ANAFI
    broadcasts no geodetic or pressure altitude, only height above take-off)
    of the track's position at that time: the track line written at the
    location's time (the update it made), else the track's positions before
    and after interpolated to that time;
  - the operator position on the track lines, equal to the one of the
    oracle's last System message captured before the Location that made the
    update (1e-7 deg; none before the first System message);
  - class small_uav;
  - no line flagged as spoofed (an honest real flight);
  - `skyfuse run` on the same file (replayed as fast as possible) tracks the
    same serial with the operator on its lines, and `skyfuse replay --verify`
    of its recording gives identical track lines (packet records recorded).
"""
import bisect, json, math, os, subprocess, sys

skyfuse, root, work = sys.argv[1:4]
root, work = os.path.abspath(root), os.path.abspath(work)
os.makedirs(work, exist_ok=True)
out = os.path.join(work, "tracks.jsonl")
cfg = os.path.join(root, "config/parrot_remoteid.toml")
res = subprocess.run([skyfuse, "track", "--config", cfg, "--out", out], capture_output=True, text=True)
print(res.stderr.strip())
if res.returncode != 0:
    sys.exit(f"FAIL: skyfuse track exited {res.returncode}")

oracle = os.path.join(root, "tests/data/remoteid/parrot_anafi4_real_rid_only.decoded.jsonl")
locations, seen, serials, systems = [], set(), set(), []
for line in open(oracle):
    m = json.loads(line)
    if m["name"] == "BasicID":
        serials.add(m["uas_id"])
    elif m["name"] == "System":
        systems.append((m["capture_time"], m["operator_lat"], m["operator_lon"]))
    elif m["name"] == "Location" and m["raw_hex"] not in seen:
        seen.add(m["raw_hex"])
        cap = m["capture_time"]
        hour = math.floor(cap / 3600) * 3600
        t = hour + m["ts_s_after_hour"]
        if t - cap > 1800: t -= 3600
        if cap - t > 1800: t += 3600
        locations.append((t, m["lat"], m["lon"]))
systems.sort()

lines = [json.loads(l) for l in open(out)]
errors = []
ids = {l["id"] for l in lines}
rids = {l.get("remote_id") for l in lines}
if len(ids) != 1: errors.append(f"{len(ids)} tracks: {sorted(ids)}")
if rids != serials: errors.append(f"track serials {rids} != broadcast {serials}")
# A real flight is honest: no spoofing check may flag it (the ANAFI reports
# 0 m/s while drifting about 0.5 m/s, within speed_mismatch's tolerance).
flagged = [l for l in lines if "spoof_suspect" in l or "spoof_reasons" in l]
if flagged: errors.append(f"{len(flagged)} lines flagged as spoofed, first {flagged[0]}")
if {l.get("class") for l in lines} != {"small_uav"}:
    errors.append(f"classes {set(l.get('class') for l in lines)}")

def dist(lat1, lon1, lat2, lon2):
    return 6371008.8 * math.hypot(math.radians(lat2 - lat1), math.radians(lon2 - lon1) * math.cos(math.radians(lat1)))

track = sorted((l["time"], l["lat_deg"], l["lon_deg"]) for l in lines if l.get("status") != "deleted")
times = [p[0] for p in track]
worst, far = 0.0, 0
for t, lat, lon in locations:
    k = bisect.bisect_left(times, t - 1e-6)
    if k < len(track) and abs(track[k][0] - t) < 1e-6:
        plat, plon = track[k][1], track[k][2]
    elif 0 < k < len(track):
        (t0, a0, o0), (t1, a1, o1) = track[k - 1], track[k]
        w = (t - t0) / (t1 - t0)
        plat, plon = a0 + w * (a1 - a0), o0 + w * (o1 - o0)
    else:
        errors.append(f"no track position at {t:.1f}")
        continue
    d = dist(lat, lon, plat, plon)
    worst = max(worst, d)
    if d > 1.0: far += 1
if far: errors.append(f"{far} of {len(locations)} broadcast locations farther than 1 m from the track")

# The operator position on each track line: the one of the last System
# message captured before the Location that made the update (none before the
# first System message).
first_capture = {}
for line in open(oracle):
    m = json.loads(line)
    if m["name"] == "Location":
        first_capture.setdefault(m["raw_hex"], m["capture_time"])
cap_of = {round(t, 3): first_capture[h] for (t, _, _), h in zip(locations, dict.fromkeys(first_capture))}
stimes = [s[0] for s in systems]
with_op, op_bad, unmatched = 0, 0, 0
for l in lines:
    cap = cap_of.get(round(l["time"], 3))
    if cap is None:
        unmatched += 1
        continue
    k = bisect.bisect_left(stimes, cap)
    want = (round(systems[k - 1][1], 7), round(systems[k - 1][2], 7)) if k > 0 else None
    got = (round(l["operator_lat_deg"], 7), round(l["operator_lon_deg"], 7)) if "operator_lat_deg" in l else None
    with_op += got is not None
    if got != want: op_bad += 1
if unmatched: errors.append(f"{unmatched} track lines at no broadcast location's time")
if with_op == 0: errors.append("no operator position on the track")
if op_bad: errors.append(f"{op_bad} track lines whose operator is not the last System message's before")

# The live system on the same capture, and its recording replayed.
run_cfg = os.path.join(work, "run.toml")
with open(run_cfg, "w") as f:
    f.write(f"""[run]
http_port = 0
speed = 0
exit_at_end = true
tracks_out = "run_tracks.jsonl"
alerts_out = "run_alerts.jsonl"
record_dir = "rec"

[[sensor]]
name = "rid-1"
kind = "remote_id"
lat_deg = 47.1987
lon_deg = 8.7302
alt_m = 500
sigma_position_m = 0.5
input = "file:{os.path.join(root, 'tests/data/remoteid/parrot_anafi4_real_rid_only.pcapng')}"
format = "pcap"
""")
import shutil
shutil.rmtree(os.path.join(work, "rec"), ignore_errors=True)
r = subprocess.run([skyfuse, "run", "--config", run_cfg], capture_output=True, text=True, timeout=120)
if r.returncode != 0: errors.append(f"skyfuse run exited {r.returncode}: {r.stderr[-500:]}")
run_lines = [json.loads(l) for l in open(os.path.join(work, "run_tracks.jsonl"))] if r.returncode == 0 else []
if {l.get("remote_id") for l in run_lines} != serials: errors.append("run: track serials differ")
if not any("operator_lat_deg" in l for l in run_lines): errors.append("run: no operator position")
v = subprocess.run([skyfuse, "replay", os.path.join(work, "rec"), "--speed", "0", "--no-http",
                    "--out", os.path.join(work, "replay.jsonl"), "--alerts-out", os.path.join(work, "replay_alerts.jsonl"),
                    "--verify"], capture_output=True, text=True, timeout=120)
if v.returncode != 0 or f"tracks {len(run_lines)} recorded lines identical" not in v.stderr + v.stdout:
    errors.append(f"replay --verify: {(v.stderr + v.stdout)[-300:]}")
print(f"run: {len(run_lines)} track lines; replay: {[x for x in (v.stderr + v.stdout).splitlines() if 'verify' in x]}")

print(f"{len(locations)} distinct broadcast locations, serials {sorted(serials)}, {len(lines)} track lines, "
      f"tracks {sorted(ids)}, worst horizontal distance {worst:.3f} m, lines with the operator "
      f"{with_op}/{len(lines)}")
for e in errors: print("FAIL:", e)
sys.exit(1 if errors else 0)
