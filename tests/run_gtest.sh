#!/usr/bin/env bash
# run_gtest.sh SUITE RESULTS_DIR BINARY [ARGS...]
# Runs a GoogleTest binary in one shard per core (GTEST_TOTAL_SHARDS) and writes
# "<passed> <failed>" to RESULTS_DIR/SUITE, counted from the shards' XML reports. A shard that
# dies without a report counts as one failure.
set -u
suite=$1 results=$2; shift 2
shards=${GTEST_SHARDS:-$(nproc 2>/dev/null || echo 1)}
pids=()
for ((i = 0; i < shards; i++)); do
  GTEST_TOTAL_SHARDS=$shards GTEST_SHARD_INDEX=$i \
    "$@" --gtest_output="xml:$results/$suite.$i.xml" --gtest_brief=1 \
    > "$results/$suite.$i.log" 2>&1 &
  pids+=($!)
done
passed=0 failed=0
for ((i = 0; i < shards; i++)); do
  wait "${pids[$i]}"
  rc=$?
  cat "$results/$suite.$i.log"
  xml="$results/$suite.$i.xml"
  if [[ -s "$xml" ]]; then
    line=$(grep -m1 '<testsuites ' "$xml")
    tests=$(sed -E 's/.* tests="([0-9]+)".*/\1/' <<<"$line")
    failures=$(sed -E 's/.* failures="([0-9]+)".*/\1/' <<<"$line")
    errors=$(sed -E 's/.* errors="([0-9]+)".*/\1/' <<<"$line")
    disabled=$(sed -E 's/.* disabled="([0-9]+)".*/\1/' <<<"$line")
    skipped=$(grep -c '<skipped' "$xml" || true)
    f=$((failures + errors))
    p=$((tests - f - disabled - skipped))
    if [[ $rc -ne 0 && $f -eq 0 ]]; then f=1; fi
  else
    echo "[$suite] shard $i died without a report (exit $rc)"
    p=0 f=1
  fi
  passed=$((passed + p)) failed=$((failed + f))
done
echo "$passed $failed" > "$results/$suite"
echo "[$suite] $passed tests passed, $failed failed"
