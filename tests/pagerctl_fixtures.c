/*
 * pagerctl_fixtures -- makes the files tests/pagerctl_test.py runs pagerctl on, through the
 * public C API only (one file of every format, as each component writes it).
 *
 *   pagerctl_fixtures make DIR            DIR/file.pages  page file: pages, protected pages
 *                                         DIR/db, DIR/db-wal  WAL pager, frames not checkpointed
 *                                         DIR/log/        WAL segments (several, rotated)
 *                                         DIR/full.kvs, DIR/incr.kvs  snapshots (incr: parent)
 *   pagerctl_fixtures future-version PATH  rewrites a page file's superblock as format
 *                                         version 3 with a valid checksum (a newer library's)
 *   pagerctl_fixtures hold PATH           opens the page file read-write (its exclusive lock),
 *                                         prints "ready", and holds it until stdin closes
 *   pagerctl_fixtures hold-wal PATH       the same for a WAL pager database
 *   pagerctl_fixtures append DIR N MS     appends N records (type 2, "live-<lsn>") to the
 *                                         segment directory, one every MS milliseconds
 *   pagerctl_fixtures big PATH            a page file of 20000 pages (80 MiB, sparse)
 *   pagerctl_fixtures crash-journaled PATH  opens the page file read-write, commits a new
 *                                         protected page (bytes 'z') and exits without
 *                                         closing: its -journal keeps the commit's batch
 *   pagerctl_fixtures scratch ROOT        a cold pager with a scratch directory under ROOT,
 *                                         prints "ready", holds it until stdin closes
 *   pagerctl_fixtures scratch-die ROOT    the same, but exits at once without closing: the
 *                                         directory of a dead process
 *   pagerctl_fixtures wal-txn PATH        a WAL pager of page size 1024 with two commits in
 *                                         its -wal: page 1 (bytes 'A'), then pages 2 and 3
 *                                         (bytes 'B', 'C') in one transaction (frames 0, 1, 2)
 *   pagerctl_fixtures churn-wal PATH      creates a WAL pager (page size 1024) and commits until
 *                                         stdin closes: commit n fills pages 1..255 with byte
 *                                         n % 251 after an 8-byte n; a PASSIVE checkpoint every
 *                                         8 commits; prints "ready" after the first commit and
 *                                         "commits N" at the end
 *   pagerctl_fixtures uniform-wal PATH    opens a WAL pager read-only and checks that one read
 *                                         transaction sees every page of one churn-wal commit:
 *                                         prints "commit n" (exit 0) or what is torn (exit 1)
 */
#define XXH_INLINE_ALL
#include <poll.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "pager.h"

#define CHECK(call)                                                                  \
  do {                                                                               \
    int rc_ = (call);                                                                \
    if (rc_ != PAGER_OK) {                                                           \
      fprintf(stderr, "%s:%d: %s: %s: %s\n", __FILE__, __LINE__, #call,              \
              pager_errstr(rc_), pager_last_error());                                \
      exit(1);                                                                       \
    }                                                                                \
  } while (0)

static char path_buf[4096];
static const char *at(const char *dir, const char *name) {
  snprintf(path_buf, sizeof path_buf, "%s/%s", dir, name);
  return path_buf;
}

static void make_page_file(const char *dir) {
  pager_file_options o;
  pager_file *f = NULL;
  uint64_t ids[40], pid = 0;
  pager_file_txn *txn = NULL;
  void *data = NULL;
  int i;
  pager_file_options_init(&o);
  o.page_size = 4096;
  o.max_size_bytes = (uint64_t)1 << 30;
  CHECK(pager_file_create(at(dir, "file.pages"), &o, &f));
  CHECK(pager_file_alloc_bulk(f, ids, 40));
  CHECK(pager_file_free_bulk(f, ids, 10));
  for (i = 0; i < 3; i++) {
    CHECK(pager_file_protected_alloc(f, &pid));
    CHECK(pager_file_txn_begin(f, &txn));
    CHECK(pager_file_txn_add(txn, pid, &data));
    memset(data, 'a' + i, 4096);
    CHECK(pager_file_txn_commit(txn));
    pager_file_txn_free(txn);
  }
  pager_file_close(f);
}

