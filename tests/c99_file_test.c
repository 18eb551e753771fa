/* The mapped page file's C API compiled as strict C99 against pager.h and linked with the
 * shared library. Prints "#result P F". */
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

static void test_file(const char *path) {
  pager_file_options o;
  pager_file *f = NULL;
  uint64_t ids[4], id = 0, pid = 0, pid2 = 0, count = 0;
  uint32_t found = 0, ps = 0;
  void *p = NULL;
  const void *cp = NULL;
  pager_file_txn *txn = NULL;
  pager_file_iter *it = NULL;
  pager_file_subpages *s = NULL;
  char buf[1024], buf2[1024];
  pager_file_stats stats;
  int n = 0;

  pager_file_options_init(&o);
  o.page_size = 1024;
  o.max_size_bytes = (uint64_t)1 << 30;
  check(pager_file_create(path, &o, &f) == PAGER_OK, "create");
  check(pager_file_page_size(f, &ps) == PAGER_OK && ps == 1024, "page size");
  check(pager_file_alloc_bulk(f, ids, 4) == PAGER_OK, "alloc_bulk");
  check(pager_file_page(f, ids[0], &p) == PAGER_OK, "page pointer");
  memcpy(p, "c99", 4);
  check(pager_file_sync_pages(f, ids, 1) == PAGER_OK, "sync pages");
  check(pager_file_advise(f, 0, 0, PAGER_FILE_ADVICE_RANDOM) == PAGER_OK, "advise");
  check(pager_file_advise(f, 0, 0, 99) == PAGER_ERR_INVALID, "advise unknown");
  check(pager_file_free(f, 0) == PAGER_ERR_RESERVED, "free reserved");
  check(pager_file_free(f, 99999999) == PAGER_ERR_RANGE, "free out of range");
  check(pager_file_free(f, ids[3]) == PAGER_OK, "free");
  check(pager_file_free(f, ids[3]) == PAGER_ERR_DOUBLE_FREE, "double free");
  check(pager_file_protected_alloc(f, &pid) == PAGER_OK, "protected alloc");
  check(pager_file_protected_alloc(f, &pid2) == PAGER_OK, "protected alloc 2");
  check(pager_file_txn_begin(f, &txn) == PAGER_OK, "begin");
  check(pager_file_txn_add(txn, pid, &p) == PAGER_OK, "txn add");
  memcpy(p, "safe", 5);
  check(pager_file_txn_add(txn, pid2, &p) == PAGER_OK, "txn add 2");
  memcpy(p, "pair", 5);
  check(pager_file_txn_page_size(txn, &ps) == PAGER_OK && ps == 1024, "txn page size");
  check(pager_file_txn_page_count(txn, &count) == PAGER_OK && count == 2, "txn page count");
  check(pager_file_txn_data(txn, pid, &p) == PAGER_OK && strcmp(p, "safe") == 0, "txn data");
  check(pager_file_txn_commit(txn) == PAGER_OK, "commit");
  pager_file_txn_free(txn);
  check(pager_file_txn_begin(f, &txn) == PAGER_OK, "begin alloc");
  check(pager_file_txn_alloc_page(txn, &id, &p) == PAGER_OK && id != pid && id != pid2,
        "txn alloc page");
  memcpy(p, "born", 5);
  check(pager_file_txn_commit(txn) == PAGER_OK, "commit alloc");
  pager_file_txn_free(txn);
  check(pager_file_protected_read(f, id, buf, sizeof buf) == PAGER_OK && strcmp(buf, "born") == 0,
        "allocated page committed");
  check(pager_file_txn_begin(f, &txn) == PAGER_OK, "begin free");
  check(pager_file_txn_free_page(txn, id) == PAGER_OK, "txn free page");
  check(pager_file_txn_commit(txn) == PAGER_OK, "commit free");
  pager_file_txn_free(txn);
  check(pager_file_protected_read(f, id, buf, sizeof buf) == PAGER_ERR_NOT_FOUND,
        "freed page gone");
  memset(buf, 0, sizeof buf);
  memcpy(buf, "blind", 6);
  check(pager_file_txn_begin(f, &txn) == PAGER_OK, "begin write");
  check(pager_file_txn_write(txn, pid2, buf, sizeof buf) == PAGER_OK, "txn write");
  check(pager_file_txn_write(txn, pid2, buf, 3) == PAGER_ERR_INVALID, "txn write short");
  check(pager_file_txn_commit(txn) == PAGER_OK, "commit write");
  pager_file_txn_free(txn);
  memset(buf, 0, sizeof buf);
  check(pager_file_protected_read(f, pid2, buf, sizeof buf) == PAGER_OK &&
            strcmp(buf, "blind") == 0, "written page committed");
  pager_file_stats_init(&stats);
  check(pager_file_get_stats(f, &stats) == PAGER_OK && stats.format_version == 2 &&
            stats.syncs > 0 && stats.journal_bytes > 0,
        "stats");
  check(pager_file_txn_begin(f, &txn) == PAGER_OK, "begin 2");
  check(pager_file_txn_add(txn, pid, &p) == PAGER_OK, "txn add again");
  memcpy(p, "lost", 5);
  pager_file_txn_free(txn); /* abort */
  check(pager_file_subpages_create(f, 256, &s) == PAGER_OK, "subpages");
  check(pager_file_subpage_alloc(s, &id) == PAGER_OK, "subpage alloc");
  check(pager_file_subpage(s, id, &p) == PAGER_OK, "subpage pointer");
  check(pager_file_subpages_sub_page_size(s, &ps) == PAGER_OK && ps == 256, "sub-page size");
  check(pager_file_subpages_slot_count(s, &ps) == PAGER_OK && ps == 4, "slot count");
  check(pager_file_subpage_free(s, id) == PAGER_OK, "subpage free");
  pager_file_subpages_free(s);
  pager_file_close(f);

  o.read_only = 1;
  o.page_size = 0;
  check(pager_file_open(path, &o, &f) == PAGER_OK, "open read-only");
  check(pager_file_page_const(f, ids[0], &cp) == PAGER_OK && strcmp(cp, "c99") == 0,
        "content persisted");
  check(pager_file_protected_read(f, pid, buf, sizeof buf) == PAGER_OK &&
            strcmp(buf, "safe") == 0 &&
            pager_file_protected_read(f, pid2, buf2, sizeof buf2) == PAGER_OK &&
            strcmp(buf2, "blind") == 0,
        "protected content is the committed one");
  check(pager_file_alloc(f, &id) == PAGER_ERR_READONLY, "read-only refuses alloc");
  check(pager_file_iter_pages(f, &it) == PAGER_OK, "iter");
  while (pager_file_iter_next(it, &id, &found) == PAGER_OK && found) n++;
  pager_file_iter_free(it);
  check(n == 3, "three pages listed");
  check(pager_file_protected_count(f, &count) == PAGER_OK && count == 2, "protected count");
  pager_file_close(f);
}

