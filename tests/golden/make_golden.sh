#!/usr/bin/env bash
# make_golden.sh -- regenerates the golden files of tests/golden/ (run by hand, never by make
# test; see README.md). Builds the library, compiles make_golden.c against it, writes into an
# empty temp directory and copies the result here. Review the diff and update README.md and
# tests/golden_test.cc if the generator's output changed.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
make --no-print-directory -s lib
B=$(make --no-print-directory -s print-B)
tmp=$(mktemp -d /tmp/pager-golden.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cc -std=c99 -pedantic -Wall -Wextra -Werror -I. -o "$tmp/make_golden" tests/golden/make_golden.c \
   -L"$B/lib" -Wl,-rpath,"$root/$B/lib" -lpager
mkdir "$tmp/out"
"$tmp/make_golden" "$tmp/out"
rm -rf tests/golden/walseg
cp -r "$tmp/out/." tests/golden/
ls -lR tests/golden | grep -v README
