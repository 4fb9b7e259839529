#!/usr/bin/env python3
"""Fault injection (issue #16): one sensor lies, stutters or floods; nothing
else in the picture changes beyond that sensor's own contribution.

1. batch: lying records spliced into one radar's ASTERIX file (a midnight
   crossing that is not one, 3 hours ahead, 1 hour behind, a future flood):
   `skyfuse track` gives byte-identical tracks to the clean file and counts
   every lie against that sensor.
2. live: two radars over UDP at the host's time, one of them faulty (lies
   about midnight, 11 hours ahead, a 2035 flood, every datagram duplicated,
   pairs reordered, silent for 5 s, a burst): the good radar loses nothing,
   data time never leaves the host clock, the picture never empties, every
   lie and duplicate is counted; a third UDP input with a 64 kB receive buffer
   is flooded and every datagram is accounted for (processed, dropped by the
   queue, or dropped by the kernel, counted).
3. a full disk while recording (RLIMIT_FSIZE): the recording stops with a
   system alert, tracking goes on.
4. a recording with a damaged chunk: replay goes on past it, --verify and
   --index fail and say what was skipped.
5. replay control: a negative speed and a seek 300 years ahead are refused.
6. decode: pure garbage exits 1; SBS lines with extra fields are counted;
   --stats counts SBS messages.
"""
import json, os, re, resource, select, shutil, socket, subprocess, sys, threading, time, urllib.error, urllib.request

skyfuse, root, work = (os.path.abspath(a) for a in sys.argv[1:4])
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
errors = []


def check(cond, msg):
    if not cond:
        errors.append(msg)
        print("FAIL:", msg, flush=True)


def sim(start_iso, duration_s, out):
    text = open(os.path.join(root, "scenarios/pairs.toml")).read()
    text = re.sub(r'start = "[^"]*"', f'start = "{start_iso}"', text, count=1)
    text = re.sub(r"duration_s = \d+", f"duration_s = {duration_s}", text, count=1)
    scen = out + ".toml"
    open(scen, "w").write(text)
    subprocess.run([skyfuse, "sim", scen, "--seed", "3", "--out", out], check=True, capture_output=True)
    return out


