#!/usr/bin/env bash
# abi_check.sh SHARED_LIBRARY SONAME SYMBOL_LIST [BASELINE_DIR]
# The ABI gate (doc/abi.md). Three checks, one test each ("#result" line for run_cmd.sh):
#   soname   the library's SONAME is the expected one
#   symbols  the exported symbols equal the committed list, all start with pager_, and each is
#            declared in pager.h
#   abidiff  (with BASELINE_DIR) the library's ABI as pager.h declares it -- struct layouts,
#            signatures, enumerator and macro values -- equals BASELINE_DIR/libpager.abi and
#            BASELINE_DIR/pager.constants; any difference fails with the report and a hint
set -u
here=$(dirname "$0")
lib=$1 soname=$2 list=$3 base=${4:-}
passed=0 failed=0
pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); }

got=$(readelf -d "$lib" | sed -nE 's/.*Library soname: \[(.*)\].*/\1/p')
if [[ "$got" != "$soname" ]]; then
  echo "SONAME is '$got', expected '$soname'"; fail
else
  echo "ABI: SONAME $soname"; pass
fi

sym_fail=0
actual=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' | sed 's/@.*//' \
         | grep -v '^PAGER_[0-9]' | sort -u)
bad=$(grep -v '^pager_' <<<"$actual" || true)
if [[ -n "$bad" ]]; then echo "exported symbols without the pager_ prefix:"; echo "$bad"; sym_fail=1; fi
expected=$(grep -v '^#' "$list" | sed '/^$/d' | sort -u)
if [[ "$actual" != "$expected" ]]; then
  echo "exported symbols differ from $list (< list only, > library only):"
  diff <(echo "$expected") <(echo "$actual") | grep '^[<>]'
  sym_fail=1
fi
# Every exported function is declared in pager.h.
for s in $actual; do
  grep -qE "\\b$s\\(" pager.h || { echo "$s is exported but not declared in pager.h"; sym_fail=1; }
done
if [[ $sym_fail -eq 0 ]]; then
  echo "ABI: $(wc -l <<<"$actual") symbols match $list"; pass
else
  fail
fi

if [[ -n "$base" ]]; then
  # shellcheck source=tests/abi_lib.sh
  source "$here/abi_lib.sh"
  if [[ ! -f "$base/libpager.abi" || ! -f "$base/pager.constants" ]]; then
    echo "no ABI baseline in $base: run 'make abi-baseline' and commit $base/libpager.abi" \
         "and $base/pager.constants"
    fail
  else
    abi_compare "$base/libpager.abi" "$base/pager.constants" "$lib" pager.h
    case $? in
      0) echo "ABI: matches the baseline $base/libpager.abi (+ pager.constants)"; pass ;;
      1) echo "ABI differs from the baseline (compatible additions only)." \
              "Hint: if intended, run 'make abi-baseline' and commit $base/ with the change."
         fail ;;
      2) echo "ABI differs from the baseline INCOMPATIBLY." \
              "Hint: if intended, change the SONAME (next minor version in pager.h), run" \
              "'make abi-baseline' and commit both together (doc/abi.md)."
         fail ;;
      *) echo "ABI: abidw/abidiff failed (is abigail-tools installed? make deps)"; fail ;;
    esac
  fi
fi
echo "#result $passed $failed"
[[ $failed -eq 0 ]]
