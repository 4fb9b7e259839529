#!/usr/bin/env python3
"""Three regions of airspace on three tracker instances on a three-node NATS
JetStream cluster (issue #22, docs/scale-out.md), over the demo's inputs:

  west   a polygon, Switzerland west of 7.6 deg E
  centre a polygon, 7.6 to 8.9 deg E (Zurich), with a hot standby
  rest   everything else (eastern Switzerland, the St Petersburg receiver)

each tracking its region and 30 km beyond it, publishing the tracks it owns.

1. `run --role ingest` publishes the inputs paced at SPEED x real time; the
   three owners and centre's standby track them live;
2. kill -9 of centre's owner mid-run: its standby owns the region within the
   lease time (measured);
3. the merged picture (`skyfuse subscribe --merged`) against the single
   process (`run` on the same files): the same aircraft (every address or
   Remote ID serial of the single process, every one of its updates matched
   within 5 s; tracks with neither matched by place, within 5 s and 500 m,
   both ways), each aircraft's system track number kept across boundaries
   (no more numbers than the single process gives it), no duplicate (two
   numbers for one aircraft) over 1 s, no gap at a hand-over longer than the single process's
   own gap there plus one update interval (5 s); hand-overs happened;
4. a region's stream replayed (`--role track --region centre --exit-at-end`)
   gives byte for byte the updates its live standby computed, and the merged
   picture read twice is the same bytes;
5. `run --role serve`, started before the data, showed the merged picture
   live: every merged update, and at the end the merged picture's aircraft;
   it measured the latency from the ingest's arrival stamp to the merged
   picture (the trackers pass the stamp on in a header).
"""
import bisect, collections, json, math, os, re, shutil, signal, subprocess, sys, time, urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../tools"))
from bus_testbed import demo_config, start_cluster  # noqa: E402

skyfuse, root, work = (os.path.abspath(a) for a in sys.argv[1:4])
SPEED = float(os.environ.get("SKYFUSE_BUS_TEST_SPEED", "60"))
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
errors, procs = [], []

REGIONS = """
margin_m = 30000
[[bus.regions]]
name = "west"
polygon = [[45.0, 5.0], [48.5, 5.0], [48.5, 7.6], [45.0, 7.6]]
[[bus.regions]]
name = "centre"
polygon = [[45.0, 7.6], [48.5, 7.6], [48.5, 8.9], [45.0, 8.9]]
[[bus.regions]]
name = "rest"
"""


def check(cond, msg):
    print(("ok:   " if cond else "FAIL: ") + msg, flush=True)
    if not cond:
        errors.append(msg)


def start(args, log):
    p = subprocess.Popen(args, stdout=open(log, "w"), stderr=subprocess.STDOUT, cwd=work)
    procs.append(p)
    return p


def wait_for(path, pattern, timeout):
    end = time.time() + timeout
    while time.time() < end:
        if os.path.exists(path):
            m = re.search(pattern, open(path, errors="replace").read())
            if m:
                return m
        time.sleep(0.05)
    return None


def packets_seen(port):
    try:
        body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    except OSError:
        return -1
    return sum(int(float(v)) for v in re.findall(r'^skyfuse_sensor_packets_total\{[^}]*\} (\S+)', body, re.M))


def by_identity(path):
    """Updates per aircraft: its 24-bit address, else its Remote ID serial
    ("rid:..."); the rest (no address, no serial) as (time, lat, lon) apart."""
    m, anonymous = collections.defaultdict(list), []
    for line in open(path):
        d = json.loads(line)
        if d.get("status") == "deleted":
            continue
        key = d.get("icao24") or ("rid:" + d["remote_id"] if d.get("remote_id") else None)
        if key:
            m[key].append((d["time"], d["id"], d.get("region", "")))
        else:
            anonymous.append((d["time"], d["lat_deg"], d["lon_deg"]))
    for v in m.values():
        v.sort()
    anonymous.sort()
    return m, anonymous


