#!/usr/bin/env python3
"""Soak test of the live system (issue #16): `skyfuse run` with six UDP sensors
(four CAT048 radars, two CAT021 ADS-B ground stations) fed in real time by
bench/soak_load: 20,000 reports/s from 4,000 aircraft, a malformed datagram
after 1 % of the good ones (truncated, bit-flipped, garbage, a wrong length
field), and every 5 minutes one sensor's clock jumping for 10 s (+11 h, a
midnight crossing that is not one, +6 h, -1 h, +90 s).

It polls /metrics, /api/stats and /api/sensors every few seconds and at the
end prints the figures and checks them against what the sender counted:
  - every good report of every sensor accepted (none lost), no kernel or
    queue drop, no duplicate;
  - decode errors per sensor == the errors skyfuse's own feed decoder finds
    offline in the damaged datagrams the sender sent;
  - every report stamped by a jumped clock rejected by the time guard and
    counted against its sensor;
  - data time never ahead of the host clock, never more than --max-behind s
    behind it (after warm-up);
  - the picture never emptied: at least --min-tracks of the aircraft as live
    tracks after warm-up;
  - resident memory flat after warm-up (5 min to the end: < --max-rss-growth %);
  - pipeline latency p99 under --max-p99-ms; skyfuse's CPU share printed.
Exit 0 when everything holds. The figures also go to WORK/summary.json.

  python3 tools/soak.py --work /tmp/soak_full                  # 30 minutes
  python3 tools/soak.py --seconds 20 --rate 2000 --work /tmp/s  # smoke (CTest soak.smoke)
"""
import argparse, json, os, re, signal, socket, subprocess, sys, threading, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# name, kind, sac, sic, lat, lon: jumps go to (5 k + 1) mod 6, so each sensor in turn.
SENSORS = [
    ("radar-1", "mode_s", 20, 1, 50.30, 8.20),
    ("adsb-1", "adsb", 30, 1, 50.00, 8.50),
    ("radar-2", "ssr", 20, 2, 49.70, 8.90),
    ("radar-3", "mode_s", 20, 3, 50.20, 9.00),
    ("adsb-2", "adsb", 30, 2, 50.40, 8.60),
    ("radar-4", "ssr", 20, 4, 49.80, 8.00),
]


def free_udp_ports(n):
    socks = []
    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        socks.append(s)
    ports = [s.getsockname()[1] for s in socks]
    for s in socks: s.close()
    return ports


def cpu_seconds(pid):
    try:
        st = open(f"/proc/{pid}/stat").read()
        f = st[st.rfind(")") + 2:].split()
        return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def rss_bytes(pid):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS:"): return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def get(port, path):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=15) as r:
        body = r.read().decode()
    return json.loads(body) if path.startswith("/api") else body


def metric(text, name):
    m = re.search(r"^" + re.escape(name) + r" (\S+)$", text, re.M)
    return float(m.group(1)) if m else None


