#!/usr/bin/env bash
# abi_negative.sh SHARED_LIBRARY SONAME LIB_OBJ...   (suite abi_negative; doc/abi.md)
# Proves the ABI gate fails when it must. A scratch library is made in seconds, not by a
# rebuild: pager.h is copied to a temp directory and pager_file_options is changed; only capi/file.cc (the shim that uses the struct) is recompiled against the copy,
# and the scratch .so is linked from that object and the other existing objects. Env: CXX,
# CXXFLAGS, CPPFLAGS, LDLIBS (from make). Cases (one test each, "#result" for run_cmd.sh):
#   real-build-passes        the real library against a baseline made from it: no difference
#   retyped-field-fails      a field's type changed in place (uint32_t -> int32_t: same size
#                            and offset, which no static_assert in the shims can see):
#                            incompatible, and the report names the struct
#   appended-field-compatible a field appended after the last: compatible, names the struct
#   baseline-refuses         make abi-baseline's script refuses the retyped field under the
#                            same SONAME and leaves the baseline untouched
# The edits touch read_only and the closing line of pager_file_options. (An inserted
# field moves every later field: capi/file.cc's layout static_assert refuses to compile it,
# which is the first line of defence.)
set -u
here=$(dirname "$0")
# shellcheck source=tests/abi_lib.sh
source "$here/abi_lib.sh"
lib=$1 soname=$2; shift 2
objs=()
for o in "$@"; do [[ $o == */capi/file.o ]] || objs+=("$o"); done
tmp=$(mktemp -d /tmp/pager-abineg.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
check() {  # check NAME CONDITION-STATUS
  if [[ $2 -eq 0 ]]; then echo "ok   $1"; passed=$((passed + 1));
  else echo "FAIL $1"; failed=$((failed + 1)); fi
}

# scratch NAME SED-EXPR: a scratch library whose pager.h has SED-EXPR applied inside
# pager_file_options; prints its directory.
scratch() {
  local d="$tmp/$1"
  mkdir -p "$d"
  sed "/^typedef struct pager_file_options {/,/} pager_file_options;/ $2" pager.h > "$d/pager.h"
  if cmp -s pager.h "$d/pager.h"; then echo "scratch $1: the edit changed nothing" >&2; return 1; fi
  # shellcheck disable=SC2086
  ${CXX:-g++} -I"$d" ${CPPFLAGS:--I. -DPAGER_BUILDING_LIBRARY -D_GNU_SOURCE} ${CXXFLAGS:-} \
    -c capi/file.cc -o "$d/file.o" &&
  ${CXX:-g++} -shared ${CXXFLAGS:-} -Wl,-soname,"$soname" -Wl,--version-script=capi/pager.map \
    -o "$d/libpager.so" "${objs[@]}" "$d/file.o" ${LDLIBS:--pthread -lzstd -lxxhash}
}

mkdir -p "$tmp/base"
abi_dump "$lib" pager.h "$tmp/base/libpager.abi" && abi_constants pager.h "$tmp/base/pager.constants"
abi_compare "$tmp/base/libpager.abi" "$tmp/base/pager.constants" "$lib" pager.h > "$tmp/real.log"
check real-build-passes $?

# A field retyped in place (same size and offset, so the shim's own layout static_asserts
# still compile: only the gate can catch it).
scratch retyped 's/^\(\s*\)uint32_t read_only;/\1int32_t read_only;/'
abi_compare "$tmp/base/libpager.abi" "$tmp/base/pager.constants" "$tmp/retyped/libpager.so" \
  "$tmp/retyped/pager.h" > "$tmp/retyped.log"
rc=$?
cat "$tmp/retyped.log"
[[ $rc -eq 2 ]] && grep -q "struct pager_file_options" "$tmp/retyped.log"
check "retyped-field-fails (abi_compare returned $rc, want 2, naming pager_file_options)" $?

scratch appended 's/^} pager_file_options;/  uint64_t appended_field;\n} pager_file_options;/'
abi_compare "$tmp/base/libpager.abi" "$tmp/base/pager.constants" "$tmp/appended/libpager.so" \
  "$tmp/appended/pager.h" > "$tmp/appended.log"
rc=$?
[[ $rc -eq 1 ]] && grep -q "struct pager_file_options" "$tmp/appended.log"
check "appended-field-compatible (abi_compare returned $rc, want 1)" $?

cp -r "$tmp/base" "$tmp/base2"
"$here/abi_baseline.sh" "$tmp/retyped/libpager.so" "$tmp/retyped/pager.h" "$tmp/base2" \
  > "$tmp/baseline.log" 2>&1
rc=$?
tail -n1 "$tmp/baseline.log"
[[ $rc -ne 0 ]] && grep -q REFUSED "$tmp/baseline.log" && cmp -s "$tmp/base/libpager.abi" "$tmp/base2/libpager.abi"
check "baseline-refuses an incompatible change under the same SONAME" $?

echo "#result $passed $failed"
[[ $failed -eq 0 ]]
