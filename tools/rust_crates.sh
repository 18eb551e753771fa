#!/usr/bin/env bash
# rust_crates.sh bindings|check|package BUILD_DIR [OUT_DIR]
# Crates: libpager-sys (bindings/rust/pager-sys) and libpager (bindings/rust/pager); the
# name `pager` is taken on crates.io by an unrelated crate.
# The Rust crates' generated and packaged files (bindings/rust; make rust-bindings,
# make rust-package, suite package_rust):
#   bindings  regenerates bindings/rust/pager-sys/src/bindings.rs with bindgen from pager.h
#             (feature buildtime-bindgen; needs libclang and BUILD_DIR's pager-uninstalled.pc)
#   check     fails (exit 1) when src/bindings.rs differs from what `bindings` would write, or
#             when the crates' version is not pager.h's PAGER_VERSION_*: rerun make rust-bindings
#   package   copies the workspace into a staging directory, adds libpager's pager.h, capi/,
#             impl/ and xxHash's sources to libpager-sys (feature bundled compiles them), runs
#             `cargo publish --dry-run --workspace` there (packages and verifies both crates
#             against BUILD_DIR's library) and copies the two .crate files to OUT_DIR.
# xxHash's sources: xxHash's Debian source package of the version Debian's libxxhash-dev
# has (the library the Makefile build uses), fetched with apt-get source (a private
# sources list, nothing on the machine is changed) once into BUILD_DIR/rust-package/.
set -euo pipefail
cmd=$1 build=$2
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$build" && pwd)
ws=$root/bindings/rust
export PKG_CONFIG_PATH="$build/pkgconfig"
export CARGO_TARGET_DIR="$build/rust"

header_version() {
  awk '/define PAGER_VERSION_(MAJOR|MINOR|PATCH)/ {v = v (v == "" ? "" : ".") $3} END {print v}' \
    "$root/pager.h"
}

generate() { # generate OUT_FILE (its own target dir: the rust suite's keeps its features)
  (cd "$ws" && PAGER_SYS_BINDINGS_OUT="$1" CARGO_TARGET_DIR="$build/rust-package/target-bindgen" \
     cargo build --locked -q -p libpager-sys --features buildtime-bindgen < /dev/null)
}

xxhash_sources() { # prints the directory holding xxhash.h, xxh_x86dispatch.[ch] and LICENSE
  local cache="$build/rust-package/xxhash" version
  version=$(dpkg-query -W -f '${source:Upstream-Version}' libxxhash-dev 2>/dev/null || true)
  [[ -n $version ]] || { echo "libxxhash-dev is not installed (tools/deps.sh)" >&2; return 1; }
  local dir="$cache/xxhash-$version"
  if [[ ! -f $dir/xxh_x86dispatch.c ]]; then
    rm -rf "$cache" && mkdir -p "$cache/lists/partial" "$cache/dl"
    echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg]" \
      "http://deb.debian.org/debian $(. /etc/os-release && echo "$VERSION_CODENAME") main" \
      > "$cache/sources.list"
    local apt=(apt-get -q -o Dir::Etc::SourceList="$cache/sources.list"
               -o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists="$cache/lists"
               -o APT::Sandbox::User=root)
    "${apt[@]}" update >&2
    (cd "$cache/dl" && "${apt[@]}" source --download-only "xxhash=$(dpkg-query -W \
       -f '${source:Version}' libxxhash-dev)" >&2)
    mkdir -p "$dir"
    tar -xzf "$cache"/dl/xxhash_*.orig.tar.gz -C "$dir" --strip-components=1
  fi
  echo "$dir"
}

case $cmd in
  bindings)
    generate "$ws/pager-sys/src/bindings.rs"
    echo "wrote $ws/pager-sys/src/bindings.rs"
    ;;
  check)
    tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
    generate "$tmp/bindings.rs"
    status=0
    if ! diff -q "$tmp/bindings.rs" "$ws/pager-sys/src/bindings.rs" >/dev/null; then
      echo "FAIL: bindings/rust/pager-sys/src/bindings.rs is stale (pager.h changed): run make rust-bindings"
      diff -u "$ws/pager-sys/src/bindings.rs" "$tmp/bindings.rs" | head -n 40
      status=1
    fi
    crate=$(sed -nE 's/^version = "([^"]+)"/\1/p' "$ws/Cargo.toml" | head -n1)
    if [[ $crate != "$(header_version)" ]]; then
      echo "FAIL: crate version $crate is not pager.h's $(header_version) (bindings/rust/Cargo.toml," \
           "and the =version of pager-sys in pager/Cargo.toml)"
      status=1
    fi
    [[ $status -eq 0 ]] && echo "ok: pregenerated bindings and crate version match pager.h"
    exit $status
    ;;
  package)
    out=$3
    xx=$(xxhash_sources)
    stage=$(mktemp -d) && trap 'rm -rf "$stage"' EXIT
    cp -r "$ws/Cargo.toml" "$ws/Cargo.lock" "$ws/pager-sys" "$ws/pager" "$stage/"
    rm -rf "$stage"/*/target
    # The crates' LICENSE-* are symlinks to the top level's (copied as links above).
    for c in pager-sys pager; do cp --remove-destination "$root"/LICENSE-{MIT,APACHE} "$stage/$c/"; done
    lp="$stage/pager-sys/libpager"
    mkdir -p "$lp" "$stage/pager-sys/xxhash"
    cp "$root/pager.h" "$lp/" && cp -r "$root/capi" "$root/impl" "$lp/"
    cp "$xx"/{xxhash.h,xxhash.c,xxh3.h,xxh_x86dispatch.h,xxh_x86dispatch.c,LICENSE} "$stage/pager-sys/xxhash/"
    export CARGO_TARGET_DIR="$build/rust-package/target-publish"
    rm -rf "$CARGO_TARGET_DIR/package"
    # `cargo publish --workspace` verifies libpager against the libpager-sys it just packaged,
    # unpacked under CARGO_HOME/registry/src/<tmp-registry>/ -- and it reuses an unpacked copy
    # of the same version from an earlier run even when the crate's contents changed (a new
    # pager.h function then looks missing). Drop those copies so verification sees this tree.
    rm -rf "${CARGO_HOME:-$HOME/.cargo}"/registry/src/-*/libpager{,-sys}-"$(header_version)"
    (cd "$stage" && cargo publish --dry-run --locked --workspace --allow-dirty < /dev/null &&
       cargo package --locked --workspace --allow-dirty --no-verify < /dev/null)
    mkdir -p "$out"
    cp "$CARGO_TARGET_DIR"/package/libpager{,-sys}-"$(header_version)".crate "$out/"
    ls -l "$out"
    ;;
  *) echo "usage: rust_crates.sh bindings|check|package BUILD_DIR [OUT_DIR]" >&2; exit 2 ;;
esac
