// Out-parameter cases of every pager_cold_* function (tests/outparam.h): each failing call
// leaves its out-parameters as the caller filled them, and every call clears the last error
// (C2). File-backend failures come through the fault seam: the pager captures its Env at
// pager_cold_open, so each such case opens its pager inside the ScopedEnv.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "impl/io/mem_env.h"
#include "pager.h"
#include "tests/outparam.h"
#include "tests/support/test_util.h"

namespace {

using pager::io::FaultEnv;
using pager::io::FaultKind;
using pager::io::MemEnv;
using pager::testing::PatternBytes;

// Leaves a detail message behind, so a later call can prove it clears it (C2).
void MakeAnError() {
  ASSERT_EQ(pager_cold_open(nullptr, nullptr), PAGER_ERR_INVALID);
  ASSERT_STRNE(pager_last_error(), "");
}

// A pager on the env in force (open it inside a ScopedEnv to get the fault seam).
pager_cold* OpenWithScratch(const char* root) {
  pager_cold_options o;
  pager_cold_options_init(&o);
  o.scratch_root = root;
  pager_cold* c = nullptr;
  EXPECT_EQ(pager_cold_open(&o, &c), PAGER_OK) << pager_last_error();
  return c;
}

pager_cold_handle* PageoutFile(pager_cold* c, const std::vector<uint8_t>& data) {
  pager_cold_chunk chunk = {data.data(), data.size()};
  pager_cold_handle* h = nullptr;
  EXPECT_EQ(pager_cold_pageout_with(c, PAGER_COLD_BACKEND_FILE, &chunk, 1, nullptr, &h),
            PAGER_OK)
      << pager_last_error();
  return h;
}

pager_cold_handle* PageoutSwap(pager_cold* c, const std::vector<uint8_t>& data) {
  pager_cold_chunk chunk = {data.data(), data.size()};
  pager_cold_handle* h = nullptr;
  EXPECT_EQ(pager_cold_pageout_with(c, PAGER_COLD_BACKEND_SWAP, &chunk, 1, nullptr, &h),
            PAGER_OK);
  return h;
}

}  // namespace

TEST(OutParam, pager_cold_options_init) {
  MakeAnError();
  pager_cold_options_init(nullptr);
  EXPECT_STREQ(pager_last_error(), "");
  pager_cold_options o;
  outparam::Fill(&o, sizeof o);
  pager_cold_options_init(&o);
  EXPECT_EQ(o.struct_size, sizeof o);
  EXPECT_EQ(o.backend, static_cast<uint32_t>(PAGER_COLD_BACKEND_SWAP));
  EXPECT_EQ(o.scratch_root, nullptr);
}

TEST(OutParam, pager_cold_open) {
  FaultEnv env;
  outparam::ScopedEnv scope(&env);
  pager_cold_options o;
  pager_cold_options_init(&o);
  o.scratch_root = "/scratch";
  env.FailNthAny(1, FaultKind::kEio, true);  // the scratch directory cannot be created
  pager_cold* c = outparam::SentinelPtr<pager_cold>();
  EXPECT_EQ(pager_cold_open(&o, &c), PAGER_ERR_IO);
  EXPECT_EQ(c, outparam::SentinelPtr<pager_cold>());
  o.backend = 9;  // and a bad option
  EXPECT_EQ(pager_cold_open(&o, &c), PAGER_ERR_INVALID);
  EXPECT_EQ(c, outparam::SentinelPtr<pager_cold>());
}

TEST(OutParam, pager_cold_close) {
  MakeAnError();
  pager_cold_close(nullptr);
  EXPECT_STREQ(pager_last_error(), "");
  pager_cold* c = OpenWithScratch(nullptr);
  MakeAnError();
  pager_cold_close(c);
  EXPECT_STREQ(pager_last_error(), "");
}

TEST(OutParam, pager_cold_pageout_options_init) {
  MakeAnError();
  pager_cold_pageout_options_init(nullptr);
  EXPECT_STREQ(pager_last_error(), "");
  pager_cold_pageout_options o;
  outparam::Fill(&o, sizeof o);
  pager_cold_pageout_options_init(&o);
  EXPECT_EQ(o.struct_size, sizeof o);
  EXPECT_EQ(o.checksums, 0u);
  EXPECT_EQ(o.fallback_to_memory, 0u);
}

TEST(OutParam, pager_cold_set_backend) {
  pager_cold* c = OpenWithScratch(nullptr);
  EXPECT_EQ(pager_cold_set_backend(c, 5), PAGER_ERR_INVALID);  // no out-parameter
  ASSERT_PAGER_OK(pager_cold_set_backend(c, PAGER_COLD_BACKEND_FILE));
  EXPECT_STREQ(pager_last_error(), "");
  pager_cold_close(c);
}

