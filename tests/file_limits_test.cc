// Filling a page file to max_size_bytes one page at a time, with page sizes and limits that
// do not divide evenly (bitmap slot pages, growth rounding): allocations succeed until the
// page space reaches the limit, the next is FULL, the page space never passes the limit, the
// handle keeps working (free then alloc), and a reopen sees exactly the pages allocated.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "impl/io/mem_env.h"
#include "pager.h"
#include "tests/outparam.h"

namespace {

struct Limit {
  uint32_t page_size;
  uint64_t max_bytes;
};

class FileLimits : public ::testing::TestWithParam<Limit> {};

TEST_P(FileLimits, AllocatingPageByPageFillsTheLimitThenIsFullAndKeepsWorking) {
  pager::io::MemEnv env;
  outparam::ScopedEnv scoped(&env);
  const Limit l = GetParam();
  pager_file_options o;
  pager_file_options_init(&o);
  o.page_size = l.page_size;
  o.max_size_bytes = l.max_bytes;
  o.initial_page_count = 16;
  pager_file* f = nullptr;
  ASSERT_EQ(pager_file_create("/f", &o, &f), PAGER_OK) << pager_last_error();
  std::set<uint64_t> ids;
  int rc = PAGER_OK;
  while (rc == PAGER_OK) {
    uint64_t id = 0;
    rc = pager_file_alloc(f, &id);
    if (rc == PAGER_OK) {
      ASSERT_TRUE(ids.insert(id).second) << "page " << id << " handed out twice";
    }
    ASSERT_LT(ids.size(), l.max_bytes / l.page_size) << "more pages than the limit holds";
  }
  ASSERT_EQ(rc, PAGER_ERR_FULL) << pager_last_error();
  uint64_t count = 0;
  ASSERT_EQ(pager_file_page_count(f, &count), PAGER_OK);
  EXPECT_LE(count * l.page_size, l.max_bytes);
  // FULL means the limit is reached: at most the 2 pages a bitmap group needs beyond its slots
  // (a group cannot start with fewer than 3 pages) stay unused. The growth policy once
  // doubled past the limit and refused, leaving up to half of max_size_bytes unusable.
  EXPECT_GE(count + 2, l.max_bytes / l.page_size) << "FULL with " << count << " of "
                                                  << l.max_bytes / l.page_size << " pages";
  ASSERT_FALSE(ids.empty());
  ASSERT_EQ(pager_file_free(f, *ids.rbegin()), PAGER_OK) << pager_last_error();
  uint64_t again = 0;
  ASSERT_EQ(pager_file_alloc(f, &again), PAGER_OK) << pager_last_error();
  EXPECT_EQ(again, *ids.rbegin());
  pager_file_close(f);

  o.page_size = 0;
  ASSERT_EQ(pager_file_open("/f", &o, &f), PAGER_OK) << pager_last_error();
  pager_file_iter* it = nullptr;
  ASSERT_EQ(pager_file_iter_pages(f, &it), PAGER_OK);
  std::set<uint64_t> seen;
  for (;;) {
    uint64_t id = 0;
    uint32_t found = 0;
    ASSERT_EQ(pager_file_iter_next(it, &id, &found), PAGER_OK);
    if (found == 0) break;
    seen.insert(id);
  }
  pager_file_iter_free(it);
  pager_file_close(f);
  EXPECT_EQ(seen, ids);
}

INSTANTIATE_TEST_SUITE_P(OddLimits, FileLimits,
                         ::testing::Values(Limit{1024, 1024 * 700 + 100}, Limit{1024, 1024 * 300},
                                           Limit{1024, 1024 * 8200 + 1}, Limit{4096, 4096 * 33},
                                           Limit{2048, 2048 * 16400 + 2047}),
                         [](const ::testing::TestParamInfo<Limit>& i) {
                           return "page" + std::to_string(i.param.page_size) + "_max" +
                                  std::to_string(i.param.max_bytes);
                         });

}  // namespace
