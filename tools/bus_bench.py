#!/usr/bin/env python3
"""Loopback benchmark of skyfuse on NATS JetStream (issue #22, docs/scale-out.md).

On one three-node cluster started here (127.0.0.1, Debian's nats-server), over
the demo's inputs (30 minutes of six simulated sensors over real Swiss traffic
plus the real ulss7 Beast capture: 10,105 packets, 136,501 reports):

  single   `run` alone, as fast as possible (the baseline)
  ingest   `run --role ingest`, as fast as possible, acknowledged (replicas 3)
  track N  the airspace split into N regions ([[bus.regions]], 30 km margins),
           N `run --role track --exit-at-end` instances reading the stream at
           once, one per region (N = 1: no split), then `subscribe --merged`:
           wall time of the trackers, their CPU time (all, and the busiest
           one's: what predicts a larger cluster), the merge's wall time;
           and one tracker of a region without traffic (its fixed cost:
           reading, decoding and placing every report)
  live     ingest paced at SPEED x real time with N trackers (one per region
           of the split, N = 1, 2, 4) reading it live at once: each tracker's
           latency from the ingest's arrival stamp to processed (p50 / p90 /
           p99; the worst instance's), i.e. ingest -> NATS -> tracker; and
           from that stamp to the merged picture (`run --role serve`, the
           stamp of the newest input behind each region's message): ingest ->
           NATS -> tracker -> NATS -> map; the ingest starts once every
           tracker and the map are ready (serve their maps)
  burst    the same, the ingest as fast as possible: reports/s from its
           start to the merged picture's last update, all running at once

Each measurement is repeated ROUNDS times, alternating single and bus runs,
and the median reported.

  python3 tools/bus_bench.py build/release/skyfuse . /tmp/bus_bench [--rounds 3] [--speed 60]
"""
import argparse, os, re, select, shutil, statistics, subprocess, sys, time, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bus_testbed import demo_config, start_cluster  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("skyfuse")
ap.add_argument("root")
ap.add_argument("work")
ap.add_argument("--rounds", type=int, default=3)
ap.add_argument("--speed", type=float, default=60)
ap.add_argument("--instances", default="1,2,4")
a = ap.parse_args()
skyfuse, root, work = (os.path.abspath(x) for x in (a.skyfuse, a.root, a.work))
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
procs = []


def cluster(tag):
    nodes, _, servers, _ = start_cluster(os.path.join(work, tag), "bench")
    procs.extend(nodes)
    return nodes, servers


def stop(nodes):
    for p in nodes:
        p.terminate()
        p.wait()


