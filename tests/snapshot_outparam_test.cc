// Out-parameter cases of the snapshot component (pager_snapshot_*, pager_cache_*,
// pager_refengine_*): tests/outparam.h explains the promise. Each case makes the call fail
// after argument validation where it can (a fault through the seam, a full engine, a free
// slot, a failing engine callback), checks the code and that every out-parameter kept its
// sentinel, and that the next successful call leaves pager_last_error() empty (C2).
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "impl/io/mem_env.h"
#include "pager.h"
#include "tests/outparam.h"
#include "tests/support/test_util.h"

namespace {

using outparam::Fill;
using outparam::kSentinel32;
using outparam::kSentinel64;
using outparam::Untouched;

pager_cache_meta Meta() {
  pager_cache_meta m;
  pager_cache_meta_init(&m);
  m.tokens_per_page = 4;
  m.layers = 2;
  m.kv_heads = 2;
  m.head_dim = 8;
  m.dtype = PAGER_DTYPE_F16;
  return m;
}
constexpr uint64_t kPageBytes = 4 * 2 * 2 * 8 * 2;  // K page = V page

// Leaves a detail message behind.
void MakeAnError() {
  ASSERT_EQ(pager_refengine_create(nullptr, 1, nullptr), PAGER_ERR_INVALID);
  ASSERT_STRNE(pager_last_error(), "");
}

// An engine with `pages` occupied slots (1..pages hold "seq" when pages > 0).
struct Engine {
  explicit Engine(uint32_t capacity, uint32_t pages = 0) {
    pager_cache_meta m = Meta();
    EXPECT_EQ(pager_refengine_create(&m, capacity, &e), PAGER_OK);
    std::vector<uint32_t> slots;
    for (uint32_t i = 0; i < pages; i++) {
      uint32_t s = 0;
      EXPECT_EQ(pager_refengine_alloc_page(e, &s), PAGER_OK);
      slots.push_back(s);
    }
    if (pages > 0) {
      EXPECT_EQ(pager_refengine_set_seq(e, "seq", 3, slots.data(), slots.size(), 1), PAGER_OK);
    }
    EXPECT_EQ(pager_refengine_ops(e, &ops), PAGER_OK);
  }
  ~Engine() { pager_refengine_free(e); }
  pager_refengine* e = nullptr;
  pager_cache_ops ops;
};

// A snapshot of a two-page engine in a MemEnv.
struct MemSnapshot {
  MemSnapshot() : env(), scoped(&env), src(8, 2) {
    EXPECT_TRUE(env.CreateDir("/snap", 0755).ok());
    EXPECT_EQ(pager_snapshot_capture(&src.ops, "/snap/s.kvs", nullptr), PAGER_OK);
  }
  pager::io::FaultEnv env;
  outparam::ScopedEnv scoped;
  Engine src;
};

}  // namespace

// ---- geometry and sinks -----------------------------------------------------------------

TEST(OutParam, pager_cache_meta_init) {
  MakeAnError();
  pager_cache_meta_init(nullptr);
  EXPECT_STREQ(pager_last_error(), "");
  pager_cache_meta m;
  Fill(&m, sizeof m);
  pager_cache_meta_init(&m);
  EXPECT_EQ(m.struct_size, sizeof m);
  EXPECT_EQ(m.tokens_per_page, 0u);
}

TEST(OutParam, pager_cache_meta_page_bytes) {
  pager_cache_meta m = Meta();
  m.dtype = 99;
  uint64_t k = kSentinel64, v = kSentinel64;
  EXPECT_EQ(pager_cache_meta_page_bytes(&m, &k, &v), PAGER_ERR_INVALID);
  EXPECT_EQ(k, kSentinel64);
  EXPECT_EQ(v, kSentinel64);
  m = Meta();
  EXPECT_EQ(pager_cache_meta_page_bytes(&m, &k, &v), PAGER_OK);
  EXPECT_EQ(k, kPageBytes);
  EXPECT_STREQ(pager_last_error(), "");
}

namespace {
int g_sink_rc = PAGER_OK;
}

