// Out-parameter cases of every pager_file_* function (tests/outparam.h): each pre-fills its
// out-parameters with the sentinel, makes the call fail after argument validation where the
// function can fail that way (an I/O error through the fault seam, NOT_FOUND, BUSY, a closed
// file), and checks the code and that every sentinel is intact. Functions that cannot fail
// (release and init functions) prove they are NULL-safe and clear the last error (C2).
#include <gtest/gtest.h>

#include <string>

#include "impl/io/mem_env.h"
#include "pager.h"
#include "tests/outparam.h"

namespace {

using outparam::Fill;
using outparam::kSentinel32;
using outparam::kSentinel64;
using outparam::SentinelPtr;
using outparam::Untouched;
using Op = pager::io::MemEnv::Op;

// Leaves a detail message behind.
void MakeAnError() {
  ASSERT_EQ(pager_file_page_size(nullptr, nullptr), PAGER_ERR_INVALID);
  ASSERT_STRNE(pager_last_error(), "");
}

// A read-write file on a FaultEnv; FailNextSync makes the next commit fail with EIO.
struct Fx {
  pager::io::FaultEnv env;
  outparam::ScopedEnv scoped{&env};
  pager_file* f = nullptr;
  Fx() {
    pager_file_options o;
    pager_file_options_init(&o);
    o.page_size = 1024;
    o.max_size_bytes = uint64_t{1} << 30;
    o.initial_page_count = 16;
    EXPECT_EQ(pager_file_create("/f", &o, &f), PAGER_OK) << pager_last_error();
  }
  ~Fx() { pager_file_close(f); }
  void FailNextSync() { env.FailNth(Op::kSync, 1, pager::io::FaultKind::kEio, false); }
  uint64_t Alloc() {
    uint64_t id = 0;
    EXPECT_EQ(pager_file_alloc(f, &id), PAGER_OK);
    return id;
  }
  uint64_t Protected() {
    uint64_t id = 0;
    EXPECT_EQ(pager_file_protected_alloc(f, &id), PAGER_OK);
    return id;
  }
  pager_file_txn* Begin() {
    pager_file_txn* t = nullptr;
    EXPECT_EQ(pager_file_txn_begin(f, &t), PAGER_OK) << pager_last_error();
    return t;
  }
  // Closes the file but keeps the struct pointer unusable for the fixture's destructor.
  void Close() {
    pager_file_close(f);
    f = nullptr;
  }
};

#define EXPECT_FAILS_WITH(expr, code)            \
  do {                                           \
    EXPECT_EQ((expr), (code));                   \
    EXPECT_STRNE(pager_last_error(), "");        \
  } while (0)

}  // namespace

TEST(OutParam, pager_file_options_init) {
  MakeAnError();
  pager_file_options_init(nullptr);
  EXPECT_STREQ(pager_last_error(), "");
  pager_file_options o;
  Fill(&o, sizeof o);
  pager_file_options_init(&o);
  EXPECT_EQ(o.struct_size, sizeof o);
  EXPECT_EQ(o.page_size, 0u);
  EXPECT_EQ(o.format_version, 0u);
  EXPECT_EQ(o.journal_lap_bytes, 0u);
}

TEST(OutParam, pager_file_create) {
  pager::io::FaultEnv env;
  outparam::ScopedEnv scoped(&env);
  env.FailNth(Op::kSync, 1, pager::io::FaultKind::kEio, false);
  pager_file* f = SentinelPtr<pager_file>();
  EXPECT_FAILS_WITH(pager_file_create("/f", nullptr, &f), PAGER_ERR_IO);
  EXPECT_EQ(f, SentinelPtr<pager_file>());
}

TEST(OutParam, pager_file_open) {
  pager::io::FaultEnv env;
  outparam::ScopedEnv scoped(&env);
  pager_file* f = SentinelPtr<pager_file>();
  EXPECT_FAILS_WITH(pager_file_open("/missing", nullptr, &f), PAGER_ERR_NOT_FOUND);
  EXPECT_EQ(f, SentinelPtr<pager_file>());
}

TEST(OutParam, pager_file_close) {
  MakeAnError();
  pager_file_close(nullptr);
  EXPECT_STREQ(pager_last_error(), "");
  Fx fx;
  MakeAnError();
  fx.Close();
  EXPECT_STREQ(pager_last_error(), "");
}

