/*
 * make_golden.c -- writes one file of every on-disk format of this libpager version into a
 * directory (tests/golden/README.md lists the exact contents; tests/golden_test.cc checks
 * them). Run by hand through tests/golden/make_golden.sh, never by make test: the committed
 * files are the point, a regenerated set differs in its random ids, salts and timestamps.
 *
 * Content patterns (also in golden_test.cc):
 *   page file data page id    byte j = (id * 31 + j) & 0xff
 *   protected page id         byte j = (id * 17 + j * 3 + gen) & 0xff  (gen = commits to it)
 *   WAL page n, commit c      byte j = (n * 7 + c * 50 + j) & 0xff
 *   WAL app header            byte j = (0xA5 ^ j) & 0xff
 *   walseg record lsn L       type 1 (L odd) or 2 (L even); payload L*9 bytes, byte j = L + j
 *   snapshot K page of p      byte j = (p * 13 + j) & 0xff; V page: (p * 29 + j + 7) & 0xff
 */
#include <pager.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(call)                                                                    \
  do {                                                                                 \
    int rc_ = (call);                                                                  \
    if (rc_ != PAGER_OK) {                                                             \
      fprintf(stderr, "%s:%d: %s: %s (%s)\n", __FILE__, __LINE__, #call,               \
              pager_errstr(rc_), pager_last_error());                                  \
      exit(1);                                                                         \
    }                                                                                  \
  } while (0)

static char g_path[4096];
static const char *in_dir(const char *dir, const char *name) {
  snprintf(g_path, sizeof g_path, "%s/%s", dir, name);
  return g_path;
}

/* ---- page file ---------------------------------------------------------------------- */

static void protected_write(pager_file *f, uint64_t id, unsigned gen) {
  pager_file_txn *txn = NULL;
  void *data = NULL;
  unsigned j;
  CHECK(pager_file_protected_begin(f, id, &txn));
  CHECK(pager_file_txn_data(txn, &data));
  for (j = 0; j < 1024; j++) ((uint8_t *)data)[j] = (uint8_t)(id * 17 + j * 3 + gen);
  CHECK(pager_file_txn_commit(txn));
  pager_file_txn_free(txn);
}

static void make_page_file(const char *dir) {
  pager_file_options o;
  pager_file *f = NULL;
  uint64_t ids[6], p1 = 0, p2 = 0;
  unsigned i, j;
  pager_file_options_init(&o);
  o.page_size = 1024;
  o.initial_page_count = 8;
  CHECK(pager_file_create(in_dir(dir, "page_file.lpf"), &o, &f));
  for (i = 0; i < 6; i++) {
    void *data = NULL;
    CHECK(pager_file_alloc(f, &ids[i]));
    CHECK(pager_file_page(f, ids[i], &data));
    for (j = 0; j < 1024; j++) ((uint8_t *)data)[j] = (uint8_t)(ids[i] * 31 + j);
  }
  CHECK(pager_file_sync_pages(f, ids, 6));
  CHECK(pager_file_protected_alloc(f, &p1));
  CHECK(pager_file_protected_alloc(f, &p2));
  protected_write(f, p1, 1);
  protected_write(f, p1, 2); /* the second commit makes the other backing page active */
  protected_write(f, p2, 1);
  /* freed last, so that no later allocation reuses them */
  CHECK(pager_file_free(f, ids[1]));
  CHECK(pager_file_free(f, ids[4]));
  printf("page file: data pages %llu..%llu, freed %llu and %llu, protected %llu and %llu\n",
         (unsigned long long)ids[0], (unsigned long long)ids[5], (unsigned long long)ids[1],
         (unsigned long long)ids[4], (unsigned long long)p1, (unsigned long long)p2);
  pager_file_close(f);
}

/* ---- WAL pager ---------------------------------------------------------------------- */

static void wal_stage(pager_wal *h, uint32_t page, unsigned commit) {
  uint8_t buf[512];
  unsigned j;
  for (j = 0; j < sizeof buf; j++) buf[j] = (uint8_t)(page * 7 + commit * 50 + j);
  CHECK(pager_wal_stage_page(h, page, buf, sizeof buf));
}

