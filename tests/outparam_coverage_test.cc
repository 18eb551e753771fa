// Every exported function has an out-parameter test (tests/outparam.h explains the promise).
// The list of functions is the ABI baseline's, so a new function cannot slip in untested.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <string>

namespace {

std::set<std::string> ExportedWithPrefixes(std::initializer_list<const char*> prefixes,
                                           std::initializer_list<const char*> excluded) {
  std::ifstream in("abi/pager.symbols");
  EXPECT_TRUE(in.good()) << "abi/pager.symbols not found (tests run from the repository root)";
  std::set<std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    bool match = false;
    for (const char* p : prefixes) match = match || line.rfind(p, 0) == 0;
    for (const char* p : excluded) match = match && line.rfind(p, 0) != 0;
    if (match) out.insert(line);
  }
  return out;
}

std::set<std::string> OutParamTests() {
  std::set<std::string> names;
  const ::testing::UnitTest* unit = ::testing::UnitTest::GetInstance();
  for (int i = 0; i < unit->total_test_suite_count(); i++) {
    const ::testing::TestSuite* suite = unit->GetTestSuite(i);
    if (std::string(suite->name()) != "OutParam") continue;
    for (int j = 0; j < suite->total_test_count(); j++) names.insert(suite->GetTestInfo(j)->name());
  }
  return names;
}

void ExpectCovered(std::initializer_list<const char*> prefixes,
                   std::initializer_list<const char*> excluded = {}) {
  std::set<std::string> tests = OutParamTests();
  std::string missing;
  for (const std::string& fn : ExportedWithPrefixes(prefixes, excluded)) {
    if (tests.count(fn) == 0) missing += " " + fn;
  }
  EXPECT_TRUE(missing.empty()) << "exported functions without a TEST(OutParam, <name>):" << missing;
}

}  // namespace

TEST(OutParamCoverage, Core) {
  ExpectCovered({"pager_errstr", "pager_last_error", "pager_version"});
}
TEST(OutParamCoverage, File) { ExpectCovered({"pager_file_"}); }
TEST(OutParamCoverage, Wal) { ExpectCovered({"pager_wal_"}); }
TEST(OutParamCoverage, Walseg) { ExpectCovered({"pager_walseg_"}); }
TEST(OutParamCoverage, Cold) { ExpectCovered({"pager_cold_"}); }
TEST(OutParamCoverage, Snapshot) {
  ExpectCovered({"pager_snapshot_", "pager_cache_", "pager_refengine_"});
}
