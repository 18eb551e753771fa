// Round trips: capture an engine, restore into another, compare the logical content.
#include <fcntl.h>
#include <unistd.h>

#include <thread>

#include "impl/io/mem_env.h"
#include "impl/io/posix_env.h"
#include "tests/snapshot_test.h"

namespace pager {
namespace snapshot {
namespace {

using namespace pager::snapshot::testing;  // NOLINT

class SnapshotRoundTrip : public ::testing::TestWithParam<RestorePath> {
 protected:
  SnapshotRoundTrip() { EXPECT_OK(env_.CreateDir("/snap", 0755)); }
  io::MemEnv env_;
};

TEST_P(SnapshotRoundTrip, RandomPageSetsIntoEmptyAndFragmentedEngines) {
  for (uint64_t seed = 0; seed < 40; seed++) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937_64 rng(seed);
    pager_cache_meta meta = SmallMeta(1 + rng() % 8, 1 + rng() % 3, 1 + rng() % 3, 4 + rng() % 8,
                                      1 + rng() % 4);
    uint32_t alloc = seed % 5 == 0 ? 0 : static_cast<uint32_t>(rng() % 60);
    auto src = NewEngine(meta, 128);
    std::vector<std::string> ids = Populate(src.get(), rng, alloc, rng() % 6);
    Options o;
    o.compression = seed % 2 ? PAGER_SNAPSHOT_COMPRESS_ZSTD : PAGER_SNAPSHOT_COMPRESS_NONE;
    o.threads = 1 + seed % 3;
    ASSERT_OK(Capture(&env_, src->Ops(), "/snap/s.kvs", o));

    // Into an empty engine.
    auto empty = NewEngine(meta, 128);
    ASSERT_OK(Restore(&env_, RestoreOps(empty.get(), GetParam()), "/snap/s.kvs", o));
    EXPECT_EQ(empty->Fingerprint(), src->Fingerprint());

    // Into a fragmented engine that already holds pages and a sequence.
    auto busy = NewEngine(meta, 256);
    std::vector<std::string> pre = Populate(busy.get(), rng, 70, 2, "pre");
    std::map<std::string, std::vector<uint8_t>> before;
    for (const auto& id : pre) before[id] = SeqContent(busy.get(), id);
    Options nonempty = o;
    nonempty.allow_nonempty = true;
    ASSERT_OK(Restore(&env_, RestoreOps(busy.get(), GetParam()), "/snap/s.kvs", nonempty));
    for (const auto& id : ids) EXPECT_EQ(SeqContent(busy.get(), id), SeqContent(src.get(), id));
    for (const auto& id : pre) EXPECT_EQ(SeqContent(busy.get(), id), before[id]);
    RefEngine::Stats src_stats = src->GetStats();
    RefEngine::Stats busy_stats = busy->GetStats();
    EXPECT_FALSE(busy_stats.paused);
    EXPECT_EQ(busy_stats.seq_count, src_stats.seq_count + pre.size());
  }
}

TEST_P(SnapshotRoundTrip, ManySmallBatchesCaptureAndRestoreWithPrefetch) {
  std::mt19937_64 rng(31);
  auto src = NewEngine(SmallMeta(), 128);
  Populate(src.get(), rng, 100, 5);
  for (uint64_t batch : {1u, 512u * 3, 512u * 7}) {  // 1 page per batch, 3, 7
    Options o;
    o.batch_bytes = batch;
    o.threads = 2;
    ASSERT_OK(Capture(&env_, src->Ops(), "/snap/s.kvs", o));
    auto dst = NewEngine(SmallMeta(), 128);
    ASSERT_OK(Restore(&env_, RestoreOps(dst.get(), GetParam()), "/snap/s.kvs", o));
    EXPECT_EQ(dst->Fingerprint(), src->Fingerprint()) << "batch " << batch;
  }
}

TEST_P(SnapshotRoundTrip, ZeroPagesAndZeroSequences) {
  auto src = NewEngine(SmallMeta(), 8);
  ASSERT_OK(Capture(&env_, src->Ops(), "/snap/empty.kvs", Options()));
  pager_snapshot_info info;
  ASSERT_OK(Inspect(&env_, "/snap/empty.kvs", &info));
  EXPECT_EQ(info.page_count, 0u);
  EXPECT_EQ(info.seq_count, 0u);
  EXPECT_EQ(info.file_bytes, 128u + 64u);
  auto dst = NewEngine(SmallMeta(), 8);
  Tracer t(RestoreOps(dst.get(), GetParam()));
  ASSERT_OK(Restore(&env_, t.Ops(), "/snap/empty.kvs", Options()));
  EXPECT_EQ(t.Count("allocate_pages"), 0);
  EXPECT_EQ(t.Count("install_logical_seqs"), 1);
  EXPECT_EQ(dst->Fingerprint(), src->Fingerprint());
}

TEST_P(SnapshotRoundTrip, PagesLandInTheSlotsAllocateReturnedAndSequencesAreRemapped) {
  std::mt19937_64 rng(7);
  auto src = NewEngine(SmallMeta(), 64);
  Populate(src.get(), rng, 40, 4);
  ASSERT_OK(Capture(&env_, src->Ops(), "/snap/s.kvs", Options()));
  // The destination's low slots are taken, so every page moves.
  auto dst = NewEngine(SmallMeta(), 128);
  for (int i = 0; i < 50; i++) ASSERT_TRUE(dst->AllocPage().ok());
  Options o;
  o.allow_nonempty = true;
  ASSERT_OK(Restore(&env_, RestoreOps(dst.get(), GetParam()), "/snap/s.kvs", o));
  std::vector<uint32_t> pages;
  uint32_t fill;
  ASSERT_OK(dst->GetSeq("seq-0", &pages, &fill));
  for (uint32_t p : pages) EXPECT_GE(p, 50u);
  EXPECT_EQ(SeqContent(dst.get(), "seq-0"), SeqContent(src.get(), "seq-0"));
}

TEST_P(SnapshotRoundTrip, InspectReportsGeometryCountsAndTime) {
  std::mt19937_64 rng(3);
  pager_cache_meta meta = SmallMeta(16, 3, 2, 8, PAGER_DTYPE_BF16);
  auto src = NewEngine(meta, 32);
  Populate(src.get(), rng, 20, 3);
  uint64_t occ = src->GetStats().occupied_pages;
  uint64_t seqs = src->GetStats().seq_count;
  uint64_t before = env_.NowMicros();
  ASSERT_OK(Capture(&env_, src->Ops(), "/snap/s.kvs", Options()));
  pager_snapshot_info info;
  ASSERT_OK(Inspect(&env_, "/snap/s.kvs", &info));
  EXPECT_EQ(info.meta.tokens_per_page, 16u);
  EXPECT_EQ(info.meta.layers, 3u);
  EXPECT_EQ(info.meta.kv_heads, 2u);
  EXPECT_EQ(info.meta.head_dim, 8u);
  EXPECT_EQ(info.meta.dtype, uint32_t{PAGER_DTYPE_BF16});
  EXPECT_EQ(info.k_page_bytes, 16u * 3 * 2 * 8 * 2);
  EXPECT_EQ(info.page_count, occ);
  EXPECT_EQ(info.stored_page_count, occ);
  EXPECT_EQ(info.seq_count, seqs);
  EXPECT_GE(info.created_us, before);
  EXPECT_NE(info.snapshot_id, 0u);
  EXPECT_EQ(info.parent_snapshot_id, 0u);
}

TEST_P(SnapshotRoundTrip, CompressionShrinksCompressiblePages) {
  auto src = NewEngine(SmallMeta(16, 4, 4, 32), 16);
  const Geometry& g = src->geometry();
  std::vector<uint8_t> page(g.page_bytes(), 0);
  for (size_t i = 0; i < page.size(); i += 64) page[i] = static_cast<uint8_t>(i);
  std::vector<uint32_t> slots;
  for (int i = 0; i < 10; i++) {
    uint32_t s = src->AllocPage().value();
    ASSERT_OK(src->WritePage(s, page.data(), g.k_page_bytes, page.data() + g.k_page_bytes,
                             g.v_page_bytes));
    slots.push_back(s);
  }
  ASSERT_OK(src->SetSeq("a", slots.data(), slots.size(), 16));
  Options z;
  z.compression = PAGER_SNAPSHOT_COMPRESS_ZSTD;
  ASSERT_OK(Capture(&env_, src->Ops(), "/snap/raw.kvs", Options()));
  ASSERT_OK(Capture(&env_, src->Ops(), "/snap/z.kvs", z));
  pager_snapshot_info raw, zi;
  ASSERT_OK(Inspect(&env_, "/snap/raw.kvs", &raw));
  ASSERT_OK(Inspect(&env_, "/snap/z.kvs", &zi));
  EXPECT_EQ(zi.compressed_page_count, 10u);
  EXPECT_LT(zi.file_bytes * 10, raw.file_bytes);
  auto dst = NewEngine(SmallMeta(16, 4, 4, 32), 16);
  ASSERT_OK(Restore(&env_, RestoreOps(dst.get(), GetParam()), "/snap/z.kvs", Options()));
  EXPECT_EQ(dst->Fingerprint(), src->Fingerprint());
}

TEST_P(SnapshotRoundTrip, CaptureReplacesAnEarlierSnapshotAndLeavesNoTemporaryFile) {
  std::mt19937_64 rng(11);
  auto src = NewEngine(SmallMeta(), 64);
  Populate(src.get(), rng, 10, 2);
  ASSERT_OK(Capture(&env_, src->Ops(), "/snap/s.kvs", Options()));
  Populate(src.get(), rng, 10, 2, "more");
  ASSERT_OK(Capture(&env_, src->Ops(), "/snap/s.kvs", Options()));
  std::vector<std::string> names;
  ASSERT_OK(env_.ListDir("/snap", &names));
  EXPECT_EQ(names, std::vector<std::string>{"s.kvs"});
  auto dst = NewEngine(SmallMeta(), 64);
  ASSERT_OK(Restore(&env_, RestoreOps(dst.get(), GetParam()), "/snap/s.kvs", Options()));
  EXPECT_EQ(dst->Fingerprint(), src->Fingerprint());
}

// Incremental snapshots: 12 successive captures of a cache whose pages change 5% in between.
TEST_P(SnapshotRoundTrip, IncrementalChainOfTwelveWithFivePercentChurn) {
  std::mt19937_64 rng(12);
  pager_cache_meta meta = SmallMeta(16, 2, 2, 32);  // 8 KiB K+V pages
  auto src = NewEngine(meta, 400);
  const Geometry& g = src->geometry();
  std::vector<uint32_t> slots;
  for (int i = 0; i < 400; i++) {
    slots.push_back(src->AllocPage().value());
    std::vector<uint8_t> p = RandomPage(rng, g);
    ASSERT_OK(src->WritePage(slots.back(), p.data(), g.k_page_bytes, p.data() + g.k_page_bytes,
                             g.v_page_bytes));
  }
  ASSERT_OK(src->SetSeq("all", slots.data(), slots.size(), 16));
  std::vector<uint64_t> fingerprints;
  std::string prev;
  printf("[ snapshot sizes: 12 successive snapshots, 400 pages of %llu bytes, 5%% changed ]\n",
         static_cast<unsigned long long>(g.page_bytes()));
  for (int k = 0; k < 12; k++) {
    if (k > 0) {
      for (int c = 0; c < 20; c++) {  // 5% of 400 pages get new content
        std::vector<uint8_t> p = RandomPage(rng, g);
        uint32_t s = slots[rng() % slots.size()];
        ASSERT_OK(src->WritePage(s, p.data(), g.k_page_bytes, p.data() + g.k_page_bytes,
                                 g.v_page_bytes));
      }
    }
    std::string path = "/snap/s" + std::to_string(k) + ".kvs";
    Options o;
    o.parent_path = prev.empty() ? "" : prev.substr(prev.rfind('/') + 1);  // relative
    ASSERT_OK(Capture(&env_, src->Ops(), path, o));
    fingerprints.push_back(src->Fingerprint());
    pager_snapshot_info info;
    ASSERT_OK(Inspect(&env_, path, &info));
    printf("snapshot %2d: %8llu bytes, %3llu of %llu pages stored\n", k,
           static_cast<unsigned long long>(info.file_bytes),
           static_cast<unsigned long long>(info.stored_page_count),
           static_cast<unsigned long long>(info.page_count));
    if (k > 0) {
      EXPECT_LE(info.stored_page_count, 20u);
    }
    prev = path;
  }
  // Every snapshot of the chain restores to the state it captured.
  for (int k : {0, 1, 6, 11}) {
    auto dst = NewEngine(meta, 400);
    ASSERT_OK(Restore(&env_, RestoreOps(dst.get(), GetParam()), "/snap/s" + std::to_string(k) + ".kvs", Options()));
    EXPECT_EQ(dst->Fingerprint(), fingerprints[k]) << "snapshot " << k;
  }
}

TEST_P(SnapshotRoundTrip, IncrementalRestoreFailsCleanlyWithoutItsParent) {
  std::mt19937_64 rng(5);
  auto src = NewEngine(SmallMeta(), 64);
  Populate(src.get(), rng, 20, 2);
  ASSERT_OK(Capture(&env_, src->Ops(), "/snap/base.kvs", Options()));
  Options o;
  o.parent_path = "/snap/base.kvs";
  ASSERT_OK(Capture(&env_, src->Ops(), "/snap/child.kvs", o));
  ASSERT_OK(env_.Remove("/snap/base.kvs"));
  auto dst = NewEngine(SmallMeta(), 64);
  Tracer t(RestoreOps(dst.get(), GetParam()));
  Status st = Restore(&env_, t.Ops(), "/snap/child.kvs", Options());
  EXPECT_EQ(st.code(), Code::kNotFound) << st.ToString();
  EXPECT_TRUE(t.calls.empty());
  // A different snapshot at the parent's path is refused by id.
  ASSERT_OK(Capture(&env_, src->Ops(), "/snap/base.kvs", Options()));
  st = Restore(&env_, t.Ops(), "/snap/child.kvs", Options());
  EXPECT_EQ(st.code(), Code::kCorrupt) << st.ToString();
  EXPECT_NE(st.message().find("expects parent id"), std::string::npos);
  EXPECT_TRUE(t.calls.empty());
}

TEST_P(SnapshotRoundTrip, IncrementalParentWithOtherGeometryIsAMismatch) {
  auto a = NewEngine(SmallMeta(4), 8);
  auto b = NewEngine(SmallMeta(8), 8);
  ASSERT_OK(Capture(&env_, a->Ops(), "/snap/a.kvs", Options()));
  Options o;
  o.parent_path = "/snap/a.kvs";
  Status st = Capture(&env_, b->Ops(), "/snap/b.kvs", o);
  EXPECT_EQ(st.code(), Code::kMismatch) << st.ToString();
}

// The C API end to end on the real file system, including a pipe.
PAGER_INSTANTIATE_BOTH_RESTORE_PATHS(SnapshotRoundTrip);

TEST(SnapshotCapi, CaptureRestoreInspectVerifyOnDisk) {
  pager::testing::TempDir dir;
  pager_cache_meta meta = SmallMeta();
  pager_refengine* src = nullptr;
  pager_refengine* dst = nullptr;
  ASSERT_PAGER_OK(pager_refengine_create(&meta, 32, &src));
  ASSERT_PAGER_OK(pager_refengine_create(&meta, 32, &dst));
  uint32_t slot;
  ASSERT_PAGER_OK(pager_refengine_alloc_page(src, &slot));
  std::vector<uint8_t> k(256, 0xAB), v(256, 0xCD);
  ASSERT_PAGER_OK(pager_refengine_write_page(src, slot, k.data(), k.size(), v.data(), v.size()));
  ASSERT_PAGER_OK(pager_refengine_set_seq(src, "r1", 2, &slot, 1, 3));
  pager_cache_ops ops, dops;
  ASSERT_PAGER_OK(pager_refengine_ops(src, &ops));
  ASSERT_PAGER_OK(pager_refengine_ops(dst, &dops));
  std::string path = dir.File("a.kvs");
  ASSERT_PAGER_OK(pager_snapshot_capture(&ops, path.c_str(), nullptr));
  ASSERT_PAGER_OK(pager_snapshot_verify(path.c_str(), nullptr));
  pager_snapshot_info info;
  pager_snapshot_info_init(&info);
  ASSERT_PAGER_OK(pager_snapshot_inspect(path.c_str(), &info));
  EXPECT_EQ(info.page_count, 1u);
  ASSERT_PAGER_OK(pager_snapshot_restore(&dops, path.c_str(), nullptr));
  uint64_t f1, f2;
  ASSERT_PAGER_OK(pager_refengine_fingerprint(src, &f1));
  ASSERT_PAGER_OK(pager_refengine_fingerprint(dst, &f2));
  EXPECT_EQ(f1, f2);
  EXPECT_EQ(pager_snapshot_restore(&dops, path.c_str(), nullptr), PAGER_ERR_EXISTS);
  EXPECT_NE(std::string(pager_last_error()).find("already holds 1 pages"), std::string::npos);
  EXPECT_EQ(pager_snapshot_inspect(dir.File("missing").c_str(), &info), PAGER_ERR_NOT_FOUND);
  pager_refengine_free(src);
  pager_refengine_free(dst);
  pager_refengine_free(nullptr);
}

TEST(SnapshotCapi, StreamsToAPipeAndTheStreamRestores) {
  pager::testing::TempDir dir;
  std::mt19937_64 rng(21);
  auto src = NewEngine(SmallMeta(16, 2, 4, 64), 256);
  Populate(src.get(), rng, 200, 5);  // ~ 1.5 MiB: more than a pipe buffer
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  std::vector<uint8_t> received;
  std::thread reader([&] {
    uint8_t buf[65536];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0) received.insert(received.end(), buf, buf + n);
  });
  pager_cache_ops ops = src->Ops();
  pager_snapshot_options o;
  pager_snapshot_options_init(&o);
  o.compression = PAGER_SNAPSHOT_COMPRESS_ZSTD;
  int rc = pager_snapshot_capture_fd(&ops, fds[1], &o);
  std::string err = pager_last_error();
  close(fds[1]);
  reader.join();
  close(fds[0]);
  ASSERT_EQ(rc, PAGER_OK) << err;
  std::string path = dir.File("streamed.kvs");
  pager::testing::WriteWholeFile(path, received);
  auto dst = NewEngine(SmallMeta(16, 2, 4, 64), 256);
  pager_cache_ops dops = dst->Ops();
  ASSERT_PAGER_OK(pager_snapshot_restore(&dops, path.c_str(), nullptr));
  EXPECT_EQ(dst->Fingerprint(), src->Fingerprint());
}

TEST(SnapshotCapi, CaptureFdToARegularFileWithSync) {
  pager::testing::TempDir dir;
  std::mt19937_64 rng(8);
  auto src = NewEngine(SmallMeta(), 32);
  Populate(src.get(), rng, 12, 2);
  std::string path = dir.File("fd.kvs");
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0);
  pager_cache_ops ops = src->Ops();
  pager_snapshot_options o;
  pager_snapshot_options_init(&o);
  o.sync_fd = 1;
  ASSERT_PAGER_OK(pager_snapshot_capture_fd(&ops, fd, &o));
  close(fd);
  ASSERT_PAGER_OK(pager_snapshot_verify(path.c_str(), nullptr));
  auto dst = NewEngine(SmallMeta(), 32);
  pager_cache_ops dops = dst->Ops();
  ASSERT_PAGER_OK(pager_snapshot_restore(&dops, path.c_str(), nullptr));
  EXPECT_EQ(dst->Fingerprint(), src->Fingerprint());
}

