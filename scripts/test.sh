#!/usr/bin/env bash
# Builds skyfuse with clang and sanitizers (preset `ci`, which also builds the
# libFuzzer targets in the same tree: one build, not two), runs every test,
# then runs each fuzz target briefly on its kept corpus. Expects
# scripts/setup.sh to have run.
#   FUZZ_SECONDS=N   seconds per fuzz target (default 10, half for the 31
#                    ASTERIX and Remote ID layers; 0 skips fuzzing)
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
# The web map's packages, exactly as package-lock.json pins them (npm registry).
npm ci --prefix web --no-audit --no-fund --loglevel=error
cmake --preset ci
cmake --build --preset ci -j "$jobs"
ctest --preset ci
# The Python module (python/, issue #21): a sanitized module cannot be loaded
# into python3, so it is built in the release tree (the module and the binary
# its tests compare with, not every test and benchmark: about 7 minutes on 2
# cores) and its tests run there; then `import skyfuse` from another directory,
# as scripts/setup.sh's .pth file makes it work for the user who ran it.
cmake --preset release > /dev/null
cmake --build --preset release -j "$jobs" --target skyfuse skyfuse_python
ctest --preset release -L python
(cd / && python3 -c "import skyfuse; print('python3: import skyfuse', skyfuse.__version__, 'from', skyfuse.__file__)")
# README command 1's main job without serving the map (scripts/demo.sh with
# SKYFUSE_NO_SERVE=1): it must build nothing beyond the binary and the module just
# built (issue #21: it once built every test and benchmark first), read setup.sh's
# aircraft database, and write tracks and alerts.
rm -rf out/demo
if ! SKYFUSE_NO_SERVE=1 ./scripts/demo.sh > build/release/demo.log 2>&1; then
  tail -30 build/release/demo.log; echo "demo: FAILED"; exit 1
fi
grep -q "ninja: no work to do" build/release/demo.log || { echo "demo: it built more than skyfuse and skyfuse_python"; exit 1; }
grep -q "aircraft database .*: [0-9]* aircraft" build/release/demo.log || { echo "demo: no aircraft database"; exit 1; }
[ -s out/demo/tracks.jsonl ] && [ -s out/demo/alerts.jsonl ] || { echo "demo: no tracks or alerts"; exit 1; }
echo "demo: $(wc -l < out/demo/tracks.jsonl) track updates, $(wc -l < out/demo/alerts.jsonl) alert events"

fuzz_seconds=${FUZZ_SECONDS:-10}
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
