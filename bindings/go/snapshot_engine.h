/* C half of the Go snapshot adapter (snapshot_engine.go): trampolines from pager_cache_ops
 * into the exported Go functions, with a runtime/cgo.Handle as ctx. */
#ifndef PAGER_GO_SNAPSHOT_ENGINE_H
#define PAGER_GO_SNAPSHOT_ENGINE_H
#include <stddef.h>
#include <stdint.h>
#include "pager.h"

/* capture (restore = 0) or restore (restore = 1) through the Go engine behind handle;
 * releases = 1 sets release_pages (the engine implements SlotReleaser). parent_path may be
 * NULL. On failure pager_last_error() is copied into msg (NUL-terminated, truncated to
 * msg_cap) inside this same call. */
int pagergo_snapshot_run(uintptr_t handle, int restore, int releases, const char *path,
                         uint32_t compression, int32_t zstd_level, uint32_t threads,
                         uint32_t allow_nonempty, uint64_t copy_out_budget_bytes,
                         const char *parent_path, char *msg, uint64_t msg_cap);
#endif
