// Every I/O failure of the file backend is an error code (or, with fallback_to_memory, a
// memory handle), never a crash or silent garbage; injected through FaultEnv/MemEnv.
#include <gtest/gtest.h>

#include <cstring>

#include "impl/cold/cold_pager.h"
#include "impl/io/mem_env.h"
#include "tests/support/test_util.h"

namespace pager {
namespace cold {
namespace {

using io::FaultKind;
using io::MemEnv;
using testing::PatternBytes;

class ColdFault : public ::testing::Test {
 protected:
  ColdFault() : pager_(&env_) {}
  void SetUp() override { ASSERT_OK(pager_.SetScratchDir("/tmp/scratch")); }
  Result<std::unique_ptr<Handle>> Put(const std::vector<uint8_t>& data, PageoutOptions o = {}) {
    Chunk c{data.data(), data.size()};
    return pager_.Pageout(Backend::kFile, &c, 1, o);
  }
  io::FaultEnv env_;
  ColdPager pager_;
};

TEST_F(ColdFault, WriteErrorFailsThePageoutAndReturnsTheExtent) {
  env_.FailNth(MemEnv::Op::kWrite, 1, FaultKind::kEio, false);
  auto r = Put(PatternBytes(1, 10000));
  EXPECT_EQ(r.status().code(), Code::kIo) << r.status().ToString();
  Stats s = pager_.GetStats();
  EXPECT_EQ(s.write_error_count, 1u);
  EXPECT_EQ(s.file.live_handle_count, 0u);
  EXPECT_EQ(s.scratch_allocated_bytes, 0u);
  ASSERT_OK(pager_.CheckInvariants());
  auto ok = Put(PatternBytes(2, 100));  // the next pageout works
  ASSERT_TRUE(ok.ok());
}

TEST_F(ColdFault, FullDiskIsNoSpace) {
  env_.FailNth(MemEnv::Op::kWrite, 1, FaultKind::kEnospc, false);
  EXPECT_EQ(Put(PatternBytes(3, 100)).status().code(), Code::kNoSpace);
}

TEST_F(ColdFault, WriteErrorWithFallbackKeepsTheBytesInMemory) {
  env_.FailNth(MemEnv::Op::kWrite, 1, FaultKind::kEio, true);
  PageoutOptions o;
  o.fallback_to_memory = true;
  auto data = PatternBytes(4, 10000);
  auto r = Put(data, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto h = r.take();
  EXPECT_EQ(h->backend(), Backend::kSwap);
  EXPECT_TRUE(h->fell_back());
  Stats s = pager_.GetStats();
  EXPECT_EQ(s.fallback_count, 1u);
  EXPECT_EQ(s.swap.live_handle_count, 1u);
  EXPECT_EQ(s.file.live_handle_count, 0u);
  std::vector<uint8_t> out(data.size());
  ASSERT_OK(pager_.Take(&h, out.data(), out.size()));
  EXPECT_EQ(out, data);
}

void CountFree(void* ctx, void* data, uint64_t) {
  ++*static_cast<int*>(ctx);
  std::free(data);
}

TEST_F(ColdFault, OwnedWriteErrorWithFallbackAdoptsTheBuffersWithoutCopy) {
  env_.FailNth(MemEnv::Op::kWrite, 1, FaultKind::kEio, false);
  int frees = 0;
  auto data = PatternBytes(5, 8192);
  void* p = std::malloc(data.size());
  std::memcpy(p, data.data(), data.size());
  OwnedChunk c{p, data.size(), CountFree, &frees};
  PageoutOptions o;
  o.fallback_to_memory = true;
  auto h = pager_.PageoutOwned(Backend::kFile, &c, 1, o).take();
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(frees, 0);
  auto b = pager_.TakeBuffer(&h);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b.value().data(), p);
  b.value().Reset();
  EXPECT_EQ(frees, 1);
}

TEST_F(ColdFault, OwnedWriteErrorWithoutFallbackLeavesTheBuffersToTheCaller) {
  env_.FailNth(MemEnv::Op::kWrite, 1, FaultKind::kEio, false);
  int frees = 0;
  OwnedChunk c{std::malloc(100), 100, CountFree, &frees};
  EXPECT_EQ(pager_.PageoutOwned(Backend::kFile, &c, 1, PageoutOptions()).status().code(),
            Code::kIo);
  EXPECT_EQ(frees, 0);
  std::free(c.data);
}

TEST_F(ColdFault, ReadErrorIsIoAndKeepsTheHandle) {
  auto data = PatternBytes(6, 5000);
  auto h = Put(data).take();
  env_.FailNth(MemEnv::Op::kRead, 1, FaultKind::kEio, false);
  std::vector<uint8_t> out(data.size());
  EXPECT_EQ(pager_.Take(&h, out.data(), out.size()).code(), Code::kIo);
  ASSERT_NE(h, nullptr);
  ASSERT_OK(pager_.Take(&h, out.data(), out.size()));  // the fault was transient
  EXPECT_EQ(out, data);
}

TEST_F(ColdFault, ShortReadOfATruncatedScratchFileIsAnError) {
  auto data = PatternBytes(7, 6000);
  auto h = Put(data).take();
  std::string path = h->extent().file->path();
  std::vector<uint8_t> bytes;
  ASSERT_OK(env_.GetFileBytes(path, &bytes));
  bytes.resize(h->extent().offset + 3000);  // someone truncated the scratch file
  ASSERT_OK(env_.SetFileBytes(path, bytes));
  std::vector<uint8_t> out(6000);
  Status st = pager_.ReadAt(*h, 0, 6000, out.data());
  EXPECT_EQ(st.code(), Code::kIo);
  EXPECT_NE(st.message().find("short read"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("3000 of 6000"), std::string::npos) << st.message();
  ASSERT_OK(pager_.ReadAt(*h, 0, 3000, out.data()));  // the part still there reads fine
}

TEST_F(ColdFault, ShortReadWithChecksumsIsAnErrorToo) {
  PageoutOptions o;
  o.checksums = true;
  auto h = Put(PatternBytes(8, 6000), o).take();
  std::vector<uint8_t> bytes;
  ASSERT_OK(env_.GetFileBytes(h->extent().file->path(), &bytes));
  bytes.resize(h->extent().offset + 10);
  ASSERT_OK(env_.SetFileBytes(h->extent().file->path(), bytes));
  std::vector<uint8_t> out(4);
  EXPECT_EQ(pager_.ReadAt(*h, 0, 4, out.data()).code(), Code::kIo);
}

TEST_F(ColdFault, MissingScratchDirectoryIsAnErrorOrAFallback) {
  // The private directory vanished (a tmp cleaner) before the first file pageout.
  ASSERT_OK(env_.RemoveDir(pager_.scratch_dir()));
  auto r = Put(PatternBytes(9, 100));
  EXPECT_EQ(r.status().code(), Code::kNotFound) << r.status().ToString();
  EXPECT_NE(r.status().message().find("scratch file"), std::string::npos);
  PageoutOptions o;
  o.fallback_to_memory = true;
  auto fb = Put(PatternBytes(9, 100), o);
  ASSERT_TRUE(fb.ok());
  EXPECT_EQ(fb.value()->backend(), Backend::kSwap);
}

TEST_F(ColdFault, MissingScratchFileIsAnErrorAtOpen) {
  env_.FailNth(MemEnv::Op::kOpen, 1, FaultKind::kEio, false);
  EXPECT_EQ(Put(PatternBytes(10, 100)).status().code(), Code::kIo);
  auto ok = Put(PatternBytes(10, 100));  // the file is opened on the next try
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
}

TEST_F(ColdFault, FailedPunchIsCountedAndTheSpaceIsReusedAnyway) {
  ColdPagerConfig cfg;
  cfg.scratch_file_count = 1;
  cfg.per_file_retain_bytes = 0;  // every free punches or truncates
  ColdPager pager(&env_, cfg);
  ASSERT_OK(pager.SetScratchDir("/tmp/scratch2"));
  auto a = PatternBytes(11, 4096), b = PatternBytes(12, 4096);
  Chunk ca{a.data(), a.size()}, cb{b.data(), b.size()};
  auto ha = pager.Pageout(Backend::kFile, &ca, 1, PageoutOptions()).take();
  auto hb = pager.Pageout(Backend::kFile, &cb, 1, PageoutOptions()).take();
  uint64_t offset_a = ha->extent().offset;
  env_.FailNth(MemEnv::Op::kPunch, 1, FaultKind::kEio, false);
  ha.reset();
  EXPECT_EQ(pager.GetStats().release_error_count, 1u);
  auto hc = pager.Pageout(Backend::kFile, &ca, 1, PageoutOptions()).take();
  EXPECT_EQ(hc->extent().offset, offset_a);
  std::vector<uint8_t> out(4096);
  ASSERT_OK(pager.ReadAt(*hb, 0, 4096, out.data()));
  EXPECT_EQ(out, b);
  ASSERT_OK(pager.ReadAt(*hc, 0, 4096, out.data()));
  EXPECT_EQ(out, a);
}

TEST_F(ColdFault, EveryFailingOperationOfARoundTripIsAnErrorNotACrash) {
  // Fail the nth operation of a pageout/read/take cycle for every n until one runs clean.
  auto data = PatternBytes(13, 9000);
  for (uint64_t n = 1; n < 40; n++) {
    io::FaultEnv env;
    ColdPager pager(&env);
    ASSERT_OK(pager.SetScratchDir("/tmp/s"));
    env.FailNthAny(n, FaultKind::kEio, true);
    PageoutOptions o;
    o.checksums = (n % 2) == 0;
    Chunk c{data.data(), data.size()};
    auto r = pager.Pageout(Backend::kFile, &c, 1, o);
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), Code::kIo);
      continue;
    }
    auto h = r.take();
    std::vector<uint8_t> out(data.size());
    Status st = pager.Take(&h, out.data(), out.size());
    if (st.ok()) {
      EXPECT_EQ(out, data);
    } else {
      EXPECT_EQ(st.code(), Code::kIo);
      h.reset();
    }
    ASSERT_OK(pager.CheckInvariants());
    EXPECT_EQ(pager.GetStats().scratch_allocated_bytes, 0u);
  }
}

// The once-failing complement of the sweep above, over a longer workload (two pageouts, a
// free that returns an extent, a third pageout reusing it, reads, a take): the nth operation
// fails once, for every n until the fault is no longer reached. Every call answers IO or
// works; whatever worked reads back equal; the invariants hold and nothing stays allocated.
TEST_F(ColdFault, EveryOperationFailingOnceIsAnErrorOrAWorkingCallNeverWrongBytes) {
  auto a = PatternBytes(21, 9000), b = PatternBytes(22, 20000), c = PatternBytes(23, 5000);
  for (uint64_t n = 1;; n++) {
    io::FaultEnv env;
    ColdPager pager(&env);
    ASSERT_OK(pager.SetScratchDir("/tmp/s"));
    env.FailNthAny(n, FaultKind::kEio, false);
    uint64_t ops_before = env.OpCount();
    PageoutOptions o;
    o.checksums = (n % 2) == 0;
    std::vector<std::unique_ptr<Handle>> live;
    std::vector<const std::vector<uint8_t>*> bytes;
    for (const std::vector<uint8_t>* d : {&a, &b, &c}) {
      Chunk ch{d->data(), d->size()};
      auto r = pager.Pageout(Backend::kFile, &ch, 1, o);
      if (!r.ok()) {
        EXPECT_EQ(r.status().code(), Code::kIo) << "n=" << n << ": " << r.status().ToString();
      } else {
        live.push_back(r.take());
        bytes.push_back(d);
      }
      if (d == &b && !live.empty()) {  // free the first: its extent is reused by the third
        live.erase(live.begin());
        bytes.erase(bytes.begin());
      }
    }
    for (size_t i = 0; i < live.size(); i++) {
      std::vector<uint8_t> out(bytes[i]->size());
      Status st = pager.ReadAt(*live[i], 0, out.size(), out.data());
      if (st.ok()) {
        EXPECT_EQ(out, *bytes[i]) << "n=" << n << " handle " << i;
      } else {
        EXPECT_EQ(st.code(), Code::kIo) << "n=" << n << ": " << st.ToString();
      }
    }
    if (!live.empty()) {
      std::vector<uint8_t> out(bytes.back()->size());
      Status st = pager.Take(&live.back(), out.data(), out.size());
      if (st.ok()) {
        EXPECT_EQ(out, *bytes.back()) << "n=" << n << ": take";
      } else {
        EXPECT_EQ(st.code(), Code::kIo) << "n=" << n << ": " << st.ToString();
      }
    }
    live.clear();
    ASSERT_OK(pager.CheckInvariants());
    EXPECT_EQ(pager.GetStats().scratch_allocated_bytes, 0u) << "n=" << n;
    if (env.OpCount() - ops_before < n) break;  // the fault was not reached: done
    ASSERT_LT(n, 10000u) << "no end to the operations";
  }
}

}  // namespace
}  // namespace cold
}  // namespace pager
