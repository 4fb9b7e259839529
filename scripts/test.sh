#!/usr/bin/env bash
# Builds skyfuse with sanitizers (preset `ci`) and runs every test, then the
# Python module's test on a release build, then runs each fuzz target briefly. Expects scripts/setup.sh to have run.
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
  cmake --preset fuzz > /dev/null
  cmake --build --preset fuzz -j "$jobs"
  # One fuzzer per core at a time; each writes its verdict, tallied below.
  run_fuzz() {
    local target=$1 name=$2 seconds=$3 work=build/fuzz/corpus/$2
    mkdir -p "$work" build/fuzz/crashes
    if "$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
         -artifact_prefix=build/fuzz/crashes/"$name"- "$work" "fuzz/corpus/$name" > "build/fuzz/$name.log" 2>&1; then
      echo "fuzz $name: $(grep -o 'Done [0-9]* runs' "build/fuzz/$name.log" | tail -1), no crash" > "build/fuzz/$name.result"
    else
      echo "FAILED" > "build/fuzz/$name.result"
    fi
  }
  rm -f build/fuzz/*.result
  names=()
  for target in build/fuzz/fuzz/*_fuzz; do
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
    if grep -q "no crash" "build/fuzz/$name.result" 2>/dev/null; then
      cat "build/fuzz/$name.result"
      pass=$((pass + 1))
    else
      echo "fuzz $name: FAILED"; tail -30 "build/fuzz/$name.log"
      fail=$((fail + 1))
    fi
  done
  echo "fuzz: $pass passed, $fail failed"
  [ "$fail" -eq 0 ]
fi