TEST(OutParam, pager_file_stats_init) {
  MakeAnError();
  pager_file_stats_init(nullptr);
  EXPECT_STREQ(pager_last_error(), "");
  pager_file_stats s;
  Fill(&s, sizeof s);
  pager_file_stats_init(&s);
  EXPECT_EQ(s.struct_size, sizeof s);
  EXPECT_EQ(s.format_version, 0u);
  EXPECT_EQ(s.syncs, 0u);
  EXPECT_EQ(s.journal_lap_bytes, 0u);
}

TEST(OutParam, pager_file_get_stats) {
  Fx fx;
  pager_file_stats s;
  Fill(&s, sizeof s);
  s.struct_size = 39;  // below the first version's 40 bytes
  EXPECT_FAILS_WITH(pager_file_get_stats(fx.f, &s), PAGER_ERR_INVALID);
  EXPECT_EQ(s.struct_size, 39u);
  EXPECT_TRUE(outparam::Untouched(reinterpret_cast<uint8_t*>(&s) + 4, sizeof s - 4));
  EXPECT_FAILS_WITH(pager_file_get_stats(fx.f, nullptr), PAGER_ERR_INVALID);
  EXPECT_FAILS_WITH(pager_file_get_stats(nullptr, &s), PAGER_ERR_INVALID);
  pager_file_stats_init(&s);
  MakeAnError();
  ASSERT_EQ(pager_file_get_stats(fx.f, &s), PAGER_OK);
  EXPECT_STREQ(pager_last_error(), "");
  EXPECT_EQ(s.format_version, 2u);
}

TEST(OutParam, pager_file_page_size) {
  uint32_t v = kSentinel32;
  EXPECT_FAILS_WITH(pager_file_page_size(nullptr, &v), PAGER_ERR_INVALID);
  EXPECT_EQ(v, kSentinel32);
}

TEST(OutParam, pager_file_page_count) {
  uint64_t v = kSentinel64;
  EXPECT_FAILS_WITH(pager_file_page_count(nullptr, &v), PAGER_ERR_INVALID);
  EXPECT_EQ(v, kSentinel64);
}

TEST(OutParam, pager_file_free_page_count) {
  uint64_t v = kSentinel64;
  EXPECT_FAILS_WITH(pager_file_free_page_count(nullptr, &v), PAGER_ERR_INVALID);
  EXPECT_EQ(v, kSentinel64);
}

TEST(OutParam, pager_file_protected_count) {
  uint64_t v = kSentinel64;
  EXPECT_FAILS_WITH(pager_file_protected_count(nullptr, &v), PAGER_ERR_INVALID);
  EXPECT_EQ(v, kSentinel64);
}

TEST(OutParam, pager_file_alloc) {
  Fx fx;
  fx.FailNextSync();
  uint64_t id = kSentinel64;
  EXPECT_FAILS_WITH(pager_file_alloc(fx.f, &id), PAGER_ERR_IO);
  EXPECT_EQ(id, kSentinel64);
}

TEST(OutParam, pager_file_alloc_bulk) {
  Fx fx;
  fx.FailNextSync();
  uint64_t ids[5];
  Fill(ids, sizeof ids);
  EXPECT_FAILS_WITH(pager_file_alloc_bulk(fx.f, ids, 5), PAGER_ERR_IO);
  EXPECT_TRUE(Untouched(ids, sizeof ids));
}

TEST(OutParam, pager_file_free) {
  Fx fx;
  uint64_t id = fx.Alloc();
  fx.FailNextSync();
  EXPECT_FAILS_WITH(pager_file_free(fx.f, id), PAGER_ERR_IO);
  EXPECT_FAILS_WITH(pager_file_free(fx.f, id), PAGER_ERR_POISONED);
}

TEST(OutParam, pager_file_free_bulk) {
  Fx fx;
  uint64_t ids[2] = {fx.Alloc(), fx.Alloc()};
  fx.FailNextSync();
  EXPECT_FAILS_WITH(pager_file_free_bulk(fx.f, ids, 2), PAGER_ERR_IO);
}

TEST(OutParam, pager_file_grow) {
  Fx fx;
  fx.FailNextSync();
  EXPECT_FAILS_WITH(pager_file_grow(fx.f, 5000), PAGER_ERR_IO);
}

