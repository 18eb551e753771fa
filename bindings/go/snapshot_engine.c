#include "snapshot_engine.h"

#include <string.h>

#include "_cgo_export.h"

static int tr_meta(void *ctx, pager_cache_meta *meta) {
  return pagergoMeta((uintptr_t)ctx, meta);
}
static int tr_pause(void *ctx) { return pagergoPause((uintptr_t)ctx); }
static int tr_resume(void *ctx) { return pagergoResume((uintptr_t)ctx); }
static int tr_occupied(void *ctx, pager_cache_sink *sink) {
  return pagergoOccupied((uintptr_t)ctx, sink);
}
static int tr_seqs(void *ctx, pager_cache_sink *sink) { return pagergoSeqs((uintptr_t)ctx, sink); }
static int tr_read(void *ctx, uint32_t page, void *k, uint64_t kn, void *v, uint64_t vn) {
  return pagergoRead((uintptr_t)ctx, page, k, kn, v, vn);
}
static int tr_alloc(void *ctx, uint32_t *slots, uint64_t count) {
  return pagergoAlloc((uintptr_t)ctx, slots, count);
}
static int tr_release(void *ctx, const uint32_t *slots, uint64_t count) {
  return pagergoRelease((uintptr_t)ctx, (uint32_t *)slots, count);
}
static int tr_write(void *ctx, uint32_t page, const void *k, uint64_t kn, const void *v,
                    uint64_t vn) {
  return pagergoWrite((uintptr_t)ctx, page, (void *)k, kn, (void *)v, vn);
}
static int tr_install(void *ctx, const pager_logical_seq *seqs, uint64_t count) {
  return pagergoInstall((uintptr_t)ctx, (pager_logical_seq *)seqs, count);
}

int pagergo_snapshot_run(uintptr_t handle, int restore, int releases, const char *path,
                         uint32_t compression, int32_t zstd_level, uint32_t threads,
                         uint32_t allow_nonempty, uint64_t copy_out_budget_bytes,
                         const char *parent_path, char *msg, uint64_t msg_cap) {
  pager_cache_ops ops;
  pager_snapshot_options opts;
  int rc;
  memset(&ops, 0, sizeof ops);
  ops.struct_size = sizeof ops;
  ops.ctx = (void *)handle;
  ops.meta = tr_meta;
  ops.pause = tr_pause;
  ops.resume = tr_resume;
  ops.occupied_pages = tr_occupied;
  ops.logical_seqs = tr_seqs;
  ops.read_page = tr_read;
  ops.allocate_pages = tr_alloc;
  ops.write_page = tr_write;
  ops.install_logical_seqs = tr_install;
  if (releases) ops.release_pages = tr_release;
  pager_snapshot_options_init(&opts);
  opts.compression = compression;
  if (zstd_level != 0) opts.zstd_level = zstd_level;
  opts.threads = threads;
  opts.allow_nonempty = allow_nonempty;
  opts.copy_out_budget_bytes = copy_out_budget_bytes;
  opts.parent_path = parent_path;
  rc = restore ? pager_snapshot_restore(&ops, path, &opts) : pager_snapshot_capture(&ops, path, &opts);
  if (rc != PAGER_OK && msg && msg_cap) {
    const char *m = pager_last_error();
    uint64_t n = m ? strlen(m) : 0;
    if (n >= msg_cap) n = msg_cap - 1;
    if (n) memcpy(msg, m, n);
    msg[n] = 0;
  }
  return rc;
}
