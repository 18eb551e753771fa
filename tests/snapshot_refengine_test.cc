// The reference engine refuses misuse with the code its contract names (it is the engine the
// snapshot suites trust, so its own refusals are proven too).
#include "impl/io/mem_env.h"
#include "impl/snapshot/format.h"
#include "tests/snapshot_test.h"

namespace pager {
namespace snapshot {
namespace {

using namespace pager::snapshot::testing;  // NOLINT

// R4: an engine large enough that operator new[] would hand out an mmap'd block 16 bytes
// past a page boundary (glibc's chunk header) still gives page_buffers segments on cache
// lines: a restore's kernel copy into a 16-byte-aligned block costs ~25% more CPU.
TEST(RefEngineLayout, PageBufferSegmentsOfALargeEngineStartOnCacheLines) {
  // 32 KiB blocks (16 tokens x 8 heads x 128 x 2 bytes); 64 slots = 8 MiB, far above
  // malloc's mmap threshold.
  auto e = NewEngine(SmallMeta(16, 2, 8, 128), 64);
  std::vector<uint32_t> slots;
  for (int i = 0; i < 64; i++) slots.push_back(e->AllocPage().value());
  pager_cache_ops ops = e->Ops();
  ASSERT_EQ(ops.pause(ops.ctx), 0);
  for (uint32_t slot : slots) {
    pager_page_segment segments[4];
    uint64_t count = 0;
    ASSERT_EQ(ops.page_buffers(ops.ctx, slot, segments, 4, &count), 0);
    ASSERT_EQ(count, 4u);
    for (const pager_page_segment& s : segments) {
      EXPECT_EQ(reinterpret_cast<uintptr_t>(s.data) % 64, 0u) << "slot " << slot;
    }
  }
  ASSERT_EQ(ops.resume(ops.ctx), 0);
}

TEST(RefEngineMisuse, PageLengthsOtherThanTheGeometryAreAPageSizeError) {
  auto e = NewEngine(SmallMeta(), 4);
  const Geometry& g = e->geometry();
  uint32_t s = e->AllocPage().value();
  std::vector<uint8_t> page(g.page_bytes() + 8);
  EXPECT_EQ(e->WritePage(s, page.data(), g.k_page_bytes + 1, page.data(), g.v_page_bytes).code(),
            Code::kPageSize);
  EXPECT_EQ(e->ReadPage(s, page.data(), g.k_page_bytes, page.data(), g.v_page_bytes - 1).code(),
            Code::kPageSize);
}

TEST(RefEngineMisuse, FreeingASlotASequenceUsesIsBusyAndAFreeSlotIsADoubleFree) {
  auto e = NewEngine(SmallMeta(), 4);
  uint32_t s = e->AllocPage().value();
  ASSERT_OK(e->SetSeq("a", &s, 1, 1));
  EXPECT_EQ(e->FreePage(s).code(), Code::kBusy);
  ASSERT_OK(e->RemoveSeq("a"));
  ASSERT_OK(e->FreePage(s));
  EXPECT_EQ(e->FreePage(s).code(), Code::kDoubleFree);
}

TEST(RefEngineMisuse, ReleasingASlotASequenceUsesOrTwiceInOneListIsRefused) {
  auto e = NewEngine(SmallMeta(), 4);
  pager_cache_ops ops = e->Ops();
  uint32_t slots[2] = {e->AllocPage().value(), e->AllocPage().value()};
  ASSERT_OK(e->SetSeq("a", slots, 1, 1));
  ASSERT_EQ(ops.pause(ops.ctx), 0);
  EXPECT_EQ(ops.release_pages(ops.ctx, slots, 2), PAGER_ERR_BUSY);
  uint32_t twice[2] = {slots[1], slots[1]};
  EXPECT_EQ(ops.release_pages(ops.ctx, twice, 2), PAGER_ERR_DUPLICATE);
  EXPECT_EQ(ops.release_pages(ops.ctx, &slots[1], 1), PAGER_OK);
  ASSERT_EQ(ops.resume(ops.ctx), 0);
}

}  // namespace
}  // namespace snapshot
}  // namespace pager

