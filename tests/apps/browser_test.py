#!/usr/bin/env python3
"""The web map end to end in headless Chromium (issues #6, #21): `skyfuse run`
on the demo scenario (simulated sensors over real Swiss traffic) at 10x real
time, recorded, then `skyfuse replay` of that recording; against each,
web/test/browser_test.mjs (playwright-core driving Debian's chromium) checks
the map (URL parameters, table, search, selection, labels that never overlap,
speed vectors and history dots, range rings and outline, the altitude legend,
imperial units and the range and bearing tool,
settings, keyboard, phone layout, a sensor whose tcp: input is down drawn red,
a 5,000-track frame under 100 ms; replay
badge, slider time labels, trails cut at a seek, pause); then `skyfuse run`
with two operator map layers in its configuration ([[run.map_layer]]: XYZ,
GeoJSON), which /api/info must give and the map must add; and saves a
screenshot per view in BUILD/tests/apps/browser/shots/.
Needs `npm ci --prefix web` (scripts/test.sh runs it) and the aircraft
database of Debian's dump1090-mutability that scripts/setup.sh unpacks (the
Reg and Type columns, search by registration)."""
import os, re, select, shutil, socket, subprocess, sys, time

skyfuse, root, work = (os.path.abspath(a) for a in sys.argv[1:4])
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
shots = os.path.join(work, "shots")
os.makedirs(shots)
t0 = time.time()
sim = os.path.join(work, "sim")
subprocess.run([skyfuse, "sim", os.path.join(root, "scenarios/demo_zurich.toml"), "--seed", "1", "--out", sim],
               check=True, capture_output=True)
config = os.path.join(sim, "run.toml")
# Registrations and types (the Reg and Type columns, search by registration):
# Debian's dump1090-mutability aircraft database, unpacked by scripts/setup.sh,
# in readsb's aircraft.csv layout (tools/aircraft_db_from_dump1090.py).
aircraft_db = os.path.join(work, "aircraft.csv")
subprocess.run([sys.executable, os.path.join(root, "tools/aircraft_db_from_dump1090.py"),
                "/usr/local/share/skyfuse/dump1090-mutability/usr/share/dump1090-mutability/html/db",
                aircraft_db], check=True, capture_output=True)
closed = socket.socket()
closed.bind(("127.0.0.1", 0))
down_port = closed.getsockname()[1]
closed.close()  # nothing listens there: the map must show the sensor as down
with open(config, "w") as f:
    f.write(open(os.path.join(sim, "sensors.toml")).read())
    f.write(f'\n[[sensor]]\nname = "feed-down"\nkind = "adsb"\nlat_deg = 47.0\nlon_deg = 8.0\n'
            f'input = "tcp:127.0.0.1:{down_port}"\nformat = "beast"\n')
    f.write(f'\n[run]\nzones = "{os.path.join(root, "config/zones_zurich.geojson")}"\n'
            f'web_root = "{os.path.join(root, "web")}"\naircraft_db = "{aircraft_db}"\n')
# The same with the operator's map layers (docs/config.md): an XYZ layer whose
# tiles the browser test answers, and a GeoJSON layer from web/.
layers_config = os.path.join(sim, "layers.toml")
with open(layers_config, "w") as f:
    f.write(open(config).read())
    f.write('\n[[run.map_layer]]\nid = "tiles"\nname = "Test tiles"\ntype = "xyz"\n'
            'url = "tiles/{z}/{x}/{y}.png"\n'
            '\n[[run.map_layer]]\nid = "ap"\nname = "Test GeoJSON"\ntype = "geojson"\n'
            'url = "layers/ne_10m_airports.geojson"\nstroke = "#ff0"\n')
recording = os.path.join(work, "recording")


def serve(args):
    """Start skyfuse with its map on a free port; return (process, port)."""
    p = subprocess.Popen([skyfuse] + args + ["--http-port", "0", "--quiet"], stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 30
    while time.time() < deadline:
        if not select.select([p.stderr], [], [], 1.0)[0]:
            continue
        line = p.stderr.readline()
        m = re.search(r"http://[^:]+:(\d+)/", line)
        if m:
            return p, int(m.group(1))
        if not line and p.poll() is not None:
            break
    return p, None


def stop(p, what):
    p.terminate()
    try:
        p.wait(timeout=20)
    except subprocess.TimeoutExpired:
        p.kill()
        print(f"FAIL: skyfuse {what} did not stop on SIGTERM within 20 s")
        return 1
    if p.returncode not in (0, -15):
        print(f"FAIL: skyfuse {what} exited {p.returncode} on SIGTERM")
        return 1
    return 0


def browser(mode, port):
    r = subprocess.run(["node", os.path.join(root, "web/test/browser_test.mjs"), mode, f"http://127.0.0.1:{port}/", shots],
                       cwd=os.path.join(root, "web"), timeout=240)
    if r.returncode:
        print(f"FAIL: the browser test ({mode}) exited {r.returncode}", flush=True)
    return r.returncode


rc = 0
for mode, args in (("live", ["run", "--config", config, "--speed", "10", "--record", recording]),
                   ("replay", ["replay", recording, "--speed", "10", "--web-root", os.path.join(root, "web")]),
                   ("layers", ["run", "--config", layers_config, "--speed", "10"])):
    p, port = serve(args)
    try:
        if port is None:
            print(f"FAIL: skyfuse {args[0]} printed no map address")
            rc = 1
        else:
            rc |= browser(mode, port)
    finally:
        rc |= stop(p, args[0])
    if rc:
        break
print(f"browser tests: {time.time() - t0:.1f} s, screenshots in {shots}")
sys.exit(1 if rc else 0)
