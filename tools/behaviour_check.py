#!/usr/bin/env python3
"""Behaviour check: two skyfuse binaries give the same bytes (issue #17).

  tools/behaviour_check.py OLD_BIN NEW_BIN [--work DIR] [--only NAME]

For every checked-in scenario (scenarios/*.toml), the clutter scenario again
with JPDA association, the real Beast capture (config/ulss7_beast.toml) and,
when ../shared is beside the project, the independent scenario: `sim` (NEW's output is the input of both), then with
each binary
  - `track` -> tracks JSON Lines and CAT062 (--asterix-out),
  - `run --speed 0 --exit-at-end` with a fixed epoch -> tracks, alerts, the
    CAT062 + CAT065 datagrams it sends over UDP, and a recording,
  - `replay --verify` of that recording -> tracks, alerts, exit 0,
and every pair of files compared byte for byte. The recordings are compared
entry by entry (type, source, data time, shift, offset, bytes) with the
header's configuration, zones, epoch and clock shifts: what a recording
holds of the wall clock (arrival times, the run's start in the file name and
header, where the 0.5 s chunks fall) and the program's version are left out,
and the port the CAT062/065 went to, as they differ between two runs of one
binary. Needs the `zstd` program. Prints one line per case and
exits 1 on any difference.
"""
import argparse, filecmp, glob, json, os, re, shutil, socket, struct, subprocess, sys, threading, time

ap = argparse.ArgumentParser()
ap.add_argument("old")
ap.add_argument("new")
ap.add_argument("--work", default="/tmp/skyfuse_behaviour")
ap.add_argument("--only", default="")
args = ap.parse_args()
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
old, new = os.path.abspath(args.old), os.path.abspath(args.new)
shutil.rmtree(args.work, ignore_errors=True)
os.makedirs(args.work)
failures = []


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=1800, **kw)


def recording_entries(rec_dir, out_file):
    """A recording folder without its wall-clock parts, one line per entry (see the docstring)."""
    with open(out_file, "w") as out:
        for name in sorted(os.listdir(rec_dir)):
            data = open(os.path.join(rec_dir, name), "rb").read()
            if not data.startswith(b"SKYFUSE-REC\n"):
                raise ValueError(f"{name}: not a recording")
            pos = 12
            (hlen,) = struct.unpack_from("<I", data, pos)
            header = json.loads(data[pos + 4:pos + 4 + hlen])
            pos += 4 + hlen
            kept = {k: header.get(k) for k in ("config", "zones", "epoch_ns", "shifts_ns", "format")}
            # Each run sends its CAT062/065 to a port of its own (free when it started).
            kept["config"] = re.sub(r'asterix_udp = "127\.0\.0\.1:\d+"', 'asterix_udp = "PORT"',
                                    kept["config"] or "")
            out.write("header " + json.dumps(kept, sort_keys=True) + "\n")
            while pos < len(data):
                magic, clen, rlen, _crc, _first, _last, n = struct.unpack_from("<4sIIIqqI", data, pos)
                if magic != b"SFCK":
                    raise ValueError(f"{name}: no chunk header at offset {pos}")
                pos += 36
                raw = subprocess.run(["zstd", "-d", "-c", "-q"], input=data[pos:pos + clen],
                                     capture_output=True, check=True).stdout
                pos += clen
                if len(raw) != rlen:
                    raise ValueError(f"{name}: chunk of {len(raw)} bytes, its header says {rlen}")
                at = 0
                for _ in range(n):
                    typ, src, _arrival, data_ns, shift, off, ln = struct.unpack_from("<BHqqqqI", raw, at)
                    at += 39
                    out.write(f"{typ} {src} {data_ns} {shift} {off} {raw[at:at + ln].hex()}\n")
                    at += ln


