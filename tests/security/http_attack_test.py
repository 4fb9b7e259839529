#!/usr/bin/env python3
"""An attacker's trial against `skyfuse run`'s HTTP / WebSocket server (issue
#16), kept as a regression suite. Sockets on 127.0.0.x only; attackers use
127.0.0.2 and up (their own source addresses), the operator's probe 127.0.0.1.

1. One server with the default limits (timeouts shortened to keep this quick),
   a probe asking /api/stats every 20 ms from another process throughout:
   path traversal in every encoding, symlinks out of the web root, special
   files (/dev/zero, /dev/urandom, a FIFO, /proc/self); HEAD; oversized and
   malformed requests (431, 414, 413, 400, 405); POST without / with a wrong
   token; WebSocket abuse (16 MB messages, never-reading clients, more
   clients than an address may open); slowloris; held request bodies; a
   connection flood from several addresses. Asserted: no file outside the web
   root, every refusal answered and counted in /api/stats and /metrics, the
   probe's p99 < 50 ms with no failure, RSS growth bounded.
2. One server under `ulimit -n 64` flooded with 150 connections: it does not
   spin, refuses (503) at once instead of leaving clients hanging, keeps
   serving a connection it has, and serves new ones once the flood ends.

Prints the measured numbers (docs/security.md quotes them).
Usage: http_attack_test.py SKYFUSE ROOT WORK
"""
import json, os, shutil, socket, subprocess, sys, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from live_server import (Probe, Server, closed_within, connect, get, quantile, read_response, request,  # noqa: E402
                         stats, ws_connect, ws_frame_header)

skyfuse, root, work = (os.path.abspath(a) for a in sys.argv[1:4])
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
errors = []
t_start = time.time()


def check(cond, msg):
    if not cond:
        errors.append(msg)
        print("FAIL:", msg, flush=True)
    return cond


def note(msg):
    print(f"[{time.time() - t_start:5.1f} s] {msg}", flush=True)


# ---- the system under attack: the safety scenario, looping at x25 -----------------
sim = os.path.join(work, "sim")
subprocess.run([skyfuse, "sim", os.path.join(root, "scenarios/safety.toml"), "--out", sim], check=True,
               capture_output=True)
web = os.path.join(work, "web")
os.makedirs(os.path.join(web, "sub"))
with open(os.path.join(web, "index.html"), "w") as f:
    f.write("<html>skyfuse test map</html>")
with open(os.path.join(web, "sub", "page.html"), "w") as f:
    f.write("page")
with open(os.path.join(web, "big.bin"), "wb") as f:
    f.write(b"b" * (2 << 20))  # over http_max_file_bytes
with open(os.path.join(work, "secret.txt"), "w") as f:
    f.write("TOPSECRET")
os.symlink("../secret.txt", os.path.join(web, "escape.txt"))
os.symlink("/etc", os.path.join(web, "etc"))
os.symlink("/dev/zero", os.path.join(web, "zero"))
os.symlink("/proc/self", os.path.join(web, "self"))
os.symlink(work, os.path.join(web, "up"))
fifo = os.path.join(web, "fifo")
os.mkfifo(fifo)
outside_fifo = os.path.join(work, "outside_fifo")
os.mkfifo(outside_fifo)
hostname = open("/etc/hostname").read().strip() if os.path.exists("/etc/hostname") else ""

sensors = open(os.path.join(sim, "sensors.toml")).read().replace('input = "file:', f'input = "file:{sim}/')


def write_config(name, extra=""):
    path = os.path.join(work, name)
    with open(path, "w") as f:
        f.write(sensors + f'''
[run]
token = "s3cret"
speed = 25
loop = true
web_root = "{web}"
http_max_file_bytes = 1048576
http_header_timeout_s = 2
http_body_timeout_s = 2
http_idle_timeout_s = 5
http_write_timeout_s = 3
ws_idle_timeout_s = 3
{extra}''')
    return path


# ==== 1. the attacks, with the probe running ======================================
srv = Server(skyfuse, write_config("run.toml"), log=os.path.join(work, "server1.log"))
port = srv.port
note(f"server on port {port}, pid {srv.p.pid}")
time.sleep(1.0)  # pictures flowing
for _ in range(20):
    get(port, "/api/stats")  # warm
