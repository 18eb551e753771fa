// Failure modes: geometry mismatches, damaged files, failing callbacks, cancellation,
// misbehaving adapters. Each checks the error code, the message, and what the engine saw.
#include "impl/io/mem_env.h"
#include "tests/snapshot_test.h"

namespace pager {
namespace snapshot {
namespace {

using namespace pager::snapshot::testing;  // NOLINT

class SnapshotErrors : public ::testing::Test {
 protected:
  SnapshotErrors() {
    EXPECT_OK(env_.CreateDir("/snap", 0755));
    std::mt19937_64 rng(99);
    src_ = NewEngine(SmallMeta(), 32);
    Populate(src_.get(), rng, 6, 3);
  }
  std::vector<uint8_t> Bytes(const std::string& path) {
    std::vector<uint8_t> b;
    EXPECT_OK(env_.GetFileBytes(path, &b));
    return b;
  }
  bool Paused(RefEngine* e) { return e->GetStats().paused; }
  uint32_t Occupied(RefEngine* e) { return static_cast<uint32_t>(e->GetStats().occupied_pages); }
  io::MemEnv env_;
  std::unique_ptr<RefEngine> src_;
};

// ---- geometry -------------------------------------------------------------------------

TEST_F(SnapshotErrors, EveryGeometryFieldMismatchIsNamedWithBothValues) {
  ASSERT_OK(Capture(&env_, src_->Ops(), "/snap/s.kvs", Options()));
  struct Case {
    pager_cache_meta meta;
    std::string expect;
  } cases[] = {
      {SmallMeta(8, 2, 2, 8, PAGER_DTYPE_F16), "tokens_per_page: snapshot 4, engine 8"},
      {SmallMeta(4, 3, 2, 8, PAGER_DTYPE_F16), "layers: snapshot 2, engine 3"},
      {SmallMeta(4, 2, 1, 8, PAGER_DTYPE_F16), "kv_heads: snapshot 2, engine 1"},
      {SmallMeta(4, 2, 2, 16, PAGER_DTYPE_F16), "head_dim: snapshot 8, engine 16"},
      {SmallMeta(4, 2, 2, 8, PAGER_DTYPE_BF16), "dtype: snapshot f16, engine bf16"},
      // Same page size, different shape: still refused.
      {SmallMeta(4, 2, 2, 4, PAGER_DTYPE_F32), "head_dim: snapshot 8, engine 4; dtype"},
  };
  for (const Case& c : cases) {
    auto dst = NewEngine(c.meta, 32);
    Tracer t(dst->Ops());
    Status st = Restore(&env_, t.Ops(), "/snap/s.kvs", Options());
    EXPECT_EQ(st.code(), Code::kMismatch) << st.ToString();
    EXPECT_NE(st.message().find(c.expect), std::string::npos) << st.message();
    EXPECT_EQ(t.calls, std::vector<std::string>{"meta"});
    EXPECT_EQ(Occupied(dst.get()), 0u);
  }
}

// ---- damaged files --------------------------------------------------------------------

// Restores every variant of a file and requires an error. Damage to the structure (header,
// trailer, tables, a parent's structure) is found before any callback; damage to a page's
// stored bytes is found in restore's one pass, as the page is read, before write_page could
// see it (K3): then the engine must be left as it was -- every allocated slot released, no
// sequence installed, resumed: its fingerprint equals an untouched engine's.
class SnapshotCorruption : public SnapshotErrors,
                           public ::testing::WithParamInterface<RestorePath> {
 protected:
  void ExpectRejected(const std::vector<uint8_t>& bytes, const std::string& what,
                      const std::string& target = "/snap/bad.kvs",
                      const std::string& restore_path = "/snap/bad.kvs") {
    bool exists = false;
    ASSERT_OK(env_.Exists(target, &exists));
    if (!exists) {
      std::unique_ptr<io::File> f;
      io::OpenOptions oo;
      oo.write = oo.create = true;
      ASSERT_OK(env_.Open(target, oo, &f));
    }
    ASSERT_OK(env_.SetFileBytes(target, bytes));
    auto dst = NewEngine(SmallMeta(), 32);
    Tracer t(RestoreOps(dst.get(), GetParam()));
    Status st = Restore(&env_, t.Ops(), restore_path, Options());
    EXPECT_TRUE(st.code() == Code::kCorrupt || st.code() == Code::kVersion)
        << what << ": " << st.ToString();
    if (!t.calls.empty()) {
      pages_damage_found_in_the_pass_++;
      EXPECT_EQ(st.code(), Code::kCorrupt) << what;
      EXPECT_NE(st.message().find("page entry"), std::string::npos) << what << ": " << st.ToString();
      EXPECT_EQ(t.Count("allocate_pages"), 1) << what;
      EXPECT_EQ(t.Count("release_pages"), 1) << what;
      EXPECT_EQ(t.Count("install_logical_seqs"), 0) << what;
      if (GetParam() == RestorePath::kIntoEngineBuffers) {
        EXPECT_EQ(t.Count("write_page"), 0) << what;
        EXPECT_GT(t.Count("page_buffers"), 0) << what;
      }
      EXPECT_EQ(t.Count("resume"), t.Count("pause")) << what;
      EXPECT_EQ(Occupied(dst.get()), 0u) << what;
      EXPECT_FALSE(Paused(dst.get())) << what;
      EXPECT_EQ(dst->Fingerprint(), NewEngine(SmallMeta(), 32)->Fingerprint()) << what;
    } else {
      structure_damage_found_first_++;
    }
    EXPECT_FALSE(Verify(&env_, restore_path, Options()).ok()) << what;
  }
  int pages_damage_found_in_the_pass_ = 0;
  int structure_damage_found_first_ = 0;
  void FlipEveryByte(const std::string& good_path) {
    std::vector<uint8_t> good = Bytes(good_path);
    for (size_t i = 0; i < good.size(); i++) {
      std::vector<uint8_t> bad = good;
      bad[i] ^= static_cast<uint8_t>(1u << (i % 8));
      ExpectRejected(bad, "flip at byte " + std::to_string(i));
    }
  }
};

TEST_P(SnapshotCorruption, EveryFlippedByteIsDetectedAndLeavesTheEngineAsItWas) {
  ASSERT_OK(Capture(&env_, src_->Ops(), "/snap/good.kvs", Options()));
  FlipEveryByte("/snap/good.kvs");
  // Both paths ran: structure damage before any callback, page damage in the one pass.
  EXPECT_GT(pages_damage_found_in_the_pass_, 0);
  EXPECT_GT(structure_damage_found_first_, 0);
}

TEST_P(SnapshotCorruption, EveryFlippedByteOfACompressedSnapshotIsDetected) {
  Options z;
  z.compression = PAGER_SNAPSHOT_COMPRESS_ZSTD;
  auto e = NewEngine(SmallMeta(), 8);
  const Geometry& g = e->geometry();
  std::vector<uint8_t> page(g.page_bytes(), 7);  // compressible
  uint32_t s = e->AllocPage().value();
  ASSERT_OK(e->WritePage(s, page.data(), g.k_page_bytes, page.data() + g.k_page_bytes,
                         g.v_page_bytes));
  ASSERT_OK(e->SetSeq("z", &s, 1, 2));
  ASSERT_OK(Capture(&env_, e->Ops(), "/snap/good.kvs", z));
  pager_snapshot_info info;
  ASSERT_OK(Inspect(&env_, "/snap/good.kvs", &info));
  ASSERT_EQ(info.compressed_page_count, 1u);
  FlipEveryByte("/snap/good.kvs");
}

TEST_P(SnapshotCorruption, EveryTruncationAndAnAppendedTailAreDetected) {
  ASSERT_OK(Capture(&env_, src_->Ops(), "/snap/good.kvs", Options()));
  std::vector<uint8_t> good = Bytes("/snap/good.kvs");
  for (size_t n = 0; n < good.size(); n++) {
    ExpectRejected(std::vector<uint8_t>(good.begin(), good.begin() + n),
                   "truncated to " + std::to_string(n));
  }
  std::vector<uint8_t> longer = good;
  longer.resize(good.size() + 8, 0);
  ExpectRejected(longer, "8 zero bytes appended");
}

TEST_P(SnapshotCorruption, ADamagedParentIsDetectedAndLeavesTheEngineAsItWas) {
  ASSERT_OK(Capture(&env_, src_->Ops(), "/snap/base.kvs", Options()));
  Options o;
  o.parent_path = "base.kvs";
  ASSERT_OK(Capture(&env_, src_->Ops(), "/snap/child.kvs", o));
  std::vector<uint8_t> good = Bytes("/snap/base.kvs");
  // One flip per 8-byte word is enough to reach every region of the parent.
  for (size_t i = 0; i < good.size(); i += 8) {
    std::vector<uint8_t> bad = good;
    bad[i] ^= 0x10;
    ExpectRejected(bad, "parent flip at " + std::to_string(i), "/snap/base.kvs",
                   "/snap/child.kvs");
  }
}

TEST_P(SnapshotCorruption, NotASnapshotAndEmptyFile) {
  ExpectRejected({}, "empty file");
  std::vector<uint8_t> junk = pager::testing::PatternBytes(1, 4096);
  ExpectRejected(junk, "random bytes");
}

PAGER_INSTANTIATE_BOTH_RESTORE_PATHS(SnapshotCorruption);

// ---- destination checks ---------------------------------------------------------------

TEST_F(SnapshotErrors, NonEmptyDestinationIsRefusedUnlessAllowed) {
  ASSERT_OK(Capture(&env_, src_->Ops(), "/snap/s.kvs", Options()));
  auto dst = NewEngine(SmallMeta(), 32);
  ASSERT_TRUE(dst->AllocPage().ok());
  Tracer t(dst->Ops());
  Status st = Restore(&env_, t.Ops(), "/snap/s.kvs", Options());
  EXPECT_EQ(st.code(), Code::kExists) << st.ToString();
  EXPECT_EQ(t.Count("allocate_pages"), 0);
  EXPECT_EQ(t.Count("resume"), 1);
  EXPECT_FALSE(Paused(dst.get()));
  EXPECT_EQ(Occupied(dst.get()), 1u);
}

TEST_F(SnapshotErrors, ASequenceIdAlreadyInTheEngineIsRefused) {
  ASSERT_OK(Capture(&env_, src_->Ops(), "/snap/s.kvs", Options()));
  auto dst = NewEngine(SmallMeta(), 32);
  uint32_t s = dst->AllocPage().value();
  ASSERT_OK(dst->SetSeq("seq-1", &s, 1, 1));
  Options o;
  o.allow_nonempty = true;
  Status st = Restore(&env_, dst->Ops(), "/snap/s.kvs", o);
  EXPECT_EQ(st.code(), Code::kExists) << st.ToString();
  EXPECT_NE(st.message().find("'seq-1'"), std::string::npos);
  EXPECT_EQ(Occupied(dst.get()), 1u);
  EXPECT_FALSE(Paused(dst.get()));
}

TEST_F(SnapshotErrors, AnEmptySequenceWithTheSameIdInAnEmptyEngineIsRefusedBeforeAllocating) {
  ASSERT_OK(Capture(&env_, src_->Ops(), "/snap/s.kvs", Options()));
  auto dst = NewEngine(SmallMeta(), 32);
  ASSERT_OK(dst->SetSeq("seq-2", nullptr, 0, 0));  // no pages: the engine is "empty"
  Tracer t(dst->Ops());
  Status st = Restore(&env_, t.Ops(), "/snap/s.kvs", Options());
  EXPECT_EQ(st.code(), Code::kExists) << st.ToString();
  EXPECT_EQ(t.Count("allocate_pages"), 0);
  EXPECT_EQ(Occupied(dst.get()), 0u);
  EXPECT_FALSE(Paused(dst.get()));
}

TEST_F(SnapshotErrors, DestinationTooSmallFailsInAllocateAndResumes) {
  ASSERT_OK(Capture(&env_, src_->Ops(), "/snap/s.kvs", Options()));
  auto dst = NewEngine(SmallMeta(), 1);
  Status st = Restore(&env_, dst->Ops(), "/snap/s.kvs", Options());
  EXPECT_EQ(st.code(), Code::kCallback) << st.ToString();
  EXPECT_NE(st.message().find("allocate_pages"), std::string::npos);
  EXPECT_NE(st.message().find("adapter code " + std::to_string(PAGER_ERR_FULL)),
            std::string::npos);
  EXPECT_FALSE(Paused(dst.get()));
}

// ---- failing callbacks ----------------------------------------------------------------

TEST_F(SnapshotErrors, CaptureCallbackFailureAtEveryCallbackResumesAndLeavesNoFile) {
  ASSERT_OK(Capture(&env_, src_->Ops(), "/snap/old.kvs", Options()));
  std::vector<uint8_t> old = Bytes("/snap/old.kvs");
  uint32_t pages = Occupied(src_.get());
  struct Case {
    const char* name;
    uint32_t skip;
  } cases[] = {{"meta", 0},         {"pause", 0},     {"occupied_pages", 0},
               {"logical_seqs", 0}, {"read_page", 0}, {"read_page", pages - 1},
               {"resume", 0}};
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.name) + " skip " + std::to_string(c.skip));
    ASSERT_OK(src_->FailCallback(c.name, c.skip, -42));
    Tracer t(src_->Ops());
    Status st = Capture(&env_, t.Ops(), "/snap/old.kvs", Options());
    EXPECT_EQ(st.code(), Code::kCallback) << st.ToString();
    EXPECT_NE(st.message().find(std::string("callback ") + c.name), std::string::npos)
        << st.message();
    EXPECT_NE(st.message().find("adapter code -42"), std::string::npos) << st.message();
    EXPECT_EQ(t.Count("resume"), t.Count("pause") - (std::string(c.name) == "pause" ? 1 : 0));
    if (std::string(c.name) != "resume") {
      EXPECT_FALSE(Paused(src_.get()));
    } else {
      // The engine refused to resume: the library called resume once and reports it.
      ASSERT_OK(src_->FailCallback("", 0, 0));
      pager_cache_ops ops = src_->Ops();
      ASSERT_EQ(ops.resume(ops.ctx), 0);
    }
    EXPECT_EQ(env_.FilePaths(), std::vector<std::string>{"/snap/old.kvs"});
    EXPECT_EQ(Bytes("/snap/old.kvs"), old);
  }
}

