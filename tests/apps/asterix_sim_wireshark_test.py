#!/usr/bin/env python3
"""The ASTERIX files `skyfuse sim` writes (CAT048+034 radars, CAT021+023
ADS-B, CAT020+019 MLAT) read by Wireshark's ASTERIX dissector (tshark): zero
malformed packets and expert errors, every record seen, and the positions
Wireshark prints equal to what skyfuse's own decoder reads. Skipped (exit 0,
message) when tshark is not installed."""
import json, os, shutil, struct, subprocess, sys
skyfuse, root, work = sys.argv[1:4]
if not shutil.which("tshark"):
    print("tshark not installed: skipped"); sys.exit(0)
shutil.rmtree(work, ignore_errors=True); os.makedirs(work)
subprocess.run([skyfuse, "sim", os.path.join(root, "scenarios/demo_zurich.toml"), "--out", work], check=True, capture_output=True)
MAX_BLOCKS = 400
def to_pcap(blocks, path):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for k, b in enumerate(blocks):
            udp = struct.pack(">HHHH", 40000, 8600, 8 + len(b), 0) + b
            ip = bytearray(struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), k & 0xFFFF, 0, 64, 17, 0, bytes([127, 0, 0, 1]), bytes([127, 0, 0, 1])))
            s = sum(struct.unpack(">10H", bytes(ip))); s = (s & 0xFFFF) + (s >> 16); s = (s & 0xFFFF) + (s >> 16)
            ip[10:12] = struct.pack(">H", ~s & 0xFFFF)
            frame = bytes(12) + b"\x08\x00" + bytes(ip) + udp
            f.write(struct.pack("<IIII", 1700000000 + k, 0, len(frame), len(frame)) + frame)
errors = []
checks = {"modes-holberg": ("048", "040_RHO", ("040", "RHO")), "ssr-ladole": ("048", "040_THETA", ("040", "THETA")),
          "psr-lszh": ("048", "040_RHO", ("040", "RHO")), "adsb-zurich": ("021", "131_LAT", ("131", "LAT")),
          "wam-lszh": ("020", "041_LAT", ("041", "LAT"))}
for name, (cat, field, (item, sub)) in checks.items():
    data = open(os.path.join(work, name + ".ast"), "rb").read()
    blocks, i = [], 0
    while i + 3 <= len(data) and len(blocks) < MAX_BLOCKS:
        n = struct.unpack(">H", data[i + 1:i + 3])[0]; blocks.append(data[i:i + n]); i += n
    raw = os.path.join(work, name + "_head.ast"); open(raw, "wb").write(b"".join(blocks))
    pcap = os.path.join(work, name + ".pcap"); to_pcap(blocks, pcap)
    t = lambda *a: subprocess.run(["tshark", "-r", pcap, *a], check=True, capture_output=True, text=True).stdout
    bad = t("-Y", "_ws.malformed || _ws.expert.severity==error", "-T", "fields", "-e", "frame.number").split()
    if bad: errors.append(f"{name}: malformed frames {bad[:5]}")
    ws = [float(x) for x in t("-T", "fields", "-e", f"asterix.{cat}_{field}").replace(",", "\n").split()]
    ours = [json.loads(l)["items"][item][sub] for l in subprocess.run([skyfuse, "decode", "--format", "asterix", raw], check=True, capture_output=True, text=True).stdout.splitlines() if json.loads(l)["cat"] == int(cat)]
    if len(ws) != len(ours): errors.append(f"{name}: tshark {len(ws)} values, skyfuse {len(ours)}")
    elif ours and max(abs(a - b) for a, b in zip(ws, ours)) > 1e-6: errors.append(f"{name}: {field} differs")
    cats = sorted(set(t("-T", "fields", "-e", "asterix.category").replace(",", "\n").split()))
    print(f"{name}: {len(blocks)} blocks, categories {cats}, {len(ws)} {cat}/{field} values equal, {len(bad)} malformed")
for e in errors: print("FAIL:", e)
sys.exit(1 if errors else 0)