static void make_wal(const char *dir) {
  pager_wal_options o;
  pager_wal *w = NULL;
  unsigned char page[4096];
  uint32_t p, frames = 0;
  int round;
  pager_wal_options_init(&o);
  o.auto_checkpoint_frames = 0;
  CHECK(pager_wal_create(at(dir, "db"), &o, &w));
  CHECK(pager_wal_set_page_count(w, 9));
  for (p = 1; p < 9; p++) {
    memset(page, (int)p, sizeof page);
    CHECK(pager_wal_stage_page(w, p, page, sizeof page));
  }
  CHECK(pager_wal_commit(w, &frames));
  CHECK(pager_wal_checkpoint(w, NULL, &frames));
  for (round = 0; round < 3; round++) {
    memset(page, 100 + round, sizeof page);
    CHECK(pager_wal_stage_page(w, 2, page, sizeof page));
    CHECK(pager_wal_commit(w, &frames));
  }
  pager_wal_close(w);
}

static void make_walseg(const char *dir) {
  pager_walseg_options o;
  pager_walseg_writer *w = NULL;
  char rec[200];
  uint64_t lsn = 0;
  int i;
  pager_walseg_options_init(&o);
  o.segment_bytes = 4096;
  CHECK(pager_walseg_writer_open(at(dir, "log"), &o, &w));
  for (i = 0; i < 60; i++) {
    memset(rec, 'r', sizeof rec);
    CHECK(pager_walseg_append(w, 1, rec, sizeof rec, &lsn));
  }
  CHECK(pager_walseg_writer_close(w));
}

static void make_snapshots(const char *dir) {
  pager_cache_meta m;
  pager_refengine *e = NULL;
  pager_cache_ops ops;
  pager_snapshot_options so;
  uint32_t slots[4];
  unsigned char k[4 * 2 * 2 * 16 * 2], v[sizeof k];
  char full[4096];
  int i;
  pager_cache_meta_init(&m);
  m.tokens_per_page = 4;
  m.layers = 2;
  m.kv_heads = 2;
  m.head_dim = 16;
  m.dtype = PAGER_DTYPE_F16;
  CHECK(pager_refengine_create(&m, 8, &e));
  for (i = 0; i < 4; i++) {
    CHECK(pager_refengine_alloc_page(e, &slots[i]));
    memset(k, i + 1, sizeof k);
    memset(v, i + 11, sizeof v);
    CHECK(pager_refengine_write_page(e, slots[i], k, sizeof k, v, sizeof v));
  }
  CHECK(pager_refengine_set_seq(e, "seq-a", 5, slots, 4, 3));
  CHECK(pager_refengine_ops(e, &ops));
  snprintf(full, sizeof full, "%s/full.kvs", dir);
  CHECK(pager_snapshot_capture(&ops, full, NULL));
  memset(k, 99, sizeof k);
  CHECK(pager_refengine_write_page(e, slots[0], k, sizeof k, v, sizeof v));
  pager_snapshot_options_init(&so);
  so.parent_path = "full.kvs";
  CHECK(pager_snapshot_capture(&ops, at(dir, "incr.kvs"), &so));
  pager_refengine_free(e);
}

static int future_version(const char *path) {
  unsigned char sb[64];
  uint32_t version = 3;
  uint64_t sum;
  FILE *fp = fopen(path, "r+b");
  if (fp == NULL || fread(sb, 1, sizeof sb, fp) != sizeof sb) return 1;
  memcpy(sb + 8, &version, 4);
  sum = XXH3_64bits_withSeed(sb, 56, 0x4c50465355504552ull); /* "LPFSUPER" */
  memcpy(sb + 56, &sum, 8);
  if (fseek(fp, 0, SEEK_SET) != 0 || fwrite(sb, 1, sizeof sb, fp) != sizeof sb) return 1;
  return fclose(fp) == 0 ? 0 : 1;
}

