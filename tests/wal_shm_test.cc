// The shared index `<main>-shm` (impl/wal/shm_index.h X1-X6, doc/format/wal-pager.md "Shared
// index"): golden bytes, a header that is never believed when garbled, torn, stale or of
// another file, frame entries seen by a second handle, growth on a full disk, and read-mark
// slots whose dead holders (closed handles, a child killed with SIGKILL) are reclaimed.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "impl/io/env.h"
#include "impl/io/mem_env.h"
#include "impl/wal/shm_index.h"
#include "tests/support/test_util.h"

namespace pager {
namespace wal {
namespace {

constexpr uint64_t kFileId = 0x1122334455667788ull;

using ::pager::testing::Hex;

// The worked example of doc/format/wal-pager.md "Shared index".
ShmHeader ExampleHeader() {
  ShmHeader h{};
  std::memcpy(h.magic, kShmMagic, sizeof kShmMagic);
  h.format_version = kShmVersion;
  h.page_size = 4096;
  h.file_id = kFileId;
  h.salt1 = 7;
  h.salt2 = 0xA5A5F00Du;
  h.generation = 3;
  h.max_frame = 2;
  h.page_count = 3;
  h.main_valid_count = 1;
  h.backfilled = 0;
  h.checkpoint_epoch = 5;
  h.change_counter = 9;
  h.main_checkpoint_seq = 2;
  h.main_page_count = 1;
  std::memcpy(h.app_header, "app-v1", 6);
  return h;
}

TEST(WalShm, GoldenBytesOfTheWorkedExample) {
  ShmHeader h = ExampleHeader();
  SealShmHeader(&h);
  std::vector<uint8_t> got(reinterpret_cast<uint8_t*>(&h), reinterpret_cast<uint8_t*>(&h) + 136);
  EXPECT_EQ(got, Hex("4c 50 41 47 45 52 53 48 01 00 00 00 00 10 00 00"
                     "88 77 66 55 44 33 22 11 07 00 00 00 0d f0 a5 a5"
                     "03 00 00 00 00 00 00 00 02 00 00 00 00 00 00 00"
                     "03 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00"
                     "05 00 00 00 00 00 00 00 09 00 00 00 00 00 00 00"
                     "02 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00"
                     "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
                     "00 00 00 00 00 00 00 00 31 86 13 1b ca dd 3b 5b"
                     "61 70 70 2d 76 31 00 00"));
  EXPECT_EQ(MakeSlotValue(3, 2), 0x8000030000000002ull);
  EXPECT_TRUE(ValidateShmHeader(h, kFileId).ok());
  EXPECT_EQ(kShmSlotsOffset, 1024u);
  EXPECT_EQ(kShmFramesOffset, 4096u);
  EXPECT_EQ(kWriterLockByte, (uint64_t{1} << 62) + 1);
  EXPECT_EQ(kOpenLockByte, (uint64_t{1} << 62) + 2);
  EXPECT_EQ(kSlotLockBase, (uint64_t{1} << 62) + 64);
}

class Shm : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(env_.CreateDir("/d", 0755).ok());
    main_a_ = OpenMain();
    main_b_ = OpenMain();
  }
  std::unique_ptr<io::File> OpenMain() {
    io::OpenOptions o;
    o.write = true;
    o.create = true;
    std::unique_ptr<io::File> f;
    EXPECT_TRUE(env_.Open("/d/db", o, &f).ok());
    return f;
  }
  std::unique_ptr<ShmIndex> OpenIndex(io::File* /*main: kept for the fixture*/, bool writable = true) {
    std::unique_ptr<ShmIndex> x;
    Status st = ShmIndex::Open(&env_, ShmPath("/d/db"), writable, &x);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return x;
  }
  // Overwrites bytes of the index file as an outside party would.
  void Poke(uint64_t offset, uint8_t value) {
    std::vector<uint8_t> bytes;
    ASSERT_TRUE(env_.GetFileBytes(ShmPath("/d/db"), &bytes).ok());
    bytes[offset] = value;
    ASSERT_TRUE(env_.SetFileBytes(ShmPath("/d/db"), bytes).ok());
  }

  // The example header with max_frame 4, sealed: what the next publish writes.
  static ShmHeader NextHeader() {
    ShmHeader next = ExampleHeader();
    next.max_frame = 4;
    SealShmHeader(&next);
    return next;
  }
  // Copy A of a publish written, copy B not (a publisher stopped between them, X1).
  void WriteOnlyCopyA(const ShmHeader& h) {
    std::vector<uint8_t> bytes;
    ASSERT_TRUE(env_.GetFileBytes(ShmPath("/d/db"), &bytes).ok());
    std::memcpy(bytes.data() + kShmCopyAOffset, &h, sizeof h);
    ASSERT_TRUE(env_.SetFileBytes(ShmPath("/d/db"), bytes).ok());
  }