def records(path):
    """Every ASTERIX record of a raw file: (offset, category, time of day, next offset)."""
    out = subprocess.run([skyfuse, "decode", "--format", "asterix", path], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    recs = []
    for l in out:
        j = json.loads(l)
        it = j["items"]
        tod = it.get("140") if j["cat"] == 48 else it.get("030")
        recs.append([j["offset"], j["cat"], tod])
    return recs


def blocks(data):
    """(offset, length) of each data block."""
    pos, out = 0, []
    while pos < len(data):
        n = (data[pos + 1] << 8) | data[pos + 2]
        out.append((pos, n))
        pos += n
    return out


def one_record_block(data, recs, i, tod):
    """Record i (a CAT048 record) alone in a data block, its time of day set to `tod`."""
    start = recs[i][0]
    end = recs[i + 1][0] if i + 1 < len(recs) else len(data)
    # The record may be the last of its block: stop at the block's end.
    for off, n in blocks(data):
        if off < start < off + n:
            end = min(end, off + n)
    rec = bytearray(data[start:end])
    fspec = 1
    while rec[fspec - 1] & 1: fspec += 1
    assert rec[0] & 0xC0 == 0xC0, "I048/010 and /140 expected first"
    v = int(round(tod * 128)) % (1 << 24)
    rec[fspec + 2:fspec + 5] = v.to_bytes(3, "big")
    return bytes([48, (len(rec) + 3) >> 8, (len(rec) + 3) & 255]) + bytes(rec)


# ---- 1. batch: lies spliced into a file give the clean tracks --------------------
b = sim("2024-06-01T12:00:00Z", 600, os.path.join(work, "batch"))
cfg = os.path.join(b, "sensors.toml")
clean = os.path.join(b, "clean.jsonl")
subprocess.run([skyfuse, "track", "--config", cfg, "--out", clean, "--quiet"], check=True)
ssr = os.path.join(b, "ssr-b.ast")
data = open(ssr, "rb").read()
recs = records(ssr)
plots = [k for k, r in enumerate(recs) if r[1] == 48]
mid = len(data) // 3
at = next(off for off, n in blocks(data) if off >= mid)
lies = [86399.0, 10.0, recs[plots[5]][2] + 3 * 3600, recs[plots[5]][2] - 3600]
lies += [recs[plots[5]][2] + 11 * 3600 + k for k in range(6)]  # a short future flood
inserted = b"".join(one_record_block(data, recs, plots[3 + k], tod) for k, tod in enumerate(lies))
open(ssr, "wb").write(data[:at] + inserted + data[at:])
faulty = os.path.join(b, "faulty.jsonl")
stats = os.path.join(b, "stats.json")
r = subprocess.run([skyfuse, "track", "--config", cfg, "--out", faulty, "--stats-json", stats],
                   capture_output=True, text=True)
check(r.returncode == 0, f"track on the faulty file exited {r.returncode}")
st = json.load(open(stats))
print(f"batch: {len(lies)} lying records -> {st['time_rejected']} rejected; tracks "
      f"{'identical' if open(clean, 'rb').read() == open(faulty, 'rb').read() else 'DIFFER'}", flush=True)
check(open(clean, "rb").read() == open(faulty, "rb").read(), "lies in one sensor's file changed the tracks")
check(st["time_rejected"] == len(lies), f"{st['time_rejected']} of {len(lies)} lies rejected")
check('sensor "ssr-b"' in r.stderr and "implausible time" in r.stderr, "the lies are not named in the log")


# ---- 2. live over UDP ----------------------------------------------------------------
def start_run(config, extra=(), preexec=None):
    p = subprocess.Popen([skyfuse, "run", "--config", config, "--http-port", "0", *extra],
                         stderr=subprocess.PIPE, text=True, preexec_fn=preexec)
    port, log = None, []
    t_end = time.time() + 60
    while time.time() < t_end and port is None:
        if not select.select([p.stderr], [], [], 1.0)[0]: continue
        line = p.stderr.readline()
        log.append(line)
        m = re.search(r"http://[^:]+:(\d+)/", line)
        if m: port = int(m.group(1))
    # Keep reading stderr so the process never blocks on a full pipe.
    threading.Thread(target=lambda: [log.append(l) for l in p.stderr], daemon=True).start()
    return p, port, log


def api(port, path):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as resp:
        body = resp.read()
    return json.loads(body) if path.startswith("/api") else body.decode()


udp_ports = []
for _ in range(3):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    udp_ports.append(s.getsockname()[1])
    s.close()
sensor_text = open(cfg).read().split("[[sensor]]")
head = sensor_text[0]
by_name = {re.search(r'name = "([^"]+)"', t).group(1): t for t in sensor_text[1:]}


def udp_sensor(name, port, extra=""):
    t = by_name[name]
    t = re.sub(r'input = "[^"]*"', f'input = "udp:{port}"\nbind = "127.0.0.1"', t)
    t = re.sub(r"start_unix = .*\n", "", t)
    return "[[sensor]]" + t + extra


live_cfg = os.path.join(work, "live.toml")
open(live_cfg, "w").write(
    head + udp_sensor("modes-a", udp_ports[0]) + udp_sensor("ssr-b", udp_ports[1]) +
    udp_sensor("psr-c", udp_ports[2], "receive_buffer_kb = 64\n") +
    "\n[data_time]\nmax_host_offset_s = 60\n[run]\nqueue_packets = 100000\n")
p, port, log = start_run(live_cfg)
check(port is not None, "live run: no map address")
now = time.time()
start = int(now) - 22
live = sim(time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start)), 30, os.path.join(work, "live"))
speed = 3.0
feeds = {}
for name in ("modes-a", "ssr-b"):
    path = os.path.join(live, name + ".ast")
    d = open(path, "rb").read()
    rs = records(path)
    tod_at = {r[0]: r[2] for r in rs}
    lst = []
    for off, n in blocks(d):
        tods = [t for o, t in tod_at.items() if off <= o < off + n and t is not None]
        lst.append((min(tods) if tods else None, d[off:off + n], sum(1 for o, c, t in rs if off <= o < off + n and c == 48)))
    feeds[name] = (lst, rs, d)