TEST(OutParam, pager_cache_sink_add_pages) {
  Engine src(4, 1);
  pager_cache_ops ops = src.ops;
  ops.occupied_pages = [](void*, pager_cache_sink* s) {
    static const uint32_t page = 0;
    g_sink_rc = pager_cache_sink_add_pages(s, &page, uint64_t{1} << 32);  // too many
    return 0;
  };
  EXPECT_EQ(pager_snapshot_capture_fd(&ops, STDOUT_FILENO, nullptr), PAGER_ERR_TOO_LARGE);
  EXPECT_EQ(g_sink_rc, PAGER_ERR_TOO_LARGE);
  EXPECT_EQ(pager_cache_sink_add_pages(nullptr, nullptr, 0), PAGER_ERR_INVALID);
  pager_cache_meta m = Meta();
  uint64_t k, v;
  EXPECT_EQ(pager_cache_meta_page_bytes(&m, &k, &v), PAGER_OK);
  EXPECT_STREQ(pager_last_error(), "");
}

TEST(OutParam, pager_cache_sink_add_seq) {
  Engine src(4, 1);
  pager_cache_ops ops = src.ops;
  ops.occupied_pages = [](void*, pager_cache_sink* s) {
    g_sink_rc = pager_cache_sink_add_seq(s, "x", 1, nullptr, 0, 0);  // the wrong sink
    return 0;
  };
  EXPECT_EQ(pager_snapshot_capture_fd(&ops, STDOUT_FILENO, nullptr), PAGER_ERR_INVALID);
  EXPECT_EQ(g_sink_rc, PAGER_ERR_INVALID);
  pager_refengine_stats st;
  pager_refengine_stats_init(&st);
  EXPECT_EQ(pager_refengine_get_stats(src.e, &st), PAGER_OK);
  EXPECT_EQ(st.paused, 0u);
  EXPECT_STREQ(pager_last_error(), "");
}

// ---- snapshot operations ------------------------------------------------------------------

TEST(OutParam, pager_snapshot_options_init) {
  MakeAnError();
  pager_snapshot_options_init(nullptr);
  EXPECT_STREQ(pager_last_error(), "");
  pager_snapshot_options o;
  Fill(&o, sizeof o);
  pager_snapshot_options_init(&o);
  EXPECT_EQ(o.struct_size, sizeof o);
  EXPECT_EQ(o.copy_out_budget_bytes, 0u);
  EXPECT_EQ(o.parent_path, nullptr);
}

TEST(OutParam, pager_snapshot_info_init) {
  MakeAnError();
  pager_snapshot_info_init(nullptr);
  EXPECT_STREQ(pager_last_error(), "");
  pager_snapshot_info info;
  Fill(&info, sizeof info);
  pager_snapshot_info_init(&info);
  EXPECT_EQ(info.struct_size, sizeof info);
  EXPECT_EQ(info.meta.struct_size, sizeof info.meta);
  EXPECT_EQ(info.page_count, 0u);
}

TEST(OutParam, pager_snapshot_capture) {
  pager::io::FaultEnv env;
  outparam::ScopedEnv scoped(&env);
  ASSERT_TRUE(env.CreateDir("/snap", 0755).ok());
  Engine src(8, 2);
  env.FailNth(pager::io::MemEnv::Op::kWrite, 1, pager::io::FaultKind::kEnospc, false);
  EXPECT_EQ(pager_snapshot_capture(&src.ops, "/snap/s.kvs", nullptr), PAGER_ERR_NOSPC);
  std::vector<std::string> files = env.FilePaths();
  EXPECT_TRUE(files.empty()) << files[0];
  pager_refengine_stats st;
  pager_refengine_stats_init(&st);
  ASSERT_EQ(pager_refengine_get_stats(src.e, &st), PAGER_OK);
  EXPECT_EQ(st.paused, 0u);
  EXPECT_EQ(pager_snapshot_capture(&src.ops, "/snap/s.kvs", nullptr), PAGER_OK);
  EXPECT_STREQ(pager_last_error(), "");
}

