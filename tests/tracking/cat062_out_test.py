#!/usr/bin/env python3
"""`skyfuse track --asterix-out`: the CAT062 file holds one record per track
update, and each record says what the JSON Lines line says: track number,
position within one LSB (180/2^25 deg), velocity within one LSB (0.25 m/s),
TSE exactly on deleted updates, CST on coasting ones. Read back with skyfuse's
spec-driven decoder and, when tshark is installed, with Wireshark's ASTERIX
dissector (zero malformed packets, same positions)."""
import json, os, shutil, subprocess, sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import asterix_pcap  # noqa: E402

skyfuse, root, work = sys.argv[1:4]
shutil.rmtree(work, ignore_errors=True); os.makedirs(work)
subprocess.run([skyfuse, "sim", os.path.join(root, "scenarios/pairs.toml"), "--out", work], check=True, capture_output=True)
tracks, ast = os.path.join(work, "tracks.jsonl"), os.path.join(work, "tracks.ast")
subprocess.run([skyfuse, "track", "--config", os.path.join(work, "sensors.toml"), "--out", tracks, "--asterix-out", ast, "--quiet"], check=True)
lines = [json.loads(l) for l in open(tracks)]
dec = subprocess.run([skyfuse, "decode", "--format", "asterix", ast], check=True, capture_output=True, text=True).stdout.splitlines()
recs = [json.loads(l) for l in dec]
errors = []
if len(recs) != len(lines): errors.append(f"{len(recs)} records for {len(lines)} track updates")
lsb = 180.0 / 2**25
for j, r in zip(lines, recs):
    it = r["items"]
    if int(j["id"]) & 0xFFFF != it["040"]: errors.append(f"track number {j['id']} != {it['040']}"); break
    if abs(it["105"]["LAT"] - j["lat_deg"]) > lsb or abs(it["105"]["LON"] - j["lon_deg"]) > lsb:
        errors.append(f"position {it['105']} != {j['lat_deg']},{j['lon_deg']}"); break
    if abs(it["185"]["VX"] - j["ve_mps"]) > 0.25 or abs(it["185"]["VY"] - j["vn_mps"]) > 0.25:
        errors.append(f"velocity {it['185']} != {j['ve_mps']},{j['vn_mps']}"); break
    if (it["080"]["TSE"] == 1) != (j["status"] == "deleted"): errors.append(f"TSE wrong for {j}"); break
    if (it["080"]["CST"] == 1) != (j["status"] == "coasting"): errors.append(f"CST wrong for {j}"); break
    if "icao24" in j and it.get("380", {}).get("ADR") != int(j["icao24"], 16): errors.append(f"ADR wrong for {j}"); break
print(f"{len(recs)} CAT062 records for {len(lines)} track updates")
if shutil.which("tshark"):
    blocks = asterix_pcap.split_blocks(open(ast, "rb").read())
    pcap = os.path.join(work, "tracks.pcap")
    asterix_pcap.write_pcap(blocks, pcap)
    def tshark(*args):
        return subprocess.run(["tshark", "-r", pcap, *args], check=True, capture_output=True, text=True).stdout
    malformed = tshark("-Y", "_ws.malformed || _ws.expert.severity==error", "-T", "fields", "-e", "frame.number").split()
    if malformed: errors.append(f"tshark: malformed frames {malformed[:10]}")
    lats = [float(x) for x in tshark("-T", "fields", "-e", "asterix.062_105_LAT").replace(",", "\n").split()]
    if len(lats) != len(recs): errors.append(f"tshark shows {len(lats)} positions, expected {len(recs)}")
    elif max(abs(a - r["items"]["105"]["LAT"]) for a, r in zip(lats, recs)) > 1e-6:
        errors.append("tshark latitudes differ")
    print(f"tshark: {len(blocks)} packets, {len(lats)} positions, {len(malformed)} malformed")
else:
    print("tshark not installed: Wireshark check skipped")
for e in errors: print("FAIL:", e)
sys.exit(1 if errors else 0)
