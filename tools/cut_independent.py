#!/usr/bin/env python3
"""Cut the first N seconds of an independent scenario (../shared/data/scenarios/*)
into a small copy for a CTest: whole ASTERIX data blocks whose records all lie
before the cut (the per-record time of day comes from the scenario's own
meas/*.csv.gz, which lists each record's data block), the truth lines before
it, sensors.json, objects.json and the README unchanged.

  tools/cut_independent.py ../shared/data/scenarios/independent-ch-20min \
      tests/data/independent/ch-20min-cut 300
"""
import csv
import gzip
import json
import os
import shutil
import sys


def main():
    src, dst, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    os.makedirs(dst, exist_ok=True)
    sensors = json.load(open(os.path.join(src, "sensors.json")))
    t0 = sensors["window_unix"][0]
    day = sensors["utc_day_start_unix"]
    cut_tod = t0 - day + seconds
    for s in sensors["sensors"]:
        name = s["file"]
        meas = os.path.join(src, "meas", name.replace(".ast", ".csv.gz"))
        last_block = {}
        with gzip.open(meas, "rt") as f:
            for row in csv.DictReader(f):
                b = int(row["block"])
                last_block[b] = max(last_block.get(b, 0), float(row["tod_s"]))
        keep = 0
        while keep in last_block and last_block[keep] < cut_tod:
            keep += 1
        data = open(os.path.join(src, name), "rb").read()
        out, pos, n = bytearray(), 0, 0
        while pos + 3 <= len(data) and n < keep:
            length = int.from_bytes(data[pos + 1:pos + 3], "big")
            if length < 3:
                raise SystemExit(f"{name}: bad block at {pos}")
            out += data[pos:pos + length]
            pos += length
            n += 1
        open(os.path.join(dst, name), "wb").write(out)
        print(f"{name}: {n} blocks, {len(out)} bytes")
    with gzip.open(os.path.join(src, "truth.jsonl.gz"), "rt") as f, \
            gzip.open(os.path.join(dst, "truth.jsonl.gz"), "wt", compresslevel=9) as g:
        lines = 0
        for line in f:
            if json.loads(line)["time"] < t0 + seconds:
                g.write(line)
                lines += 1
    print(f"truth: {lines} lines")
    for name in ("sensors.json", "objects.json", "README.txt"):
        shutil.copy(os.path.join(src, name), os.path.join(dst, name))


if __name__ == "__main__":
    main()
