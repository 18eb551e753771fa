// Hostile field values behind valid checksums: a snapshot whose header, tables and trailer
// were changed and then re-checksummed (as a buggy writer or a forger would leave them) must
// be refused by the reader's own rules -- before the engine is touched, or for a page's own
// entry in restore's one pass with the engine left as it was (K3, K4, K5) -- or be a file
// that restores cleanly. The checksums catch random damage (SnapshotCorruption.*); these
// tests reach the validity rules behind them.
#include "impl/io/mem_env.h"
#include "tests/snapshot_reseal.h"
#include "tests/snapshot_test.h"

namespace pager {
namespace snapshot {
namespace {

using namespace pager::snapshot::testing;  // NOLINT

// Where the structures of a snapshot lie: [0, data) header + parent path, [table, end - 64)
// page table and sequence table, [end - 64, end) trailer.
struct Layout {
  uint64_t data = 0, table = 0, end = 0;
};

Layout LayoutOf(const std::vector<uint8_t>& b) {
  Header h = HeaderOf(b);
  Trailer t = TrailerOf(b);
  return Layout{sizeof(Header) + Pad8(h.parent_path_bytes), t.page_table_offset, b.size()};
}

class SnapshotResealed : public SnapshotFileTest {
 protected:
  SnapshotResealed() {
    std::mt19937_64 rng(7);
    src_ = NewEngine(SmallMeta(), 32);
    Populate(src_.get(), rng, 8, 3);
  }

  // One variant: Verify and Restore agree; a refused file is refused (before any callback, or
  // in the one pass with every slot given back) with CORRUPT, VERSION or NOT_FOUND (a changed parent path names a missing file); an
  // accepted one restores or fails on the engine's side only.
  // Returns whether the variant was refused.
  bool Judge(const std::vector<uint8_t>& bytes, const std::string& what,
             const std::string& path = "/snap/bad.kvs") {
    Put(path, bytes);
    Status v = Verify(&env_, path, Options());
    EXPECT_TRUE(v.ok() || v.code() == Code::kCorrupt || v.code() == Code::kVersion ||
                v.code() == Code::kNotFound)
        << what << ": verify: " << v.ToString();
    auto dst = NewEngine(SmallMeta(), 32);
    Tracer t(dst->Ops());
    Status r = Restore(&env_, t.Ops(), path, Options());
    if (!v.ok()) {
      EXPECT_EQ(r.code(), v.code()) << what << ": restore " << r.ToString() << ", verify "
                                    << v.ToString();
      if (!t.calls.empty()) {
        // A hostile page entry (its stored checksum, length or offset) passes the structure
        // checks and is found in restore's one pass as the page is read (K3): the engine must
        // then be left as it was -- every slot released, no sequence, resumed.
        EXPECT_EQ(r.code(), Code::kCorrupt) << what;
        EXPECT_EQ(t.Count("allocate_pages"), 1) << what;
        EXPECT_EQ(t.Count("release_pages"), 1) << what;
        EXPECT_EQ(t.Count("install_logical_seqs"), 0) << what;
        EXPECT_EQ(t.Count("resume"), t.Count("pause")) << what;
        EXPECT_EQ(dst->GetStats().occupied_pages, 0u) << what;
        EXPECT_FALSE(dst->GetStats().paused) << what;
        EXPECT_EQ(dst->Fingerprint(), NewEngine(SmallMeta(), 32)->Fingerprint()) << what;
      }
      return true;
    }
    EXPECT_TRUE(r.ok() || r.code() == Code::kMismatch || r.code() == Code::kFull ||
                r.code() == Code::kCallback)
        << what << ": verify accepted it, restore: " << r.ToString();
    return false;
  }

  // Every 4-byte word of the structures (header, parent path, tables, trailer) set to each
  // hostile value, re-checksummed. Returns {variants, refused}.
  std::pair<int, int> SweepWords(const std::string& good_path, const std::string& path) {
    std::vector<uint8_t> good = Bytes(good_path);
    Layout l = LayoutOf(good);
    int variants = 0, refused = 0;
    auto sweep = [&](uint64_t from, uint64_t to) {
      for (uint64_t at = from; at + 4 <= to; at += 4) {
        uint32_t orig;
        std::memcpy(&orig, good.data() + at, 4);
        for (uint32_t v : {0u, 1u, orig + 1, orig - 1, orig ^ 0x80000000u, 0xFFFFFFFFu}) {
          if (v == orig) continue;
          std::vector<uint8_t> bad = good;
          std::memcpy(bad.data() + at, &v, 4);
          Reseal(&bad);
          variants++;
          refused += Judge(bad, "word at " + std::to_string(at) + " = " + std::to_string(v),
                           path);
        }
      }
    };
    sweep(0, l.data);
    sweep(l.table, l.end);
    return {variants, refused};
  }

