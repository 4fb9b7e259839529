#!/usr/bin/env python3
"""A receiver network read live by `skyfuse run` (issue #19): one Beast stream
per receiver over TCP, as readsb/dump1090 serve them on port 30005.

`skyfuse sim` writes the network of scenarios/mlat_network_beast.toml (its
first SECONDS) as one Beast file per receiver. This script serves each file on
its own 127.0.0.1 port in real time (every frame sent when its receiver heard
it, the GPS receivers' timestamps moved to today's time of day, as a live GPS
receiver's are), and `skyfuse run` reads them with [[sensor.receiver]]
input = "tcp:127.0.0.1:PORT". Its tracks are scored against the simulated
truth moved to the same wall-clock time: the aircraft without ADS-B inside the
network, located only by skyfuse's own multilateration, must be tracked with
RMS horizontal <= RMS_M; while it runs, the sensor is "connected" and its
fixes are counted in /api/sensors and /metrics. The run's recording then
replays to the same tracks byte for byte (`replay --verify`).

Usage: mlat_live_test.py SKYFUSE SCENARIO WORK_DIR [SECONDS] [RMS_M]
"""
import datetime, json, math, os, re, shutil, socket, subprocess, sys, threading, time, tomllib, urllib.request
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from network_hull import hull, inside  # noqa: E402

skyfuse, scenario, work = (os.path.abspath(a) for a in sys.argv[1:4])
seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 40
rms_max = float(sys.argv[5]) if len(sys.argv) > 5 else 50
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
failures = []
def check(ok, what):
    if not ok: failures.append(what); print("FAIL:", what)

# The scenario, shortened; its traffic file by absolute path.
text = open(scenario).read()
text = re.sub(r"(?m)^duration_s = .*$", f"duration_s = {seconds:g}", text)
text = re.sub(r'(?m)^file = "(.*)"$', lambda m: f'file = "{os.path.join(os.path.dirname(scenario), m.group(1))}"', text)
short = os.path.join(work, "scenario.toml")
open(short, "w").write(text)
sim = os.path.join(work, "sim")
subprocess.run([skyfuse, "sim", short, "--out", sim, "--quiet"], check=True, capture_output=True)
sensors_toml = open(os.path.join(sim, "sensors.toml")).read()
sensors = tomllib.loads(sensors_toml)["sensor"]
net = next(s for s in sensors if s["kind"] == "mlat_receivers")
rx_rows = [l.split(",") for l in open(os.path.join(sim, net["receivers"].removeprefix("file:"))).read().split("\n")[1:] if l.strip()]
kinds = {int(r[0]): ("gps" if r[4].lower() in ("radarcape", "grx1090", "gps", "dump1090-hptoa")
                     else "sbs" if r[4].lower().startswith("sbs") else "beast") for r in rx_rows}
start_s = datetime.datetime.fromisoformat(tomllib.loads(text)["scenario"]["start"]).timestamp()

def frames_of(data):
    """Beast frames: (48-bit timestamp, type, signal, message), escapes removed."""
    out, i, n = [], 0, len(data)
    sizes = {0x31: 2, 0x32: 7, 0x33: 14}
    while i < n:
        if data[i] != 0x1A or i + 1 >= n or data[i + 1] not in sizes: i += 1; continue
        kind, want, body, j = data[i + 1], 6 + 1 + sizes[data[i + 1]], bytearray(), i + 2
        while len(body) < want and j < n:
            if data[j] == 0x1A:
                if j + 1 < n and data[j + 1] == 0x1A: body.append(0x1A); j += 2; continue
                break
            body.append(data[j]); j += 1
        if len(body) == want:
            out.append((int.from_bytes(body[:6], "big"), kind, body[6], bytes(body[7:])))
        i = j
    return out

def encode(ts, kind, signal, msg):
    body = ts.to_bytes(6, "big") + bytes([signal]) + msg
    return b"\x1a" + bytes([kind]) + body.replace(b"\x1a", b"\x1a\x1a")

# Each receiver's frames in scenario time; its listening port.
t0 = time.time() + 3.0  # the wall time of the scenario's start
shift = t0 - start_s
day0 = math.floor(start_s / 86400) * 86400
receivers = []
for r in net["receiver"]:
    serial = r["serial"]
    frames = frames_of(open(os.path.join(sim, r["input"].removeprefix("file:")), "rb").read())
    kind, timed = kinds[serial], []
    for ts, k, sig, msg in frames:
        if kind == "gps":
            t = day0 + (ts >> 30) + (ts & ((1 << 30) - 1)) * 1e-9
            w = t + shift  # a live GPS receiver stamps today's time of day
            sod = w - math.floor(w / 86400) * 86400
            s, ns = int(sod), int(round((sod - int(sod)) * 1e9))
            if ns >= 1_000_000_000: s, ns = s + 1, ns - 1_000_000_000
            ts = ((s % 86400) << 30) | ns
        else:
            t = r["start_unix"] + (ts - frames[0][0]) / (12e6 if kind == "beast" else 20e6)
        timed.append((t, encode(ts, k, sig, msg)))
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    receivers.append({"serial": serial, "frames": timed, "server": srv, "sent": 0})

def serve(rx):
    rx["server"].settimeout(30)
    try:
        conn, _ = rx["server"].accept()
    except OSError:
        return
    with conn:
        i, frames = 0, rx["frames"]
        while i < len(frames):
            due = shift + frames[i][0]
            now = time.time()
            if due > now: time.sleep(min(due - now, 0.05)); continue
            batch = bytearray()
            while i < len(frames) and shift + frames[i][0] <= now + 0.002:
                batch += frames[i][1]; i += 1
            try:
                conn.sendall(batch)
            except OSError:
                return
            rx["sent"] = i
        time.sleep(2)  # keep the stream open until skyfuse has read the end

