/* The cold pager's C API compiled as strict C99 and linked with the shared library.
 * Prints "#result P F". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static int g_frees;
static void count_free(void *ctx, void *data, uint64_t len) {
  (void)len;
  *(int *)ctx += 1;
  free(data);
}

static void round_trip(pager_cold *c, uint32_t backend) {
  unsigned char a[3000], b[5000], out[8000];
  pager_cold_chunk chunks[2];
  pager_cold_range ranges[3];
  pager_cold_handle *h = NULL;
  pager_cold_pageout_options opts;
  size_t i;
  for (i = 0; i < sizeof a; i++) a[i] = (unsigned char)(i * 7);
  for (i = 0; i < sizeof b; i++) b[i] = (unsigned char)(i * 13 + 1);
  chunks[0].data = a;
  chunks[0].len = sizeof a;
  chunks[1].data = b;
  chunks[1].len = sizeof b;
  pager_cold_pageout_options_init(&opts);
  opts.checksums = 1;
  check(pager_cold_pageout_with(c, backend, chunks, 2, &opts, &h) == PAGER_OK, "pageout");
  check(pager_cold_len(h) == 8000, "len");
  check(pager_cold_backend_of(h) == backend, "backend_of");
  ranges[0].offset = 2990; /* spans the chunk boundary */
  ranges[0].len = 20;
  ranges[1].offset = 0;
  ranges[1].len = 0; /* ignored */
  ranges[2].offset = 0;
  ranges[2].len = 10;
  check(pager_cold_read_at_many(h, ranges, 3, out, sizeof out) == PAGER_OK, "read_at_many");
  check(memcmp(out, a + 2990, 10) == 0 && memcmp(out + 10, b, 10) == 0 &&
            memcmp(out + 20, a, 10) == 0,
        "request order");
  ranges[2].offset = 2995;
  ranges[2].len = 1;
  check(pager_cold_read_at_many(h, ranges, 3, out, sizeof out) == PAGER_ERR_OVERLAP, "overlap");
  check(strstr(pager_last_error(), "range #0") != NULL &&
            strstr(pager_last_error(), "range #2") != NULL,
        "overlap message names both");
  check(pager_cold_read_at(h, 7999, out, 2) == PAGER_ERR_RANGE, "out of bounds");
  check(pager_cold_take(h, out, sizeof out) == PAGER_OK, "take");
  check(memcmp(out, a, sizeof a) == 0 && memcmp(out + 3000, b, sizeof b) == 0, "take bytes");
}

static void owned_move(pager_cold *cold) {
  pager_cold_owned_chunk c;
  pager_cold_handle *h = NULL;
  pager_cold_buffer *buf = NULL;
  void *p = malloc(4096);
  memset(p, 9, 4096);
  c.data = p;
  c.len = 4096;
  c.free_fn = count_free;
  c.free_ctx = &g_frees;
  check(pager_cold_pageout_owned(cold, PAGER_COLD_BACKEND_SWAP, &c, 1, NULL, &h) == PAGER_OK,
        "pageout_owned");
  check(pager_cold_take_buffer(h, &buf) == PAGER_OK, "take_buffer");
  check(pager_cold_buffer_data(buf) == p, "take_buffer is a move");
  check(g_frees == 0, "not freed yet");
  pager_cold_buffer_free(buf);
  check(g_frees == 1, "freed once through free_fn");
}

static void stats_and_errors(pager_cold *c) {
  pager_cold_stats s;
  pager_cold_handle *h = NULL;
  uint32_t backend = 0;
  pager_cold_stats_init(&s);
  check(pager_cold_get_stats(c, &s) == PAGER_OK, "stats");
  check(pager_cold_reap("", 0, NULL, NULL) == PAGER_ERR_INVALID, "reap: empty root");
  check(pager_cold_reap("/nonexistent-pager-root", 0, NULL, NULL) == PAGER_ERR_NOT_FOUND,
        "reap: missing root");
  check(s.struct_size == sizeof s && s.file.struct_size == sizeof s.file, "stats sizes");
  check(s.file.pageout_count == 1 && s.swap.pageout_count == 2, "stats count pageouts");
  check(pager_cold_pageout(c, NULL, 0, &h) == PAGER_OK && pager_cold_len(h) == 0, "empty handle");
  pager_cold_free(h);
  pager_cold_free(NULL);
  check(pager_cold_set_backend(c, 5) == PAGER_ERR_INVALID, "bad backend");
  check(pager_cold_backend(c, &backend) == PAGER_OK && backend == PAGER_COLD_BACKEND_SWAP,
        "default backend");
}

/* A handle outlives its pager: readable after pager_cold_close until freed. */
static void handle_after_close(const char *root) {
  pager_cold_options o;
  pager_cold *c = NULL;
  pager_cold_handle *h = NULL;
  pager_cold_chunk chunk;
  unsigned char bytes[100], back[100];
  char dir[8];
  uint64_t len = 0;
  memset(bytes, 0x3C, sizeof bytes);
  pager_cold_options_init(&o);
  o.backend = PAGER_COLD_BACKEND_FILE;
  o.scratch_root = root;
  check(pager_cold_open(&o, &c) == PAGER_OK, "open a second pager");
  check(pager_cold_scratch_dir(c, dir, sizeof dir, &len) == PAGER_OK && len >= sizeof dir &&
            strlen(dir) == sizeof dir - 1,
        "scratch_dir truncates and reports the full length");
  chunk.data = bytes;
  chunk.len = sizeof bytes;
  check(pager_cold_pageout(c, &chunk, 1, &h) == PAGER_OK, "pageout to the file backend");
  pager_cold_close(c);
  check(pager_cold_read_at(h, 0, back, sizeof back) == PAGER_OK &&
            memcmp(back, bytes, sizeof back) == 0,
        "read after close");
  pager_cold_free(h);
}

static int g_live;
static int count_live(void *ctx, const char *lock_path, uint32_t state) {
  (void)ctx;
  (void)lock_path;
  if (state == PAGER_COLD_SCRATCH_LIVE) g_live++;
  return 0;
}

int main(void) {
  const char *base = getenv("TMPDIR");
  char root[4096];
  pager_cold *c = NULL;
  snprintf(root, sizeof root, "%s/libpager-cold-tests", base && *base ? base : "/tmp");
  check(pager_cold_open(NULL, &c) == PAGER_OK, "open");
  check(pager_cold_set_scratch_dir(c, root) == PAGER_OK, "set_scratch_dir");
  check(pager_cold_reap(root, 0, count_live, NULL) == PAGER_OK && g_live == 1,
        "reap: this pager's own scratch directory is live");
  round_trip(c, PAGER_COLD_BACKEND_SWAP);
  round_trip(c, PAGER_COLD_BACKEND_FILE);
  owned_move(c);
  stats_and_errors(c);
  pager_cold_close(c);
  handle_after_close(root);
  printf("#result %d %d\n", g_passed, g_failed);
  return g_failed == 0 ? 0 : 1;
}
