#!/usr/bin/env bash
# fuzz_replay.sh BUILD_DIR SECONDS NAME...
# For each harness: replay every file of fuzz/corpus/<name>/ once (a regression suite), then
# fuzz for SECONDS from that corpus in a scratch copy. Prints "#result P F", one test each.
set -u
fb=$1 secs=$2; shift 2
passed=0 failed=0
for n in "$@"; do
  bin="$fb/${n}_fuzz"
  corpus="fuzz/corpus/$n"
  if [[ ! -d $corpus ]] || [[ -z $(ls -A "$corpus") ]]; then
    echo "[$n] no seed corpus in $corpus"; failed=$((failed + 1)); continue
  fi
  # The replay's crash input goes next to the fuzz run's, not into the current directory.
  if "$bin" -runs=0 -artifact_prefix="$fb/$n-replay-" "$corpus" > "$fb/$n.replay.log" 2>&1; then
    echo "[$n] replayed $(ls "$corpus" | wc -l) corpus inputs"; passed=$((passed + 1))
  else
    echo "[$n] corpus replay FAILED:"; tail -n 30 "$fb/$n.replay.log"; failed=$((failed + 1))
  fi
  work="$fb/corpus-run/$n"; rm -rf "$work"; mkdir -p "$work"
  if "$bin" -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="$fb/$n-" "$work" "$corpus" \
       > "$fb/$n.fuzz.log" 2>&1; then
    echo "[$n] fuzzed ${secs}s: $(grep -m1 -oE 'stat::number_of_executed_units: [0-9]+' "$fb/$n.fuzz.log" || tail -n1 "$fb/$n.fuzz.log")"
    passed=$((passed + 1))
  else
    echo "[$n] fuzzing FOUND A CRASH:"; tail -n 40 "$fb/$n.fuzz.log"; failed=$((failed + 1))
  fi
done
echo "#result $passed $failed"
