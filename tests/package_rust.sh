#!/usr/bin/env bash
# package_rust.sh BUILD_DIR
# Proves the Rust crates install as a user installs them (suite package_rust; prints
# "#result <passed> <failed>" for run_cmd.sh). Each numbered check counts once:
#   1 the pregenerated bindings and the crates' version match pager.h
#   2 `cargo publish --dry-run --workspace` passes (tools/rust_crates.sh package) and the
#     pager-sys .crate carries libpager's pager.h/capi/impl and xxHash with its licence
#   3 a fresh consumer project (`libpager = "0.2"`, the .crate files unpacked and used through
#     [patch.crates-io], as bindings/README.md says) builds against libpager installed into a
#     temporary prefix, found by pkg-config, and runs
#   4 the same consumer with `features = ["bundled"]`, no pkg-config path and no libpager on
#     the loader path, builds and runs, and its binary does not load libpager.so
#   5 the docs build as on docs.rs (DOCS_RS=1) with no libpager at all
# Warm runs reuse BUILD_DIR/rust-package/ (xxHash's sources, the unpacked crates at a fixed
# path, and the consumers' target directories), so only the consumer crate is recompiled.
set -u
build=$(cd "$1" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
work=$build/rust-package
tmp=$(mktemp -d /tmp/pager-package-rust.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
result() { # result NAME STATUS
  if [[ $2 -eq 0 ]]; then passed=$((passed + 1)); echo "PASS $1"
  else failed=$((failed + 1)); echo "FAIL $1"; fi
}
version=$(awk '/define PAGER_VERSION_(MAJOR|MINOR|PATCH)/ {v = v (v == "" ? "" : ".") $3} END {print v}' \
  "$root/pager.h")
minor=${version%.*}

"$root/tools/rust_crates.sh" check "$build"
result bindings_fresh $?

crates=$tmp/crates
"$root/tools/rust_crates.sh" package "$build" "$crates" > "$tmp/publish.log" 2>&1
rc=$?
[[ $rc -eq 0 ]] || tail -n 40 "$tmp/publish.log"
if [[ $rc -eq 0 ]]; then
  list=$(tar -tzf "$crates/libpager-sys-$version.crate")
  for f in libpager/pager.h libpager/capi/errors.cc libpager/impl/io/checksum.cc \
           src/bindings.rs xxhash/xxhash.h xxhash/xxhash.c xxhash/xxh_x86dispatch.c xxhash/LICENSE; do
    grep -qx "libpager-sys-$version/$f" <<<"$list" || { echo "pager-sys crate lacks $f"; rc=1; }
  done
fi
result publish_dry_run $rc

# The crates unpacked at a fixed path (warm builds reuse the consumers' target dirs).
unpacked=$work/unpacked
rm -rf "$unpacked" && mkdir -p "$unpacked"
for c in "$crates"/*.crate; do [[ -f $c ]] && tar -xzf "$c" -C "$unpacked"; done

consumer() { # consumer DIR FEATURES_TOML
  mkdir -p "$1/src"
  cat > "$1/Cargo.toml" <<EOF
[package]
name = "pager-consumer"
version = "0.1.0"
edition = "2021"

[dependencies]
libpager = { version = "$minor"$2 }

[patch.crates-io]
libpager = { path = "$unpacked/libpager-$version" }
libpager-sys = { path = "$unpacked/libpager-sys-$version" }
EOF
  cat > "$1/src/main.rs" <<'EOF'
use libpager::wal::Wal;
use libpager::walseg;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).expect("a scratch directory");
    let db = std::path::Path::new(&dir).join("db");
    let wal = Wal::create(&db, None)?;
    wal.stage_page(1, &[42u8; 4096])?;
    wal.commit()?;
    let page = wal.read_page(1)?;
    let log = std::path::Path::new(&dir).join("log");
    let w = walseg::Writer::open(&log, None)?;
    w.append(1, b"hello")?;
    w.close()?;
    let records: Vec<_> = walseg::Replay::open(&log, 0, None)?.records().collect::<Result<_, _>>()?;
    let err = Wal::create(&db, None).unwrap_err();
    let io: std::io::Error = err.into();
    println!("libpager {} page[0]={} records={} data={:?} again={:?}", libpager::version_string(),
             page[0], records.len(), String::from_utf8_lossy(&records[0].data), io.kind());
    Ok(())
}
EOF
}
expected="libpager $version page[0]=42 records=1 data=\"hello\" again=AlreadyExists"

check_run() { # check_run NAME OUTPUT_FILE
  if grep -qxF "$expected" "$2"; then return 0; fi
  echo "$1: expected '$expected', got:"; tail -n 30 "$2"; return 1
}

# 3: against an installed libpager (a temporary prefix, found by pkg-config).
prefix=$tmp/prefix
rc=0
make -C "$root" --no-print-directory -s install PREFIX="$prefix" >/dev/null || rc=1
consumer "$tmp/system" ""
mkdir -p "$tmp/run-system"
(cd "$tmp/system" && PKG_CONFIG_PATH="$prefix/lib/pkgconfig" \
   CARGO_TARGET_DIR="$work/target-system" cargo build -q < /dev/null &&
   LD_LIBRARY_PATH="$prefix/lib" "$work/target-system/debug/pager-consumer" "$tmp/run-system") \
  > "$tmp/system.log" 2>&1 || rc=1
check_run installed "$tmp/system.log" || rc=1
result consumer_installed $rc

# 4: bundled, with no libpager anywhere the build or the loader would look.
rc=0
consumer "$tmp/bundled" ', features = ["bundled"]'
mkdir -p "$tmp/run-bundled"
(cd "$tmp/bundled" && env -u LD_LIBRARY_PATH PKG_CONFIG_PATH="$tmp/none" PKG_CONFIG_LIBDIR="$tmp/none" \
   CARGO_TARGET_DIR="$work/target-bundled" cargo build -q < /dev/null &&
   env -u LD_LIBRARY_PATH "$work/target-bundled/debug/pager-consumer" "$tmp/run-bundled") \
  > "$tmp/bundled.log" 2>&1 || rc=1
check_run bundled "$tmp/bundled.log" || rc=1
if ldd "$work/target-bundled/debug/pager-consumer" | grep -q libpager; then
  echo "the bundled consumer loads libpager.so"; rc=1
fi
result consumer_bundled $rc

# 5: docs as docs.rs builds them: no libpager, no pkg-config path.
rc=0
consumer "$tmp/docs" ""
(cd "$tmp/docs" && DOCS_RS=1 PKG_CONFIG_PATH="$tmp/none" PKG_CONFIG_LIBDIR="$tmp/none" \
   CARGO_TARGET_DIR="$work/target-docs" cargo doc -q --no-deps -p libpager -p libpager-sys < /dev/null) \
  > "$tmp/docs.log" 2>&1 || rc=1
[[ $rc -eq 0 && -f $work/target-docs/doc/libpager/index.html ]] || { rc=1; tail -n 30 "$tmp/docs.log"; }
result docs_rs $rc

echo "#result $passed $failed"
[[ $failed -eq 0 ]]
