// The reference engine refuses misuse with the code its contract names (it is the engine the
// snapshot suites trust, so its own refusals are proven too).
#include "tests/snapshot_test.h"

namespace pager {
namespace snapshot {
namespace {

using namespace pager::snapshot::testing;  // NOLINT

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