rss0 = srv.rss_mb()
rss_peak = rss0
probe = Probe(port)


def sample_rss():
    global rss_peak
    rss_peak = max(rss_peak, srv.rss_mb())


# ---- paths: traversal in every encoding, symlinks out, special files -------------
targets = [
    "//etc/passwd", "//etc/hostname", "/../etc/passwd", "/../../../../../../etc/passwd", "/../secret.txt",
    "/%2e%2e/secret.txt", "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/%2E%2E/secret.txt", "/.%2e/secret.txt",
    "/%252e%252e/secret.txt", "/%252e%252e/%252e%252e/etc/passwd", "/..%2fsecret.txt", "/..%2f..%2fetc%2fpasswd",
    "/%2fetc%2fpasswd", "/web/../../secret.txt", "/sub/../../secret.txt", "/sub/%2e%2e/%2e%2e/secret.txt",
    "/..\\secret.txt", "/..%5c..%5csecret.txt", "/index.html%00.txt", "/%00/etc/passwd",
    "/%c0%ae%c0%ae/secret.txt", "/%c0%ae%c0%ae%c0%af%c0%ae%c0%ae%c0%afetc%c0%afpasswd", "/%e0%80%ae%e0%80%ae/secret.txt",
    "/escape.txt", "/etc/passwd", "/etc/hostname", "/up/secret.txt", "/self/environ", "/self/status",
    "//proc/self/environ", "//proc/self/cmdline", "//proc/self/maps", "/./index.html", "/sub//page.html",
    "/.hidden", "http://127.0.0.1/etc/passwd", "/big.bin", "/sub",
    # special files: answered at once, never read
    "//dev/zero", "//dev/urandom", "//dev/random", "/zero", "/fifo", "/" + outside_fifo,
]
slowest = 0.0
for t in targets:
    status, _, body, dt = request(port, f"GET {t} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".encode(),
                                  timeout=3)
    slowest = max(slowest, dt)
    leaked = b"TOPSECRET" in body or b"root:" in body or (hostname and hostname.encode() in body) \
        or b"PATH=" in body or b"\0\0\0\0" in body
    check(status in (400, 404) and not leaked, f"GET {t}: {status}, {len(body)} bytes{' LEAKED' if leaked else ''}")
    check(dt < 1.0, f"GET {t} took {dt:.2f} s")
check(get(port, "/")[0] == 200 and b"skyfuse test map" in get(port, "/")[2], "GET / (index.html)")
check(get(port, "/sub/page.html?x=/../..")[2] == b"page", "GET /sub/page.html with a query")
sample_rss()
note(f"{len(targets)} traversal / special-file targets refused, slowest answer {slowest * 1000:.0f} ms")

# ---- HEAD: headers only, the connection stays in step ---------------------------
with connect(port) as s:
    for t in ("/api/stats", "/index.html", "/metrics"):
        s.sendall(f"HEAD {t} HTTP/1.1\r\nHost: t\r\n\r\n".encode())
        status, headers, _ = read_response(s, head=True)
        check(status == 200 and int(headers.get("content-length", "0")) > 0, f"HEAD {t}: {status} {headers}")
    s.sendall(b"GET /index.html HTTP/1.1\r\nHost: t\r\n\r\n")
    status, _, body = read_response(s)
    check(status == 200 and body == b"<html>skyfuse test map</html>", f"GET after HEADs: {status} {body[:60]!r}")