day0 = start - start % 86400


def when(tod):  # data time of a time of day, near the scenario
    t = day0 + tod
    return t + 86400 if t < start - 43200 else t


sends = []  # (data time, sensor index, bytes)
for idx, name in enumerate(("modes-a", "ssr-b")):
    last = None
    for tod, block, n48 in feeds[name][0]:
        t = when(tod) if tod is not None else last
        last = t
        sends.append((t, idx, block))
sends.sort(key=lambda x: x[0])
good_plots = sum(n for tod, blk, n in feeds["modes-a"][0])
# Faults on ssr-b (index 1).
b_sends = [s for s in sends if s[1] == 1]
rs_b, d_b = feeds["ssr-b"][1], feeds["ssr-b"][2]
plots_b = [k for k, r in enumerate(rs_b) if r[1] == 48]
lie_tods = [86399.0, 10.0, (rs_b[plots_b[2]][2] + 11 * 3600) % 86400]
lie_tods += [(rs_b[plots_b[2]][2] + 11 * 3600 + 40 * k) % 86400 for k in range(200)]  # a flood
lie_blocks = list(dict.fromkeys(one_record_block(d_b, rs_b, plots_b[2], tod) for tod in lie_tods))
out = []
gap = (start + 10, start + 15)
burst = (start + 20, start + 25)
held = []
swap = None
for t, idx, blk in sends:
    if idx == 1:
        if gap[0] <= t < gap[1]: continue  # the sensor stops, then restarts
        if burst[0] <= t < burst[1]:
            held.append((t, idx, blk))
            continue
        if held and t >= burst[1]:
            out += [(burst[1], i, x) for _, i, x in held] * 1
            held = []
        if swap is None:
            swap = (t, idx, blk)  # reorder: send the next one first
            continue
        out.append((t, idx, blk))
        out.append((t, idx, swap[2]))
        out.append((t, idx, blk))  # every ssr-b datagram twice
        out.append((t, idx, swap[2]))
        swap = None
        continue
    out.append((t, idx, blk))
if swap is not None: out.append(swap)
b_datagrams = [x[2] for x in out if x[1] == 1]
duplicates_sent = len(b_datagrams) - len(set(b_datagrams))
lie_at = start + 12.5
tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
wall0 = time.time()
data0 = start
min_tracks, max_data_time, samples = None, 0, 0
next_poll = wall0 + 2
lies_sent = 0
for t, idx, blk in out:
    target = wall0 + (t - data0) / speed
    while time.time() < target:
        if time.time() >= next_poll:
            pic = api(port, "/api/tracks")
            if pic.get("tracks") and time.time() > wall0 + 4:
                min_tracks = len(pic["tracks"]) if min_tracks is None else min(min_tracks, len(pic["tracks"]))
            max_data_time = max(max_data_time, api(port, "/api/stats").get("time", 0) or 0)
            samples += 1
            next_poll = time.time() + 0.5
        time.sleep(0.005)
    if lies_sent == 0 and t >= lie_at:
        for lb in lie_blocks: tx.sendto(lb, ("127.0.0.1", udp_ports[1]))
        lies_sent = len(lie_blocks)
    tx.sendto(blk, ("127.0.0.1", udp_ports[idx]))
# The flood into the small receive buffer: 20,000 distinct datagrams at once.
flood = 20000
for k in range(flood):
    tx.sendto(bytes([21, 0, 12]) + k.to_bytes(4, "big") + b"flood", ("127.0.0.1", udp_ports[2]))
