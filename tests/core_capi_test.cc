// The shared C API: error names, the thread's detail message, versions, the exception fence
// and the options-struct growth rule.
#include <gtest/gtest.h>

#include <cstring>
#include <stdexcept>
#include <thread>

#include "capi/fence.h"
#include "pager.h"

namespace {

TEST(ErrorCodes, EveryCodeHasAStableDistinctName) {
  EXPECT_STREQ(pager_errstr(PAGER_OK), "PAGER_OK");
  EXPECT_STREQ(pager_errstr(PAGER_ERR_IO), "PAGER_ERR_IO");
  EXPECT_STREQ(pager_errstr(PAGER_ERR_TOO_LARGE), "PAGER_ERR_TOO_LARGE");
  for (int a = 0; a < PAGER_ERR_COUNT; a++) {
    EXPECT_STRNE(pager_errstr(a), "PAGER_ERR_UNKNOWN") << a;
    for (int b = a + 1; b < PAGER_ERR_COUNT; b++) EXPECT_STRNE(pager_errstr(a), pager_errstr(b));
  }
}

TEST(ErrorCodes, UnknownCodeIsNamedUnknown) {
  EXPECT_STREQ(pager_errstr(-1), "PAGER_ERR_UNKNOWN");
  EXPECT_STREQ(pager_errstr(PAGER_ERR_COUNT), "PAGER_ERR_UNKNOWN");
}

TEST(ErrorCodes, NumbersNeverChange) {
  // Pinned: these integers are ABI. A change here breaks every compiled caller.
  EXPECT_EQ(PAGER_ERR_INVALID, 1);
  EXPECT_EQ(PAGER_ERR_CORRUPT, 5);
  EXPECT_EQ(PAGER_ERR_POISONED, 15);
  EXPECT_EQ(PAGER_ERR_INTERNAL, 21);
  EXPECT_EQ(PAGER_ERR_TOO_LARGE, 23);
  EXPECT_EQ(PAGER_ERR_COUNT, 24);
}

TEST(Version, LibraryMatchesHeader) {
  EXPECT_EQ(pager_version(), static_cast<uint32_t>(PAGER_VERSION_NUMBER));
  char expect[32];
  snprintf(expect, sizeof expect, "%d.%d.%d", PAGER_VERSION_MAJOR, PAGER_VERSION_MINOR,
           PAGER_VERSION_PATCH);
  EXPECT_STREQ(pager_version_string(), expect);
}

TEST(Fence, StatusBecomesCodeAndMessage) {
  int rc = capi::Fence([] { return pager::Status(pager::Code::kCorrupt, "page 7 checksum"); });
  EXPECT_EQ(rc, PAGER_ERR_CORRUPT);
  EXPECT_STREQ(pager_last_error(), "page 7 checksum");
}

TEST(Fence, SuccessClearsTheMessage) {
  (void)capi::Fence([] { return pager::IoError("boom"); });
  EXPECT_STRNE(pager_last_error(), "");
  EXPECT_EQ(capi::Fence([] { return pager::Status::Ok(); }), PAGER_OK);
  EXPECT_STREQ(pager_last_error(), "");
}

// RequireNonNull's failure, built out of line, still names the argument.
TEST(Fence, NullArgumentNamesTheArgument) {
  int rc = capi::Fence([] { return capi::RequireNonNull(nullptr, "data_out"); });
  EXPECT_EQ(rc, PAGER_ERR_INVALID);
  EXPECT_STREQ(pager_last_error(), "data_out must not be NULL");
}

TEST(Fence, BadAllocBecomesNomem) {
  int rc = capi::Fence([]() -> pager::Status { throw std::bad_alloc(); });
  EXPECT_EQ(rc, PAGER_ERR_NOMEM);
}

TEST(Fence, OtherExceptionsBecomeInternalWithTheirText) {
  int rc = capi::Fence([]() -> pager::Status { throw std::runtime_error("kaput"); });
  EXPECT_EQ(rc, PAGER_ERR_INTERNAL);
  EXPECT_NE(std::strstr(pager_last_error(), "kaput"), nullptr);
  rc = capi::Fence([]() -> pager::Status { throw 42; });
  EXPECT_EQ(rc, PAGER_ERR_INTERNAL);
}

TEST(Fence, LastErrorIsPerThread) {
  (void)capi::Fence([] { return pager::IoError("main thread error"); });
  std::string other;
  std::thread t([&] {
    other = pager_last_error();
    (void)capi::Fence([] { return pager::IoError("other thread error"); });
  });
  t.join();
  EXPECT_EQ(other, "");
  EXPECT_STREQ(pager_last_error(), "main thread error");
}

struct OptsV2 {
  uint32_t struct_size;
  uint32_t a;
  uint64_t b;
};
struct OptsV1 {
  uint32_t struct_size;
  uint32_t a;
};

TEST(Options, OlderCallerGetsDefaultsForNewFields) {
  OptsV1 old{sizeof(OptsV1), 7};
  OptsV2 lib{sizeof(OptsV2), 1, 99};
  ASSERT_TRUE(capi::ReadOptions(reinterpret_cast<const OptsV2*>(&old), &lib, "opts", sizeof(OptsV1)).ok());
  EXPECT_EQ(lib.a, 7u);
  EXPECT_EQ(lib.b, 99u);
  EXPECT_EQ(lib.struct_size, sizeof(OptsV2));
}

TEST(Options, NewerCallerWithZeroTailIsAccepted) {
  struct OptsV3 {
    OptsV2 v2;
    uint64_t c;
  } newer{{sizeof(OptsV3), 3, 4}, 0};
  OptsV2 lib{sizeof(OptsV2), 1, 99};
  ASSERT_TRUE(capi::ReadOptions(reinterpret_cast<const OptsV2*>(&newer), &lib, "opts", sizeof(OptsV1)).ok());
  EXPECT_EQ(lib.a, 3u);
  EXPECT_EQ(lib.b, 4u);
}

TEST(Options, NewerCallerUsingUnknownFieldIsRejected) {
  struct OptsV3 {
    OptsV2 v2;
    uint64_t c;
  } newer{{sizeof(OptsV3), 3, 4}, 5};
  OptsV2 lib{sizeof(OptsV2), 1, 99};
  pager::Status st = capi::ReadOptions(reinterpret_cast<const OptsV2*>(&newer), &lib, "opts", sizeof(OptsV1));
  EXPECT_EQ(st.code(), pager::Code::kInvalid);
  EXPECT_NE(st.message().find("offset 16"), std::string::npos) << st.message();
}

TEST(Options, UninitializedStructSizeIsRejected) {
  OptsV2 zero{};
  OptsV2 lib{sizeof(OptsV2), 1, 99};
  EXPECT_EQ(capi::ReadOptions(&zero, &lib, "opts", sizeof(OptsV1)).code(), pager::Code::kInvalid);
}

TEST(Options, StructSizeBelowTheFirstVersionIsRejected) {
  // Issue 11 bug 5: a struct_size of 5 is no version of any struct; it must not be read as a
  // 5-byte prefix. Every options struct of 0.2 has its 0.2 size as its first size.
  OptsV2 small{5, 3, 4};
  OptsV2 lib{sizeof(OptsV2), 1, 99};
  pager::Status st = capi::ReadOptions(&small, &lib, "opts", sizeof(OptsV1));
  EXPECT_EQ(st.code(), pager::Code::kInvalid);
  EXPECT_NE(st.message().find("below its first version"), std::string::npos) << st.message();
  EXPECT_EQ(lib.a, 1u);
}

TEST(Options, NullMeansDefaults) {
  OptsV2 lib{sizeof(OptsV2), 1, 99};
  ASSERT_TRUE(capi::ReadOptions<OptsV2>(nullptr, &lib, "opts", sizeof(OptsV1)).ok());
  EXPECT_EQ(lib.b, 99u);
}

}  // namespace