TEST(OutParam, pager_snapshot_capture_fd) {
  Engine src(8, 2);
  ASSERT_EQ(pager_refengine_fail_callback(src.e, "read_page", 1, 5), PAGER_OK);
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  EXPECT_EQ(pager_snapshot_capture_fd(&src.ops, fds[1], nullptr), PAGER_ERR_CALLBACK);
  EXPECT_EQ(pager_snapshot_capture_fd(&src.ops, -1, nullptr), PAGER_ERR_INVALID);
  close(fds[0]);
  close(fds[1]);
  pager_cache_meta_init(nullptr);
  EXPECT_STREQ(pager_last_error(), "");
}

TEST(OutParam, pager_snapshot_restore) {
  MemSnapshot snap;
  Engine dst(8);
  snap.env.FailNth(pager::io::MemEnv::Op::kRead, 2, pager::io::FaultKind::kEio, false);
  EXPECT_EQ(pager_snapshot_restore(&dst.ops, "/snap/s.kvs", nullptr), PAGER_ERR_IO);
  ASSERT_EQ(pager_refengine_fail_callback(dst.e, "page_buffers", 1, 5), PAGER_OK);
  EXPECT_EQ(pager_snapshot_restore(&dst.ops, "/snap/s.kvs", nullptr), PAGER_ERR_CALLBACK);
  pager_refengine_stats st;
  pager_refengine_stats_init(&st);
  ASSERT_EQ(pager_refengine_get_stats(dst.e, &st), PAGER_OK);
  EXPECT_EQ(st.occupied_pages, 0u);  // release_pages gave the slots back
  EXPECT_EQ(st.seq_count, 0u);
  EXPECT_EQ(pager_snapshot_restore(&dst.ops, "/snap/s.kvs", nullptr), PAGER_OK);
  EXPECT_STREQ(pager_last_error(), "");
}

TEST(OutParam, pager_snapshot_verify) {
  MemSnapshot snap;
  snap.env.FailNth(pager::io::MemEnv::Op::kRead, 1, pager::io::FaultKind::kEio, false);
  EXPECT_EQ(pager_snapshot_verify("/snap/s.kvs", nullptr), PAGER_ERR_IO);
  EXPECT_EQ(pager_snapshot_verify("/snap/none.kvs", nullptr), PAGER_ERR_NOT_FOUND);
  EXPECT_EQ(pager_snapshot_verify("/snap/s.kvs", nullptr), PAGER_OK);
  EXPECT_STREQ(pager_last_error(), "");
}

TEST(OutParam, pager_snapshot_inspect) {
  MemSnapshot snap;
  pager_snapshot_info info;
  Fill(&info, sizeof info);
  info.struct_size = sizeof info;
  info.meta.struct_size = sizeof info.meta;
  snap.env.FailNth(pager::io::MemEnv::Op::kRead, 1, pager::io::FaultKind::kEio, false);
  EXPECT_EQ(pager_snapshot_inspect("/snap/s.kvs", &info), PAGER_ERR_IO);
  EXPECT_EQ(pager_snapshot_inspect("/snap/none.kvs", &info), PAGER_ERR_NOT_FOUND);
  EXPECT_EQ(info.struct_size, sizeof info);
  EXPECT_EQ(info.format_version, kSentinel32);
  EXPECT_TRUE(Untouched(&info.meta.tokens_per_page,
                        sizeof info.meta - offsetof(pager_cache_meta, tokens_per_page)));
  EXPECT_TRUE(Untouched(&info.k_page_bytes, sizeof info - offsetof(pager_snapshot_info,
                                                                    k_page_bytes)));
  EXPECT_EQ(pager_snapshot_inspect("/snap/s.kvs", &info), PAGER_OK);
  EXPECT_EQ(info.page_count, 2u);
  EXPECT_STREQ(pager_last_error(), "");
}

namespace {
struct Listed {
  uint64_t pages = 0, seqs = 0;
  int stop_with = 0;
};
int CountPage(void* ctx, const pager_snapshot_page* p) {
  Listed* l = static_cast<Listed*>(ctx);
  EXPECT_EQ(p->struct_size, sizeof *p);
  EXPECT_EQ(p->index, l->pages);
  l->pages++;
  return l->stop_with;
}
int CountSeq(void* ctx, const pager_snapshot_seq* s) {
  Listed* l = static_cast<Listed*>(ctx);
  EXPECT_EQ(s->struct_size, sizeof *s);
  l->seqs++;
  return 0;
}
}  // namespace