def slope_per_min(points):
    """Least-squares slope of (t, v) points, per minute."""
    if len(points) < 2: return 0.0
    n = len(points)
    mt = sum(t for t, _ in points) / n
    mv = sum(v for _, v in points) / n
    den = sum((t - mt) ** 2 for t, _ in points)
    return 60 * sum((t - mt) * (v - mv) for t, v in points) / den if den else 0.0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--skyfuse", default=os.path.join(ROOT, "build/release/skyfuse"))
    ap.add_argument("--sender", default=None, help="bench/soak_load (default: next to --skyfuse)")
    ap.add_argument("--work", default="/tmp/skyfuse_soak")
    ap.add_argument("--seconds", type=float, default=1800)
    ap.add_argument("--rate", type=float, default=20000, help="reports/s (aircraft = rate / 5)")
    ap.add_argument("--damage", type=float, default=0.01)
    ap.add_argument("--jump-every", type=float, default=300)
    ap.add_argument("--jump-seconds", type=float, default=10)
    ap.add_argument("--poll", type=float, default=5, help="seconds between polls")
    ap.add_argument("--warmup", type=float, default=None, help="s before the picture / time checks "
                    "(default: 60, or a third of a short run)")
    ap.add_argument("--memory-from", type=float, default=300, help="s: RSS reference (warm-up end)")
    ap.add_argument("--max-rss-growth", type=float, default=5.0, help="%% from --memory-from to the end")
    ap.add_argument("--max-behind", type=float, default=5.0, help="s of data time behind the host")
    ap.add_argument("--min-tracks", type=float, default=0.95, help="fraction of the aircraft")
    ap.add_argument("--max-p99-ms", type=float, default=100)
    ap.add_argument("--seed", type=int, default=16)
    a = ap.parse_args()
    sender = a.sender or os.path.join(os.path.dirname(os.path.abspath(a.skyfuse)), "bench/soak_load")
    os.makedirs(a.work, exist_ok=True)
    per_aircraft = 2 * 2.0 + 4 / 4.0  # two stations at 2 Hz, four radars every 4 s
    aircraft = max(10, int(round(a.rate / per_aircraft)))
    warmup = a.warmup if a.warmup is not None else min(60.0, a.seconds / 3)

    ports = free_udp_ports(len(SENSORS))
    cfg = os.path.join(a.work, "soak.toml")
    with open(cfg, "w") as f:
        f.write("[tracker]\norigin_lat_deg = 50.0\norigin_lon_deg = 8.5\n")
        for (name, kind, sac, sic, lat, lon), port in zip(SENSORS, ports):
            f.write(f'\n[[sensor]]\nname = "{name}"\nkind = "{kind}"\nsac = {sac}\nsic = {sic}\n'
                    f"lat_deg = {lat}\nlon_deg = {lon}\nalt_m = 300\nmax_range_m = 470000\n"
                    f'input = "udp:{port}"\nbind = "127.0.0.1"\nformat = "asterix"\n')
            if kind != "adsb":
                f.write("rotation_period_s = 4\nsigma_range_m = 40\nsigma_azimuth_deg = 0.08\n")
    log_path = os.path.join(a.work, "run.log")
    log = open(log_path, "w")
    run = subprocess.Popen([a.skyfuse, "run", "--config", cfg, "--http-port", "0"], stderr=log,
                           stdout=subprocess.DEVNULL)
    port = None
    t_end = time.time() + 60
    while port is None and time.time() < t_end and run.poll() is None:
        time.sleep(0.2)
        m = re.search(r"http://[^:]+:(\d+)/", open(log_path).read())
        if m: port = int(m.group(1))
    if port is None:
        print(f"soak: skyfuse run did not start (see {log_path})", flush=True)
        run.kill()
        return 2

    cmd = [sender, "--aircraft", str(aircraft), "--seconds", str(a.seconds), "--damage", str(a.damage),
           "--jump-every", str(a.jump_every), "--jump-seconds", str(a.jump_seconds), "--seed", str(a.seed)]
    for (name, kind, sac, sic, lat, lon), p in zip(SENSORS, ports):
        cmd += ["--sensor", f"{name}:{kind}:{sac}:{sic}:{lat}:{lon}:300:{p}"]
    tx = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    events, last = [], {}

    def read_sender():
        for line in tx.stdout:
            try:
                e = json.loads(line)
            except ValueError:
                continue
            if e["event"] == "status" or e["event"] == "end":
                last.update(e)
            else:
                events.append(e)
                if e["event"] == "jump":
                    print(f"  jump: {e['sensor']} {e['kind']} for {e['end'] - e['start']:.0f} s", flush=True)

    reader = threading.Thread(target=read_sender, daemon=True)
    reader.start()
    print(f"soak: {aircraft} aircraft, {len(SENSORS)} UDP sensors, {a.rate:.0f} reports/s for "
          f"{a.seconds:.0f} s; damage {100 * a.damage:g} % of datagrams; a clock jump every "
          f"{a.jump_every:.0f} s; skyfuse pid {run.pid} HTTP {port}; work {a.work}", flush=True)
    print(f"{'t_s':>6} {'sent':>10} {'accepted':>10} {'tracks':>7} {'data-host':>9} {'rss_MB':>8} "
          f"{'p50_ms':>7} {'p99_ms':>7} {'cpu':>5} {'errors':>7}", flush=True)

    t0 = time.time()
    samples = []
    cpu0 = cpu_seconds(run.pid)
    last_cpu = (t0, cpu0)
    print_every = max(a.poll, 60 if a.seconds >= 600 else a.poll)
    next_print = t0 + print_every
    poll_failures = []

    def poll(final=False):
        nonlocal last_cpu
        now = time.time()
        try:
            m = get(port, "/metrics")
            st = get(port, "/api/stats")
            sens = {s["name"]: s for s in get(port, "/api/sensors")["sensors"]}
        except Exception as e:  # noqa: BLE001 - an unanswered poll is itself a finding
            poll_failures.append(f"{now - t0:.0f} s: {e}")
            return None
        host_after = time.time()
        cpu = cpu_seconds(run.pid)
        s = {
            "t": now - t0,
            "host": (now + host_after) / 2,
            "data_time": metric(m, "skyfuse_data_time_seconds"),
            "stats_time": st.get("time"),
            "tracks": metric(m, "skyfuse_tracks"),
            "duplicates": metric(m, "skyfuse_duplicate_datagrams_total"),
            "rss": rss_bytes(run.pid),
            "p50": metric(m, 'skyfuse_pipeline_latency_seconds{quantile="0.5"}'),
            "p90": metric(m, 'skyfuse_pipeline_latency_seconds{quantile="0.9"}'),
            "p99": metric(m, 'skyfuse_pipeline_latency_seconds{quantile="0.99"}'),
            "cpu_s": cpu,
            "sender_cpu_s": cpu_seconds(tx.pid),
            "cpu_share": (cpu - last_cpu[1]) / max(1e-9, now - last_cpu[0]) if cpu is not None else None,
            "sensors": sens,
            "stats": st,
        }
        last_cpu = (now, cpu)
        samples.append(s)
        return s

    def row(s):
        sent = sum(c["good_reports"] + c["jumped_reports"] for c in last.get("sensors", {}).values())
        acc = sum(x["reports"] for x in s["sensors"].values())
        err = sum(x["errors"] for x in s["sensors"].values())
        dh = (s["data_time"] - s["host"]) if s["data_time"] else float("nan")
        print(f"{s['t']:>6.0f} {sent:>10} {acc:>10} {s['tracks'] or 0:>7.0f} {dh:>+9.2f} "
              f"{(s['rss'] or 0) / 1e6:>8.1f} {1e3 * (s['p50'] or 0):>7.2f} {1e3 * (s['p99'] or 0):>7.2f} "
              f"{100 * (s['cpu_share'] or 0):>4.0f}% {err:>7}", flush=True)

    next_poll = t0 + a.poll
    while tx.poll() is None:
        time.sleep(max(0.0, min(next_poll, t0 + a.seconds + 30) - time.time()))
        if run.poll() is not None: break
        if time.time() >= next_poll:
            s = poll()
            next_poll += a.poll
            if s and time.time() >= next_print:
                row(s)
                next_print += print_every
        if time.time() > t0 + a.seconds + 120: break  # the sender hangs: stop
    tx.wait(timeout=60)
    reader.join(timeout=10)
    sender_err = tx.stderr.read()
    # Let skyfuse take what is queued: until its counters stop moving.
    prev = None
    for _ in range(30):
        time.sleep(1)
        if run.poll() is not None: break
        s = poll(final=True)
        if s is None: continue
        cur = [(x["packets"], x["reports"]) for x in s["sensors"].values()]
        if cur == prev: break
        prev = cur
    alive = run.poll() is None
    final = samples[-1] if samples else None
    if final: row(final)
    run.send_signal(signal.SIGINT)
    try:
        run.wait(timeout=60)
    except subprocess.TimeoutExpired:
        run.kill()
        run.wait()
    log.close()
    summary_lines = [l.rstrip() for l in open(log_path) if l.startswith(("run:", "  "))]
    # The tracker's first rejections, "sensor NAME source S offset O: reason", by sensor and reason.
    tracker_rejections = {}
    for l in open(log_path):
        m = re.match(r"skyfuse run: rejected: sensor (\S+) source \S+ offset \S+: (.*)$", l.rstrip())
        if m: tracker_rejections[f"{m.group(1)}: {m.group(2)}"] = tracker_rejections.get(f"{m.group(1)}: {m.group(2)}", 0) + 1

    errors = []

    def check(cond, msg):
        if not cond:
            errors.append(msg)

    check(alive, f"skyfuse run exited during the soak (code {run.returncode}; see {log_path})")
    check(run.returncode == 0, f"skyfuse run exited {run.returncode} on SIGINT")
    check(tx.returncode == 0, f"the sender exited {tx.returncode}: {sender_err.strip()[-500:]}")
    check(not poll_failures, f"{len(poll_failures)} polls unanswered: {poll_failures[:3]}")
    sent = last.get("sensors", {})
    check(final is not None and sent, "no figures (no poll, or no sender status)")
    if not (final and sent):
        for e in errors: print("FAIL:", e)
        return 1
    jumps = [e for e in events if e["event"] == "jump"]
    start = next((e for e in events if e["event"] == "start"), {})

    # ---- per sensor: nothing lost, every lie and every damaged datagram counted ---
    tot = {k: 0 for k in ("good", "jumped", "accepted", "rejected", "damaged", "expected_errors", "errors",
                          "drops", "kernel_drops", "undetectable", "no_error", "packets", "datagrams",
                          "out_of_range")}
    kinds, undetectable = {}, {}
    print("\nper sensor:")
    print(f"  {'sensor':<8} {'good sent':>10} {'accepted':>10} {'jumped':>8} {'rejected':>8} {'damaged':>7} "
          f"{'exp.err':>7} {'errors':>7} {'drops':>5} {'kernel':>6}")
    for name, c in sent.items():
        h = final["sensors"][name]
        damaged = c["damaged"]
        datagrams = c["good_datagrams"] + c["jumped_datagrams"] + damaged
        print(f"  {name:<8} {c['good_reports']:>10} {h['reports']:>10} {c['jumped_reports']:>8} "
              f"{h['time_rejected']:>8} {damaged:>7} {c['expected_errors']:>7} {h['errors']:>7} "
              f"{h['drops']:>5} {h['kernel_drops']:>6}")
        check(h["reports"] == c["good_reports"],
              f"{name}: {h['reports']} reports accepted of {c['good_reports']} good ones sent "
              f"({c['good_reports'] - h['reports']:+d} lost)")
        check(h["time_rejected"] == c["jumped_reports"],
              f"{name}: {h['time_rejected']} reports time-rejected, {c['jumped_reports']} sent by a jumped clock")
        check(h["errors"] == c["expected_errors"],
              f"{name}: {h['errors']} decode errors, {c['expected_errors']} expected in {damaged} damaged datagrams")
        check(h["drops"] == 0 and h["kernel_drops"] == 0,
              f"{name}: {h['drops']} queue drops, {h['kernel_drops']} kernel drops")
        check(h["packets"] == datagrams, f"{name}: {h['packets']} datagrams processed of {datagrams} sent")
        check(c["send_errors"] == 0, f"{name}: the sender failed {c['send_errors']} sends")
        for k, v in (("good", c["good_reports"]), ("jumped", c["jumped_reports"]), ("accepted", h["reports"]),
                     ("rejected", h["time_rejected"]), ("damaged", damaged), ("expected_errors", c["expected_errors"]),
                     ("errors", h["errors"]), ("drops", h["drops"]), ("kernel_drops", h["kernel_drops"]),
                     ("undetectable", c["undetectable_redrawn"]), ("no_error", c["damaged_no_error"]),
                     ("packets", h["packets"]), ("datagrams", datagrams), ("out_of_range", c["out_of_range"])):
            tot[k] += v
        for k, v in c["damaged_kinds"].items(): kinds[k] = kinds.get(k, 0) + v
        for k, v in c["undetectable_kinds"].items(): undetectable[k] = undetectable.get(k, 0) + v
    st = final["stats"]
    check(final["duplicates"] == 0, f"{final['duplicates']} datagrams dropped as duplicates")

    # ---- data time, picture, memory, latency, CPU ------------------------------------
    warm = [s for s in samples if s["t"] >= warmup and s["t"] <= a.seconds]
    offsets = [s["data_time"] - s["host"] for s in warm if s["data_time"]]
    ahead = max(offsets) if offsets else float("nan")
    behind = -min(offsets) if offsets else float("nan")
    check(offsets and ahead <= 0.5, f"data time {ahead:+.2f} s ahead of the host clock")
    check(offsets and behind <= a.max_behind, f"data time {behind:.2f} s behind the host clock (max {a.max_behind})")
    tracks = [s["tracks"] for s in warm if s["tracks"] is not None]
    min_tracks = min(tracks) if tracks else 0
    max_tracks = max(tracks) if tracks else 0
    check(tracks and min_tracks >= a.min_tracks * aircraft,
          f"the picture fell to {min_tracks:.0f} tracks ({aircraft} aircraft)")
    rss = [(s["t"], s["rss"]) for s in samples if s["rss"] and s["t"] <= a.seconds + 1]
    rss_ref = next((v for t, v in rss if t >= a.memory_from), None)
    rss_end = rss[-1][1] if rss else None
    last10 = [(t, v / 1e6) for t, v in rss if t >= (rss[-1][0] - 600 if rss else 0) and t >= a.memory_from]
    slope = slope_per_min(last10)
    growth = 100 * (rss_end - rss_ref) / rss_ref if rss_ref and rss_end else None
    if growth is not None and a.seconds >= 2 * a.memory_from:
        check(growth < a.max_rss_growth, f"resident memory grew {growth:+.1f} % after warm-up")
    p = (final["p50"], final["p90"], final["p99"])
    check(p[2] is not None and 1e3 * p[2] <= a.max_p99_ms, f"pipeline latency p99 {1e3 * (p[2] or 0):.1f} ms")
    cpu_end = final["cpu_s"]
    warm_cpu = next((s for s in samples if s["t"] >= warmup), samples[0])
    cpu_share = (cpu_end - warm_cpu["cpu_s"]) / max(1e-9, final["t"] - warm_cpu["t"]) if cpu_end else None
    cpu_all = cpu_end / max(1e-9, final["t"]) if cpu_end else None
    tx_cpu = [(x["t"], x["sender_cpu_s"]) for x in samples if x.get("sender_cpu_s") is not None]
    sender_share = tx_cpu[-1][1] / max(1e-9, tx_cpu[-1][0]) if tx_cpu else None
    late, rej = st.get("reports_late_total"), st.get("reports_rejected_total")
    check(late == 0, f"the tracker dropped {late} reports as late (the pipeline fell behind its reorder window)")

    # ---- the clock jumps ------------------------------------------------------------------
    print(f"\nclock jumps: {len(jumps)}")
    for e in jumps:
        print(f"  at {e['start'] - start.get('t0', t0):6.0f} s: {e['sensor']:<8} {e['kind']} "
              f"({e['offset_s']:+.0f} s) for {e['end'] - e['start']:.0f} s")

    dur = last.get("t", t0 + a.seconds) - start.get("t0", t0)
    total_sent = tot["good"] + tot["jumped"]
    fig = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(t0)),
        "seconds": round(dur, 1), "aircraft": aircraft, "sensors": len(SENSORS),
        "reports_sent": total_sent, "rate_per_s": round(total_sent / max(dur, 1e-9)),
        "good_sent": tot["good"], "good_accepted": tot["accepted"], "good_lost": tot["good"] - tot["accepted"],
        "datagrams_sent": tot["datagrams"], "datagrams_processed": tot["packets"],
        "damaged_datagrams": tot["damaged"], "damaged_kinds": kinds, "damaged_no_error": tot["no_error"],
        "undetectable_redrawn": tot["undetectable"], "undetectable_kinds": undetectable, "expected_errors": tot["expected_errors"],
        "decode_errors": tot["errors"], "clock_jumps": len(jumps), "jumped_reports": tot["jumped"],
        "jumped_rejected": tot["rejected"], "data_time_ahead_max_s": round(ahead, 3),
        "data_time_behind_max_s": round(behind, 3),
        "data_time_behind_median_s": round(-sorted(offsets)[len(offsets) // 2], 3) if offsets else None,
        "queue_drops": tot["drops"], "kernel_drops": tot["kernel_drops"],
        "duplicates": final["duplicates"],
        "tracks_min": min_tracks, "tracks_max": max_tracks,
        "rss_mb_at_memory_from": round(rss_ref / 1e6, 1) if rss_ref else None,
        "rss_mb_end": round(rss_end / 1e6, 1) if rss_end else None,
        "rss_growth_pct": round(growth, 2) if growth is not None else None,
        "rss_slope_mb_per_min_last_10min": round(slope, 3),
        "latency_ms": [round(1e3 * x, 2) if x is not None else None for x in p],
        "cpu_share_after_warmup": round(cpu_share, 3) if cpu_share is not None else None,
        "cpu_share_whole_run": round(cpu_all, 3) if cpu_all is not None else None,
        "sender_cpu_share": round(sender_share, 3) if sender_share is not None else None,
        "radar_plots_out_of_range": tot["out_of_range"],
        "tracker_late": late, "tracker_rejected": rej, "tracker_rejections_logged": tracker_rejections,
        "stats": st,
        "skyfuse_summary": summary_lines,
    }
    json.dump({"figures": fig, "jumps": jumps, "sender": sent,
               "samples": [{k: v for k, v in s.items() if k not in ("stats",)} for s in samples]},
              open(os.path.join(a.work, "summary.json"), "w"), indent=1)
    print(f"""
soak figures ({fig['date']}, {dur:.0f} s):
  reports sent            {total_sent:,} ({fig['rate_per_s']:,}/s) in {tot['datagrams']:,} datagrams from {aircraft:,} aircraft
  good reports lost       {fig['good_lost']:,} ({tot['accepted']:,} accepted of {tot['good']:,})
  damaged datagrams       {tot['damaged']:,} {kinds} -> {tot['errors']:,} decode errors ({tot['expected_errors']:,} expected offline; {tot['no_error']:,} damaged with no error expected; {tot['undetectable']:,} undetectable damages {undetectable} drawn again, not sent)
  clock jumps             {len(jumps)}: {tot['rejected']:,} of {tot['jumped']:,} jumped reports rejected
  data time vs host       never ahead (max {ahead:+.2f} s), at most {behind:.2f} s behind (median {fig['data_time_behind_median_s']} s)
  drops                   {tot['drops']} queue, {tot['kernel_drops']} kernel, duplicates {fig['duplicates']}
  picture                 {min_tracks:.0f} .. {max_tracks:.0f} tracks after {warmup:.0f} s ({aircraft} aircraft)
  resident memory         {fig['rss_mb_at_memory_from']} MB at {a.memory_from:.0f} s, {fig['rss_mb_end']} MB at the end ({fig['rss_growth_pct']} %), slope over the last 10 min {slope:+.3f} MB/min
  pipeline latency        p50 {fig['latency_ms'][0]} ms, p90 {fig['latency_ms'][1]} ms, p99 {fig['latency_ms'][2]} ms
  skyfuse CPU             {100 * (cpu_share or 0):.0f} % of one core after warm-up ({100 * (cpu_all or 0):.0f} % over the run); the sender {100 * (sender_share or 0):.0f} %
  tracker                 {late} late, {rej} rejected reports; tracks initiated {st.get('tracks_initiated_total')}, confirmed {st.get('tracks_confirmed_total')}, deleted {st.get('tracks_deleted_total')}; {st.get('identity_conflicts_total')} identity conflicts, {st.get('numerical_faults_total')} numerical faults, {st.get('alerts_raised_total')} alerts raised""", flush=True)
    check(not rej or tracker_rejections, f"the tracker rejected {rej} reports and the log names none")
    if rej:
        print(f"WARN: the tracker rejected {rej:.0f} reports that passed decoding and the time guard; the "
              f"first ones logged: {tracker_rejections}", flush=True)
    for l in summary_lines: print("  " + l)
    for e in errors: print("FAIL:", e, flush=True)
    print("soak:", "FAILED" if errors else "passed", flush=True)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