// No out-parameter: it fails after validation (RANGE, unknown advice) and, not being a
// mutation, still works on a poisoned handle.
TEST(OutParam, pager_file_advise) {
  Fx fx;
  EXPECT_FAILS_WITH(pager_file_advise(fx.f, 10, 100, PAGER_FILE_ADVICE_RANDOM), PAGER_ERR_RANGE);
  EXPECT_FAILS_WITH(pager_file_advise(fx.f, 0, 0, 5), PAGER_ERR_INVALID);
  fx.FailNextSync();
  EXPECT_FAILS_WITH(pager_file_grow(fx.f, 5000), PAGER_ERR_IO);
  MakeAnError();
  EXPECT_EQ(pager_file_advise(fx.f, 0, 0, PAGER_FILE_ADVICE_RANDOM), PAGER_OK) << pager_last_error();
  EXPECT_STREQ(pager_last_error(), "");
}

TEST(OutParam, pager_file_page) {
  Fx fx;
  void* p = SentinelPtr<void>();
  EXPECT_FAILS_WITH(pager_file_page(fx.f, 10, &p), PAGER_ERR_NOT_FOUND);
  EXPECT_EQ(p, SentinelPtr<void>());
}

TEST(OutParam, pager_file_page_const) {
  Fx fx;
  const void* p = SentinelPtr<const void>();
  EXPECT_FAILS_WITH(pager_file_page_const(fx.f, 10, &p), PAGER_ERR_NOT_FOUND);
  EXPECT_EQ(p, SentinelPtr<const void>());
}

TEST(OutParam, pager_file_sync_pages) {
  Fx fx;
  uint64_t id = fx.Alloc();
  fx.FailNextSync();
  EXPECT_FAILS_WITH(pager_file_sync_pages(fx.f, &id, 1), PAGER_ERR_IO);
}

TEST(OutParam, pager_file_protected_alloc) {
  Fx fx;
  fx.FailNextSync();
  uint64_t id = kSentinel64;
  EXPECT_FAILS_WITH(pager_file_protected_alloc(fx.f, &id), PAGER_ERR_IO);
  EXPECT_EQ(id, kSentinel64);
}

TEST(OutParam, pager_file_protected_alloc_bulk) {
  Fx fx;
  fx.FailNextSync();
  uint64_t ids[3];
  Fill(ids, sizeof ids);
  EXPECT_FAILS_WITH(pager_file_protected_alloc_bulk(fx.f, ids, 3), PAGER_ERR_IO);
  EXPECT_TRUE(Untouched(ids, sizeof ids));
}

TEST(OutParam, pager_file_protected_free) {
  Fx fx;
  uint64_t id = fx.Protected();
  fx.FailNextSync();
  EXPECT_FAILS_WITH(pager_file_protected_free(fx.f, id), PAGER_ERR_IO);
}

TEST(OutParam, pager_file_protected_free_bulk) {
  Fx fx;
  uint64_t ids[2] = {fx.Protected(), fx.Protected()};
  fx.FailNextSync();
  EXPECT_FAILS_WITH(pager_file_protected_free_bulk(fx.f, ids, 2), PAGER_ERR_IO);
}

TEST(OutParam, pager_file_protected_read) {
  Fx fx;
  uint64_t ids[2] = {fx.Protected(), fx.Protected()};
  ASSERT_EQ(pager_file_protected_free(fx.f, ids[0]), PAGER_OK);
  uint8_t buf[1024];
  Fill(buf, sizeof buf);
  EXPECT_FAILS_WITH(pager_file_protected_read(fx.f, ids[0], buf, sizeof buf), PAGER_ERR_NOT_FOUND);
  EXPECT_TRUE(Untouched(buf, sizeof buf));
  EXPECT_FAILS_WITH(pager_file_protected_read(fx.f, 100000, buf, sizeof buf), PAGER_ERR_RANGE);
  EXPECT_TRUE(Untouched(buf, sizeof buf));
}

TEST(OutParam, pager_file_txn_begin) {
  Fx fx;
  uint64_t id = fx.Alloc();
  fx.FailNextSync();
  ASSERT_EQ(pager_file_free(fx.f, id), PAGER_ERR_IO);  // poisons the file
  pager_file_txn* t = SentinelPtr<pager_file_txn>();
  EXPECT_FAILS_WITH(pager_file_txn_begin(fx.f, &t), PAGER_ERR_POISONED);
  EXPECT_EQ(t, SentinelPtr<pager_file_txn>());
}