def unmatched_anonymous(a, b, window_s=5.0, radius_m=500.0):
    """Updates of `a` (time, lat, lon) with no update of `b` within window_s and radius_m."""
    times = [t for t, _, _ in b]
    missing = 0
    for t, lat, lon in a:
        i, found = bisect.bisect_left(times, t - window_s), False
        while not found and i < len(times) and times[i] <= t + window_s:
            _, lat2, lon2 = b[i]
            dn, de = (lat2 - lat) * 111195.0, (lon2 - lon) * 111195.0 * math.cos(math.radians(lat))
            found = math.hypot(dn, de) <= radius_m
            i += 1
        missing += not found
    return missing


def compare(one, merged):
    """The merged picture against the single process's; returns the figures."""
    (a, anon_a), (b, anon_b) = by_identity(one), by_identity(merged)
    f = {"addresses": len(a), "missing": sorted(set(a) - set(b)), "extra": sorted(set(b) - set(a))}
    # Tracks with neither an address nor a serial (primary-only targets, drones
    # seen by radar alone): matched by place, both ways.
    f["anonymous"], f["anonymous_merged"] = len(anon_a), len(anon_b)
    f["anonymous_unmatched"] = unmatched_anonymous(anon_a, anon_b)
    f["anonymous_extra"] = unmatched_anonymous(anon_b, anon_a)
    unmatched = total = 0
    for k, rows in a.items():
        ts = [t for t, _, _ in b.get(k, [])]
        for t, _, _ in rows:
            total += 1
            i = bisect.bisect_left(ts, t - 5)
            unmatched += not (i < len(ts) and ts[i] <= t + 5)
    f["updates"], f["unmatched"] = total, unmatched
    f["renumbered"] = [k for k, rows in b.items() if len({i for _, i, _ in rows}) > len({i for _, i, _ in a.get(k, [])})]
    f["crossings"], f["duplicates"], f["worst_gap_s"] = 0, [], 0.0
    for k, rows in b.items():
        last, dup_from, dup_to = {}, None, None
        ts = [t for t, _, _ in a.get(k, [])]
        for n, (t, i, r) in enumerate(rows):
            last[i] = t
            if sum(1 for tj in last.values() if t - tj <= 1.0) > 1:
                dup_from = t if dup_from is None else dup_from
                dup_to = t
            if n and rows[n - 1][2] != r:
                f["crossings"] += 1
                t0 = rows[n - 1][0]
                j = bisect.bisect_left(ts, t0)
                own = max((y - x for x, y in zip(ts[max(0, j - 3):j + 3], ts[max(0, j - 3) + 1:j + 3])), default=0)
                f["worst_gap_s"] = max(f["worst_gap_s"], t - t0 - own)
        if dup_from is not None and dup_to - dup_from > 1:
            f["duplicates"].append(k)
    return f


