// The cold pager's invariant checks and impl-level argument checks: each CheckInvariants
// return is made to fire by breaking exactly one invariant through a test-only friend
// (a libpager bug would be the only other way), and the ColdPager entry points refuse what
// the C API refuses before them, with the message that names the argument.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "impl/cold/cold_pager.h"
#include "impl/cold/extent_allocator.h"
#include "impl/cold/scratch_store.h"
#include "impl/io/mem_env.h"
#include "tests/support/test_util.h"

namespace pager {
namespace cold {

// Reaches into the bookkeeping the way a bug would.
class ExtentAllocatorTestPeer {
 public:
  explicit ExtentAllocatorTestPeer(ExtentAllocator* a) : a_(a) {}
  void AddFree(uint64_t offset, uint64_t len) {
    a_->free_by_offset_[offset] = len;
    a_->free_by_len_.insert({len, offset});
  }
  void AddFreeByLenOnly(uint64_t offset, uint64_t len) { a_->free_by_len_.insert({len, offset}); }
  void EraseFreeByLen(uint64_t offset, uint64_t len) { a_->free_by_len_.erase({len, offset}); }
  void SetAllocated(uint64_t offset, uint64_t len) { a_->allocated_[offset] = len; }
  void EraseAllocated(uint64_t offset) { a_->allocated_.erase(offset); }
  void SetEnd(uint64_t end) { a_->end_ = end; }
  void SetAllocatedBytes(uint64_t n) { a_->allocated_bytes_ = n; }

 private:
  ExtentAllocator* a_;
};

class ScratchStoreTestPeer {
 public:
  static void SetWarmBytes(ScratchStore* s, uint32_t file, uint64_t n) {
    s->files_[file]->warm_bytes = n;
  }
  static void AddWarm(ScratchStore* s, uint32_t file, uint64_t len, uint64_t offset) {
    s->files_[file]->warm.insert({len, offset});
    s->files_[file]->warm_bytes += len;
  }
  static void BreakExtents(ScratchStore* s, uint32_t file) {
    ExtentAllocatorTestPeer(&s->files_[file]->extents).SetAllocatedBytes(1);
  }
  static const std::string& Path(ScratchStore* s, uint32_t file) { return s->files_[file]->path; }
};

namespace {

#define EXPECT_STATUS(expr, code_, msg_)      \
  do {                                        \
    ::pager::Status _s = (expr);              \
    EXPECT_EQ(_s.code(), (code_)) << #expr;   \
    EXPECT_EQ(_s.message(), (msg_)) << #expr; \
  } while (0)

// Three allocated extents of one block each: [0, 4096) [4096, 8192) [8192, 12288).
class ColdInvariants : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 3; i++) {
      Result<uint64_t> r = a_.Allocate(4096);
      ASSERT_TRUE(r.ok());
      EXPECT_EQ(r.value(), 4096u * static_cast<uint64_t>(i));
    }
    ASSERT_OK(a_.CheckInvariants());
  }
  ExtentAllocator a_{4096};
  ExtentAllocatorTestPeer peer_{&a_};
};

TEST_F(ColdInvariants, AnExtentBothFreeAndAllocatedBreaksX2) {
  peer_.AddFree(4096, 4096);
  EXPECT_STATUS(a_.CheckInvariants(), Code::kInternal, "X2: extent at 4096 is both free and allocated");
}

TEST_F(ColdInvariants, FreeIndexesOfDifferentSizesAreCaught) {
  peer_.AddFreeByLenOnly(12288, 4096);
  EXPECT_STATUS(a_.CheckInvariants(), Code::kInternal, "free indexes disagree");
}