// No out-parameter: a failure before the tables are read calls no callback.
TEST(OutParam, pager_snapshot_list) {
  MemSnapshot snap;
  Listed l;
  snap.env.FailNth(pager::io::MemEnv::Op::kRead, 1, pager::io::FaultKind::kEio, false);
  EXPECT_EQ(pager_snapshot_list("/snap/s.kvs", CountPage, CountSeq, &l), PAGER_ERR_IO);
  EXPECT_EQ(pager_snapshot_list("/snap/none.kvs", CountPage, CountSeq, &l), PAGER_ERR_NOT_FOUND);
  EXPECT_EQ(pager_snapshot_list("", CountPage, CountSeq, &l), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_snapshot_list(nullptr, CountPage, CountSeq, &l), PAGER_ERR_INVALID);
  EXPECT_EQ(l.pages + l.seqs, 0u);
  l.stop_with = 7;
  EXPECT_EQ(pager_snapshot_list("/snap/s.kvs", CountPage, CountSeq, &l), PAGER_ERR_CALLBACK);
  EXPECT_NE(std::string(pager_last_error()).find("returned 7"), std::string::npos);
  EXPECT_EQ(l.pages, 1u) << "a non-zero return stops the listing";
  l = Listed();
  EXPECT_EQ(pager_snapshot_list("/snap/s.kvs", CountPage, CountSeq, &l), PAGER_OK);
  EXPECT_EQ(l.pages, 2u);
  EXPECT_GE(l.seqs, 1u);
  EXPECT_STREQ(pager_last_error(), "");
  EXPECT_EQ(pager_snapshot_list("/snap/s.kvs", nullptr, nullptr, nullptr), PAGER_OK);
}

// ---- reference engine ---------------------------------------------------------------------

TEST(OutParam, pager_refengine_create) {
  pager_cache_meta m = Meta();
  pager_refengine* e = outparam::SentinelPtr<pager_refengine>();
  EXPECT_EQ(pager_refengine_create(&m, 0, &e), PAGER_ERR_INVALID);
  pager_cache_meta huge = Meta();
  huge.tokens_per_page = 1024;
  huge.layers = 64;
  huge.kv_heads = 8;
  huge.head_dim = 128;
  huge.dtype = PAGER_DTYPE_F32;  // 256 MiB K pages: 2^18 slots are 2^47 bytes
  EXPECT_EQ(pager_refengine_create(&huge, 1u << 18, &e), PAGER_ERR_TOO_LARGE);
  EXPECT_EQ(e, outparam::SentinelPtr<pager_refengine>());
  EXPECT_EQ(pager_refengine_create(&m, 1, &e), PAGER_OK);
  EXPECT_STREQ(pager_last_error(), "");
  pager_refengine_free(e);
}

TEST(OutParam, pager_refengine_free) {
  MakeAnError();
  pager_refengine_free(nullptr);
  EXPECT_STREQ(pager_last_error(), "");
}

TEST(OutParam, pager_refengine_ops) {
  pager_cache_ops ops;
  Fill(&ops, sizeof ops);
  EXPECT_EQ(pager_refengine_ops(nullptr, &ops), PAGER_ERR_INVALID);
  EXPECT_TRUE(Untouched(&ops, sizeof ops));
  Engine eng(1);
  EXPECT_EQ(pager_refengine_ops(eng.e, &ops), PAGER_OK);
  EXPECT_EQ(ops.struct_size, sizeof ops);
  EXPECT_NE(ops.release_pages, nullptr);
  EXPECT_STREQ(pager_last_error(), "");
}

TEST(OutParam, pager_refengine_meta) {
  Engine eng(1);
  pager_cache_meta m;
  Fill(&m, sizeof m);
  m.struct_size = 8;
  EXPECT_EQ(pager_refengine_meta(eng.e, &m), PAGER_ERR_INVALID);
  EXPECT_TRUE(Untouched(&m.tokens_per_page, sizeof m - sizeof m.struct_size));
  pager_cache_meta_init(&m);
  EXPECT_EQ(pager_refengine_meta(eng.e, &m), PAGER_OK);
  EXPECT_EQ(m.head_dim, 8u);
  EXPECT_STREQ(pager_last_error(), "");
}

