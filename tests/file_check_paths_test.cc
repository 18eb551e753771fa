// pager_file_check verdicts tests/file_check_test.cc does not reach: a file that ends inside a
// meta page, a meta slot whose first sector never landed while later ones did, a torn epoch
// meta repeating the recovered state, and a checksum-valid epoch meta that recovery had to
// reject with no leftover copy to explain it. Each is named with the slot's offset and the
// reason; what a crash can leave is "interrupted", what none can is damage.
#include "tests/file_check_fixture.h"

namespace pager {
namespace file {
namespace {

using testing::ExpectDamage;
using testing::ExpectInterrupted;
using testing::Fixture;
using testing::kPageSize;

void Truncate(io::MemEnv* env, uint64_t size) {
  std::vector<uint8_t> b;
  ASSERT_OK(env->GetFileBytes("/f", &b));
  ASSERT_LT(size, b.size());
  b.resize(size);
  ASSERT_OK(env->SetFileBytes("/f", b));
}

TEST(FileCheckPaths, AFileEndingInsideEitherMetaPageIsDamageAtThatMetaPage) {
  for (uint64_t meta_page : kMetaPage) {
    for (uint64_t into : {uint64_t{0}, uint64_t{1}, uint64_t{kPageSize - 1}}) {
      Fixture fx;
      uint64_t size = meta_page * kPageSize + into;
      Truncate(&fx.env, size);
      CheckReport rep;
      ASSERT_OK(CheckPageFile(&fx.env, "/f", &rep));
      SCOPED_TRACE("size " + std::to_string(size));
      EXPECT_TRUE(rep.damaged());
      EXPECT_EQ(rep.damage_rule, "meta");
      EXPECT_EQ(rep.file_bytes, size);
      // The first slot the file cannot hold is the one named, with the open's reason.
      EXPECT_EQ(rep.damage_offset, meta_page * kPageSize) << rep.damage_detail;
      EXPECT_NE(rep.damage_detail.find("short read of /f at offset " +
                                       std::to_string(meta_page * kPageSize) + ": " +
                                       std::to_string(into) + " of 1024 bytes"),
                std::string::npos)
          << rep.damage_detail;
    }
  }
}

TEST(FileCheckPaths, ASlotWhoseFirstSectorIsZeroButNotTheRestIsAnInterruptedCommit) {
  // A torn write of the next commit's meta whose first sector did not land: the slot reads
  // as an empty head with table bytes behind it. Recovery ignores it; not damage.
  Fixture fx;
  std::vector<uint8_t> b = fx.Read(kMetaPage[fx.other()]);
  std::memset(b.data(), 0, 512);
  b[700] |= 0x01;
  fx.WriteOther(b);
  CheckReport rep = fx.Check();
  ExpectInterrupted(rep, fx.other_offset());
  EXPECT_NE(rep.damage_detail.find("an empty slot fails its checks"), std::string::npos)
      << rep.damage_detail;
}

TEST(FileCheckPaths, ATornEpochMetaRepeatingTheRecoveredStateIsAnInterruptedEpochCommit) {
  // An epoch commit (a read-write open) writes the recovered state again under a higher
  // generation; torn, it fails its checksum but its first sector is the epoch's.
  Fixture fx;
  std::vector<uint8_t> b = fx.Sealed(fx.r + 5, 0, fx.sb.file_id);
  b[offsetof(MetaHeaderDisk, checksum)] ^= 0x40;
  fx.WriteOther(b);
  CheckReport rep = fx.Check();
  ExpectInterrupted(rep, fx.other_offset());
  EXPECT_NE(rep.damage_detail.find("repeating the recovered generation " + std::to_string(fx.r) +
                                   "'s state: an epoch commit of a read-write open was "
                                   "interrupted"),
            std::string::npos)
      << rep.damage_detail;
}

TEST(FileCheckPaths, ARejectedEpochMetaWithNoLeftoverCopyIsDamage) {
  // A checksum-valid meta far past the recovered generation that repeats its counters and
  // root but names other directory slot pages: recovery cannot verify it and falls back,
  // and no copy newer than the recovered meta explains why -- no crash writes that.
  Fixture fx(2);
  Meta m = fx.metas[fx.recovered];
  ASSERT_FALSE(m.dir_slots.empty());
  m.generation = fx.r + 5;
  std::swap(m.dir_slots[0].page[0], m.dir_slots[0].page[1]);
  m.dir_slots[0].page[0] += 1000;
  std::vector<uint8_t> b(kPageSize);
  EncodeMeta(m, 10, fx.sb.file_id, b.data());
  fx.WriteOther(b);
  CheckReport rep = fx.Check();
  EXPECT_TRUE(rep.damaged()) << rep.damage_detail;
  EXPECT_EQ(rep.damage_rule, "meta");
  EXPECT_NE(rep.damage_detail.find("yet rejected with no leftover copy to explain it"),
            std::string::npos)
      << rep.damage_detail;
}

}  // namespace
}  // namespace file
}  // namespace pager