TEST_F(SnapshotErrors, RestoreCallbackFailureAtEveryCallbackResumes) {
  ASSERT_OK(Capture(&env_, src_->Ops(), "/snap/s.kvs", Options()));
  uint32_t pages = Occupied(src_.get());
  const char* names[] = {"meta",           "pause",      "occupied_pages",
                         "logical_seqs",   "allocate_pages", "write_page",
                         "page_buffers",   "install_logical_seqs", "resume"};
  for (const char* name : names) {
    bool per_page = std::string(name) == "write_page" || std::string(name) == "page_buffers";
    for (uint32_t skip : {0u, pages / 2, pages - 1}) {
      if (skip > 0 && !per_page) continue;
      SCOPED_TRACE(std::string(name) + " skip " + std::to_string(skip));
      auto dst = NewEngine(SmallMeta(), 64);
      uint32_t existing = dst->AllocPage().value();  // so logical_seqs is called
      (void)existing;
      ASSERT_OK(dst->FailCallback(name, skip, 1234));
      // write_page is called on the copying path only; the rest on the zero-copy one.
      Tracer t(RestoreOps(dst.get(), std::string(name) == "write_page"
                                         ? RestorePath::kCopyThroughWritePage
                                         : RestorePath::kIntoEngineBuffers));
      Options o;
      o.allow_nonempty = true;
      o.batch_bytes = 512 * 2;  // two pages per batch: failures meet a running prefetch
      Status st = Restore(&env_, t.Ops(), "/snap/s.kvs", o);
      EXPECT_EQ(st.code(), Code::kCallback) << st.ToString();
      EXPECT_NE(st.message().find(std::string("callback ") + name), std::string::npos);
      EXPECT_NE(st.message().find("adapter code 1234"), std::string::npos);
      int pauses = t.Count("pause") - (std::string(name) == "pause" ? 1 : 0);
      EXPECT_EQ(t.Count("resume"), pauses);
      if (std::string(name) != "resume") {
        EXPECT_FALSE(Paused(dst.get()));
      }
      EXPECT_EQ(t.Count("install_logical_seqs"),
                std::string(name) == "install_logical_seqs" || std::string(name) == "resume");
      bool after_allocate = per_page || std::string(name) == "install_logical_seqs";
      EXPECT_EQ(t.Count("release_pages"), after_allocate ? 1 : 0);
      if (std::string(name) != "resume") {
        EXPECT_EQ(Occupied(dst.get()), 1u);
      }
    }
  }
}

