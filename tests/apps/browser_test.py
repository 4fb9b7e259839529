#!/usr/bin/env python3
"""The web map end to end in headless Chromium (issue #6): `skyfuse run` on the
demo scenario (simulated sensors over real Swiss traffic) at 10x real time,
then web/test/browser_test.mjs (playwright-core driving Debian's chromium):
tracks appear and move, one is selected and its detail panel fills, a
screenshot is saved (BUILD/tests/apps/map.png), and a 5,000-track frame is timed.
Needs `npm ci --prefix web` (scripts/test.sh runs it)."""
import os, re, select, shutil, subprocess, sys, time

skyfuse, root, work = (os.path.abspath(a) for a in sys.argv[1:4])
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
sim = os.path.join(work, "sim")
subprocess.run([skyfuse, "sim", os.path.join(root, "scenarios/demo_zurich.toml"), "--seed", "1", "--out", sim],
               check=True, capture_output=True)
config = os.path.join(sim, "run.toml")
with open(config, "w") as f:
    f.write(open(os.path.join(sim, "sensors.toml")).read())
    f.write(f'\n[run]\nzones = "{os.path.join(root, "config/zones_zurich.geojson")}"\n')
p = subprocess.Popen([skyfuse, "run", "--config", config, "--speed", "10", "--http-port", "0", "--quiet"],
                     stderr=subprocess.PIPE, text=True)
port = None
deadline = time.time() + 30
while time.time() < deadline and port is None:
    if not select.select([p.stderr], [], [], 1.0)[0]: continue
    m = re.search(r"http://[^:]+:(\d+)/", p.stderr.readline())
    if m: port = int(m.group(1))
rc = 1
try:
    if port is None:
        print("FAIL: skyfuse run printed no map address")
    else:
        shot = os.path.join(os.path.dirname(work), "map.png")
        r = subprocess.run(["node", os.path.join(root, "web/test/browser_test.mjs"), f"http://127.0.0.1:{port}/", shot],
                           cwd=os.path.join(root, "web"), timeout=240)
        rc = r.returncode
finally:
    p.terminate()
    try:
        p.wait(timeout=20)
    except subprocess.TimeoutExpired:
        p.kill()
        print("FAIL: skyfuse run did not stop on SIGTERM within 20 s")
        rc = 1
    if p.returncode not in (0, -15) and rc == 0:
        print(f"FAIL: skyfuse run exited {p.returncode} on SIGTERM")
        rc = 1
sys.exit(rc)
