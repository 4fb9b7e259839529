#!/usr/bin/env python3
"""Logs, progress and the status line (issue #21), as a user sees them:

- `track` on a small input (the real Parrot Remote ID capture, 124 reports)
  with stderr piped prints one plain progress line per 10 % (10 lines, the
  last "100 % (124 of 124 reports)"), nothing on stdout, and the same track
  file, byte for byte, as with -q (no progress, no summary) and with
  --log-level warn;
- on a terminal the same run draws a bar in place instead;
- `eval` prints its progress on stderr and the same stdout with and without -q;
- `sim` prints its parts' progress on a pipe, nothing with -q, the same files;
- `run` prints timestamped lines (UTC, level) and a status line every
  [run] status_period_s of wall time with reports/s, tracks, drops, latency,
  queue and data time (UTC, ISO 8601); none with status_period_s = 0.

  progress_test.py SKYFUSE SOURCE_DIR WORK_DIR
"""
import os
import pty
import re
import subprocess
import sys

skyfuse, source, work = [os.path.abspath(a) for a in sys.argv[1:4]]
os.makedirs(work, exist_ok=True)
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)


def run(*args, timeout=60):
    return subprocess.run([skyfuse, *args], capture_output=True, text=True, timeout=timeout)


config = os.path.join(work, "parrot.toml")
text = open(os.path.join(source, "config/parrot_remoteid.toml")).read()
open(config, "w").write(text.replace('"file:../', f'"file:{source}/'))

outs = {}
for name, flags in (("progress", []), ("quiet", ["-q"]), ("warn", ["--log-level", "warn"])):
    out = os.path.join(work, f"tracks_{name}.jsonl")
    r = run("track", "--config", config, "--out", out, *flags)
    outs[name] = (r, open(out, "rb").read() if os.path.exists(out) else b"")
r, tracks = outs["progress"]
lines = [l for l in r.stderr.splitlines() if re.match(r"skyfuse track: +\d+ % \(\d+ of \d+ reports\)$", l)]
check(r.returncode == 0 and len(lines) == 10 and lines[-1] == "skyfuse track: 100 % (124 of 124 reports)"
      and [int(re.search(r"(\d+) %", l).group(1)) for l in lines] == list(range(10, 101, 10)),
      f"track, stderr piped: 10 progress lines, 10 % to 100 %: {lines[0] if lines else None!r} ... "
      f"{lines[-1] if lines else None!r}")
check("\r" not in r.stderr and "track: 124 reports" in r.stderr, "no bar on a pipe; the summary follows")
check(all(o[0].stdout == "" for o in outs.values()), "nothing on stdout")
q = outs["quiet"][0]
check(q.returncode == 0 and q.stderr == "", f"-q: nothing on stderr ({len(q.stderr)} bytes)")
w = outs["warn"][0]
check(w.returncode == 0 and "%" not in w.stderr and "reports" not in w.stderr,
      "--log-level warn: no progress, no summary")
check(len(tracks) > 1000 and all(o[1] == tracks for o in outs.values()),
      f"track files byte-identical with and without progress ({len(tracks)} bytes)")
# On a terminal: a bar redrawn in place (carriage returns), ending full, then a newline.
master, slave = pty.openpty()
p = subprocess.run([skyfuse, "track", "--config", config, "--out", os.path.join(work, "tty.jsonl")],
                   stdout=subprocess.PIPE, stderr=slave, timeout=60)
os.close(slave)
tty = b""
while True:
    try:
        chunk = os.read(master, 65536)
    except OSError:
        break
    if not chunk:
        break
    tty += chunk
os.close(master)
tty = tty.decode(errors="replace")
check(p.returncode == 0 and "\rskyfuse track: [" in tty and
      "[##############################] 100 % (124 of 124 reports)\r\n" in tty and
      "  10 % (" not in tty and p.stdout == b"" and
      open(os.path.join(work, "tty.jsonl"), "rb").read() == tracks,
      "stderr a terminal: a bar redrawn in place, full at the end; no progress lines; same tracks")