TEST(OutParam, pager_cold_backend) {
  uint32_t backend = outparam::kSentinel32;
  EXPECT_EQ(pager_cold_backend(nullptr, &backend), PAGER_ERR_INVALID);  // cannot fail later
  EXPECT_EQ(backend, outparam::kSentinel32);
  pager_cold* c = OpenWithScratch(nullptr);
  MakeAnError();
  ASSERT_PAGER_OK(pager_cold_backend(c, &backend));
  EXPECT_STREQ(pager_last_error(), "");
  EXPECT_EQ(backend, static_cast<uint32_t>(PAGER_COLD_BACKEND_SWAP));
  pager_cold_close(c);
}

TEST(OutParam, pager_cold_set_scratch_dir) {
  FaultEnv env;
  outparam::ScopedEnv scope(&env);
  pager_cold* c = OpenWithScratch(nullptr);
  env.FailNthAny(1, FaultKind::kEnospc, true);
  EXPECT_EQ(pager_cold_set_scratch_dir(c, "/scratch"), PAGER_ERR_NOSPC);
  uint64_t len = outparam::kSentinel64;
  ASSERT_PAGER_OK(pager_cold_scratch_dir(c, nullptr, 0, &len));
  EXPECT_EQ(len, 0u) << "a failed attempt leaves nothing configured";
  pager_cold_close(c);
}

TEST(OutParam, pager_cold_scratch_dir) {
  pager::testing::TempDir root;
  pager_cold* c = OpenWithScratch(root.path().c_str());
  char buf[16];
  outparam::Fill(buf, sizeof buf);
  uint64_t len = outparam::kSentinel64;
  EXPECT_EQ(pager_cold_scratch_dir(c, nullptr, sizeof buf, &len), PAGER_ERR_INVALID);
  EXPECT_EQ(len, outparam::kSentinel64);
  EXPECT_EQ(pager_cold_scratch_dir(nullptr, buf, sizeof buf, &len), PAGER_ERR_INVALID);
  EXPECT_TRUE(outparam::Untouched(buf, sizeof buf));
  EXPECT_EQ(len, outparam::kSentinel64);
  ASSERT_PAGER_OK(pager_cold_scratch_dir(c, buf, sizeof buf, &len));  // truncated: still OK
  EXPECT_STREQ(pager_last_error(), "");
  EXPECT_GT(len, sizeof buf);
  pager_cold_close(c);
}

TEST(OutParam, pager_cold_pageout) {
  FaultEnv env;
  outparam::ScopedEnv scope(&env);
  pager_cold* c = OpenWithScratch("/scratch");
  ASSERT_PAGER_OK(pager_cold_set_backend(c, PAGER_COLD_BACKEND_FILE));
  env.FailNth(MemEnv::Op::kWrite, 1, FaultKind::kEio, false);
  auto data = PatternBytes(1, 5000);
  pager_cold_chunk chunk = {data.data(), data.size()};
  pager_cold_handle* h = outparam::SentinelPtr<pager_cold_handle>();
  EXPECT_EQ(pager_cold_pageout(c, &chunk, 1, &h), PAGER_ERR_IO);
  EXPECT_EQ(h, outparam::SentinelPtr<pager_cold_handle>());
  pager_cold_close(c);
}

TEST(OutParam, pager_cold_pageout_with) {
  FaultEnv env;
  outparam::ScopedEnv scope(&env);
  pager_cold* c = OpenWithScratch("/scratch");
  env.FailNth(MemEnv::Op::kWrite, 1, FaultKind::kEnospc, false);
  auto data = PatternBytes(2, 5000);
  pager_cold_chunk chunk = {data.data(), data.size()};
  pager_cold_handle* h = outparam::SentinelPtr<pager_cold_handle>();
  EXPECT_EQ(pager_cold_pageout_with(c, PAGER_COLD_BACKEND_FILE, &chunk, 1, nullptr, &h),
            PAGER_ERR_NOSPC);
  EXPECT_EQ(h, outparam::SentinelPtr<pager_cold_handle>());
  pager_cold_close(c);
}

namespace {
int g_owned_frees = 0;
void CountFree(void*, void*, uint64_t) { g_owned_frees++; }
}  // namespace

TEST(OutParam, pager_cold_pageout_owned) {
  FaultEnv env;
  outparam::ScopedEnv scope(&env);
  pager_cold* c = OpenWithScratch("/scratch");
  env.FailNth(MemEnv::Op::kWrite, 1, FaultKind::kEio, false);
  auto data = PatternBytes(3, 5000);
  pager_cold_owned_chunk chunk = {data.data(), data.size(), CountFree, nullptr};
  g_owned_frees = 0;
  pager_cold_handle* h = outparam::SentinelPtr<pager_cold_handle>();
  EXPECT_EQ(pager_cold_pageout_owned(c, PAGER_COLD_BACKEND_FILE, &chunk, 1, nullptr, &h),
            PAGER_ERR_IO);
  EXPECT_EQ(h, outparam::SentinelPtr<pager_cold_handle>());
  EXPECT_EQ(g_owned_frees, 0) << "on failure the caller still owns its buffers";
  pager_cold_close(c);
}

