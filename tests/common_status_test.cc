// Status, Result and CheckReport: the edge cases every component relies on. A Result built
// from an ok Status without a value is a libpager bug and says so (never an ok Result with a
// garbage value); a check report keeps the first damage, and leftovers never replace damage.
#include <gtest/gtest.h>

#include <string>

#include "impl/common/check_report.h"
#include "impl/common/status.h"

namespace pager {
namespace {

TEST(CommonStatus, ToStringNamesTheCodeAndOnlyAddsAMessageThatExists) {
  EXPECT_EQ(Status::Ok().ToString(), "PAGER_OK");
  EXPECT_EQ(Status(Code::kIo, "").ToString(), "PAGER_ERR_IO");
  EXPECT_EQ(Status(Code::kBusy, "held").ToString(), "PAGER_ERR_BUSY: held");
  EXPECT_EQ(Status::Ok().WithContext("ctx").ToString(), "PAGER_OK");
}

TEST(CommonStatus, AResultFromAnOkStatusWithoutAValueIsInternal) {
  Result<int> r(Status::Ok());
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInternal);
  EXPECT_EQ(r.status().message(), "Result constructed from an ok Status without a value");
}

TEST(CommonStatus, ACheckReportKeepsTheFirstDamageAndLeftoversNeverReplaceIt) {
  CheckReport r;
  r.Interrupted("a", 1, "tail", "first leftover");
  r.Interrupted("b", 2, "tail", "second leftover");
  EXPECT_TRUE(r.interrupted);
  EXPECT_EQ(r.damage_detail, "first leftover");
  r.Damage("c", 3, "frame", "first damage");  // damage replaces a leftover
  r.Damage("d", 4, "frame", "second damage");
  r.Interrupted("e", 5, "tail", "late leftover");
  EXPECT_EQ(r.damage_code, Code::kCorrupt);
  EXPECT_EQ(r.damage_file, "c");
  EXPECT_EQ(r.damage_offset, 3u);
  EXPECT_EQ(r.damage_detail, "first damage");
}

}  // namespace
}  // namespace pager