try:
    nodes, client, servers, elected = start_cluster(work, "skyfuse-regions")
    procs.extend(nodes)
    check(elected, "the three-node cluster elected a JetStream leader")
    config = demo_config(skyfuse, root, work)
    regional = os.path.join(work, "regions.toml")
    open(regional, "w").write(open(config).read() + REGIONS)

    one = os.path.join(work, "one.jsonl")
    r = subprocess.run([skyfuse, "run", "--config", config, "--speed", "0", "--exit-at-end", "--http-port", "0",
                        "--tracks-out", one], capture_output=True, text=True, timeout=900)
    check(r.returncode == 0, "the single process ran")
    packets = int(re.search(r"run: (\d+) packets", r.stderr).group(1))

    # 1. Three owners (and centre's standby), then the ingest.
    base = [skyfuse, "run", "--config", regional, "--nats", servers, "--http-port", "0"]
    trackers = {}
    for name in ["west", "centre", "rest"]:
        log = os.path.join(work, f"{name}.log")
        trackers[name] = (start(base + ["--role", "track", "--region", name], log), log)
        if wait_for(log, r"owns it now", 30) is None:
            check(False, f"the {name} tracker owns its region")
            raise SystemExit(open(log).read()[-2000:])
    check(True, "three trackers own a region each")
    standby_log = os.path.join(work, "centre-standby.log")
    standby = start(base + ["--role", "track", "--region", "centre", "--tracks-out",
                            os.path.join(work, "centre-standby.jsonl")], standby_log)
    check(wait_for(standby_log, r"map at http://127\.0\.0\.1:\d+/", 30) is not None, "centre's standby runs")
    serve_log = os.path.join(work, "serve.log")
    serve = start(base + ["--role", "serve", "--tracks-out", os.path.join(work, "served.jsonl")], serve_log)
    serve_port = wait_for(serve_log, r"map at http://127\.0\.0\.1:(\d+)/", 30)
    check(serve_port is not None, "the map of the merged picture (role serve) runs")
    ingest = start(base + ["--role", "ingest", "--speed", str(SPEED)], os.path.join(work, "ingest.log"))

    # 2. kill -9 of centre's owner halfway.
    time.sleep(1800 / SPEED / 2)
    trackers["centre"][0].kill()
    killed = time.time()
    took = wait_for(standby_log, r"owns it now", 30)
    taken_s = time.time() - killed
    check(took is not None and taken_s < 5,
          f"centre's standby took the region {taken_s:.2f} s after kill -9 of its owner (lease 2 s)")
    print(f"TAKEOVER_S {taken_s:.2f}", flush=True)
    check(ingest.wait(timeout=1800 / SPEED + 300) == 0, "the ingest published everything, acknowledged")

    # Every live tracker has read every packet: then a clean stop.
    live = {"west": trackers["west"][1], "rest": trackers["rest"][1], "centre (standby)": standby_log}
    for name, log in live.items():
        port = wait_for(log, r"map at http://127\.0\.0\.1:(\d+)/", 5)
        seen, end = -1, time.time() + 600
        while port and time.time() < end and seen < packets:
            seen = packets_seen(port.group(1))
            time.sleep(0.5)
        check(seen == packets, f"{name} read {seen} packets of {packets}")
    time.sleep(1.5)  # a publication period of wall time: the last pictures out
    for p in [trackers["west"][0], trackers["rest"][0], standby]:
        p.send_signal(signal.SIGTERM)
    check(all(p.wait(timeout=120) == 0 for p in [trackers["west"][0], trackers["rest"][0], standby]),
          "the trackers stopped cleanly")

    # 3. The merged picture against the single process.
    merged = os.path.join(work, "merged.jsonl")
    r = subprocess.run([skyfuse, "subscribe", "--config", regional, "--nats", servers, "--merged", "--out", merged],
                       capture_output=True, text=True, timeout=600)
    check(r.returncode == 0, f"subscribe --merged: {r.stderr.strip()[-400:]}")
    print(r.stderr.strip().splitlines()[-1] if r.stderr.strip() else "", flush=True)
    f = compare(one, merged)
    print("MERGED " + json.dumps({k: (v if not isinstance(v, list) else len(v)) for k, v in f.items()}), flush=True)
    check(f["anonymous_unmatched"] == 0 and f["anonymous_extra"] == 0,
          f"tracks with no address or serial: each of the single process's {f['anonymous']} updates has a merged "
          f"one within 5 s and 500 m ({f['anonymous_unmatched']} have not), and each of the merged picture's "
          f"{f['anonymous_merged']} has one of the single process ({f['anonymous_extra']} have not)")
    check(not f["missing"] and not f["extra"],
          f"the same {f['addresses']} aircraft (missing {f['missing'][:5]}, extra {f['extra'][:5]})")
    check(f["unmatched"] == 0, f"every one of the single process's {f['updates']} updates has one of the same "
                               f"address in the merged picture within 5 s ({f['unmatched']} have not)")
    check(f["crossings"] >= 20, f"{f['crossings']} changes of region by an aircraft (hand-overs happened)")
    check(not f["renumbered"], f"no aircraft renumbered at a boundary ({f['renumbered'][:5]})")
    check(not f["duplicates"], f"no duplicate over 1 s ({f['duplicates'][:5]})")
    check(f["worst_gap_s"] <= 5, f"no gap at a hand-over beyond the single process's own plus 5 s "
                                 f"(worst {f['worst_gap_s']:.2f} s)")

    # 4. Determinism: centre's stream replayed = its live standby's updates;
    #    the merged picture read twice = the same bytes.
    rep = os.path.join(work, "centre-replay.jsonl")
    r = subprocess.run(base + ["--role", "track", "--region", "centre", "--exit-at-end", "--tracks-out", rep],
                       capture_output=True, text=True, timeout=900)
    same = r.returncode == 0 and open(rep, "rb").read() == open(os.path.join(work, "centre-standby.jsonl"), "rb").read()
    check(same, "centre's stream replayed gives its standby's track updates byte for byte "
                f"({sum(1 for _ in open(rep)) if os.path.exists(rep) else 0} lines)")
    # 5. What the map showed: every merged update; the same aircraft live at
    #    the end. (Live, the map merges updates as they arrive: a region more
    #    than 1 s of wall time behind, as centre's during its take-over - at
    #    60 x real time 2 s are 2 minutes of data - may have a track named
    #    anew there; the names are compared by `subscribe --merged` above.)
    lines = sum(1 for _ in open(merged))
    final = {}
    for line in open(merged):
        d = json.loads(line)
        final[d["id"]] = d
    alive = sorted(d.get("icao24", "-") for d in final.values() if d["status"] != "deleted")
    shown, live_ids, end = -1, None, time.time() + 60
    while serve_port and time.time() < end:
        try:
            base_url = f"http://127.0.0.1:{serve_port.group(1)}"
            body = urllib.request.urlopen(base_url + "/metrics", timeout=5).read().decode()
            m = re.search(r'^skyfuse_track_updates_total (\S+)', body, re.M)
            shown = int(float(m.group(1))) if m else -1
            tracks = json.loads(urllib.request.urlopen(base_url + "/api/tracks", timeout=5).read())
            live_ids = sorted(t.get("hex", "-") for t in tracks["tracks"])
            if shown >= lines and live_ids == alive:
                # Each region's message carries the ingest's arrival of the
                # newest input behind it: the merged picture's latency.
                count = re.search(r'^skyfuse_merged_latency_seconds_count (\S+)', body, re.M)
                p50 = re.search(r'^skyfuse_merged_latency_seconds\{quantile="0.5"\} (\S+)', body, re.M)
                p99 = re.search(r'^skyfuse_merged_latency_seconds\{quantile="0.99"\} (\S+)', body, re.M)
                print(f"ingest arrival -> merged picture (role serve): {count and count.group(1)} messages, "
                      f"p50 {p50 and p50.group(1)} s, p99 {p99 and p99.group(1)} s")
                # (Under ASan on 2 cores the trackers fall seconds behind the
                # paced ingest: a p50 of 12 s was seen; the bound catches a
                # wrong stamp or unit, not the speed.)
                check(count and float(count.group(1)) > 0 and p50 and 0 < float(p50.group(1)) < 120,
                      "role serve measures the latency from the ingest's arrival to the merged picture")
                break
        except OSError:
            pass
        time.sleep(0.5)
    check(shown >= lines, f"the map (role serve) was given every merged update ({shown}, "
                          f"{lines} merged; more: tracks it ended live)")
    check(live_ids == alive, f"the map shows the merged picture's {len(alive)} live aircraft at the end "
                             f"({live_ids and sorted(set(live_ids) ^ set(alive))} differ)")
    again = os.path.join(work, "merged-again.jsonl")
    r = subprocess.run([skyfuse, "subscribe", "--config", regional, "--nats", servers, "--merged", "--out", again],
                       capture_output=True, text=True, timeout=600)
    check(r.returncode == 0 and open(again, "rb").read() == open(merged, "rb").read(),
          "the merged picture read again (after the replay) is the same bytes")
finally:
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait()

if errors:
    print(f"{len(errors)} FAILED")
    sys.exit(1)
print("all passed")
