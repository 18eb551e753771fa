#!/usr/bin/env bash
# deps.sh check|install [group...]
# The Debian packages libpager needs, and why each:
#   build:  g++ make pkg-config           the C++17 toolchain and pkg-config files
#           libxxhash-dev libxxhash0      XXH3-64, the checksum of every format: libpager links
#                                         libxxhash.so.0 (a runtime dependency) for its runtime
#                                         dispatch to AVX-512/AVX2 (XXH3_*_dispatch)
#           libzstd-dev                   optional snapshot compression
#           libcli11-dev                  pagerctl's arguments and --help (header-only CLI11):
#                                         subcommands, typed options, usage errors
#           nlohmann-json3-dev            pagerctl --json (header-only): correct escaping and
#                                         64-bit integers without a hand-written writer
#   test:   libgtest-dev                  GoogleTest for the C++ and C API suites
#           clang libclang-rt-14-dev      libFuzzer harnesses and their corpus replays
#           binutils                      nm/readelf for the ABI guard
#           abigail-tools                 abidw/abidiff: the ABI gate compares struct layouts
#                                         and signatures with abi/libpager.abi (doc/abi.md)
#           python3                       tests/header_lint.py (standard library only)
#           python3-jsonschema            tests/pagerctl_test.py validates every pagerctl --json
#                                         output against doc/pagerctl.schema.json
#   bindings: swig                        Java binding; Go: regenerating and freshness-checking
#                                         the committed wrapper (SWIG 4.1; users of the Go
#                                         module need no SWIG). Go >= 1.24 itself is not a
#                                         Debian package here (bookworm ships 1.19)
#           libclang-dev                  libclang for bindgen (the Rust pager-sys crate)
#   bench:  libsqlite3-dev liblmdb-dev librocksdb-dev   the peers benchmarks compare against
#                                         (make bench-peers; linked into bench/peers only)
#           gnuplot-nox                   tools/plot_peers.sh draws bench-peers' CSV as a PNG
#                                         chart (a well-kept plotting tool, no X needed)
#   coverage: gcovr                       line/branch coverage reports (make coverage): the
#                                         well-kept gcov front end, rather than a script of ours
# check: exit 1 (listing what is missing) if a package of the groups is not installed.
# install: apt-get install the missing ones when root; otherwise print the command.
set -u
mode=${1:-check}; shift || true
groups=${*:-build test bindings}
pkgs=()
for g in $groups; do
  case $g in
    build) pkgs+=(g++ make pkg-config libxxhash-dev libxxhash0 libzstd-dev libcli11-dev nlohmann-json3-dev) ;;
    test) pkgs+=(libgtest-dev clang libclang-rt-14-dev binutils abigail-tools python3
          python3-jsonschema) ;;
    bindings) pkgs+=(swig libclang-dev) ;;
    bench) pkgs+=(libsqlite3-dev liblmdb-dev librocksdb-dev gnuplot-nox) ;;
    coverage) pkgs+=(gcovr) ;;
    *) echo "deps.sh: unknown group $g" >&2; exit 2 ;;
  esac
done
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0
if [[ $mode == check ]]; then
  echo "missing Debian packages: ${missing[*]}"
  exit 1
fi
cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
  echo "libpager needs: ${missing[*]}. Run as root:"
  echo "  apt-get update && $cmd"
  exit 1
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq && $cmd
