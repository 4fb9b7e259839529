#!/usr/bin/env python3
"""tools/asterix_ast2json.py against asterix-specs' own generated JSON: every
category edition in specs/asterix that has both its .ast source and the
published .json must convert to exactly that JSON; the CAT015/CAT016 JSON in
the tree must be what the converter makes of their .ast now.

Usage: asterix_ast2json_test.py SOURCE_DIR
"""
import glob
import json
import os
import sys

SRC = sys.argv[1]
sys.path.insert(0, os.path.join(SRC, "tools"))
import asterix_ast2json  # noqa: E402

pairs = 0
failures = []
for ast in sorted(glob.glob(os.path.join(SRC, "specs/asterix/cat*/cat*.ast"))):
    js = ast[:-4] + ".json"
    if not os.path.exists(js):
        failures.append(f"{ast}: no JSON beside it")
        continue
    mine = asterix_ast2json.convert(open(ast, encoding="utf-8").read())
    ref = json.load(open(js, encoding="utf-8"))
    if mine != ref:
        failures.append(f"{os.path.basename(ast)}: converted JSON differs from {os.path.basename(js)}")
    pairs += 1
print(f"{pairs} .ast/.json pairs compared")
if pairs < 20:
    failures.append("too few pairs: the specs directory is not being read")
for f in failures:
    print("FAIL", f)
sys.exit(1 if failures else 0)