TEST_F(ColdInvariants, AnUnalignedOffsetOrLengthOrAnEmptyExtentBreaksX1) {
  peer_.SetAllocated(8192, 100);
  EXPECT_STATUS(a_.CheckInvariants(), Code::kInternal, "X1: extent at 8192 is not aligned");
  peer_.SetAllocated(8192, 0);
  EXPECT_STATUS(a_.CheckInvariants(), Code::kInternal, "X1: extent at 8192 is not aligned");
  peer_.SetAllocated(8192, 4096);
  peer_.SetAllocated(100, 4096);
  EXPECT_STATUS(a_.CheckInvariants(), Code::kInternal, "X1: extent at 100 is not aligned");
}

TEST_F(ColdInvariants, AGapBetweenExtentsBreaksX2) {
  peer_.EraseAllocated(4096);
  EXPECT_STATUS(a_.CheckInvariants(), Code::kInternal, "X2: gap or overlap at 4096");
}

TEST_F(ColdInvariants, TwoTouchingFreeExtentsBreakX3) {
  peer_.EraseAllocated(0);
  peer_.EraseAllocated(4096);
  peer_.AddFree(0, 4096);
  peer_.AddFree(4096, 4096);
  peer_.SetAllocatedBytes(4096);
  EXPECT_STATUS(a_.CheckInvariants(), Code::kInternal, "X3: free extents touch at 4096");
}

TEST_F(ColdInvariants, AFreeExtentMissingFromTheLengthIndexIsStale) {
  peer_.EraseAllocated(4096);
  peer_.AddFree(4096, 4096);
  peer_.EraseFreeByLen(4096, 4096);
  peer_.AddFreeByLenOnly(99 * 4096, 4096);  // same index sizes, wrong entry
  peer_.SetAllocatedBytes(8192);
  EXPECT_STATUS(a_.CheckInvariants(), Code::kInternal, "free index stale");
}

TEST_F(ColdInvariants, AnEndPastTheLastExtentBreaksX2) {
  peer_.SetEnd(16384);
  EXPECT_STATUS(a_.CheckInvariants(), Code::kInternal, "X2: extents end at 12288, end is 16384");
}

TEST_F(ColdInvariants, AFreeExtentAtTheEndBreaksX3) {
  peer_.EraseAllocated(8192);
  peer_.AddFree(8192, 4096);
  peer_.SetAllocatedBytes(8192);
  EXPECT_STATUS(a_.CheckInvariants(), Code::kInternal, "X3: a free extent ends at end");
}

TEST_F(ColdInvariants, AStaleAllocatedByteCountIsCaught) {
  peer_.SetAllocatedBytes(4096);
  EXPECT_STATUS(a_.CheckInvariants(), Code::kInternal, "allocated byte count is stale");
}

class ColdStoreInvariants : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(env_.CreateDir("/r", 0755));
    auto s = ScratchStore::Create(&env_, "/r", 1, 4096, 8192);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s.value());
    auto e = store_->Allocate(100, 0);  // opens data file 0
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    ASSERT_OK(store_->CheckInvariants());
  }
  io::MemEnv env_;
  std::unique_ptr<ScratchStore> store_;
};

TEST_F(ColdStoreInvariants, AWarmPoolCountThatDisagreesWithItsExtentsBreaksD5) {
  ScratchStoreTestPeer::SetWarmBytes(store_.get(), 0, 4096);
  const std::string& path = ScratchStoreTestPeer::Path(store_.get(), 0);
  EXPECT_STATUS(store_->CheckInvariants(), Code::kInternal,
                "D5: warm pool of " + path + " holds 0 bytes, counted 4096, budget 8192");
}

TEST_F(ColdStoreInvariants, AWarmPoolOverItsBudgetBreaksD5) {
  ScratchStoreTestPeer::AddWarm(store_.get(), 0, 16384, 0);
  const std::string& path = ScratchStoreTestPeer::Path(store_.get(), 0);
  EXPECT_STATUS(store_->CheckInvariants(), Code::kInternal,
                "D5: warm pool of " + path + " holds 16384 bytes, counted 16384, budget 8192");
}

