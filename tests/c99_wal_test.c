/* The WAL pager's C API from strict C99 through the shared library. Prints "#result P F". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pager.h"

static int g_passed, g_failed;

static void check(int ok, const char *what) {
  if (ok) {
    g_passed++;
  } else {
    g_failed++;
    printf("FAILED: %s (last error: %s)\n", what, pager_last_error());
  }
}

static uint64_t g_scanned_frames;
static uint32_t g_last_state = 99;

static int count_frame(void *ctx, const pager_wal_frame_info *f) {
  (void)ctx;
  if (f->page_bytes != 1024 || f->page == NULL) return 1;
  g_scanned_frames++;
  g_last_state = f->state;
  return 0;
}

static void fill(unsigned char *buf, size_t len, unsigned seed) {
  size_t i;
  for (i = 0; i < len; i++) buf[i] = (unsigned char)(seed * 31u + i * 7u);
}

int main(void) {
  char dir[] = "/tmp/c99_wal_XXXXXX";
  char path[256], wal[300];
  pager_wal_options opts;
  pager_wal_checkpoint_options cp;
  pager_wal *h = NULL, *other = NULL;
  unsigned char page[1024], got[1024], app[PAGER_WAL_APP_HEADER_SIZE];
  uint32_t frames = 0, pages = 0, count = 0, mode = 9;
  pager_wal_stats stats;

  if (mkdtemp(dir) == NULL) return 2;
  snprintf(path, sizeof path, "%s/db", dir);
  snprintf(wal, sizeof wal, "%s-wal", path);

  pager_wal_options_init(&opts);
  pager_wal_options_init(NULL);
  check(opts.struct_size == sizeof opts, "struct_size");
  check(opts.page_size == 0 && opts.read_only == 0, "defaults fit create and open");
  opts.page_size = 1024;
  check(pager_wal_create(path, &opts, &h) == PAGER_OK, "create");
  fill(page, sizeof page, 1);
  check(pager_wal_stage_page(h, 1, page, sizeof page) == PAGER_OK, "stage page 1");
  check(pager_wal_stage_page(h, 3, page, sizeof page) == PAGER_OK, "stage page 3");
  memset(app, 0, sizeof app);
  memcpy(app, "schema=1", 8);
  check(pager_wal_stage_app_header(h, app, sizeof app) == PAGER_OK, "stage app header");
  check(pager_wal_commit(h, &frames) == PAGER_OK && frames == 2, "commit writes 2 frames");
  check(pager_wal_page_count(h, &count) == PAGER_OK && count == 4, "page count 4");
  check(pager_wal_read_page(h, 2, got, sizeof got) == PAGER_OK && got[0] == 0, "gap reads zero");
  check(pager_wal_read_page(h, 4, got, sizeof got) == PAGER_ERR_NOT_FOUND, "past the end");
  check(pager_wal_read_page(h, 0, got, sizeof got) == PAGER_ERR_RESERVED, "page 0 reserved");
  check(pager_wal_open(path, NULL, &other) == PAGER_ERR_BUSY && other == NULL, "second writer");
  check(pager_wal_checkpoint(h, NULL, &pages) == PAGER_OK && pages == 2, "checkpoint");
  check(pager_wal_checkpoint(h, NULL, &pages) == PAGER_OK && pages == 0,
        "checkpoint idempotent");
  check(pager_wal_stage_page(h, 2, page, sizeof page) == PAGER_OK, "stage page 2");
  check(pager_wal_commit(h, &frames) == PAGER_OK && frames == 1, "commit page 2");
  pager_wal_checkpoint_options_init(&cp);
  cp.mode = PAGER_WAL_CHECKPOINT_TRUNCATE;
  check(pager_wal_checkpoint(h, &cp, &pages) == PAGER_OK && pages == 1, "truncate checkpoint");
  check(access(wal, F_OK) == 0, "the WAL file stays (empty)");
  check(pager_wal_read_page(h, 1, got, 1000) == PAGER_ERR_INVALID, "wrong buffer length");
  pager_wal_stats_init(&stats);
  check(pager_wal_get_stats(h, &stats) == PAGER_OK && stats.commits == 2 &&
            stats.checkpoints == 2,
        "stats");
  {
    pager_wal_read_txn *t = NULL;
    unsigned char before[1024];
    check(pager_wal_read_page(h, 2, before, sizeof before) == PAGER_OK, "page 2 before");
    check(pager_wal_read_txn_begin(h, &t) == PAGER_OK && t != NULL, "read txn begin");
    fill(page, sizeof page, 9);
    check(pager_wal_stage_page(h, 2, page, sizeof page) == PAGER_OK, "stage page 2 again");
    check(pager_wal_commit(h, &frames) == PAGER_OK && frames == 1, "commit beside a reader");
    check(pager_wal_read_txn_read_page(t, 2, got, sizeof got) == PAGER_OK &&
              memcmp(got, before, sizeof got) == 0,
          "the read txn still sees the older page 2");
    check(pager_wal_read_txn_page_count(t, &count) == PAGER_OK && count == 4, "txn page count");
    {
      const uint8_t *view = NULL;
      check(pager_wal_read_txn_view_page(t, 2, &view) == PAGER_OK && view != NULL &&
                memcmp(view, before, sizeof before) == 0,
            "a view of the older page 2");
    }
    check(pager_wal_read_txn_read_app_header(t, app, sizeof app) == PAGER_OK &&
              memcmp(app, "schema=1", 8) == 0,
          "txn app header");
    pager_wal_read_txn_free(t);
    pager_wal_read_txn_free(NULL);
    fill(page, sizeof page, 1);
  }
  pager_wal_close(h);
  pager_wal_close(NULL);

  pager_wal_options_init(&opts);
  opts.read_only = 1;
  check(pager_wal_open(path, &opts, &h) == PAGER_OK, "open read-only");
  check(pager_wal_access_mode(h, &mode) == PAGER_OK && mode == PAGER_WAL_READ_ONLY, "mode");
  check(pager_wal_read_page(h, 3, got, sizeof got) == PAGER_OK && memcmp(got, page, 1024) == 0,
        "page 3 after reopen");
  check(pager_wal_read_app_header(h, app, sizeof app) == PAGER_OK &&
            memcmp(app, "schema=1", 8) == 0,
        "app header after reopen");
  check(pager_wal_commit(h, NULL) == PAGER_ERR_READONLY, "read-only commit");
  check(pager_wal_open(path, &opts, &other) == PAGER_OK, "two readers");
  pager_wal_close(other);
  pager_wal_close(h);

  {
    pager_wal_scan_options so;
    pager_wal_scan_summary sum;
    pager_wal_scan_options_init(&so);
    pager_wal_scan_options_init(NULL);
    pager_wal_scan_summary_init(&sum);
    pager_wal_scan_summary_init(NULL);
    so.max_frames = 1;
    check(pager_wal_scan_frames(wal, &so, count_frame, NULL, &sum) == PAGER_OK &&
              g_scanned_frames == 1 && g_last_state == PAGER_WAL_FRAME_COMMITTED,
          "scan the first frame");
    check(sum.struct_size == sizeof sum && sum.has_header == 1 && sum.page_size == 1024 &&
              sum.committed_frames >= 1 && sum.chain_frames >= sum.committed_frames,
          "scan summary");
    check(pager_wal_scan_frames(path, NULL, NULL, NULL, NULL) == PAGER_OK, "scan by main path");
    check(pager_wal_scan_frames("", NULL, NULL, NULL, NULL) == PAGER_ERR_INVALID, "scan: empty");
  }

  check(strcmp(pager_errstr(PAGER_ERR_POISONED), "PAGER_ERR_POISONED") == 0, "errstr");
  unlink(wal);
  unlink(path);
  rmdir(dir);
  printf("#result %d %d\n", g_passed, g_failed);
  return g_failed == 0 ? 0 : 1;
}
