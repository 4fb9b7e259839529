#!/usr/bin/env bash
# Long fuzzing (issue #16): each target to 10 M executions (capped by time).
# usage: [CAP=seconds] [TIMEOUT=seconds] [FUZZ_ARGS="-entropic=0 ..."] fuzz_long.sh BUILD_FUZZ_DIR REPO OUT [names...]
# BUILD_FUZZ_DIR: a tree of preset ci (ASan + UBSan) or fuzz-ubsan (UBSan only,
# faster; then replay the merged corpus with the ci tree's binary, -runs=0).
# TIMEOUT (60 s) is what one input may take: on two cores shared with builds a
# niced fuzzer under ASan can be starved for over 10 s by the allocator alone.
set -u
B=$1; R=$2; O=$3; shift 3
mkdir -p "$O/corpus" "$O/crash" "$O/log"
names=("$@")
if [ ${#names[@]} -eq 0 ]; then for t in "$B"/fuzz/*_fuzz; do names+=("$(basename "$t" _fuzz)"); done; fi
for n in "${names[@]}"; do
  t="$B/fuzz/${n}_fuzz"; [ -x "$t" ] || { echo "$n: no binary"; continue; }
  [ -f "$O/log/$n.done" ] && continue
  mkdir -p "$O/corpus/$n"
  start=$(date +%s)
  nice -n 19 "$t" -runs=10000000 -max_total_time=${CAP:-900} -timeout=${TIMEOUT:-60} -rss_limit_mb=2048 \
     -print_final_stats=1 ${FUZZ_ARGS:-} -artifact_prefix="$O/crash/$n-" "$O/corpus/$n" "$R/fuzz/corpus/$n" > "$O/log/$n.log" 2>&1
  rc=$?
  end=$(date +%s)
  runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$O/log/$n.log" | awk '{print $2}')
  cov=$(grep -o 'cov: [0-9]*' "$O/log/$n.log" | tail -1 | awk '{print $2}')
  ft=$(grep -o 'ft: [0-9]*' "$O/log/$n.log" | tail -1 | awk '{print $2}')
  echo "$n rc=$rc runs=$runs seconds=$((end-start)) cov=$cov ft=$ft" | tee "$O/log/$n.done"
done