TEST_F(ColdStoreInvariants, ABrokenExtentAllocatorNamesItsFile) {
  ScratchStoreTestPeer::BreakExtents(store_.get(), 0);
  const std::string& path = ScratchStoreTestPeer::Path(store_.get(), 0);
  Status s = store_->CheckInvariants();
  EXPECT_EQ(s.code(), Code::kInternal);
  EXPECT_NE(s.message().find(path), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("allocated byte count is stale"), std::string::npos) << s.message();
}

// ---- ColdPager: arguments the C API checks first, refused again at the impl boundary -----

TEST(ColdRefusal, AnUnknownBackendNullChunksOrAMissingFreeFunctionAreInvalid) {
  io::MemEnv env;
  ColdPager pager(&env, ColdPagerConfig{});
  char byte = 1;
  Chunk chunk{&byte, 1};
  auto r = pager.Pageout(static_cast<Backend>(7), &chunk, 1, PageoutOptions{});
  EXPECT_STATUS(r.status(), Code::kInvalid, "unknown backend 7 (expected 1 = swap or 2 = file)");
  r = pager.Pageout(Backend::kSwap, nullptr, 1, PageoutOptions{});
  EXPECT_STATUS(r.status(), Code::kInvalid, "chunks must not be NULL");
  OwnedChunk owned{&byte, 1, nullptr, nullptr};
  r = pager.PageoutOwned(static_cast<Backend>(0), &owned, 1, PageoutOptions{});
  EXPECT_STATUS(r.status(), Code::kInvalid, "unknown backend 0 (expected 1 = swap or 2 = file)");
  r = pager.PageoutOwned(Backend::kSwap, nullptr, 2, PageoutOptions{});
  EXPECT_STATUS(r.status(), Code::kInvalid, "chunks must not be NULL");
  r = pager.PageoutOwned(Backend::kSwap, &owned, 1, PageoutOptions{});
  EXPECT_STATUS(r.status(), Code::kInvalid, "owned chunk #0 has no free function");
  // The file backend without a scratch directory, for owned chunks too.
  auto free_fn = [](void*, void*, uint64_t) {};
  OwnedChunk with_free{&byte, 1, free_fn, nullptr};
  r = pager.PageoutOwned(Backend::kFile, &with_free, 1, PageoutOptions{});
  EXPECT_STATUS(r.status(), Code::kInvalid,
                "the file backend needs a scratch directory: call pager_cold_set_scratch_dir first");
  EXPECT_OK(pager.CheckInvariants());
}

TEST(ColdRefusal, TakingANullHandleIsInvalidAndTouchesNothing) {
  char dst[4] = {9, 9, 9, 9};
  std::unique_ptr<Handle> none;
  EXPECT_STATUS(ColdPager::Take(nullptr, dst, sizeof dst), Code::kInvalid, "handle must not be NULL");
  EXPECT_STATUS(ColdPager::Take(&none, dst, sizeof dst), Code::kInvalid, "handle must not be NULL");
  EXPECT_STATUS(ColdPager::TakeBuffer(nullptr).status(), Code::kInvalid, "handle must not be NULL");
  EXPECT_STATUS(ColdPager::TakeBuffer(&none).status(), Code::kInvalid, "handle must not be NULL");
  EXPECT_EQ(dst[0], 9);
}

