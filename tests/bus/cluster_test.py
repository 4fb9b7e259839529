#!/usr/bin/env python3
"""skyfuse on a three-node NATS JetStream cluster (issue #22), started here
from Debian's nats-server on 127.0.0.1 with a token:

1. a wrong token is refused (exit 1, the server's reason named);
2. `run --role ingest` publishes the demo inputs (30 minutes of simulated Swiss
   radars and receivers over real traffic, and the real ulss7 Beast capture)
   paced at SPEED x real time; two `run --role track` instances read the
   stream, the first owns the region, the second is its standby;
3. kill -9 of the owner mid-run: the standby takes the region within the lease
   time (measured, printed; goal under 3 s);
4. kill -9 of one NATS node of three (the one the ingest is connected to);
5. the region's track updates in the tracks stream (`skyfuse subscribe`) are
   byte for byte those of the single process (`run` on the same files): same
   aircraft, same system track numbers, no duplicate, no gap;
6. replaying the input stream (`--role track --exit-at-end`) gives the same
   bytes again.
"""
import os, re, shutil, signal, subprocess, sys, time, urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../tools"))
from bus_testbed import demo_config, start_cluster  # noqa: E402

skyfuse, root, work = (os.path.abspath(a) for a in sys.argv[1:4])
SPEED = float(os.environ.get("SKYFUSE_BUS_TEST_SPEED", "60"))
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
errors = []
procs = []


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


def stop_all():
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait()


try:
    # The cluster: three nodes, JetStream, a token, routes on loopback.
    token = "test-token-7f3a"
    nodes, client, servers, elected = start_cluster(work, "skyfuse-test", token)
    procs.extend(nodes)
    check(elected, "the three-node cluster elected a JetStream leader")

    # The demo's inputs, simulated here, and its configuration with fixed
    # paths, a fixed epoch (so two runs compare), no recording, no loop.
    config = demo_config(skyfuse, root, work)
    env_token = dict(os.environ, SKYFUSE_NATS_TOKEN=token)
    base = [skyfuse, "run", "--config", config, "--nats", servers]

    # 1. A wrong token.
    bad = subprocess.run(base + ["--role", "ingest"], env=dict(os.environ, SKYFUSE_NATS_TOKEN="wrong"),
                         capture_output=True, text=True, timeout=60)
    check(bad.returncode == 1 and "uthorization" in bad.stderr,
          f"a wrong token is refused: exit {bad.returncode}, {bad.stderr.strip()[:160]}")

    # The single process, as the reference.
    one = os.path.join(work, "one.jsonl")
    r = subprocess.run([skyfuse, "run", "--config", config, "--speed", "0", "--exit-at-end",
                        "--http-port", "0", "--tracks-out", one], capture_output=True, text=True,
                       timeout=900)
    check(r.returncode == 0, "the single process ran")
    m = re.search(r"run: (\d+) packets", r.stderr)
    packets = int(m.group(1)) if m else -1
    print(f"single process: {packets} packets, {sum(1 for _ in open(one))} track updates", flush=True)

    # 2. Ingest, an owner, its standby.
    os.environ["SKYFUSE_NATS_TOKEN"] = token
    ingest = start(base + ["--role", "ingest", "--speed", str(SPEED)], os.path.join(work, "ingest.log"))
    owner = start(base + ["--role", "track", "--http-port", "0"], os.path.join(work, "owner.log"))
    if wait_for(os.path.join(work, "owner.log"), r"owns it now", 30) is None:
        check(False, "the first tracker owns the region")
        raise SystemExit(open(os.path.join(work, "owner.log")).read()[-2000:])
    check(True, "the first tracker owns the region")
    standby = start(base + ["--role", "track", "--http-port", "0"], os.path.join(work, "standby.log"))
    port = wait_for(os.path.join(work, "standby.log"), r"map at http://127\.0\.0\.1:(\d+)/", 30)
    check(port is not None, "the standby serves its map")
    duration = 1800 / SPEED

    # 3. kill -9 of the owner a third of the way.
    time.sleep(duration / 3)
    owner.kill()
    killed = time.time()
    took = wait_for(os.path.join(work, "standby.log"), r"owns it now", 30)
    taken_s = time.time() - killed
    check(took is not None and taken_s < 5,
          f"the standby took the region {taken_s:.2f} s after kill -9 of the owner (lease 2 s)")
    print(f"TAKEOVER_S {taken_s:.2f}", flush=True)

    # 4. kill -9 of the NATS node the ingest is connected to, two thirds of the way.
    time.sleep(duration / 3)
    node = wait_for(os.path.join(work, "ingest.log"), r"to stream \S+ at nats://127\.0\.0\.1:(\d+)", 1)
    victim = client.index(int(node.group(1))) if node else 0
    nodes[victim].kill()
    print(f"killed NATS node n{victim + 1} (port {client[victim]})", flush=True)
    if ingest.wait(timeout=duration + 300) != 0:
        check(False, "the ingest published everything, acknowledged")
        raise SystemExit(open(os.path.join(work, "ingest.log")).read()[-2000:])
    check(True, "the ingest published everything, acknowledged")
    print(open(os.path.join(work, "ingest.log")).read().strip().splitlines()[-1], flush=True)

    # The standby has read every packet: then stop it (a clean stop).
    url = f"http://127.0.0.1:{port.group(1)}/metrics" if port else ""
    seen, end = -1, time.time() + 600
    while url and time.time() < end:
        try:
            body = urllib.request.urlopen(url, timeout=5).read().decode()
            seen = sum(int(float(v)) for v in re.findall(r'^skyfuse_sensor_packets_total\{[^}]*\} (\S+)', body, re.M))
        except OSError:
            pass
        if seen >= packets:
            break
        time.sleep(0.5)
    check(seen == packets, f"the standby read {seen} packets of {packets}")
    time.sleep(1.5)  # a publication period of wall time: its last picture out
    standby.send_signal(signal.SIGTERM)
    check(standby.wait(timeout=120) == 0, "the standby stopped cleanly")
    print("\n".join(l for l in open(os.path.join(work, "standby.log")).read().splitlines()
                    if "stream SKYFUSE_IN" in l or "owns it" in l), flush=True)

    # 5. The region's updates in the tracks stream = the single process's.
    sub = os.path.join(work, "subscribed.jsonl")
    r = subprocess.run([skyfuse, "subscribe", "--config", config, "--nats", servers, "--out", sub],
                       capture_output=True, text=True, timeout=600)
    check(r.returncode == 0, f"subscribe: {r.stderr.strip()[-200:]}")
    same = open(sub, "rb").read() == open(one, "rb").read()
    check(same, "the tracks stream holds the single process's track updates byte for byte "
                f"({sum(1 for _ in open(sub))} and {sum(1 for _ in open(one))} lines)")

    # 6. The input stream replayed: the same bytes again.
    rep = os.path.join(work, "replayed.jsonl")
    r = subprocess.run(base + ["--role", "track", "--region", "replay", "--exit-at-end", "--http-port", "0",
                               "--tracks-out", rep], capture_output=True, text=True, timeout=900)
    check(r.returncode == 0 and os.path.exists(rep) and open(rep, "rb").read() == open(one, "rb").read(),
          "replaying the input stream gives the same track updates byte for byte")
    if r.returncode != 0:
        print(r.stderr[-3000:])
finally:
    stop_all()

if errors:
    print(f"{len(errors)} FAILED")
    sys.exit(1)
print("all passed")