// K4 regression: 0.1 left every slot allocate_pages returned allocated when a later
// callback failed (the ops had no way to give them back).
TEST_F(SnapshotErrors, RestoreFailingAfterAllocatePagesGivesEverySlotBack) {
  ASSERT_OK(Capture(&env_, src_->Ops(), "/snap/s.kvs", Options()));
  uint32_t pages = Occupied(src_.get());
  ASSERT_GT(pages, 2u);
  for (const char* name : {"write_page", "page_buffers", "install_logical_seqs"}) {
    SCOPED_TRACE(name);
    auto dst = NewEngine(SmallMeta(), 64);
    ASSERT_OK(dst->AllocPage().status());
    uint32_t before = Occupied(dst.get());
    bool per_page = std::string(name) != "install_logical_seqs";
    ASSERT_OK(dst->FailCallback(name, per_page ? pages / 2 : 0, 99));
    Tracer t(RestoreOps(dst.get(), std::string(name) == "write_page"
                                       ? RestorePath::kCopyThroughWritePage
                                       : RestorePath::kIntoEngineBuffers));
    Options o;
    o.allow_nonempty = true;
    Status st = Restore(&env_, t.Ops(), "/snap/s.kvs", o);
    EXPECT_EQ(st.code(), Code::kCallback) << st.ToString();
    EXPECT_EQ(Occupied(dst.get()), before);
    EXPECT_EQ(t.Count("release_pages"), 1);
    std::vector<std::string> tail(t.calls.end() - 2, t.calls.end());
    EXPECT_EQ(tail, (std::vector<std::string>{"release_pages", "resume"}));
    EXPECT_FALSE(Paused(dst.get()));
    ASSERT_OK(Restore(&env_, dst->Ops(), "/snap/s.kvs", o));  // the engine is whole again
    EXPECT_EQ(Occupied(dst.get()), before + pages);
  }
}

