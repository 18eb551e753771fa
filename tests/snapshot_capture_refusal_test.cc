// Capture refusals no other suite reaches: an engine reporting impossible sequences, a path
// that names no file, and write failures of a capture whose pieces are larger than its write
// buffer (1 MiB pages written directly, the buffer flushed before the tables and trailer), in
// every capture mode. Each leaves the engine resumed, no temporary file, and the earlier
// snapshot at the path exactly as it was.
#include "impl/io/mem_env.h"
#include "impl/snapshot/adapter.h"
#include "tests/snapshot_test.h"

namespace pager {
namespace snapshot {
namespace {

using namespace pager::snapshot::testing;  // NOLINT

uint32_t g_page = 0;  // an occupied slot of the engine the hostile callbacks name

class SnapshotCaptureRefusal : public ::testing::Test {
 protected:
  SnapshotCaptureRefusal() : engine_(NewEngine(SmallMeta(), 8)) {
    EXPECT_OK(env_.CreateDir("/snap", 0755));
    std::mt19937_64 rng(3);
    const Geometry& g = engine_->geometry();
    g_page = engine_->AllocPage().value();
    std::vector<uint8_t> page = RandomPage(rng, g);
    EXPECT_OK(engine_->WritePage(g_page, page.data(), g.k_page_bytes,
                                 page.data() + g.k_page_bytes, g.v_page_bytes));
  }
  // Captures with logical_seqs replaced by `seqs`: the capture must fail with `code` saying
  // `text`, the engine resumed and no file written.
  void ExpectRefused(int (*seqs)(void*, pager_cache_sink*), Code code, const std::string& text) {
    Tracer t(engine_->Ops());
    pager_cache_ops ops = t.Ops();
    ops.logical_seqs = seqs;
    Status st = Capture(&env_, ops, "/snap/a.kvs", Options());
    EXPECT_EQ(st.code(), code) << st.ToString();
    EXPECT_NE(st.message().find(text), std::string::npos) << st.ToString();
    EXPECT_EQ(t.Count("pause"), 1);
    EXPECT_EQ(t.Count("resume"), 1);
    EXPECT_FALSE(engine_->GetStats().paused);
    EXPECT_TRUE(env_.FilePaths().empty()) << env_.FilePaths()[0];
  }
  io::MemEnv env_;
  std::unique_ptr<RefEngine> engine_;
};

TEST_F(SnapshotCaptureRefusal, ASequenceReportedTwiceIsADuplicate) {
  ExpectRefused(
      [](void*, pager_cache_sink* s) {
        pager_cache_sink_add_seq(s, "twin", 4, &g_page, 1, 1);
        return pager_cache_sink_add_seq(s, "twin", 4, &g_page, 1, 2);
      },
      Code::kDuplicate, "callback logical_seqs reported sequence 'twin' twice");
}

TEST_F(SnapshotCaptureRefusal, AFillPastThePageIsInvalid) {
  ExpectRefused(
      [](void*, pager_cache_sink* s) {
        return pager_cache_sink_add_seq(s, "over", 4, &g_page, 1, 5);  // 4 tokens per page
      },
      Code::kInvalid,
      "callback logical_seqs: sequence 'over' has fill 5 with 1 pages of 4 tokens");
}

TEST_F(SnapshotCaptureRefusal, AFillWithoutPagesIsInvalid) {
  ExpectRefused(
      [](void*, pager_cache_sink* s) {
        return pager_cache_sink_add_seq(s, "none", 4, nullptr, 0, 1);
      },
      Code::kInvalid,
      "callback logical_seqs: sequence 'none' has fill 1 with 0 pages of 4 tokens");
}

TEST_F(SnapshotCaptureRefusal, APathThatNamesNoFileIsInvalidBeforeThePause) {
  for (const char* path : {"/snap/", "/snap/.", "/snap/..", ""}) {
    Tracer t(engine_->Ops());
    Status st = Capture(&env_, t.Ops(), path, Options());
    EXPECT_EQ(st.code(), Code::kInvalid) << path << ": " << st.ToString();
    EXPECT_NE(st.message().find("snapshot path '" + std::string(path) + "' does not name a file"),
              std::string::npos)
        << st.ToString();
    EXPECT_EQ(t.Count("pause"), 0) << path;
  }
  EXPECT_TRUE(env_.FilePaths().empty());
}

TEST_F(SnapshotCaptureRefusal, AnOpsStructBelowItsFirstVersionIsInvalidEverywhere) {
  Tracer t(engine_->Ops());
  pager_cache_ops ops = t.Ops();
  ops.struct_size = 8;
  for (int op = 0; op < 2; op++) {
    Status st = op == 0 ? Capture(&env_, ops, "/snap/a.kvs", Options())
                        : Restore(&env_, ops, "/snap/a.kvs", Options());
    EXPECT_EQ(st.code(), Code::kInvalid) << st.ToString();
    EXPECT_NE(st.message().find("pager_cache_ops.struct_size is 8, below its first version's "),
              std::string::npos)
        << st.ToString();
  }
  EXPECT_TRUE(t.calls.empty());
  EXPECT_TRUE(env_.FilePaths().empty());
}

TEST_F(SnapshotCaptureRefusal, AMetaCallbackReportingAnImpossibleGeometryIsRefusedNamingIt) {
  Tracer t(engine_->Ops());
  pager_cache_ops ops = t.Ops();
  ops.meta = [](void*, pager_cache_meta* m) {
    *m = SmallMeta();
    m->tokens_per_page = 0;
    return 0;
  };
  Status st = Capture(&env_, ops, "/snap/a.kvs", Options());
  EXPECT_EQ(st.code(), Code::kInvalid) << st.ToString();
  EXPECT_NE(st.message().find("callback meta returned a bad geometry"), std::string::npos)
      << st.ToString();
  EXPECT_NE(st.message().find("tokens_per_page"), std::string::npos) << st.ToString();
  EXPECT_EQ(t.Count("pause"), t.Count("resume"));
  EXPECT_FALSE(engine_->GetStats().paused);
  EXPECT_TRUE(env_.FilePaths().empty());
}

TEST_F(SnapshotCaptureRefusal, InvalidOptionsRefuseRestoreAndVerifyBeforeAnyCallback) {
  ASSERT_OK(Capture(&env_, engine_->Ops(), "/snap/a.kvs", Options()));
  Options bad;
  bad.threads = 65;
  auto dst = NewEngine(SmallMeta(), 8);
  Tracer t(dst->Ops());
  Status st = Restore(&env_, t.Ops(), "/snap/a.kvs", bad);
  EXPECT_EQ(st.code(), Code::kInvalid) << st.ToString();
  EXPECT_EQ(st.message(), "options.threads 65 is above 64");
  EXPECT_TRUE(t.calls.empty());
  st = Verify(&env_, "/snap/a.kvs", bad);
  EXPECT_EQ(st.code(), Code::kInvalid) << st.ToString();
  EXPECT_EQ(SinkAddSeq(nullptr, "x", 1, nullptr, 0, 0).message(), "sink must not be NULL");
}

// Write-failure sweep over captures larger than the write buffer: 1 MiB pages (K+V), so each
// page is one direct write, and the tables flush the buffer on their own.
struct BigCase {
  const char* name;
  uint32_t compression;
  uint64_t copy_out_budget_bytes;
  bool incremental;
};

class SnapshotBigWriteFaults : public ::testing::TestWithParam<BigCase> {};

TEST_P(SnapshotBigWriteFaults, EveryFailingWriteKeepsTheOldSnapshotAndLeavesNoTemporary) {
  const BigCase& c = GetParam();
  const pager_cache_meta meta = SmallMeta(64, 8, 8, 64);  // 512 KiB K + 512 KiB V
  auto engine = NewEngine(meta, 8);
  const Geometry& g = engine->geometry();
  ASSERT_EQ(g.page_bytes(), 1u << 20);
  std::mt19937_64 rng(11);
  std::vector<uint32_t> slots;
  for (int i = 0; i < 3; i++) {
    uint32_t s = engine->AllocPage().value();
    std::vector<uint8_t> page = RandomPage(rng, g);
    ASSERT_OK(engine->WritePage(s, page.data(), g.k_page_bytes, page.data() + g.k_page_bytes,
                                g.v_page_bytes));
    slots.push_back(s);
  }
  ASSERT_OK(engine->SetSeq("s", slots.data(), slots.size(), 3));
  io::FaultEnv base;
  ASSERT_OK(base.CreateDir("/snap", 0755));
  ASSERT_OK(Capture(&base, engine->Ops(), "/snap/base.kvs", Options()));
  const uint64_t old_fingerprint = engine->Fingerprint();
  // The new state: one page rewritten (an incremental capture stores only it).
  std::vector<uint8_t> page = RandomPage(rng, g);
  ASSERT_OK(engine->WritePage(slots[1], page.data(), g.k_page_bytes,
                              page.data() + g.k_page_bytes, g.v_page_bytes));
  const uint64_t new_fingerprint = engine->Fingerprint();
  Options o;
  o.compression = c.compression;
  o.copy_out_budget_bytes = c.copy_out_budget_bytes;
  if (c.incremental) o.parent_path = "base.kvs";
  // The earlier snapshot at the target path: a full one of the old state.
  std::vector<uint8_t> old;
  ASSERT_OK(base.GetFileBytes("/snap/base.kvs", &old));
  {
    std::unique_ptr<io::File> f;
    io::OpenOptions oo;
    oo.write = oo.create = true;
    ASSERT_OK(base.Open("/snap/cur.kvs", oo, &f));
    ASSERT_OK(base.SetFileBytes("/snap/cur.kvs", old));
  }
  auto image = base.CrashImage(0);
  uint64_t writes = 0;
  {
    auto env = io::FaultEnv::FromImage(image);
    uint64_t before = env->OpCount();
    ASSERT_OK(Capture(env.get(), engine->Ops(), "/snap/cur.kvs", o));
    ASSERT_GT(env->OpCount(), before);
    std::vector<uint8_t> bytes;
    ASSERT_OK(env->GetFileBytes("/snap/cur.kvs", &bytes));
    writes = bytes.size() / (1u << 20) + 4;  // at most one write per MiB, plus the tables
  }
  int failed = 0;
  for (uint64_t n = 1; n <= writes; n++) {
    for (bool persistent : {false, true}) {
      SCOPED_TRACE(std::string(c.name) + ": write " + std::to_string(n) +
                   (persistent ? " and later" : ""));
      auto env = io::FaultEnv::FromImage(image);
      env->FailNth(io::MemEnv::Op::kWrite, n, io::FaultKind::kEnospc, persistent);
      Status st = Capture(env.get(), engine->Ops(), "/snap/cur.kvs", o);
      env->ClearFaults();
      EXPECT_FALSE(engine->GetStats().paused);
      auto dst = NewEngine(meta, 8);
      ASSERT_OK(Restore(env.get(), dst->Ops(), "/snap/cur.kvs", Options()));
      if (st.ok()) {
        EXPECT_EQ(dst->Fingerprint(), new_fingerprint);
        continue;
      }
      failed++;
      EXPECT_EQ(st.code(), Code::kNoSpace) << st.ToString();
      std::vector<uint8_t> now;
      ASSERT_OK(env->GetFileBytes("/snap/cur.kvs", &now));
      EXPECT_EQ(now, old);
      EXPECT_EQ(dst->Fingerprint(), old_fingerprint);
      EXPECT_EQ(env->FilePaths(),
                (std::vector<std::string>{"/snap/base.kvs", "/snap/cur.kvs"}));
    }
  }
  EXPECT_GE(failed, 4) << "the sweep must fail writes of pages and of the tables";
}

INSTANTIATE_TEST_SUITE_P(
    Modes, SnapshotBigWriteFaults,
    ::testing::Values(BigCase{"paused", PAGER_SNAPSHOT_COMPRESS_NONE, 0, false},
                      BigCase{"copy_out", PAGER_SNAPSHOT_COMPRESS_NONE, 64u << 20, false},
                      BigCase{"zstd_copy_out", PAGER_SNAPSHOT_COMPRESS_ZSTD, 64u << 20, false},
                      BigCase{"incremental", PAGER_SNAPSHOT_COMPRESS_NONE, 0, true}),
    [](const ::testing::TestParamInfo<BigCase>& i) { return std::string(i.param.name); });

}  // namespace
}  // namespace snapshot
}  // namespace pager
