#!/usr/bin/env python3
"""`skyfuse export` (issue #21): a recording's ASTERIX inputs as pcap and FINAL.

A run records two sensors: a radar reading tests/data/asterix/sim_cat048_034.ast
(150 CAT048/034 data blocks) and a Beast receiver (data/adsb/sample_dump1090.bin).
Then:
  * export --format pcap / final, read back by `skyfuse decode --format pcap /
    final`: the same records, in the same order, as decoding the source file
    (offsets apart: they are positions in each container);
  * the pcap is walked here byte by byte: classic header, Ethernet/IPv4/UDP,
    IPv4 header checksums (RFC 791, computed here), one datagram per block, the
    documented ports; the FINAL frames' day and 1/100 s time of day equal the
    pcap's time stamps of the same packets;
  * --from/--to keep exactly the packets whose time stamps fall in [from, to);
  * the Beast packets are skipped and counted;
  * tshark (if installed) decodes every datagram as ASTERIX, no malformed frame.

Usage: export_test.py SKYFUSE SOURCE_DIR WORK_DIR
"""
import datetime, json, os, shutil, struct, subprocess, sys

skyfuse, root, work = (os.path.abspath(a) for a in sys.argv[1:4])
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
src = os.path.join(root, "tests/data/asterix/sim_cat048_034.ast")
config = os.path.join(work, "export.toml")
with open(config, "w") as f:
    f.write(f'''[tracker]
origin_lat_deg = 47.46
origin_lon_deg = 8.55

[[sensor]]
name = "radar"
kind = "mode_s"
sac = 20
sic = 1
lat_deg = 47.472
lon_deg = 8.503
alt_m = 610
rotation_period_s = 4
max_range_m = 250000
sigma_range_m = 30
sigma_azimuth_deg = 0.05
input = "file:{src}"
format = "asterix"
start_unix = 1533123000

[[sensor]]
name = "beast"
kind = "adsb"
lat_deg = 43.6
lon_deg = 1.4
input = "file:{os.path.join(root, "data/adsb/sample_dump1090.bin")}"
format = "beast"
clock_group = "beast"
start_unix = 1533123000
''')
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL:", msg)


def sh(*args):
    r = subprocess.run([skyfuse, *args], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"FAIL: skyfuse {' '.join(args)}: exit {r.returncode}\n{r.stderr}")
    return r


rec = os.path.join(work, "rec")
# At 100x real time: the radar's blocks arrive milliseconds apart.
sh("run", "--config", config, "--speed", "100", "--exit-at-end", "--http-port", "0", "--record", rec, "--quiet")


def records(fmt, path):  # decoded records without their container offsets
    out = []
    for line in sh("decode", "--format", fmt, path).stdout.splitlines():
        j = json.loads(line)
        j.pop("offset", None)
        out.append(j)
    return out


want = records("asterix", src)
pcap, ff = os.path.join(work, "rec.pcap"), os.path.join(work, "rec.ff")
log = sh("export", "--format", "pcap", rec, pcap).stderr
print(log.strip())
check('sensor "beast" (beast):' in log and "skipped (not ASTERIX)" in log, "Beast packets not reported as skipped")
sh("export", "--format", "final", rec, ff)
check(records("pcap", pcap) == want, f"pcap: decode gives other records than the source ({len(want)})")
check(records("final", ff) == want, f"FINAL: decode gives other records than the source ({len(want)})")


def read_pcap(path):
    data = open(path, "rb").read()
    magic, vmaj, vmin, _, _, snap, link = struct.unpack("<IHHiIII", data[:24])
    check((magic, vmaj, vmin, link) == (0xA1B2C3D4, 2, 4, 1), f"pcap header {magic:x} {vmaj}.{vmin} link {link}")
    pos, pkts = 24, []
    while pos < len(data):
        sec, usec, incl, orig = struct.unpack("<IIII", data[pos:pos + 16])
        frame = data[pos + 16:pos + 16 + incl]
        pos += 16 + incl
        check(incl == orig == len(frame), "pcap record length")
        check(frame[12:14] == b"\x08\x00", "not IPv4")
        ip = frame[14:34]
        words = struct.unpack(">10H", ip)
        s = sum(words)
        while s >> 16: s = (s & 0xFFFF) + (s >> 16)
        check(s == 0xFFFF, "IPv4 header checksum wrong")
        check(ip[9] == 17 and struct.unpack(">H", ip[2:4])[0] == len(frame) - 14, "IPv4 length/protocol")
        sport, dport, ulen, _ = struct.unpack(">HHHH", frame[34:42])
        check(ulen == len(frame) - 34, "UDP length")
        pkts.append((sec + usec / 1e6, bytes(ip[12:16]), dport, frame[42:]))
    return pkts


