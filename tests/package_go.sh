#!/usr/bin/env bash
# package_go.sh SWIG -- the Go module as a user gets it (suite package_go; run by run_cmd.sh,
# prints "#result <passed> <failed>"). Checks, each counted:
#   swig_fresh  the committed SWIG output (bindings/go/internal/capi) is what SWIG generates
#               now (tests/go_swig_fresh.sh; `make go-swig` fixes it)
#   install     `make install PREFIX=<temp>` of the library already built
#   consumer    the module directory as `git archive` exports it (the working tree's tracked
#               files, through `git stash create`, so uncommitted edits are tested too) in a
#               temp dir; a fresh consumer module in another temp dir, its go.mod, main.go and
#               expected output taken from the "<!-- package_go: FILE -->" blocks of
#               bindings/README.md (the replace target pointed at the archive); built by the
#               go tool alone (GOPROXY=off, GOFLAGS=-mod=mod) with pkg-config and the loader
#               seeing the temp prefix only; run; its output compared.
#   links       the consumer loads libpager from the temp prefix (ldd)
#   c_table     every exported C function (abi/pager.symbols) has a row in the "C function ->
#               Go" table of bindings/README.md's Go section (bound, or why not)
# Never installs outside a temp dir.
set -u
swig=$1
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
tmp=$(mktemp -d /tmp/pager-package-go.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1"; failed=$((failed + 1)); }

if tests/go_swig_fresh.sh "$swig" bindings/go/internal/capi; then ok swig_fresh; else bad swig_fresh; fi

prefix="$tmp/prefix"
if make --no-print-directory -s install PREFIX="$prefix" > "$tmp/install.log" 2>&1; then
  ok install
else
  cat "$tmp/install.log"; bad install
fi

# The block after "<!-- package_go: NAME -->" in bindings/README.md (fence lines dropped).
readme_block() {
  awk -v want="<!-- package_go: $1 -->" '
    $0 == want { armed = 1; next }
    armed && /^```/ { if (inside) exit; inside = 1; next }
    inside { print }' bindings/README.md
}

mod="$tmp/libpager-go" app="$tmp/hello"
mkdir -p "$mod" "$app"
# (an identity for the stash commit object: a CI checkout may have none configured)
ref=$(GIT_AUTHOR_NAME=package_go GIT_AUTHOR_EMAIL=package_go@localhost \
      GIT_COMMITTER_NAME=package_go GIT_COMMITTER_EMAIL=package_go@localhost \
      git stash create 2>/dev/null)
ref=${ref:-HEAD}
git archive --format=tar "$ref:bindings/go" | tar -x -C "$mod"
readme_block go.mod | sed -E "s#^replace libpager.dev/pager => .*#replace libpager.dev/pager => $mod#" \
  > "$app/go.mod"
readme_block main.go > "$app/main.go"
readme_block output > "$tmp/want"
if [[ ! -s $app/main.go || ! -s $tmp/want ]] || ! grep -q "=> $mod" "$app/go.mod"; then
  echo "bindings/README.md lacks the package_go blocks (go.mod with a replace, main.go, output)"
  bad consumer
else
  env -u LD_LIBRARY_PATH -u PKG_CONFIG_PATH -u GOFLAGS sh -c '
    cd "$1" && export PKG_CONFIG_PATH="$2/lib/pkgconfig" PKG_CONFIG_LIBDIR="$2/lib/pkgconfig" \
      GOPROXY=off GOFLAGS=-mod=mod GOWORK=off &&
    go build -o hello . && LD_LIBRARY_PATH="$2/lib" ./hello' _ "$app" "$prefix" \
    > "$tmp/got" 2>&1
  rc=$?
  if [[ $rc -eq 0 ]] && diff -u "$tmp/want" "$tmp/got"; then
    ok consumer
  else
    echo "consumer exited $rc; its output:"; cat "$tmp/got"; bad consumer
  fi
  if [[ -x $app/hello ]] && LD_LIBRARY_PATH="$prefix/lib" ldd "$app/hello" | grep libpager |
       grep -q "$prefix/lib/"; then
    ok links
  else
    bad links
  fi
fi
go_section=$(awk '/^## Go$/ { on = 1; next } on && /^## / { exit } on' bindings/README.md)
unlisted=$(grep -v '^#' abi/pager.symbols | grep . | while read -r sym; do
  grep -qF "| \`$sym\` |" <<<"$go_section" || echo "$sym"; done)
if [[ -z $unlisted ]]; then
  ok c_table
else
  echo "not in the C function -> Go table of bindings/README.md:" $unlisted; bad c_table
fi
echo "#result $passed $failed"
[[ $failed -eq 0 ]]
