/* The snapshot C API from strict C99 through the shared library: the reference engine, and a
 * hand-written C adapter (a toy engine whose allocator hands out slots from the top down).
 * Prints "#result P F". Takes an optional directory argument (default: a mkdtemp dir). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pager.h"


static uint64_t g_listed_pages, g_listed_seq_pages;
static int count_page(void *ctx, const pager_snapshot_page *p) {
  (void)ctx;
  if (p->struct_size == sizeof *p && p->index == g_listed_pages) g_listed_pages++;
  return 0;
}
static int count_seq(void *ctx, const pager_snapshot_seq *s) {
  (void)ctx;
  if (s->id_bytes == 6 && memcmp(s->id, "req-42", 6) == 0) g_listed_seq_pages += s->page_count;
  return 0;
}

static int g_passed, g_failed;

static void check(int ok, const char *what) {
  if (ok) {
    g_passed++;
  } else {
    g_failed++;
    printf("FAILED: %s (last error: %s)\n", what, pager_last_error());
  }
}

/* ---- a toy engine in C: 8 slots of (K 16 bytes, V 16 bytes), one sequence ---------------- */

#define TOY_SLOTS 8
#define TOY_PAGE 16

typedef struct toy {
  unsigned char k[TOY_SLOTS][TOY_PAGE], v[TOY_SLOTS][TOY_PAGE];
  int used[TOY_SLOTS];
  char seq_id[32];
  uint32_t seq_pages[TOY_SLOTS];
  uint64_t seq_len;
  uint32_t seq_fill;
  int paused;
  int fail_write; /* adapter code returned by write_page when non-zero */
} toy;

static int toy_meta(void *ctx, pager_cache_meta *m) {
  (void)ctx;
  m->tokens_per_page = 2; /* 2 tokens x 1 layer x 2 heads x 4 dims x f16 = 16 bytes */
  m->layers = 1;
  m->kv_heads = 2;
  m->head_dim = 2;
  m->dtype = PAGER_DTYPE_F16;
  return 0;
}
static int toy_pause(void *ctx) { ((toy *)ctx)->paused = 1; return 0; }
static int toy_resume(void *ctx) { ((toy *)ctx)->paused = 0; return 0; }
static int toy_occupied(void *ctx, pager_cache_sink *sink) {
  toy *t = (toy *)ctx;
  uint32_t i;
  for (i = 0; i < TOY_SLOTS; i++) {
    if (t->used[i] && pager_cache_sink_add_pages(sink, &i, 1) != PAGER_OK) return -1;
  }
  return 0;
}
static int toy_seqs(void *ctx, pager_cache_sink *sink) {
  toy *t = (toy *)ctx;
  if (t->seq_id[0] == '\0') return 0;
  return pager_cache_sink_add_seq(sink, t->seq_id, (uint64_t)strlen(t->seq_id), t->seq_pages,
                                  t->seq_len, t->seq_fill);
}
static int toy_read(void *ctx, uint32_t page, void *k, uint64_t kb, void *v, uint64_t vb) {
  toy *t = (toy *)ctx;
  if (page >= TOY_SLOTS || !t->used[page] || kb != TOY_PAGE || vb != TOY_PAGE) return -2;
  memcpy(k, t->k[page], TOY_PAGE);
  memcpy(v, t->v[page], TOY_PAGE);
  return 0;
}
static int toy_allocate(void *ctx, uint32_t *slots, uint64_t n) {
  toy *t = (toy *)ctx;
  uint64_t got = 0;
  int i;
  for (i = TOY_SLOTS - 1; i >= 0 && got < n; i--) {
    if (!t->used[i]) {
      t->used[i] = 1;
      slots[got++] = (uint32_t)i;
    }
  }
  return got == n ? 0 : -3;
}
static int toy_release(void *ctx, const uint32_t *slots, uint64_t n) {
  toy *t = (toy *)ctx;
  uint64_t i;
  for (i = 0; i < n; i++) {
    if (slots[i] >= TOY_SLOTS || !t->used[slots[i]]) return -6;
    t->used[slots[i]] = 0;
  }
  return 0;
}
static int toy_used(const toy *t) {
  int i, n = 0;
  for (i = 0; i < TOY_SLOTS; i++) n += t->used[i];
  return n;
}
static int toy_write(void *ctx, uint32_t page, const void *k, uint64_t kb, const void *v,
                     uint64_t vb) {
  toy *t = (toy *)ctx;
  if (t->fail_write) return t->fail_write;
  if (page >= TOY_SLOTS || kb != TOY_PAGE || vb != TOY_PAGE) return -4;
  memcpy(t->k[page], k, TOY_PAGE);
  memcpy(t->v[page], v, TOY_PAGE);
  return 0;
}
static int toy_install(void *ctx, const pager_logical_seq *seqs, uint64_t count) {
  toy *t = (toy *)ctx;
  if (count != 1 || seqs[0].id_bytes >= sizeof t->seq_id || seqs[0].page_count > TOY_SLOTS) {
    return -5;
  }
  memcpy(t->seq_id, seqs[0].id, seqs[0].id_bytes);
  t->seq_id[seqs[0].id_bytes] = '\0';
  memcpy(t->seq_pages, seqs[0].pages, (size_t)seqs[0].page_count * sizeof(uint32_t));
  t->seq_len = seqs[0].page_count;
  t->seq_fill = seqs[0].fill_last_page;
  return 0;
}