TEST(SnapshotCapi, OptionsAndInfoStructsGrowSafely) {
  pager::testing::TempDir dir;
  auto src = NewEngine(SmallMeta(), 4);
  pager_cache_ops ops = src->Ops();
  std::string path = dir.File("s.kvs");
  // A newer caller's larger options struct: unknown trailing bytes must be zero.
  struct Bigger {
    pager_snapshot_options o;
    uint64_t future;
  } big;
  std::memset(&big, 0, sizeof big);
  pager_snapshot_options_init(&big.o);
  big.o.struct_size = sizeof big;
  EXPECT_PAGER_OK(pager_snapshot_capture(&ops, path.c_str(), &big.o));
  big.future = 1;
  EXPECT_EQ(pager_snapshot_capture(&ops, path.c_str(), &big.o), PAGER_ERR_INVALID);
  // A newer caller's larger info struct gets this library's sizeof written, the rest kept.
  struct {
    pager_snapshot_info info;
    uint8_t future[8];
  } bigger;
  std::memset(&bigger, 0xEE, sizeof bigger);
  pager_snapshot_info_init(&bigger.info);
  bigger.info.struct_size = sizeof bigger;
  ASSERT_PAGER_OK(pager_snapshot_inspect(path.c_str(), &bigger.info));
  EXPECT_EQ(bigger.info.struct_size, sizeof(pager_snapshot_info));
  EXPECT_EQ(bigger.info.meta.tokens_per_page, 4u);
  EXPECT_EQ(bigger.future[0], 0xEE);
}

