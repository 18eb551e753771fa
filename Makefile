# libpager -- every entry point: all, test, demo, install, uninstall, deps, fuzz, bench,
# bench-peers, bench-peers-large, clean.
#
#   make                 libpager.so.0.<minor>.<patch> (+ symlinks) and libpager.a in $(B)
#   make test            every suite; ends with one line "N passed, N failed"
#   make test SAN=address,undefined   or SAN=thread: the same under sanitizers
#   make demo            each component at work on files in a temp directory
#   make install         PREFIX=/usr/local DESTDIR= : header, libraries, pager.pc
#   make deps            installs missing Debian packages (apt-get as root, else prints it)
#   make bindings        the Go, Java and Rust bindings (tests: part of make test, or
#                        make test-go / test-java / test-rust)
#
# Components add sources under impl/<name>/, shims under capi/, tests as tests/*_test.cc,
# demos as examples/demo_*.c, fuzz harnesses as fuzz/*_fuzz.cc (plus fuzz/<name>/*.cc parts of
# harness <name>): all are picked up by wildcard.

SHELL := /bin/bash
.DEFAULT_GOAL := all

MAJOR := $(shell awk '/define PAGER_VERSION_MAJOR/ {print $$3}' pager.h)
MINOR := $(shell awk '/define PAGER_VERSION_MINOR/ {print $$3}' pager.h)
PATCH := $(shell awk '/define PAGER_VERSION_PATCH/ {print $$3}' pager.h)
VERSION := $(MAJOR).$(MINOR).$(PATCH)

PREFIX ?= /usr/local
DESTDIR ?=
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include

comma := ,
SAN ?=
B := build/$(if $(SAN),san-$(subst $(comma),-,$(SAN)),rel)

CXX ?= g++
CC ?= gcc
ifeq ($(origin CXX),default)
CXX := g++
endif
ifeq ($(origin CC),default)
CC := gcc
endif

SANFLAGS := $(if $(SAN),-fsanitize=$(SAN) -fno-omit-frame-pointer -fno-sanitize-recover=all,)
WARN := -Wall -Wextra -Werror -Wshadow -Wnon-virtual-dtor
CPPFLAGS := -I. -DPAGER_BUILDING_LIBRARY -D_GNU_SOURCE
CXXFLAGS := -std=c++17 -O2 -g $(WARN) -fvisibility=hidden -fvisibility-inlines-hidden -fPIC \
            -pthread $(SANFLAGS) $(EXTRA_CXXFLAGS)
CFLAGS_C99 := -std=c99 -pedantic -Wall -Wextra -Werror -O2 -g $(SANFLAGS)
LDLIBS := -pthread -lzstd -lxxhash
TEST_LDLIBS := /usr/lib/x86_64-linux-gnu/libgtest.a $(LDLIBS)