  io::FaultEnv env_;
  std::unique_ptr<io::File> main_a_, main_b_;
};

TEST_F(Shm, NeverPublishedIndexIsNotFound) {
  auto x = OpenIndex(main_a_.get());
  ShmHeader h;
  EXPECT_EQ(x->ReadHeader(kFileId, &h).code(), Code::kNotFound);
}

TEST_F(Shm, PublishedHeaderIsSeenByASecondHandle) {
  auto a = OpenIndex(main_a_.get());
  auto b = OpenIndex(main_b_.get(), false);
  a->Publish(ExampleHeader());
  ShmHeader h;
  ASSERT_TRUE(b->ReadHeader(kFileId, &h).ok());
  EXPECT_EQ(h.max_frame, 2u);
  EXPECT_EQ(h.generation, 3u);
  EXPECT_EQ(std::memcmp(h.app_header, "app-v1", 6), 0);
}

TEST_F(Shm, GarbledHeaderIsNotBelieved) {
  // Every byte of the header, changed the same way in both copies (so they stay equal):
  // the checksum (or magic/version) refuses it.
  auto a = OpenIndex(main_a_.get());
  for (uint64_t i = 0; i < kShmHeaderCopySize; i++) {
    a->Publish(ExampleHeader());
    std::vector<uint8_t> bytes;
    ASSERT_TRUE(env_.GetFileBytes(ShmPath("/d/db"), &bytes).ok());
    bytes[kShmCopyAOffset + i] ^= 0x40;
    bytes[kShmCopyBOffset + i] ^= 0x40;
    ASSERT_TRUE(env_.SetFileBytes(ShmPath("/d/db"), bytes).ok());
    ShmHeader h;
    EXPECT_EQ(a->ReadHeader(kFileId, &h).code(), Code::kCorrupt) << "byte " << i;
  }
}

TEST_F(Shm, UnequalCopiesAreNotBelieved) {
  // A writer that died between copy A and copy B leaves them unequal (X1).
  auto a = OpenIndex(main_a_.get());
  a->Publish(ExampleHeader());
  ASSERT_NO_FATAL_FAILURE(WriteOnlyCopyA(NextHeader()));
  ShmHeader h;
  EXPECT_EQ(a->ReadHeader(kFileId, &h).code(), Code::kCorrupt);
}

// Regression (pager_torture walbg, a reader process's read_txn_begin: "header copies
// differ", BUSY): a publisher that loses the CPU between copy A and copy B leaves them
// unequal for a scheduler time slice, longer than the tight retries last. The reader yields
// and retries for up to kShmHeaderWaitUs, and so sees the publish once it completes.
TEST_F(Shm, APublishStalledBetweenItsCopiesIsWaitedForNotReportedBusy) {
  auto a = OpenIndex(main_a_.get());
  auto b = OpenIndex(main_b_.get());
  a->Publish(ExampleHeader());
  const ShmHeader next = NextHeader();
  ASSERT_NO_FATAL_FAILURE(WriteOnlyCopyA(next));
  std::thread publisher([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));  // well inside the wait
    a->Publish(next);  // the stalled publish completes
  });
  ShmHeader h;
  Status st = b->ReadHeader(kFileId, &h);
  publisher.join();
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(h.max_frame, 4u);
}

TEST_F(Shm, AReaderThatValidatedAHeaderSeesTheNextPublish) {
  // ReadHeader's fast path (the header validated last, believed while neither copy's checksum
  // word moved) must never hide a later publish.
  auto a = OpenIndex(main_a_.get());
  auto b = OpenIndex(main_b_.get(), false);
  ShmHeader next = ExampleHeader();
  a->Publish(next);
  ShmHeader h;
  ASSERT_TRUE(b->ReadHeader(kFileId, &h).ok());
  ASSERT_TRUE(b->ReadHeader(kFileId, &h).ok());  // the fast path
  for (uint64_t frames = 3; frames < 6; frames++) {
    next.max_frame = frames;
    next.change_counter++;
    a->Publish(next);
    const ShmHeader* p = nullptr;
    ASSERT_TRUE(b->ReadHeader(kFileId, &p).ok());
    EXPECT_EQ(p->max_frame, frames);
    ASSERT_TRUE(b->ReadHeader(kFileId, &h).ok());
    EXPECT_EQ(h.max_frame, frames);
  }
}

