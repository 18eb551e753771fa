// Protected-page write transactions through the C API (pager_file_txn_*): many pages per
// transaction, holding rules, geometry getters, and the commit's single critical section
// (P9 in impl/file/page_file.h) under a multi-thread race. Runs on a MemEnv through the
// fault seam so commits are fast; the crash side (all pages old or all new) is in
// tests/file_crash_test.cc.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "impl/io/mem_env.h"
#include "pager.h"
#include "tests/file_test_util.h"
#include "tests/outparam.h"
#include "tests/support/test_util.h"

namespace {

using pager::file::testing::CapiOptions;

struct MemFile : pager::file::testing::CapiFile<pager::io::MemEnv> {
  using CapiFile::CapiFile;
  uint64_t Protected() {
    uint64_t id = 0;
    EXPECT_EQ(pager_file_protected_alloc(f, &id), PAGER_OK) << pager_last_error();
    return id;
  }
  // A new transaction on f (null, and a failed expectation, if begin fails).
  pager_file_txn* Begin() {
    pager_file_txn* t = nullptr;
    EXPECT_EQ(pager_file_txn_begin(f, &t), PAGER_OK) << pager_last_error();
    return t;
  }
  std::vector<uint8_t> Read(uint64_t id) {
    uint32_t ps = 0;
    EXPECT_EQ(pager_file_page_size(f, &ps), PAGER_OK);
    std::vector<uint8_t> buf(ps);
    EXPECT_EQ(pager_file_protected_read(f, id, buf.data(), buf.size()), PAGER_OK)
        << pager_last_error();
    return buf;
  }
};

// ---- the race of the old two-step commit -----------------------------------------------------

// Content written by the racing threads: the page's epoch (bumped by the thread that frees
// and reallocates the id) and who wrote it. A fresh protected page is all zeros (epoch 0).
struct Stamp {
  uint64_t epoch;
  uint64_t writer;  // 1 = committer thread, 2 = reallocating thread
  uint64_t counter;
};

Stamp ReadStamp(const void* page) {
  Stamp s;
  std::memcpy(&s, page, sizeof s);
  return s;
}

// One racing pair on protected page `id`. Thread A repeatedly adds the page and commits a copy
// carrying the epoch it read (it never commits onto a page nobody stamped yet: epoch 0).
// Thread B frees the page whenever no transaction holds it, reallocates it (the same id comes
// back: the lowest free directory entry, as every pair frees and reallocates only its own
// id), checks the fresh page reads zeros, and stamps epoch + 1. With the old commit (end the
// transaction, unlock, then lock again and write) A's write could land after B's free: A's
// commit failed (NOT_FOUND), or it overwrote B's new page (a non-zero fresh page, or an epoch
// going backwards).
class RacingPair {
 public:
  RacingPair(pager_file* f, uint64_t id, int reallocs) : f_(f), id_(id), reallocs_(reallocs) {}
  void Run() {
    // The rounds are capped in time too (sanitizer builds run many times slower).
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    std::thread a([&] { Committer(deadline); });
    Reallocator(deadline);
    done_ = true;
    a.join();
  }
  std::string failure() const { return a_error_ + b_error_; }
  int reallocs_done() const { return done_reallocs_; }

