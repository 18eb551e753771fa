// Zero-copy restore (pager_cache_ops.page_buffers, K8): the snapshot's bytes are read (or
// decompressed) straight into the engine's memory and verified there. Each test is named
// after the failure it proves impossible.
#include <cstddef>

#include "impl/io/mem_env.h"
#include "impl/snapshot/reader.h"
#include "tests/snapshot_test.h"

namespace pager {
namespace snapshot {
namespace {

using namespace pager::snapshot::testing;  // NOLINT

// A page-major engine: slot s holds its K||V page contiguously in memory_, and page_buffers
// hands it out cut into segments of `chunk` bytes (the last one shorter), so one segment may
// span the K/V boundary and a page may need more segments than the library first offers.
// It counts write_page calls (the zero-copy path must make none).
class ChunkedEngine {
 public:
  ChunkedEngine(const pager_cache_meta& meta, uint32_t capacity, uint64_t chunk)
      : meta_(meta), geometry_(GeometryFromMeta(meta).value()), capacity_(capacity),
        chunk_(chunk), memory_(geometry_.page_bytes() * capacity, 0xEE),
        occupied_(capacity, false) {}

  pager_cache_ops Ops() {
    pager_cache_ops o;
    std::memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.ctx = this;
    o.meta = [](void* c, pager_cache_meta* m) {
      *m = C(c)->meta_;
      return 0;
    };
    o.pause = [](void*) { return 0; };
    o.resume = [](void*) { return 0; };
    o.occupied_pages = [](void* c, pager_cache_sink* s) {
      std::vector<uint32_t> pages;
      for (uint32_t i = 0; i < C(c)->capacity_; i++) {
        if (C(c)->occupied_[i]) pages.push_back(i);
      }
      return pager_cache_sink_add_pages(s, pages.data(), pages.size());
    };
    o.logical_seqs = [](void* c, pager_cache_sink* s) {
      for (const auto& q : C(c)->seqs_) {
        int rc = pager_cache_sink_add_seq(s, q.id.data(), q.id.size(), q.pages.data(),
                                          q.pages.size(), q.fill_last_page);
        if (rc != 0) return rc;
      }
      return 0;
    };
    o.read_page = [](void* c, uint32_t p, void* k, uint64_t kb, void* v, uint64_t vb) {
      const uint8_t* page = C(c)->Page(p);
      std::memcpy(k, page, kb);
      std::memcpy(v, page + kb, vb);
      return 0;
    };
    o.allocate_pages = [](void* c, uint32_t* slots, uint64_t n) {
      uint64_t got = 0;
      for (uint32_t i = 0; i < C(c)->capacity_ && got < n; i++) {
        if (!C(c)->occupied_[i]) slots[got++] = i;
      }
      if (got < n) return -1;
      for (uint64_t i = 0; i < n; i++) C(c)->occupied_[slots[i]] = true;
      return 0;
    };
    o.write_page = [](void* c, uint32_t, const void*, uint64_t, const void*, uint64_t) {
      C(c)->write_page_calls_++;
      return -2;
    };
    o.install_logical_seqs = [](void* c, const pager_logical_seq* s, uint64_t n) {
      for (uint64_t i = 0; i < n; i++) {
        Seq q;
        q.id.assign(s[i].id, s[i].id_bytes);
        q.pages.assign(s[i].pages, s[i].pages + s[i].page_count);
        q.fill_last_page = s[i].fill_last_page;
        C(c)->seqs_.push_back(q);
      }
      return 0;
    };
    o.release_pages = [](void* c, const uint32_t* slots, uint64_t n) {
      C(c)->release_calls_++;
      for (uint64_t i = 0; i < n; i++) C(c)->occupied_[slots[i]] = false;
      return 0;
    };
    o.page_buffers = [](void* c, uint32_t slot, pager_page_segment* segs, uint64_t cap,
                        uint64_t* count) {
      ChunkedEngine* e = C(c);
      uint64_t bytes = e->geometry_.page_bytes();
      *count = (bytes + e->chunk_ - 1) / e->chunk_;
      if (*count > cap) return 0;
      for (uint64_t i = 0; i < *count; i++) {
        segs[i].data = e->Page(slot) + i * e->chunk_;
        segs[i].bytes = std::min(e->chunk_, bytes - i * e->chunk_);
      }
      return 0;
    };
    return o;
  }

  uint8_t* Page(uint32_t slot) { return memory_.data() + geometry_.page_bytes() * slot; }
  uint32_t Occupied() const {
    uint32_t n = 0;
    for (bool b : occupied_) n += b;
    return n;
  }
  const Geometry& geometry() const { return geometry_; }
  std::vector<Seq> seqs_;
  int write_page_calls_ = 0;
  int release_calls_ = 0;

