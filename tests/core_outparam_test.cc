// Out-parameter cases of the functions every component shares (tests/outparam.h). They have
// no out-parameters and cannot fail; the cases prove C2 (which calls leave the last error).
#include <gtest/gtest.h>

#include <string>

#include "pager.h"

namespace {
// Leaves a detail message behind: a failed call with a NULL out-parameter.
void MakeAnError() {
  ASSERT_EQ(pager_file_open("/nonexistent-dir/x", nullptr, nullptr), PAGER_ERR_INVALID);
  ASSERT_STRNE(pager_last_error(), "");
}
}  // namespace

TEST(OutParam, pager_errstr) {
  MakeAnError();
  EXPECT_STREQ(pager_errstr(PAGER_ERR_IO), "PAGER_ERR_IO");
  EXPECT_STREQ(pager_errstr(-1), "PAGER_ERR_UNKNOWN");
  EXPECT_STRNE(pager_last_error(), "") << "pager_errstr must not clear the last error (C2)";
}

TEST(OutParam, pager_last_error) {
  MakeAnError();
  std::string first = pager_last_error();
  EXPECT_EQ(first, pager_last_error()) << "reading the last error must not clear it (C2)";
}

TEST(OutParam, pager_version) {
  MakeAnError();
  EXPECT_EQ(pager_version(), static_cast<uint32_t>(PAGER_VERSION_NUMBER));
  EXPECT_STRNE(pager_last_error(), "");
}

TEST(OutParam, pager_version_string) {
  MakeAnError();
  EXPECT_STREQ(pager_version_string(), "0.2.0");
  EXPECT_STRNE(pager_last_error(), "");
}
