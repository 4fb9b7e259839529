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
ground speed; each aircraft's readsb trace files (traces/xx/trace_full_HEX.json
and trace_recent_) agree with that; stats.json counts the capture's frames.

Usage: tar1090_contract_test.py SKYFUSE SOURCE_DIR WORK_DIR
"""
import gzip, json, math, os, re, shutil, subprocess, sys, time, urllib.error, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ulss7_run  # noqa: E402

skyfuse, root, work = (os.path.abspath(a) for a in sys.argv[1:4])
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
config = os.path.join(work, "tar1090.toml")
ulss7_run.write_config(root, config, ["speed = 10", "history_interval_s = 5"])
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL:", msg)


p, port = ulss7_run.start(skyfuse, config)
try:
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
    # The last publication: wait until aircraft.json stops changing (under load
    # it can come well after the input ended), so that every file read below
    # is of the same final picture.
    last, t_end = None, time.time() + 30
    while time.time() < t_end:
        time.sleep(1.0)
        now = get("aircraft.json")["now"]
        if now == last: break
        last = now
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
    # readsb's trace files, as tar1090 fetches them for a selected aircraft:
    # traces/<last two hex digits>/trace_{recent,full}_<hex>.json. The trace
    # holds the aircraft's whole time here (61 s: at least the history's
    # positions), its times increase, its steps fit its speed, the recent
    # file is the end of the full one and its last point the current position.
    current = {a["hex"]: a for a in files[-1]["aircraft"] if "lat" in a}
    traced = 0
    for h, a in current.items():
        full = get(f"traces/{h[-2:]}/trace_full_{h}.json")
        recent = get(f"traces/{h[-2:]}/trace_recent_{h}.json")
        check(full["icao"] == h and recent["icao"] == h, f"{h}: trace icao {full['icao']} {recent['icao']}")
        pts = [(full["timestamp"] + q[0], q[1], q[2], q[4]) for q in full["trace"]]
        rec = [(recent["timestamp"] + q[0], q[1], q[2], q[4]) for q in recent["trace"]]
        check(all(len(q) == 14 for q in full["trace"]), f"{h}: trace points not of 14 columns")
        check(rec == pts[-len(rec):], f"{h}: trace_recent is not the end of trace_full")
        check(all(b[0] > a_[0] for a_, b in zip(pts, pts[1:])), f"{h}: trace times do not increase")
        # The details on the first point; the newest point's source type and
        # altitude as aircraft.json has them (the first second of a track
        # precedes the publication that tells its Mode S details).
        newest = full["trace"][-1]
        check(full["trace"][0][8] is not None and newest[9] == a["type"],
              f"{h}: first trace point {full['trace'][0]}, newest {newest}, aircraft type {a['type']}")
        if isinstance(a.get("alt_baro"), int):
            check(newest[6] & 8 == 0 and abs(newest[3] - a["alt_baro"]) <= 1000,
                  f"{h}: newest trace point {newest}: not the pressure altitude {a['alt_baro']}")
        for (t0, la0, lo0, gs0), (t1, la1, lo1, gs1) in zip(pts, pts[1:]):
            p0, p1 = math.radians(la0), math.radians(la1)
            d = 6371008.8 * math.acos(min(1, math.sin(p0) * math.sin(p1) + math.cos(p0) * math.cos(p1) * math.cos(math.radians(lo1 - lo0))))
            check(d <= 1.3 * max(gs0, gs1) * 1852 / 3600 * (t1 - t0) + 1000, f"{h}: trace step {d:.0f} m in {t1 - t0:.1f} s")
        last = pts[-1]
        check(abs(last[1] - a["lat"]) < 0.02 and abs(last[2] - a["lon"]) < 0.04,
              f"{h}: trace ends at {last[1:3]}, aircraft at {a['lat']}, {a['lon']}")
        if h in long_trails:
            check(pts[0][0] <= long_trails[h][0][0] + 5, f"{h}: trace starts {pts[0][0]}, history {long_trails[h][0][0]}")
            traced += 1
    print(f"traces of {len(current)} aircraft, {traced} of them with a history trail")
    check(traced >= 5, f"only {traced} traces checked against a history trail")
    h0 = next(h for h in current if not h.startswith("~"))
    wrong_folder = "00" if h0[-2:] != "00" else "01"
    bads = ["traces/fe/trace_full_~fffffe.json", f"traces/{wrong_folder}/trace_full_{h0}.json",
            "traces/../receiver.json"]
    if h0.upper() != h0:  # readsb's names are lower case
        bads.append(f"traces/{h0[-2:].upper()}/trace_full_{h0.upper()}.json")
    for bad in bads:
        try:
            urllib.request.urlopen(base + bad, timeout=10)
            check(False, f"{bad}: served")
        except urllib.error.HTTPError as e:
            check(e.code == 404, f"{bad}: HTTP {e.code}, expected 404")
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
