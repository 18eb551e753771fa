// pager_file_check's verdict on the meta slot recovery did not use (impl/file/check.cc C1-C3,
// doc/format/page-file.md "What check reports"): what an interrupted commit can leave there is
// "interrupted" with the slot's offset, what no crash can produce is damage (rule "meta").
// Each test writes one kind of slot beside a file whose newest meta (generation R) verifies.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "impl/check/checks.h"
#include "impl/file/format.h"
#include "impl/io/mem_env.h"
#include "tests/file_test_util.h"

namespace pager {
namespace file {
namespace {

using testing::MustCreate;
using testing::SmallOptions;

constexpr uint32_t kPageSize = 1024;
constexpr uint32_t kLog2 = 10;

struct Fixture {
  io::MemEnv env;
  SuperblockDisk sb;
  int recovered = 0;  // slot of generation R
  Meta metas[2];
  uint64_t r = 0;

  Fixture() {
    auto pf = MustCreate(&env, "/f", SmallOptions(kPageSize));
    uint64_t id = 0;
    for (int i = 0; i < 3; i++) EXPECT_TRUE(pf->Alloc(&id).ok());
    pf.reset();
    std::vector<uint8_t> page = Read(0);
    EXPECT_TRUE(CheckSuperblock(page.data(), page.size(), &sb).ok());
    for (int s = 0; s < 2; s++) {
      page = Read(kMetaPage[s]);
      EXPECT_TRUE(DecodeMeta(page.data(), kLog2, sb.file_id, &metas[s]).ok());
    }
    recovered = metas[1].generation > metas[0].generation ? 1 : 0;
    r = metas[recovered].generation;
  }
  int other() const { return 1 - recovered; }
  uint64_t other_offset() const { return kMetaPage[other()] * kPageSize; }
  std::vector<uint8_t> Read(uint64_t page_no) {
    std::unique_ptr<io::File> f;
    EXPECT_TRUE(env.Open("/f", io::OpenOptions{}, &f).ok());
    std::vector<uint8_t> b(kPageSize);
    EXPECT_TRUE(f->ReadExactAt(page_no * kPageSize, b.data(), b.size(), true).ok());
    return b;
  }
  void WriteOther(const std::vector<uint8_t>& b) {
    std::unique_ptr<io::File> f;
    io::OpenOptions o;
    o.write = true;
    ASSERT_TRUE(env.Open("/f", o, &f).ok());
    ASSERT_TRUE(f->WriteAt(other_offset(), b.data(), b.size()).ok());
  }
  // A sealed meta in the other slot: the recovered one with another generation and state.
  std::vector<uint8_t> Sealed(uint64_t generation, uint64_t root_xor, uint64_t file_id) {
    Meta m = metas[recovered];
    m.generation = generation;
    m.state_root ^= root_xor;
    std::vector<uint8_t> b(kPageSize);
    EncodeMeta(m, kLog2, file_id, b.data());
    return b;
  }
  CheckReport Check() {
    CheckReport rep;
    EXPECT_TRUE(CheckPageFile(&env, "/f", &rep).ok());
    EXPECT_EQ(rep.generation, r) << "the check reports the state recovery uses";
    return rep;
  }
};

void ExpectInterrupted(const CheckReport& rep, uint64_t offset) {
  EXPECT_FALSE(rep.damaged()) << rep.damage_detail;
  EXPECT_TRUE(rep.interrupted);
  EXPECT_EQ(rep.damage_rule, "meta");
  EXPECT_EQ(rep.damage_offset, offset);
}

void ExpectDamage(const CheckReport& rep, uint64_t offset) {
  EXPECT_TRUE(rep.damaged());
  EXPECT_EQ(rep.damage_rule, "meta");
  EXPECT_EQ(rep.damage_offset, offset) << rep.damage_detail;
}

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
