#!/usr/bin/env python3
"""The ASTERIX files `skyfuse sim` writes (CAT048+034 radars, CAT021+023
ADS-B, CAT020+019 MLAT, CAT015 drone radar) read by Wireshark's ASTERIX dissector (tshark): zero
malformed packets and expert errors, every record seen, and the positions
Wireshark prints equal to what skyfuse's own decoder reads. Skipped (exit 0,
message) when tshark is not installed."""
import json, os, shutil, subprocess, sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import asterix_pcap  # noqa: E402

skyfuse, root, work = sys.argv[1:4]
if not shutil.which("tshark"):
    print("tshark not installed: skipped"); sys.exit(0)
shutil.rmtree(work, ignore_errors=True); os.makedirs(work)
subprocess.run([skyfuse, "sim", os.path.join(root, "scenarios/demo_zurich.toml"), "--out", work], check=True, capture_output=True)
MAX_BLOCKS = 400
errors = []
checks = {"modes-holberg": ("048", "040_RHO", ("040", "RHO")), "ssr-ladole": ("048", "040_THETA", ("040", "THETA")),
          "psr-lszh": ("048", "040_RHO", ("040", "RHO")), "adsb-zurich": ("021", "131_LAT", ("131", "LAT")),
          "wam-lszh": ("020", "041_LAT", ("041", "LAT")),
          # Wireshark 4.0 knows CAT015 1.1; the items sim writes are unchanged in 1.2.
          "dronerad-lszh": ("015", "625_R_VALUE", ("625", "R"))}
for name, (cat, field, (item, sub)) in checks.items():
    blocks = asterix_pcap.split_blocks(open(os.path.join(work, name + ".ast"), "rb").read(), MAX_BLOCKS)
    raw = os.path.join(work, name + "_head.ast"); open(raw, "wb").write(b"".join(blocks))
    pcap = os.path.join(work, name + ".pcap"); asterix_pcap.write_pcap(blocks, pcap)
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
