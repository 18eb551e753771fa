// Mapped page file: a randomized test of >= 100,000 operations against a simple in-memory
// model, reopening at random; every failure must leave the model's state in place.
#include <random>

#include "tests/file_test_util.h"

namespace pager {
namespace file {
namespace {

using testing::ProtectedIds;
using testing::ReadProtected;
using testing::RegularPages;
using testing::SmallOptions;

struct Model {
  std::set<uint64_t> pages;
  std::map<uint64_t, uint64_t> prot;  // id -> content seed (0 = zeros)
};

std::vector<uint8_t> Content(uint64_t seed, uint32_t page_size) {
  if (seed == 0) return std::vector<uint8_t>(page_size, 0);
  return pager::testing::PatternBytes(seed, page_size);
}

// A pseudo-random element in O(log n): the first at or after a random key.
uint64_t Key(uint64_t v) { return v; }
uint64_t Key(const std::pair<const uint64_t, uint64_t>& v) { return v.first; }
template <typename C>
typename C::value_type Pick(const C& c, std::mt19937_64& rng) {
  uint64_t max = Key(*c.rbegin());
  auto it = c.lower_bound(rng() % (max + 1));
  return it == c.end() ? *c.begin() : *it;
}

void CheckAgainstModel(PageFile* pf, const Model& m, bool full) {
  ASSERT_EQ(RegularPages(pf), m.pages);
  std::set<uint64_t> ids;
  for (auto& p : m.prot) ids.insert(p.first);
  ASSERT_EQ(ProtectedIds(pf), ids);
  if (full) {
    for (auto& p : m.prot) ASSERT_EQ(ReadProtected(pf, p.first), Content(p.second, pf->page_size()));
    ASSERT_OK(pf->CheckInvariants());
  }
}

TEST(FileModel, HundredThousandRandomOperationsMatchTheModel) {
  io::MemEnv env;
  FileOptions o = SmallOptions();
  std::unique_ptr<PageFile> pf;
  ASSERT_OK(PageFile::Create(&env, "/f", o, &pf));
  o.page_size = 0;
  Model m;
  std::mt19937_64 rng(20261121);
  uint64_t reopens = 0, rejected = 0, content_seed = 1;
  const int kOps = 100000;
  for (int op = 0; op < kOps; op++) {
    uint32_t r = static_cast<uint32_t>(rng() % 100);
    if (r < 30) {
      uint64_t id = 0;
      ASSERT_OK(pf->Alloc(&id));
      ASSERT_TRUE(m.pages.insert(id).second) << "page " << id << " handed out twice";
    } else if (r < 55 && !m.pages.empty()) {
      uint64_t id = Pick(m.pages, rng);
      ASSERT_OK(pf->Free(id));
      m.pages.erase(id);
    } else if (r < 62) {
      size_t n = 1 + rng() % 20;
      std::vector<uint64_t> ids(n);
      ASSERT_OK(pf->AllocBulk(n, ids.data()));
      for (uint64_t id : ids) ASSERT_TRUE(m.pages.insert(id).second);
    } else if (r < 69 && m.pages.size() > 3) {
      std::vector<uint64_t> ids;
      std::set<uint64_t> chosen;
      size_t n = 1 + rng() % std::min<size_t>(m.pages.size(), 20);
      while (chosen.size() < n) chosen.insert(Pick(m.pages, rng));
      ids.assign(chosen.begin(), chosen.end());
      bool poison = rng() % 4 == 0;  // one bad id: nothing may change
      if (poison) ids.insert(ids.begin() + static_cast<long>(rng() % ids.size()), ids[0]);
      Status st = pf->FreeBulk(ids.data(), ids.size());
      if (poison) {
        ASSERT_EQ(st.code(), Code::kDuplicate);
        rejected++;
      } else {
        ASSERT_OK(st);
        for (uint64_t id : ids) m.pages.erase(id);
      }
    } else if (r < 76 && m.prot.size() < 300) {
      uint64_t id = 0;
      ASSERT_OK(pf->ProtectedAlloc(&id));
      ASSERT_TRUE(m.prot.emplace(id, 0).second);
    } else if (r < 80 && !m.prot.empty()) {
      uint64_t id = Pick(m.prot, rng).first;
      ASSERT_OK(pf->ProtectedFree(id));
      m.prot.erase(id);
    } else if (r < 92 && !m.prot.empty()) {
      uint64_t id = Pick(m.prot, rng).first;
      uint64_t seed = ++content_seed;
      ASSERT_OK(pf->ProtectedWrite(id, Content(seed, pf->page_size()).data()));
      m.prot[id] = seed;
    } else if (r < 97) {
      uint64_t id = (rng() % 2) ? rng() % 64 : rng();
      Status st = pf->Free(id);
      if (st.ok()) {
        ASSERT_TRUE(m.pages.erase(id)) << id;
      } else {
        ASSERT_FALSE(m.pages.count(id)) << id << " " << st.ToString();
        rejected++;
      }
    } else if (rng() % 30 == 0) {
      pf.reset();
      ASSERT_OK(PageFile::Open(&env, "/f", o, &pf));
      reopens++;
      CheckAgainstModel(pf.get(), m, true);
    }
    if (op % 5000 == 4999) CheckAgainstModel(pf.get(), m, op % 20000 == 19999);
  }
  CheckAgainstModel(pf.get(), m, true);
  std::printf("[FileModel] %d ops, %llu reopens, %llu rejected calls, %zu pages, %zu protected\n",
              kOps, static_cast<unsigned long long>(reopens),
              static_cast<unsigned long long>(rejected), m.pages.size(), m.prot.size());
  EXPECT_GT(reopens, 20u);
}

}  // namespace
}  // namespace file
}  // namespace pager