time.sleep(3)
sensors = {s["name"]: s for s in api(port, "/api/sensors")["sensors"]}
stats = api(port, "/api/stats")
metrics = api(port, "/metrics")
p.terminate()
p.wait(timeout=60)
a, bsen, c = sensors["modes-a"], sensors["ssr-b"], sensors["psr-c"]
print(f"live: modes-a {a['reports']} reports of {good_plots} sent, {a['time_rejected']} time-rejected; "
      f"ssr-b {bsen['reports']} reports, {bsen['time_rejected']} time-rejected ({lies_sent} lies sent); "
      f"picture >= {min_tracks} tracks over {samples} samples; data time max {max_data_time - time.time():+.1f} s "
      f"from now", flush=True)
check(a["time_rejected"] == 0 and a["reports"] == good_plots, f"the good radar lost reports: {a}")
check(bsen["time_rejected"] >= lies_sent, f"ssr-b: {bsen['time_rejected']} of {lies_sent} lies rejected")
check(min_tracks is not None and min_tracks >= 4, f"the picture fell to {min_tracks} tracks")
check(max_data_time <= time.time() + 5, f"data time went {max_data_time - time.time():.0f} s ahead of the host")
dup = re.search(r"^skyfuse_duplicate_datagrams_total (\d+)", metrics, re.M)
check(dup and int(dup.group(1)) == duplicates_sent, f"duplicates counted {dup and dup.group(1)}, sent {duplicates_sent}")
accounted = c["packets"] + c["drops"] + c["kernel_drops"]
print(f"flood: {flood} datagrams -> {c['packets']} processed, {c['drops']} queue drops, {c['kernel_drops']} "
      f"kernel drops ({accounted - flood:+d} unaccounted)", flush=True)
check(accounted == flood, f"flood: {accounted} of {flood} datagrams accounted for")
check(c["kernel_drops"] > 0, "flood: the kernel dropped nothing (buffer not small?)")
check(re.search(r'^skyfuse_sensor_kernel_drops_total\{sensor="psr-c"\} [1-9]', metrics, re.M),
      "/metrics: kernel drops missing")
check(any("datagrams dropped by the kernel" in l for l in log), "the log does not report kernel drops")

# ---- 3. full disk while recording --------------------------------------------------
disk_cfg = os.path.join(b, "disk.toml")
open(disk_cfg, "w").write(open(cfg).read() + "\n[run]\nspeed = 20\n")
rec = os.path.join(work, "rec_full")
p, port, log = start_run(disk_cfg, ["--record", rec],
                         preexec=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (40000, 40000)))
alert, tracks_after = None, 0
deadline = time.time() + 40
while time.time() < deadline and p.poll() is None:
    time.sleep(0.5)
    try:
        act = api(port, "/api/alerts")["active"]
    except Exception:
        continue
    sysal = [x for x in act if x["kind"] == "system"]
    if sysal and alert is None:
        alert = sysal[0]
        t_alert = api(port, "/api/stats").get("time", 0)
    if alert is not None:
        st = api(port, "/api/stats")
        if st.get("time", 0) > t_alert + 20:
            tracks_after = len(api(port, "/api/tracks")["tracks"])
            break
alive = p.poll() is None
p.terminate()
p.wait(timeout=60)
print(f"full disk: alert {alert and alert.get('detail')}; {tracks_after} tracks 20 s of data later; "
      f"process {'alive' if alive else 'DEAD'}", flush=True)
check(alert is not None and "recording stopped" in alert.get("detail", ""), "no system alert for the full disk")
check(alive and tracks_after >= 4, "tracking did not go on after the recording stopped")

# ---- 4. a damaged recording -----------------------------------------------------
rec = os.path.join(work, "rec_ok")
t1, a1 = os.path.join(work, "t1.jsonl"), os.path.join(work, "a1.jsonl")
# `track` configs have no [run]: write one that records with small chunks.
run_cfg = os.path.join(b, "rec.toml")
open(run_cfg, "w").write(open(cfg).read())
# Paced (x100: six seconds), so that the recorder writes a chunk every half second.
subprocess.run([skyfuse, "run", "--config", run_cfg, "--speed", "100", "--exit-at-end", "--http-port", "0",
                "--record", rec, "--tracks-out", t1, "--alerts-out", a1, "--quiet"], check=True,
               capture_output=True, timeout=300)
