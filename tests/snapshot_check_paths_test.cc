// Snapshot paths no other suite reaches: the check's verdict on a snapshot whose structure or
// parent chain is damaged, option and geometry refusals, and a verify worker that throws.
// Each outcome is a precise code and message -- a worker's exception is a Status for the
// lowest failing index, never a crash or std::terminate.
#include <functional>
#include <stdexcept>

#include "impl/check/checks.h"
#include "impl/io/mem_env.h"
#include "impl/snapshot/parallel.h"
#include "impl/snapshot/reader.h"
#include "tests/snapshot_reseal.h"
#include "tests/snapshot_test.h"

namespace pager {
namespace snapshot {
namespace {

using namespace pager::snapshot::testing;  // NOLINT

class SnapshotCheckPaths : public SnapshotFileTest {
 protected:
  SnapshotCheckPaths() : engine_(NewEngine(SmallMeta(), 16)) {
    std::mt19937_64 rng(5);
    Populate(engine_.get(), rng, 6, 2);
  }
  std::unique_ptr<RefEngine> engine_;
};

TEST_F(SnapshotCheckPaths, ADamagedTrailerIsStructureDamageAtNoKnownOffset) {
  ASSERT_OK(Capture(&env_, engine_->Ops(), "/snap/a.kvs", Options()));
  std::vector<uint8_t> b = Bytes("/snap/a.kvs");
  b[b.size() - 30] ^= 0x08;
  Put("/snap/a.kvs", b);
  CheckReport rep;
  ASSERT_OK(CheckSnapshot(&env_, "/snap/a.kvs", &rep));
  EXPECT_TRUE(rep.damaged());
  EXPECT_EQ(rep.damage_rule, "structure");
  EXPECT_EQ(rep.damage_offset, kUnknownOffset);
  EXPECT_NE(rep.damage_detail.find("trailer checksum mismatch"), std::string::npos)
      << rep.damage_detail;
}

TEST_F(SnapshotCheckPaths, AParentOfAnotherIdIsStructureDamageNotABlob) {
  // Regression: a chain that does not load was reported under rule "blob" although no blob
  // was read; the parent replaced by another full snapshot is the chain's structure.
  ASSERT_OK(Capture(&env_, engine_->Ops(), "/snap/base.kvs", Options()));
  Options o;
  o.parent_path = "base.kvs";
  ASSERT_OK(Capture(&env_, engine_->Ops(), "/snap/child.kvs", o));
  ASSERT_OK(Capture(&env_, engine_->Ops(), "/snap/base.kvs", Options()));  // a new id
  CheckReport rep;
  ASSERT_OK(CheckSnapshot(&env_, "/snap/child.kvs", &rep));
  EXPECT_TRUE(rep.damaged());
  EXPECT_EQ(rep.damage_rule, "structure") << rep.damage_detail;
  EXPECT_EQ(rep.damage_file, "/snap/child.kvs");
  EXPECT_EQ(rep.damage_offset, kUnknownOffset);
  EXPECT_NE(rep.damage_detail.find("expects parent id"), std::string::npos) << rep.damage_detail;
}

TEST_F(SnapshotCheckPaths, ADamagedBlobIsStillABlobAtItsOffset) {
  ASSERT_OK(Capture(&env_, engine_->Ops(), "/snap/a.kvs", Options()));
  std::unique_ptr<SnapshotFile> f;
  ASSERT_OK(SnapshotFile::Open(&env_, "/snap/a.kvs", &f));
  uint64_t at = f->pages()[0].offset_bytes;
  f.reset();
  std::vector<uint8_t> b = Bytes("/snap/a.kvs");
  b[at + 3] ^= 0x01;
  Put("/snap/a.kvs", b);
  CheckReport rep;
  ASSERT_OK(CheckSnapshot(&env_, "/snap/a.kvs", &rep));
  EXPECT_EQ(rep.damage_rule, "blob");
  EXPECT_EQ(rep.damage_offset, at);
}

TEST(SnapshotOptions, EveryOutOfRangeOptionIsInvalidNamingIt) {
  struct Bad {
    std::function<void(Options*)> set;
    std::string says;
  } cases[] = {
      {[](Options* o) { o->compression = 7; }, "options.compression 7 is unknown"},
      {[](Options* o) {
         o->compression = PAGER_SNAPSHOT_COMPRESS_ZSTD;
         o->zstd_level = 0;
       },
       "options.zstd_level 0 is outside 1..19"},
      {[](Options* o) {
         o->compression = PAGER_SNAPSHOT_COMPRESS_ZSTD;
         o->zstd_level = 20;
       },
       "options.zstd_level 20 is outside 1..19"},
      {[](Options* o) { o->threads = 65; }, "options.threads 65 is above 64"},
      {[](Options* o) { o->parent_path.assign(kMaxParentPathBytes + 1, 'p'); },
       "options.parent_path is longer than 4096 bytes"},
  };
  for (const Bad& c : cases) {
    Options o;
    c.set(&o);
    Status st = o.Validate();
    EXPECT_EQ(st.code(), Code::kInvalid) << c.says;
    EXPECT_EQ(st.message(), c.says);
  }
  Options ok;
  ok.compression = PAGER_SNAPSHOT_COMPRESS_ZSTD;
  ok.zstd_level = 19;
  ok.threads = 64;
  ok.parent_path.assign(kMaxParentPathBytes, 'p');
  EXPECT_OK(ok.Validate());
}

TEST(SnapshotGeometry, AMetaStructOfAnOlderSmallerSizeIsInvalid) {
  pager_cache_meta m = SmallMeta();
  m.struct_size = 8;
  Result<Geometry> g = GeometryFromMeta(m);
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), Code::kInvalid);
  EXPECT_EQ(g.status().message(), "pager_cache_meta.struct_size is 8, expected " +
                                      std::to_string(sizeof(pager_cache_meta)));
}

TEST(SnapshotGeometry, AMismatchNamesEveryDifferingFieldAndBothDtypes) {
  Geometry a = GeometryFromMeta(SmallMeta(4, 2, 2, 8, PAGER_DTYPE_BF16)).value();
  Geometry b = GeometryFromMeta(SmallMeta(8, 2, 2, 8, PAGER_DTYPE_FP8_E4M3)).value();
  Status st = CompareGeometry(a, b);
  EXPECT_EQ(st.code(), Code::kMismatch);
  EXPECT_EQ(st.message(),
            "geometry mismatch: tokens_per_page: snapshot 4, engine 8; dtype: snapshot bf16, "
            "engine fp8_e4m3");
  Geometry c = GeometryFromMeta(SmallMeta(4, 2, 2, 8, PAGER_DTYPE_F32)).value();
  st = CompareGeometry(c, a);
  EXPECT_EQ(st.message(), "geometry mismatch: dtype: snapshot f32, engine bf16");
}

// One instantiation of the template for every scenario, so each of its catch clauses is
// proven in the same code.
using Work = std::function<Status(size_t)>;
Status RunAll(size_t n, uint32_t workers, const Work& work) { return ParallelFor(n, workers, work); }

TEST(SnapshotParallelFor, AThrowingWorkerIsTheLowestFailingIndexAsAStatus) {
  for (uint32_t workers : {0u, 1u, 4u}) {
    SCOPED_TRACE("workers " + std::to_string(workers));
    Status st = RunAll(8, workers, [](size_t i) -> Status {
      if (i == 2) throw std::bad_alloc();
      if (i == 5) throw std::runtime_error("boom");
      if (i == 6) throw 42;
      return Status::Ok();
    });
    EXPECT_EQ(st.code(), Code::kNoMem);
    EXPECT_EQ(st.message(), "out of memory in a worker thread");
    st = RunAll(8, workers, [](size_t i) -> Status {
      if (i >= 5) throw std::runtime_error("boom " + std::to_string(i));
      return Status::Ok();
    });
    EXPECT_EQ(st.code(), Code::kInternal);
    EXPECT_EQ(st.message(), "exception in a worker thread: boom 5");
    st = RunAll(8, workers, [](size_t i) -> Status {
      if (i == 7) throw 42;
      return i == 3 ? Status(Code::kCorrupt, "three") : Status::Ok();
    });
    EXPECT_EQ(st.code(), Code::kCorrupt) << "index 3 fails before index 7";
    st = RunAll(8, workers, [](size_t i) -> Status {
      if (i == 7) throw 42;
      return Status::Ok();
    });
    EXPECT_EQ(st.code(), Code::kInternal);
    EXPECT_EQ(st.message(), "unknown exception in a worker thread");
    EXPECT_OK(RunAll(0, workers, [](size_t) -> Status { return Status(Code::kIo, "x"); }));
    EXPECT_OK(RunAll(3, workers, [](size_t) -> Status { return Status::Ok(); }));
  }
}

}  // namespace
}  // namespace snapshot
}  // namespace pager
