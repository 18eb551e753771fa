// Read-error sweep of the snapshot reader: every read of a verify, a restore into engine
// memory and an incremental capture (which reads its parent) fails in turn, once and from
// then on, for full, compressed and incremental snapshots. The call reports IO, the engine
// is left as it was (no slot, no sequence, resumed) and no file is written -- or the call
// succeeds with exactly the captured content.
#include "impl/io/mem_env.h"
#include "tests/snapshot_test.h"

namespace pager {
namespace snapshot {
namespace {

using namespace pager::snapshot::testing;  // NOLINT

struct ReadCase {
  const char* name;
  uint32_t compression;
  bool incremental;
};

class SnapshotReadFaults : public ::testing::TestWithParam<ReadCase> {
 protected:
  void SetUp() override {
    ASSERT_OK(base_.CreateDir("/snap", 0755));
    std::mt19937_64 rng(9);
    src_ = NewEngine(SmallMeta(), 16);
    const Geometry& g = src_->geometry();
    std::vector<uint32_t> slots;
    for (int i = 0; i < 6; i++) {
      uint32_t s = src_->AllocPage().value();
      std::vector<uint8_t> page = i % 2 ? RandomPage(rng, g) : std::vector<uint8_t>(g.page_bytes(), 3);
      page[0] = static_cast<uint8_t>(i);  // distinct pages, half of them compressible
      ASSERT_OK(src_->WritePage(s, page.data(), g.k_page_bytes, page.data() + g.k_page_bytes,
                                g.v_page_bytes));
      slots.push_back(s);
    }
    ASSERT_OK(src_->SetSeq("a", slots.data(), 4, 2));
    ASSERT_OK(src_->SetSeq("b", slots.data() + 3, 3, 1));
    opts_.compression = GetParam().compression;
    ASSERT_OK(Capture(&base_, src_->Ops(), "/snap/base.kvs", opts_));
    path_ = "/snap/base.kvs";
    if (GetParam().incremental) {
      std::vector<uint8_t> page(src_->geometry().page_bytes(), 0x44);
      ASSERT_OK(src_->WritePage(slots[5], page.data(), src_->geometry().k_page_bytes,
                                page.data() + src_->geometry().k_page_bytes,
                                src_->geometry().v_page_bytes));
      opts_.parent_path = "base.kvs";
      ASSERT_OK(Capture(&base_, src_->Ops(), "/snap/child.kvs", opts_));
      path_ = "/snap/child.kvs";
    }
    want_ = src_->Fingerprint();
    image_ = base_.CrashImage(0);
  }
  io::FaultEnv base_;
  std::unique_ptr<RefEngine> src_;
  Options opts_;
  std::string path_;
  uint64_t want_ = 0;
  std::map<std::string, std::vector<uint8_t>> image_;
};

TEST_P(SnapshotReadFaults, EveryFailingReadOfVerifyAndRestoreIsIoWithTheEngineUntouched) {
  int failures = 0;
  for (bool persistent : {false, true}) {
    for (uint64_t n = 1; n < 200; n++) {
      SCOPED_TRACE("read " + std::to_string(n) + (persistent ? " and later" : ""));
      auto env = io::FaultEnv::FromImage(image_);
      env->FailNth(io::MemEnv::Op::kRead, n, io::FaultKind::kEio, persistent);
      Status v = Verify(env.get(), path_, Options());
      env->ClearFaults();
      env->FailNth(io::MemEnv::Op::kRead, n, io::FaultKind::kEio, persistent);
      auto dst = NewEngine(SmallMeta(), 16);
      Status r = Restore(env.get(), dst->Ops(), path_, Options());
      env->ClearFaults();
      if (!v.ok()) {
        failures++;
        EXPECT_EQ(v.code(), Code::kIo) << v.ToString();
      }
      if (!r.ok()) {
        failures++;
        EXPECT_EQ(r.code(), Code::kIo) << r.ToString();
        EXPECT_EQ(dst->GetStats().occupied_pages, 0u);
        EXPECT_EQ(dst->GetStats().seq_count, 0u);
        EXPECT_FALSE(dst->GetStats().paused);
      } else {
        EXPECT_EQ(dst->Fingerprint(), want_);
      }
      if (v.ok() && r.ok()) break;  // n is past the last read
    }
  }
  EXPECT_GT(failures, 8);
}

TEST_P(SnapshotReadFaults, AnIncrementalCaptureWhoseParentCannotBeReadIsIoAndWritesNothing) {
  Options o = opts_;
  o.parent_path = GetParam().incremental ? "child.kvs" : "base.kvs";
  int failures = 0;
  for (uint64_t n = 1; n < 100; n++) {
    SCOPED_TRACE("read " + std::to_string(n));
    auto env = io::FaultEnv::FromImage(image_);
    std::vector<std::string> before = env->FilePaths();
    env->FailNth(io::MemEnv::Op::kRead, n, io::FaultKind::kEio, true);
    Status st = Capture(env.get(), src_->Ops(), "/snap/next.kvs", o);
    env->ClearFaults();
    EXPECT_FALSE(src_->GetStats().paused);
    if (st.ok()) break;
    failures++;
    EXPECT_EQ(st.code(), Code::kIo) << st.ToString();
    EXPECT_NE(st.message().find("parent snapshot"), std::string::npos) << st.ToString();
    EXPECT_EQ(env->FilePaths(), before);
  }
  EXPECT_GT(failures, 0);
}

INSTANTIATE_TEST_SUITE_P(
    Kinds, SnapshotReadFaults,
    ::testing::Values(ReadCase{"full", PAGER_SNAPSHOT_COMPRESS_NONE, false},
                      ReadCase{"zstd", PAGER_SNAPSHOT_COMPRESS_ZSTD, false},
                      ReadCase{"incremental", PAGER_SNAPSHOT_COMPRESS_NONE, true}),
    [](const ::testing::TestParamInfo<ReadCase>& i) { return std::string(i.param.name); });

}  // namespace
}  // namespace snapshot
}  // namespace pager
