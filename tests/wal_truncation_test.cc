// A main file cut short from outside (issue: a truncated main file read back as zeros with
// PAGER_OK once a read-write open had "recovered" it). Every truncation length is swept, for
// both open modes and for every later open: a read-write open is refused with CORRUPT and
// changes no byte; a read-only open reports each missing page as CORRUPT and serves the rest;
// nothing ever reads back as zeros with OK (W11).
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "impl/io/mem_env.h"
#include "impl/wal/wal_format.h"
#include "tests/wal_support.h"

namespace pager {
namespace wal {
namespace {

using namespace ::pager::wal::testing;  // NOLINT
using ::pager::testing::ReadWholeFile;
using ::pager::testing::TempDir;

constexpr uint32_t kPageSize = 1024;
constexpr uint32_t kPages = 20;  // pages 1..20, page count 21

// Param: true = the real file system (page boundaries only: slower), false = MemEnv.
class WalTruncation : public ::testing::TestWithParam<bool> {
 protected:
  io::MemEnv mem;
  TempDir dir;
  io::Env* env = GetParam() ? io::DefaultEnv() : static_cast<io::Env*>(&mem);
  std::string path = GetParam() ? dir.File("db") : std::string("db");

  std::vector<uint8_t> Bytes(const std::string& p) {
    if (GetParam()) return ReadWholeFile(p);
    std::vector<uint8_t> b;
    EXPECT_TRUE(mem.GetFileBytes(p, &b).ok()) << p;
    return b;
  }
  void SetBytes(const std::string& p, const std::vector<uint8_t>& b) {
    if (GetParam()) return ::pager::testing::WriteWholeFile(p, b);
    EXPECT_TRUE(mem.SetFileBytes(p, b).ok()) << p;
  }

  Options PageOptions() {
    Options o = SmallOptions();
    o.page_size = kPageSize;
    return o;
  }

  // 20 pages checkpointed into the main file; with_wal_frame: page 1 committed again so the
  // WAL is not empty at the next open.
  void Build(bool with_wal_frame) {
    std::unique_ptr<WalPager> p = MustCreate(env, path, PageOptions());
    ASSERT_NE(p, nullptr);
    for (uint32_t i = 1; i <= kPages; i++) Stage(p.get(), i, Page(i, kPageSize));
    MustCommit(p.get());
    MustCheckpoint(p.get());
    if (with_wal_frame) {
      Stage(p.get(), 1, Page(1000, kPageSize));
      MustCommit(p.get());
    }
  }

  std::vector<uint8_t> Expected(uint32_t page, bool with_wal_frame) {
    return Page(page == 1 && with_wal_frame ? 1000 : page, kPageSize);
  }

  // Opens read-only and checks every page: its committed bytes, or CORRUPT when the main
  // file no longer holds it -- never other bytes with OK.
  void CheckReadOnly(uint64_t length, bool with_wal_frame) {
    std::unique_ptr<WalPager> p;
    Options o = PageOptions();
    o.page_size = 0;
    Status st = WalPager::Open(env, path, AccessMode::kReadOnly, o, &p);
    if (!st.ok()) {
      EXPECT_EQ(st.code(), Code::kCorrupt) << "length " << length << ": " << st.ToString();
      return;
    }
    std::vector<uint8_t> buf(kPageSize);
    for (uint32_t i = 1; i <= kPages; i++) {
      Status rs = p->ReadPage(i, buf.data(), buf.size());
      bool in_file = uint64_t{i + 1} * kPageSize <= length;
      bool in_wal = with_wal_frame && i == 1;
      if (in_file || in_wal) {
        ASSERT_TRUE(rs.ok()) << "length " << length << " page " << i << ": " << rs.ToString();
        EXPECT_EQ(buf, Expected(i, with_wal_frame)) << "length " << length << " page " << i;
      } else {
        EXPECT_EQ(rs.code(), Code::kCorrupt)
            << "length " << length << " page " << i << " read OK from a truncated file";
      }
    }
  }

  void Sweep(bool with_wal_frame, uint64_t from, uint64_t to, uint64_t step) {
    Build(with_wal_frame);
    const std::string wal_path = path + "-wal";
    const std::vector<uint8_t> main_image = Bytes(path);
    const std::vector<uint8_t> wal_image = Bytes(wal_path);
    for (uint64_t length = from; length < to; length += step) {
      SCOPED_TRACE("truncated to " + std::to_string(length));
      SetBytes(path, std::vector<uint8_t>(main_image.begin(), main_image.begin() + length));
      SetBytes(wal_path, wal_image);
      const std::vector<uint8_t> before = Bytes(path);
      for (int attempt = 0; attempt < 2; attempt++) {  // this open and a later one
        Status st = OpenStatus(env, path, AccessMode::kReadWrite, PageOptions());
        EXPECT_EQ(st.code(), Code::kCorrupt) << st.ToString();
        EXPECT_TRUE(Bytes(path) == before) << "a refused open changed the main file";
        CheckReadOnly(length, with_wal_frame);
        if (::testing::Test::HasFailure()) return;
      }
    }
  }
};

// Every length from just past page 0 to one byte short of the whole file (in memory; the
// real file system gets every page boundary and the lengths around it).
TEST_P(WalTruncation, EveryTruncationWithFramesInTheWalIsRefusedReadWriteAndCorruptReadOnly) {
  if (GetParam()) return Sweep(true, kPageSize - 1, uint64_t{kPages + 1} * kPageSize, kPageSize);
  Sweep(true, kPageSize + 1, uint64_t{kPages + 1} * kPageSize, 1);
}

TEST_P(WalTruncation, EveryTruncationWithAnEmptyWalIsRefusedReadWriteAndCorruptReadOnly) {
  if (GetParam()) return Sweep(false, kPageSize + 1, uint64_t{kPages + 1} * kPageSize, kPageSize);
  Sweep(false, kPageSize + 1, uint64_t{kPages + 1} * kPageSize, 1);
}

TEST_P(WalTruncation, EveryPageBoundaryIsRefused) {
  Sweep(true, kPageSize, uint64_t{kPages + 1} * kPageSize, kPageSize);
}

TEST_P(WalTruncation, AnIntactFileStillOpensReadWriteWithEveryPage) {
  Build(true);
  std::unique_ptr<WalPager> p = MustOpen(env, path, AccessMode::kReadWrite, PageOptions());
  ASSERT_NE(p, nullptr);
  for (uint32_t i = 1; i <= kPages; i++) EXPECT_EQ(Read(p.get(), i), Expected(i, true)) << i;
}

INSTANTIATE_TEST_SUITE_P(MemAndPosix, WalTruncation, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& i) {
                           return i.param ? "Posix" : "Mem";
                         });

}  // namespace
}  // namespace wal
}  // namespace pager