TEST(OutParam, pager_cold_read_at) {
  pager_cold* c = OpenWithScratch(nullptr);
  pager_cold_handle* h = PageoutSwap(c, PatternBytes(4, 100));
  uint8_t dst[32];
  outparam::Fill(dst, sizeof dst);
  EXPECT_EQ(pager_cold_read_at(h, 90, dst, sizeof dst), PAGER_ERR_RANGE);
  EXPECT_TRUE(outparam::Untouched(dst, sizeof dst));
  ASSERT_PAGER_OK(pager_cold_read_at(h, 0, dst, sizeof dst));
  EXPECT_STREQ(pager_last_error(), "");
  pager_cold_free(h);
  pager_cold_close(c);
}

TEST(OutParam, pager_cold_read_at_many) {
  pager_cold* c = OpenWithScratch(nullptr);
  pager_cold_handle* h = PageoutSwap(c, PatternBytes(5, 100));
  pager_cold_range ranges[2] = {{0, 10}, {5, 10}};
  uint8_t dst[20];
  outparam::Fill(dst, sizeof dst);
  EXPECT_EQ(pager_cold_read_at_many(h, ranges, 2, dst, sizeof dst), PAGER_ERR_OVERLAP);
  EXPECT_TRUE(outparam::Untouched(dst, sizeof dst));
  ranges[1].offset = 95;
  EXPECT_EQ(pager_cold_read_at_many(h, ranges, 2, dst, sizeof dst), PAGER_ERR_RANGE);
  EXPECT_TRUE(outparam::Untouched(dst, sizeof dst));
  pager_cold_free(h);
  pager_cold_close(c);
}

TEST(OutParam, pager_cold_take) {
  FaultEnv env;
  outparam::ScopedEnv scope(&env);
  pager_cold* c = OpenWithScratch("/scratch");
  auto data = PatternBytes(6, 3000);
  pager_cold_handle* h = PageoutFile(c, data);
  env.FailNth(MemEnv::Op::kRead, 1, FaultKind::kEio, false);
  std::vector<uint8_t> dst(data.size());
  outparam::Fill(dst.data(), dst.size());
  EXPECT_EQ(pager_cold_take(h, dst.data(), dst.size()), PAGER_ERR_IO);
  EXPECT_TRUE(outparam::Untouched(dst.data(), dst.size()));
  ASSERT_PAGER_OK(pager_cold_take(h, dst.data(), dst.size()));  // h survived the failure
  EXPECT_EQ(dst, data);
  pager_cold_close(c);
}

TEST(OutParam, pager_cold_take_buffer) {
  FaultEnv env;
  outparam::ScopedEnv scope(&env);
  pager_cold* c = OpenWithScratch("/scratch");
  auto data = PatternBytes(7, 3000);
  pager_cold_handle* h = PageoutFile(c, data);
  env.FailNth(MemEnv::Op::kRead, 1, FaultKind::kEio, false);
  pager_cold_buffer* b = outparam::SentinelPtr<pager_cold_buffer>();
  EXPECT_EQ(pager_cold_take_buffer(h, &b), PAGER_ERR_IO);
  EXPECT_EQ(b, outparam::SentinelPtr<pager_cold_buffer>());
  ASSERT_PAGER_OK(pager_cold_take_buffer(h, &b));
  EXPECT_EQ(pager_cold_buffer_len(b), data.size());
  pager_cold_buffer_free(b);
  pager_cold_close(c);
}

TEST(OutParam, pager_cold_buffer_data) {
  MakeAnError();
  EXPECT_EQ(pager_cold_buffer_data(nullptr), nullptr);
  EXPECT_STREQ(pager_last_error(), "");
}

TEST(OutParam, pager_cold_buffer_len) {
  MakeAnError();
  EXPECT_EQ(pager_cold_buffer_len(nullptr), 0u);
  EXPECT_STREQ(pager_last_error(), "");
}

TEST(OutParam, pager_cold_buffer_free) {
  MakeAnError();
  pager_cold_buffer_free(nullptr);
  EXPECT_STREQ(pager_last_error(), "");
}

TEST(OutParam, pager_cold_free) {
  MakeAnError();
  pager_cold_free(nullptr);
  EXPECT_STREQ(pager_last_error(), "");
  pager_cold* c = OpenWithScratch(nullptr);
  pager_cold_handle* h = PageoutSwap(c, PatternBytes(8, 10));
  MakeAnError();
  pager_cold_free(h);
  EXPECT_STREQ(pager_last_error(), "");
  pager_cold_close(c);
}