static int hold(const char *path) {
  pager_file *f = NULL;
  pager_file_options o;
  pager_file_options_init(&o);
  /* The default reserve (1 TiB of address space) cannot be mapped under ThreadSanitizer. */
  o.max_size_bytes = (uint64_t)1 << 30;
  CHECK(pager_file_open(path, &o, &f));
  printf("ready\n");
  fflush(stdout);
  while (getchar() != EOF) {
  }
  pager_file_close(f);
  return 0;
}

static int hold_wal(const char *path) {
  pager_wal *w = NULL;
  CHECK(pager_wal_open(path, NULL, &w));
  printf("ready\n");
  fflush(stdout);
  while (getchar() != EOF) {
  }
  pager_wal_close(w);
  return 0;
}

static int append(const char *dir, int n, int ms) {
  pager_walseg_writer *w = NULL;
  uint64_t next = 0, durable = 0, lsn = 0;
  char rec[64];
  int i;
  struct timespec ts;
  ts.tv_sec = ms / 1000;
  ts.tv_nsec = (long)(ms % 1000) * 1000000L;
  CHECK(pager_walseg_writer_open(dir, NULL, &w));
  for (i = 0; i < n; i++) {
    CHECK(pager_walseg_writer_lsns(w, &next, &durable));
    snprintf(rec, sizeof rec, "live-%llu", (unsigned long long)next);
    CHECK(pager_walseg_append(w, 2, rec, strlen(rec), &lsn));
    nanosleep(&ts, NULL);
  }
  CHECK(pager_walseg_writer_close(w));
  return 0;
}

static int big(const char *path) {
  pager_file_options o;
  pager_file *f = NULL;
  pager_file_options_init(&o);
  o.initial_page_count = 20000;
  o.max_size_bytes = (uint64_t)1 << 30;
  CHECK(pager_file_create(path, &o, &f));
  pager_file_close(f);
  return 0;
}

static int crash_journaled(const char *path) {
  pager_file_options o;
  pager_file *f = NULL;
  pager_file_txn *txn = NULL;
  void *data = NULL;
  uint64_t pid = 0;
  pager_file_options_init(&o);
  o.page_size = 0;
  o.max_size_bytes = (uint64_t)1 << 30;
  CHECK(pager_file_open(path, &o, &f));
  CHECK(pager_file_protected_alloc(f, &pid));
  CHECK(pager_file_txn_begin(f, &txn));
  CHECK(pager_file_txn_add(txn, pid, &data));
  memset(data, 'z', 4096);
  CHECK(pager_file_txn_commit(txn));
  exit(0); /* no close: no checkpoint, the journal keeps its chain */
}

static int scratch(const char *root, int die) {
  pager_cold_options o;
  pager_cold *c = NULL;
  pager_cold_options_init(&o);
  o.scratch_root = root;
  CHECK(pager_cold_open(&o, &c));
  if (die) exit(0); /* no close: the directory stays, its lock goes with the process */
  printf("ready\n");
  fflush(stdout);
  while (getchar() != EOF) {
  }
  pager_cold_close(c);
  return 0;
}

static int wal_txn(const char *path) {
  pager_wal_options o;
  pager_wal *w = NULL;
  unsigned char page[1024];
  pager_wal_options_init(&o);
  o.page_size = 1024;
  o.auto_checkpoint_frames = 0;
  CHECK(pager_wal_create(path, &o, &w));
  CHECK(pager_wal_set_page_count(w, 4));
  memset(page, 'A', sizeof page);
  CHECK(pager_wal_stage_page(w, 1, page, sizeof page));
  CHECK(pager_wal_commit(w, NULL));
  memset(page, 'B', sizeof page);
  CHECK(pager_wal_stage_page(w, 2, page, sizeof page));
  memset(page, 'C', sizeof page);
  CHECK(pager_wal_stage_page(w, 3, page, sizeof page));
  CHECK(pager_wal_commit(w, NULL));
  pager_wal_close(w);
  return 0;
}

enum { kChurnPages = 256, kChurnPageSize = 1024 };

static void churn_page(uint64_t n, unsigned char *page) {
  memset(page, (int)(n % 251), kChurnPageSize);
  memcpy(page, &n, sizeof n);
}

static int stdin_closed(void) {
  struct pollfd p;
  p.fd = 0;
  p.events = POLLIN;
  return poll(&p, 1, 0) > 0;
}

