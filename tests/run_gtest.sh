#!/usr/bin/env bash
# run_gtest.sh SUITE RESULTS_DIR BINARY [ARGS...]
# Runs a GoogleTest binary and writes "<passed> <failed>" to RESULTS_DIR/SUITE, counting from
# its XML report. A binary that dies without a report counts as one failure.
set -u
suite=$1 results=$2; shift 2
xml="$results/$suite.xml"
"$@" --gtest_output="xml:$xml" --gtest_brief=1
rc=$?
if [[ -s "$xml" ]]; then
  line=$(grep -m1 '<testsuites ' "$xml")
  tests=$(sed -E 's/.* tests="([0-9]+)".*/\1/' <<<"$line")
  failures=$(sed -E 's/.* failures="([0-9]+)".*/\1/' <<<"$line")
  errors=$(sed -E 's/.* errors="([0-9]+)".*/\1/' <<<"$line")
  disabled=$(sed -E 's/.* disabled="([0-9]+)".*/\1/' <<<"$line")
  skipped=$(grep -c '<skipped' "$xml" || true)
  failed=$((failures + errors))
  passed=$((tests - failed - disabled - skipped))
  if [[ $rc -ne 0 && $failed -eq 0 ]]; then failed=1; fi
else
  passed=0 failed=1
fi
echo "$passed $failed" > "$results/$suite"
echo "[$suite] $passed tests passed, $failed failed"
