#!/usr/bin/env python3
"""Layout limits of issue #17: no hand-written file much over 800 lines, apps/ under 2,500.

  tools/layout_check.py [--max-file-lines N] [--max-apps-lines N]

Counts the lines of every C++, Python, JavaScript and shell file under src/,
apps/, tests/, bench/, fuzz/, python/, web/js, web/test, tools/ and scripts/, except
generated code (src/decode/asterix/generated/) and test data. Prints the
largest files and the apps/ total, and exits 1 if a file is over
--max-file-lines (850: "about 800") or apps/ over --max-apps-lines (2,500).
"""
import argparse, os, sys

ap = argparse.ArgumentParser()
ap.add_argument("--max-file-lines", type=int, default=850)
ap.add_argument("--max-apps-lines", type=int, default=2500)
args = ap.parse_args()
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
suffixes = (".cpp", ".hpp", ".h", ".py", ".js", ".mjs", ".ts", ".sh")
skip = ("node_modules", "generated", "data", "corpus", "dist")
counts = {}
for top in ("src", "apps", "tests", "bench", "fuzz", "python", os.path.join("web", "js"), os.path.join("web", "test"), "tools", "scripts"):
    for d, dirs, names in os.walk(os.path.join(root, top)):
        dirs[:] = [x for x in dirs if x not in skip]
        for n in names:
            if n.endswith(suffixes):
                p = os.path.join(d, n)
                with open(p, "rb") as f:
                    counts[os.path.relpath(p, root)] = f.read().count(b"\n")
apps = sum(v for k, v in counts.items() if k.startswith("apps" + os.sep))
largest = sorted(counts.items(), key=lambda kv: -kv[1])[:5]
print(f"{len(counts)} files; largest: " + ", ".join(f"{k} {v}" for k, v in largest) + f"; apps/ {apps} lines")
over = [f"{k} ({v} lines)" for k, v in counts.items() if v > args.max_file_lines]
bad = False
if over:
    print(f"over {args.max_file_lines} lines: " + ", ".join(over))
    bad = True
if apps > args.max_apps_lines:
    print(f"apps/ has {apps} lines, over {args.max_apps_lines}")
    bad = True
sys.exit(1 if bad else 0)