TEST_F(SnapshotErrors, WithoutReleasePagesAFailedRestoreLeavesTheSlotsAllocated) {
  ASSERT_OK(Capture(&env_, src_->Ops(), "/snap/s.kvs", Options()));
  uint32_t pages = Occupied(src_.get());
  auto dst = NewEngine(SmallMeta(), 64);
  ASSERT_OK(dst->FailCallback("write_page", 1, 99));
  pager_cache_ops ops = dst->Ops();
  ops.page_buffers = nullptr;  // write_page is the copying path's callback
  ops.release_pages = nullptr;
  Status st = Restore(&env_, ops, "/snap/s.kvs", Options());
  EXPECT_EQ(st.code(), Code::kCallback) << st.ToString();
  EXPECT_NE(st.message().find("callback write_page"), std::string::npos);
  EXPECT_NE(st.message().find("release_pages is NULL"), std::string::npos);
  EXPECT_EQ(Occupied(dst.get()), pages);
  EXPECT_FALSE(Paused(dst.get()));
}

TEST_F(SnapshotErrors, AFailingReleasePagesIsNamedAfterTheFirstError) {
  ASSERT_OK(Capture(&env_, src_->Ops(), "/snap/s.kvs", Options()));
  auto dst = NewEngine(SmallMeta(), 64);
  ASSERT_OK(dst->FailCallback("write_page", 0, 99));
  pager_cache_ops ops = dst->Ops();
  ops.page_buffers = nullptr;  // write_page is the copying path's callback
  ops.release_pages = [](void*, const uint32_t*, uint64_t) { return 77; };
  Status st = Restore(&env_, ops, "/snap/s.kvs", Options());
  EXPECT_EQ(st.code(), Code::kCallback) << st.ToString();
  size_t first = st.message().find("callback write_page");
  size_t second = st.message().find("callback release_pages");
  ASSERT_NE(first, std::string::npos);
  ASSERT_NE(second, std::string::npos);
  EXPECT_LT(first, second);
  EXPECT_NE(st.message().find("adapter code 77"), std::string::npos);
  EXPECT_FALSE(Paused(dst.get()));
}