// C8 regression: 0.1 accepted any info struct_size >= 4 and wrote a prefix.
TEST(SnapshotCapi, InspectRefusesAnInfoStructSizeBelowItsFirstVersion) {
  pager::testing::TempDir dir;
  auto src = NewEngine(SmallMeta(), 4);
  pager_cache_ops ops = src->Ops();
  std::string path = dir.File("s.kvs");
  ASSERT_PAGER_OK(pager_snapshot_capture(&ops, path.c_str(), nullptr));
  pager_snapshot_info info;
  std::memset(&info, 0xEE, sizeof info);
  info.struct_size = offsetof(pager_snapshot_info, k_page_bytes);
  EXPECT_EQ(pager_snapshot_inspect(path.c_str(), &info), PAGER_ERR_INVALID);
  EXPECT_EQ(info.meta.tokens_per_page, 0xEEEEEEEEu);
  EXPECT_NE(std::string(pager_last_error()).find("pager_snapshot_info.struct_size"),
            std::string::npos);
}

// C8 regression: the nested meta has its own struct_size; 0.1 ignored it.
TEST(SnapshotCapi, InspectWritesTheNestedMetaWithinItsOwnStructSize) {
  pager::testing::TempDir dir;
  auto src = NewEngine(SmallMeta(), 4);
  pager_cache_ops ops = src->Ops();
  std::string path = dir.File("s.kvs");
  ASSERT_PAGER_OK(pager_snapshot_capture(&ops, path.c_str(), nullptr));
  pager_snapshot_info info;
  pager_snapshot_info_init(&info);
  EXPECT_EQ(info.meta.struct_size, sizeof(pager_cache_meta));
  info.meta.struct_size = 8;  // below pager_cache_meta's first version
  EXPECT_EQ(pager_snapshot_inspect(path.c_str(), &info), PAGER_ERR_INVALID);
  EXPECT_NE(std::string(pager_last_error()).find("pager_snapshot_info.meta.struct_size"),
            std::string::npos);
  EXPECT_EQ(info.k_page_bytes, 0u);
  pager_snapshot_info_init(&info);
  ASSERT_PAGER_OK(pager_snapshot_inspect(path.c_str(), &info));
  EXPECT_EQ(info.meta.struct_size, sizeof(pager_cache_meta));
  EXPECT_EQ(info.meta.tokens_per_page, 4u);
}