static int churn_wal(const char *path) {
  pager_wal_options o;
  pager_wal *w = NULL;
  unsigned char page[kChurnPageSize];
  uint64_t n;
  uint32_t p;
  pager_wal_options_init(&o);
  o.page_size = kChurnPageSize;
  CHECK(pager_wal_create(path, &o, &w));
  CHECK(pager_wal_set_page_count(w, kChurnPages));
  for (n = 1; n == 1 || !stdin_closed(); n++) {
    churn_page(n, page);
    for (p = 1; p < kChurnPages; p++) CHECK(pager_wal_stage_page(w, p, page, sizeof page));
    CHECK(pager_wal_commit(w, NULL));
    if (n % 8 == 0) CHECK(pager_wal_checkpoint(w, NULL, NULL));
    if (n == 1) {
      printf("ready\n");
      fflush(stdout);
    }
  }
  printf("commits %llu\n", (unsigned long long)(n - 1));
  pager_wal_close(w);
  return 0;
}

static int uniform_wal(const char *path) {
  pager_wal_options o;
  pager_wal *w = NULL;
  pager_wal_read_txn *t = NULL;
  unsigned char page[kChurnPageSize], want[kChurnPageSize];
  uint32_t count = 0, p;
  uint64_t n = 0;
  pager_wal_options_init(&o);
  o.read_only = 1;
  CHECK(pager_wal_open(path, &o, &w));
  CHECK(pager_wal_read_txn_begin(w, &t));
  CHECK(pager_wal_read_txn_page_count(t, &count));
  if (count != kChurnPages) {
    printf("page count %u, not %d\n", count, kChurnPages);
    return 1;
  }
  for (p = 1; p < count; p++) {
    CHECK(pager_wal_read_txn_read_page(t, p, page, sizeof page));
    if (p == 1) memcpy(&n, page, sizeof n);
    churn_page(n, want);
    if (memcmp(page, want, sizeof page) != 0) {
      uint64_t got = 0;
      memcpy(&got, page, sizeof got);
      printf("torn: page 1 is from commit %llu, page %u from commit %llu\n",
             (unsigned long long)n, p, (unsigned long long)got);
      return 1;
    }
  }
  printf("commit %llu\n", (unsigned long long)n);
  pager_wal_read_txn_free(t);
  pager_wal_close(w);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "make") == 0) {
    make_page_file(argv[2]);
    make_wal(argv[2]);
    make_walseg(argv[2]);
    make_snapshots(argv[2]);
    return 0;
  }
  if (argc == 3 && strcmp(argv[1], "future-version") == 0) return future_version(argv[2]);
  if (argc == 3 && strcmp(argv[1], "hold") == 0) return hold(argv[2]);
  if (argc == 3 && strcmp(argv[1], "hold-wal") == 0) return hold_wal(argv[2]);
  if (argc == 5 && strcmp(argv[1], "append") == 0) return append(argv[2], atoi(argv[3]), atoi(argv[4]));
  if (argc == 3 && strcmp(argv[1], "big") == 0) return big(argv[2]);
  if (argc == 3 && strcmp(argv[1], "crash-journaled") == 0) return crash_journaled(argv[2]);
  if (argc == 3 && strcmp(argv[1], "scratch") == 0) return scratch(argv[2], 0);
  if (argc == 3 && strcmp(argv[1], "scratch-die") == 0) return scratch(argv[2], 1);
  if (argc == 3 && strcmp(argv[1], "wal-txn") == 0) return wal_txn(argv[2]);
  if (argc == 3 && strcmp(argv[1], "churn-wal") == 0) return churn_wal(argv[2]);
  if (argc == 3 && strcmp(argv[1], "uniform-wal") == 0) return uniform_wal(argv[2]);
  fprintf(stderr, "usage: pagerctl_fixtures make DIR | future-version PATH | hold PATH | "
                  "hold-wal PATH | append DIR N MS | big PATH | crash-journaled PATH | scratch ROOT | "
                  "scratch-die ROOT | wal-txn PATH | churn-wal PATH | uniform-wal PATH\n");
  return 2;
}
