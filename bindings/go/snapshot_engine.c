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

static int tr_progress(void *ctx, uint64_t done_bytes, uint64_t total_bytes) {
  return pagergoProgress((uintptr_t)ctx, done_bytes, total_bytes);
}

/* The adapter of a Go engine (ctx: its cgo.Handle). */
static void go_ops(const pagergo_snap *s, pager_cache_ops *ops) {
  memset(ops, 0, sizeof *ops);
  ops->struct_size = sizeof *ops;
  ops->ctx = (void *)s->engine;
  ops->meta = tr_meta;
  ops->pause = tr_pause;
  ops->resume = tr_resume;
  ops->occupied_pages = tr_occupied;
  ops->logical_seqs = tr_seqs;
  ops->read_page = tr_read;
  ops->allocate_pages = tr_alloc;
  ops->write_page = tr_write;
  ops->install_logical_seqs = tr_install;
  if (s->releases) ops->release_pages = tr_release;
}

static void snap_options(const pagergo_snap *s, pager_snapshot_options *opts) {
  pager_snapshot_options_init(opts);
  opts->compression = s->compression;
  if (s->zstd_level != 0) opts->zstd_level = s->zstd_level;
  opts->threads = s->threads;
  opts->allow_nonempty = s->allow_nonempty;
  opts->sync_fd = s->sync_fd;
  opts->copy_out_budget_bytes = s->copy_out_budget_bytes;
  opts->parent_path = s->parent_path;
  if (s->progress) {
    opts->progress = tr_progress;
    opts->progress_ctx = (void *)s->progress;
  }
}

int pagergo_snapshot(const pagergo_snap *s, char *msg, uint64_t msg_cap) {
  pager_cache_ops ops;
  pager_snapshot_options opts;
  int rc = PAGER_OK;
  if (s->refengine) {
    rc = pager_refengine_ops((pager_refengine *)s->engine, &ops);
  } else {
    go_ops(s, &ops);
  }
  if (rc == PAGER_OK) {
    snap_options(s, &opts);
    switch (s->mode) {
      case PAGERGO_CAPTURE: rc = pager_snapshot_capture(&ops, s->path, &opts); break;
      case PAGERGO_RESTORE: rc = pager_snapshot_restore(&ops, s->path, &opts); break;
      default: rc = pager_snapshot_capture_fd(&ops, s->fd, &opts); break;
    }
  }
  if (rc != PAGER_OK && msg && msg_cap) {
    const char *m = pager_last_error();
    uint64_t n = m ? strlen(m) : 0;
    if (n >= msg_cap) n = msg_cap - 1;
    if (n) memcpy(msg, m, n);
    msg[n] = 0;
  }
  return rc;
}
