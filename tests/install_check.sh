#!/usr/bin/env bash
# install_check.sh MAKE_ARGS...
# Installs into a temporary DESTDIR, then builds a C program against the installed header and
# library through pkg-config -- dynamically and statically -- and runs both. Uninstall must
# leave no file behind.
set -eu
dest=$(mktemp -d /tmp/pager-install.XXXXXX)
trap 'rm -rf "$dest"' EXIT
make --no-print-directory -s install DESTDIR="$dest" PREFIX=/usr/local "$@" >/dev/null
export PKG_CONFIG_PATH="$dest/usr/local/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$dest"
cat > "$dest/app.c" <<'C'
#include <pager.h>
#include <stdio.h>
int main(void) {
  if (pager_version() != PAGER_VERSION_NUMBER) return 1;
  printf("installed libpager %s works\n", pager_version_string());
  return 0;
}
C
cc -std=c99 -Wall -Werror $(pkg-config --cflags pager) "$dest/app.c" -o "$dest/app" $(pkg-config --libs pager)
LD_LIBRARY_PATH="$dest/usr/local/lib" "$dest/app"
cc -std=c99 $(pkg-config --cflags pager) "$dest/app.c" -o "$dest/app-static" \
   -Wl,-Bstatic $(pkg-config --libs-only-l pager) -Wl,-Bdynamic $(pkg-config --libs-only-L pager) \
   $(pkg-config --static --libs-only-l pager | sed 's/-lpager//')
"$dest/app-static"
ldd "$dest/app-static" | grep -q libpager && { echo "static build still links libpager.so"; exit 1; }
soname=$(make --no-print-directory -s print-SONAME "$@")
for f in include/pager.h lib/libpager.so "lib/$soname" lib/libpager.a lib/pkgconfig/pager.pc \
         bin/pagerctl share/man/man1/pagerctl.1 share/bash-completion/completions/pagerctl; do
  [[ -e "$dest/usr/local/$f" ]] || { echo "not installed: $f"; exit 1; }
done
# pagerctl runs from its installed place and loads the installed library ($ORIGIN/../lib).
"$dest/usr/local/bin/pagerctl" --version | grep -q libpager || { echo "installed pagerctl fails"; exit 1; }
ldd "$dest/usr/local/bin/pagerctl" | grep "$soname" | grep -q "$dest/usr/local/bin/../lib/" ||
  { echo "installed pagerctl does not load the installed library"; exit 1; }
# The man page renders and the completion completes pagerctl's commands.
man -l "$dest/usr/local/share/man/man1/pagerctl.1" 2>/dev/null | grep -q "pagerctl - look into" ||
  { command -v man >/dev/null && { echo "the installed man page does not render"; exit 1; }; }
words=$(bash -c 'source "$1"; COMP_WORDS=(pagerctl re); COMP_CWORD=1; _pagerctl; echo "${COMPREPLY[*]}"' _ \
  "$dest/usr/local/share/bash-completion/completions/pagerctl")
[[ $words == "replay recover" ]] || { echo "bash completion of 're' gave: $words"; exit 1; }
make --no-print-directory -s uninstall DESTDIR="$dest" PREFIX=/usr/local "$@" >/dev/null
left=$(find "$dest/usr/local" -type f | wc -l)
[[ $left -eq 0 ]] || { echo "uninstall left $left files"; exit 1; }
# A second install with another PREFIX into the same build tree writes that PREFIX into
# pager.pc (the file must not be a stale product of an earlier install).
make --no-print-directory -s install DESTDIR="$dest" PREFIX=/opt/pager-b "$@" >/dev/null
grep -qx 'prefix=/opt/pager-b' "$dest/opt/pager-b/lib/pkgconfig/pager.pc" ||
  { echo "install PREFIX=/opt/pager-b wrote: $(grep '^prefix=' "$dest/opt/pager-b/lib/pkgconfig/pager.pc")"; exit 1; }
echo "install, pkg-config (dynamic and static), pagerctl, its man page and bash completion, uninstall, reinstall with another PREFIX: ok"