TEST_F(Shm, AHalfWrittenPublishIsNotTakenForTheHeaderValidatedBefore) {
  // A writer stopped inside a publish that has changed copy A's checkpoint epoch but not yet
  // its checksum word (X1 writes the words in order): W19's re-check reads that epoch, so the
  // fast path must not answer with the old header (its pin would then fail every retry); the
  // copies differ, as for any torn publish.
  auto a = OpenIndex(main_a_.get());
  auto b = OpenIndex(main_b_.get(), false);
  a->Publish(ExampleHeader());
  ShmHeader h;
  ASSERT_TRUE(b->ReadHeader(kFileId, &h).ok());
  Poke(kShmCopyAOffset + offsetof(ShmHeader, checkpoint_epoch), 10);
  EXPECT_EQ(b->ReadHeader(kFileId, &h).code(), Code::kCorrupt);
}

TEST_F(Shm, IndexOfAnotherFileIsNotBelieved) {
  auto a = OpenIndex(main_a_.get());
  a->Publish(ExampleHeader());
  ShmHeader h;
  EXPECT_EQ(a->ReadHeader(kFileId + 1, &h).code(), Code::kCorrupt);
}

TEST_F(Shm, FutureVersionIsNotBelieved) {
  auto a = OpenIndex(main_a_.get());
  ShmHeader v = ExampleHeader();
  v.format_version = kShmVersion + 1;
  a->Publish(v);
  ShmHeader h;
  EXPECT_EQ(a->ReadHeader(kFileId, &h).code(), Code::kCorrupt);
}

TEST_F(Shm, FramesGrownByOneHandleAreSeenByAnother) {
  auto a = OpenIndex(main_a_.get());
  auto b = OpenIndex(main_b_.get(), false);
  const size_t n = 3 * kShmGrowBytes / sizeof(ShmFrame);  // several grow steps
  std::vector<ShmFrame> frames(n);
  for (size_t i = 0; i < n; i++) frames[i] = ShmFrame{uint32_t(i + 1), uint32_t(i % 7), 0, 0};
  ASSERT_TRUE(a->StoreFrames(0, frames.data(), n).ok());
  ASSERT_TRUE(b->MapFrames(n).ok());
  for (size_t i = 0; i < n; i += 997) {
    ShmFrame f = b->LoadFrame(i);
    EXPECT_EQ(f.page_number, i + 1);
    EXPECT_EQ(f.commit_page_count, i % 7);
  }
  EXPECT_EQ(b->MapFrames(n * 100).code(), Code::kCorrupt);  // more than the file holds
}

TEST_F(Shm, GrowingTheIndexOnAFullDiskIsNoSpaceNotSigbus) {
  auto a = OpenIndex(main_a_.get());
  a->Publish(ExampleHeader());
  const size_t n = kShmGrowBytes / sizeof(ShmFrame) + 10;
  std::vector<ShmFrame> frames(n, ShmFrame{1, 0, 0, 0});
  env_.FailNth(io::MemEnv::Op::kWrite, 1, io::FaultKind::kEnospc, true);
  EXPECT_EQ(a->StoreFrames(0, frames.data(), n).code(), Code::kNoSpace);
  env_.ClearFaults();
  uint64_t size = 0;
  std::unique_ptr<io::File> f;
  ASSERT_TRUE(env_.Open(ShmPath("/d/db"), io::OpenOptions(), &f).ok());
  ASSERT_TRUE(f->Size(&size).ok());
  EXPECT_EQ(size, kShmGrowBytes);  // the first chunk only; never mapped past what was written
  ShmHeader h;
  EXPECT_TRUE(a->ReadHeader(kFileId, &h).ok());  // the published state is untouched
  ASSERT_TRUE(a->StoreFrames(0, frames.data(), n).ok());  // room again: it grows
  EXPECT_EQ(a->LoadFrame(n - 1).page_number, 1u);
}

TEST_F(Shm, SlotsOfClosedHandlesAreReclaimed) {
  auto a = OpenIndex(main_a_.get());
  auto b = OpenIndex(main_b_.get());
  int sa = -1, sb = -1;
  ASSERT_TRUE(a->ClaimSlot(&sa).ok());
  ASSERT_TRUE(b->ClaimSlot(&sb).ok());
  EXPECT_NE(sa, sb);
  a->SetSlot(sa, MakeSlotValue(1, 10));
  b->SetSlot(sb, MakeSlotValue(1, 4));
  SlotScan s = a->ScanSlots(1, sa);  // the own slot is skipped
  EXPECT_EQ(s.live, 1u);
  EXPECT_EQ(s.min_mark, 4u);
  s = b->ScanSlots(1, sb);
  EXPECT_EQ(s.live, 1u);
  EXPECT_EQ(s.min_mark, 10u);
  b.reset();  // the lock byte goes with the file description; the value stays behind
  s = a->ScanSlots(1, sa);
  EXPECT_EQ(s.live, 0u);
  EXPECT_EQ(s.min_mark, UINT64_MAX);
  b = OpenIndex(main_b_.get());
  int again = -1;
  ASSERT_TRUE(b->ClaimSlot(&again).ok());
  EXPECT_EQ(again, sb);                 // the dead slot is reused...
  EXPECT_EQ(b->LoadSlot(again), 0u);    // ...and what the dead holder left is void
}

