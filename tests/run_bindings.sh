#!/usr/bin/env bash
# run_bindings.sh go|java|rust RESULTS_DIR BUILD_DIR
# Runs one language binding's tests against the library in BUILD_DIR (found through
# BUILD_DIR/pkgconfig/pager-uninstalled.pc, loaded from BUILD_DIR/lib) and writes
# "<passed> <failed>" to RESULTS_DIR/<suite>, counted from the tool's own report:
#   go    `go test -v` lines "--- PASS:" / "--- FAIL:" (subtests included; the stress,
#         cleanup, iterator, owned-buffer, snapshot-callback and context tests
#         run twice, the second time under -race, and count twice)
#   java  surefire XML reports (tests - failures - errors - skipped)
#   rust  cargo's "test result: ... N passed; M failed" lines, and cargo clippy -D warnings
#         as one more test
# A tool that fails without a counted failure (a build error) counts as one failure.
set -u
suite=$1 results=$2 build=$3
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$build" && pwd)
log="$results/$suite.log"
export PKG_CONFIG_PATH="$build/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export LD_LIBRARY_PATH="$build/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
passed=0 failed=0
go_race_tests='^Test(Wal|File|WalsegReplay|ColdHandle)CloseDuring|^TestReadTxn|^TestForgotten|^TestClosedHandleIsNot|Records|^TestPageoutOwned|^TestCaptureTo|^TestSnapshotProgress|Context|^TestCloseInside|^TestCloseFromAnother'
case $suite in
  go)
    # Then the close-during-use stress tests again under the race detector (a few seconds
    # once the race runtime is in the go build cache).
    (cd "$root/bindings/go" && go test -count=1 -v ./... &&
       go test -race -count=1 -v -run "$go_race_tests" .) > "$log" 2>&1
    rc=$?
    passed=$(grep -cE '^\s*--- PASS:' "$log")
    failed=$(grep -cE '^\s*--- FAIL:' "$log")
    ;;
  java)
    reports="$build/java/maven/surefire-reports"
    rm -rf "$reports"
    (cd "$root/bindings/java" && mvn -B -q -Dstyle.color=never test -Dpager.build="$build" \
       -Dpager.maven.dir="$build/java/maven") > "$log" 2>&1
    rc=$?
    for xml in "$reports"/TEST-*.xml; do
      [[ -f $xml ]] || continue
      line=$(grep -m1 '<testsuite ' "$xml")
      get() { sed -nE "s/.* $1=\"([0-9]+)\".*/\\1/p" <<<"$line"; }
      t=$(get tests) f=$(get failures) e=$(get errors) s=$(get skipped)
      passed=$((passed + t - f - e - ${s:-0})) failed=$((failed + f + e))
    done
    ;;
  rust)
    (cd "$root/bindings/rust" && CARGO_TARGET_DIR="$build/rust" cargo test --locked < /dev/null) > "$log" 2>&1
    rc=$?
    while read -r p f; do
      passed=$((passed + p)) failed=$((failed + f))
    done < <(sed -nE 's/^test result: .* ([0-9]+) passed; ([0-9]+) failed.*/\1 \2/p' "$log")
    # clippy with warnings as errors counts as one test (where clippy is installed).
    if cargo clippy --version >/dev/null 2>&1; then
      if (cd "$root/bindings/rust" && CARGO_TARGET_DIR="$build/rust" \
            cargo clippy --locked --all-targets -- -D warnings < /dev/null) >> "$log" 2>&1; then
        passed=$((passed + 1))
      else
        failed=$((failed + 1)); grep -E '^(error|warning)' -A6 "$log" | tail -n 30
      fi
    fi
    ;;
  *) echo "run_bindings.sh: unknown suite $suite" >&2; exit 2 ;;
esac
if [[ $rc -ne 0 ]]; then
  tail -n 40 "$log"
  [[ $failed -eq 0 ]] && failed=1
fi
echo "$passed $failed" > "$results/$suite"
echo "[$suite] $passed tests passed, $failed failed (${SECONDS}s)"
