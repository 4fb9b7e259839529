#!/usr/bin/env bash
# Builds skyfuse with clang and sanitizers (preset `ci`, which also builds the
# libFuzzer targets in the same tree: one build, not two), runs every test,
# then runs each fuzz target briefly on its kept corpus. Expects
# scripts/setup.sh to have run.
#   FUZZ_SECONDS=N   seconds per fuzz target (default 15; 0 skips fuzzing)
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
# The web map's packages, exactly as package-lock.json pins them (npm registry).
npm ci --prefix web --no-audit --no-fund --loglevel=error
cmake --preset ci
cmake --build --preset ci -j "$jobs"
ctest --preset ci
# The Python module (python/) is not built by the ci preset (a sanitized module
# cannot be loaded into python3); its test, python.module, runs on the release
# build: `cmake --build --preset release && ctest --preset release -L python`
# (not here: a second full build would take CI past its 40-minute budget).

fuzz_seconds=${FUZZ_SECONDS:-15}
if [ "$fuzz_seconds" -gt 0 ]; then
  # One fuzzer per core at a time; each writes its verdict, tallied below.
  run_fuzz() {
    local target=$1 name=$2 seconds=$3 work=$out/corpus/$2
    mkdir -p "$work" "$out/crashes"
    if "$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
         -artifact_prefix="$out/crashes/$name-" "$work" "fuzz/corpus/$name" > "$out/$name.log" 2>&1; then
      echo "fuzz $name: $(grep -o 'Done [0-9]* runs' "$out/$name.log" | tail -1), no crash" > "$out/$name.result"
    else
      echo "FAILED" > "$out/$name.result"
    fi
  }
  out=build/ci/fuzz-runs
  mkdir -p "$out"
  rm -f "$out"/*.result
  names=()
  for target in build/ci/fuzz/*_fuzz; do
    name=$(basename "$target" _fuzz)
    seconds=$fuzz_seconds
    case $name in asterix_*|remoteid_*) seconds=$(( (fuzz_seconds + 1) / 2 )) ;; esac  # 17 + 14 of them (per category, framing, link layer)
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
    run_fuzz "$target" "$name" "$seconds" &
    names+=("$name")
  done
  wait
  pass=0 fail=0
  for name in "${names[@]}"; do
    if grep -q "no crash" "$out/$name.result" 2>/dev/null; then
      cat "$out/$name.result"
      pass=$((pass + 1))
    else
      echo "fuzz $name: FAILED"; tail -30 "$out/$name.log"
      fail=$((fail + 1))
    fi
  done
  echo "fuzz: $pass passed, $fail failed"
  [ "$fail" -eq 0 ]
fi