TEST(OutParam, pager_refengine_capacity_pages) {
  uint32_t cap = kSentinel32;
  EXPECT_EQ(pager_refengine_capacity_pages(nullptr, &cap), PAGER_ERR_INVALID);
  EXPECT_EQ(cap, kSentinel32);
  Engine eng(7);
  EXPECT_EQ(pager_refengine_capacity_pages(eng.e, &cap), PAGER_OK);
  EXPECT_EQ(cap, 7u);
  EXPECT_STREQ(pager_last_error(), "");
}

TEST(OutParam, pager_refengine_alloc_page) {
  Engine eng(1, 1);
  uint32_t slot = kSentinel32;
  EXPECT_EQ(pager_refengine_alloc_page(eng.e, &slot), PAGER_ERR_FULL);
  EXPECT_EQ(slot, kSentinel32);
  ASSERT_EQ(pager_refengine_remove_seq(eng.e, "seq", 3), PAGER_OK);
  ASSERT_EQ(pager_refengine_free_page(eng.e, 0), PAGER_OK);
  EXPECT_EQ(pager_refengine_alloc_page(eng.e, &slot), PAGER_OK);
  EXPECT_EQ(slot, 0u);
  EXPECT_STREQ(pager_last_error(), "");
}

TEST(OutParam, pager_refengine_free_page) {
  Engine eng(2);
  EXPECT_EQ(pager_refengine_free_page(eng.e, 1), PAGER_ERR_DOUBLE_FREE);
  EXPECT_EQ(pager_refengine_free_page(eng.e, 2), PAGER_ERR_RANGE);
  uint32_t slot;
  ASSERT_EQ(pager_refengine_alloc_page(eng.e, &slot), PAGER_OK);
  EXPECT_EQ(pager_refengine_free_page(eng.e, slot), PAGER_OK);
  EXPECT_STREQ(pager_last_error(), "");
}

TEST(OutParam, pager_refengine_write_page) {
  Engine eng(2, 1);
  std::vector<uint8_t> k(kPageBytes, 1), v(kPageBytes, 2);
  EXPECT_EQ(pager_refengine_write_page(eng.e, 1, k.data(), k.size(), v.data(), v.size()),
            PAGER_ERR_NOT_FOUND);
  EXPECT_EQ(pager_refengine_write_page(eng.e, 0, k.data(), k.size() - 1, v.data(), v.size()),
            PAGER_ERR_INVALID);
  EXPECT_EQ(pager_refengine_write_page(eng.e, 0, k.data(), k.size(), v.data(), v.size()),
            PAGER_OK);
  EXPECT_STREQ(pager_last_error(), "");
}

TEST(OutParam, pager_refengine_read_page) {
  Engine eng(2, 1);
  std::vector<uint8_t> k(kPageBytes), v(kPageBytes);
  Fill(k.data(), k.size());
  Fill(v.data(), v.size());
  EXPECT_EQ(pager_refengine_read_page(eng.e, 1, k.data(), k.size(), v.data(), v.size()),
            PAGER_ERR_NOT_FOUND);
  EXPECT_EQ(pager_refengine_read_page(eng.e, 5, k.data(), k.size(), v.data(), v.size()),
            PAGER_ERR_RANGE);
  EXPECT_EQ(pager_refengine_read_page(eng.e, 0, k.data(), k.size(), v.data(), v.size() + 1),
            PAGER_ERR_INVALID);
  EXPECT_TRUE(Untouched(k.data(), k.size()));
  EXPECT_TRUE(Untouched(v.data(), v.size()));
  EXPECT_EQ(pager_refengine_read_page(eng.e, 0, k.data(), k.size(), v.data(), v.size()),
            PAGER_OK);
  EXPECT_EQ(k[0], 0);
  EXPECT_STREQ(pager_last_error(), "");
}

