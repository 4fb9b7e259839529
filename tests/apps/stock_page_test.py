#!/usr/bin/env python3
"""A stock page of tar1090's family shows skyfuse's picture with trails from
history (issue #21).

tar1090 itself is neither on Debian nor on npm; its ancestor is: Debian's
dump1090-mutability 1.15 ships the web page tar1090 was forked from, reading
the same files (readsb's README-json.md: receiver.json's `refresh`, `history`,
`lat`, `lon`; history_0 .. history_(N-1).json; aircraft.json's `now`,
`messages`, `hex`, `lat`, `lon`, `seen`, `seen_pos`, `track`, `flight`,
`squawk`, `category`, `mlat`). scripts/setup.sh unpacks that package's files;
this test copies its html folder as it is (symbolic links to Debian's jQuery
resolved) into a web root, runs `skyfuse run` on the bundled real Beast
capture (data/adsb/ulss7-..., 11 aircraft in 61 s) at real time with a
history copy every 2 s of data time, and opens the stock gmap.html in headless
Chromium (web/test/stock_page.mjs). Checked against the files the page itself
received: it loaded every history file; it has exactly the aircraft the
history gave positions for; it drew trails from history alone (before its
first live poll) whose every point is one of that aircraft's positions in
those files; a marker per aircraft; and its header count then follows
aircraft.json. A screenshot goes to WORK_DIR/stock_page.png.

Usage: stock_page_test.py SKYFUSE SOURCE_DIR WORK_DIR
"""
import json, os, re, shutil, subprocess, sys, time, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ulss7_run  # noqa: E402

skyfuse, root, work = (os.path.abspath(a) for a in sys.argv[1:4])
stock = "/usr/local/share/skyfuse/dump1090-mutability"
html = os.path.join(stock, "usr/share/dump1090-mutability/html")
if not os.path.isfile(os.path.join(html, "gmap.html")):
    sys.exit(f"FAIL: no stock page in {html}: run scripts/setup.sh")
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
www = os.path.join(work, "www")


def copy_resolved(src, dst):
    """The html folder as packaged; its links point into Debian's
    /usr/share/javascript (libjs-* packages) and /etc (config.js)."""
    os.makedirs(dst)
    for name in os.listdir(src):
        s, d = os.path.join(src, name), os.path.join(dst, name)
        if os.path.islink(s):
            target = os.readlink(s)
            if target.startswith("/etc/"):
                s = os.path.join(stock, target.lstrip("/"))
            else:
                s = os.path.normpath(os.path.join("/usr/share/dump1090-mutability/html", target))
        if os.path.isdir(s):
            copy_resolved(s, d)
        else:
            shutil.copyfile(s, d)


copy_resolved(html, www)
# The page's aircraft database (html/db/*.json) in readsb's aircraft.csv layout
# for skyfuse's --aircraft-db: aircraft.json's `r` and `t` must then be what the
# page's own lookup finds.
db_csv = os.path.join(work, "aircraft.csv")
subprocess.run([sys.executable, os.path.join(root, "tools/aircraft_db_from_dump1090.py"),
                os.path.join(html, "db"), db_csv], check=True)
config = os.path.join(work, "stock.toml")
ulss7_run.write_config(root, config, ["speed = 1", "history_interval_s = 2", f'web_root = "{www}"',
                                      f'aircraft_db = "{db_csv}"'])
failures = []


def check(cond, msg):
    print(("ok:   " if cond else "FAIL: ") + msg)
    if not cond: failures.append(msg)


p, port = ulss7_run.start(skyfuse, config)
try:
    if port is None:
        sys.exit("FAIL: no map address printed")
    # Open the page once there are 8 history copies (16 s of data time).
    t_end = time.time() + 60
    while time.time() < t_end:
        r = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/data/receiver.json", timeout=10).read())
        if r.get("history", 0) >= 8: break
        time.sleep(0.5)
    node = subprocess.run(["node", os.path.join(root, "web/test/stock_page.mjs"),
                           f"http://127.0.0.1:{port}/gmap.html", os.path.join(work, "stock_page.png")],
                          capture_output=True, text=True, timeout=120, cwd=os.path.join(root, "web"))
    if node.returncode != 0 or not node.stdout.strip():
        sys.exit(f"FAIL: the page's driver: rc {node.returncode}\n{node.stderr[-3000:]}")
    out = json.loads(node.stdout.strip().splitlines()[-1])