LIB_SRCS := $(sort $(wildcard capi/*.cc) $(wildcard impl/*/*.cc) $(wildcard impl/*/*/*.cc))
LIB_OBJS := $(LIB_SRCS:%.cc=$(B)/obj/%.o)
TEST_SRCS := $(sort $(wildcard tests/*_test.cc) $(wildcard tests/support/*.cc))
# Defined here, before SUITES (below) reads them with :=.
FUZZ_SRCS := $(sort $(wildcard fuzz/*_fuzz.cc))
FUZZ_NAMES := $(FUZZ_SRCS:fuzz/%_fuzz.cc=%)
TEST_OBJS := $(TEST_SRCS:%.cc=$(B)/obj/%.o)
DEMO_SRCS := $(sort $(wildcard examples/demo_*.c))
BENCH_SRCS := $(sort $(wildcard bench/*_bench.cc))

# Before 1.0 every minor version may break the ABI, so the SONAME carries the minor
# (libpager.so.0.2); from 1.0 on it is libpager.so.<major>. Policy: doc/abi.md.
SONAME := libpager.so.$(if $(filter 0,$(MAJOR)),$(MAJOR).$(MINOR),$(MAJOR))
SHLIB := $(B)/lib/libpager.so.$(VERSION)
STLIB := $(B)/lib/libpager.a
PAGERCTL := $(B)/bin/pagerctl
PCIN := pkgconfig/pager.pc.in

.PHONY: all lib test check-deps deps demo install uninstall clean bench bench-peers bench-peers-large fuzz abi-check abi-baseline \
        run-tests torture run-torture coverage print-% bindings bindings-go bindings-java \
        bindings-rust test-go test-java go-swig package-go \
        test-rust run-package_java package-java rust-bindings rust-package run-package_rust

all: lib $(B)/pkgconfig/pager-uninstalled.pc $(PAGERCTL)
lib: $(SHLIB) $(B)/lib/$(SONAME) $(B)/lib/libpager.so $(STLIB)

$(B)/obj/%.o: %.cc
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) -MMD -MP -c $< -o $@

$(SHLIB): $(LIB_OBJS) capi/pager.map
	@mkdir -p $(@D)
	$(CXX) -shared $(CXXFLAGS) -Wl,-soname,$(SONAME) -Wl,--version-script=capi/pager.map \
	  -Wl,--no-undefined -o $@ $(LIB_OBJS) $(LDLIBS)

$(B)/lib/$(SONAME): $(SHLIB)
	ln -sf libpager.so.$(VERSION) $@
$(B)/lib/libpager.so: $(B)/lib/$(SONAME)
	ln -sf $(SONAME) $@

$(STLIB): $(LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $(LIB_OBJS)

# pkg-config files: the installed one is written by `make install` itself from that call's
# PREFIX/LIBDIR/INCLUDEDIR (a file generated once would keep an earlier PREFIX); the
# uninstalled one points into this tree.
PC_SED = sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
             -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' $(PCIN)
$(B)/pkgconfig/pager-uninstalled.pc: $(PCIN) Makefile
	@mkdir -p $(@D)
	sed -e 's|@PREFIX@|$(CURDIR)|' -e 's|@LIBDIR@|$(CURDIR)/$(B)/lib|' \
	    -e 's|@INCLUDEDIR@|$(CURDIR)|' -e 's|@VERSION@|$(VERSION)|' $< > $@

# ---- pagerctl (tools/pagerctl): the shell tool; public C API only, linked with libpager.so --
# CLI11 and nlohmann-json are Debian's header-only packages (tools/deps.sh). The rpath
# $ORIGIN/../lib finds the library both in $(B)/lib and, installed, in $(PREFIX)/lib.
PAGERCTL_SRCS := $(sort $(wildcard tools/pagerctl/*.cc))
$(PAGERCTL): $(PAGERCTL_SRCS) pager.h $(SHLIB) $(B)/lib/libpager.so
	@mkdir -p $(@D)
	$(CXX) -std=c++17 -O2 -g $(WARN) $(SANFLAGS) -I. -o $@ $(PAGERCTL_SRCS) -L$(B)/lib \
	  -Wl,-rpath,'$$ORIGIN/../lib' -lpager

# ---- tests ---------------------------------------------------------------------------------
# Suite pagerctl: tests/pagerctl_test.py runs $(PAGERCTL) on files tests/pagerctl_fixtures.c
# makes through the C API (healthy, then damaged copies), validating every --json output
# against doc/pagerctl.schema.json.
PAGERCTL_FIXTURES := $(B)/tests/pagerctl_fixtures
$(PAGERCTL_FIXTURES): tests/pagerctl_fixtures.c pager.h $(SHLIB) $(B)/lib/libpager.so
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_C99) -D_POSIX_C_SOURCE=200809L -I. -o $@ $< -L$(B)/lib \
	  -Wl,-rpath,$(CURDIR)/$(B)/lib -lpager
run-pagerctl:
	@tests/run_cmd.sh pagerctl $(R) python3 tests/pagerctl_test.py $(PAGERCTL) \
	  $(PAGERCTL_FIXTURES) doc/pagerctl.schema.json

$(B)/tests/pager_tests: $(TEST_OBJS) $(STLIB)
	@mkdir -p $(@D)
	$(CXX) $(CXXFLAGS) -o $@ $(TEST_OBJS) $(STLIB) $(TEST_LDLIBS)

# Every tests/c99_*_test.c is its own strict-C99 program linked with the shared library.
C99_SRCS := $(sort $(wildcard tests/c99_*_test.c))
C99_NAMES := $(C99_SRCS:tests/%_test.c=%)
C99_BINS := $(C99_NAMES:%=$(B)/tests/%_test)
$(B)/tests/c99_%_test: tests/c99_%_test.c pager.h $(SHLIB) $(B)/lib/libpager.so
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_C99) -D_POSIX_C_SOURCE=200809L -I. -o $@ $< -L$(B)/lib \
	  -Wl,-rpath,$(CURDIR)/$(B)/lib -lpager

JOBS ?= $(shell nproc 2>/dev/null || echo 2)
R := $(B)/results
test: check-deps
	@$(MAKE) --no-print-directory -j$(JOBS) all $(B)/tests/pager_tests $(C99_BINS) $(TORTURE_BIN) \
	  $(PAGERCTL_FIXTURES) \
	  $(if $(SAN),,$(FUZZ_BINS))
	@$(if $(SAN),true,$(MAKE) --no-print-directory -j$(JOBS) -k $(BIND_PREREQS) || \
	  echo "binding wrappers failed to build: their suites will fail")
	@rm -rf $(R) && mkdir -p $(R)
	@$(MAKE) --no-print-directory -k run-tests; true
	@tests/summarize.sh $(R) $(SUITES)

# Each suite writes "<passed> <failed>" into $(R)/<suite>; summarize.sh adds them up.
SUITES := cpp abi abi_negative lint readme $(if $(SAN),,install) $(C99_NAMES) torture pagerctl \
          $(if $(SAN),,$(if $(FUZZ_NAMES),fuzz,)) \
          $(if $(SAN),,go java rust package_go package_java package_rust)
run-tests: $(SUITES:%=run-%)
run-cpp:
	@tests/run_gtest.sh cpp $(R) $(B)/tests/pager_tests
run-install:
	@tests/run_cmd.sh install $(R) tests/install_check.sh
run-c99_%:
	@tests/run_cmd.sh c99_$* $(R) $(B)/tests/c99_$*_test

# ---- ABI gate and header lint (doc/abi.md) -------------------------------------------------
# abi: SONAME, exported symbols (abi/pager.symbols) and the ABI as pager.h declares it against
# the committed baseline abi/libpager.abi + abi/pager.constants (abigail-tools: abidw/abidiff).
# abi_negative: a scratch library with one pager_file_options field changed must fail the gate.
# lint: tests/header_lint.py (its self-test, then pager.h and impl/).
# make abi-baseline regenerates the baseline from $(SHLIB); it refuses an incompatible change
# unless the SONAME changed too. make abi-check runs the abi suite alone.
ABI_DIR := abi
run-abi:
	@tests/run_cmd.sh abi $(R) tests/abi_check.sh $(SHLIB) $(SONAME) abi/pager.symbols $(ABI_DIR)
run-abi_negative:
	@CXX='$(CXX)' CPPFLAGS='$(CPPFLAGS)' CXXFLAGS='$(CXXFLAGS)' LDLIBS='$(LDLIBS)' CC='$(CC)' \
	  tests/run_cmd.sh abi_negative $(R) tests/abi_negative.sh $(SHLIB) $(SONAME) $(LIB_OBJS)
run-lint:
	@tests/run_cmd.sh lint $(R) python3 tests/header_lint.py --all
# Suite readme: every C block of README.md's quick starts compiles against pager.h (C99).
run-readme:
	@tests/run_cmd.sh readme $(R) python3 tests/readme_quickstart_test.py $(CC) README.md
abi-check: check-deps lib
	@tests/abi_check.sh $(SHLIB) $(SONAME) abi/pager.symbols $(ABI_DIR)
abi-baseline: check-deps lib
	@CC='$(CC)' tests/abi_baseline.sh $(SHLIB) pager.h $(ABI_DIR)

# ---- language bindings ---------------------------------------------------------------------
# bindings/swig/pager.i is the SWIG interface of Go and Java; Rust uses bindgen at cargo build
# time. All three build against this tree through $(B)/pkgconfig/pager-uninstalled.pc and
# run with LD_LIBRARY_PATH=$(B)/lib (see bindings/README.md). Not under SAN builds: the
# toolchains' own runtimes do not load sanitized libraries.
SWIG ?= swig
BIND_I := bindings/swig/pager.i
BIND_ENV = PKG_CONFIG_PATH=$(CURDIR)/$(B)/pkgconfig LD_LIBRARY_PATH=$(CURDIR)/$(B)/lib
JAVA_HOME ?= $(shell dirname "$$(dirname "$$(readlink -f "$$(command -v javac)")")")
JNI_CFLAGS = -I$(JAVA_HOME)/include -I$(JAVA_HOME)/include/linux

# Go: the SWIG output of the raw layer is committed (bindings/go/internal/capi/capi_swig.{go,c})
# so that the go tool alone builds the module against an installed libpager (pkg-config).
# `make go-swig` regenerates it after pager.i or pager.h change; the package_go suite fails
# while the committed files differ from a fresh SWIG run (tests/go_swig_fresh.sh). SWIG runs
# from the repository root with relative paths: its output is then byte-identical.
GO_CAPI := bindings/go/internal/capi
GO_SWIG := $(GO_CAPI)/capi_swig.go $(GO_CAPI)/capi_swig.c
go-swig:
	@tests/go_swig_fresh.sh --write $(SWIG) $(GO_CAPI)

# Java: classes in package dev.libpager under $(JB)/swig (Maven adds them as sources) and
# the JNI library $(JB)/libpager_jni.so: libpager.a, libstdc++ and zstd linked in statically,
# only Java_* exported (bindings/java/jni.map), no RUNPATH. A copy under $(JB)/native is the
# jar's resource /dev/libpager/native/linux-x86_64/libpager_jni.so.
JB := $(B)/java
JNI_PLATFORM := linux-x86_64
JNI_RES := $(JB)/native/dev/libpager/native/$(JNI_PLATFORM)/libpager_jni.so
$(JB)/pager_wrap.c: $(BIND_I) bindings/swig/java.i bindings/swig/java_types.i pager.h
	@rm -rf $(JB)/swig && mkdir -p $(JB)/swig/dev/libpager
	$(SWIG) -java -package dev.libpager -module Pager -I. -outdir $(JB)/swig/dev/libpager \
	  -o $@ $(BIND_I)
$(JB)/pager_wrap.o: $(JB)/pager_wrap.c
	$(CC) -c -fPIC -O2 -g -fno-strict-aliasing -fvisibility=hidden -Wall -Wextra -Werror \
	  $(JNI_CFLAGS) -I. -o $@ $<
$(JB)/libpager_jni.so: $(JB)/pager_wrap.o $(STLIB) bindings/java/jni.map
	$(CXX) -shared -o $@ $< $(STLIB) -Wl,--version-script=bindings/java/jni.map \
	  -Wl,--no-undefined -Wl,--exclude-libs,ALL -static-libstdc++ -static-libgcc \
	  -Wl,-Bstatic -lzstd -Wl,-Bdynamic -lxxhash -pthread -lm
$(JNI_RES): $(JB)/libpager_jni.so
	@mkdir -p $(@D)
	strip --strip-debug -o $@ $<

BIND_PREREQS := $(JB)/libpager_jni.so $(JNI_RES)

bindings: bindings-go bindings-java bindings-rust
bindings-go: all
	cd bindings/go && $(BIND_ENV) go build ./... && $(BIND_ENV) go vet ./...
bindings-java: all $(JB)/libpager_jni.so $(JNI_RES)
	cd bindings/java && mvn -B -q -Dstyle.color=never -DskipTests package -Dpager.build=$(CURDIR)/$(B) \
	  -Dpager.maven.dir=$(CURDIR)/$(JB)/maven
bindings-rust: all
	cd bindings/rust && $(BIND_ENV) CARGO_TARGET_DIR=$(CURDIR)/$(B)/rust cargo build --locked

# Suite package_go: the Go module built by the go tool alone, as bindings/README.md says,
# against a `make install` into a temp prefix (tests/package_go.sh).
run-package_go:
	@tests/run_cmd.sh package_go $(R) tests/package_go.sh $(SWIG)
package-go: check-deps all
	@mkdir -p $(R) && $(MAKE) --no-print-directory run-package_go

# package_java: the jar installed into a temporary Maven repository and used by a fresh
# consumer project, the JNI library installed into a temporary prefix (tests/package_java.sh).
run-package_java:
	@tests/run_cmd.sh package_java $(R) tests/package_java.sh $(B)
package-java: check-deps
	@$(MAKE) --no-print-directory -j$(JOBS) all $(BIND_PREREQS)
	@mkdir -p $(R) && $(MAKE) --no-print-directory run-package_java

# Rust crates (tools/rust_crates.sh): rust-bindings regenerates the committed FFI declarations
# bindings/rust/pager-sys/src/bindings.rs from pager.h (commit the result; the package_rust
# suite fails while they are stale); rust-package writes pager-sys and pager .crate files
# (cargo publish --dry-run; libpager's sources and xxHash's packaged inside pager-sys) to
# $(B)/rust-package/crates. Suite package_rust: tests/package_rust.sh.
rust-bindings: lib $(B)/pkgconfig/pager-uninstalled.pc
	tools/rust_crates.sh bindings $(B)
rust-package: all
	tools/rust_crates.sh package $(B) $(B)/rust-package/crates
run-package_rust:
	@tests/run_cmd.sh package_rust $(R) tests/package_rust.sh $(B)

run-go run-java run-rust: run-%:
	@tests/run_bindings.sh $* $(R) $(B)
test-go test-java test-rust: test-%: check-deps
	@$(MAKE) --no-print-directory -j$(JOBS) all $(BIND_PREREQS)
	@mkdir -p $(R) && tests/run_bindings.sh $* $(R) $(B)

# ---- demo ----------------------------------------------------------------------------------

DEMO_BINS := $(DEMO_SRCS:examples/%.c=$(B)/examples/%)
$(B)/examples/%: examples/%.c pager.h $(SHLIB) $(B)/lib/libpager.so
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_C99) -D_POSIX_C_SOURCE=200809L -I. -o $@ $< -L$(B)/lib \
	  -Wl,-rpath,$(CURDIR)/$(B)/lib -lpager

demo: check-deps
	@$(MAKE) --no-print-directory -j$(JOBS) all $(DEMO_BINS)
	@dir=$$(mktemp -d /tmp/libpager-demo.XXXXXX); \
	 echo "libpager $(VERSION) demo in $$dir"; \
	 for d in $(DEMO_BINS); do echo; echo "== $$(basename $$d)"; $$d "$$dir" || exit 1; done; \
	 files=$$(cd "$$dir" && ls -d * | grep -v -e '-wal$$' -e '-shm$$' -e '^cold-scratch$$'); \
	 echo; echo "== pagerctl info" $$files; (cd "$$dir" && $(CURDIR)/$(PAGERCTL) info $$files) || exit 1; \
	 echo; echo "== pagerctl verify" $$files; (cd "$$dir" && $(CURDIR)/$(PAGERCTL) verify $$files) || exit 1; \
	 rm -rf "$$dir"; echo; echo "demo finished"

# ---- install -------------------------------------------------------------------------------

BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
# The JNI library (self-contained: libpager linked in) goes to $(LIBDIR)/libpager_jni.so, on
# java.library.path for System.loadLibrary("pager_jni") or named by -Ddev.libpager.library.path.
# Built and installed when a JDK and swig are present (else install says it skipped it).
HAVE_JNI := $(and $(wildcard $(JAVA_HOME)/include/jni.h),$(shell command -v $(SWIG)))
install: lib $(PAGERCTL) $(if $(HAVE_JNI),$(JB)/libpager_jni.so)
	install -d $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(BINDIR) \
	  $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR)
	install -m 0755 $(PAGERCTL) $(DESTDIR)$(BINDIR)/pagerctl
	install -m 0644 doc/pagerctl.1 $(DESTDIR)$(MANDIR)/man1/pagerctl.1
	install -m 0644 tools/pagerctl/pagerctl.bash $(DESTDIR)$(BASHCOMPDIR)/pagerctl
	install -m 0644 pager.h $(DESTDIR)$(INCLUDEDIR)/pager.h
	install -m 0755 $(SHLIB) $(DESTDIR)$(LIBDIR)/
	ln -sf libpager.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libpager.so
	install -m 0644 $(STLIB) $(DESTDIR)$(LIBDIR)/
	$(PC_SED) > $(DESTDIR)$(LIBDIR)/pkgconfig/pager.pc && chmod 0644 $(DESTDIR)$(LIBDIR)/pkgconfig/pager.pc
	$(if $(HAVE_JNI),install -m 0755 $(JB)/libpager_jni.so $(DESTDIR)$(LIBDIR)/libpager_jni.so,\
	  @echo "install: no JDK or swig, libpager_jni.so not installed")

uninstall:
	rm -f $(DESTDIR)$(INCLUDEDIR)/pager.h $(DESTDIR)$(LIBDIR)/libpager.so.$(VERSION) \
	      $(DESTDIR)$(LIBDIR)/$(SONAME) $(DESTDIR)$(LIBDIR)/libpager.so \
	      $(DESTDIR)$(LIBDIR)/libpager.a $(DESTDIR)$(LIBDIR)/pkgconfig/pager.pc \
	      $(DESTDIR)$(BINDIR)/pagerctl $(DESTDIR)$(LIBDIR)/libpager_jni.so \
	      $(DESTDIR)$(MANDIR)/man1/pagerctl.1 $(DESTDIR)$(BASHCOMPDIR)/pagerctl

# ---- dependencies --------------------------------------------------------------------------

check-deps:
	@tools/deps.sh check || tools/deps.sh install

deps:
	@tools/deps.sh install

# ---- benchmarks ----------------------------------------------------------------------------

BENCH_BINS := $(BENCH_SRCS:bench/%.cc=$(B)/bench/%)
$(B)/bench/%: bench/%.cc $(wildcard bench/*.h) $(STLIB)
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) -o $@ $< $(STLIB) $(LDLIBS) $(BENCH_LDLIBS)
bench: check-deps
	@$(MAKE) --no-print-directory -j$(JOBS) lib $(BENCH_BINS)
	@for b in $(BENCH_BINS); do echo "== $$(basename $$b)"; $$b || exit 1; done

# ---- peers benchmark (make bench-peers) ----------------------------------------------------
# bench/peers: the same workloads through libpager (pager.h, linked with libpager.so as a user
# would), SQLite, LMDB and RocksDB, next to the raw floor (doc/performance.md). The peers'
# libraries (tools/deps.sh bench) are linked into this program only, never into libpager.
# PEERS_SCALE multiplies the transaction counts (default 1: a few minutes on a 2-core virtio
# box whose fdatasync takes ~120 us; PEERS_SCALE_1 for the 1-key workloads alone, which cost
# one flush per transaction), PEERS_REPS the repetitions (default 5). Writes $(B)/bench/peers.csv and, with
# gnuplot, $(B)/bench/peers.png (tools/plot_peers.sh).
PEERS_SRCS := $(sort $(wildcard bench/peers/*.cc))
PEERS_BIN := $(B)/bench/peers_bench
PEERS_DIR ?= $(if $(TMPDIR),$(TMPDIR),/tmp)
$(PEERS_BIN): $(PEERS_SRCS) bench/peers/engines.h pager.h $(SHLIB) $(B)/lib/libpager.so
	@mkdir -p $(@D)
	$(CXX) -std=c++17 -O2 -g $(WARN) -I. -o $@ $(PEERS_SRCS) -L$(B)/lib \
	  -Wl,-rpath,$(CURDIR)/$(B)/lib -lpager -lsqlite3 -llmdb -lrocksdb -pthread
bench-peers:
	@tools/deps.sh check build bench || tools/deps.sh install build bench
	@$(MAKE) --no-print-directory -j$(JOBS) lib $(PEERS_BIN)
	$(PEERS_BIN) --csv $(B)/bench/peers.csv $(PEERS_DIR)
	tools/plot_peers.sh $(B)/bench/peers.csv $(B)/bench/peers.png
# The same with a working set far larger than the page cache it may use (issue 13's "report,
# as figures"): PEERS_LARGE_KEYS keys (default 262144 = 1 GiB) in a memory cgroup of
# PEERS_LARGE_MIB (default 256 MiB, page cache included; tools/memlimit.sh, needs root or a
# delegated cgroup). Writes $(B)/bench/peers-large.csv and .png.
PEERS_LARGE_KEYS ?= 262144
PEERS_LARGE_MIB ?= 256
bench-peers-large:
	@tools/deps.sh check build bench || tools/deps.sh install build bench
	@$(MAKE) --no-print-directory -j$(JOBS) lib $(PEERS_BIN)
	PEERS_KEYS=$(PEERS_LARGE_KEYS) PEERS_MEMORY_MIB=$(PEERS_LARGE_MIB) \
	  tools/memlimit.sh $(PEERS_LARGE_MIB) $(PEERS_BIN) --csv $(B)/bench/peers-large.csv $(PEERS_DIR)
	tools/plot_peers.sh $(B)/bench/peers-large.csv $(B)/bench/peers-large.png

# ---- kill -9 torture -----------------------------------------------------------------------
# tools/torture: a child runs a random workload on each persistent component and reports every
# acknowledged step; the parent SIGKILLs it at random moments and checks, after reopening, that
# the files hold the acknowledged state or the one in flight (doc/testing.md). `make test`
# runs TORTURE_TEST_SECONDS per component; `make torture TORTURE_SECONDS=600` runs longer.
TORTURE_SECONDS ?= 60
TORTURE_TEST_SECONDS ?= 4
TORTURE_SRCS := $(sort $(wildcard tools/torture/*.cc))
TORTURE_BIN := $(B)/tools/pager_torture
$(TORTURE_BIN): $(TORTURE_SRCS:%.cc=$(B)/obj/%.o) $(STLIB)
	@mkdir -p $(@D)
	$(CXX) $(CXXFLAGS) -o $@ $^ $(LDLIBS)
torture: check-deps
	@$(MAKE) --no-print-directory -j$(JOBS) $(TORTURE_BIN)
	$(TORTURE_BIN) --seconds $(TORTURE_SECONDS) all
run-torture: $(TORTURE_BIN)
	@tests/run_cmd.sh torture $(R) $(TORTURE_BIN) --seconds $(TORTURE_TEST_SECONDS) all

# ---- coverage ------------------------------------------------------------------------------
# `make coverage`: the C++ and C99 suites built with --coverage -O0 in build/cov, then gcovr
# (Debian's gcovr) prints line and branch coverage of impl/ and capi/, together and each alone
# (throw branches and compiler-unreachable branches excluded; markers and goals:
# doc/testing.md). Not part of `make test`.
COV := build/cov
GCOVR_FLAGS := -r . --object-directory $(COV)/obj --filter 'impl/' --filter 'capi/' \
               --exclude-throw-branches --exclude-unreachable-branches
coverage:
	@tools/deps.sh check build test coverage || tools/deps.sh install build test coverage
	@$(MAKE) --no-print-directory -j$(JOBS) B=$(COV) EXTRA_CXXFLAGS="--coverage -O0" \
	  SAN= $(COV)/tests/pager_tests $(C99_NAMES:%=$(COV)/tests/%_test)
	@find $(COV) -name '*.gcda' -delete
	@GTEST_SHARDS=1 tests/run_gtest.sh cpp $(COV) $(COV)/tests/pager_tests > $(COV)/cpp.log 2>&1; \
	  tail -n 1 $(COV)/cpp.log
	@for t in $(C99_NAMES); do $(COV)/tests/$${t}_test > /dev/null 2>&1 || echo "$$t failed"; done
	@gcovr $(GCOVR_FLAGS) --txt $(COV)/coverage.txt --json $(COV)/coverage.json --print-summary \
	  | tee $(COV)/summary.txt
	@for d in impl capi; do echo "$$d/:"; gcovr -r . --add-tracefile $(COV)/coverage.json \
	  --filter "$$d/" --print-summary -o $(COV)/coverage-$$d.txt | sed 's/^/  /'; done \
	  | tee -a $(COV)/summary.txt
	@echo "per-file table: $(COV)/coverage.txt; branches per file: gcovr -r . --add-tracefile $(COV)/coverage.json -b"

# ---- fuzzing -------------------------------------------------------------------------------
# Every fuzz/<name>_fuzz.cc is a libFuzzer harness (clang, -fsanitize=fuzzer,address,undefined)
# with a committed seed corpus in fuzz/corpus/<name>/. `make test` replays each corpus and runs
# each harness for FUZZ_SECONDS; `make fuzz FUZZ_SECONDS=600` fuzzes longer.
FUZZ_SECONDS ?= 10
FB := build/fuzz
FUZZ_BINS := $(FUZZ_NAMES:%=$(FB)/%_fuzz)
FUZZ_CXX := clang++
FUZZ_FLAGS := -std=c++17 -O1 -g -fsanitize=fuzzer-no-link,address,undefined \
              -fno-sanitize-recover=undefined -fno-omit-frame-pointer -pthread $(WARN) \
              -Wno-unused-command-line-argument
FUZZ_LIB_OBJS := $(LIB_SRCS:%.cc=$(FB)/obj/%.o)

$(FB)/obj/%.o: %.cc
	@mkdir -p $(@D)
	$(FUZZ_CXX) $(CPPFLAGS) $(FUZZ_FLAGS) -MMD -MP -c $< -o $@
$(FB)/%_fuzz: $(FB)/obj/fuzz/%_fuzz.o $(FUZZ_LIB_OBJS)
	$(FUZZ_CXX) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)
# A harness too big for one file splits by responsibility into fuzz/<name>/*.cc (and headers
# there): those objects link into harness <name> too (extra prerequisites, same recipe).
FUZZ_PART_OBJS = $(patsubst %.cc,$(FB)/obj/%.o,$(sort $(wildcard fuzz/$(1)/*.cc)))
FUZZ_PART_SRCS := $(sort $(foreach n,$(FUZZ_NAMES),$(wildcard fuzz/$(n)/*.cc)))
$(foreach n,$(FUZZ_NAMES),$(eval $(FB)/$(n)_fuzz: $(call FUZZ_PART_OBJS,$(n))))

fuzz: check-deps $(FUZZ_BINS)
	@for n in $(FUZZ_NAMES); do mkdir -p $(FB)/corpus/$$n; \
	  $(FB)/$${n}_fuzz -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    $(FB)/corpus/$$n fuzz/corpus/$$n || exit 1; done

run-fuzz: $(FUZZ_BINS)
	@tests/run_cmd.sh fuzz $(R) tests/fuzz_replay.sh $(FB) $(FUZZ_SECONDS) $(FUZZ_NAMES)

clean:
	rm -rf build

print-%:
	@echo '$($*)'

# Objects of chained pattern rules (fuzz/, bench/) are kept, not deleted as intermediates.
.SECONDARY:

-include $(LIB_OBJS:.o=.d) $(TEST_OBJS:.o=.d) $(FUZZ_LIB_OBJS:.o=.d) \
         $(FUZZ_NAMES:%=$(FB)/obj/fuzz/%_fuzz.d) $(FUZZ_PART_SRCS:%.cc=$(FB)/obj/%.d) \
         $(TORTURE_SRCS:%.cc=$(B)/obj/%.d)