// Every way an adapter can misuse a capture sink fails the capture with the sink's first
// error -- even when the callback then returns 0 -- and the engine is resumed.
namespace pager {
namespace snapshot {
namespace {

using namespace pager::snapshot::testing;  // NOLINT

struct Misuse {
  const char* name;
  bool in_seqs;  // misuse inside logical_seqs (else inside occupied_pages)
  Code want;
};

int g_misuse = 0;  // the index of the misuse the callbacks perform

int Misbehave(pager_cache_sink* s) {
  static std::vector<char> long_id(kMaxSeqIdBytes + 1, 'x');
  uint32_t page = 0;
  switch (g_misuse) {
    case 0: (void)pager_cache_sink_add_seq(s, "x", 1, nullptr, 0, 0); break;  // wrong kind
    case 1: (void)pager_cache_sink_add_pages(s, nullptr, 2); break;
    case 2: (void)pager_cache_sink_add_pages(s, &page, uint64_t{UINT32_MAX} + 1); break;
    case 3: (void)pager_cache_sink_add_pages(s, &page, 1); break;  // wrong kind (seqs sink)
    case 4: (void)pager_cache_sink_add_seq(s, nullptr, 3, nullptr, 0, 0); break;
    case 5: (void)pager_cache_sink_add_seq(s, "x", 0, nullptr, 0, 0); break;
    case 6: (void)pager_cache_sink_add_seq(s, long_id.data(), long_id.size(), nullptr, 0, 0); break;
    case 7: (void)pager_cache_sink_add_seq(s, "x", 1, nullptr, 2, 1); break;
    case 8: (void)pager_cache_sink_add_seq(s, "x", 1, &page, uint64_t{UINT32_MAX} + 1, 1); break;
  }
  return 0;
}

TEST(SnapshotSinkMisuse, EveryMisuseOfASinkFailsTheCaptureWithItsCode) {
  const Misuse cases[] = {
      {"add_seq on the pages sink", false, Code::kInvalid},
      {"NULL pages with a count", false, Code::kInvalid},
      {"2^32 pages", false, Code::kTooLarge},
      {"add_pages on the seqs sink", true, Code::kInvalid},
      {"NULL id", true, Code::kInvalid},
      {"empty id", true, Code::kInvalid},
      {"id past the limit", true, Code::kInvalid},
      {"NULL pages with a page count", true, Code::kInvalid},
      {"2^32 pages in a sequence", true, Code::kTooLarge},
  };
  io::MemEnv env;
  ASSERT_OK(env.CreateDir("/snap", 0755));
  auto e = NewEngine(SmallMeta(), 8);
  std::mt19937_64 rng(3);
  Populate(e.get(), rng, 4, 2);
  for (int i = 0; i < static_cast<int>(sizeof cases / sizeof cases[0]); i++) {
    g_misuse = i;
    pager_cache_ops ops = e->Ops();
    if (cases[i].in_seqs) {
      ops.logical_seqs = [](void*, pager_cache_sink* s) { return Misbehave(s); };
    } else {
      ops.occupied_pages = [](void*, pager_cache_sink* s) { return Misbehave(s); };
    }
    Status st = Capture(&env, ops, "/snap/s.kvs", Options());
    EXPECT_EQ(st.code(), cases[i].want) << cases[i].name << ": " << st.ToString();
    EXPECT_FALSE(e->GetStats().paused) << cases[i].name;
    bool exists = true;
    ASSERT_OK(env.Exists("/snap/s.kvs", &exists));
    EXPECT_FALSE(exists) << cases[i].name << ": a file was left";
  }
}

}  // namespace
}  // namespace snapshot
}  // namespace pager