static pager_cache_ops toy_ops(toy *t) {
  pager_cache_ops ops;
  memset(&ops, 0, sizeof ops);
  ops.struct_size = sizeof ops;
  ops.ctx = t;
  ops.meta = toy_meta;
  ops.pause = toy_pause;
  ops.resume = toy_resume;
  ops.occupied_pages = toy_occupied;
  ops.logical_seqs = toy_seqs;
  ops.read_page = toy_read;
  ops.allocate_pages = toy_allocate;
  ops.write_page = toy_write;
  ops.install_logical_seqs = toy_install;
  ops.release_pages = toy_release;
  return ops;
}

static int cancel_now(void *ctx, uint64_t done, uint64_t total) {
  (void)ctx;
  (void)done;
  (void)total;
  return 1;
}

static void test_toy_to_refengine_and_back(const char *dir) {
  toy *src = (toy *)calloc(1, sizeof(toy));
  toy *back = (toy *)calloc(1, sizeof(toy));
  pager_cache_ops sops = toy_ops(src), bops = toy_ops(back), rops;
  pager_refengine *ref = NULL;
  pager_cache_meta meta;
  pager_snapshot_info info;
  pager_snapshot_options opts;
  char p1[512], p2[512];
  uint32_t pages[4], fill = 0;
  uint64_t n = 0;
  int i;
  sprintf(p1, "%s/toy.kvs", dir);
  sprintf(p2, "%s/ref.kvs", dir);
  for (i = 0; i < 3; i++) {
    src->used[2 * i] = 1;
    memset(src->k[2 * i], 0xA0 + i, TOY_PAGE);
    memset(src->v[2 * i], 0xB0 + i, TOY_PAGE);
  }
  strcpy(src->seq_id, "req-42");
  src->seq_pages[0] = 4;
  src->seq_pages[1] = 0;
  src->seq_len = 2;
  src->seq_fill = 1;

  check(pager_snapshot_capture(&sops, p1, NULL) == PAGER_OK, "capture the toy engine");
  check(!src->paused, "toy resumed after capture");
  pager_snapshot_info_init(&info);
  check(pager_snapshot_inspect(p1, &info) == PAGER_OK && info.page_count == 3 &&
            info.seq_count == 1 && info.k_page_bytes == TOY_PAGE,
        "inspect toy snapshot");
  g_listed_pages = 0;
  g_listed_seq_pages = 0;
  check(pager_snapshot_list(p1, count_page, count_seq, NULL) == PAGER_OK && g_listed_pages == 3 &&
            g_listed_seq_pages == 2,
        "list the toy snapshot's pages and sequence");

  pager_cache_meta_init(&meta);
  toy_meta(NULL, &meta);
  check(pager_refengine_create(&meta, 16, &ref) == PAGER_OK, "create reference engine");
  check(pager_refengine_ops(ref, &rops) == PAGER_OK, "reference engine ops");
  check(pager_snapshot_restore(&rops, p1, NULL) == PAGER_OK, "restore into reference engine");
  check(pager_refengine_get_seq(ref, "req-42", 6, pages, 4, &n, &fill) == PAGER_OK && n == 2 &&
            fill == 1,
        "sequence installed in reference engine");
  check(pager_snapshot_capture(&rops, p2, NULL) == PAGER_OK, "capture the reference engine");

  /* Back into a toy engine whose allocator hands out 7, 6, 5: the pages move, the sequence
   * follows them. */
  check(pager_snapshot_restore(&bops, p2, NULL) == PAGER_OK, "restore into toy engine");
  check(back->seq_len == 2 && back->seq_fill == 1 && strcmp(back->seq_id, "req-42") == 0,
        "sequence installed in toy engine");
  check(back->seq_pages[0] != 4 && back->seq_pages[0] >= 5, "page list remapped");
  check(memcmp(back->k[back->seq_pages[0]], src->k[4], TOY_PAGE) == 0 &&
            memcmp(back->v[back->seq_pages[1]], src->v[0], TOY_PAGE) == 0,
        "page contents follow the sequence");

  /* A failing callback: its code is in the message, the engine is resumed. */
  memset(back, 0, sizeof(toy));
  back->fail_write = -77;
  check(pager_snapshot_restore(&bops, p2, NULL) == PAGER_ERR_CALLBACK, "write_page failure");
  check(strstr(pager_last_error(), "write_page") != NULL &&
            strstr(pager_last_error(), "-77") != NULL,
        "callback name and adapter code in the message");
  check(!back->paused, "toy resumed after a failed restore");
  check(toy_used(back) == 0, "release_pages gave the allocated slots back");

  /* Reference engine statistics and geometry getters (C8 result structs). */
  {
    pager_refengine_stats st;
    pager_cache_meta got;
    uint32_t cap = 0;
    pager_refengine_stats_init(&st);
    check(pager_refengine_get_stats(ref, &st) == PAGER_OK && st.occupied_pages == 3 &&
              st.seq_count == 1 && st.paused == 0,
          "reference engine stats");
    pager_cache_meta_init(&got);
    check(pager_refengine_meta(ref, &got) == PAGER_OK && got.head_dim == meta.head_dim &&
              pager_refengine_capacity_pages(ref, &cap) == PAGER_OK && cap == 16,
          "reference engine geometry getters");
  }

  /* The copy-out budget: pages copied under the pause, written after resume. */
  pager_snapshot_options_init(&opts);
  opts.copy_out_budget_bytes = 1u << 20;
  sprintf(p1, "%s/copied.kvs", dir);
  check(pager_snapshot_capture(&sops, p1, &opts) == PAGER_OK && !src->paused,
        "capture with a copy-out budget");
  check(pager_snapshot_verify(p1, NULL) == PAGER_OK, "copied-out snapshot verifies");

  /* Cancellation leaves no file. */
  pager_snapshot_options_init(&opts);
  opts.progress = cancel_now;
  sprintf(p1, "%s/cancelled.kvs", dir);
  check(pager_snapshot_capture(&sops, p1, &opts) == PAGER_ERR_CANCELLED, "cancelled capture");
  check(access(p1, F_OK) != 0, "no file after cancellation");

  /* Geometry mismatch names the field. */
  pager_refengine_free(ref);
  meta.head_dim = 4;
  check(pager_refengine_create(&meta, 16, &ref) == PAGER_OK, "create wider engine");
  check(pager_refengine_ops(ref, &rops) == PAGER_OK, "wider engine ops");
  check(pager_snapshot_restore(&rops, p2, NULL) == PAGER_ERR_MISMATCH, "geometry mismatch");
  check(strstr(pager_last_error(), "head_dim: snapshot 2, engine 4") != NULL,
        "mismatch names field and values");
  pager_refengine_free(ref);
  pager_refengine_free(NULL);
  free(src);
  free(back);
}

int main(int argc, char **argv) {
  char templ[] = "/tmp/pager-c99-snapshot.XXXXXX";
  const char *dir = argc > 1 ? argv[1] : mkdtemp(templ);
  char cmd[600];
  if (dir == NULL) return 2;
  test_toy_to_refengine_and_back(dir);
  if (argc <= 1) {
    sprintf(cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) printf("could not remove %s\n", dir);
  }
  printf("#result %d %d\n", g_passed, g_failed);
  return g_failed == 0 ? 0 : 1;
}
