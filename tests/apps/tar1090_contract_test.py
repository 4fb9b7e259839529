#!/usr/bin/env python3
"""tar1090's data contract against a running `skyfuse run` (issue #21).

What tar1090's page does on load (readsb's README-json.md, "history_N.json"):
read /data/receiver.json (`refresh`, `history`, `lat`, `lon`), fetch
history_0 .. history_(history-1) and aircraft.json, sort them by `now`, and
draw each aircraft's trail from its positions across them. The input is the
bundled real Beast capture (data/adsb/ulss7-..., 61 s, 11 aircraft, 13,954
frames of which 5,026 Mode A/C: data/README.md), replayed at 10x with a copy
every 5 s of data time. Checked: every file is aircraft.json's format with
increasing `now`, no hex twice in a file, several aircraft with a trail of
several positions whose times increase and whose steps fit the aircraft's
ground speed; stats.json counts the capture's frames.

Usage: tar1090_contract_test.py SKYFUSE SOURCE_DIR WORK_DIR
"""
import gzip, json, math, os, re, select, shutil, subprocess, sys, time, urllib.request

skyfuse, root, work = (os.path.abspath(a) for a in sys.argv[1:4])
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
beast = os.path.join(root, "data/adsb/ulss7-beast-bin-utc--1522782148.136310917--.log")
config = os.path.join(work, "tar1090.toml")
with open(config, "w") as f:
    f.write(f'''[tracker]
origin_lat_deg = 59.9
origin_lon_deg = 30.5

[run]
speed = 10
history_interval_s = 5

[[sensor]]
name = "ulss7-beast"
kind = "adsb"
lat_deg = 59.9
lon_deg = 30.5
input = "file:{beast}"
format = "beast"
''')
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL:", msg)


p = subprocess.Popen([skyfuse, "run", "--config", config, "--http-port", "0"], stderr=subprocess.PIPE, text=True)
try:
    port, t_end = None, time.time() + 30
    while time.time() < t_end and port is None:
        if not select.select([p.stderr], [], [], 1.0)[0]: continue
        m = re.search(r"http://[^:]+:(\d+)/", p.stderr.readline())
        if m: port = int(m.group(1))
    if port is None:
        sys.exit("FAIL: no map address printed")
    base = f"http://127.0.0.1:{port}/data/"

    def get(name):  # as a browser asks: gzip accepted
        req = urllib.request.Request(base + name, headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(req, timeout=10) as r:
            body = r.read()
            if r.headers.get("Content-Encoding") == "gzip": body = gzip.decompress(body)
            return json.loads(body)

    # The capture ends after 61 s of data time (about 6 s here).
    t_end = time.time() + 60
    while time.time() < t_end:
        sensors = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/api/sensors", timeout=10).read())
        if sensors["sensors"] and sensors["sensors"][0]["state"] == "ended": break
        time.sleep(0.5)
    time.sleep(1.5)  # the last publication
    receiver = get("receiver.json")
    check(isinstance(receiver.get("refresh"), int) and receiver["refresh"] > 0, f"receiver.json refresh {receiver}")
    check(abs(receiver.get("lat", 0) - 59.9) < 1e-3 and abs(receiver.get("lon", 0) - 30.5) < 1e-3,
          f"receiver.json lat/lon {receiver}")
    n = receiver.get("history", 0)
    # 61 s at a copy every 5 s: 12 or 13 copies.
    check(11 <= n <= 14, f"receiver.json history {n}, expected about 12")
    files = [get(f"history_{i}.json") for i in range(n)] + [get("aircraft.json")]
    nows = [f["now"] for f in files]
    check(all(b > a for a, b in zip(nows, nows[1:])), f"now not increasing: {nows}")
    check(all(4.0 <= b - a <= 6.5 for a, b in zip(nows[:n], nows[1:n])), f"history not every 5 s: {nows}")
    trails = {}
    for f in files:
        hexes = [a["hex"] for a in f["aircraft"]]
        check(len(hexes) == len(set(hexes)), f"duplicate hex at now={f['now']}: {sorted(hexes)}")
        for a in f["aircraft"]:
            if "lat" not in a or "seen_pos" not in a: continue
            # The position's time as tar1090 takes it; both are given to 0.1 s.
            t = f["now"] - a["seen_pos"]
            pts = trails.setdefault(a["hex"], [])
            if not pts or (pts[-1][1], pts[-1][2]) != (a["lat"], a["lon"]):
                pts.append((t, a["lat"], a["lon"], a.get("gs", 0)))
    long_trails = {h: pts for h, pts in trails.items() if len(pts) >= 4}
    print(f"{n} history files, {len(trails)} aircraft with positions, "
          f"{len(long_trails)} with a trail of 4+ positions")
    check(len(long_trails) >= 5, f"only {len(long_trails)} aircraft with trails: { {h: len(v) for h, v in trails.items()} }")
    for h, pts in trails.items():
        for (t0, la0, lo0, gs0), (t1, la1, lo1, gs1) in zip(pts, pts[1:]):
            check(t1 > t0 - 0.2, f"{h}: position times go back {t0} -> {t1}")
            # Great circle (mean sphere) against the ground speed (kt), with
            # 30 % and 1 km of slack for the filter and the rounding.
            p0, p1 = math.radians(la0), math.radians(la1)
            dl = math.radians(lo1 - lo0)
            d = 6371008.8 * math.acos(min(1, math.sin(p0) * math.sin(p1) + math.cos(p0) * math.cos(p1) * math.cos(dl)))
            v = max(gs0, gs1) * 1852 / 3600
            check(d <= 1.3 * v * max(0.0, t1 - t0) + 1000, f"{h}: {d:.0f} m in {t1 - t0:.1f} s at {v:.0f} m/s")
    stats, t_end = get("stats.json"), time.time() + 20
    while stats["total"].get("remote", {}).get("modeac") != 5026 and time.time() < t_end:
        time.sleep(0.5)  # the publication after the end (a slow machine)
        stats = get("stats.json")
    remote = stats["total"].get("remote", {})
    print(f"stats.json total: messages {stats['total']['messages']}, remote {remote}, "
          f"tracks {stats['total']['tracks']}, max_distance {stats['total']['max_distance']} m")
    # data/README.md: 13,954 frames, 5,026 of them Mode A/C.
    check(remote.get("modeac") == 5026 and remote.get("modes") == 13954 - 5026,
          f"stats.json remote {remote}: expected modeac 5026, modes 8928")
    check(sum(remote.get("accepted", [])) + remote.get("bad", 0) + remote.get("unknown_icao", 0) == remote.get("modes"),
          f"stats.json remote does not add up: {remote}")
    check(stats["total"]["tracks"]["all"] >= 11, f"stats.json tracks {stats['total']['tracks']}")
finally:
    p.kill()
    p.wait()
print("OK" if not failures else f"{len(failures)} failures")
sys.exit(1 if failures else 0)