def outputs(binary, config, out):
    """Every output of one binary on one configuration, in folder `out`."""
    os.makedirs(out)
    files = {}
    t = os.path.join(out, "track.jsonl")
    a = os.path.join(out, "track.ast")
    r = run([binary, "track", "--config", config, "--out", t, "--asterix-out", a, "--quiet"])
    files["track tracks"], files["track CAT062"] = t, a
    if r.returncode != 0:
        return files, f"track exited {r.returncode}: {r.stderr[-300:]}"
    # run: a fixed epoch (replays of files start there), CAT062/065 to our socket.
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32 << 20)
    udp.bind(("127.0.0.1", 0))
    udp.settimeout(0.2)
    datagrams, stop = [], threading.Event()

    def receive():
        while not stop.is_set():
            try:
                datagrams.append(udp.recv(65536))
            except socket.timeout:
                pass

    rx = threading.Thread(target=receive)
    rx.start()
    # The run configuration goes into `out`: relative inputs made absolute.
    base = os.path.dirname(os.path.abspath(config))
    cfg_text = re.sub(r'"file:(?!/)([^"]*)"', lambda m: '"file:' + os.path.join(base, m.group(1)) + '"',
                      open(config).read())
    cfg_text = re.sub(r'^(zones|record_dir) = .*$', '', cfg_text, flags=re.M)
    run_cfg = os.path.join(out, "run.toml")
    extra = f'\n[run]\nepoch = "1700000000"\nasterix_udp = "127.0.0.1:{udp.getsockname()[1]}"\n'
    if "[run]" in cfg_text:  # a run configuration: put ours first in its [run]
        run_text = cfg_text.replace("[run]", extra.strip() + "\n", 1)
    else:
        run_text = cfg_text + extra
    open(run_cfg, "w").write(run_text)
    rec = os.path.join(out, "rec")
    rt, ra = os.path.join(out, "run.jsonl"), os.path.join(out, "run_alerts.jsonl")
    r = run([binary, "run", "--config", run_cfg, "--speed", "0", "--exit-at-end", "--once", "--http-port", "0",
             "--record", rec, "--tracks-out", rt, "--alerts-out", ra, "--quiet"])
    time.sleep(0.5)
    stop.set()
    rx.join()
    udp.close()
    u = os.path.join(out, "run_udp.ast")
    with open(u, "wb") as f:
        for d in datagrams: f.write(len(d).to_bytes(4, "big") + d)
    files["run tracks"], files["run alerts"], files["run CAT062/065"] = rt, ra, u
    if r.returncode != 0:
        return files, f"run exited {r.returncode}: {r.stderr[-300:]}"
    entries = os.path.join(out, "recording_entries.txt")
    try:
        recording_entries(rec, entries)
    except (ValueError, OSError, struct.error, subprocess.CalledProcessError) as e:
        return files, f"recording unreadable: {e}"
    files["recording"] = entries
    pt, pa = os.path.join(out, "replay.jsonl"), os.path.join(out, "replay_alerts.jsonl")
    r = run([binary, "replay", rec, "--speed", "0", "--no-http", "--out", pt, "--alerts-out", pa, "--verify",
             "--quiet"])
    files["replay tracks"], files["replay alerts"] = pt, pa
    if r.returncode != 0:
        return files, f"replay --verify exited {r.returncode}: {r.stderr[-300:]}"
    return files, None


cases = []
for scen in sorted(glob.glob(os.path.join(root, "scenarios", "*.toml"))):
    name = os.path.basename(scen)[:-5]
    d = os.path.join(args.work, name)
    r = run([new, "sim", scen, "--seed", "1", "--out", os.path.join(d, "sim")])
    if r.returncode != 0:
        failures.append(f"{name}: sim failed: {r.stderr[-300:]}")
        continue
    so = os.path.join(d, "sim_old")
    run([old, "sim", scen, "--seed", "1", "--out", so])
    same_sim = all(filecmp.cmp(os.path.join(d, "sim", f), os.path.join(so, f), shallow=False)
                   for f in os.listdir(os.path.join(d, "sim")) if os.path.isfile(os.path.join(so, f)))
    if not same_sim: failures.append(f"{name}: sim outputs differ")
    cases.append((name, os.path.join(d, "sim", "sensors.toml"), d))
# JPDA association (no checked-in scenario selects it): the clutter scenario with it.
clutter = next((c for c in cases if c[0] == "clutter"), None)
if clutter:
    jpda = os.path.join(clutter[2], "sim", "sensors_jpda.toml")
    with open(jpda, "w") as f:
        f.write('[tracker]\nassociation = "jpda"\n' + open(clutter[1]).read())
    cases.append(("clutter-jpda", jpda, os.path.join(args.work, "clutter-jpda")))
cases.append(("ulss7_beast", os.path.join(root, "config", "ulss7_beast.toml"), os.path.join(args.work, "ulss7")))
ind = os.path.join(root, "..", "shared", "data", "scenarios", "independent-ch-20min")
if os.path.isdir(ind):
    cfg = os.path.join(root, "tests", "data", "independent", "sensors_from_description.toml")
    if os.path.exists(cfg):
        d = os.path.join(args.work, "independent")
        os.makedirs(d, exist_ok=True)
        text = open(cfg).read().replace("file:", "file:" + os.path.abspath(ind) + "/")
        open(os.path.join(d, "sensors.toml"), "w").write(text)
        cases.append(("independent-ch-20min", os.path.join(d, "sensors.toml"), d))

for name, config, d in cases:
    if args.only and name != args.only: continue
    fo, eo = outputs(old, config, os.path.join(d, "old"))
    fn, en = outputs(new, config, os.path.join(d, "new"))
    if eo or en:
        failures.append(f"{name}: old: {eo}; new: {en}")
        print(f"{name}: FAILED ({eo or ''} {en or ''})", flush=True)
        continue
    diffs = [k for k in fo if not (os.path.exists(fo[k]) == os.path.exists(fn[k]) and
                                   (not os.path.exists(fo[k]) or filecmp.cmp(fo[k], fn[k], shallow=False)))]
    sizes = ", ".join(f"{k} {os.path.getsize(fn[k]) if os.path.exists(fn[k]) else 0} B" for k in fn)
    print(f"{name}: {'identical' if not diffs else 'DIFFER in ' + ', '.join(diffs)} ({sizes})", flush=True)
    if diffs: failures.append(f"{name}: {diffs}")

for f in failures: print("FAIL:", f)
sys.exit(1 if failures else 0)