TEST(ColdRefusal, ChunksTotallingMoreThanInt64MaxAreTooLargeBeforeAnyByteIsRead) {
  io::MemEnv env;
  ColdPager pager(&env, ColdPagerConfig{});
  char byte = 1;  // the lengths are lies: nothing may be read before the sum is checked
  const uint64_t half = uint64_t{1} << 62;
  Chunk chunks[2] = {{&byte, half}, {&byte, half}};
  EXPECT_STATUS(pager.Pageout(Backend::kSwap, chunks, 2, PageoutOptions{}).status(),
                Code::kTooLarge, "chunks up to #1 total more than INT64_MAX bytes");
  auto free_fn = [](void*, void*, uint64_t) { ADD_FAILURE() << "a refused chunk was freed"; };
  OwnedChunk owned[2] = {{&byte, half, free_fn, nullptr}, {&byte, half, free_fn, nullptr}};
  EXPECT_STATUS(pager.PageoutOwned(Backend::kSwap, owned, 2, PageoutOptions{}).status(),
                Code::kTooLarge, "chunks up to #1 total more than INT64_MAX bytes");
  EXPECT_EQ(pager.GetStats().swap.live_handle_count, 0u);
}

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitizerAllocator = true;  // aborts on a huge allocation instead of NULL
#else
constexpr bool kSanitizerAllocator = false;
#endif

TEST(ColdRefusal, AMemoryPageoutNoAllocatorCanHoldIsNoMemBeforeAnyByteIsRead) {
  if (kSanitizerAllocator) GTEST_SKIP() << "sanitizer allocators abort on 2^62-byte requests";
  io::MemEnv env;
  ColdPager pager(&env, ColdPagerConfig{});
  char byte = 1;
  const uint64_t quarter = uint64_t{1} << 61;
  Chunk chunks[2] = {{&byte, quarter}, {&byte, quarter}};
  EXPECT_STATUS(pager.Pageout(Backend::kSwap, chunks, 2, PageoutOptions{}).status(), Code::kNoMem,
                "could not allocate 4611686018427387904 bytes");
  EXPECT_EQ(pager.GetStats().swap.live_handle_count, 0u);
}

TEST(ColdRefusal, ZeroScratchFilesMeansOneAndZeroRangesPerReadMeansOne) {
  io::MemEnv env;
  ASSERT_OK(env.CreateDir("/r", 0755));
  ColdPagerConfig config;
  config.scratch_file_count = 0;
  config.max_ranges_per_read = 0;
  ColdPager pager(&env, config);
  ASSERT_OK(pager.SetScratchDir("/r"));
  std::vector<uint8_t> a = testing::PatternBytes(1, 5000), b = testing::PatternBytes(2, 3000);
  Chunk chunks[3] = {{a.data(), a.size()}, {nullptr, 0}, {b.data(), b.size()}};
  auto h = pager.Pageout(Backend::kFile, chunks, 3, PageoutOptions{});
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  auto m = pager.Pageout(Backend::kSwap, chunks, 3, PageoutOptions{});  // the empty chunk skipped
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  Range ranges[3] = {{0, 100}, {100, 4900}, {5000, 3000}};
  for (Handle* handle : {h.value().get(), m.value().get()}) {
    std::vector<uint8_t> got(8000);
    ASSERT_OK(ColdPager::ReadAtMany(*handle, ranges, 3, got.data(), got.size()));
    EXPECT_TRUE(std::equal(a.begin(), a.end(), got.begin()));
    EXPECT_TRUE(std::equal(b.begin(), b.end(), got.begin() + 5000));
  }
  std::vector<std::string> names;
  ASSERT_OK(env.ListDir(pager.scratch_dir(), &names));
  EXPECT_EQ(names, std::vector<std::string>{"data-0"});  // one scratch file
  EXPECT_OK(pager.CheckInvariants());
}

TEST(ColdRefusal, FreeingAnExtentWithAnotherLengthIsDoubleFreeAndKeepsIt) {
  ExtentAllocator a(4096);
  Result<uint64_t> off = a.Allocate(4096);
  ASSERT_TRUE(off.ok());
  auto r = a.Free(off.value(), 8192);
  EXPECT_STATUS(r.status(), Code::kDoubleFree, "scratch extent at offset 0 of 8192 bytes is not allocated");
  EXPECT_EQ(a.allocated_bytes(), 4096u);
  EXPECT_OK(a.CheckInvariants());
}

}  // namespace
}  // namespace cold
}  // namespace pager
