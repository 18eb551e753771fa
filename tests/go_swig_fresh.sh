#!/usr/bin/env bash
# go_swig_fresh.sh [--write] SWIG CAPI_DIR
# The Go binding's raw layer (CAPI_DIR/capi_swig.{go,c}) is SWIG output committed to git, so
# that `go build` needs no SWIG. This runs SWIG on bindings/swig/pager.i into a temporary
# directory (from the repository root, with relative paths: the output is then byte-identical
# from run to run) and
#   --write   replaces the committed files with it (make go-swig);
#   otherwise compares: exit 0 when they are identical, 1 with a diff summary when they are
#             stale (pager.h or pager.i changed without `make go-swig`).
set -euo pipefail
write=0
if [[ ${1:-} == --write ]]; then write=1; shift; fi
if [[ $# -ne 2 ]]; then
  echo "usage: $0 [--write] SWIG CAPI_DIR" >&2
  exit 2
fi
swig=$1 dir=$2
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$swig" -go -cgo -intgosize 64 -module capi -I. -o "$tmp/capi_swig.c" -outdir "$tmp" \
  bindings/swig/pager.i
mv "$tmp/capi.go" "$tmp/capi_swig.go"
# SWIG 4.1's swigCopyString turns a uintptr back into an unsafe.Pointer, which `go vet`
# reports ("possible misuse of unsafe.Pointer"). The string header's data word is declared an
# unsafe.Pointer instead, so the same copy needs no uintptr round trip; the edit is checked:
# a SWIG whose output no longer has these lines fails here rather than commit them unedited.
perl -0pi -e 's/(type swig_gostring struct \{\s*p) uintptr/$1 unsafe.Pointer/ or die "no swig_gostring\n";
  s/\(\*\[0x7fffffff\]byte\)\(unsafe\.Pointer\(p\.p\)\)/(*[0x7fffffff]byte)(p.p)/ or die "no copy\n";
  s/Swig_free\(p\.p\)/Swig_free(uintptr(p.p))/ or die "no free\n"' "$tmp/capi_swig.go"
gofmt -w "$tmp/capi_swig.go"  # SWIG's Go is not gofmt-clean; commit it formatted
if [[ $write -eq 1 ]]; then
  cp "$tmp/capi_swig.go" "$tmp/capi_swig.c" "$dir/"
  echo "go_swig_fresh: wrote $dir/capi_swig.go and $dir/capi_swig.c"
  exit 0
fi
stale=0
for f in capi_swig.go capi_swig.c; do
  if ! cmp -s "$tmp/$f" "$dir/$f"; then
    echo "go_swig_fresh: $dir/$f differs from a fresh SWIG run ($("$swig" -version | \
      awk '/SWIG Version/ {print $3}')); run 'make go-swig' and commit it:"
    diff -u "$dir/$f" "$tmp/$f" | head -n 20 || true
    stale=1
  fi
done
[[ $stale -eq 0 ]] && echo "go_swig_fresh: $dir is what SWIG generates"
exit $stale