 private:
  void Committer(std::chrono::steady_clock::time_point deadline) {
    for (uint64_t i = 0; !done_ && std::chrono::steady_clock::now() < deadline; i++) {
      pager_file_txn* t = nullptr;
      if (pager_file_txn_begin(f_, &t) != PAGER_OK) return FailA("begin", PAGER_OK);
      void* d = nullptr;
      int rc = pager_file_txn_add(t, id_, &d);
      if (rc == PAGER_OK && ReadStamp(d).epoch != 0) {
        Stamp s = ReadStamp(d);
        s.writer = 1;
        s.counter = i;
        std::memcpy(d, &s, sizeof s);
        rc = pager_file_txn_commit(t);
        if (rc != PAGER_OK) FailA("commit", rc);
      } else if (rc != PAGER_OK && rc != PAGER_ERR_BUSY && rc != PAGER_ERR_NOT_FOUND) {
        FailA("add", rc);
      }
      pager_file_txn_free(t);
      if (!a_error_.empty()) return;
    }
  }
  void FailA(const char* what, int rc) {
    a_error_ = std::string("page ") + std::to_string(id_) + " " + what + ": " +
               pager_errstr(rc) + " " + pager_last_error() + "\n";
    done_ = true;
  }
  void Reallocator(std::chrono::steady_clock::time_point deadline) {
    uint64_t epoch = 1;
    uint32_t spin = static_cast<uint32_t>(id_);
    while (!Stamp1(epoch)) {
      if (!b_error_.empty()) return;
    }
    std::vector<uint8_t> buf(1024);
    while (!done_ && done_reallocs_ < reallocs_ && std::chrono::steady_clock::now() < deadline) {
      std::unique_lock<std::mutex> one_free_id_at_a_time(realloc_mu_);
      int rc = pager_file_protected_free(f_, id_);
      if (rc == PAGER_ERR_BUSY) {
        // Retry at varied moments instead of queueing on the file's mutex (a queued thread
        // sleeps and so never lands between two critical sections of the committer).
        one_free_id_at_a_time.unlock();
        spin = spin * 1103515245u + 12345u;
        for (volatile uint32_t k = 0; k < (spin >> 16) % 512; k = k + 1) {
        }
        continue;
      }
      if (rc != PAGER_OK) return FailB(std::string("free: ") + pager_last_error());
      uint64_t again = 0;
      rc = pager_file_protected_alloc(f_, &again);
      if (rc != PAGER_OK || again != id_) return FailB("realloc did not return the same id");
      one_free_id_at_a_time.unlock();
      done_reallocs_++;
      if (pager_file_protected_read(f_, id_, buf.data(), buf.size()) != PAGER_OK) {
        return FailB("read");
      }
      Stamp fresh = ReadStamp(buf.data());
      if (fresh.epoch != 0 || fresh.writer != 0) {
        return FailB("a fresh page reads epoch " + std::to_string(fresh.epoch) + " by writer " +
                     std::to_string(fresh.writer) + ": a stale commit overwrote it");
      }
      epoch++;
      while (!Stamp1(epoch)) {
        if (!b_error_.empty()) return;
      }
      if (pager_file_protected_read(f_, id_, buf.data(), buf.size()) != PAGER_OK) {
        return FailB("read");
      }
      if (ReadStamp(buf.data()).epoch != epoch) {
        return FailB("epoch went from " + std::to_string(epoch) + " back to " +
                     std::to_string(ReadStamp(buf.data()).epoch));
      }
    }
  }
  // Commits epoch onto the page; false on BUSY (A holds it briefly) or an error (recorded).
  bool Stamp1(uint64_t epoch) {
    pager_file_txn* t = nullptr;
    if (pager_file_txn_begin(f_, &t) != PAGER_OK) {
      FailB("begin");
      return false;
    }
    void* d = nullptr;
    int rc = pager_file_txn_add(t, id_, &d);
    if (rc == PAGER_OK) {
      Stamp s{epoch, 2, 0};
      std::memcpy(d, &s, sizeof s);
      rc = pager_file_txn_commit(t);
    }
    pager_file_txn_free(t);
    if (rc != PAGER_OK && rc != PAGER_ERR_BUSY) FailB(std::string("stamp: ") + pager_errstr(rc));
    return rc == PAGER_OK;
  }
  void FailB(const std::string& why) {
    b_error_ = "page " + std::to_string(id_) + ": " + why + "\n";
    done_ = true;
  }

