#!/usr/bin/env bash
# abi_check.sh SHARED_LIBRARY SONAME SYMBOL_LIST
# The ABI guard: the exported symbols must equal the committed list (update it on purpose
# when the API changes), every one must start with pager_, and the SONAME must match.
set -u
lib=$1 soname=$2 list=$3
fail=0
got=$(readelf -d "$lib" | sed -nE 's/.*Library soname: \[(.*)\].*/\1/p')
if [[ "$got" != "$soname" ]]; then
  echo "SONAME is '$got', expected '$soname'"; fail=1
fi
actual=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' | sed 's/@.*//' \
         | grep -v '^PAGER_[0-9]' | sort -u)
bad=$(grep -v '^pager_' <<<"$actual" || true)
if [[ -n "$bad" ]]; then echo "exported symbols without the pager_ prefix:"; echo "$bad"; fail=1; fi
expected=$(grep -v '^#' "$list" | sed '/^$/d' | sort -u)
if [[ "$actual" != "$expected" ]]; then
  echo "exported symbols differ from $list (< list only, > library only):"
  diff <(echo "$expected") <(echo "$actual") | grep '^[<>]'
  fail=1
fi
# Every exported function is declared in pager.h.
for s in $actual; do
  grep -qE "\\b$s\\(" pager.h || { echo "$s is exported but not declared in pager.h"; fail=1; }
done
n=$(wc -l <<<"$actual")
[[ $fail -eq 0 ]] && echo "ABI: $n symbols match $list; SONAME $soname"
exit $fail
