/* demo_wal: the WAL pager at work. Usage: demo_wal DIR */
#include <stdio.h>
#include <string.h>

#include "pager.h"

#define CHECK(call)                                                                  \
  do {                                                                               \
    int rc_ = (call);                                                                \
    if (rc_ != PAGER_OK) {                                                           \
      fprintf(stderr, "%s failed: %s: %s\n", #call, pager_errstr(rc_), pager_last_error()); \
      return 1;                                                                      \
    }                                                                                \
  } while (0)

static void print_stats(pager_wal *h, const char *when) {
  pager_wal_stats s;
  pager_wal_stats_init(&s);
  if (pager_wal_get_stats(h, &s) != PAGER_OK) return;
  printf("  %-22s commits=%llu frames=%llu wal_frames=%llu checkpoints=%llu syncs=%llu "
         "cache hit/miss=%llu/%llu\n",
         when, (unsigned long long)s.commits, (unsigned long long)s.frames_written,
         (unsigned long long)s.wal_frames, (unsigned long long)s.checkpoints,
         (unsigned long long)s.syncs, (unsigned long long)s.cache_hits,
         (unsigned long long)s.cache_misses);
}

int main(int argc, char **argv) {
  char path[512];
  pager_wal_options opts, ro_opts;
  pager_wal_checkpoint_options cp;
  pager_wal *db = NULL, *reader = NULL;
  unsigned char page[4096], app[PAGER_WAL_APP_HEADER_SIZE];
  uint32_t frames = 0, pages = 0, count = 0, page_size = 0, i;
  int rc;

  if (argc != 2) {
    fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  snprintf(path, sizeof path, "%s/demo.db", argv[1]);
  pager_wal_options_init(&opts); /* page_size 0: 4096 on create, the file's on open */
  CHECK(pager_wal_create(path, &opts, &db));
  CHECK(pager_wal_page_size(db, &page_size));
  printf("created %s (+ %s-wal), page size %u, durability FULL\n", path, path, page_size);

  for (i = 1; i <= 8; i++) {
    memset(page, (int)i, sizeof page);
    CHECK(pager_wal_stage_page(db, i, page, sizeof page));
  }
  memset(app, 0, sizeof app);
  strcpy((char *)app, "root=1 version=1");
  CHECK(pager_wal_stage_app_header(db, app, sizeof app));
  CHECK(pager_wal_commit(db, &frames));
  printf("commit 1: 8 pages staged -> %u data frames, one fdatasync\n", frames);

  for (i = 1; i <= 8; i++) {
    memset(page, (int)(i == 5 ? 55 : i), sizeof page);
    CHECK(pager_wal_stage_page(db, i, page, sizeof page));
  }
  CHECK(pager_wal_commit(db, &frames));
  printf("commit 2: 8 pages staged, 1 changed -> %u data frame\n", frames);
  print_stats(db, "after two commits:");

  {
    pager_wal_read_txn *snap = NULL;
    uint32_t copied = 0;
    CHECK(pager_wal_read_txn_begin(db, &snap));
    memset(page, 77, sizeof page);
    CHECK(pager_wal_stage_page(db, 5, page, sizeof page));
    CHECK(pager_wal_commit(db, &frames));
    CHECK(pager_wal_read_txn_read_page(snap, 5, page, sizeof page));
    printf("read txn begun before commit 3 (page 5 := 77) still reads page 5 byte 0 = %u\n",
           page[0]);
    CHECK(pager_wal_checkpoint(db, NULL, &copied));
    printf("passive checkpoint while that txn is open: %u pages copied (it needs the main "
           "file as it is)\n", copied);
    pager_wal_read_txn_free(snap);
  }

  pager_wal_options_init(&ro_opts);
  ro_opts.read_only = 1;
  rc = pager_wal_open(path, &ro_opts, &reader);
  printf("read-only open while the writer holds the file -> %s\n", pager_errstr(rc));

  CHECK(pager_wal_set_page_count(db, 4));
  CHECK(pager_wal_commit(db, &frames));
  pager_wal_checkpoint_options_init(&cp);
  cp.mode = PAGER_WAL_CHECKPOINT_TRUNCATE;
  CHECK(pager_wal_checkpoint(db, &cp, &pages));
  printf("shrink to 4 pages + truncate checkpoint: %u pages copied into the main file, "
         "the -wal file cut to 0 bytes\n", pages);
  print_stats(db, "after checkpoint:");
  pager_wal_close(db);

  CHECK(pager_wal_open(path, &ro_opts, &reader));
  CHECK(pager_wal_page_count(reader, &count));
  CHECK(pager_wal_read_page(reader, 3, page, sizeof page));
  CHECK(pager_wal_read_app_header(reader, app, sizeof app));
  printf("reopened read-only: page count %u, page 3 byte 0 = %u, app header \"%s\"\n", count,
         page[0], (const char *)app);
  rc = pager_wal_read_page(reader, 5, page, sizeof page);
  printf("page 5 after the shrink -> %s\n", pager_errstr(rc));
  pager_wal_close(reader);
  return 0;
}
