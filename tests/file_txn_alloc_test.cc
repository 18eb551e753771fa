// Allocating and freeing protected pages inside a page-file write transaction
// (pager_file_txn_alloc_page / pager_file_txn_free_page, P12 in impl/file/page_file.h):
// invisibility until the commit, an abort that leaves the allocator exactly as before, no page
// handed out twice across transactions and threads, one flush per commit, and the failure
// paths (NOSPC before any write leaves the file and handle as before; a failed sync poisons).
// The crash side is FileCrash.TransactionThatAllocatesAndFreesIsAllOldOrAllNewAtEverySyncPoint.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <set>
#include <thread>
#include <vector>

#include "pager.h"
#include "tests/file_test_util.h"

namespace {

using pager::file::testing::CapiOptions;

struct Fx : pager::file::testing::CapiFile<pager::io::FaultEnv> {
  uint64_t Count(int (*getter)(pager_file*, uint64_t*)) {
    uint64_t v = 0;
    EXPECT_EQ(getter(f, &v), PAGER_OK) << pager_last_error();
    return v;
  }
  std::set<uint64_t> Ids() {
    std::set<uint64_t> out;
    pager_file_iter* it = nullptr;
    EXPECT_EQ(pager_file_iter_protected(f, &it), PAGER_OK);
    uint64_t id = 0;
    uint32_t found = 0;
    while (pager_file_iter_next(it, &id, &found) == PAGER_OK && found) out.insert(id);
    pager_file_iter_free(it);
    return out;
  }
  std::vector<uint8_t> Read(uint64_t id) {
    std::vector<uint8_t> buf(1024);
    EXPECT_EQ(pager_file_protected_read(f, id, buf.data(), buf.size()), PAGER_OK)
        << pager_last_error();
    return buf;
  }
  int ReadCode(uint64_t id) {
    std::vector<uint8_t> buf(1024);
    return pager_file_protected_read(f, id, buf.data(), buf.size());
  }
  uint64_t Protected() {
    uint64_t id = 0;
    EXPECT_EQ(pager_file_protected_alloc(f, &id), PAGER_OK) << pager_last_error();
    return id;
  }
  pager_file_txn* Begin() {
    pager_file_txn* t = nullptr;
    EXPECT_EQ(pager_file_txn_begin(f, &t), PAGER_OK) << pager_last_error();
    return t;
  }
  // The allocator as a caller can observe it.
  struct Allocator {
    uint64_t free_pages, page_count, protected_count;
    std::set<uint64_t> ids;
    bool operator==(const Allocator& o) const {
      return free_pages == o.free_pages && page_count == o.page_count &&
             protected_count == o.protected_count && ids == o.ids;
    }
  };
  Allocator State() {
    return {Count(pager_file_free_page_count), Count(pager_file_page_count),
            Count(pager_file_protected_count), Ids()};
  }
};

std::vector<uint8_t> Pattern(uint64_t seed) { return pager::testing::PatternBytes(seed, 1024); }

TEST(FileTxnAlloc, AllocatedPageIsInvisibleUntilTheCommitThenHoldsItsContent) {
  Fx fx;
  uint64_t first = fx.Protected();  // the directory exists: the new id is inside it
  pager_file_txn* t = fx.Begin();
  uint64_t id = 0;
  void* p = nullptr;
  ASSERT_PAGER_OK(pager_file_txn_alloc_page(t, &id, &p));
  EXPECT_TRUE(std::all_of(static_cast<uint8_t*>(p), static_cast<uint8_t*>(p) + 1024,
                          [](uint8_t b) { return b == 0; }));
  auto bytes = Pattern(1);
  std::memcpy(p, bytes.data(), bytes.size());
  EXPECT_EQ(fx.ReadCode(id), PAGER_ERR_NOT_FOUND);
  EXPECT_EQ(fx.Ids(), std::set<uint64_t>{first});
  EXPECT_EQ(fx.Count(pager_file_protected_count), 1u);
  void* again = nullptr;
  ASSERT_PAGER_OK(pager_file_txn_add(t, id, &again));
  EXPECT_EQ(again, p) << "add of a page the transaction allocated returns its copy";
  ASSERT_PAGER_OK(pager_file_txn_data(t, id, &again));
  EXPECT_EQ(again, p);
  pager_file_txn* other = fx.Begin();
  EXPECT_EQ(pager_file_txn_add(other, id, &again), PAGER_ERR_NOT_FOUND);
  EXPECT_EQ(pager_file_txn_free_page(other, id), PAGER_ERR_DOUBLE_FREE);
  EXPECT_EQ(pager_file_protected_free(fx.f, id), PAGER_ERR_DOUBLE_FREE);
  pager_file_txn_free(other);
  ASSERT_PAGER_OK(pager_file_txn_commit(t));
  pager_file_txn_free(t);
  EXPECT_EQ(fx.Read(id), bytes);
  EXPECT_EQ(fx.Ids(), (std::set<uint64_t>{first, id}));
}

TEST(FileTxnAlloc, AbortOfAllocationsAndFreesLeavesTheAllocatorExactlyAsBefore) {
  Fx fx;
  uint64_t kept = fx.Protected();
  uint64_t doomed = fx.Protected();
  auto before = fx.State();
  auto content = fx.Read(doomed);
  uint64_t syncs = fx.env.SyncCount();
  pager_file_txn* t = fx.Begin();
  std::vector<uint64_t> got;
  for (int i = 0; i < 40; i++) {  // past the first directory page (24 entries at 1 KiB)
    uint64_t id = 0;
    void* p = nullptr;
    ASSERT_PAGER_OK(pager_file_txn_alloc_page(t, &id, &p));
    got.push_back(id);
  }
  ASSERT_PAGER_OK(pager_file_txn_free_page(t, doomed));
  void* p = nullptr;
  ASSERT_PAGER_OK(pager_file_txn_add(t, kept, &p));
  pager_file_txn_free(t);  // abort
  EXPECT_EQ(fx.env.SyncCount(), syncs) << "an abort writes nothing";
  EXPECT_TRUE(fx.State() == before);
  EXPECT_EQ(fx.Read(doomed), content);
  // The ids come back: the next allocation gets the lowest of them, and nothing is held.
  EXPECT_EQ(fx.Protected(), *std::min_element(got.begin(), got.end()));
  EXPECT_EQ(pager_file_protected_free(fx.f, doomed), PAGER_OK);
  EXPECT_EQ(pager_file_protected_free(fx.f, kept), PAGER_OK);
}

TEST(FileTxnAlloc, PageFreedInATransactionIsHeldAndNotReusedUntilTheCommit) {
  Fx fx;
  uint64_t a = fx.Protected();
  uint64_t b = fx.Protected();
  pager_file_txn* t = fx.Begin();
  ASSERT_PAGER_OK(pager_file_txn_free_page(t, a));
  EXPECT_EQ(fx.ReadCode(a), PAGER_OK) << "still allocated until the commit";
  pager_file_txn* other = fx.Begin();
  void* p = nullptr;
  EXPECT_EQ(pager_file_txn_add(other, a, &p), PAGER_ERR_BUSY);
  EXPECT_EQ(pager_file_txn_free_page(other, a), PAGER_ERR_BUSY);
  EXPECT_EQ(pager_file_protected_free(fx.f, a), PAGER_ERR_BUSY);
  uint64_t fresh = 0;
  ASSERT_PAGER_OK(pager_file_txn_alloc_page(other, &fresh, &p));
  EXPECT_NE(fresh, a);
  EXPECT_NE(fx.Protected(), a);
  EXPECT_EQ(pager_file_txn_add(t, a, &p), PAGER_ERR_NOT_FOUND) << "freed by this transaction";
  EXPECT_EQ(pager_file_txn_free_page(t, a), PAGER_ERR_DOUBLE_FREE);
  pager_file_txn_free(other);
  ASSERT_PAGER_OK(pager_file_txn_commit(t));
  pager_file_txn_free(t);
  EXPECT_EQ(fx.ReadCode(a), PAGER_ERR_NOT_FOUND);
  EXPECT_EQ(fx.ReadCode(b), PAGER_OK);
  EXPECT_EQ(fx.Protected(), a) << "reusable once the freeing commit is durable";
}

TEST(FileTxnAlloc, FreeingAPageAddedToTheTransactionDropsItsCopyButKeepsThePointerValid) {
  Fx fx;
  uint64_t a = fx.Protected();
  pager_file_txn* t = fx.Begin();
  void* p = nullptr;
  ASSERT_PAGER_OK(pager_file_txn_add(t, a, &p));
  std::memset(p, 0x5a, 1024);
  ASSERT_PAGER_OK(pager_file_txn_free_page(t, a));
  EXPECT_EQ(static_cast<uint8_t*>(p)[1023], 0x5a);  // still readable (ASan checks it)
  void* d = nullptr;
  EXPECT_EQ(pager_file_txn_data(t, a, &d), PAGER_ERR_NOT_FOUND);
  uint64_t count = 0;
  ASSERT_PAGER_OK(pager_file_txn_page_count(t, &count));
  EXPECT_EQ(count, 1u);
  ASSERT_PAGER_OK(pager_file_txn_commit(t));
  pager_file_txn_free(t);
  EXPECT_EQ(fx.ReadCode(a), PAGER_ERR_NOT_FOUND);
}

TEST(FileTxnAlloc, PageAllocatedAndFreedInOneTransactionLeavesNothing) {
  Fx fx;
  uint64_t a = fx.Protected();
  auto before = fx.State();
  pager_file_txn* t = fx.Begin();
  uint64_t id = 0;
  void* p = nullptr;
  ASSERT_PAGER_OK(pager_file_txn_alloc_page(t, &id, &p));
  std::memset(p, 1, 1024);
  ASSERT_PAGER_OK(pager_file_txn_free_page(t, id));
  EXPECT_EQ(static_cast<uint8_t*>(p)[0], 1);
  EXPECT_EQ(pager_file_txn_free_page(t, id), PAGER_ERR_DOUBLE_FREE);
  uint64_t count = 7;
  ASSERT_PAGER_OK(pager_file_txn_page_count(t, &count));
  EXPECT_EQ(count, 0u);
  uint64_t syncs = fx.env.SyncCount();
  ASSERT_PAGER_OK(pager_file_txn_commit(t));
  EXPECT_EQ(fx.env.SyncCount(), syncs) << "nothing to commit";
  pager_file_txn_free(t);
  EXPECT_TRUE(fx.State() == before);
  EXPECT_EQ(fx.ReadCode(a), PAGER_OK);
}

TEST(FileTxnAlloc, CommitOfRewritesAllocationsAndFreesIsOneFlush) {
  Fx fx;
  std::vector<uint64_t> old(30);
  ASSERT_PAGER_OK(pager_file_protected_alloc_bulk(fx.f, old.data(), old.size()));
  pager_file_txn* t = fx.Begin();
  std::vector<std::pair<uint64_t, std::vector<uint8_t>>> expect;
  for (int i = 0; i < 10; i++) {
    void* p = nullptr;
    ASSERT_PAGER_OK(pager_file_txn_add(t, old[i], &p));
    expect.emplace_back(old[i], Pattern(100 + i));
    std::memcpy(p, expect.back().second.data(), 1024);
  }
  for (int i = 0; i < 300; i++) {  // many new pages: the directory and the page space grow
    uint64_t id = 0;
    void* p = nullptr;
    ASSERT_PAGER_OK(pager_file_txn_alloc_page(t, &id, &p));
    expect.emplace_back(id, Pattern(1000 + i));
    std::memcpy(p, expect.back().second.data(), 1024);
  }
  for (int i = 10; i < 30; i++) ASSERT_PAGER_OK(pager_file_txn_free_page(t, old[i]));
  uint64_t syncs = fx.env.SyncCount();
  ASSERT_PAGER_OK(pager_file_txn_commit(t));
  EXPECT_EQ(fx.env.SyncCount(), syncs + 1);
  pager_file_txn_free(t);
  EXPECT_EQ(fx.Count(pager_file_protected_count), 310u);
  for (int i = 10; i < 30; i++) EXPECT_EQ(fx.ReadCode(old[i]), PAGER_ERR_NOT_FOUND);
  auto check = [&] {
    for (auto& e : expect) ASSERT_EQ(fx.Read(e.first), e.second) << "page " << e.first;
  };
  check();
  pager_file_close(fx.f);
  pager_file_options o = CapiOptions(0);
  ASSERT_PAGER_OK(pager_file_open("/f", &o, &fx.f));
  check();
  pager_check_report r;
  pager_check_report_init(&r);
  pager_file_close(fx.f);
  fx.f = nullptr;
  ASSERT_PAGER_OK(pager_file_check("/f", &r));
  EXPECT_EQ(r.damage_code, PAGER_OK);
  EXPECT_EQ(r.protected_count, 310u);
}

TEST(FileTxnAlloc, ConcurrentTransactionsAndAllocatorsNeverGetTheSamePage) {
  Fx fx;
  constexpr int kThreads = 4;
  constexpr int kRounds = 40;
  std::vector<std::vector<uint64_t>> committed(kThreads);
  std::vector<std::thread> threads;
  for (int th = 0; th < kThreads; th++) {
    threads.emplace_back([&, th] {
      for (int r = 0; r < kRounds; r++) {
        if (th == 0) {  // a plain allocator racing the transactions
          uint64_t id = 0;
          ASSERT_EQ(pager_file_protected_alloc(fx.f, &id), PAGER_OK) << pager_last_error();
          committed[th].push_back(id);
          continue;
        }
        pager_file_txn* t = nullptr;
        ASSERT_EQ(pager_file_txn_begin(fx.f, &t), PAGER_OK);
        std::vector<uint64_t> mine;
        for (int i = 0; i < 3; i++) {
          uint64_t id = 0;
          void* p = nullptr;
          ASSERT_EQ(pager_file_txn_alloc_page(t, &id, &p), PAGER_OK) << pager_last_error();
          std::memcpy(p, &id, sizeof id);
          mine.push_back(id);
        }
        if (r % 3 == 2) {
          pager_file_txn_free(t);  // abort: the ids go back
          continue;
        }
        if (!committed[th].empty() && r % 2 == 0) {  // free one of ours in the same commit
          ASSERT_EQ(pager_file_txn_free_page(t, committed[th].back()), PAGER_OK);
          committed[th].pop_back();
        }
        ASSERT_EQ(pager_file_txn_commit(t), PAGER_OK) << pager_last_error();
        pager_file_txn_free(t);
        committed[th].insert(committed[th].end(), mine.begin(), mine.end());
      }
    });
  }
  for (auto& t : threads) t.join();
  std::set<uint64_t> all;
  size_t total = 0;
  for (auto& c : committed) {
    total += c.size();
    all.insert(c.begin(), c.end());
  }
  EXPECT_EQ(all.size(), total) << "a page was handed out twice";
  EXPECT_EQ(fx.Ids(), all);
  for (int th = 1; th < kThreads; th++) {
    for (uint64_t id : committed[th]) {
      uint64_t stamp = 0;
      std::memcpy(&stamp, fx.Read(id).data(), sizeof stamp);
      EXPECT_EQ(stamp, id);
    }
  }
}

TEST(FileTxnAlloc, NospcWhileReservingNewPagesLeavesTheFileAndTheHandleAsBefore) {
  Fx fx;
  uint64_t a = fx.Protected();
  auto before = fx.State();
  pager_file_txn* t = fx.Begin();
  uint64_t id = 0;
  void* p = nullptr;
  for (int i = 0; i < 60; i++) ASSERT_PAGER_OK(pager_file_txn_alloc_page(t, &id, &p));
  ASSERT_PAGER_OK(pager_file_txn_free_page(t, a));
  uint64_t syncs = fx.env.SyncCount();
  fx.env.FailNth(pager::io::MemEnv::Op::kAllocate, 1, pager::io::FaultKind::kEnospc, false);
  EXPECT_EQ(pager_file_txn_commit(t), PAGER_ERR_NOSPC);
  pager_file_txn_free(t);
  EXPECT_EQ(fx.env.SyncCount(), syncs);
  EXPECT_TRUE(fx.State() == before);
  EXPECT_EQ(fx.ReadCode(a), PAGER_OK) << "the free did not happen";
  t = fx.Begin();  // not poisoned: the same transaction commits now
  ASSERT_PAGER_OK(pager_file_txn_alloc_page(t, &id, &p));
  ASSERT_PAGER_OK(pager_file_txn_free_page(t, a));
  ASSERT_PAGER_OK(pager_file_txn_commit(t));
  pager_file_txn_free(t);
  EXPECT_EQ(fx.ReadCode(a), PAGER_ERR_NOT_FOUND);
}

TEST(FileTxnAlloc, LostFsyncAtTheCommitPoisonsAndReopenIsAllOldOrAllNew) {
  Fx fx;
  uint64_t a = fx.Protected();
  auto before = fx.State();
  pager_file_txn* t = fx.Begin();
  uint64_t id = 0;
  void* p = nullptr;
  ASSERT_PAGER_OK(pager_file_txn_alloc_page(t, &id, &p));
  ASSERT_PAGER_OK(pager_file_txn_free_page(t, a));
  fx.env.FailSyncLosingData(1);
  EXPECT_EQ(pager_file_txn_commit(t), PAGER_ERR_IO);
  pager_file_txn_free(t);
  EXPECT_EQ(pager_file_txn_begin(fx.f, &t), PAGER_ERR_POISONED);
  uint64_t other = 0;
  EXPECT_EQ(pager_file_protected_alloc(fx.f, &other), PAGER_ERR_POISONED);
  pager_file_close(fx.f);
  fx.env.ClearFaults();
  pager_file_options o = CapiOptions(0);
  ASSERT_PAGER_OK(pager_file_open("/f", &o, &fx.f));
  auto after = fx.State();
  bool old_state = after.ids == before.ids;
  bool new_state = after.ids == std::set<uint64_t>{id};
  EXPECT_TRUE(old_state || new_state);
}

}  // namespace