TEST(OutParam, pager_file_txn_add) {
  Fx fx;
  uint64_t id = fx.Protected();
  pager_file_txn* t1 = fx.Begin();
  pager_file_txn* t2 = fx.Begin();
  void* d = nullptr;
  ASSERT_EQ(pager_file_txn_add(t1, id, &d), PAGER_OK);
  void* p = SentinelPtr<void>();
  EXPECT_FAILS_WITH(pager_file_txn_add(t2, id, &p), PAGER_ERR_BUSY);
  EXPECT_EQ(p, SentinelPtr<void>());
  EXPECT_FAILS_WITH(pager_file_txn_add(t2, id + 1, &p), PAGER_ERR_NOT_FOUND);
  EXPECT_EQ(p, SentinelPtr<void>());
  uint64_t held = kSentinel64;
  ASSERT_EQ(pager_file_txn_page_count(t2, &held), PAGER_OK);
  EXPECT_EQ(held, 0u) << "a failed add leaves nothing in the transaction";
  pager_file_txn_free(t1);
  pager_file_txn_free(t2);
}

TEST(OutParam, pager_file_txn_write) {
  Fx fx;
  uint64_t id = fx.Protected();
  pager_file_txn* t1 = fx.Begin();
  pager_file_txn* t2 = fx.Begin();
  std::vector<uint8_t> page(1024, 0x5a);
  ASSERT_EQ(pager_file_txn_write(t1, id, page.data(), page.size()), PAGER_OK);
  EXPECT_FAILS_WITH(pager_file_txn_write(t2, id, page.data(), page.size()), PAGER_ERR_BUSY);
  EXPECT_FAILS_WITH(pager_file_txn_write(t2, id + 1, page.data(), page.size()),
                    PAGER_ERR_NOT_FOUND);
  EXPECT_FAILS_WITH(pager_file_txn_write(t2, 0, page.data(), page.size()), PAGER_ERR_RANGE);
  EXPECT_FAILS_WITH(pager_file_txn_write(t2, id, page.data(), page.size() - 1),
                    PAGER_ERR_INVALID);
  EXPECT_FAILS_WITH(pager_file_txn_write(t2, id, nullptr, page.size()), PAGER_ERR_INVALID);
  EXPECT_FAILS_WITH(pager_file_txn_write(nullptr, id, page.data(), page.size()),
                    PAGER_ERR_INVALID);
  uint64_t held = kSentinel64;
  ASSERT_EQ(pager_file_txn_page_count(t2, &held), PAGER_OK);
  EXPECT_EQ(held, 0u) << "a failed write leaves nothing in the transaction";
  pager_file_txn_free(t1);
  pager_file_txn_free(t2);
}

TEST(OutParam, pager_file_txn_alloc_page) {
  Fx fx;
  pager_file_txn* t = fx.Begin();
  uint64_t id = kSentinel64;
  void* p = SentinelPtr<void>();
  EXPECT_FAILS_WITH(pager_file_txn_alloc_page(t, nullptr, &p), PAGER_ERR_INVALID);
  EXPECT_EQ(p, SentinelPtr<void>());
  EXPECT_FAILS_WITH(pager_file_txn_alloc_page(t, &id, nullptr), PAGER_ERR_INVALID);
  EXPECT_EQ(id, kSentinel64);
  fx.Close();
  EXPECT_FAILS_WITH(pager_file_txn_alloc_page(t, &id, &p), PAGER_ERR_INVALID);
  EXPECT_EQ(id, kSentinel64);
  EXPECT_EQ(p, SentinelPtr<void>());
  pager_file_txn_free(t);
}

// No out-parameter: a failure leaves the transaction as it was (the page stays allocated
// and committable by nobody else's free).
TEST(OutParam, pager_file_txn_free_page) {
  Fx fx;
  uint64_t id = fx.Protected();
  pager_file_txn* t = fx.Begin();
  EXPECT_FAILS_WITH(pager_file_txn_free_page(t, id + 1), PAGER_ERR_DOUBLE_FREE);
  EXPECT_FAILS_WITH(pager_file_txn_free_page(t, 0), PAGER_ERR_RANGE);
  uint64_t held = kSentinel64;
  ASSERT_EQ(pager_file_txn_page_count(t, &held), PAGER_OK);
  EXPECT_EQ(held, 0u) << "a failed free leaves nothing in the transaction";
  EXPECT_EQ(pager_file_txn_free_page(t, id), PAGER_OK);
  EXPECT_FAILS_WITH(pager_file_txn_free_page(t, id), PAGER_ERR_DOUBLE_FREE);
  ASSERT_EQ(pager_file_txn_page_count(t, &held), PAGER_OK);
  EXPECT_EQ(held, 1u);
  pager_file_txn_free(t);
}

