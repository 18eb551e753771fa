#!/usr/bin/env bash
# abi_baseline.sh SHARED_LIBRARY HEADER BASELINE_DIR  (make abi-baseline)
# Regenerates BASELINE_DIR/libpager.abi and BASELINE_DIR/pager.constants from the built
# library. Refuses when the change from the committed baseline is incompatible
# (tests/abi_lib.sh: abi_compare) and the SONAME did not change: an incompatible change lands
# only together with a new SONAME and the new baseline, in one commit. doc/abi.md.
set -u
here=$(dirname "$0")
# shellcheck source=tests/abi_lib.sh
source "$here/abi_lib.sh"
lib=$1 header=$2 base=$3
new_soname=$(abi_soname_of_lib "$lib")
if [[ -f "$base/libpager.abi" && -f "$base/pager.constants" ]]; then
  old_soname=$(abi_soname_of_dump "$base/libpager.abi")
  abi_compare "$base/libpager.abi" "$base/pager.constants" "$lib" "$header"
  rc=$?
  case $rc in
    0) echo "abi-baseline: no ABI change; $base is up to date"; exit 0 ;;
    1) echo "abi-baseline: compatible additions; refreshing the baseline" ;;
    2) if [[ "$old_soname" == "$new_soname" ]]; then
         echo "abi-baseline: REFUSED: the change above is incompatible and the SONAME is still" \
              "$new_soname. Bump the minor version in pager.h (0.x: libpager.so.0.<minor>;" \
              "from 1.0: the major), rebuild, and run make abi-baseline again."
         exit 1
       fi
       echo "abi-baseline: incompatible change with a new SONAME ($old_soname ->" \
            "$new_soname); writing the new baseline" ;;
    *) echo "abi-baseline: abidw/abidiff failed"; exit 1 ;;
  esac
fi
mkdir -p "$base"
abi_dump "$lib" "$header" "$base/libpager.abi.tmp" &&
  abi_constants "$header" "$base/pager.constants.tmp" || { echo "abi-baseline: dump failed"; exit 1; }
mv "$base/libpager.abi.tmp" "$base/libpager.abi"
mv "$base/pager.constants.tmp" "$base/pager.constants"
echo "abi-baseline: wrote $base/libpager.abi ($new_soname) and $base/pager.constants;" \
     "commit them with the change"
