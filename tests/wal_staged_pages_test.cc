// StagedPages (impl/wal/staged_pages.h, S1-S4) and PageBufferPool (page_buffers.h, B1-B2):
// the staged pages' bytes in pooled buffers reused across transactions. Checked against std::map under random stages, overwrites, shrinks and
// clears; and through the WAL pager, the failure modes reuse could bring: bytes of an earlier
// transaction showing through after a rollback, a failed commit or a poisoning.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "impl/io/mem_env.h"
#include "impl/wal/page_buffers.h"
#include "impl/wal/staged_pages.h"
#include "tests/wal_support.h"

namespace pager {
namespace wal {
namespace {

using testing::MustCommit;
using testing::MustCreate;
using testing::Page;
using testing::Read;
using testing::SmallOptions;
using testing::Stage;

std::vector<uint8_t> Bytes(const StagedPages& s, uint32_t page, uint32_t page_size) {
  const uint8_t* b = s.Find(page);
  return b == nullptr ? std::vector<uint8_t>() : std::vector<uint8_t>(b, b + page_size);
}

void ExpectSame(const StagedPages& s, const std::map<uint32_t, std::vector<uint8_t>>& model,
                uint32_t page_size, uint32_t probe_limit) {
  ASSERT_EQ(s.size(), model.size());
  ASSERT_EQ(s.empty(), model.empty());
  EXPECT_EQ(s.max_page_number(), model.empty() ? 0u : model.rbegin()->first);
  std::vector<std::pair<uint32_t, const uint8_t*>> asc;
  s.Ascending(&asc);
  ASSERT_EQ(asc.size(), model.size());
  size_t i = 0;
  for (const auto& kv : model) {
    EXPECT_EQ(asc[i].first, kv.first) << "Ascending is not in page order at " << i;
    EXPECT_EQ(std::vector<uint8_t>(asc[i].second, asc[i].second + page_size), kv.second);
    i++;
  }
  for (uint32_t p = 1; p < probe_limit; p++) {
    auto it = model.find(p);
    if (it == model.end()) {
      EXPECT_EQ(s.Find(p), nullptr) << "page " << p << " was never staged or was dropped";
    } else {
      EXPECT_EQ(Bytes(s, p, page_size), it->second) << "page " << p;
    }
  }
}

TEST(StagedPages, AnEmptySetFindsNothing) {
  PageBufferPool pool(512);
  StagedPages s(&pool);
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.Find(1), nullptr);
  EXPECT_EQ(s.max_page_number(), 0u);
  s.EraseFrom(1);
  s.Clear();
  EXPECT_EQ(s.Find(7), nullptr);
}

TEST(StagedPages, BytesAgreeWithAMapAcrossOverwritesShrinksAndClears) {
  const uint32_t page_size = 512;
  std::mt19937 rng(29);
  PageBufferPool pool(page_size);
  StagedPages s(&pool);
  std::map<uint32_t, std::vector<uint8_t>> model;
  uint64_t seed = 1;
  for (int txn = 0; txn < 40; txn++) {
    const uint32_t range = 8u << (txn % 8);
    const int stages = 1 + static_cast<int>(rng() % 3000);
    for (int i = 0; i < stages; i++) {
      const uint32_t page = 1 + rng() % range;
      std::vector<uint8_t> b = Page(seed++, page_size);
      std::memcpy(s.Stage(page), b.data(), page_size);
      model[page] = b;
      if (rng() % 500 == 0) {  // a shrink inside the transaction (SetPageCount)
        const uint32_t floor = 1 + rng() % range;
        s.EraseFrom(floor);
        model.erase(model.lower_bound(floor), model.end());
      }
      if (rng() % 700 == 0 && !model.empty()) {  // a commit moved a buffer out (S3)
        auto it = model.begin();
        std::advance(it, rng() % model.size());
        PageBuffer taken = s.TakeBuffer(it->first);
        ASSERT_NE(taken, nullptr);
        EXPECT_EQ(std::vector<uint8_t>(taken.get(), taken.get() + page_size), it->second);
        EXPECT_EQ(s.Find(it->first), nullptr) << "S3: a taken page still has bytes";
        std::vector<uint8_t> again = Page(seed++, page_size);  // restaged after the take
        std::memcpy(s.Stage(it->first), again.data(), page_size);
        it->second = again;
        pool.Give(std::move(taken));
      }
    }
    ExpectSame(s, model, page_size, range + 2);
    s.Clear();  // commit or rollback
    model.clear();
    ExpectSame(s, model, page_size, range + 2);
  }
}

TEST(StagedPages, ABufferKeepsItsAddressWhileTheTableGrows) {
  const uint32_t page_size = 512;
  PageBufferPool pool(page_size);
  StagedPages s(&pool);
  uint8_t* first = s.Stage(1);
  std::memset(first, 0xAB, page_size);
  for (uint32_t p = 2; p < 5000; p++) std::memset(s.Stage(p), static_cast<int>(p), page_size);
  EXPECT_EQ(s.Find(1), first) << "S1: the buffer of page 1 moved";
  EXPECT_EQ(s.Stage(1), first) << "S1: restaging page 1 did not reuse its buffer";
  EXPECT_EQ(Bytes(s, 1, page_size), std::vector<uint8_t>(page_size, 0xAB));
}

TEST(StagedPages, AClearedLargeTransactionLeavesABoundedPoolAndTable) {
  const uint32_t page_size = 4096;
  PageBufferPool pool(page_size);
  StagedPages s(&pool);
  const uint32_t pages = static_cast<uint32_t>(4 * kKeptFreeBufferBytes / page_size);
  for (uint32_t p = 1; p <= pages; p++) s.Stage(p);
  EXPECT_GE(s.table_slots(), 2 * size_t{pages}) << "S2: load above 1/2";
  s.Clear();
  EXPECT_EQ(pool.free_count(), pool.max_free()) << "B2: the pool kept more (or fewer) buffers";
  EXPECT_LE(pool.free_count() * page_size, kKeptFreeBufferBytes);
  for (uint32_t p = 1; p <= 3 * kKeptTableSlots; p++) s.Stage(p);
  s.Clear();
  EXPECT_EQ(s.table_slots(), 0u) << "S4: a table larger than kKeptTableSlots stayed";
  std::memset(s.Stage(5), 5, page_size);  // usable again after the table was freed
  EXPECT_EQ(Bytes(s, 5, page_size), std::vector<uint8_t>(page_size, 5));
}

TEST(PageBufferPool, AGivenBufferIsTakenAgainBeforeANewOne) {
  PageBufferPool pool(512);
  PageBuffer a = pool.Take();
  uint8_t* address = a.get();
  pool.Give(std::move(a));
  EXPECT_EQ(pool.free_count(), 1u);
  EXPECT_EQ(pool.Take().get(), address);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(address) % 64, 0u) << "B1: not 64-byte aligned";
  pool.Give(PageBuffer());  // null: ignored
  EXPECT_EQ(pool.free_count(), 0u);
}

TEST(StagedPages, AFreedBufferIsReusedForAnotherPageWithItsOwnBytes) {
  const uint32_t page_size = 512;
  PageBufferPool pool(page_size);
  StagedPages s(&pool);
  std::memset(s.Stage(3), 3, page_size);
  std::memset(s.Stage(9), 9, page_size);
  s.EraseFrom(5);  // page 9's buffer went back to the pool (S4)
  std::memset(s.Stage(7), 7, page_size);
  EXPECT_EQ(s.Find(9), nullptr);
  EXPECT_EQ(Bytes(s, 3, page_size), std::vector<uint8_t>(page_size, 3));
  EXPECT_EQ(Bytes(s, 7, page_size), std::vector<uint8_t>(page_size, 7));
  EXPECT_EQ(s.size(), 2u);
}

// Through the pager: staging reuses the buffers of earlier transactions, so none of their
// bytes may show through in a later read, commit or after a failure.

class WalStagedReuse : public ::testing::Test {
 protected:
  io::FaultEnv env;
  const std::string path = "db";
};

TEST_F(WalStagedReuse, ARolledBackTransactionsBytesNeverShowInTheNext) {
  auto p = MustCreate(&env, path, SmallOptions());
  ASSERT_NE(p, nullptr);
  for (uint32_t i = 1; i <= 8; i++) Stage(p.get(), i, Page(i));
  MustCommit(p.get());
  for (uint32_t i = 1; i <= 8; i++) Stage(p.get(), i, Page(100 + i));
  ASSERT_OK(p->ClearStaged());
  Stage(p.get(), 3, Page(203));  // reuses a buffer that held page 1's rolled-back bytes
  for (uint32_t i = 1; i <= 8; i++) {
    EXPECT_EQ(Read(p.get(), i), i == 3 ? Page(203) : Page(i)) << "page " << i;
  }
  EXPECT_EQ(MustCommit(p.get()), 1u) << "the rolled-back pages were committed";
  for (uint32_t i = 1; i <= 8; i++) {
    EXPECT_EQ(Read(p.get(), i), i == 3 ? Page(203) : Page(i)) << "page " << i;
  }
  ASSERT_OK(p->CheckInvariants());
}

TEST_F(WalStagedReuse, ARetriedCommitAfterNoSpaceWritesTheStagedBytes) {
  auto p = MustCreate(&env, path, SmallOptions());
  ASSERT_NE(p, nullptr);
  for (uint32_t i = 1; i <= 4; i++) Stage(p.get(), i, Page(i));
  MustCommit(p.get());
  env.FailNth(io::MemEnv::Op::kWrite, 1, io::FaultKind::kEnospc, true);
  Stage(p.get(), 2, Page(102));
  Stage(p.get(), 6, Page(106));
  EXPECT_EQ(p->Commit().status().code(), Code::kNoSpace);
  env.ClearFaults();
  Stage(p.get(), 4, Page(104));  // more staging into the kept transaction
  EXPECT_EQ(MustCommit(p.get()), 3u);
  const uint64_t want[] = {1, 102, 3, 104, 0, 106};
  for (uint32_t i = 1; i <= 6; i++) {
    EXPECT_EQ(Read(p.get(), i), want[i - 1] == 0 ? std::vector<uint8_t>(4096, 0) : Page(want[i - 1]))
        << "page " << i;
  }
  EXPECT_EQ(p->stats().frames_written, 4u + 3u);
}

TEST_F(WalStagedReuse, APoisonedHandleReadsTheLastCommitNotTheDroppedStagedBytes) {
  auto p = MustCreate(&env, path, SmallOptions());
  ASSERT_NE(p, nullptr);
  Stage(p.get(), 1, Page(1));
  Stage(p.get(), 2, Page(2));
  MustCommit(p.get());
  env.FailSyncLosingData(1);
  Stage(p.get(), 1, Page(101));
  Stage(p.get(), 2, Page(102));
  EXPECT_FALSE(p->Commit().ok());
  ASSERT_EQ(p->state(), State::kPoisoned);
  EXPECT_EQ(Read(p.get(), 1), Page(1));
  EXPECT_EQ(Read(p.get(), 2), Page(2));
  EXPECT_EQ(p->stats().commits, 1u);
}

TEST_F(WalStagedReuse, AShrinkInsideTheTransactionDropsTheStagedPagesPastIt) {
  auto p = MustCreate(&env, path, SmallOptions());
  ASSERT_NE(p, nullptr);
  Stage(p.get(), 2, Page(2));
  Stage(p.get(), 9, Page(9));
  ASSERT_OK(p->SetPageCount(5));
  Stage(p.get(), 4, Page(4));  // takes the buffer page 9 left
  ASSERT_OK(p->SetPageCount(10));
  EXPECT_EQ(Read(p.get(), 9), std::vector<uint8_t>(4096, 0)) << "page 9's dropped bytes came back";
  EXPECT_EQ(MustCommit(p.get()), 2u);
  EXPECT_EQ(Read(p.get(), 4), Page(4));
  EXPECT_EQ(Read(p.get(), 9), std::vector<uint8_t>(4096, 0));
  ASSERT_OK(p->CheckInvariants());
}

// A commit moves the staged buffers into the cache and the cache's old buffers stage the next
// transaction: if a staged page and a cached page ever shared a buffer, staging would change
// committed bytes, and a commit would compare a page with itself (and write no frame).
TEST_F(WalStagedReuse, AStagedBufferNeverAliasesTheCommittedBytesOfTheCache) {
  Options o = SmallOptions();
  o.cache_pages = 3;  // evictions on every commit below: buffers cycle through the pool
  auto p = MustCreate(&env, path, o);
  ASSERT_NE(p, nullptr);
  for (uint32_t round = 0; round < 6; round++) {
    for (uint32_t i = 1; i <= 8; i++) Stage(p.get(), i, Page(round * 100 + i));
    ASSERT_EQ(MustCommit(p.get()), 8u) << "round " << round;
    ReadSnapshot snap;
    ASSERT_OK(p->BeginRead(&snap));
    for (uint32_t i = 1; i <= 8; i++) Stage(p.get(), i, Page(round * 100 + 50 + i));
    for (uint32_t i = 1; i <= 8; i++) {
      EXPECT_EQ(testing::SnapRead(p.get(), snap, i), Page(round * 100 + i))
          << "staging changed the committed bytes of page " << i << ", round " << round;
    }
    p->EndRead(&snap);
    ASSERT_OK(p->ClearStaged());
    for (uint32_t i = 1; i <= 8; i++) Stage(p.get(), i, Page(round * 100 + i));  // unchanged
    EXPECT_EQ(MustCommit(p.get()), 0u) << "pages equal to their committed bytes were written";
  }
  for (uint32_t i = 1; i <= 8; i++) EXPECT_EQ(Read(p.get(), i), Page(500 + i)) << "page " << i;
  ASSERT_OK(p->CheckInvariants());
}

// W14 with buffers moved into the cache: a page of the transaction that is cached with its
// old bytes must take its new bytes before any other page of the transaction goes in, or an
// eviction in between hashes the old bytes as the committed content; a later commit of the
// unchanged page then finds the hashes different and writes a frame nobody changed (W5).
TEST_F(WalStagedReuse, AnEvictionDuringTheCommitNeverRemembersAPagesOldBytes) {
  Options o = SmallOptions();
  o.cache_pages = 3;
  auto p = MustCreate(&env, path, o);
  ASSERT_NE(p, nullptr);
  for (uint32_t i = 10; i <= 12; i++) Stage(p.get(), i, Page(i));
  MustCommit(p.get());  // cached: 10, 11, 12
  // Pages 1-3 are not cached and go in before page 10 (page order); the three evictions they
  // cause reach page 10, which is cached with its old bytes until it takes its new ones.
  for (uint32_t i = 1; i <= 3; i++) Stage(p.get(), i, Page(100 + i));
  Stage(p.get(), 10, Page(110));
  ASSERT_EQ(MustCommit(p.get()), 4u);
  for (uint32_t i = 20; i <= 22; i++) Stage(p.get(), i, Page(i));
  MustCommit(p.get());  // page 10 leaves the cache (if it was still there)
  Stage(p.get(), 10, Page(110));  // its committed bytes
  EXPECT_EQ(MustCommit(p.get()), 0u)
      << "an unchanged page was written: its remembered hash was of its old bytes";
  EXPECT_EQ(Read(p.get(), 10), Page(110));
  ASSERT_OK(p->CheckInvariants());
}

}  // namespace
}  // namespace wal
}  // namespace pager
