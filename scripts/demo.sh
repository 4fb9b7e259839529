#!/usr/bin/env bash
# The main job on bundled real data, until the live system lands: simulate the
# Zurich scenario (30 min of real OpenSky traffic, three radars, ADS-B, WAM,
# drones), track all seven feeds into one air picture, score the tracks
# against the truth, track the real Beast recording, and serve the HTML report
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
echo "Tracking all seven sensors (docs/tracking.md):"
"$bin" track --config "$out/sensors.toml" --out "$out/tracks.jsonl"
echo
echo "System tracks scored against the truth (docs/metrics.md):"
"$bin" eval --truth "$out/truth.jsonl" --tracks "$out/tracks.jsonl" --report "$out/report"
echo
echo "The real Beast recording (data/adsb/), decoded and tracked:"
"$bin" track --config config/ulss7_beast.toml --out "$out/ulss7_tracks.jsonl"
if [ "${SKYFUSE_NO_SERVE:-0}" = 1 ]; then
  echo "report: $out/report/index.html"
  exit 0
fi
echo
echo "Serving the report at http://localhost:8080 (Ctrl-C to stop)"
exec python3 -m http.server 8080 --bind 127.0.0.1 --directory "$out/report"
