#!/usr/bin/env bash
# run_cmd.sh SUITE RESULTS_DIR COMMAND [ARGS...]
# Runs a test command. If it prints a line "#result <passed> <failed>" those counts are used;
# otherwise exit status 0 is one pass and anything else one failure.
set -u
suite=$1 results=$2; shift 2
out="$results/$suite.log"
"$@" 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
line=$(grep -E '^#result [0-9]+ [0-9]+$' "$out" | tail -n1)
if [[ -n "$line" ]]; then
  read -r _ passed failed <<<"$line"
  if [[ $rc -ne 0 && $failed -eq 0 ]]; then failed=1; fi
elif [[ $rc -eq 0 ]]; then
  passed=1 failed=0
else
  passed=0 failed=1
fi
echo "$passed $failed" > "$results/$suite"
echo "[$suite] $passed tests passed, $failed failed"
