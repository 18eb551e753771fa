// Damage the checksums cannot see: a compressed page entry whose stored bytes carry a valid
// blob checksum (a buggy writer, a forger) but are not exactly one zstd encoding of the page,
// a trailer copied from another snapshot, a parent chain that loops, and a file that shrinks
// under an open reader. Each must be CORRUPT naming the entry -- in verify (decompressing into
// a scratch page) and in restore's one pass (decompressing straight into engine memory, K8)
// with the engine left as it was -- never a page restored from the wrong bytes.
#include <zstd.h>

#include "impl/io/mem_env.h"
#include "impl/snapshot/reader.h"
#include "tests/snapshot_reseal.h"
#include "tests/snapshot_test.h"

namespace pager {
namespace snapshot {
namespace {

using namespace pager::snapshot::testing;  // NOLINT

std::vector<uint8_t> Zstd(const uint8_t* p, size_t n) {
  std::vector<uint8_t> out(ZSTD_compressBound(n));
  size_t got = ZSTD_compress(out.data(), out.size(), p, n, 3);
  EXPECT_FALSE(ZSTD_isError(got));
  out.resize(got);
  return out;
}

// The stored blobs lie back to back from the end of the header (CheckEntry); rebuilds the
// file with entry `which`'s stored bytes replaced by `blob` (its checksum recomputed, its
// content hash kept), later entries and both tables moved, and every structure resealed.
std::vector<uint8_t> ReplaceBlob(const std::vector<uint8_t>& b, size_t which,
                                 const std::vector<uint8_t>& blob) {
  Header h = HeaderOf(b);
  Trailer t = TrailerOf(b);
  uint64_t data = sizeof(Header) + Pad8(h.parent_path_bytes);
  std::vector<PageEntry> pages(h.page_count);
  std::memcpy(pages.data(), b.data() + t.page_table_offset, pages.size() * sizeof(PageEntry));
  std::vector<uint8_t> out(b.begin(), b.begin() + data);
  for (size_t i = 0; i < pages.size(); i++) {
    PageEntry& e = pages[i];
    if (e.stored_bytes == 0) continue;
    std::vector<uint8_t> stored(b.begin() + e.offset_bytes,
                                b.begin() + e.offset_bytes + e.stored_bytes);
    if (i == which) {
      stored = blob;
      e.stored_bytes = blob.size();
      e.stored_checksum = Checksum64(blob.data(), blob.size(), kSeedBlob);
    }
    e.offset_bytes = out.size();
    out.insert(out.end(), stored.begin(), stored.end());
  }
  t.page_table_offset = out.size();
  const uint8_t* table = reinterpret_cast<const uint8_t*>(pages.data());
  out.insert(out.end(), table, table + pages.size() * sizeof(PageEntry));
  t.seq_table_offset = out.size();
  out.insert(out.end(), b.begin() + TrailerOf(b).seq_table_offset, b.end() - sizeof(Trailer));
  const uint8_t* tb = reinterpret_cast<const uint8_t*>(&t);
  out.insert(out.end(), tb, tb + sizeof t);
  Reseal(&out);
  return out;
}

class SnapshotBlobDamage : public SnapshotFileTest {
 protected:
  SnapshotBlobDamage() : engine_(NewEngine(SmallMeta(), 8)) {
    const Geometry& g = engine_->geometry();
    std::vector<uint32_t> slots;
    for (uint8_t fill : {7, 9}) {
      std::vector<uint8_t> page(g.page_bytes(), fill);  // compressible
      for (size_t i = 0; i < page.size(); i += 97) page[i] = static_cast<uint8_t>(i);
      uint32_t s = engine_->AllocPage().value();
      EXPECT_OK(engine_->WritePage(s, page.data(), g.k_page_bytes, page.data() + g.k_page_bytes,
                                   g.v_page_bytes));
      slots.push_back(s);
      pages_.push_back(page);
    }
    EXPECT_OK(engine_->SetSeq("z", slots.data(), slots.size(), 2));
    zstd_.compression = PAGER_SNAPSHOT_COMPRESS_ZSTD;
    EXPECT_OK(Capture(&env_, engine_->Ops(), "/snap/good.kvs", zstd_));
    EXPECT_OK(env_.GetFileBytes("/snap/good.kvs", &good_));
  }
  uint64_t PageBytes() const { return engine_->geometry().page_bytes(); }
  // Entry 1's stored bytes replaced by blob: verify names `verify_says`, restore into engine
  // memory names `restore_says`, and the destination engine is left empty.
  void ExpectRefused(const std::vector<uint8_t>& blob, const std::string& verify_says,
                     const std::string& restore_says) {
    Put("/snap/bad.kvs", ReplaceBlob(good_, 1, blob));
    Status v = Verify(&env_, "/snap/bad.kvs", zstd_);
    EXPECT_EQ(v.code(), Code::kCorrupt) << v.ToString();
    EXPECT_NE(v.message().find("page entry 1 " + verify_says), std::string::npos) << v.ToString();
    auto dst = NewEngine(SmallMeta(), 8);
    Status r = Restore(&env_, dst->Ops(), "/snap/bad.kvs", zstd_);
    EXPECT_EQ(r.code(), Code::kCorrupt) << r.ToString();
    EXPECT_NE(r.message().find("page entry 1 " + restore_says), std::string::npos)
        << r.ToString();
    EXPECT_EQ(dst->GetStats().occupied_pages, 0u);
    EXPECT_EQ(dst->Fingerprint(), NewEngine(SmallMeta(), 8)->Fingerprint());
  }

