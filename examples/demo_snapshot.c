/* demo_snapshot: capture a paged KV cache (the reference engine) into a snapshot, change 5%
 * of it, capture an incremental snapshot against the first, and restore the latest state
 * into a second, fragmented engine that already serves other requests.
 * Usage: demo_snapshot DIR */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pager.h"

#define CHECK(call)                                                                     \
  do {                                                                                  \
    int rc_ = (call);                                                                   \
    if (rc_ != PAGER_OK) {                                                              \
      fprintf(stderr, "%s failed: %s: %s\n", #call, pager_errstr(rc_), pager_last_error()); \
      exit(1);                                                                          \
    }                                                                                   \
  } while (0)

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void fill_page(pager_refengine *e, uint32_t slot, unsigned seed, unsigned char *buf,
                      uint64_t page_bytes) {
  uint64_t i, x = 0x9E3779B97F4A7C15ull * (seed + 1);
  for (i = 0; i < 2 * page_bytes; i++) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    buf[i] = (unsigned char)(x >> 56);
  }
  CHECK(pager_refengine_write_page(e, slot, buf, page_bytes, buf + page_bytes, page_bytes));
}

int main(int argc, char **argv) {
  pager_cache_meta meta;
  pager_refengine *src = NULL, *dst = NULL;
  pager_cache_ops src_ops, dst_ops;
  pager_snapshot_options opts;
  pager_snapshot_info info;
  uint64_t k_bytes, v_bytes, f_src, f_dst;
  uint32_t slots[256], i;
  pager_refengine_stats stats;
  unsigned char *buf;
  char full[512], incr[512];
  double t0;
  if (argc < 2) {
    fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  snprintf(full, sizeof full, "%s/cache-0.kvs", argv[1]);
  snprintf(incr, sizeof incr, "%s/cache-1.kvs", argv[1]);

  pager_cache_meta_init(&meta);
  meta.tokens_per_page = 16;
  meta.layers = 4;
  meta.kv_heads = 4;
  meta.head_dim = 64;
  meta.dtype = PAGER_DTYPE_BF16;
  CHECK(pager_cache_meta_page_bytes(&meta, &k_bytes, &v_bytes));
  printf("geometry: 16 tokens/page, 4 layers, 4 KV heads, head_dim 64, bf16 -> K page %llu B, "
         "V page %llu B\n", (unsigned long long)k_bytes, (unsigned long long)v_bytes);
  buf = (unsigned char *)malloc(2 * k_bytes);

  /* Source engine: 256 pages in use by 8 requests of 32 pages each. */
  CHECK(pager_refengine_create(&meta, 512, &src));
  for (i = 0; i < 256; i++) {
    CHECK(pager_refengine_alloc_page(src, &slots[i]));
    fill_page(src, slots[i], i, buf, k_bytes);
  }
  for (i = 0; i < 8; i++) {
    char id[32];
    snprintf(id, sizeof id, "request-%u", i);
    CHECK(pager_refengine_set_seq(src, id, (uint64_t)strlen(id), &slots[i * 32], 32, 1 + i));
  }
  CHECK(pager_refengine_ops(src, &src_ops));

  t0 = now_ms();
  CHECK(pager_snapshot_capture(&src_ops, full, NULL));
  pager_snapshot_info_init(&info);
  CHECK(pager_snapshot_inspect(full, &info));
  printf("full snapshot:        %llu pages, %llu sequences, %llu bytes (%.1f ms)\n",
         (unsigned long long)info.page_count, (unsigned long long)info.seq_count,
         (unsigned long long)info.file_bytes, now_ms() - t0);

  /* 5% of the pages change; the incremental snapshot stores only those. */
  for (i = 0; i < 13; i++) fill_page(src, slots[i * 19], 1000 + i, buf, k_bytes);
  pager_snapshot_options_init(&opts);
  opts.parent_path = "cache-0.kvs"; /* relative to the new snapshot's directory */
  opts.compression = PAGER_SNAPSHOT_COMPRESS_ZSTD;
  opts.copy_out_budget_bytes = 64u << 20; /* copy pages out, resume, then compress and write */
  t0 = now_ms();
  CHECK(pager_snapshot_capture(&src_ops, incr, &opts));
  CHECK(pager_snapshot_inspect(incr, &info));
  printf("incremental snapshot: %llu pages, %llu stored here, %llu bytes (%.1f ms)\n",
         (unsigned long long)info.page_count, (unsigned long long)info.stored_page_count,
         (unsigned long long)info.file_bytes, now_ms() - t0);

  /* Destination: busy with another request, its free slots scattered. */
  CHECK(pager_refengine_create(&meta, 512, &dst));
  for (i = 0; i < 100; i++) CHECK(pager_refengine_alloc_page(dst, &slots[i]));
  for (i = 0; i < 100; i += 2) CHECK(pager_refengine_free_page(dst, slots[i]));
  CHECK(pager_refengine_set_seq(dst, "other", 5, &slots[1], 1, 3));
  CHECK(pager_refengine_ops(dst, &dst_ops));
  pager_snapshot_options_init(&opts);
  opts.allow_nonempty = 1;
  t0 = now_ms();
  CHECK(pager_snapshot_restore(&dst_ops, incr, &opts));
  pager_refengine_stats_init(&stats);
  CHECK(pager_refengine_get_stats(dst, &stats));
  printf("restored the chain into a fragmented engine: %llu pages, %llu sequences (%.1f ms)\n",
         (unsigned long long)stats.occupied_pages, (unsigned long long)stats.seq_count,
         now_ms() - t0);
  CHECK(pager_refengine_remove_seq(dst, "other", 5));
  CHECK(pager_refengine_fingerprint(src, &f_src));
  CHECK(pager_refengine_fingerprint(dst, &f_dst));
  printf("sequences and page contents identical: %s\n", f_src == f_dst ? "yes" : "NO");

  /* A mismatched engine is refused with the field named. */
  pager_refengine_free(dst);
  meta.head_dim = 128;
  CHECK(pager_refengine_create(&meta, 8, &dst));
  CHECK(pager_refengine_ops(dst, &dst_ops));
  {
    int rc = pager_snapshot_restore(&dst_ops, incr, NULL);
    char message[256];
    snprintf(message, sizeof message, "%s", pager_last_error());
    printf("restore into head_dim 128: %s (%s)\n", pager_errstr(rc), message);
  }
  pager_refengine_free(dst);
  pager_refengine_free(src);
  free(buf);
  return f_src == f_dst ? 0 : 1;
}