TEST(OutParam, pager_file_txn_data) {
  Fx fx;
  pager_file_txn* t = fx.Begin();
  void* p = SentinelPtr<void>();
  EXPECT_FAILS_WITH(pager_file_txn_data(t, 1, &p), PAGER_ERR_NOT_FOUND);
  EXPECT_EQ(p, SentinelPtr<void>());
  pager_file_txn_free(t);
}

TEST(OutParam, pager_file_txn_page_size) {
  Fx fx;
  pager_file_txn* t = fx.Begin();
  fx.Close();
  uint32_t v = kSentinel32;
  EXPECT_FAILS_WITH(pager_file_txn_page_size(t, &v), PAGER_ERR_INVALID);
  EXPECT_EQ(v, kSentinel32);
  pager_file_txn_free(t);
}

TEST(OutParam, pager_file_txn_page_count) {
  Fx fx;
  pager_file_txn* t = fx.Begin();
  fx.Close();
  uint64_t v = kSentinel64;
  EXPECT_FAILS_WITH(pager_file_txn_page_count(t, &v), PAGER_ERR_INVALID);
  EXPECT_EQ(v, kSentinel64);
  pager_file_txn_free(t);
}

TEST(OutParam, pager_file_txn_commit) {
  Fx fx;
  uint64_t id = fx.Protected();
  pager_file_txn* t = fx.Begin();
  void* d = nullptr;
  ASSERT_EQ(pager_file_txn_add(t, id, &d), PAGER_OK);
  fx.FailNextSync();
  EXPECT_FAILS_WITH(pager_file_txn_commit(t), PAGER_ERR_IO);
  pager_file_txn_free(t);
}

TEST(OutParam, pager_file_txn_free) {
  MakeAnError();
  pager_file_txn_free(nullptr);
  EXPECT_STREQ(pager_last_error(), "");
  Fx fx;
  pager_file_txn* t = fx.Begin();
  MakeAnError();
  pager_file_txn_free(t);
  EXPECT_STREQ(pager_last_error(), "");
}

TEST(OutParam, pager_file_iter_pages) {
  pager_file_iter* it = SentinelPtr<pager_file_iter>();
  EXPECT_FAILS_WITH(pager_file_iter_pages(nullptr, &it), PAGER_ERR_INVALID);
  EXPECT_EQ(it, SentinelPtr<pager_file_iter>());
}

TEST(OutParam, pager_file_iter_protected) {
  pager_file_iter* it = SentinelPtr<pager_file_iter>();
  EXPECT_FAILS_WITH(pager_file_iter_protected(nullptr, &it), PAGER_ERR_INVALID);
  EXPECT_EQ(it, SentinelPtr<pager_file_iter>());
}

TEST(OutParam, pager_file_iter_next) {
  Fx fx;
  fx.Alloc();
  pager_file_iter* it = nullptr;
  ASSERT_EQ(pager_file_iter_pages(fx.f, &it), PAGER_OK);
  fx.Close();
  uint64_t id = kSentinel64;
  uint32_t found = kSentinel32;
  EXPECT_FAILS_WITH(pager_file_iter_next(it, &id, &found), PAGER_ERR_INVALID);
  EXPECT_EQ(id, kSentinel64);
  EXPECT_EQ(found, kSentinel32);
  pager_file_iter_free(it);
}

TEST(OutParam, pager_file_iter_free) {
  MakeAnError();
  pager_file_iter_free(nullptr);
  EXPECT_STREQ(pager_last_error(), "");
}

TEST(OutParam, pager_file_subpages_create) {
  Fx fx;
  pager_file_subpages* s = SentinelPtr<pager_file_subpages>();
  EXPECT_FAILS_WITH(pager_file_subpages_create(fx.f, 7, &s), PAGER_ERR_INVALID);
  EXPECT_EQ(s, SentinelPtr<pager_file_subpages>());
}

TEST(OutParam, pager_file_subpages_free) {
  MakeAnError();
  pager_file_subpages_free(nullptr);
  EXPECT_STREQ(pager_last_error(), "");
}

namespace {
// A sub-page allocator (256-byte slots) over a fixture's file.
pager_file_subpages* SubPages(Fx* fx) {
  pager_file_subpages* s = nullptr;
  EXPECT_EQ(pager_file_subpages_create(fx->f, 256, &s), PAGER_OK);
  return s;
}
}  // namespace

TEST(OutParam, pager_file_subpages_sub_page_size) {
  Fx fx;
  pager_file_subpages* s = SubPages(&fx);
  fx.Close();
  uint32_t v = kSentinel32;
  EXPECT_FAILS_WITH(pager_file_subpages_sub_page_size(s, &v), PAGER_ERR_INVALID);
  EXPECT_EQ(v, kSentinel32);
  pager_file_subpages_free(s);
}

