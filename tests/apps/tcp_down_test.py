#!/usr/bin/env python3
"""A live TCP input with nothing listening (issue #21): `skyfuse run` logs each
failed attempt with its reason and back-off, and shows the sensor as down in
/api/sensors (state "disconnected") and /metrics (skyfuse_sensor_up 0).

Usage: tcp_down_test.py SKYFUSE WORK_DIR
"""
import json, os, re, select, shutil, socket, subprocess, sys, time, urllib.request

skyfuse, work = (os.path.abspath(a) for a in sys.argv[1:3])
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
s = socket.socket()
s.bind(("127.0.0.1", 0))
port = s.getsockname()[1]
s.close()  # nothing listens there now
config = os.path.join(work, "down.toml")
with open(config, "w") as f:
    f.write(f'''[tracker]
origin_lat_deg = 47.46
origin_lon_deg = 8.55

[[sensor]]
name = "beast-down"
kind = "adsb"
lat_deg = 47.46
lon_deg = 8.55
input = "tcp:127.0.0.1:{port}"
format = "beast"
''')
p = subprocess.Popen([skyfuse, "run", "--config", config, "--http-port", "0"], stderr=subprocess.PIPE, text=True)
log, http, failures = [], None, 0
try:
    t_end = time.time() + 20
    while time.time() < t_end and (http is None or failures < 2):
        if not select.select([p.stderr], [], [], 0.5)[0]: continue
        line = p.stderr.readline()
        log.append(line)
        m = re.search(r"http://[^:]+:(\d+)/", line)
        if m: http = int(m.group(1))
        if f"input tcp:127.0.0.1:{port}: cannot connect: Connection refused; retrying in" in line: failures += 1
    ok = True
    if failures < 2:
        print(f"FAIL: {failures} failed attempts logged:\n{''.join(log)}"); ok = False
    if http:
        state, t_end = None, time.time() + 10
        while time.time() < t_end and state != "disconnected":  # published on wall-clock idle
            time.sleep(0.5)
            sensors = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{http}/api/sensors",
                                                        timeout=5).read())["sensors"]
            state = sensors[0]["state"] if sensors else None
        metrics = urllib.request.urlopen(f"http://127.0.0.1:{http}/metrics", timeout=5).read().decode()
        print(f"state {state}; " + " ".join(l for l in metrics.splitlines() if l.startswith("skyfuse_sensor_up")))
        if state != "disconnected": print(f"FAIL: /api/sensors state {state}"); ok = False
        if 'skyfuse_sensor_up{sensor="beast-down"} 0' not in metrics: print("FAIL: not down in /metrics"); ok = False
    else:
        print("FAIL: no map address printed"); ok = False
finally:
    p.kill()
    p.wait()
sys.exit(0 if ok else 1)
