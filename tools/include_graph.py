#!/usr/bin/env python3
"""Include cycles: the graph of `#include "..."` between our files, and between stages.

  tools/include_graph.py [--stages]

Reads every .hpp/.cpp under src/ and apps/ (generated code included), resolves
each quoted include against src/ and the project root, and looks for cycles
(Tarjan's strongly connected components) among files and among stages (a
stage is src/<dir>, with src/decode/<dir> its own stage, or apps). Prints each
cycle found and exits 1 if there is one; --stages also prints the stage graph.
"""
import os, re, sys
from collections import defaultdict

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
include = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def stage(path):
    parts = os.path.relpath(path, root).split(os.sep)
    if parts[0] == "apps": return "apps"
    if parts[1] == "decode" and len(parts) > 3: return "decode_" + parts[2]
    return parts[1]


files = []
for top in ("src", "apps"):
    for d, _, names in os.walk(os.path.join(root, top)):
        files += [os.path.join(d, n) for n in names if n.endswith((".hpp", ".cpp", ".h"))]

edges = defaultdict(set)
for f in files:
    for inc in include.findall(open(f, encoding="utf-8", errors="replace").read()):
        for base in (os.path.join(root, "src"), root, os.path.dirname(f)):
            target = os.path.normpath(os.path.join(base, inc))
            if os.path.isfile(target):
                edges[f].add(target)
                break


def cycles(nodes, succ):
    """Strongly connected components with more than one node, or a self loop."""
    index, low, on, stack, out, counter = {}, {}, set(), [], [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in succ.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v: break
            if len(comp) > 1 or v in succ.get(v, ()): out.append(sorted(comp))

    sys.setrecursionlimit(100000)
    for v in nodes:
        if v not in index: visit(v)
    return out


stage_edges = defaultdict(set)
for f, ts in edges.items():
    for t in ts:
        if stage(f) != stage(t): stage_edges[stage(f)].add(stage(t))

bad = False
for comp in cycles(files, edges):
    bad = True
    print("file include cycle:", " -> ".join(os.path.relpath(c, root) for c in comp))
for comp in cycles(sorted(stage_edges), stage_edges):
    bad = True
    print("stage include cycle:", " <-> ".join(comp))
if "--stages" in sys.argv:
    for s in sorted(stage_edges): print(f"{s} -> {', '.join(sorted(stage_edges[s]))}")
n_edges = sum(len(v) for v in edges.values())
print(f"{len(files)} files, {n_edges} includes, {len(stage_edges)} stages with includes: "
      f"{'CYCLES' if bad else 'no cycle'}")
sys.exit(1 if bad else 0)
