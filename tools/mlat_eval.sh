#!/usr/bin/env bash
# Leave-one-aircraft-out evaluation of skyfuse mlat on the LocaRDS sets 1-6
# (docs/mlat.md): builds bench/mlat_eval (release preset) and prints the
# Markdown tables, causal and with a 30 s look-ahead.
#   tools/mlat_eval.sh [DATA_DIR]     (default ../shared/data/adsb/locards-mpyc)
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data/adsb/locards-mpyc}
[ -d "$data" ] || data=/work/shared/data/adsb/locards-mpyc
cmake --build --preset release --target mlat_eval > /dev/null
sets=("$data"/set_{1,2,3,4,5,6}.csv)
echo "Causal (each row located with the references before it):"
build/release/bench/mlat_eval --receivers "$data/sensors.csv" "${sets[@]}"
echo
echo "30 s look-ahead (skyfuse mlat's default):"
build/release/bench/mlat_eval --receivers "$data/sensors.csv" --lookahead 30 "${sets[@]}"