TEST_F(Shm, ReaderOfAnotherGenerationCountsAsMainFileOnly) {
  auto a = OpenIndex(main_a_.get());
  auto b = OpenIndex(main_b_.get());
  int sb = -1;
  ASSERT_TRUE(b->ClaimSlot(&sb).ok());
  b->SetSlot(sb, MakeSlotValue(1, 40));
  SlotScan s = a->ScanSlots(2, -1);
  EXPECT_EQ(s.live, 1u);
  EXPECT_EQ(s.min_mark, 0u);
}

TEST_F(Shm, IdleSlotHoldsNothingBack) {
  auto a = OpenIndex(main_a_.get());
  auto b = OpenIndex(main_b_.get());
  int sb = -1;
  ASSERT_TRUE(b->ClaimSlot(&sb).ok());
  SlotScan s = a->ScanSlots(1, -1);
  EXPECT_EQ(s.live, 0u);
  EXPECT_EQ(s.min_mark, UINT64_MAX);
}

TEST_F(Shm, AllSlotsHeldIsBusy) {
  std::vector<std::unique_ptr<io::File>> mains;
  std::vector<std::unique_ptr<ShmIndex>> xs;
  for (uint32_t i = 0; i < kShmReadSlots; i++) {
    mains.push_back(OpenMain());
    xs.push_back(OpenIndex(mains.back().get()));
    int slot = -1;
    ASSERT_TRUE(xs.back()->ClaimSlot(&slot).ok());
  }
  auto a = OpenIndex(main_a_.get());
  int slot = -1;
  EXPECT_EQ(a->ClaimSlot(&slot).code(), Code::kBusy);
  EXPECT_EQ(slot, -1);
}

// Every handle stores into its slot at each begin and end of a read: two handles whose slots
// shared a 64-byte line (slots 0 and 1, the old first-free order) made readers on two cores
// invalidate each other's line on every read transaction.
TEST_F(Shm, TheFirstEightReaderSlotsAreOnEightCacheLines) {
  std::vector<std::unique_ptr<io::File>> mains;
  std::vector<std::unique_ptr<ShmIndex>> xs;
  std::set<uint64_t> lines;
  for (int i = 0; i < 8; i++) {
    mains.push_back(OpenMain());
    xs.push_back(OpenIndex(mains.back().get()));
    int slot = -1;
    ASSERT_TRUE(xs.back()->ClaimSlot(&slot).ok());
    lines.insert((kShmSlotsOffset + 8u * static_cast<uint64_t>(slot)) / 64);
  }
  EXPECT_EQ(lines.size(), 8u);
}

// X4 with a real process: a child holding a live mark pins it; SIGKILL releases it.
TEST(WalShmProcess, SlotOfAReaderKilledWithSigkillIsReclaimed) {
  ::pager::testing::TempDir dir;
  const std::string path = dir.File("db");
  io::Env* env = io::DefaultEnv();
  io::OpenOptions o;
  o.write = true;
  o.create = true;
  std::unique_ptr<io::File> main;
  ASSERT_TRUE(env->Open(path, o, &main).ok());
  std::unique_ptr<ShmIndex> x;
  ASSERT_TRUE(ShmIndex::Open(env, ShmPath(path), true, &x).ok());
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::unique_ptr<io::File> m;
    std::unique_ptr<ShmIndex> cx;
    int slot = -1;
    if (!env->Open(path, o, &m).ok() || !ShmIndex::Open(env, ShmPath(path), true, &cx).ok() ||
        !cx->ClaimSlot(&slot).ok()) {
      _exit(1);
    }
    cx->SetSlot(slot, MakeSlotValue(1, 7));
    char c = 'r';
    if (write(ready[1], &c, 1) != 1) _exit(1);
    for (;;) pause();
  }
  close(ready[1]);
  char c = 0;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  close(ready[0]);
  SlotScan s = x->ScanSlots(1, -1);
  EXPECT_EQ(s.live, 1u);
  EXPECT_EQ(s.min_mark, 7u);
  kill(pid, SIGKILL);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  s = x->ScanSlots(1, -1);
  EXPECT_EQ(s.live, 0u);
  EXPECT_EQ(s.min_mark, UINT64_MAX);
}

}  // namespace
}  // namespace wal
}  // namespace pager
