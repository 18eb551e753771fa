// FaultEnv: each behaviour of the durability model (mem_env.h M1-M6) asserted.
#include <gtest/gtest.h>

#include <cstring>
#include <set>

#include "impl/io/mem_env.h"
#include "tests/support/test_util.h"

namespace pager {
namespace io {
namespace {

const char* kDir = "/tmp/f";
const char* kPath = "/tmp/f/data";

class IoFault : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(env_.CreateDir(kDir, 0700));
    OpenOptions o;
    o.write = o.create = true;
    ASSERT_OK(env_.Open(kPath, o, &file_));
    ASSERT_OK(env_.SyncDir(kDir));  // the file's name is durable from here on
  }
  std::vector<uint8_t> Bytes(size_t n, uint8_t v) { return std::vector<uint8_t>(n, v); }
  void Write(uint64_t off, const std::vector<uint8_t>& b) {
    ASSERT_OK(file_->WriteAt(off, b.data(), b.size()));
  }
  // Every distinct image of kPath over many seeds.
  std::set<std::vector<uint8_t>> Images(int seeds) {
    std::set<std::vector<uint8_t>> out;
    for (int s = 0; s < seeds; s++) out.insert(env_.CrashImage(s)[kPath]);
    return out;
  }

  FaultEnv env_;
  std::unique_ptr<File> file_;
};

TEST_F(IoFault, SyncedWritesSurviveEveryCrash) {
  Write(0, Bytes(1024, 0xAA));
  ASSERT_OK(file_->DataSync());
  for (const auto& img : Images(50)) EXPECT_EQ(img, Bytes(1024, 0xAA));
}

TEST_F(IoFault, CrashCanDropUnsyncedWrites) {
  Write(0, Bytes(512, 0xAA));
  ASSERT_OK(file_->Sync());
  Write(0, Bytes(512, 0xBB));  // not synced
  auto images = Images(64);
  EXPECT_TRUE(images.count(Bytes(512, 0xAA))) << "dropped";
  EXPECT_TRUE(images.count(Bytes(512, 0xBB))) << "applied";
}

TEST_F(IoFault, CrashCanTearAWriteAtSectorBoundaries) {
  Write(0, Bytes(2048, 0xAA));
  ASSERT_OK(file_->Sync());
  Write(0, Bytes(2048, 0xBB));
  bool saw_torn = false;
  for (const auto& img : Images(200)) {
    ASSERT_EQ(img.size(), 2048u);
    for (size_t sector = 0; sector < 4; sector++) {
      // Each 512-byte sector is entirely old or entirely new: tearing is per sector.
      std::set<uint8_t> values(img.begin() + sector * 512, img.begin() + (sector + 1) * 512);
      EXPECT_EQ(values.size(), 1u);
    }
    std::set<uint8_t> all(img.begin(), img.end());
    if (all.size() == 2) saw_torn = true;
  }
  EXPECT_TRUE(saw_torn);
}

TEST_F(IoFault, UnsyncedGrowthMayLoseTheNewSize) {
  Write(0, Bytes(512, 1));
  ASSERT_OK(file_->Sync());
  Write(512, Bytes(512, 2));
  std::set<size_t> sizes;
  for (const auto& img : Images(64)) sizes.insert(img.size());
  EXPECT_TRUE(sizes.count(512));
  EXPECT_TRUE(sizes.count(1024));
}

TEST_F(IoFault, FsyncThatFailsLosesTheDataButReadsStillSeeIt) {
  Write(0, Bytes(512, 0xAA));
  ASSERT_OK(file_->Sync());
  Write(0, Bytes(512, 0xBB));
  env_.FailSyncLosingData(1);
  Status s = file_->Sync();
  EXPECT_EQ(s.code(), Code::kIo);
  // The page cache still shows the new bytes (what Linux does after a failed fsync) ...
  uint8_t b = 0;
  ASSERT_OK(file_->ReadExactAt(0, &b, 1));
  EXPECT_EQ(b, 0xBB);
  // ... and a retried fsync "succeeds" without writing them: they are gone for good, which
  // is why the library must never retry a failed fsync.
  ASSERT_OK(file_->Sync());
  for (const auto& img : Images(32)) EXPECT_EQ(img, Bytes(512, 0xAA));
  // Writing the bytes again makes them durable again.
  Write(0, Bytes(512, 0xBB));
  ASSERT_OK(file_->Sync());
  for (const auto& img : Images(8)) EXPECT_EQ(img, Bytes(512, 0xBB));
}

TEST_F(IoFault, LossySyncForgetsPendingWritesSoACrashDropsThem) {
  Write(0, Bytes(512, 0xAA));
  ASSERT_OK(file_->Sync());
  Write(0, Bytes(512, 0xBB));
  env_.FailSyncLosingData(1);
  EXPECT_FALSE(file_->DataSync().ok());
  // Crash right after the failed fsync: the dropped write never reaches the disk.
  for (const auto& img : Images(32)) EXPECT_EQ(img, Bytes(512, 0xAA));
}

TEST_F(IoFault, NthOperationFailsOnceWithEio) {
  env_.FailNth(MemEnv::Op::kWrite, 3, FaultKind::kEio, false);
  EXPECT_OK(file_->WriteAt(0, "a", 1));
  EXPECT_OK(file_->WriteAt(1, "b", 1));
  Status s = file_->WriteAt(2, "c", 1);
  EXPECT_EQ(s.code(), Code::kIo);
  EXPECT_NE(s.message().find("injected EIO"), std::string::npos);
  EXPECT_OK(file_->WriteAt(2, "c", 1));  // once only
}

TEST_F(IoFault, NthOperationFailsForeverWithEnospc) {
  env_.FailNth(MemEnv::Op::kWrite, 2, FaultKind::kEnospc, true);
  EXPECT_OK(file_->WriteAt(0, "a", 1));
  EXPECT_EQ(file_->WriteAt(1, "b", 1).code(), Code::kNoSpace);
  EXPECT_EQ(file_->WriteAt(1, "b", 1).code(), Code::kNoSpace);
  env_.ClearFaults();
  EXPECT_OK(file_->WriteAt(1, "b", 1));
}

TEST_F(IoFault, FailedWriteChangesNothing) {
  Write(0, Bytes(16, 1));
  env_.FailNth(MemEnv::Op::kWrite, 1, FaultKind::kEio, false);
  std::vector<uint8_t> two = Bytes(16, 2);
  EXPECT_FALSE(file_->WriteAt(0, two.data(), two.size()).ok());
  std::vector<uint8_t> back(16);
  ASSERT_OK(file_->ReadExactAt(0, back.data(), 16));
  EXPECT_EQ(back, Bytes(16, 1));
}

TEST_F(IoFault, AnyOperationCounterCoversReadsAndSyncs) {
  env_.FailNthAny(2, FaultKind::kEio, false);
  uint8_t b;
  size_t n;
  EXPECT_OK(file_->ReadAt(0, &b, 1, &n));
  EXPECT_EQ(file_->Sync().code(), Code::kIo);
}

TEST_F(IoFault, CrashAtSyncFreezesTheStateBeforeThatSync) {
  env_.CrashAtSync(env_.SyncCount() + 2);
  Write(0, Bytes(512, 1));
  ASSERT_OK(file_->Sync());  // sync #1 after arming: completes
  Write(512, Bytes(512, 2));
  EXPECT_EQ(file_->Sync().code(), Code::kIo);  // the crash point
  EXPECT_TRUE(env_.crashed());
  EXPECT_FALSE(file_->WriteAt(0, "x", 1).ok());  // the machine is gone
  for (const auto& img : Images(32)) {
    ASSERT_GE(img.size(), 512u);
    EXPECT_EQ(std::vector<uint8_t>(img.begin(), img.begin() + 512), Bytes(512, 1));
  }
}

TEST_F(IoFault, MappedWritesAreNotDurableUntilMsync) {
  ASSERT_OK(file_->Allocate(0, 4096));
  ASSERT_OK(file_->Sync());
  std::unique_ptr<Mapping> m;
  ASSERT_OK(file_->Map(1 << 20, 4096, true, &m));
  std::memset(m->data(), 0xCC, 1024);
  auto images = Images(64);
  bool kept = false, dropped = false;
  for (const auto& img : images) {
    if (img[0] == 0xCC) kept = true;
    if (img[0] == 0) dropped = true;
  }
  EXPECT_TRUE(kept) << "dirty mapped pages may be written back before msync";
  EXPECT_TRUE(dropped) << "... or not at all";
  ASSERT_OK(m->Sync(0, 1024));
  for (const auto& img : Images(64)) {
    EXPECT_EQ(img[0], 0xCC);
    EXPECT_EQ(img[1023], 0xCC);
  }
}

TEST_F(IoFault, MappedWritesAfterTheCrashNeverReachTheImage) {
  ASSERT_OK(file_->Allocate(0, 4096));
  ASSERT_OK(file_->Sync());
  std::unique_ptr<Mapping> m;
  ASSERT_OK(file_->Map(4096, 4096, true, &m));
  env_.CrashAtSync(env_.SyncCount() + 1);
  EXPECT_FALSE(m->Sync(0, 1).ok());
  std::memset(m->data(), 0xEE, 4096);  // the "dead" process keeps scribbling
  for (const auto& img : Images(32)) EXPECT_EQ(img, Bytes(4096, 0));
}

TEST_F(IoFault, UnsyncedCreateMayVanishAndSyncDirMakesItDurable) {
  std::unique_ptr<File> f;
  OpenOptions o;
  o.write = o.create = true;
  ASSERT_OK(env_.Open("/tmp/f/new", o, &f));
  ASSERT_OK(f->WriteAt(0, "x", 1));
  ASSERT_OK(f->Sync());
  std::set<bool> present;
  for (int s = 0; s < 32; s++) present.insert(env_.CrashImage(s).count("/tmp/f/new") > 0);
  EXPECT_EQ(present.size(), 2u);
  ASSERT_OK(env_.SyncDir(kDir));
  for (int s = 0; s < 32; s++) EXPECT_EQ(env_.CrashImage(s).count("/tmp/f/new"), 1u);
}

TEST_F(IoFault, RenameIsAtomicAcrossACrash) {
  std::unique_ptr<File> f;
  OpenOptions o;
  o.write = o.create = true;
  ASSERT_OK(env_.Open("/tmp/f/tmp", o, &f));
  ASSERT_OK(f->WriteAt(0, "new", 3));
  ASSERT_OK(f->Sync());
  ASSERT_OK(env_.SyncDir(kDir));
  ASSERT_OK(env_.Rename("/tmp/f/tmp", kPath));
  std::set<std::string> outcomes;
  for (int s = 0; s < 64; s++) {
    auto img = env_.CrashImage(s);
    auto& target = img[kPath];
    outcomes.insert(std::string(target.begin(), target.end()) + (img.count("/tmp/f/tmp") ? "+tmp" : ""));
  }
  // Either the rename happened (target is new, tmp gone) or not (target old/empty, tmp there).
  EXPECT_EQ(outcomes, (std::set<std::string>{"new", "+tmp"}));
}

TEST_F(IoFault, SameSeedGivesTheSameImage) {
  Write(0, Bytes(4096, 3));
  Write(100, Bytes(700, 4));
  EXPECT_EQ(env_.CrashImage(17), env_.CrashImage(17));
}

TEST_F(IoFault, FromImageReopensTheFilesAsDurable) {
  Write(0, Bytes(600, 9));
  ASSERT_OK(file_->Sync());
  auto env2 = FaultEnv::FromImage(env_.CrashImage(0));
  std::unique_ptr<File> f;
  ASSERT_OK(env2->Open(kPath, OpenOptions{}, &f));
  std::vector<uint8_t> back(600);
  ASSERT_OK(f->ReadExactAt(0, back.data(), back.size()));
  EXPECT_EQ(back, Bytes(600, 9));
  for (int s = 0; s < 8; s++) EXPECT_EQ(env2->CrashImage(s)[kPath], Bytes(600, 9));
}

TEST_F(IoFault, SyncRangeMakesOnlyThatRangeDurable) {
  Write(0, Bytes(2048, 1));
  ASSERT_OK(file_->Sync());
  Write(0, Bytes(512, 2));
  Write(1024, Bytes(512, 3));
  ASSERT_OK(file_->SyncRange(1024, 512));
  bool first_dropped = false;
  for (const auto& img : Images(64)) {
    EXPECT_EQ(img[1024], 3);
    if (img[0] == 1) first_dropped = true;
  }
  EXPECT_TRUE(first_dropped);
}

}  // namespace
}  // namespace io
}  // namespace pager