static void make_wal(const char *dir) {
  pager_wal_options o;
  pager_wal *h = NULL;
  uint8_t app[PAGER_WAL_APP_HEADER_SIZE];
  uint32_t frames1 = 0, frames2 = 0;
  unsigned j;
  pager_wal_options_init(&o);
  o.page_size = 512;
  o.wal_prewrite_bytes = 0;     /* the WAL file holds exactly its frames */
  o.auto_checkpoint_frames = 0; /* the frames stay in the WAL */
  CHECK(pager_wal_create(in_dir(dir, "wal.db"), &o, &h));
  wal_stage(h, 1, 1);
  wal_stage(h, 2, 1);
  wal_stage(h, 3, 1);
  for (j = 0; j < sizeof app; j++) app[j] = (uint8_t)(0xA5 ^ j);
  CHECK(pager_wal_stage_app_header(h, app, sizeof app));
  CHECK(pager_wal_commit(h, &frames1));
  wal_stage(h, 2, 2);
  wal_stage(h, 4, 2);
  CHECK(pager_wal_commit(h, &frames2));
  printf("wal: commit 1 wrote %u data frames, commit 2 %u\n", frames1, frames2);
  pager_wal_close(h);
}

/* ---- WAL segments ------------------------------------------------------------------- */

static void make_walseg(const char *dir) {
  pager_walseg_options o;
  pager_walseg_writer *w = NULL;
  uint8_t payload[64];
  uint64_t lsn = 0, l;
  unsigned j;
  pager_walseg_options_init(&o);
  o.segment_bytes = 256;
  o.prewrite_bytes = 0;
  o.buffer_bytes = 0;
  CHECK(pager_walseg_writer_open(in_dir(dir, "walseg"), &o, &w));
  for (l = 1; l <= 7; l++) {
    for (j = 0; j < l * 9; j++) payload[j] = (uint8_t)(l + j);
    CHECK(pager_walseg_append(w, (uint16_t)(l % 2 ? 1 : 2), payload, l * 9, &lsn));
    if (lsn != l) {
      fprintf(stderr, "walseg: record %llu got LSN %llu\n", (unsigned long long)l,
              (unsigned long long)lsn);
      exit(1);
    }
  }
  CHECK(pager_walseg_writer_close(w));
  printf("walseg: 7 records\n");
}

/* ---- KV snapshot -------------------------------------------------------------------- */

static void engine_write(pager_refengine *e, uint32_t slot, uint32_t content) {
  uint8_t k[256], v[256];
  unsigned j;
  for (j = 0; j < 256; j++) {
    k[j] = (uint8_t)(content * 13 + j);
    v[j] = (uint8_t)(content * 29 + j + 7);
  }
  CHECK(pager_refengine_write_page(e, slot, k, sizeof k, v, sizeof v));
}

static void make_snapshots(const char *dir) {
  pager_cache_meta m;
  pager_refengine *e = NULL;
  pager_cache_ops ops;
  pager_snapshot_options so;
  uint32_t slot[5], i;
  uint64_t kb = 0, vb = 0;
  pager_cache_meta_init(&m);
  m.tokens_per_page = 4;
  m.layers = 2;
  m.kv_heads = 2;
  m.head_dim = 8;
  m.dtype = PAGER_DTYPE_F16;
  CHECK(pager_cache_meta_page_bytes(&m, &kb, &vb));
  if (kb != 256 || vb != 256) {
    fprintf(stderr, "snapshot: page bytes %llu/%llu, want 256\n", (unsigned long long)kb,
            (unsigned long long)vb);
    exit(1);
  }
  CHECK(pager_refengine_create(&m, 8, &e));
  for (i = 0; i < 4; i++) {
    CHECK(pager_refengine_alloc_page(e, &slot[i]));
    engine_write(e, slot[i], i);
  }
  CHECK(pager_refengine_set_seq(e, "alpha", 5, slot, 3, 3));
  CHECK(pager_refengine_set_seq(e, "beta", 4, &slot[3], 1, 4));
  memset(&ops, 0, sizeof ops);
  CHECK(pager_refengine_ops(e, &ops));
  pager_snapshot_options_init(&so);
  CHECK(pager_snapshot_capture(&ops, in_dir(dir, "kv_full.snap"), &so));
  /* incremental: page 1 rewritten, page 4 new, beta = pages 3, 4 */
  engine_write(e, slot[1], 10);
  CHECK(pager_refengine_alloc_page(e, &slot[4]));
  engine_write(e, slot[4], 4);
  CHECK(pager_refengine_set_seq(e, "beta", 4, &slot[3], 2, 1));
  so.parent_path = "kv_full.snap";
  CHECK(pager_snapshot_capture(&ops, in_dir(dir, "kv_incr.snap"), &so));
  printf("snapshot: slots %u %u %u %u %u\n", slot[0], slot[1], slot[2], slot[3], slot[4]);
  pager_refengine_free(e);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s EMPTY_DIR\n", argv[0]);
    return 2;
  }
  make_page_file(argv[1]);
  make_wal(argv[1]);
  make_walseg(argv[1]);
  make_snapshots(argv[1]);
  return 0;
}