  std::unique_ptr<RefEngine> src_;
};

TEST_F(SnapshotResealed, ResealingAnUntouchedFileKeepsItValid) {
  ASSERT_OK(Capture(&env_, src_->Ops(), "/snap/good.kvs", Options()));
  std::vector<uint8_t> b = Bytes("/snap/good.kvs");
  std::vector<uint8_t> resealed = b;
  Reseal(&resealed);
  EXPECT_EQ(resealed, b);  // the helper computes exactly what the writer wrote
  EXPECT_FALSE(Judge(resealed, "untouched"));
}

TEST_F(SnapshotResealed, EveryHostileWordOfAFullSnapshotIsRefusedWithTheEngineUntouchedOrRestoresCleanly) {
  ASSERT_OK(Capture(&env_, src_->Ops(), "/snap/good.kvs", Options()));
  std::pair<int, int> r = SweepWords("/snap/good.kvs", "/snap/bad.kvs");
  EXPECT_GT(r.first, 400);
  EXPECT_GT(r.second, r.first / 2) << "most hostile values must break a rule";
}

TEST_F(SnapshotResealed, EveryHostileWordOfACompressedSnapshotIsRefusedOrRestoresCleanly) {
  Options z;
  z.compression = PAGER_SNAPSHOT_COMPRESS_ZSTD;
  auto e = NewEngine(SmallMeta(), 8);
  const Geometry& g = e->geometry();
  std::vector<uint32_t> slots;
  for (uint8_t fill : {7, 9}) {
    std::vector<uint8_t> page(g.page_bytes(), fill);  // compressible
    uint32_t s = e->AllocPage().value();
    ASSERT_OK(e->WritePage(s, page.data(), g.k_page_bytes, page.data() + g.k_page_bytes,
                           g.v_page_bytes));
    slots.push_back(s);
  }
  ASSERT_OK(e->SetSeq("z", slots.data(), slots.size(), 2));
  ASSERT_OK(Capture(&env_, e->Ops(), "/snap/good.kvs", z));
  std::pair<int, int> r = SweepWords("/snap/good.kvs", "/snap/bad.kvs");
  EXPECT_GT(r.second, 0);
}

TEST_F(SnapshotResealed, EveryHostileWordOfAnIncrementalSnapshotIsRefusedOrRestoresCleanly) {
  ASSERT_OK(Capture(&env_, src_->Ops(), "/snap/base.kvs", Options()));
  Options o;
  o.parent_path = "base.kvs";
  ASSERT_OK(Capture(&env_, src_->Ops(), "/snap/child.kvs", o));
  std::pair<int, int> r = SweepWords("/snap/child.kvs", "/snap/bad.kvs");
  EXPECT_GT(r.second, r.first / 2);
}

TEST_F(SnapshotResealed, APageCountAbove32BitsIsCorruptBeforeAnyAllocation) {
  ASSERT_OK(Capture(&env_, src_->Ops(), "/snap/good.kvs", Options()));
  std::vector<uint8_t> b = Bytes("/snap/good.kvs");
  uint64_t huge = uint64_t{1} << 33;
  std::memcpy(b.data() + offsetof(Header, page_count), &huge, 8);
  Reseal(&b);
  Put("/snap/bad.kvs", b);
  Status st = Verify(&env_, "/snap/bad.kvs", Options());
  EXPECT_EQ(st.code(), Code::kCorrupt) << st.ToString();
}

TEST_F(SnapshotResealed, AParentReferenceInAFullSnapshotIsCorrupt) {
  ASSERT_OK(Capture(&env_, src_->Ops(), "/snap/good.kvs", Options()));
  std::vector<uint8_t> b = Bytes("/snap/good.kvs");
  Trailer t = TrailerOf(b);
  PageEntry e;
  std::memcpy(&e, b.data() + t.page_table_offset, sizeof e);
  e.flags = kPageInParent;
  std::memcpy(b.data() + t.page_table_offset, &e, sizeof e);
  Reseal(&b);
  Put("/snap/bad.kvs", b);
  Status st = Verify(&env_, "/snap/bad.kvs", Options());
  EXPECT_EQ(st.code(), Code::kCorrupt) << st.ToString();
  EXPECT_NE(st.message().find("refers to a parent in a full snapshot"), std::string::npos)
      << st.ToString();
}

}  // namespace
}  // namespace snapshot
}  // namespace pager
