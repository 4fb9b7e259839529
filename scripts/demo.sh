#!/usr/bin/env bash
# The main job on bundled real data, until the live system lands: simulate the
# Zurich scenario (30 min of real OpenSky traffic, three radars, ADS-B, WAM,
# drones), score the ADS-B feed against the truth, and serve the HTML report
# at http://localhost:8080 (Ctrl-C stops). Expects scripts/setup.sh to have run.
#   SKYFUSE_NO_SERVE=1  build, simulate and evaluate, then exit
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset release > /dev/null
cmake --build --preset release -j "$(nproc)"
bin=build/release/skyfuse
out=out/demo
"$bin" sim scenarios/demo_zurich.toml --seed 1 --out "$out"
echo
echo "ADS-B feed scored against the truth (docs/metrics.md):"
"$bin" eval --truth "$out/truth.jsonl" --tracks "$out/adsb-zurich.jsonl" --report "$out/report"
if [ "${SKYFUSE_NO_SERVE:-0}" = 1 ]; then
  echo "report: $out/report/index.html"
  exit 0
fi
echo
echo "Serving the report at http://localhost:8080 (Ctrl-C to stop)"
exec python3 -m http.server 8080 --bind 127.0.0.1 --directory "$out/report"
