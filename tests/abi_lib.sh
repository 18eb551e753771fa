#!/usr/bin/env bash
# abi_lib.sh -- shared functions of the ABI gate (sourced by tests/abi_*.sh; doc/abi.md).
#
#   abi_dump LIB HEADER OUT        the ABI of LIB restricted to what HEADER declares (abidw)
#   abi_constants HEADER OUT       every enumerator and numeric #define of HEADER with its value
#   abi_compare BASE_ABI BASE_CONSTANTS LIB HEADER
#                                  prints the differences; returns 0 (none), 1 (compatible:
#                                  only additions), 2 (incompatible), 3 (the tools failed)
#
# Stability: the dump has no corpus path, no compilation directory, no source locations, no
# DT_NEEDED list and hash type ids, so the same pager.h and sources give the same bytes in any
# directory and on every rebuild (checked by hand: doc/abi.md).

ABIDW_FLAGS=(--drop-private-types --exported-interfaces-only --no-corpus-path
             --no-comp-dir-path --no-elf-needed --no-show-locs --type-id-style hash)

abi_dump() {
  local lib=$1 header=$2 out=$3
  abidw --header-file "$header" "${ABIDW_FLAGS[@]}" --out-file "$out" "$lib"
}

# The values of anonymous enums and macros are not in the library's debug information (no
# function's type refers to them), so they are pinned separately: compile a program that
# prints each one.
abi_constants() {
  local header=$1 out=$2 tmp
  tmp=$(mktemp -d /tmp/pager-abiconst.XXXXXX)
  {
    echo '#include <stdio.h>'
    echo "#include \"$(realpath "$header")\""
    echo 'int main(void) {'
    # comments out (-fpreprocessed keeps macros unexpanded), then "PAGER_X =" enumerators
    # and "#define PAGER_X <number>" macros; the version numbers and the error count are left
    # out: they change with every release and with every appended code, by design.
    ${CC:-cc} -E -fpreprocessed -dD -P -x c "$header" 2>/dev/null |
      grep -oE 'PAGER_[A-Z0-9_]+\s*=[^=]|^#define PAGER_[A-Z0-9_]+\s+[(0-9]' |
      grep -oE 'PAGER_[A-Z0-9_]+' | grep -vE '^PAGER_(VERSION_|ERR_COUNT$)' | sort -u |
      sed 's/.*/  printf("%s %lld\\n", "&", (long long)(&));/'
    echo '  return 0;'
    echo '}'
  } > "$tmp/c.c"
  if ! ${CC:-cc} -std=c99 -o "$tmp/c" "$tmp/c.c" || ! "$tmp/c" > "$out"; then
    rm -rf "$tmp"; return 3
  fi
  rm -rf "$tmp"
}

# Changes abidiff reports (exit bit 4, ABIDIFF_ABI_CHANGE) that break compiled callers even
# though abidiff sets the incompatible bit (8) only for removed symbols: a moved or retyped
# field, a removed field, a changed parameter or return type, an added or removed parameter,
# a changed enumerator. Appending a field to a struct (a size change plus a "data member
# insertion" at the end, with no offset change) and adding functions stay compatible.
ABI_INCOMPATIBLE_RE="offset changed|data members? deletion|type of '[^']*' changed|\
parameter [0-9]+ of type '[^']*' changed|return type changed|parameter [0-9]+ of type \
'[^']*' was (added|removed)|[1-9][0-9]* Removed|enumerators? deletion|value changed from|\
[1-9][0-9]* removed"

abi_compare() {
  local base=$1 base_const=$2 lib=$3 header=$4 tmp rc=0
  tmp=$(mktemp -d /tmp/pager-abicmp.XXXXXX)
  if ! abi_dump "$lib" "$header" "$tmp/new.abi"; then rm -rf "$tmp"; return 3; fi
  abidiff "$base" "$tmp/new.abi" > "$tmp/full" 2>&1
  local frc=$?
  if (( frc & 3 )); then
    cat "$tmp/full"; rm -rf "$tmp"; return 3
  fi
  if (( frc != 0 )); then
    cat "$tmp/full"
    rc=1
    if (( frc & 8 )) || grep -qE "$ABI_INCOMPATIBLE_RE" "$tmp/full"; then rc=2; fi
  fi
  if ! abi_constants "$header" "$tmp/new.constants"; then rm -rf "$tmp"; return 3; fi
  local crc
  crc=$(awk '
    FNR == NR { base[$1] = $2; next }
    { now[$1] = $2 }
    END {
      rc = 0
      for (n in base) {
        if (!(n in now)) { printf "constant %s (= %s) was removed\n", n, base[n]; rc = 2 }
        else if (now[n] != base[n]) {
          printf "constant %s value changed from %s to %s\n", n, base[n], now[n]; rc = 2 }
      }
      for (n in now) if (!(n in base)) {
        printf "constant %s = %s was added\n", n, now[n]; if (rc == 0) rc = 1 }
      print "#rc " rc
    }' "$base_const" "$tmp/new.constants" | sort)
  grep -v '^#rc' <<<"$crc" | sed '/^$/d'
  local c
  c=$(sed -n 's/^#rc //p' <<<"$crc")
  (( c > rc )) && rc=$c
  rm -rf "$tmp"
  return $rc
}

abi_soname_of_dump() { sed -nE "1,3s/.*soname='([^']*)'.*/\1/p" "$1" | head -n1; }
abi_soname_of_lib() { readelf -d "$1" | sed -nE 's/.*Library soname: \[(.*)\].*/\1/p'; }
