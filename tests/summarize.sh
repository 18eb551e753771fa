#!/usr/bin/env bash
# summarize.sh RESULTS_DIR EXPECTED_SUITE...
# Adds up every suite's "<passed> <failed>" and prints the one summary line. A suite that
# was expected but left no result counts as one failure. Exits 1 if anything failed.
set -u
results=$1; shift
passed=0 failed=0
for suite in "$@"; do
  f="$results/$suite"
  if [[ -f "$f" ]]; then
    read -r p q < "$f"
  else
    echo "[$suite] left no result (did it fail to build?)"
    p=0 q=1
  fi
  passed=$((passed + p)) failed=$((failed + q))
done
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