  std::unique_ptr<RefEngine> engine_;
  std::vector<std::vector<uint8_t>> pages_;
  Options zstd_;
  std::vector<uint8_t> good_;
};

TEST_F(SnapshotBlobDamage, TheRebuildHelperKeepsAnUntouchedBlobValid) {
  std::unique_ptr<SnapshotFile> f;
  ASSERT_OK(SnapshotFile::Open(&env_, "/snap/good.kvs", &f));
  const PageEntry& e = f->pages()[1];
  ASSERT_NE(e.flags & kPageCompressed, 0u) << "the fixture's pages must be stored compressed";
  std::vector<uint8_t> same(good_.begin() + e.offset_bytes,
                            good_.begin() + e.offset_bytes + e.stored_bytes);
  EXPECT_EQ(ReplaceBlob(good_, 1, same), good_);
}

TEST_F(SnapshotBlobDamage, BytesThatAreNotZstdBehindAValidChecksumAreCorrupt) {
  std::vector<uint8_t> garbage(40, 0x5A);
  ExpectRefused(garbage, "does not decompress to " + std::to_string(PageBytes()) + " bytes: ",
                "does not decompress: ");
}

TEST_F(SnapshotBlobDamage, AFrameOfAPageOneByteShortIsCorruptNotAShortPage) {
  std::vector<uint8_t> blob = Zstd(pages_[1].data(), pages_[1].size() - 1);
  ExpectRefused(blob, "does not decompress to " + std::to_string(PageBytes()) + " bytes",
                "decompresses to fewer than " + std::to_string(PageBytes()) + " bytes");
}

TEST_F(SnapshotBlobDamage, AFrameOfAPageOneByteLongIsCorruptNotATruncatedPage) {
  std::vector<uint8_t> longer = pages_[1];
  longer.push_back(1);
  ExpectRefused(Zstd(longer.data(), longer.size()),
                "does not decompress to " + std::to_string(PageBytes()) + " bytes: ",
                "decompresses to more than " + std::to_string(PageBytes()) + " bytes");
}

TEST_F(SnapshotBlobDamage, AFrameFollowedByGarbageIsCorruptEvenThoughThePageIsComplete) {
  std::vector<uint8_t> blob = Zstd(pages_[1].data(), pages_[1].size());
  blob.push_back(0x00);
  blob.push_back(0x11);
  ExpectRefused(blob, "does not decompress to " + std::to_string(PageBytes()) + " bytes: ",
                "does not decompress: ");
}

TEST_F(SnapshotBlobDamage, AFrameCutShortIsCorruptNotAPartialPage) {
  std::vector<uint8_t> blob = Zstd(pages_[1].data(), pages_[1].size());
  blob.resize(blob.size() - 3);
  ExpectRefused(blob, "does not decompress to " + std::to_string(PageBytes()) + " bytes: ",
                "ends inside its zstd frame");
}

TEST_F(SnapshotBlobDamage, TwoFramesThatTogetherAreThePageRestoreExactly) {
  // Not damage: zstd's format allows consecutive frames; both paths accept them, as
  // ZSTD_decompress does, and the content hash proves the page.
  size_t half = pages_[1].size() / 2;
  std::vector<uint8_t> blob = Zstd(pages_[1].data(), half);
  std::vector<uint8_t> second = Zstd(pages_[1].data() + half, pages_[1].size() - half);
  blob.insert(blob.end(), second.begin(), second.end());
  ASSERT_LT(blob.size(), PageBytes());
  Put("/snap/two.kvs", ReplaceBlob(good_, 1, blob));
  ASSERT_OK(Verify(&env_, "/snap/two.kvs", zstd_));
  auto dst = NewEngine(SmallMeta(), 8);
  ASSERT_OK(Restore(&env_, dst->Ops(), "/snap/two.kvs", zstd_));
  EXPECT_EQ(SeqContent(dst.get(), "z"), SeqContent(engine_.get(), "z"));
}

TEST_F(SnapshotBlobDamage, ATrailerOfAnotherHeaderIsCorrupt) {
  std::vector<uint8_t> b = good_;
  Trailer t = TrailerOf(b);
  t.header_checksum ^= 1;  // a trailer sealed for another header, its own checksum valid
  t.trailer_checksum = Checksum64(&t, offsetof(Trailer, trailer_checksum), kSeedTrailer);
  std::memcpy(b.data() + b.size() - sizeof t, &t, sizeof t);
  Put("/snap/bad.kvs", b);
  Status st = Verify(&env_, "/snap/bad.kvs", zstd_);
  EXPECT_EQ(st.code(), Code::kCorrupt) << st.ToString();
  EXPECT_NE(st.message().find("trailer belongs to another header"), std::string::npos)
      << st.ToString();
}

TEST_F(SnapshotBlobDamage, AParentPathLongerThanTheFileIsCorruptBeforeItIsRead) {
  std::vector<uint8_t> b = good_;
  Header h = HeaderOf(b);
  h.parent_path_bytes = kMaxParentPathBytes;
  std::memcpy(b.data(), &h, sizeof h);
  ASSERT_LT(b.size(), sizeof(Header) + kMaxParentPathBytes + sizeof(Trailer));
  Put("/snap/bad.kvs", b);
  Status st = Verify(&env_, "/snap/bad.kvs", zstd_);
  EXPECT_EQ(st.code(), Code::kCorrupt) << st.ToString();
  EXPECT_NE(st.message().find("file ends inside the header"), std::string::npos)
      << st.ToString();
}

TEST_F(SnapshotBlobDamage, AParentChainThatLoopsIsCorruptNotAHang) {
  // An incremental snapshot named base.kvs whose parent is "base.kvs" with its own id: every
  // level of the chain is the same file.
  ASSERT_OK(Capture(&env_, engine_->Ops(), "/snap/base.kvs", Options()));
  Options o;
  o.parent_path = "base.kvs";
  ASSERT_OK(Capture(&env_, engine_->Ops(), "/snap/child.kvs", o));
  std::vector<uint8_t> b;
  ASSERT_OK(env_.GetFileBytes("/snap/child.kvs", &b));
  Header h = HeaderOf(b);
  h.parent_snapshot_id = h.snapshot_id;
  std::memcpy(b.data(), &h, sizeof h);
  Reseal(&b);
  Put("/snap/base.kvs", b);
  Status st = Verify(&env_, "/snap/base.kvs", Options());
  EXPECT_EQ(st.code(), Code::kCorrupt) << st.ToString();
  EXPECT_NE(st.message().find("parent chain longer than " + std::to_string(kMaxChainDepth) +
                              " (a cycle?)"),
            std::string::npos)
      << st.ToString();
}

TEST_F(SnapshotBlobDamage, ASequenceWhosePagePaddingIsCutOffIsCorrupt) {
  // One sequence of one page: its record ends with the 4-byte page position and 4 bytes of
  // padding. Without the padding (the table shortened, everything resealed) the record runs
  // past the table although its page positions fit.
  auto e = NewEngine(SmallMeta(), 4);
  const Geometry& g = e->geometry();
  std::vector<uint8_t> page(g.page_bytes(), 3);
  uint32_t s = e->AllocPage().value();
  ASSERT_OK(e->WritePage(s, page.data(), g.k_page_bytes, page.data() + g.k_page_bytes,
                         g.v_page_bytes));
  ASSERT_OK(e->SetSeq("q", &s, 1, 1));
  ASSERT_OK(Capture(&env_, e->Ops(), "/snap/one.kvs", Options()));
  std::vector<uint8_t> b;
  ASSERT_OK(env_.GetFileBytes("/snap/one.kvs", &b));
  Trailer t = TrailerOf(b);
  ASSERT_EQ(t.seq_table_bytes, sizeof(SeqRecord) + 8 + 8);
  b.erase(b.end() - sizeof(Trailer) - 4, b.end() - sizeof(Trailer));
  t.seq_table_bytes -= 4;
  std::memcpy(b.data() + b.size() - sizeof t, &t, sizeof t);
  Reseal(&b);
  Put("/snap/bad.kvs", b);
  Status st = Verify(&env_, "/snap/bad.kvs", Options());
  EXPECT_EQ(st.code(), Code::kCorrupt) << st.ToString();
  EXPECT_NE(st.message().find("sequence 0: runs past the sequence table"), std::string::npos)
      << st.ToString();
}

TEST_F(SnapshotBlobDamage, AFileThatShrinksUnderAnOpenReaderIsCorruptInPlace) {
  // Another process truncating the snapshot after it was opened and checked: the in-place
  // read gets fewer bytes than the entry holds and says where the file ended.
  ASSERT_OK(Capture(&env_, engine_->Ops(), "/snap/plain.kvs", Options()));
  std::unique_ptr<SnapshotFile> f;
  ASSERT_OK(SnapshotFile::Open(&env_, "/snap/plain.kvs", &f));
  const PageEntry& e = f->pages()[1];
  ASSERT_EQ(e.flags & kPageCompressed, 0u);
  std::vector<uint8_t> b;
  ASSERT_OK(env_.GetFileBytes("/snap/plain.kvs", &b));
  uint64_t cut = e.offset_bytes + 10;
  b.resize(cut);
  ASSERT_OK(env_.SetFileBytes("/snap/plain.kvs", b));
  std::vector<uint8_t> dst(PageBytes(), 0xEE);
  pager_page_segment seg{dst.data(), dst.size()};
  std::vector<uint8_t> scratch;
  Status st = f->ReadContentInto(1, &seg, 1, &scratch);
  EXPECT_EQ(st.code(), Code::kCorrupt) << st.ToString();
  EXPECT_NE(st.message().find("file ends at offset " + std::to_string(cut) +
                              " inside the bytes of page entry 1"),
            std::string::npos)
      << st.ToString();
}

}  // namespace
}  // namespace snapshot
}  // namespace pager
