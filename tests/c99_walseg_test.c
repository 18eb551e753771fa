/* Strict C99 test of the pager_walseg_* API through the shared library. Prints "#result P F". */
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
    printf("FAILED: %s (%s)\n", what, pager_last_error());
  }
}

static void remove_log(const char *dir) {
  char cmd[512];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) printf("could not remove %s\n", dir);
}

static void test_round_trip(const char *dir) {
  pager_walseg_options o;
  pager_walseg_writer *w = NULL;
  pager_walseg_replay *it = NULL;
  pager_walseg_record rec;
  uint64_t lsn = 0, next = 0, durable = 0, seg = 0, off = 0, last = 0;
  uint32_t found = 0, reason = 0;
  int i, n = 0, bytes_ok = 1;
  char payload[64];

  pager_walseg_options_init(&o);
  check(o.struct_size == sizeof o, "options_init");
  pager_walseg_options_init(NULL); /* void, NULL-safe */
  o.segment_bytes = 1024;
  o.sync_policy = PAGER_WALSEG_SYNC_GROUP;
  check(pager_walseg_writer_open(dir, &o, &w) == PAGER_OK, "writer_open");
  for (i = 0; i < 200; i++) {
    int len = snprintf(payload, sizeof payload, "record %d", i);
    if (pager_walseg_append(w, 1, payload, (uint64_t)len, &lsn) != PAGER_OK) break;
  }
  check(i == 200 && lsn == 200, "200 appends");
  check(pager_walseg_sync(w) == PAGER_OK, "sync");
  check(pager_walseg_writer_lsns(w, &next, &durable) == PAGER_OK && next == 201 && durable == 200,
        "lsns after sync");
  lsn = 77;
  check(pager_walseg_append(w, 1, payload, (uint64_t)1 << 40, &lsn) == PAGER_ERR_TOO_LARGE &&
            lsn == 77,
        "too large leaves lsn_out untouched");
  check(pager_walseg_writer_close(w) == PAGER_OK, "writer_close");

  check(pager_walseg_replay_open(dir, 150, NULL, &it) == PAGER_OK, "replay_open");
  for (;;) {
    if (pager_walseg_replay_next(it, &rec, &found) != PAGER_OK || !found) break;
    snprintf(payload, sizeof payload, "record %d", (int)(rec.lsn - 1));
    if (rec.len != strlen(payload) || memcmp(rec.data, payload, rec.len) != 0) bytes_ok = 0;
    n++;
  }
  check(n == 51, "replay from 150 returns 51 records");
  check(bytes_ok, "replayed payloads match");
  check(pager_walseg_replay_stop(it, &reason, &seg, &off, &last) == PAGER_OK &&
            reason == PAGER_WALSEG_STOP_CLEAN_END && last == 200,
        "replay ends cleanly at 200");
  pager_walseg_replay_close(it);
}

static void test_reader(const char *dir) {
  char path[700];
  pager_walseg_reader *r = NULL;
  pager_walseg_record rec;
  uint32_t found = 0, empty = 1, advised = 0, reason = 0;
  uint64_t off = 0, len = 0, stop_off = 0, last = 0;
  snprintf(path, sizeof path, "%s/0000000000000001.wal", dir);
  check(pager_walseg_reader_open(path, NULL, &r) == PAGER_OK, "reader_open");
  check(pager_walseg_reader_position(r, &off, &len, &empty, &advised) == PAGER_OK && off == 0 &&
            len > 0 && empty == 0,
        "reader_position");
  check(pager_walseg_reader_next(r, &rec, &found) == PAGER_OK && found == 1 && rec.lsn == 1,
        "first record");
  while (found) {
    if (pager_walseg_reader_next(r, &rec, &found) != PAGER_OK) break;
  }
  check(pager_walseg_reader_stop(r, &reason, &stop_off, &last) == PAGER_OK &&
            reason == PAGER_WALSEG_STOP_CLEAN_END && last >= 1,
        "reader stop");
  {
    char detail[64];
    uint64_t detail_len = 1;
    check(pager_walseg_reader_stop_detail(r, detail, sizeof detail, &detail_len) == PAGER_OK &&
              detail_len == 0 && detail[0] == '\0',
          "clean end has no detail");
    detail_len = 5;
    check(pager_walseg_reader_stop_detail(r, NULL, 4, &detail_len) == PAGER_ERR_INVALID &&
              detail_len == 5,
          "stop_detail: NULL buf with buf_len > 0 is invalid, len_out untouched");
  }
  check(pager_walseg_reader_release_pages(r) == PAGER_OK, "release_pages");
  pager_walseg_reader_close(r);
  pager_walseg_reader_close(NULL);
  check(pager_walseg_reader_open("/nonexistent/x.wal", NULL, &r) == PAGER_ERR_NOT_FOUND,
        "missing segment");
  {
    /* Only type 1 known: the pointer precedes its uint64_t count. */
    uint16_t known[1];
    pager_walseg_reader_options ro;
    known[0] = 1;
    pager_walseg_reader_options_init(&ro);
    ro.known_types = known;
    ro.known_type_count = 1;
    r = NULL;
    check(pager_walseg_reader_open(path, &ro, &r) == PAGER_OK, "reader_open with known types");
    check(pager_walseg_reader_next(r, &rec, &found) == PAGER_OK && found == 1 && rec.type == 1,
          "known type read");
    pager_walseg_reader_close(r);
    ro.struct_size = 8;
    r = NULL;
    check(pager_walseg_reader_open(path, &ro, &r) == PAGER_ERR_INVALID && r == NULL,
          "struct_size below 0.2 is invalid");
  }
}

int main(void) {
  char dir[] = "/tmp/c99_walseg_XXXXXX";
  char log[64];
  if (mkdtemp(dir) == NULL) {
    printf("mkdtemp failed\n");
    return 1;
  }
  snprintf(log, sizeof log, "%s/log", dir);
  test_round_trip(log);
  test_reader(log);
  check(pager_walseg_writer_close(NULL) == PAGER_OK, "close NULL");
  remove_log(dir);
  printf("#result %d %d\n", g_passed, g_failed);
  return g_failed == 0 ? 0 : 1;
}