bad = run("track", "--config", config, "--out", os.path.join(work, "x.jsonl"), "--log-level", "loud")
check(bad.returncode == 2 and "loud" in bad.stderr, "an unknown log level is a usage error")

# eval (the tracks scored against themselves: any file of states will do).
out = os.path.join(work, "tracks_progress.jsonl")
e1 = run("eval", "--truth", out, "--tracks", out)
e2 = run("eval", "--truth", out, "--tracks", out, "-q")
elines = [l for l in e1.stderr.splitlines() if re.match(r"skyfuse eval: +\d+ % \(\d+ of \d+ truth samples\)$", l)]
check(e1.returncode == 0 and len(elines) == 10 and e2.stderr == "" and e1.stdout == e2.stdout
      and "GOSPA" in e1.stdout, f"eval: 10 progress lines on stderr, the same stdout with -q "
      f"({elines[-1] if elines else None!r})")

# sim: its parts (the truth, then each sensor) as progress lines on a pipe,
# nothing with -q, the same outputs either way.
scenario = os.path.join(source, "scenarios/straight_line.toml")
s1 = run("sim", scenario, "--seed", "3", "--out", os.path.join(work, "sim_progress"))
s2 = run("sim", scenario, "--seed", "3", "--out", os.path.join(work, "sim_quiet"), "-q")
slines = [l for l in s1.stderr.splitlines() if re.match(r"skyfuse sim: +\d+ % \(\d+ of \d+ parts", l)]
pcts = [int(re.search(r"(\d+) %", l).group(1)) for l in slines]
same = all(open(os.path.join(work, "sim_progress", f), "rb").read() == open(os.path.join(work, "sim_quiet", f), "rb").read()
           for f in os.listdir(os.path.join(work, "sim_progress")) if f.endswith(".jsonl"))
check(s1.returncode == 0 and s2.returncode == 0 and len(slines) >= 2 and pcts == sorted(pcts) and pcts[-1] == 100
      and "\r" not in s1.stderr and s2.stderr == "" and same,
      f"sim: progress lines on a pipe up to 100 % ({slines[-1] if slines else None!r}), none with -q, "
      f"the same outputs")

# run: timestamped lines and the periodic status line.
stamp = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (info|warning|error|debug) +"
status_re = re.compile(stamp + r"status: (\d+) reports/s, (\d+) tracks, (\d+) drops, latency p50 "
                       r"[\d.]+ ms p99 [\d.]+ ms, queue \d+, data time (\S+)$")
for period, want in (("0.25", True), ("0", False)):
    cfg = os.path.join(work, f"run_{period}.toml")
    open(cfg, "w").write(open(config).read() + f"\n[run]\nstatus_period_s = {period}\n")
    r = run("run", "--config", cfg, "--http-port", "0", "--duration", "1.6", "--speed", "1", timeout=30)
    status = [m for m in (status_re.match(l) for l in r.stderr.splitlines()) if m]
    stamped = [l for l in r.stderr.splitlines() if re.match(stamp, l)]
    if want:
        check(r.returncode == 0 and len(status) >= 4 and all(
            m.group(5) == "none yet" or re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", m.group(5))
            for m in status) and
            any(int(m.group(2)) > 0 for m in status) and all(m.group(4) == "0" for m in status),
            f"run, status_period_s {period}: {len(status)} status lines, e.g. "
            f"{status[-1].group(0) if status else None!r}")
        check(len(stamped) >= len(status) + 2 and any("map at http://" in l for l in stamped),
              f"run: every line stamped with UTC time and level ({len(stamped)} lines)")
    else:
        check(r.returncode == 0 and not status and stamped, "run, status_period_s 0: no status line")
    check(r.stdout == "", "run: nothing on stdout")

sys.exit(1 if failures else 0)
