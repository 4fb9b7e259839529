#!/usr/bin/env bash
# Builds skyfuse with sanitizers (preset `ci`) and runs every test, then runs
# each fuzz target briefly. Expects scripts/setup.sh to have run.
#   FUZZ_SECONDS=N   seconds per fuzz target (default 15; 0 skips fuzzing)
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
# The web map's packages, exactly as package-lock.json pins them (npm registry).
npm ci --prefix web --no-audit --no-fund --loglevel=error
cmake --preset ci
cmake --build --preset ci -j "$jobs"
ctest --preset ci

fuzz_seconds=${FUZZ_SECONDS:-15}
if [ "$fuzz_seconds" -gt 0 ]; then
  cmake --preset fuzz > /dev/null
  cmake --build --preset fuzz -j "$jobs"
  pass=0 fail=0
  for target in build/fuzz/fuzz/*_fuzz; do
    name=$(basename "$target" _fuzz)
    work=build/fuzz/corpus/$name
    mkdir -p "$work" build/fuzz/crashes
    seconds=$fuzz_seconds
    case $name in asterix_cat*) seconds=$(( (fuzz_seconds + 1) / 2 )) ;; esac  # ten of them
    if "$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
         -artifact_prefix=build/fuzz/crashes/"$name"- "$work" "fuzz/corpus/$name" > "build/fuzz/$name.log" 2>&1; then
      echo "fuzz $name: $(grep -o 'Done [0-9]* runs' "build/fuzz/$name.log" | tail -1), no crash"
      pass=$((pass + 1))
    else
      echo "fuzz $name: FAILED"; tail -30 "build/fuzz/$name.log"
      fail=$((fail + 1))
    fi
  done
  echo "fuzz: $pass passed, $fail failed"
  [ "$fail" -eq 0 ]
fi