/* format_version 1: no journal, reported by pager_file_check; an open asserting format 2
 * is PAGER_ERR_VERSION; a lap beside format 1 or below 1 MiB is PAGER_ERR_INVALID. */
static void test_format(const char *path) {
  pager_file_options o;
  pager_file *f = NULL;
  pager_check_report r;
  char journal[300];

  pager_file_options_init(&o);
  check(o.struct_size == 48 && o.format_version == 0 && o.journal_lap_bytes == 0,
        "options init: 48 bytes, format and lap default");
  o.max_size_bytes = (uint64_t)1 << 30;
  o.format_version = 1;
  o.journal_lap_bytes = (uint64_t)1 << 20;
  check(pager_file_create(path, &o, &f) == PAGER_ERR_INVALID, "lap with format 1 refused");
  o.journal_lap_bytes = 0;
  check(pager_file_create(path, &o, &f) == PAGER_OK, "create format 1");
  pager_file_close(f);
  snprintf(journal, sizeof journal, "%s-journal", path);
  check(access(journal, F_OK) != 0, "format 1 has no journal");
  pager_check_report_init(&r);
  check(pager_file_check(path, &r) == PAGER_OK && r.format_version == 1, "check: format 1");
  o.format_version = 2;
  check(pager_file_open(path, &o, &f) == PAGER_ERR_VERSION, "open asserting format 2");
  o.format_version = 0;
  o.journal_lap_bytes = ((uint64_t)1 << 20) - 1;
  check(pager_file_open(path, &o, &f) == PAGER_ERR_INVALID, "lap below 1 MiB refused");
}

int main(void) {
  char dir[] = "/tmp/pager-c99-file.XXXXXX";
  char path[256];
  if (mkdtemp(dir) == NULL) return 2;
  snprintf(path, sizeof path, "%s/file.pages", dir);
  test_file(path);
  unlink(path);
  snprintf(path, sizeof path, "%s/file.pages-journal", dir);
  unlink(path);
  snprintf(path, sizeof path, "%s/format1.pages", dir);
  test_format(path);
  unlink(path);
  rmdir(dir);
  printf("#result %d %d\n", g_passed, g_failed);
  return g_failed == 0 ? 0 : 1;
}
