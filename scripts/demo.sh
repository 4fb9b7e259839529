#!/usr/bin/env bash
# The main job on bundled real data: `skyfuse run` with its live map at
# http://localhost:8080 (Ctrl-C stops). It replays, at real time and in a loop:
#   * simulated radars (Mode S, SSR, PSR), ADS-B, multilateration, a drone radar
#     and Remote ID over 30 minutes of real Swiss traffic (OpenSky state
#     vectors, data/traffic/), made here by `skyfuse sim scenarios/demo_zurich.toml`;
#   * the real Beast recording of a receiver near St Petersburg (data/adsb/).
# Everything is tracked into one air picture with safety nets (STCA, area
# proximity, emergency codes, drones in the LSZH airport zone) and recorded to
# out/demo/recording/ (replay: build/release/skyfuse replay out/demo/recording).
# Expects scripts/setup.sh to have run.
#   SKYFUSE_NO_SERVE=1  build, simulate, run once as fast as possible, then exit
set -euo pipefail
cd "$(dirname "$0")/.."
echo "Building the skyfuse binary and its Python module (release; only what the demo and import skyfuse need, a few minutes the first time)..."
cmake --preset release > /dev/null
cmake --build --preset release -j "$(nproc)" --target skyfuse skyfuse_python
[ -f web/node_modules/ol/dist/ol.js ] || npm ci --prefix web --no-audit --no-fund --loglevel=error
bin=build/release/skyfuse
# Registrations and types for the map (scripts/setup.sh makes it from Debian's dump1090 package).
db=()
[ -s /usr/local/share/skyfuse/aircraft.csv ] && db=(--aircraft-db /usr/local/share/skyfuse/aircraft.csv)
echo "Simulating the radars and receivers over 30 minutes of real Swiss traffic (out/demo/sim)..."
"$bin" sim scenarios/demo_zurich.toml --seed 1 --out out/demo/sim > /dev/null
echo
if [ "${SKYFUSE_NO_SERVE:-0}" = 1 ]; then
  "$bin" run --config config/demo_run.toml "${db[@]}" --speed 0 --once --exit-at-end --http-port 0 \
    --tracks-out out/demo/tracks.jsonl --alerts-out out/demo/alerts.jsonl
  echo "tracks: out/demo/tracks.jsonl, alerts: out/demo/alerts.jsonl, recording: out/demo/recording/"
  exit 0
fi
echo "Live map: http://localhost:8080 (Ctrl-C stops)"
exec "$bin" run --config config/demo_run.toml "${db[@]}"