# ---- oversized and malformed requests --------------------------------------------
auth = b"Authorization: Bearer s3cret\r\n"
cases = [
    ("header 100 KB", b"GET /api/stats HTTP/1.1\r\nHost: t\r\nX-Big: " + b"a" * 100000 + b"\r\n\r\n", 431),
    ("many fields", b"GET /api/stats HTTP/1.1\r\nHost: t\r\n" + b"".join(
        b"X-%d: %s\r\n" % (i, b"v" * 200) for i in range(400)) + b"\r\n", 431),
    ("URI 20 KB", b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\nHost: t\r\n\r\n", 414),
    ("URI 200 KB", b"GET /" + b"a" * 200000 + b" HTTP/1.1\r\nHost: t\r\n\r\n", 414),
    ("body 100 MB declared", b"POST /api/zones HTTP/1.1\r\nHost: t\r\n" + auth +
     b"Content-Length: 100000000\r\n\r\n" + b"x" * 65536, 413),
    ("body 2 MB chunked", b"POST /api/zones HTTP/1.1\r\nHost: t\r\n" + auth + b"Transfer-Encoding: chunked\r\n\r\n" +
     (b"10000\r\n" + b"c" * 65536 + b"\r\n") * 32 + b"0\r\n\r\n", 413),
    ("GET with a body", b"GET /api/stats HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n0123456789", 413),
    ("TLS hello", b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + os.urandom(64), 400),
    ("garbage", b"\x00\x01\x02garbage\r\n\r\n", 400),
    ("bad version", b"GET / HTTP/7.1\r\nHost: t\r\n\r\n", 400),
    ("bad length", b"GET / HTTP/1.1\r\nHost: t\r\nContent-Length: -1\r\n\r\n", 400),
    ("two lengths", b"POST /api/zones HTTP/1.1\r\nHost: t\r\n" + auth +
     b"Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}", 400),
    ("bad field", b"GET / HTTP/1.1\r\nHost t\r\n\r\n", 400),
    ("PUT", b"PUT /api/zones HTTP/1.1\r\nHost: t\r\n" + auth + b"Content-Length: 2\r\n\r\n{}", 405),
    ("POST, no token", b"POST /api/zones HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\n{}", 401),
    ("POST, wrong token", b"POST /api/zones HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer s3creT\r\n"
     b"Content-Length: 2\r\n\r\n{}", 401),
    ("POST, token prefix", b"POST /api/zones HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer s3c\r\n"
     b"Content-Length: 2\r\n\r\n{}", 401),
    ("POST, 1 MB body without token", b"POST /api/zones HTTP/1.1\r\nHost: t\r\nContent-Length: 1048576\r\n\r\n" +
     b"x" * 1048576, 401),
]
zones = open(os.path.join(root, "scenarios/safety_zones.geojson"), "rb").read()
cases.append(("POST with the token", b"POST /api/zones HTTP/1.1\r\nHost: t\r\n" + auth +
              b"Content-Length: %d\r\n\r\n" % len(zones) + zones, 200))
for name, raw, want in cases:
    status, headers, body, dt = request(port, raw, src="127.0.0.2")
    check(status == want, f"{name}: HTTP {status}, expected {want} ({body[:80]!r})")
    check(dt < 2.0, f"{name}: answered after {dt:.2f} s")
sample_rss()
note(f"{len(cases)} oversized / malformed / unauthorised requests answered")

# ---- WebSocket abuse ----------------------------------------------------------------
# 20 clients, all open at once, each sending one 16 MB message: refused from the
# frame header, nothing kept.
t0 = time.time()
big = b"a" * (16 * 1024 * 1024 - 4096)
senders = []
for i in range(20):
    ws = ws_connect(port, src="127.0.0.5")
    if not check(ws is not None, "WebSocket handshake refused"):
        break
    try:
        ws.sendall(ws_frame_header(len(big)) + big)
    except (BrokenPipeError, ConnectionResetError, socket.timeout):
        pass
    senders.append(ws)
time.sleep(0.3)
sample_rss()
closed = sum(closed_within(ws, 3) for ws in senders)
check(closed == 20, f"16 MB WebSocket messages: {closed} of 20 clients closed")
for ws in senders:
    ws.close()
note(f"20 x 16 MB WebSocket messages refused in {time.time() - t0:.1f} s, RSS {rss0:.0f} -> {rss_peak:.0f} MB")
# More clients than an address may open, none reading: the extra ones refused,
# the rest closed when they do not answer pings.
clients = []
refused = 0
for i in range(40):
    try:
        ws = ws_connect(port, src="127.0.0.6", rcvbuf=4096)
    except OSError:
        ws = None
    if ws is None:
        refused += 1
    else:
        clients.append(ws)
ws_live = stats(port).get("ws_clients", -1)
check(len(clients) == 32 and refused == 8, f"40 WebSocket clients from one address: {len(clients)} in, {refused} refused")
t0 = time.time()
time.sleep(2)
sample_rss()
closed = sum(closed_within(ws, max(0.1, t0 + 6 - time.time())) for ws in clients)
check(closed == len(clients), f"never-reading WebSocket clients: {closed} of {len(clients)} closed within 6 s")
for ws in clients:
    ws.close()
note(f"40 never-reading WebSocket clients: {len(clients)} admitted ({ws_live:.0f} open), {refused} refused, "
     f"{closed} closed after {time.time() - t0:.1f} s, RSS peak {rss_peak:.0f} MB")

# ---- slowloris: a header byte every 0.5 s -------------------------------------------
slow = []
for i in range(40):
    try:
        s = connect(port, src="127.0.0.3")
        s.sendall(b"GET /api/stats HTTP/1.1\r\n")
        slow.append(s)
    except OSError:
        pass
t0 = time.time()
alive = list(slow)
while alive and time.time() - t0 < 6:
    still = []
    for s in alive:
        try:
            s.sendall(b"X")
            s.settimeout(0.001)
            if s.recv(4096) == b"":
                continue
        except socket.timeout:
            still.append(s)
            continue
        except OSError:
            continue
        # an answer (the 503 of a refused one): it ends
    alive = still
    time.sleep(0.5)
check(not alive, f"slowloris: {len(alive)} of {len(slow)} connections still open after {time.time() - t0:.1f} s")
for s in slow:
    s.close()
note(f"slowloris, 40 connections from one address: all gone after {time.time() - t0:.1f} s")

# ---- held bodies: half of a 1 MB POST, then nothing --------------------------------
held = []
for i in range(10):
    s = connect(port, src="127.0.0.4")
    s.sendall(b"POST /api/zones HTTP/1.1\r\nHost: t\r\n" + auth + b"Content-Length: 1048576\r\n\r\n" + b"x" * 524288)
    held.append(s)
sample_rss()
t0 = time.time()
closed = sum(closed_within(s, max(0.1, t0 + 5 - time.time())) for s in held)
check(closed == 10, f"held bodies: {closed} of 10 closed within 5 s")
for s in held:
    s.close()
note(f"10 half-sent 1 MB bodies dropped after {time.time() - t0:.1f} s")

# ---- a connection flood from five addresses ---------------------------------------
flood, turned_away = [], 0
for a in range(10, 15):
    for i in range(40):
        try:
            flood.append(connect(port, src=f"127.0.0.{a}"))
        except OSError:
            turned_away += 1
time.sleep(0.5)
st = stats(port)
check(st.get("http_connections_open", 0) <= 256, f"open connections {st.get('http_connections_open')}")
sample_rss()
for s in flood:
    s.close()
note(f"flood of 200 connections from 5 addresses: {st.get('http_connections_open', 0):.0f} open at once "
     f"(32 per address), refused so far {st.get('http_connections_refused_total', 0):.0f}")

# ---- what it all did -----------------------------------------------------------------
time.sleep(0.5)
result = probe.finish()
lat = result["latencies_s"]
p50, p99, worst = quantile(lat, 0.5), quantile(lat, 0.99), max(lat) if lat else float("nan")
note(f"/api/stats under attack: {len(lat)} answers, p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, "
     f"max {worst * 1000:.1f} ms, {len(result['failures'])} failures")
check(len(lat) > 100, f"the probe got only {len(lat)} answers")
check(p99 < 0.050, f"/api/stats p99 {p99 * 1000:.1f} ms under attack (>= 50 ms)")
check(not result["failures"], f"probe failures: {result['failures'][:5]}")
rss_end = srv.rss_mb()
note(f"RSS: {rss0:.0f} MB before, peak {rss_peak:.0f} MB, {rss_end:.0f} MB after")
check(rss_peak - rss0 < 64, f"RSS grew by {rss_peak - rss0:.0f} MB (>= 64)")
st = stats(port)
shown = {k: int(v) for k, v in st.items() if k.startswith(("http_", "ws_"))}
note(f"counters: {json.dumps(shown)}")
want = {"http_not_found_total": 25, "http_bad_requests_total": 15, "http_oversized_total": 7,
        "http_refused_total": 4, "http_timeouts_total": 40, "http_connections_refused_total": 50,
        "ws_oversized_total": 20, "ws_timeouts_total": 30, "ws_sent_total": 1}
for k, n in want.items():
    check(st.get(k, 0) >= n, f"/api/stats {k} = {st.get(k)}, expected >= {n}")
metrics = get(port, "/metrics")[2].decode()
for k in list(want) + ["http_requests_total", "http_connections_open", "http_connections_max", "ws_clients",
                       "ws_dropped_total", "http_accept_errors_total"]:
    check(f"\nskyfuse_{k} " in metrics, f"/metrics has no skyfuse_{k}")
check(srv.alive(), "the server died")
code, err = srv.stop()
check(code == 0 and "Sanitizer" not in err, f"server 1 exit {code}: {err[-800:]}")

# ==== 2. out of file descriptors: ulimit -n 64 ======================================
srv = Server(skyfuse, write_config("run_fd.toml"), nofile=64, log=os.path.join(work, "server2.log"))
port = srv.port
time.sleep(0.5)
max_conn = stats(port).get("http_connections_max", 0)
note(f"server under ulimit -n 64 on port {port}: {max_conn:.0f} connections allowed")
check(0 < max_conn <= 32, f"http_connections_max {max_conn} under ulimit -n 64")
probe = Probe(port, keep_alive=True)  # the operator's browser, connected before the flood
probe.wait_ready()  # (its interpreter may take longer than any fixed pause under load)
time.sleep(0.1)
flood, failed = [], 0
for i in range(150):
    try:
        flood.append(connect(port, src=f"127.0.0.{20 + i % 5}"))
    except OSError:
        failed += 1
# A newcomer is told at once (503 or a close), not left waiting in the backlog.
t1 = time.perf_counter()
try:
    status, _, _, _ = get(port, "/api/stats", src="127.0.0.30", timeout=3)
except OSError:
    status = 0
told = time.perf_counter() - t1
check(told < 1.0, f"a new client during the flood waited {told:.2f} s (status {status})")
cpu0, t0 = srv.cpu_s(), time.time()
time.sleep(1.5)  # less than the header timeout: the flood still holds its connections
busy = (srv.cpu_s() - cpu0) / (time.time() - t0)
for s in flood:
    s.close()
t2 = time.time()
ok = False
while time.time() - t2 < 3 and not ok:
    try:
        ok = get(port, "/api/stats", timeout=1)[0] == 200
    except OSError:
        pass
back = time.time() - t2
result = probe.finish()
lat = result["latencies_s"]
p99 = quantile(lat, 0.99)
st = stats(port)
note(f"flood of 150 connections under ulimit -n 64: server CPU {busy * 100:.0f} %, newcomer answered "
     f"(HTTP {status}) in {told * 1000:.0f} ms, refused {st.get('http_connections_refused_total', 0):.0f}, "
     f"accept errors {st.get('http_accept_errors_total', 0):.0f}, kept-alive /api/stats p99 {p99 * 1000:.1f} ms "
     f"({len(lat)} answers, {len(result['failures'])} failures), serving again {back:.2f} s after the flood")
check(busy < 0.3, f"server CPU {busy * 100:.0f} % while flooded (spinning on accept?)")
check(ok and back < 1.5, f"not serving again {back:.1f} s after the flood")
check(st.get("http_connections_refused_total", 0) >= 100, f"refused {st.get('http_connections_refused_total')}")
check(p99 < 0.050 and not result["failures"] and len(lat) > 50,
      f"kept-alive probe: p99 {p99 * 1000:.1f} ms, failures {result['failures'][:3]}")
check(srv.alive(), "server 2 died")
code, err = srv.stop()
check(code == 0 and "Sanitizer" not in err, f"server 2 exit {code}: {err[-800:]}")

note(f"done: {len(errors)} failures")
for e in errors:
    print("FAIL:", e)
sys.exit(1 if errors else 0)