finally:
    p.terminate()
    try:
        p.wait(timeout=20)
    except subprocess.TimeoutExpired:
        p.kill()

with open(os.path.join(work, "page.json"), "w") as f:
    json.dump(out, f, indent=1)
check(not out["errors"], f"no error in the page: {out['errors'][:5]}")
data_requests = [(r["path"], r["status"]) for r in out["requests"]]
check(all(s == 200 for _, s in data_requests), f"every data/ request answered 200: {data_requests[:40]}")
hist = sorted(int(m.group(1)) for path, _ in data_requests for m in [re.search(r"history_(\d+)\.json$", path)] if m)
check(len(hist) >= 8 and hist == list(range(len(hist))) and len(out["history"]) == len(hist),
      f"the page loaded history_0 .. history_{len(hist) - 1} ({len(out['history'])} read)")
positions = {}
for h in out["history"]:
    for a in h["aircraft"]:
        if "lat" in a: positions.setdefault(a["hex"], []).append((a["lon"], a["lat"]))
drawn = out.get("fromHistory", {"planes": [], "markers": 0})
with_pos = {p_["icao"] for p_ in drawn["planes"] if p_["position"]}
check(with_pos == set(positions), f"the page's aircraft with a position are the history's: {sorted(with_pos)} vs {sorted(positions)}")
trails = {p_["icao"]: p_["trail"] for p_ in drawn["planes"]}
long_trails = [h for h, t in trails.items() if len(t) >= 3]
check(len(long_trails) >= 5, f"{len(long_trails)} aircraft with a trail of 3+ points from history alone "
      f"({ {h: len(t) for h, t in trails.items()} })")
off = [(h, pt) for h, t in trails.items() for pt in t
       if not any(abs(pt[0] - q[0]) < 1e-6 and abs(pt[1] - q[1]) < 1e-6 for q in positions.get(h, []))]
check(not off, f"every trail point is one of the aircraft's positions in the history files ({off[:3]})")
markers = sum(1 for p_ in drawn["planes"] if p_["marker"])
# Each marker is two icon features (the plane and its outline).
check(markers == len(with_pos) and drawn["markers"] == 2 * markers,
      f"a marker per aircraft: {markers} planes with one, {drawn['markers']} icon features")
sel = out.get("selected", {})
check(sel.get("trailFeatures", 0) >= 1 and sel.get("icao", "-").upper() in sel.get("row", "").upper(),
      f"selecting an aircraft through the page shows its details and draws its trail: {sel}")
live = out.get("live", {})
counts = [sum(1 for a in f["aircraft"] if a.get("seen", 99) <= 58) for f in out["aircraft"][-3:]]
check(live.get("total", 0) >= 5 and live.get("total") in counts,
      f"the header's aircraft count {live.get('total')} follows aircraft.json ({counts})")
check(live.get("lastTimestamp", 0) > max(h["now"] for h in out["history"]) if out["history"] else False,
      "live polls moved the page past the history's time")
# Registrations and types: skyfuse's aircraft.json (from the converted
# database) against the page's own lookup in its db/ folder.
ours = {a["hex"]: (a.get("r"), a.get("t")) for a in (out["aircraft"][-1]["aircraft"] if out["aircraft"] else [])}
theirs = {p_["icao"]: (p_["registration"], p_["icaotype"]) for p_ in live.get("planes", [])}
with_reg = [h for h, (r, _) in ours.items() if r]
check(len(with_reg) >= 5 and all(theirs.get(h) == ours[h] for h in with_reg),
      f"aircraft.json's r and t equal the page's own database lookup for {len(with_reg)} aircraft: "
      f"{ {h: (ours[h], theirs.get(h)) for h in with_reg} }")
print(f"{len(hist)} history files, {len(positions)} aircraft, trails of "
      f"{sorted(len(t) for t in trails.values())} points, screenshot {os.path.join(work, 'stock_page.png')}")
if failures:
    sys.exit(f"{len(failures)} check(s) failed")
print("stock page: all checks passed")