// ---- cancellation ---------------------------------------------------------------------

struct CancelAt {
  int calls = 0;
  int cancel_at = 0;
  static int Fn(void* ctx, uint64_t, uint64_t) {
    auto* c = static_cast<CancelAt*>(ctx);
    return ++c->calls == c->cancel_at ? 1 : 0;
  }
};

TEST_F(SnapshotErrors, CancelledCaptureLeavesTheEarlierFileAndNoTemporary) {
  auto big = NewEngine(SmallMeta(16, 8, 8, 64), 64);  // 128 KiB pages: several batches
  std::mt19937_64 rng(4);
  Populate(big.get(), rng, 64, 2);
  ASSERT_OK(Capture(&env_, src_->Ops(), "/snap/s.kvs", Options()));
  std::vector<uint8_t> old = Bytes("/snap/s.kvs");
  for (int at = 1; at <= 3; at++) {
    CancelAt c;
    c.cancel_at = at;
    Options o;
    o.progress = &CancelAt::Fn;
    o.progress_ctx = &c;
    Tracer t(big->Ops());
    Status st = Capture(&env_, t.Ops(), "/snap/s.kvs", o);
    if (st.ok()) break;  // fewer progress calls than `at`
    EXPECT_EQ(st.code(), Code::kCancelled) << st.ToString();
    EXPECT_EQ(t.Count("resume"), 1);
    EXPECT_FALSE(Paused(big.get()));
    EXPECT_EQ(env_.FilePaths(), std::vector<std::string>{"/snap/s.kvs"});
    EXPECT_EQ(Bytes("/snap/s.kvs"), old);
  }
}

