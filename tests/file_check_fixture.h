// The fixture of the page-file check suites (tests/file_check_test.cc,
// tests/file_check_paths_test.cc): a file whose newest meta (generation R) verifies, and
// helpers to write the other meta slot and judge CheckPageFile's verdict on it.
#pragma once

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
namespace testing {

constexpr uint32_t kPageSize = 1024;
constexpr uint32_t kLog2 = 10;

struct Fixture {
  io::MemEnv env;
  SuperblockDisk sb;
  int recovered = 0;  // slot of generation R
  Meta metas[2];
  uint64_t r = 0;

  // protected_pages > 0: the file also has a protected directory.
  explicit Fixture(int protected_pages = 0) {
    auto pf = MustCreate(&env, "/f", SmallOptions(kPageSize));
    uint64_t id = 0;
    for (int i = 0; i < 3; i++) EXPECT_TRUE(pf->Alloc(&id).ok());
    for (int i = 0; i < protected_pages; i++) EXPECT_TRUE(pf->ProtectedAlloc(&id).ok());
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

inline void ExpectInterrupted(const CheckReport& rep, uint64_t offset) {
  EXPECT_FALSE(rep.damaged()) << rep.damage_detail;
  EXPECT_TRUE(rep.interrupted);
  EXPECT_EQ(rep.damage_rule, "meta");
  EXPECT_EQ(rep.damage_offset, offset);
}

inline void ExpectDamage(const CheckReport& rep, uint64_t offset) {
  EXPECT_TRUE(rep.damaged());
  EXPECT_EQ(rep.damage_rule, "meta");
  EXPECT_EQ(rep.damage_offset, offset) << rep.damage_detail;
}

}  // namespace testing
}  // namespace file
}  // namespace pager