# The run's configuration: the network alone (its receivers live), no ADS-B sensor.
tracks, rec = os.path.join(work, "tracks.jsonl"), os.path.join(work, "rec")
cfg = [f'[run]\nduration_s = {seconds + 6:g}\ntracks_out = "{tracks}"\nrecord_dir = "{rec}"\n']
head = sensors_toml.split("[[sensor]]")[0]
cfg.append(head)
cfg.append(f'[[sensor]]\nname = "{net["name"]}"\nkind = "mlat_receivers"\nlat_deg = {net["lat_deg"]}\n'
           f'lon_deg = {net["lon_deg"]}\nalt_m = {net["alt_m"]}\nformat = "beast"\n'
           f'receivers = "file:{os.path.join(sim, net["receivers"].removeprefix("file:"))}"\n')
for rx in receivers:
    cfg.append(f'[[sensor.receiver]]\nserial = {rx["serial"]}\ninput = "tcp:127.0.0.1:{rx["server"].getsockname()[1]}"\n')
config = os.path.join(work, "live.toml")
open(config, "w").write("\n".join(cfg))

threads = [threading.Thread(target=serve, args=(rx,), daemon=True) for rx in receivers]
for t in threads: t.start()
p = subprocess.Popen([skyfuse, "run", "--config", config, "--http-port", "0", "--quiet"], stderr=subprocess.PIPE, text=True)
log = []
def read_log():
    for line in p.stderr: log.append(line)
reader = threading.Thread(target=read_log, daemon=True)
reader.start()
# While it runs: the sensor connected (every receiver), its fixes counted in
# /api/sensors and /metrics.
port, t_end = None, time.time() + 20
while port is None and time.time() < t_end:
    m = next((re.search(r"http://[^:]+:(\d+)/", l) for l in log if "http://" in l), None)
    port = int(m.group(1)) if m else None
    time.sleep(0.2)
check(port is not None, "no map address printed")
if port:
    time.sleep(max(0.0, t0 + seconds * 0.75 - time.time()))
    api_sensors = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/api/sensors", timeout=5).read())["sensors"]
    metrics = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    s0 = api_sensors[0]
    print(f"/api/sensors: state {s0['state']}, counters {s0.get('counters')}")
    check(s0["state"] == "connected", f"sensor state {s0['state']}")
    ok_fixes = s0.get("counters", {}).get("mlat_fixes_ok", 0)
    check(ok_fixes > 100, f"mlat_fixes_ok {ok_fixes} in /api/sensors")
    m = re.search(r'skyfuse_sensor_feed_events_total\{sensor="%s",event="mlat_fixes_ok"\} (\d+)' % net["name"], metrics)
    check(m is not None and int(m.group(1)) > 0, "no mlat_fixes_ok in /metrics")
rc = p.wait(timeout=seconds + 60)
reader.join(timeout=5)
print("".join(log)[-3000:])
check(rc == 0, f"run exited {rc}")
sent = sum(rx["sent"] for rx in receivers)
total = sum(len(rx["frames"]) for rx in receivers)
print(f"{len(receivers)} receivers, {sent} of {total} frames sent")
check(sent == total, "not every frame was sent")

# The aircraft without ADS-B inside the network (its receivers' convex hull), in wall time.
h = hull([(float(r[2]), float(r[1])) for r in rx_rows])
adsb = set()
for s in sensors:
    if s["kind"] == "adsb":
        for line in open(os.path.join(sim, s["name"] + ".jsonl")):  # sim's reports, whatever the feed's format
            adsb.add(json.loads(line).get("icao24"))
dark = []
for line in open(os.path.join(sim, "truth.jsonl")):
    t = json.loads(line)
    if t.get("icao24") and t["icao24"] not in adsb and inside(h, (t["lon_deg"], t["lat_deg"])):
        t["time"] += shift
        dark.append(t)
sub = os.path.join(work, "truth_dark_wall.jsonl")
with open(sub, "w") as f:
    for t in dark: f.write(json.dumps(t) + "\n")
check(len(dark) > 0, "no aircraft without ADS-B inside the network")
if os.path.exists(tracks) and dark:
    ev = json.loads(subprocess.run([skyfuse, "eval", "--truth", sub, "--tracks", tracks, "--json"],
                                   check=True, capture_output=True, text=True).stdout)
    print(f"aircraft without ADS-B inside the network: {len({t['id'] for t in dark})}, "
          f"{len(dark)} truth states; RMS horizontal {ev['rms_horizontal_m']:.1f} m, coverage "
          f"{ev['truth_coverage'] * 100:.1f} %, false tracks {ev.get('false_tracks')}")
    check(ev["rms_horizontal_m"] <= rms_max, f"RMS horizontal {ev['rms_horizontal_m']:.1f} m > {rms_max} m")
    check(ev["truth_coverage"] >= 0.5, f"coverage {ev['truth_coverage'] * 100:.1f} % < 50 %")
    # The recording replays to the same tracks, byte for byte.
    v = subprocess.run([skyfuse, "replay", rec, "--speed", "0", "--no-http", "--out", os.path.join(work, "replayed.jsonl"),
                        "--alerts-out", os.path.join(work, "replayed_alerts.jsonl"), "--verify", "--quiet"],
                       capture_output=True, text=True, timeout=120)
    print(v.stdout[-1000:], v.stderr[-1000:])
    check(v.returncode == 0, "replay --verify differs from the run")
else:
    check(False, "no track file")
print("PASS" if not failures else f"{len(failures)} failures")
sys.exit(1 if failures else 0)
