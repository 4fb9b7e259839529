#!/usr/bin/env python3
"""`/metrics` of a live `skyfuse run` checked by Prometheus' own linter
(`promtool check metrics`, Debian package `prometheus`; issue #21: a gauge
with a `quantile` label failed it). Exits 77 (CTest: skipped) when promtool
is not installed.

Usage: metrics_promtool_test.py SKYFUSE SOURCE_DIR WORK_DIR
"""
import json, os, re, select, shutil, subprocess, sys, time, urllib.request

promtool = shutil.which("promtool")
if not promtool:
    print("SKIPPED: promtool not found (Debian package prometheus; scripts/setup.sh installs it)")
    sys.exit(77)
skyfuse, root, work = (os.path.abspath(a) for a in sys.argv[1:4])
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
sim = os.path.join(work, "sim")
subprocess.run([skyfuse, "sim", os.path.join(root, "scenarios/safety.toml"), "--out", sim], check=True,
               capture_output=True)
p = subprocess.Popen([skyfuse, "run", "--config", os.path.join(sim, "sensors.toml"), "--speed", "25",
                      "--http-port", "0"], stderr=subprocess.PIPE, text=True)
try:
    port = None
    t_end = time.time() + 30
    while time.time() < t_end and port is None:
        if not select.select([p.stderr], [], [], 1.0)[0]: continue
        m = re.search(r"http://[^:]+:(\d+)/", p.stderr.readline())
        if m: port = int(m.group(1))
    if port is None: sys.exit("FAIL: no map address printed")
    base = f"http://127.0.0.1:{port}"
    body = ""
    t_end = time.time() + 60
    while time.time() < t_end:  # until the pipeline has published its counters
        time.sleep(0.5)
        stats = json.loads(urllib.request.urlopen(base + "/api/stats", timeout=10).read())
        if stats.get("tracks", 0) > 0 and "pipeline_latency_seconds_count" in stats:
            body = urllib.request.urlopen(base + "/metrics", timeout=10).read().decode()
            break
finally:
    p.kill()
    p.wait()
if not body: sys.exit("FAIL: no /metrics with tracks and latency within 60 s")
with open(os.path.join(work, "metrics.txt"), "w") as f:
    f.write(body)
r = subprocess.run([promtool, "check", "metrics"], input=body, capture_output=True, text=True)
print(f"promtool check metrics: exit {r.returncode}, {len(body.splitlines())} lines")
print((r.stdout + r.stderr).strip())
failed = r.returncode != 0
for name in ("skyfuse_pipeline_latency_seconds_sum", "skyfuse_pipeline_latency_seconds_count"):
    if not re.search(rf"^{name} \S+$", body, re.M):
        print(f"FAIL: {name} missing")
        failed = True
if re.search(r"^# TYPE skyfuse_pipeline_latency_seconds summary$", body, re.M) is None:
    print("FAIL: skyfuse_pipeline_latency_seconds is not a summary")
    failed = True
sys.exit(1 if failed else 0)
