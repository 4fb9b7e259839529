#!/usr/bin/env python3
"""Cuts the bundled real-traffic slice out of traffic's switzerland.json.gz.

Usage: tools/make_traffic_slice.py SRC.json.gz OUT.jsonl START_UNIX END_UNIX

Keeps the rows with START <= timestamp/1000 < END, one JSON object per line,
fields and values unchanged (OpenSky state vectors via xoolive/traffic, MIT).
"""
import gzip
import json
import sys


def main():
    src, out, start, end = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
    rows = json.load(gzip.open(src))
    keep = [r for r in rows if start <= r["timestamp"] / 1000 < end]
    keep.sort(key=lambda r: (r["timestamp"], r["icao24"]))
    with open(out, "w") as f:
        for r in keep:
            f.write(json.dumps(r, separators=(",", ":")) + "\n")
    print(f"{len(keep)} rows, {len({r['icao24'] for r in keep})} aircraft -> {out}")


if __name__ == "__main__":
    main()