TEST_F(SnapshotErrors, CancelledRestoreLeavesTheEngineUntouched) {
  // 64 KiB pages, ~2.5 MiB: one verification batch, the check before allocation, then one
  // progress call per page written.
  auto big = NewEngine(SmallMeta(16, 4, 4, 64), 60);
  std::mt19937_64 rng(4);
  Populate(big.get(), rng, 60, 3);
  ASSERT_OK(Capture(&env_, big->Ops(), "/snap/s.kvs", Options()));
  int total_calls = 0;
  for (int at = 1;; at += at < 4 ? 1 : 11) {
    CancelAt c;
    c.cancel_at = at;
    Options o;
    o.progress = &CancelAt::Fn;
    o.progress_ctx = &c;
    auto dst = NewEngine(SmallMeta(16, 4, 4, 64), 60);
    Status st = Restore(&env_, dst->Ops(), "/snap/s.kvs", o);
    if (st.ok()) {
      // Past the point of no return: the restore completed.
      EXPECT_EQ(dst->Fingerprint(), big->Fingerprint());
      total_calls = c.calls;
      if (at > total_calls) break;
      continue;
    }
    EXPECT_EQ(st.code(), Code::kCancelled) << st.ToString();
    EXPECT_EQ(Occupied(dst.get()), 0u);
    EXPECT_FALSE(Paused(dst.get()));
  }
  EXPECT_GT(total_calls, 2);
}

// ---- misbehaving adapters -------------------------------------------------------------

// An adapter over the reference engine with one callback replaced.
struct Evil {
  RefEngine* engine;
  pager_cache_ops inner;
  static Evil* E(void* c) { return static_cast<Evil*>(c); }
  pager_cache_ops Ops() {
    pager_cache_ops o = inner;
    o.ctx = this;
    o.meta = [](void* c, pager_cache_meta* m) { return E(c)->inner.meta(E(c)->inner.ctx, m); };
    o.pause = [](void* c) { return E(c)->inner.pause(E(c)->inner.ctx); };
    o.resume = [](void* c) { return E(c)->inner.resume(E(c)->inner.ctx); };
    o.occupied_pages = [](void* c, pager_cache_sink* s) {
      return E(c)->inner.occupied_pages(E(c)->inner.ctx, s);
    };
    o.logical_seqs = [](void* c, pager_cache_sink* s) {
      return E(c)->inner.logical_seqs(E(c)->inner.ctx, s);
    };
    o.read_page = [](void* c, uint32_t p, void* k, uint64_t kb, void* v, uint64_t vb) {
      return E(c)->inner.read_page(E(c)->inner.ctx, p, k, kb, v, vb);
    };
    o.allocate_pages = [](void* c, uint32_t* s, uint64_t n) {
      return E(c)->inner.allocate_pages(E(c)->inner.ctx, s, n);
    };
    o.write_page = [](void* c, uint32_t p, const void* k, uint64_t kb, const void* v,
                      uint64_t vb) { return E(c)->inner.write_page(E(c)->inner.ctx, p, k, kb, v, vb); };
    o.install_logical_seqs = [](void* c, const pager_logical_seq* s, uint64_t n) {
      return E(c)->inner.install_logical_seqs(E(c)->inner.ctx, s, n);
    };
    o.release_pages = [](void* c, const uint32_t* s, uint64_t n) {
      return E(c)->inner.release_pages(E(c)->inner.ctx, s, n);
    };
    o.page_buffers = [](void* c, uint32_t slot, pager_page_segment* s, uint64_t cap,
                        uint64_t* n) { return E(c)->inner.page_buffers(E(c)->inner.ctx, slot, s, cap, n); };
    return o;
  }
};