 private:
  static ChunkedEngine* C(void* c) { return static_cast<ChunkedEngine*>(c); }
  pager_cache_meta meta_;
  Geometry geometry_;
  uint32_t capacity_;
  uint64_t chunk_;
  std::vector<uint8_t> memory_;
  std::vector<bool> occupied_;
};

class SnapshotZeroCopy : public ::testing::Test {
 protected:
  SnapshotZeroCopy() {
    EXPECT_OK(env_.CreateDir("/snap", 0755));
    std::mt19937_64 rng(5);
    src_ = NewEngine(SmallMeta(), 32);
    Populate(src_.get(), rng, 12, 3);
  }
  std::vector<uint8_t> Bytes(const std::string& path) {
    std::vector<uint8_t> b;
    EXPECT_OK(env_.GetFileBytes(path, &b));
    return b;
  }
  // Captures what a chunked engine holds and restores that into a reference engine (copying
  // path): equal fingerprints mean the chunked engine received exactly the source's pages.
  uint64_t FingerprintThrough(ChunkedEngine* e) {
    EXPECT_OK(Capture(&env_, e->Ops(), "/snap/back.kvs", Options()));
    auto ref = NewEngine(SmallMeta(), 32);
    EXPECT_OK(Restore(&env_, RestoreOps(ref.get(), RestorePath::kCopyThroughWritePage),
                      "/snap/back.kvs", Options()));
    return ref->Fingerprint();
  }
  io::MemEnv env_;
  std::unique_ptr<RefEngine> src_;
};

// A page's K/V boundary inside a segment, a page cut into more segments than the library
// first offers (2 * layers = 4), and one segment per page: raw and zstd snapshots restore
// byte for byte, and write_page is never called.
TEST_F(SnapshotZeroCopy, SegmentsOfAnySizeReceiveExactlyThePageAndWritePageIsNotCalled) {
  uint64_t page = src_->geometry().page_bytes();  // 512
  for (uint32_t compression : {PAGER_SNAPSHOT_COMPRESS_NONE, PAGER_SNAPSHOT_COMPRESS_ZSTD}) {
    Options o;
    o.compression = compression;
    ASSERT_OK(Capture(&env_, src_->Ops(), "/snap/s.kvs", o));
    for (uint64_t chunk : {page, page / 2 + 3, uint64_t{100}, uint64_t{7}}) {
      SCOPED_TRACE("compression " + std::to_string(compression) + ", chunk " +
                   std::to_string(chunk));
      ChunkedEngine dst(SmallMeta(), 32, chunk);
      ASSERT_OK(Restore(&env_, dst.Ops(), "/snap/s.kvs", o));
      EXPECT_EQ(dst.write_page_calls_, 0);
      EXPECT_EQ(FingerprintThrough(&dst), src_->Fingerprint());
    }
  }
}

// A damaged page's bytes land in engine memory before its checksum can be computed; the
// restore must refuse it, zero it there, give every slot back and install nothing.
TEST_F(SnapshotZeroCopy, RestoreIntoEngineBuffersRefusesADamagedPageAndReleasesTheSlots) {
  for (uint32_t compression : {PAGER_SNAPSHOT_COMPRESS_NONE, PAGER_SNAPSHOT_COMPRESS_ZSTD}) {
    SCOPED_TRACE("compression " + std::to_string(compression));
    Options o;
    o.compression = compression;
    ASSERT_OK(Capture(&env_, src_->Ops(), "/snap/good.kvs", o));
    std::vector<uint8_t> bad = Bytes("/snap/good.kvs");
    pager_snapshot_info info;
    ASSERT_OK(Inspect(&env_, "/snap/good.kvs", &info));
    ASSERT_GE(info.page_count, 3u);
    // Flip a byte inside the stored bytes of the last page: the others verify fine.
    std::vector<PageEntry> entries;
    {
      std::unique_ptr<SnapshotFile> f;
      ASSERT_OK(SnapshotFile::Open(&env_, "/snap/good.kvs", &f));
      entries = f->pages();
    }
    const PageEntry& last = entries.back();
    bad[last.offset_bytes + last.stored_bytes / 2] ^= 0x40;
    std::unique_ptr<io::File> f;
    io::OpenOptions oo;
    oo.write = oo.create = true;
    ASSERT_OK(env_.Open("/snap/bad.kvs", oo, &f));
    ASSERT_OK(env_.SetFileBytes("/snap/bad.kvs", bad));

    ChunkedEngine dst(SmallMeta(), 32, 64);
    Status st = Restore(&env_, dst.Ops(), "/snap/bad.kvs", o);
    EXPECT_EQ(st.code(), Code::kCorrupt) << st.ToString();
    EXPECT_NE(st.message().find("page entry " + std::to_string(entries.size() - 1)),
              std::string::npos)
        << st.message();
    EXPECT_EQ(dst.release_calls_, 1);
    EXPECT_EQ(dst.Occupied(), 0u);
    EXPECT_TRUE(dst.seqs_.empty());
    EXPECT_EQ(dst.write_page_calls_, 0);
    // The damaged page went to the last slot allocated (slots are handed out in order).
    const uint8_t* damaged = dst.Page(static_cast<uint32_t>(entries.size() - 1));
    EXPECT_EQ(std::vector<uint8_t>(damaged, damaged + dst.geometry().page_bytes()),
              std::vector<uint8_t>(dst.geometry().page_bytes(), 0))
        << "a byte that failed verification stayed in engine memory";
  }
}

TEST_F(SnapshotZeroCopy, SegmentsSharingAByteAreAnOverlapAndTheSlotsAreReleased) {
  ASSERT_OK(Capture(&env_, src_->Ops(), "/snap/s.kvs", Options()));
  auto dst = NewEngine(SmallMeta(), 32);
  struct Aliasing {
    pager_cache_ops inner;
    std::vector<uint8_t> one_page;
  } alias{dst->Ops(), std::vector<uint8_t>(src_->geometry().page_bytes())};
  Tracer t(alias.inner);
  pager_cache_ops ops = t.Ops();
  // Every slot is said to live in the same bytes.
  static Aliasing* current = nullptr;
  current = &alias;
  ops.page_buffers = [](void*, uint32_t, pager_page_segment* segs, uint64_t, uint64_t* n) {
    segs[0] = {current->one_page.data(), current->one_page.size()};
    *n = 1;
    return 0;
  };
  Status st = Restore(&env_, ops, "/snap/s.kvs", Options());
  EXPECT_EQ(st.code(), Code::kOverlap) << st.ToString();
  EXPECT_NE(st.message().find("page_buffers"), std::string::npos);
  EXPECT_EQ(t.Count("release_pages"), 1);
  EXPECT_EQ(t.Count("install_logical_seqs"), 0);
  EXPECT_EQ(dst->GetStats().occupied_pages, 0u);
  EXPECT_FALSE(dst->GetStats().paused);
}

TEST_F(SnapshotZeroCopy, SegmentsThatAreNullEmptyOrOfTheWrongTotalAreInvalid) {
  ASSERT_OK(Capture(&env_, src_->Ops(), "/snap/s.kvs", Options()));
  static std::vector<uint8_t> memory(64 * 1024);
  struct Case {
    const char* what;
    pager_page_segment seg;
    uint64_t count;
    const char* expect;
  } cases[] = {
      {"NULL", {nullptr, 512}, 1, "is NULL"},
      {"empty", {memory.data(), 0}, 1, "is empty"},
      {"short", {memory.data(), 100}, 1, "described 100 bytes"},
      {"long", {memory.data(), 513}, 1, "runs past"},
      {"none", {memory.data(), 512}, 0, "no segment"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    auto dst = NewEngine(SmallMeta(), 32);
    Tracer t(dst->Ops());
    pager_cache_ops ops = t.Ops();
    static const Case* current = nullptr;
    current = &c;
    ops.page_buffers = [](void*, uint32_t, pager_page_segment* segs, uint64_t, uint64_t* n) {
      segs[0] = current->seg;
      *n = current->count;
      return 0;
    };
    Status st = Restore(&env_, ops, "/snap/s.kvs", Options());
    EXPECT_EQ(st.code(), Code::kInvalid) << st.ToString();
    EXPECT_NE(st.message().find(c.expect), std::string::npos) << st.message();
    EXPECT_EQ(t.Count("release_pages"), 1);
    EXPECT_EQ(dst->GetStats().occupied_pages, 0u);
  }
}

TEST_F(SnapshotZeroCopy, AnEngineAskingForMoreSegmentsTwiceIsInvalid) {
  ASSERT_OK(Capture(&env_, src_->Ops(), "/snap/s.kvs", Options()));
  auto dst = NewEngine(SmallMeta(), 32);
  pager_cache_ops ops = dst->Ops();
  ops.page_buffers = [](void*, uint32_t, pager_page_segment*, uint64_t cap, uint64_t* n) {
    *n = cap + 1;  // never satisfied
    return 0;
  };
  Status st = Restore(&env_, ops, "/snap/s.kvs", Options());
  EXPECT_EQ(st.code(), Code::kInvalid) << st.ToString();
  EXPECT_NE(st.message().find("segments"), std::string::npos);
  EXPECT_EQ(dst->GetStats().occupied_pages, 0u);
}

// C8: a 0.2 caller's table ends before page_buffers; whatever its memory holds after that
// is not a callback and must not be called.
TEST(SnapshotCacheOps, A02TableIsNotReadPastItsStructSize) {
  pager::testing::TempDir dir;
  auto src = NewEngine(SmallMeta(), 8);
  std::mt19937_64 rng(3);
  Populate(src.get(), rng, 6, 2);
  std::string path = dir.File("s.kvs");
  pager_cache_ops sops = src->Ops();
  ASSERT_PAGER_OK(pager_snapshot_capture(&sops, path.c_str(), nullptr));
  auto dst = NewEngine(SmallMeta(), 8);
  pager_cache_ops ops = dst->Ops();
  ops.struct_size = offsetof(pager_cache_ops, page_buffers);  // 0.2's size: 96
  ASSERT_EQ(ops.struct_size, 96u);
  ops.page_buffers = [](void*, uint32_t, pager_page_segment*, uint64_t, uint64_t*) {
    ADD_FAILURE() << "page_buffers past a 0.2 struct_size was called";
    return -1;
  };
  EXPECT_PAGER_OK(pager_snapshot_restore(&ops, path.c_str(), nullptr));
  EXPECT_EQ(dst->Fingerprint(), src->Fingerprint());
}

}  // namespace
}  // namespace snapshot
}  // namespace pager
