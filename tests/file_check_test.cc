// pager_file_check's verdict on the meta slot recovery did not use (impl/file/check.cc C1-C3,
// doc/format/page-file.md "What check reports"): what an interrupted commit can leave there is
// "interrupted" with the slot's offset, what no crash can produce is damage (rule "meta").
// Each test writes one kind of slot beside a file whose newest meta (generation R) verifies.
#include "tests/file_check_fixture.h"

namespace pager {
namespace file {
namespace {

using testing::Fixture;
using testing::ExpectDamage;
using testing::ExpectInterrupted;
using testing::kPageSize;

TEST(FileCheck, AnUntouchedFileHasNeitherDamageNorLeftovers) {
  Fixture fx;
  CheckReport rep = fx.Check();
  EXPECT_FALSE(rep.damaged()) << rep.damage_detail;
  EXPECT_FALSE(rep.interrupted) << rep.damage_detail;
}

TEST(FileCheck, AMetaOfTheNextGenerationWithoutItsCopiesIsAnInterruptedCommit) {
  Fixture fx;
  fx.WriteOther(fx.Sealed(fx.r + 1, 1, fx.sb.file_id));
  CheckReport rep = fx.Check();
  ExpectInterrupted(rep, fx.other_offset());
  EXPECT_NE(rep.damage_detail.find("generation " + std::to_string(fx.r + 1)), std::string::npos)
      << rep.damage_detail;
}

TEST(FileCheck, ATornWriteOfTheNextGenerationsMetaIsAnInterruptedCommit) {
  Fixture fx;
  std::vector<uint8_t> b = fx.Sealed(fx.r + 1, 1, fx.sb.file_id);
  b[offsetof(MetaHeaderDisk, checksum)] ^= 0x40;  // sector 0 new, the rest disagreeing
  fx.WriteOther(b);
  ExpectInterrupted(fx.Check(), fx.other_offset());
}

TEST(FileCheck, AMetaFarPastTheRecoveredGenerationIsDamage) {
  Fixture fx;
  fx.WriteOther(fx.Sealed(fx.r + 5, 1, fx.sb.file_id));
  ExpectDamage(fx.Check(), fx.other_offset());
}

TEST(FileCheck, AMetaOlderThanTheRecoveredOneIsDamage) {
  Fixture fx;
  std::vector<uint8_t> b = fx.Read(kMetaPage[fx.other()]);
  b[offsetof(MetaHeaderDisk, used_page_count)] ^= 0x01;  // no sector past the first written
  fx.WriteOther(b);
  CheckReport rep = fx.Check();
  ExpectDamage(rep, fx.other_offset());
  EXPECT_NE(rep.damage_detail.find("older than the recovered"), std::string::npos)
      << rep.damage_detail;
}

TEST(FileCheck, AnOlderMetaWithBytesPastItsFirstSectorIsAmbiguousAndCalledInterrupted) {
  Fixture fx;
  std::vector<uint8_t> b = fx.Read(kMetaPage[fx.other()]);
  b[600] = 0x5a;  // a later sector of a torn write that did not reach sector 0, or damage
  fx.WriteOther(b);
  CheckReport rep = fx.Check();
  ExpectInterrupted(rep, fx.other_offset());
  EXPECT_NE(rep.damage_detail.find("cannot tell"), std::string::npos) << rep.damage_detail;
}

TEST(FileCheck, AChecksumValidMetaThatContradictsTheSuperblockIsDamage) {
  Fixture fx;
  fx.WriteOther(fx.Sealed(fx.r + 1, 1, fx.sb.file_id ^ 0x1234));
  CheckReport rep = fx.Check();
  ExpectDamage(rep, fx.other_offset());
  EXPECT_NE(rep.damage_detail.find("intact checksum"), std::string::npos) << rep.damage_detail;
}

TEST(FileCheck, GarbageInTheFirstSectorOfAMetaSlotIsDamage) {
  Fixture fx;
  std::vector<uint8_t> b(kPageSize, 0);
  std::memset(b.data(), 0xab, 512);
  fx.WriteOther(b);
  ExpectDamage(fx.Check(), fx.other_offset());
}

TEST(FileCheck, ASecondHeaderOfTheRecoveredGenerationThatFailsItsChecksumIsDamage) {
  Fixture fx;
  std::vector<uint8_t> b = fx.Sealed(fx.r, 1, fx.sb.file_id);
  b[offsetof(MetaHeaderDisk, checksum)] ^= 0x40;
  fx.WriteOther(b);
  ExpectDamage(fx.Check(), fx.other_offset());
}

}  // namespace
}  // namespace file
}  // namespace pager