files = sorted(f for f in os.listdir(rec) if f.endswith(".sfrec"))
f0 = os.path.join(rec, files[0])
raw = bytearray(open(f0, "rb").read())
marks = [m.start() for m in re.finditer(b"SFCK", raw)]
check(len(marks) >= 3, f"recording too small to damage ({len(marks)} chunks)")
if len(marks) >= 3:
    raw[marks[1] + 60] ^= 0x5A
    open(f0, "wb").write(raw)
t2, a2 = os.path.join(work, "t2.jsonl"), os.path.join(work, "a2.jsonl")
v = subprocess.run([skyfuse, "replay", rec, "--speed", "0", "--no-http", "--out", t2, "--alerts-out", a2,
                    "--verify", "--quiet"], capture_output=True, text=True, timeout=300)
idx = subprocess.run([skyfuse, "replay", rec, "--index"], capture_output=True, text=True)
info = json.loads(idx.stdout)
print(f"damaged recording: {info['chunks']} chunks read, {info['damaged_regions']} damaged, "
      f"{info['bytes_skipped']} bytes skipped; verify exit {v.returncode}", flush=True)
check(v.returncode == 1 and "damaged" in v.stderr, "replay --verify passed a damaged recording")
check(idx.returncode == 1 and info["damaged_regions"] == 1, f"--index: {info}")
check(info["chunks"] == len(marks) - 1, f"{info['chunks']} of {len(marks) - 1} intact chunks read")

# ---- 5. replay control refuses nonsense ---------------------------------------------
p = subprocess.Popen([skyfuse, "replay", rec, "--speed", "1", "--http-port", "0"], stderr=subprocess.PIPE, text=True)
port = None
t_end = time.time() + 30
while time.time() < t_end and port is None:
    if not select.select([p.stderr], [], [], 1.0)[0]: continue
    m = re.search(r"http://[^:]+:(\d+)/", p.stderr.readline())
    if m: port = int(m.group(1))


def post(body):
    try:
        with urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/api/replay", data=body,
                                                           method="POST"), timeout=10) as resp:
            return resp.status
    except urllib.error.HTTPError as e:
        return e.code


codes = {b: post(b) for b in (b'{"speed": -5}', b'{"seek": 9.3e9}', b'{"speed": "fast"}', b'[1]',
                              b'{"speed": 1e400}', b'{"speed": 2}')}
p.terminate()
p.wait(timeout=30)
print(f"replay control: {codes}", flush=True)
check(list(codes.values()) == [400, 400, 400, 400, 400, 200], f"replay control answers {codes}")

# ---- 6. decode ------------------------------------------------------------------------
garbage = os.path.join(work, "garbage.bin")
# Garbage no format can frame: no Beast escape, no line ends, no ASTERIX LEN that fits.
open(garbage, "wb").write(bytes(0xF0 | (k * 7) % 16 for k in range(50000)))
for fmt in ("beast", "asterix", "sbs"):
    r = subprocess.run([skyfuse, "decode", "--format", fmt, garbage], capture_output=True, text=True)
    check(r.returncode == 1 and "nothing decoded" in r.stderr, f"decode --format {fmt} of garbage exited {r.returncode}")
sbs = os.path.join(work, "extra.sbs")
lines = open(os.path.join(root, "tests/data/adsb/dump1090_beastblackbox_sbs.csv")).read().splitlines()[:200]
open(sbs, "w").write("\n".join(l + ",x,y" if k % 10 == 0 else l for k, l in enumerate(lines)) + "\n")
r = subprocess.run([skyfuse, "decode", "--format", "sbs", "--stats", sbs], capture_output=True, text=True)
st = json.loads(r.stderr.strip().splitlines()[-1])
print(f"decode sbs: {st['messages']} messages, {st['framing_errors']} errors (20 lines with extra fields)", flush=True)
check(st["messages"] == len(r.stdout.splitlines()) and st["messages"] > 100, f"SBS --stats messages {st}")
check(st["framing_errors"] == 20 and "fields" in r.stderr, f"SBS extra fields counted {st['framing_errors']}")

for e in errors: print("FAIL:", e)
sys.exit(1 if errors else 0)