def run(args, **kw):
    t = time.perf_counter()
    r = subprocess.run(args, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        sys.exit(f"{' '.join(args[:4])}... failed:\n{r.stderr[-2000:]}")
    return time.perf_counter() - t, r.stderr


config = demo_config(skyfuse, root, work)
# The splits: 1 (no split), 2 (Switzerland west of 8.2 deg E; the rest), 4
# (west of 7.6; 7.6-8.9; east of 8.9 in Switzerland; the rest, St Petersburg).
SPLITS = {
    1: [],
    2: [("west", [(45.0, 5.0), (48.5, 5.0), (48.5, 8.2), (45.0, 8.2)]), ("rest", None)],
    4: [("west", [(45.0, 5.0), (48.5, 5.0), (48.5, 7.6), (45.0, 7.6)]),
        ("centre", [(45.0, 7.6), (48.5, 7.6), (48.5, 8.9), (45.0, 8.9)]),
        ("east", [(45.0, 8.9), (48.5, 8.9), (48.5, 11.0), (45.0, 11.0)]), ("rest", None)],
}
# An instance's fixed cost: a region with no traffic (the South Atlantic); it
# reads and decodes the whole stream and places every report, tracks nothing.
EMPTY = [("empty", [(-40.0, -30.0), (-35.0, -30.0), (-35.0, -25.0), (-40.0, -25.0)]), ("rest", None)]
configs = {}
for n, regions in list(SPLITS.items()) + [("empty", EMPTY)]:
    text = open(config).read()
    if regions:
        text += "\nmargin_m = 30000\n"
        for name, poly in regions:
            text += f'[[bus.regions]]\nname = "{name}"\n'
            if poly:
                text += "polygon = [" + ", ".join(f"[{a}, {b}]" for a, b in poly) + "]\n"
    configs[n] = os.path.join(work, f"split{n}.toml")
    open(configs[n], "w").write(text)


def wait_rusage(p):
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return ru.ru_utime + ru.ru_stime


single_s, ingest_s = [], []
track_s = {int(n): [] for n in a.instances.split(",")}
cpu_s = {n: [] for n in track_s}
cpu_sum_s = {n: [] for n in track_s}
empty_cpu_s = []
merge_s = {n: [] for n in track_s}
live_q = {n: [] for n in track_s}
merged_q = {n: [] for n in track_s}
burst_s = {n: [] for n in track_s}
reports = packets = 0
try:
    for rnd in range(a.rounds):
        t, err = run([skyfuse, "run", "--config", config, "--speed", "0", "--exit-at-end", "--http-port", "0",
                      "--quiet"])
        single_s.append(t)
        t, err = run([skyfuse, "run", "--config", config, "--speed", "0", "--exit-at-end", "--http-port", "0"])
        m = re.search(r"run: (\d+) packets, (\d+) reports", err)
        packets, reports = int(m.group(1)), int(m.group(2))
        nodes, servers = cluster(f"round{rnd}")
        base = [skyfuse, "run", "--config", config, "--nats", servers, "--http-port", "0"]
        t, err = run(base + ["--role", "ingest", "--speed", "0", "--quiet"])
        ingest_s.append(t)
        for n in track_s:
            names = [r[0] for r in SPLITS[n]] or [f"r{rnd}-all"]
            cbase = [skyfuse, "run", "--config", configs[n], "--nats", servers, "--http-port", "0"]
            t0 = time.perf_counter()
            ps = [subprocess.Popen(cbase + ["--role", "track", "--exit-at-end", "--region", name, "--quiet"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for name in names]
            cpu = [wait_rusage(p) for p in ps]
            if any(p.returncode != 0 for p in ps):
                sys.exit(f"a tracker failed (split {n})")
            track_s[n].append(time.perf_counter() - t0)
            cpu_s[n].append(max(cpu))
            cpu_sum_s[n].append(sum(cpu))
            if SPLITS[n]:
                t, _ = run([skyfuse, "subscribe", "--config", configs[n], "--nats", servers, "--merged",
                            "--out", os.path.join(work, f"merged{n}.jsonl")])
                merge_s[n].append(t)
        p = subprocess.Popen([skyfuse, "run", "--config", configs["empty"], "--nats", servers, "--http-port", "0",
                              "--role", "track", "--exit-at-end", "--region", "empty", "--quiet"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        empty_cpu_s.append(wait_rusage(p))
        stop(nodes)
        # live: for each split a fresh cluster, the ingest paced, its N trackers
        # reading as it comes; the worst instance's percentiles.
        for n in track_s:
            nodes, servers = cluster(f"live{rnd}-{n}")
            names = [r[0] for r in SPLITS[n]] or [None]
            cbase = [skyfuse, "run", "--config", configs[n], "--nats", servers, "--http-port", "0"]
            trackers = [subprocess.Popen(cbase + ["--role", "track"] + (["--region", name] if name else []),
                                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                        for name in names]
            # The ingest starts once every tracker is ready (its map served): N
            # instances creating the streams at once can take seconds, and a
            # tracker that starts late would count its start-up as latency.
            # The map of the merged picture (role serve): the end of the chain.
            serve = subprocess.Popen(cbase + ["--role", "serve"], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)
            head = {}
            for tr in trackers + [serve]:
                head[tr] = ""
                end = time.time() + 60
                while time.time() < end and "map at" not in head[tr]:
                    if select.select([tr.stderr], [], [], 1.0)[0]:
                        head[tr] += tr.stderr.readline()
            run(cbase + ["--role", "ingest", "--speed", str(a.speed), "--quiet"])
            time.sleep(2)
            worst = (0.0, 0.0, 0.0)
            for tr in trackers:
                tr.terminate()
                _, err = tr.communicate(timeout=60)
                err = head[tr] + err
                m = re.search(r"latency p50 ([\d.]+) ms, p90 ([\d.]+) ms, p99 ([\d.]+) ms", err)
                q = tuple(float(x) for x in m.groups())
                worst = tuple(max(w, x) for w, x in zip(worst, q))
            live_q[n].append(worst)
            serve.terminate()
            _, err = serve.communicate(timeout=60)
            m = re.search(r"merged picture p50 ([\d.]+) ms, p90 ([\d.]+) ms, p99 ([\d.]+) ms", head[serve] + err)
            merged_q[n].append(tuple(float(x) for x in m.groups()))
            stop(nodes)
        # burst: for each split a fresh cluster, the N trackers and the map
        # ready, then the ingest as fast as possible: reports/s from the
        # ingest's start to the merged picture's last update (the map's
        # track_updates_total unchanged for 3 s), everything running at once.
        for n in track_s:
            nodes, servers = cluster(f"burst{rnd}-{n}")
            names = [r[0] for r in SPLITS[n]] or [None]
            cbase = [skyfuse, "run", "--config", configs[n], "--nats", servers, "--http-port", "0"]
            ps = [subprocess.Popen(cbase + ["--role", "track", "--quiet"] + (["--region", name] if name else []),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                  for name in names]
            serve = subprocess.Popen(cbase + ["--role", "serve"], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)
            port = None
            for q in ps + [serve]:
                line, end = "", time.time() + 60
                while time.time() < end and "map at" not in line:
                    if select.select([q.stderr], [], [], 1.0)[0]:
                        line = q.stderr.readline()
                if q is serve:
                    port = re.search(r"map at http://[^:]+:(\d+)/", line).group(1)

            def shown():
                body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
                m = re.search(r"^skyfuse_track_updates_total (\S+)", body, re.M)
                return float(m.group(1)) if m else 0.0

            t0 = time.perf_counter()
            ingest = subprocess.Popen(cbase + ["--role", "ingest", "--speed", "0", "--quiet"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            last, changed = -1.0, time.perf_counter()
            while time.perf_counter() - changed < 3 or ingest.poll() is None:
                v = shown()
                if v != last:
                    last, changed = v, time.perf_counter()
                time.sleep(0.1)
            burst_s[n].append(changed - t0)
            for q in ps + [serve]:
                q.terminate()
                q.communicate(timeout=60)
            stop(nodes)
        print(f"round {rnd + 1}: single {single_s[-1]:.2f} s, ingest {ingest_s[-1]:.2f} s, "
              + ", ".join(f"{n} regions {v[-1]:.2f} s (cpu {cpu_s[n][-1]:.2f} s)" for n, v in track_s.items())
              + ", live p99 " + ", ".join(f"{n}: {v[-1][2]:.1f} ms" for n, v in live_q.items()), flush=True)
finally:
    for p in procs:
        if p.poll() is None:
            p.kill()

med = statistics.median
print(f"\n{packets} packets, {reports} reports; medians of {a.rounds} rounds on {os.cpu_count()} cores")
print("| what | wall s | reports/s through it all | CPU s, all instances | CPU s, the busiest instance | merge (`subscribe --merged`) s |")
print("|---|---|---|---|---|---|")
s = med(single_s)
print(f"| single process (`run`, as fast as possible) | {s:.2f} | {reports / s:,.0f} | - | - | - |")
i = med(ingest_s)
print(f"| ingest (publish, acknowledged, replicas 3) | {i:.2f} | {reports / i:,.0f} | - | - | - |")
for n, v in track_s.items():
    t = med(v)
    merge = f"{med(merge_s[n]):.2f}" if merge_s[n] else "-"
    print(f"| {n} region(s), one tracker each, at once | {t:.2f} | {reports / t:,.0f} | "
          f"{med(cpu_sum_s[n]):.2f} | {med(cpu_s[n]):.2f} | {merge} |")
e = med(empty_cpu_s)
print(f"| a tracker of a region without traffic (its fixed cost) | - | - | {e:.2f} | {e:.2f} | - |")
print(f"\nlive at {a.speed:g} x real time ({reports * a.speed / 1800:,.0f} reports/s): ingest arrival -> "
      "tracker processed, the worst of the N trackers (medians of the rounds)")
print("| trackers at once | p50 ms | p90 ms | p99 ms | p99 of each round ms |")
print("|---|---|---|---|---|")
for n, v in live_q.items():
    q = [med(x[k] for x in v) for k in range(3)]
    print(f"| {n} | {q[0]:.1f} | {q[1]:.1f} | {q[2]:.1f} | {', '.join(f'{x[2]:.0f}' for x in v)} |")
print("\nat once, as fast as possible: the ingest unpaced while the N trackers and the map "
      "(`run --role serve`) read live; from the ingest's start to the merged picture's last update")
print("| trackers at once | wall s | reports/s through ingest -> trackers -> merged picture | each round s |")
print("|---|---|---|---|")
for n, v in burst_s.items():
    print(f"| {n} | {med(v):.2f} | {reports / med(v):,.0f} | {', '.join(f'{x:.2f}' for x in v)} |")
print("\nend to end: ingest arrival -> the merged picture (`run --role serve` receives the region's "
      "message with the stamp of the newest input behind it; medians of the rounds)")
print("| trackers at once | p50 ms | p90 ms | p99 ms | p99 of each round ms |")
print("|---|---|---|---|---|")
for n, v in merged_q.items():
    q = [med(x[k] for x in v) for k in range(3)]
    print(f"| {n} | {q[0]:.1f} | {q[1]:.1f} | {q[2]:.1f} | {', '.join(f'{x[2]:.0f}' for x in v)} |")