  static inline std::mutex realloc_mu_;  // pairs free and reallocate one id at a time
  pager_file* f_;
  uint64_t id_;
  int reallocs_;
  std::atomic<bool> done_{false};
  std::atomic<int> done_reallocs_{0};
  std::string a_error_, b_error_;
};

TEST(FileProtected, CommitRacingFreeAndReallocNeverOverwritesTheNewPage) {
  MemFile m;
  constexpr int kPairs = 4;
  constexpr int kReallocs = 30000;  // per pair
  std::vector<std::unique_ptr<RacingPair>> pairs;
  for (int i = 0; i < kPairs; i++) {
    pairs.push_back(std::make_unique<RacingPair>(m.f, m.Protected(), kReallocs));
  }
  // Readers keep the file's mutex busy, so a committer that has to wait for it sleeps, and a
  // racing thread that is awake gets the mutex first: the window between two critical
  // sections of one call (the old commit's) is then found often.
  std::atomic<bool> stop{false};
  auto reader = [&] {
    uint64_t n = 0;
    while (!stop) (void)pager_file_protected_count(m.f, &n);
  };
  std::thread readers[2] = {std::thread(reader), std::thread(reader)};
  std::vector<std::thread> threads;
  for (auto& p : pairs) threads.emplace_back([&p] { p->Run(); });
  for (auto& t : threads) t.join();
  stop = true;
  for (auto& r : readers) r.join();
  for (auto& p : pairs) {
    EXPECT_EQ(p->failure(), "");
    EXPECT_GT(p->reallocs_done(), 0) << "the race never happened: the test proves nothing";
  }
}

// ---- multi-page transactions ------------------------------------------------------------------

TEST(FileTxn, CommitMakesEveryPageOfTheTransactionItsNewContent) {
  MemFile m;
  std::vector<uint64_t> ids;
  for (int i = 0; i < 5; i++) ids.push_back(m.Protected());
  pager_file_txn* t = m.Begin();
  for (uint64_t id : ids) {
    void* d = nullptr;
    ASSERT_PAGER_OK(pager_file_txn_add(t, id, &d));
    auto bytes = pager::testing::PatternBytes(id, 1024);
    std::memcpy(d, bytes.data(), bytes.size());
  }
  uint64_t held = 0;
  ASSERT_PAGER_OK(pager_file_txn_page_count(t, &held));
  EXPECT_EQ(held, ids.size());
  for (uint64_t id : ids) EXPECT_EQ(m.Read(id), std::vector<uint8_t>(1024, 0));  // not yet
  ASSERT_PAGER_OK(pager_file_txn_commit(t));
  for (uint64_t id : ids) EXPECT_EQ(m.Read(id), pager::testing::PatternBytes(id, 1024));
  ASSERT_PAGER_OK(pager_file_txn_page_count(t, &held));
  EXPECT_EQ(held, 0u) << "a committed transaction holds nothing";
  EXPECT_EQ(pager_file_txn_commit(t), PAGER_ERR_INVALID);
  void* d = nullptr;
  EXPECT_EQ(pager_file_txn_add(t, ids[0], &d), PAGER_ERR_INVALID);
  pager_file_txn_free(t);
}

TEST(FileTxn, AddingAPageTwiceReturnsTheSameCopyWithTheCallersChanges) {
  MemFile m;
  uint64_t id = m.Protected();
  pager_file_txn* t = m.Begin();
  void* first = nullptr;
  void* second = nullptr;
  void* data = nullptr;
  ASSERT_PAGER_OK(pager_file_txn_add(t, id, &first));
  std::memcpy(first, "changed", 8);
  ASSERT_PAGER_OK(pager_file_txn_add(t, id, &second));
  ASSERT_PAGER_OK(pager_file_txn_data(t, id, &data));
  EXPECT_EQ(first, second);
  EXPECT_EQ(first, data);
  EXPECT_STREQ(static_cast<const char*>(second), "changed");
  uint64_t held = 0;
  ASSERT_PAGER_OK(pager_file_txn_page_count(t, &held));
  EXPECT_EQ(held, 1u);
  pager_file_txn_free(t);
}

TEST(FileTxn, APageHeldByAnOpenTransactionIsBusyForOthersAndCannotBeFreed) {
  MemFile m;
  uint64_t id = m.Protected();
  pager_file_txn* t1 = m.Begin();
  pager_file_txn* t2 = m.Begin();
  void* d = nullptr;
  ASSERT_PAGER_OK(pager_file_txn_add(t1, id, &d));
  void* d2 = outparam::SentinelPtr<void>();
  EXPECT_EQ(pager_file_txn_add(t2, id, &d2), PAGER_ERR_BUSY);
  EXPECT_EQ(d2, outparam::SentinelPtr<void>());
  EXPECT_EQ(pager_file_protected_free(m.f, id), PAGER_ERR_BUSY);
  pager_file_txn_free(t1);  // abort releases the page
  ASSERT_PAGER_OK(pager_file_txn_add(t2, id, &d2));
  ASSERT_PAGER_OK(pager_file_txn_commit(t2));  // the commit releases it too
  ASSERT_PAGER_OK(pager_file_protected_free(m.f, id));
  pager_file_txn_free(t2);
}

TEST(FileTxn, AbortWritesNothing) {
  MemFile m;
  uint64_t id = m.Protected();
  pager_file_txn* t = m.Begin();
  void* d = nullptr;
  ASSERT_PAGER_OK(pager_file_txn_add(t, id, &d));
  std::memset(d, 0x77, 1024);
  pager_file_txn_free(t);
  EXPECT_EQ(m.Read(id), std::vector<uint8_t>(1024, 0));
}

TEST(FileTxn, DataOfAPageNotInTheTransactionIsNotFound) {
  MemFile m;
  uint64_t id = m.Protected();
  pager_file_txn* t = m.Begin();
  void* d = outparam::SentinelPtr<void>();
  EXPECT_EQ(pager_file_txn_data(t, id, &d), PAGER_ERR_NOT_FOUND);
  EXPECT_EQ(d, outparam::SentinelPtr<void>());
  EXPECT_EQ(pager_file_txn_add(t, id + 1, &d), PAGER_ERR_NOT_FOUND);  // not allocated
  EXPECT_EQ(pager_file_txn_add(t, 0, &d), PAGER_ERR_RANGE);
  EXPECT_EQ(d, outparam::SentinelPtr<void>());
  pager_file_txn_free(t);
}

TEST(FileTxn, TransactionReportsItsOwnPageSize) {
  MemFile m(8192);
  pager_file_txn* t = m.Begin();
  uint32_t ps = 0;
  ASSERT_PAGER_OK(pager_file_txn_page_size(t, &ps));
  EXPECT_EQ(ps, 8192u);
  pager_file_txn_free(t);
}

TEST(FileTxn, EmptyTransactionCommitsNothing) {
  MemFile m;
  pager_file_txn* t = m.Begin();
  ASSERT_PAGER_OK(pager_file_txn_commit(t));
  pager_file_txn_free(t);
}

TEST(FileTxn, ReadOnlyFileCannotBeginATransaction) {
  pager::io::MemEnv env;
  outparam::ScopedEnv scoped(&env);
  pager_file* f = nullptr;
  pager_file_options o = CapiOptions(1024);
  ASSERT_PAGER_OK(pager_file_create("/f", &o, &f));
  pager_file_close(f);
  o.page_size = 0;
  o.read_only = 1;
  ASSERT_PAGER_OK(pager_file_open("/f", &o, &f));
  pager_file_txn* t = outparam::SentinelPtr<pager_file_txn>();
  EXPECT_EQ(pager_file_txn_begin(f, &t), PAGER_ERR_READONLY);
  EXPECT_EQ(t, outparam::SentinelPtr<pager_file_txn>());
  pager_file_close(f);
}

TEST(FileTxn, FailedCommitEndsTheTransactionAndReleasesItsPages) {
  pager::io::FaultEnv env;
  outparam::ScopedEnv scoped(&env);
  pager_file* f = nullptr;
  pager_file_options o = CapiOptions(1024);
  ASSERT_PAGER_OK(pager_file_create("/f", &o, &f));
  uint64_t ids[2];
  ASSERT_PAGER_OK(pager_file_protected_alloc_bulk(f, ids, 2));
  pager_file_txn* t = nullptr;
  ASSERT_PAGER_OK(pager_file_txn_begin(f, &t));
  void* d = nullptr;
  ASSERT_PAGER_OK(pager_file_txn_add(t, ids[0], &d));
  ASSERT_PAGER_OK(pager_file_txn_add(t, ids[1], &d));
  env.FailNth(pager::io::MemEnv::Op::kSync, 1, pager::io::FaultKind::kEio, false);
  EXPECT_EQ(pager_file_txn_commit(t), PAGER_ERR_IO);
  uint64_t held = 1;
  ASSERT_PAGER_OK(pager_file_txn_page_count(t, &held));
  EXPECT_EQ(held, 0u);
  EXPECT_EQ(pager_file_txn_commit(t), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_file_protected_free(f, ids[0]), PAGER_ERR_POISONED);  // not BUSY: released
  pager_file_txn_free(t);
  pager_file_close(f);
}

TEST(FileTxn, TransactionOfAClosedFileFailsCleanly) {
  MemFile m;
  uint64_t id = m.Protected();
  pager_file_txn* t = m.Begin();
  void* d = nullptr;
  ASSERT_PAGER_OK(pager_file_txn_add(t, id, &d));
  pager_file_close(m.f);
  m.f = nullptr;
  EXPECT_EQ(pager_file_txn_commit(t), PAGER_ERR_INVALID);
  uint32_t ps = 0;
  EXPECT_EQ(pager_file_txn_page_size(t, &ps), PAGER_ERR_INVALID);
  pager_file_txn_free(t);
}

// ---- blind writes (pager_file_txn_write) -------------------------------------------------------

// Adds id to t through pager_file_txn_write with PatternBytes(seed) as its new content.
void WritePattern(pager_file_txn* t, uint64_t id, uint64_t seed) {
  auto bytes = pager::testing::PatternBytes(seed, 1024);
  ASSERT_PAGER_OK(pager_file_txn_write(t, id, bytes.data(), bytes.size()));
}

TEST(FileTxnWrite, CommitMakesTheWrittenBytesEachPagesContent) {
  MemFile m;
  std::vector<uint64_t> ids;
  for (int i = 0; i < 4; i++) ids.push_back(m.Protected());
  pager_file_txn* t = m.Begin();
  for (uint64_t id : ids) WritePattern(t, id, id + 100);
  for (uint64_t id : ids) {
    void* d = nullptr;
    ASSERT_PAGER_OK(pager_file_txn_data(t, id, &d));
    EXPECT_EQ(0, std::memcmp(d, pager::testing::PatternBytes(id + 100, 1024).data(), 1024));
    EXPECT_EQ(m.Read(id), std::vector<uint8_t>(1024, 0)) << "not before the commit";
  }
  uint64_t held = 0;
  ASSERT_PAGER_OK(pager_file_txn_page_count(t, &held));
  EXPECT_EQ(held, ids.size());
  ASSERT_PAGER_OK(pager_file_txn_commit(t));
  for (uint64_t id : ids) EXPECT_EQ(m.Read(id), pager::testing::PatternBytes(id + 100, 1024));
  pager_file_txn_free(t);
}

TEST(FileTxnWrite, WritingAPageTheTransactionAlreadyHoldsReplacesItsCopy) {
  MemFile m;
  uint64_t id = m.Protected();
  pager_file_txn* t = m.Begin();
  void* copy = nullptr;
  ASSERT_PAGER_OK(pager_file_txn_add(t, id, &copy));
  std::memset(copy, 0x11, 1024);
  WritePattern(t, id, 7);
  void* data = nullptr;
  ASSERT_PAGER_OK(pager_file_txn_data(t, id, &data));
  EXPECT_EQ(data, copy) << "one copy per page: the add's pointer stays the page's copy";
  EXPECT_EQ(0, std::memcmp(copy, pager::testing::PatternBytes(7, 1024).data(), 1024));
  WritePattern(t, id, 8);  // a second write replaces the first
  uint64_t held = 0;
  ASSERT_PAGER_OK(pager_file_txn_page_count(t, &held));
  EXPECT_EQ(held, 1u);
  ASSERT_PAGER_OK(pager_file_txn_commit(t));
  EXPECT_EQ(m.Read(id), pager::testing::PatternBytes(8, 1024));
  pager_file_txn_free(t);
}

TEST(FileTxnWrite, TheCallersBufferMayBeTheTransactionsOwnCopy) {
  MemFile m;
  uint64_t id = m.Protected();
  pager_file_txn* t = m.Begin();
  WritePattern(t, id, 3);
  void* copy = nullptr;
  ASSERT_PAGER_OK(pager_file_txn_data(t, id, &copy));
  ASSERT_PAGER_OK(pager_file_txn_write(t, id, copy, 1024));
  ASSERT_PAGER_OK(pager_file_txn_commit(t));
  EXPECT_EQ(m.Read(id), pager::testing::PatternBytes(3, 1024));
  pager_file_txn_free(t);
}

TEST(FileTxnWrite, AWrittenPageIsHeldAsAnAddedOneIs) {
  MemFile m;
  uint64_t id = m.Protected();
  pager_file_txn* t1 = m.Begin();
  pager_file_txn* t2 = m.Begin();
  WritePattern(t1, id, 1);
  void* d = nullptr;
  EXPECT_EQ(pager_file_txn_add(t2, id, &d), PAGER_ERR_BUSY);
  std::vector<uint8_t> page(1024, 0x42);
  EXPECT_EQ(pager_file_txn_write(t2, id, page.data(), page.size()), PAGER_ERR_BUSY);
  EXPECT_EQ(pager_file_protected_free(m.f, id), PAGER_ERR_BUSY);
  pager_file_txn_free(t1);  // the abort writes nothing and releases the page
  EXPECT_EQ(m.Read(id), std::vector<uint8_t>(1024, 0));
  ASSERT_PAGER_OK(pager_file_txn_write(t2, id, page.data(), page.size()));
  ASSERT_PAGER_OK(pager_file_txn_commit(t2));
  EXPECT_EQ(m.Read(id), page);
  pager_file_txn_free(t2);
}

TEST(FileTxnWrite, APageAllocatedInTheTransactionTakesTheWrittenBytes) {
  MemFile m;
  pager_file_txn* t = m.Begin();
  uint64_t id = 0;
  void* copy = nullptr;
  ASSERT_PAGER_OK(pager_file_txn_alloc_page(t, &id, &copy));
  WritePattern(t, id, 9);
  void* data = nullptr;
  ASSERT_PAGER_OK(pager_file_txn_data(t, id, &data));
  EXPECT_EQ(data, copy);
  ASSERT_PAGER_OK(pager_file_txn_commit(t));
  EXPECT_EQ(m.Read(id), pager::testing::PatternBytes(9, 1024));
  pager_file_txn_free(t);
}

TEST(FileTxnWrite, APageTheTransactionFreesCannotBeWritten) {
  MemFile m;
  uint64_t id = m.Protected();
  pager_file_txn* t = m.Begin();
  ASSERT_PAGER_OK(pager_file_txn_free_page(t, id));
  std::vector<uint8_t> page(1024, 0x42);
  EXPECT_EQ(pager_file_txn_write(t, id, page.data(), page.size()), PAGER_ERR_NOT_FOUND);
  uint64_t held = 0;
  ASSERT_PAGER_OK(pager_file_txn_page_count(t, &held));
  EXPECT_EQ(held, 1u) << "only the free";
  ASSERT_PAGER_OK(pager_file_txn_commit(t));
  EXPECT_EQ(pager_file_protected_read(m.f, id, page.data(), 1024), PAGER_ERR_NOT_FOUND);
  pager_file_txn_free(t);
}

TEST(FileTxnWrite, AWriteOfTheWrongLengthOrToAnEndedTransactionChangesNothing) {
  MemFile m;
  uint64_t id = m.Protected();
  pager_file_txn* t = m.Begin();
  std::vector<uint8_t> page(2048, 0x42);
  EXPECT_EQ(pager_file_txn_write(t, id, page.data(), 1023), PAGER_ERR_INVALID);
  EXPECT_NE(std::string(pager_last_error()).find("buf_len"), std::string::npos)
      << pager_last_error();
  EXPECT_EQ(pager_file_txn_write(t, id, page.data(), 2048), PAGER_ERR_INVALID);
  uint64_t held = 1;
  ASSERT_PAGER_OK(pager_file_txn_page_count(t, &held));
  EXPECT_EQ(held, 0u);
  ASSERT_PAGER_OK(pager_file_txn_commit(t));
  EXPECT_EQ(pager_file_txn_write(t, id, page.data(), 1024), PAGER_ERR_INVALID);
  EXPECT_EQ(m.Read(id), std::vector<uint8_t>(1024, 0));
  ASSERT_PAGER_OK(pager_file_protected_free(m.f, id));  // the failed writes held nothing
  pager_file_txn_free(t);
}

}  // namespace
