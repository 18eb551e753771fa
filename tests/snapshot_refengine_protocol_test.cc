// The reference engine enforces the pager_cache_ops protocol it stands for (R1): outside a
// pause every engine-memory callback is INVALID, a second pause is BUSY, the engine's own
// mutators are BUSY while paused, and each callback refuses a bad slot, bad lengths, an
// existing sequence or an impossible fill with the code a real engine would return -- so a
// library bug that broke the protocol fails the snapshot suites instead of passing silently.
#include "tests/snapshot_test.h"

namespace pager {
namespace snapshot {
namespace {

using namespace pager::snapshot::testing;  // NOLINT

TEST(RefEngineProtocol, CreateRefusesAnImpossibleCapacityOrMeta) {
  std::unique_ptr<RefEngine> e;
  for (uint32_t capacity : {0u, (1u << 31) + 1}) {
    Status st = RefEngine::Create(SmallMeta(), capacity, &e);
    EXPECT_EQ(st.code(), Code::kInvalid) << capacity;
    EXPECT_EQ(st.message(), "capacity_pages " + std::to_string(capacity) + " is outside 1..2^31");
  }
  pager_cache_meta m = SmallMeta();
  m.struct_size = 4;
  EXPECT_EQ(RefEngine::Create(m, 4, &e).code(), Code::kInvalid);
  EXPECT_EQ(e, nullptr);
}

TEST(RefEngineProtocol, EveryEngineMemoryCallbackOutsideAPauseIsInvalid) {
  auto e = NewEngine(SmallMeta(), 4);
  uint32_t slot = e->AllocPage().value();
  const Geometry& g = e->geometry();
  pager_cache_ops o = e->Ops();
  std::vector<uint8_t> page(g.page_bytes());
  uint8_t* k = page.data();
  uint8_t* v = page.data() + g.k_page_bytes;
  uint32_t slots[1] = {0};
  pager_logical_seq seq{};
  seq.id = "s";
  seq.id_bytes = 1;
  pager_page_segment segs[16];
  uint64_t count = 0;
  EXPECT_EQ(o.resume(o.ctx), PAGER_ERR_INVALID);
  EXPECT_EQ(o.read_page(o.ctx, slot, k, g.k_page_bytes, v, g.v_page_bytes), PAGER_ERR_INVALID);
  EXPECT_EQ(o.write_page(o.ctx, slot, k, g.k_page_bytes, v, g.v_page_bytes), PAGER_ERR_INVALID);
  EXPECT_EQ(o.allocate_pages(o.ctx, slots, 1), PAGER_ERR_INVALID);
  EXPECT_EQ(o.install_logical_seqs(o.ctx, &seq, 1), PAGER_ERR_INVALID);
  EXPECT_EQ(o.release_pages(o.ctx, &slot, 1), PAGER_ERR_INVALID);
  EXPECT_EQ(o.page_buffers(o.ctx, slot, segs, 16, &count), PAGER_ERR_INVALID);
  EXPECT_EQ(count, 0u);
  EXPECT_EQ(e->GetStats().occupied_pages, 1u) << "a refused callback changed the engine";
}

TEST(RefEngineProtocol, WhilePausedTheEnginesOwnMutatorsAreBusyAndASecondPauseToo) {
  auto e = NewEngine(SmallMeta(), 4);
  uint32_t slot = e->AllocPage().value();
  ASSERT_OK(e->SetSeq("a", &slot, 1, 1));
  const Geometry& g = e->geometry();
  std::vector<uint8_t> page(g.page_bytes(), 1);
  pager_cache_ops o = e->Ops();
  ASSERT_EQ(o.pause(o.ctx), 0);
  EXPECT_EQ(o.pause(o.ctx), PAGER_ERR_BUSY);
  const std::string busy = "the reference engine is paused by a snapshot";
  Result<uint32_t> alloc = e->AllocPage();
  EXPECT_EQ(alloc.status().code(), Code::kBusy);
  EXPECT_EQ(alloc.status().message(), busy);
  for (Status st : {e->FreePage(slot),
                    e->WritePage(slot, page.data(), g.k_page_bytes, page.data() + g.k_page_bytes,
                                 g.v_page_bytes),
                    e->SetSeq("b", &slot, 1, 1), e->RemoveSeq("a")}) {
    EXPECT_EQ(st.code(), Code::kBusy);
    EXPECT_EQ(st.message(), busy);
  }
  ASSERT_EQ(o.resume(o.ctx), 0);
  std::vector<uint32_t> pages;
  uint32_t fill = 0;
  ASSERT_OK(e->GetSeq("a", &pages, &fill));
  EXPECT_EQ(pages, std::vector<uint32_t>{slot});
}

TEST(RefEngineProtocol, PausedCallbacksRefuseBadSlotsLengthsSequencesAndFills) {
  auto e = NewEngine(SmallMeta(), 4);
  uint32_t slot = e->AllocPage().value();
  ASSERT_OK(e->SetSeq("a", &slot, 1, 1));
  const Geometry& g = e->geometry();
  std::vector<uint8_t> page(g.page_bytes());
  uint8_t* k = page.data();
  uint8_t* v = page.data() + g.k_page_bytes;
  pager_cache_ops o = e->Ops();
  ASSERT_EQ(o.pause(o.ctx), 0);
  // Slots: outside the engine, free.
  EXPECT_EQ(o.read_page(o.ctx, 99, k, g.k_page_bytes, v, g.v_page_bytes), PAGER_ERR_RANGE);
  EXPECT_EQ(o.write_page(o.ctx, 3, k, g.k_page_bytes, v, g.v_page_bytes), PAGER_ERR_NOT_FOUND);
  pager_page_segment segs[16];
  uint64_t count = 0;
  EXPECT_EQ(o.page_buffers(o.ctx, 3, segs, 16, &count), PAGER_ERR_NOT_FOUND);
  // Lengths other than the geometry's.
  EXPECT_EQ(o.read_page(o.ctx, slot, k, g.k_page_bytes - 1, v, g.v_page_bytes),
            PAGER_ERR_PAGE_SIZE);
  EXPECT_EQ(o.write_page(o.ctx, slot, k, g.k_page_bytes, v, g.v_page_bytes + 1),
            PAGER_ERR_PAGE_SIZE);
  // Too few segments offered: the count needed, nothing written.
  EXPECT_EQ(o.page_buffers(o.ctx, slot, segs, 1, &count), 0);
  EXPECT_EQ(count, 2u * g.layers);
  // More slots than are free.
  uint32_t got[8];
  EXPECT_EQ(o.allocate_pages(o.ctx, got, 4), PAGER_ERR_FULL);
  // Install: an id the engine holds, an impossible fill, a NULL page list.
  pager_logical_seq seq{};
  seq.id = "a";
  seq.id_bytes = 1;
  seq.pages = &slot;
  seq.page_count = 1;
  seq.fill_last_page = 1;
  EXPECT_EQ(o.install_logical_seqs(o.ctx, &seq, 1), PAGER_ERR_EXISTS);
  seq.id = "b";
  seq.fill_last_page = g.tokens_per_page + 1;
  EXPECT_EQ(o.install_logical_seqs(o.ctx, &seq, 1), PAGER_ERR_INVALID);
  seq.fill_last_page = 1;
  seq.pages = nullptr;
  EXPECT_EQ(o.install_logical_seqs(o.ctx, &seq, 1), PAGER_ERR_INVALID);
  // Release: a free slot.
  uint32_t free_slot = 2;
  EXPECT_EQ(o.release_pages(o.ctx, &free_slot, 1), PAGER_ERR_NOT_FOUND);
  ASSERT_EQ(o.resume(o.ctx), 0);
  EXPECT_EQ(e->GetStats().occupied_pages, 1u);
  EXPECT_EQ(e->GetStats().seq_count, 1u);
  // The same checks guard SetSeq.
  Status st = e->SetSeq("c", &slot, 1, g.tokens_per_page + 1);
  EXPECT_EQ(st.code(), Code::kInvalid);
  EXPECT_EQ(st.message(), "fill " + std::to_string(g.tokens_per_page + 1) +
                              " is impossible for 1 pages of " +
                              std::to_string(g.tokens_per_page) + " tokens");
  EXPECT_EQ(e->SetSeq("c", nullptr, 1, 1).message(), "pages is NULL");
}

}  // namespace
}  // namespace snapshot
}  // namespace pager