pkts = read_pcap(pcap)
blocks = []
i, raw = 0, open(src, "rb").read()
while i < len(raw):
    n = struct.unpack(">H", raw[i + 1:i + 3])[0]
    blocks.append(raw[i:i + n])
    i += n
check([p[3] for p in pkts] == blocks, f"pcap payloads are not the {len(blocks)} source blocks, one per datagram")
check(all(p[1] == bytes([10, 1, 20, 1]) and p[2] == 8600 for p in pkts), "source 10.1.SAC.SIC / port 8600")
times = [p[0] for p in pkts]
check(all(b >= a for a, b in zip(times, times[1:])), "time stamps go back")
# FINAL: frame headers against the pcap time stamps of the same packets.
data, pos, k = open(ff, "rb").read(), 0, 0
while pos < len(data) and k < len(pkts):
    n, board, line, day = struct.unpack(">HBBB", data[pos:pos + 5])
    tod = int.from_bytes(data[pos + 5:pos + 8], "big")
    utc = datetime.datetime.fromtimestamp(pkts[k][0], datetime.timezone.utc)
    cs = round((pkts[k][0] % 86400) * 100)
    check(data[pos + n - 4:pos + n] == b"\xa5" * 4 and board == 0 and line == 1, f"FINAL frame {k}")
    check(day == utc.day and abs(tod - cs) <= 1, f"FINAL frame {k}: day {day} time {tod}, pcap {utc}")
    check(data[pos + 8:pos + n - 4] == pkts[k][3], f"FINAL frame {k} payload")
    pos, k = pos + n, k + 1
check(k == len(pkts) and pos == len(data), f"FINAL: {k} frames, pcap {len(pkts)}")
# A window: [from, to) on the time stamps, cut in the middle of gaps between
# packets (a pcap time stamp is truncated to the microsecond).
def cut(j):
    while j < len(times) - 1 and times[j] - times[j - 1] < 1e-4: j += 1
    return j, (times[j - 1] + times[j]) / 2
j1, lo = cut(len(times) // 4)
j2, hi = cut(3 * len(times) // 4)
win = os.path.join(work, "win.pcap")
sh("export", "--format", "pcap", "--from", repr(lo), "--to", repr(hi), rec, win)
got = read_pcap(win)
check(0 < len(got) < len(pkts) and [g[3] for g in got] == [p[3] for p in pkts[j1:j2]],
      f"window: {len(got)} packets, expected {j2 - j1} (packets {j1} to {j2 - 1})")
print(f"{len(pkts)} datagrams, {k} FINAL frames, {len(want)} records equal; window {len(got)}")
if shutil.which("tshark"):
    t = lambda *a: subprocess.run(["tshark", "-r", pcap, *a], check=True, capture_output=True, text=True).stdout
    bad = t("-Y", "_ws.malformed || _ws.expert.severity==error", "-T", "fields", "-e", "frame.number").split()
    cats = t("-T", "fields", "-e", "asterix.category").split()
    print(f"tshark: {len(cats)} datagrams with ASTERIX, {len(bad)} malformed")
    check(not bad, f"tshark: malformed frames {bad[:5]}")
    check(len(cats) == len(pkts), f"tshark decoded {len(cats)} of {len(pkts)} datagrams as ASTERIX")
    check({c.split(",")[0] for c in cats} <= {"48", "34"}, f"tshark categories {set(cats)}")
else:
    print("tshark not installed: its check skipped")
print("OK" if not failures else f"{len(failures)} failures")
sys.exit(1 if failures else 0)
