// The fuzz seed corpus (fuzz/corpus/snapshot/) is generated here, deterministically, and
// pinned: this test fails if a committed seed differs from what the current writer produces.
// Regenerate on purpose with PAGER_WRITE_SNAPSHOT_CORPUS=1 (run from the repository root).
#include <cstdlib>
#include <fstream>

#include "impl/io/mem_env.h"
#include "tests/snapshot_test.h"

namespace pager {
namespace snapshot {
namespace {

using namespace pager::snapshot::testing;  // NOLINT

const char kMarker[] = "PGKVSPLT";  // the harness's child/parent separator (8 bytes)

std::vector<uint8_t> Capture1(io::MemEnv* env, RefEngine* e, const std::string& path,
                              const Options& o) {
  EXPECT_OK(Capture(env, e->Ops(), path, o));
  std::vector<uint8_t> b;
  EXPECT_OK(env->GetFileBytes(path, &b));
  return b;
}

// Seeds: small engines of every dtype, 0..12 pages, compressed or not, and incremental
// child+parent pairs joined by the marker (the parent is /tmp/p.kvs, named "p.kvs").
std::vector<std::vector<uint8_t>> Seeds() {
  std::vector<std::vector<uint8_t>> seeds;
  for (uint64_t i = 0; i < 32; i++) {
    io::MemEnv env;
    std::mt19937_64 rng(1000 + i);
    pager_cache_meta meta = SmallMeta(1 + i % 4, 1 + i % 2, 1 + (i / 2) % 2, 2 + i % 3,
                                      1 + i % 4);
    auto e = NewEngine(meta, 16);
    Populate(e.get(), rng, static_cast<uint32_t>(i % 13), static_cast<uint32_t>(i % 4));
    Options o;
    o.fixed_snapshot_id = 0x5eed0000 + i;
    if (i % 3 == 1) o.compression = PAGER_SNAPSHOT_COMPRESS_ZSTD;
    if (i % 4 != 3) {
      seeds.push_back(Capture1(&env, e.get(), "/tmp/c.kvs", o));
      continue;
    }
    Options parent = o;
    parent.fixed_snapshot_id = 0xa0000000 + i;
    std::vector<uint8_t> p = Capture1(&env, e.get(), "/tmp/p.kvs", parent);
    Populate(e.get(), rng, 2, 1, "more");
    o.parent_path = "p.kvs";
    std::vector<uint8_t> c = Capture1(&env, e.get(), "/tmp/c.kvs", o);
    c.insert(c.end(), kMarker, kMarker + 8);
    c.insert(c.end(), p.begin(), p.end());
    seeds.push_back(c);
  }
  return seeds;
}

TEST(SnapshotFuzzCorpus, CommittedSeedsMatchTheWriter) {
  std::vector<std::vector<uint8_t>> seeds = Seeds();
  bool write = getenv("PAGER_WRITE_SNAPSHOT_CORPUS") != nullptr;
  for (size_t i = 0; i < seeds.size(); i++) {
    std::string path = "fuzz/corpus/snapshot/seed-" + std::to_string(i);
    if (write) {
      std::ofstream(path, std::ios::binary)
          .write(reinterpret_cast<const char*>(seeds[i].data()),
                 static_cast<std::streamsize>(seeds[i].size()));
    }
    std::ifstream in(path, std::ios::binary);
    ASSERT_TRUE(in.good()) << path << " missing (run from the repository root)";
    std::vector<uint8_t> committed((std::istreambuf_iterator<char>(in)),
                                   std::istreambuf_iterator<char>());
    EXPECT_EQ(committed, seeds[i]) << path << " differs from the writer's output";
  }
}

}  // namespace
}  // namespace snapshot
}  // namespace pager