TEST_F(SnapshotErrors, AdapterReportingAPageTwiceIsADuplicate) {
  Evil evil{src_.get(), src_->Ops()};
  pager_cache_ops ops = evil.Ops();
  ops.occupied_pages = [](void* c, pager_cache_sink* s) {
    uint32_t twice[2] = {0, 0};
    (void)c;
    return pager_cache_sink_add_pages(s, twice, 2);
  };
  Status st = Capture(&env_, ops, "/snap/s.kvs", Options());
  EXPECT_EQ(st.code(), Code::kDuplicate) << st.ToString();
  EXPECT_FALSE(Paused(src_.get()));
}

TEST_F(SnapshotErrors, SequenceNamingAnUnreportedPageIsInvalid) {
  Evil evil{src_.get(), src_->Ops()};
  pager_cache_ops ops = evil.Ops();
  ops.logical_seqs = [](void*, pager_cache_sink* s) {
    uint32_t page = 31;  // never allocated
    return pager_cache_sink_add_seq(s, "ghost", 5, &page, 1, 1);
  };
  Status st = Capture(&env_, ops, "/snap/s.kvs", Options());
  EXPECT_EQ(st.code(), Code::kInvalid) << st.ToString();
  EXPECT_NE(st.message().find("'ghost' refers to page 31"), std::string::npos);
  EXPECT_FALSE(Paused(src_.get()));
}

TEST_F(SnapshotErrors, SinkMisuseFailsTheCaptureEvenIfTheCallbackReturnsZero) {
  Evil evil{src_.get(), src_->Ops()};
  pager_cache_ops ops = evil.Ops();
  ops.occupied_pages = [](void*, pager_cache_sink* s) {
    (void)pager_cache_sink_add_seq(s, "x", 1, nullptr, 0, 0);  // wrong sink kind
    return 0;
  };
  Status st = Capture(&env_, ops, "/snap/s.kvs", Options());
  EXPECT_EQ(st.code(), Code::kInvalid) << st.ToString();
  EXPECT_FALSE(Paused(src_.get()));
}

TEST_F(SnapshotErrors, AllocateReturningASlotTwiceOrAnOccupiedSlotIsRefused) {
  ASSERT_OK(Capture(&env_, src_->Ops(), "/snap/s.kvs", Options()));
  auto dst = NewEngine(SmallMeta(), 64);
  uint32_t taken = dst->AllocPage().value();
  Evil evil{dst.get(), dst->Ops()};
  pager_cache_ops ops = evil.Ops();
  ops.allocate_pages = [](void*, uint32_t* s, uint64_t n) {
    for (uint64_t i = 0; i < n; i++) s[i] = 5;
    return 0;
  };
  Options o;
  o.allow_nonempty = true;
  Status st = Restore(&env_, ops, "/snap/s.kvs", o);
  EXPECT_EQ(st.code(), Code::kDuplicate) << st.ToString();
  ops.allocate_pages = [](void*, uint32_t* s, uint64_t n) {
    for (uint64_t i = 0; i < n; i++) s[i] = static_cast<uint32_t>(i);  // slot 0 is taken
    return 0;
  };
  st = Restore(&env_, ops, "/snap/s.kvs", o);
  EXPECT_EQ(st.code(), Code::kOverlap) << st.ToString();
  EXPECT_NE(st.message().find("slot " + std::to_string(taken)), std::string::npos);
  EXPECT_FALSE(Paused(dst.get()));
}

TEST_F(SnapshotErrors, AThrowingCallbackIsACallbackErrorAndTheEngineResumes) {
  Evil evil{src_.get(), src_->Ops()};
  pager_cache_ops ops = evil.Ops();
  ops.read_page = [](void*, uint32_t, void*, uint64_t, void*, uint64_t) -> int {
    throw std::runtime_error("adapter bug");
  };
  Status st = Capture(&env_, ops, "/snap/s.kvs", Options());
  EXPECT_EQ(st.code(), Code::kCallback) << st.ToString();
  EXPECT_NE(st.message().find("threw"), std::string::npos);
  EXPECT_FALSE(Paused(src_.get()));
}

}  // namespace
}  // namespace snapshot
}  // namespace pager