TEST(OutParam, pager_refengine_set_seq) {
  Engine eng(4, 1);
  uint32_t free_slot = 2;
  EXPECT_EQ(pager_refengine_set_seq(eng.e, "b", 1, &free_slot, 1, 1), PAGER_ERR_NOT_FOUND);
  uint32_t page = 0;
  EXPECT_EQ(pager_refengine_set_seq(eng.e, "b", 1, &page, 1, 9), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_refengine_set_seq(eng.e, "b", 1, &page, 1, 4), PAGER_OK);
  EXPECT_STREQ(pager_last_error(), "");
}

TEST(OutParam, pager_refengine_remove_seq) {
  Engine eng(4, 1);
  EXPECT_EQ(pager_refengine_remove_seq(eng.e, "none", 4), PAGER_ERR_NOT_FOUND);
  EXPECT_EQ(pager_refengine_remove_seq(eng.e, "seq", 3), PAGER_OK);
  EXPECT_STREQ(pager_last_error(), "");
}

TEST(OutParam, pager_refengine_get_seq) {
  Engine eng(4, 3);
  uint32_t pages[3] = {kSentinel32, kSentinel32, kSentinel32};
  uint64_t count = kSentinel64;
  uint32_t fill = kSentinel32;
  EXPECT_EQ(pager_refengine_get_seq(eng.e, "none", 4, pages, 3, &count, &fill),
            PAGER_ERR_NOT_FOUND);
  EXPECT_EQ(pager_refengine_get_seq(eng.e, "seq", 3, pages, 2, &count, &fill),
            PAGER_ERR_INVALID);  // C6: too small for the 3 pages
  EXPECT_TRUE(Untouched(pages, sizeof pages));
  EXPECT_EQ(count, kSentinel64);
  EXPECT_EQ(fill, kSentinel32);
  EXPECT_EQ(pager_refengine_get_seq(eng.e, "seq", 3, nullptr, 0, &count, nullptr), PAGER_OK);
  EXPECT_EQ(count, 3u);
  EXPECT_EQ(pager_refengine_get_seq(eng.e, "seq", 3, pages, 3, &count, &fill), PAGER_OK);
  EXPECT_EQ(pages[2], 2u);
  EXPECT_EQ(fill, 1u);
  EXPECT_STREQ(pager_last_error(), "");
}

TEST(OutParam, pager_refengine_stats_init) {
  MakeAnError();
  pager_refengine_stats_init(nullptr);
  EXPECT_STREQ(pager_last_error(), "");
  pager_refengine_stats st;
  Fill(&st, sizeof st);
  pager_refengine_stats_init(&st);
  EXPECT_EQ(st.struct_size, sizeof st);
  EXPECT_EQ(st.occupied_pages, 0u);
}

TEST(OutParam, pager_refengine_get_stats) {
  Engine eng(4, 2);
  pager_refengine_stats st;
  Fill(&st, sizeof st);
  st.struct_size = 4;
  EXPECT_EQ(pager_refengine_get_stats(eng.e, &st), PAGER_ERR_INVALID);
  EXPECT_TRUE(Untouched(&st.paused, sizeof st - sizeof st.struct_size));
  pager_refengine_stats_init(&st);
  EXPECT_EQ(pager_refengine_get_stats(eng.e, &st), PAGER_OK);
  EXPECT_EQ(st.occupied_pages, 2u);
  EXPECT_EQ(st.seq_count, 1u);
  EXPECT_STREQ(pager_last_error(), "");
}

TEST(OutParam, pager_refengine_fingerprint) {
  uint64_t fp = kSentinel64;
  EXPECT_EQ(pager_refengine_fingerprint(nullptr, &fp), PAGER_ERR_INVALID);
  EXPECT_EQ(fp, kSentinel64);
  Engine eng(2, 1);
  EXPECT_EQ(pager_refengine_fingerprint(eng.e, &fp), PAGER_OK);
  EXPECT_STREQ(pager_last_error(), "");
}

TEST(OutParam, pager_refengine_fail_callback) {
  Engine eng(2, 1);
  EXPECT_EQ(pager_refengine_fail_callback(eng.e, "no_such_callback", 0, 1), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_refengine_fail_callback(eng.e, "pause", 0, 0), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_refengine_fail_callback(eng.e, "release_pages", 0, 3), PAGER_OK);
  EXPECT_STREQ(pager_last_error(), "");
}