// Regression: pager_cold_len and pager_cold_backend_of did not clear the last error (C2).
TEST(OutParam, pager_cold_len) {
  pager_cold* c = OpenWithScratch(nullptr);
  pager_cold_handle* h = PageoutSwap(c, PatternBytes(9, 10));
  MakeAnError();
  EXPECT_EQ(pager_cold_len(h), 10u);
  EXPECT_STREQ(pager_last_error(), "");
  MakeAnError();
  EXPECT_EQ(pager_cold_len(nullptr), 0u);
  EXPECT_STREQ(pager_last_error(), "");
  pager_cold_free(h);
  pager_cold_close(c);
}

TEST(OutParam, pager_cold_backend_of) {
  pager_cold* c = OpenWithScratch(nullptr);
  pager_cold_handle* h = PageoutSwap(c, PatternBytes(10, 10));
  MakeAnError();
  EXPECT_EQ(pager_cold_backend_of(h), static_cast<uint32_t>(PAGER_COLD_BACKEND_SWAP));
  EXPECT_STREQ(pager_last_error(), "");
  pager_cold_free(h);
  pager_cold_close(c);
}

TEST(OutParam, pager_cold_stats_init) {
  MakeAnError();
  pager_cold_stats_init(nullptr);
  EXPECT_STREQ(pager_last_error(), "");
  pager_cold_stats s;
  outparam::Fill(&s, sizeof s);
  pager_cold_stats_init(&s);
  EXPECT_EQ(s.struct_size, sizeof s);
  EXPECT_EQ(s.swap.struct_size, sizeof s.swap);
  EXPECT_EQ(s.file.struct_size, sizeof s.file);
  EXPECT_EQ(s.file.pageout_count, 0u);
}

TEST(OutParam, pager_cold_get_stats) {
  pager_cold* c = OpenWithScratch(nullptr);
  pager_cold_stats s;
  outparam::Fill(&s, sizeof s);
  s.struct_size = sizeof s;
  s.swap.struct_size = sizeof s.swap;
  s.file.struct_size = 8;  // below its 0.2 size: refused before anything is written
  pager_cold_stats copy = s;
  EXPECT_EQ(pager_cold_get_stats(c, &s), PAGER_ERR_INVALID);
  EXPECT_EQ(0, std::memcmp(&s, &copy, sizeof s));
  s.file.struct_size = sizeof s.file;
  s.struct_size = 16;
  copy = s;
  EXPECT_EQ(pager_cold_get_stats(c, &s), PAGER_ERR_INVALID);
  EXPECT_EQ(0, std::memcmp(&s, &copy, sizeof s));
  pager_cold_stats_init(&s);
  ASSERT_PAGER_OK(pager_cold_get_stats(c, &s));
  EXPECT_STREQ(pager_last_error(), "");
  pager_cold_close(c);
}

namespace {
struct Reaped {
  std::vector<std::pair<std::string, uint32_t>> seen;
  int stop_with = 0;
};
int OnScratch(void* ctx, const char* lock_path, uint32_t state) {
  Reaped* r = static_cast<Reaped*>(ctx);
  r->seen.emplace_back(lock_path, state);
  return r->stop_with;
}
}  // namespace

// No out-parameter: a failed scan calls no callback and removes nothing.
TEST(OutParam, pager_cold_reap) {
  pager::testing::TempDir root;
  pager_cold* live = OpenWithScratch(root.path().c_str());
  Reaped r;
  EXPECT_EQ(pager_cold_reap(nullptr, 0, OnScratch, &r), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_cold_reap("", 0, OnScratch, &r), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_cold_reap(root.path().c_str(), 2, OnScratch, &r), PAGER_ERR_INVALID);
  EXPECT_EQ(pager_cold_reap((root.path() + "/none").c_str(), 1, OnScratch, &r),
            PAGER_ERR_NOT_FOUND);
  EXPECT_TRUE(r.seen.empty());
  r.stop_with = 3;
  EXPECT_EQ(pager_cold_reap(root.path().c_str(), 1, OnScratch, &r), PAGER_ERR_CALLBACK);
  r = Reaped();
  ASSERT_EQ(pager_cold_reap(root.path().c_str(), 1, OnScratch, &r), PAGER_OK);
  EXPECT_STREQ(pager_last_error(), "");
  ASSERT_EQ(r.seen.size(), 1u);
  EXPECT_EQ(r.seen[0].second, static_cast<uint32_t>(PAGER_COLD_SCRATCH_LIVE));
  EXPECT_EQ(pager_cold_reap(root.path().c_str(), 0, nullptr, nullptr), PAGER_OK);
  pager_cold_close(live);
}