TEST(OutParam, pager_file_subpages_slot_count) {
  Fx fx;
  pager_file_subpages* s = SubPages(&fx);
  fx.Close();
  uint32_t v = kSentinel32;
  EXPECT_FAILS_WITH(pager_file_subpages_slot_count(s, &v), PAGER_ERR_INVALID);
  EXPECT_EQ(v, kSentinel32);
  pager_file_subpages_free(s);
}

TEST(OutParam, pager_file_subpage_alloc) {
  Fx fx;
  pager_file_subpages* s = SubPages(&fx);
  fx.FailNextSync();  // the first sub-page needs a parent page: one commit
  uint64_t id = kSentinel64;
  EXPECT_FAILS_WITH(pager_file_subpage_alloc(s, &id), PAGER_ERR_IO);
  EXPECT_EQ(id, kSentinel64);
  pager_file_subpages_free(s);
}

TEST(OutParam, pager_file_subpage_alloc_bulk) {
  Fx fx;
  pager_file_subpages* s = SubPages(&fx);
  fx.FailNextSync();
  uint64_t ids[9];
  Fill(ids, sizeof ids);
  EXPECT_FAILS_WITH(pager_file_subpage_alloc_bulk(s, ids, 9), PAGER_ERR_IO);
  EXPECT_TRUE(Untouched(ids, sizeof ids));
  uint64_t n = kSentinel64;
  ASSERT_EQ(pager_file_subpage_count(s, &n), PAGER_OK);
  EXPECT_EQ(n, 0u);
  pager_file_subpages_free(s);
}

TEST(OutParam, pager_file_subpage_free) {
  Fx fx;
  pager_file_subpages* s = SubPages(&fx);
  uint64_t id = 0;
  ASSERT_EQ(pager_file_subpage_alloc(s, &id), PAGER_OK);
  fx.FailNextSync();  // the emptied parent goes back to the file: one commit
  EXPECT_FAILS_WITH(pager_file_subpage_free(s, id), PAGER_ERR_IO);
  pager_file_subpages_free(s);
}

TEST(OutParam, pager_file_subpage_free_bulk) {
  Fx fx;
  pager_file_subpages* s = SubPages(&fx);
  uint64_t ids[2];
  ASSERT_EQ(pager_file_subpage_alloc_bulk(s, ids, 2), PAGER_OK);
  fx.FailNextSync();
  EXPECT_FAILS_WITH(pager_file_subpage_free_bulk(s, ids, 2), PAGER_ERR_IO);
  pager_file_subpages_free(s);
}

TEST(OutParam, pager_file_subpage_mark_used) {
  Fx fx;
  pager_file_subpages* s = SubPages(&fx);
  uint64_t id = 0;
  ASSERT_EQ(pager_file_subpage_alloc(s, &id), PAGER_OK);
  EXPECT_FAILS_WITH(pager_file_subpage_mark_used(s, &id, 1), PAGER_ERR_EXISTS);
  pager_file_subpages_free(s);
}

TEST(OutParam, pager_file_subpage) {
  Fx fx;
  pager_file_subpages* s = SubPages(&fx);
  uint64_t parent = fx.Alloc();
  void* p = SentinelPtr<void>();
  EXPECT_FAILS_WITH(pager_file_subpage(s, parent * 64, &p), PAGER_ERR_NOT_FOUND);
  EXPECT_EQ(p, SentinelPtr<void>());
  pager_file_subpages_free(s);
}

TEST(OutParam, pager_file_subpage_const) {
  Fx fx;
  pager_file_subpages* s = SubPages(&fx);
  uint64_t parent = fx.Alloc();
  const void* p = SentinelPtr<const void>();
  EXPECT_FAILS_WITH(pager_file_subpage_const(s, parent * 64, &p), PAGER_ERR_NOT_FOUND);
  EXPECT_EQ(p, SentinelPtr<const void>());
  pager_file_subpages_free(s);
}

TEST(OutParam, pager_file_subpage_count) {
  Fx fx;
  pager_file_subpages* s = SubPages(&fx);
  fx.Close();
  uint64_t v = kSentinel64;
  EXPECT_FAILS_WITH(pager_file_subpage_count(s, &v), PAGER_ERR_INVALID);
  EXPECT_EQ(v, kSentinel64);
  pager_file_subpages_free(s);
}