TEST(SnapshotCapi, MetaPageBytesAndBadArguments) {
  pager_cache_meta m = SmallMeta(16, 32, 8, 128, PAGER_DTYPE_BF16);
  uint64_t k = 0, v = 0;
  ASSERT_PAGER_OK(pager_cache_meta_page_bytes(&m, &k, &v));
  EXPECT_EQ(k, 16u * 32 * 8 * 128 * 2);
  EXPECT_EQ(v, k);
  m.dtype = 99;
  EXPECT_EQ(pager_cache_meta_page_bytes(&m, &k, &v), PAGER_ERR_INVALID);
  EXPECT_NE(std::string(pager_last_error()).find("dtype"), std::string::npos);
  m = SmallMeta(1u << 20, 1u << 10, 1, 16);
  EXPECT_EQ(pager_cache_meta_page_bytes(&m, &k, &v), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_snapshot_capture(nullptr, "/tmp/x", nullptr), PAGER_ERR_INVALID);
  pager_cache_ops ops;
  std::memset(&ops, 0, sizeof ops);
  ops.struct_size = sizeof ops;
  EXPECT_EQ(pager_snapshot_capture(&ops, "/tmp/x", nullptr), PAGER_ERR_INVALID);
  EXPECT_NE(std::string(pager_last_error()).find("pager_cache_ops.meta is NULL"),
            std::string::npos);
  auto e = NewEngine(SmallMeta(), 4);
  ops = e->Ops();
  pager_snapshot_options o;
  pager_snapshot_options_init(&o);
  o.compression = 7;
  EXPECT_EQ(pager_snapshot_capture(&ops, "/tmp/x", &o), PAGER_ERR_INVALID);
  pager_snapshot_options_init(&o);
  o.compression = PAGER_SNAPSHOT_COMPRESS_ZSTD;
  o.zstd_level = 40;
  EXPECT_EQ(pager_snapshot_capture(&ops, "/tmp/x", &o), PAGER_ERR_INVALID);
  pager_snapshot_options_init(&o);
  o.struct_size = 0;
  EXPECT_EQ(pager_snapshot_capture(&ops, "/tmp/x", &o), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_snapshot_capture_fd(&ops, -1, nullptr), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_refengine_fail_callback(nullptr, "pause", 0, 1), PAGER_ERR_INVALID);
}

}  // namespace
}  // namespace snapshot
}  // namespace pager
