// Convention C2 across nested calls: a pager_* call made from inside another one (an adapter
// callback's sink call, a progress function's query) sets the thread's last error when it
// fails; the enclosing call, if it then succeeds, must still leave pager_last_error() "".
// Found by fuzz/capi_fuzz.cc (a hostile adapter calling pager_cache_sink_add_pages with a NULL
// sink from occupied_pages made pager_snapshot_capture return PAGER_OK with the last error
// "sink must not be NULL").
#include <gtest/gtest.h>

#include <cstring>

#include "impl/io/mem_env.h"
#include "pager.h"
#include "tests/outparam.h"

namespace {

struct Wrapped {
  pager_cache_ops inner;
};

// occupied_pages forwards to the engine, then makes a failing call of its own that does not
// concern the capture (a NULL sink names no enclosing operation).
int OccupiedWithAStrayFailingCall(void* ctx, pager_cache_sink* sink) {
  auto* w = static_cast<Wrapped*>(ctx);
  int rc = w->inner.occupied_pages(w->inner.ctx, sink);
  uint32_t page = 0;
  EXPECT_EQ(pager_cache_sink_add_pages(nullptr, &page, 1), PAGER_ERR_INVALID);
  EXPECT_STRNE(pager_last_error(), "");
  return rc;
}

#define FORWARD(name, sig, args)                         \
  int name sig {                                         \
    auto* w = static_cast<Wrapped*>(ctx);                \
    return w->inner.name args;                           \
  }
FORWARD(meta, (void* ctx, pager_cache_meta* m), (w->inner.ctx, m))
FORWARD(pause, (void* ctx), (w->inner.ctx))
FORWARD(resume, (void* ctx), (w->inner.ctx))
FORWARD(logical_seqs, (void* ctx, pager_cache_sink* s), (w->inner.ctx, s))
FORWARD(read_page, (void* ctx, uint32_t p, void* k, uint64_t kb, void* v, uint64_t vb),
        (w->inner.ctx, p, k, kb, v, vb))
#undef FORWARD

class CapiLastError : public ::testing::Test {
 protected:
  CapiLastError() : scoped_(&env_) {
    EXPECT_TRUE(env_.CreateDir("/d", 0755).ok());
    pager_cache_meta geometry;
    pager_cache_meta_init(&geometry);
    geometry.tokens_per_page = 2;
    geometry.layers = 1;
    geometry.kv_heads = 1;
    geometry.head_dim = 4;
    geometry.dtype = PAGER_DTYPE_F16;
    EXPECT_EQ(pager_refengine_create(&geometry, 4, &engine_), PAGER_OK);
    uint32_t slot = 0;
    EXPECT_EQ(pager_refengine_alloc_page(engine_, &slot), PAGER_OK);
    EXPECT_EQ(pager_refengine_set_seq(engine_, "s", 1, &slot, 1, 1), PAGER_OK);
    EXPECT_EQ(pager_refengine_ops(engine_, &wrapped_.inner), PAGER_OK);
    ops_ = wrapped_.inner;
    ops_.ctx = &wrapped_;
    ops_.meta = meta;
    ops_.pause = pause;
    ops_.resume = resume;
    ops_.occupied_pages = OccupiedWithAStrayFailingCall;
    ops_.logical_seqs = logical_seqs;
    ops_.read_page = read_page;
  }
  ~CapiLastError() override { pager_refengine_free(engine_); }

  pager::io::MemEnv env_;
  outparam::ScopedEnv scoped_;
  pager_refengine* engine_ = nullptr;
  Wrapped wrapped_{};
  pager_cache_ops ops_{};
};

TEST_F(CapiLastError, IsEmptyAfterACaptureWhoseAdapterMadeAStrayFailingCall) {
  ASSERT_EQ(pager_snapshot_capture(&ops_, "/d/snap", nullptr), PAGER_OK);
  EXPECT_STREQ(pager_last_error(), "");
}

TEST_F(CapiLastError, IsEmptyAfterAVerifyWhoseProgressFunctionMadeAFailingCall) {
  ASSERT_EQ(pager_snapshot_capture(&wrapped_.inner, "/d/snap", nullptr), PAGER_OK);
  pager_snapshot_options opts;
  pager_snapshot_options_init(&opts);
  opts.progress = [](void*, uint64_t, uint64_t) {
    EXPECT_EQ(pager_wal_clear_staged(nullptr), PAGER_ERR_INVALID);
    return 0;
  };
  ASSERT_EQ(pager_snapshot_verify("/d/snap", &opts), PAGER_OK);
  EXPECT_STREQ(pager_last_error(), "");
}

}  // namespace

// Found by fuzz/capi: a count whose list cannot exist in any address space (2^58 chunks of 16
// bytes = 2^62 bytes) passed the old check (> 2^62) and the pageout read far past the
// caller's one-element array. Such a count is INVALID before the list is read (C3).
TEST(CapiLists, ACountNoAddressSpaceCanHoldIsInvalidBeforeTheListIsRead) {
  pager_cold* c = nullptr;
  ASSERT_EQ(pager_cold_open(nullptr, &c), PAGER_OK) << pager_last_error();
  uint8_t byte = 7;
  pager_cold_chunk one[1] = {{&byte, 1}};
  pager_cold_handle* h = reinterpret_cast<pager_cold_handle*>(uintptr_t{0xA5A5A5A5});
  EXPECT_EQ(pager_cold_pageout(c, one, uint64_t{1} << 58, &h), PAGER_ERR_INVALID);
  EXPECT_NE(std::string(pager_last_error()).find("larger than any list"), std::string::npos)
      << pager_last_error();
  EXPECT_EQ(h, reinterpret_cast<pager_cold_handle*>(uintptr_t{0xA5A5A5A5}));
  pager_cold_close(c);
}
