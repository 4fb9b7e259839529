#!/usr/bin/env python3
"""Converts dump1090's aircraft database (the JSON folder its web page ships,
`html/db/`: files named by the first hex digits of an address, each mapping
the remaining digits to {"r": registration, "t": type}, with "children"
naming deeper files) into readsb's / tar1090-db's aircraft.csv layout
(`hex;registration;type;flags;description;year;owner_operator;`), which
`skyfuse run --aircraft-db` and `[run] aircraft_db` read (docs/api.md).

scripts/setup.sh runs it on Debian's dump1090-mutability package.

Usage: aircraft_db_from_dump1090.py DB_DIR OUT.csv
"""
import json, os, re, sys

src, out = sys.argv[1:3]
rows, bad = {}, 0
for name in sorted(os.listdir(src)):
    m = re.fullmatch(r"([0-9A-Fa-f]{1,6})\.json", name)
    if not m: continue
    with open(os.path.join(src, name), encoding="utf-8") as f:
        data = json.load(f)
    for rest, v in data.items():
        if rest == "children": continue
        hexid = (m.group(1) + rest).lower()
        if not re.fullmatch(r"[0-9a-f]{6}", hexid) or not isinstance(v, dict):
            bad += 1
            continue
        field = lambda k: str(v.get(k) or "").replace(";", " ").replace("\n", " ").strip()
        if field("r") or field("t"):
            rows[hexid] = f"{hexid};{field('r')};{field('t')};;;;;"
with open(out, "w", encoding="utf-8") as f:
    for h in sorted(rows): f.write(rows[h] + "\n")
print(f"{out}: {len(rows)} aircraft from {src}" + (f" ({bad} bad entries skipped)" if bad else ""))
