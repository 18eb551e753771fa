/* C half of the Go snapshot adapter (snapshot_engine.go): trampolines from pager_cache_ops
 * into the exported Go functions, with a runtime/cgo.Handle as ctx. */
#ifndef PAGER_GO_SNAPSHOT_ENGINE_H
#define PAGER_GO_SNAPSHOT_ENGINE_H
#include <stddef.h>
#include <stdint.h>
#include "pager.h"

enum { PAGERGO_CAPTURE = 0, PAGERGO_RESTORE = 1, PAGERGO_CAPTURE_FD = 2 };

/* One snapshot operation and its options (pager_snapshot_options, flattened: the Go side
 * owns no C struct with a callback in it). */
typedef struct pagergo_snap {
  uintptr_t engine;   /* a Go engine's cgo.Handle, or a pager_refengine * (refengine = 1) */
  int refengine;
  int releases;       /* a Go engine that implements SlotReleaser: set release_pages */
  int mode;           /* PAGERGO_* */
  const char *path;   /* CAPTURE, RESTORE */
  int fd;             /* CAPTURE_FD */
  uint32_t compression;
  int32_t zstd_level; /* 0: the default */
  uint32_t threads;
  uint32_t allow_nonempty;
  uint32_t sync_fd;
  uint64_t copy_out_budget_bytes;
  const char *parent_path; /* may be NULL */
  uintptr_t progress; /* cgo.Handle of the Go progress state, 0: none */
} pagergo_snap;

/* Runs s. On failure pager_last_error() is copied into msg (NUL-terminated, truncated to
 * msg_cap) inside this same call. */
int pagergo_snapshot(const pagergo_snap *s, char *msg, uint64_t msg_cap);
#endif
