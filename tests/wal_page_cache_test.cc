// PageCache (impl/wal/page_cache.h, C1-C4): the flat LRU cache of committed pages, checked
// against a list-based reference LRU under random gets, puts, refreshes, erases and shrinks
// (the eviction order and the eviction hook's page and bytes included), for capacities that
// make the open-addressing table wrap around and shift entries back on erase.
#include <gtest/gtest.h>

#include <algorithm>
#include <list>
#include <map>
#include <random>
#include <utility>
#include <vector>

#include "impl/wal/page_cache.h"
#include "tests/wal_support.h"

namespace pager {
namespace wal {
namespace {

using testing::Page;

// The reference: a list of (page, bytes), front = most recently used.
struct ModelLru {
  uint32_t capacity;
  std::list<std::pair<uint32_t, std::vector<uint8_t>>> lru;
  std::vector<std::pair<uint32_t, std::vector<uint8_t>>> evicted;

  std::list<std::pair<uint32_t, std::vector<uint8_t>>>::iterator Find(uint32_t page) {
    return std::find_if(lru.begin(), lru.end(), [&](const auto& e) { return e.first == page; });
  }
  const std::vector<uint8_t>* Lookup(uint32_t page) {
    auto it = Find(page);
    if (it == lru.end()) return nullptr;
    lru.splice(lru.begin(), lru, it);
    return &lru.front().second;
  }
  void Put(uint32_t page, const std::vector<uint8_t>& b) {
    if (capacity == 0) return;
    auto it = Find(page);
    if (it != lru.end()) {
      it->second = b;
      lru.splice(lru.begin(), lru, it);
      return;
    }
    if (lru.size() >= capacity) {
      evicted.push_back(lru.back());
      lru.pop_back();
    }
    lru.emplace_front(page, b);
  }
  bool Refresh(uint32_t page, const std::vector<uint8_t>& b) {
    auto it = Find(page);
    if (it == lru.end()) return false;
    it->second = b;
    return true;
  }
  void Erase(uint32_t page) {
    auto it = Find(page);
    if (it != lru.end()) lru.erase(it);
  }
  void EraseFrom(uint32_t first) {
    lru.remove_if([&](const auto& e) { return e.first >= first; });
  }
};

void RunAgainstModel(uint32_t capacity, uint32_t page_range, uint32_t seed) {
  const uint32_t page_size = 512;
  std::mt19937 rng(seed);
  PageBufferPool pool(page_size);
  PageCache c(&pool, capacity);
  ModelLru m{capacity, {}, {}};
  std::vector<std::pair<uint32_t, std::vector<uint8_t>>> evicted;
  c.set_evict_hook([&](uint32_t page, const uint8_t* bytes) {
    evicted.emplace_back(page, std::vector<uint8_t>(bytes, bytes + page_size));
  });
  uint64_t next_seed = 1;
  std::vector<uint8_t> got(page_size);
  for (int step = 0; step < 20000; step++) {
    const uint32_t page = 1 + rng() % page_range;
    const uint32_t op = rng() % 100;
    if (op < 40) {
      std::vector<uint8_t> b = Page(next_seed++, page_size);
      c.Put(page, b.data());
      m.Put(page, b);
    } else if (op < 70) {
      const std::vector<uint8_t>* want = m.Lookup(page);
      const bool hit = c.Get(page, got.data());
      ASSERT_EQ(hit, want != nullptr) << "step " << step << " page " << page;
      if (hit) {
        ASSERT_EQ(got, *want) << "step " << step << " page " << page;
      }
    } else if (op < 75) {
      std::vector<uint8_t> b = Page(next_seed++, page_size);
      PageBuffer buf = pool.Take();
      std::memcpy(buf.get(), b.data(), page_size);
      ASSERT_EQ(c.AdoptInPlace(page, &buf), m.Refresh(page, b)) << "step " << step;
      pool.Give(std::move(buf));
    } else if (op < 80) {
      std::vector<uint8_t> b = Page(next_seed++, page_size);
      PageBuffer buf = pool.Take();
      std::memcpy(buf.get(), b.data(), page_size);
      pool.Give(c.Adopt(page, std::move(buf)));
      m.Put(page, b);
    } else if (op < 95) {
      c.Erase(page);
      m.Erase(page);
    } else if (op < 97) {
      c.EraseFrom(page);
      m.EraseFrom(page);
    } else {
      const uint8_t* bytes = c.Lookup(page);
      const std::vector<uint8_t>* want = m.Lookup(page);
      ASSERT_EQ(bytes != nullptr, want != nullptr) << "step " << step;
      if (bytes != nullptr) {
        ASSERT_EQ(std::vector<uint8_t>(bytes, bytes + page_size), *want);
      }
    }
    ASSERT_EQ(c.size(), m.lru.size()) << "step " << step;
    ASSERT_LE(c.size(), capacity) << "C1 at step " << step;
    ASSERT_EQ(evicted, m.evicted) << "eviction order or bytes differ at step " << step;
  }
  for (uint32_t p = 1; p <= page_range; p++) {  // every page once more, in page order
    const std::vector<uint8_t>* want = m.Lookup(p);
    const bool hit = c.Get(p, got.data());
    ASSERT_EQ(hit, want != nullptr) << "page " << p;
    if (hit) {
      EXPECT_EQ(got, *want) << "page " << p;
    }
  }
}

TEST(PageCache, AgreesWithAReferenceLruWhenTheWorkingSetFits) { RunAgainstModel(64, 48, 3); }

TEST(PageCache, AgreesWithAReferenceLruUnderEvictionAndBackwardShiftErase) {
  RunAgainstModel(64, 400, 5);
  RunAgainstModel(7, 40, 7);
  RunAgainstModel(1, 5, 11);
}

TEST(PageCache, ACapacityOfZeroCachesNothing) {
  PageBufferPool pool(512);
  PageCache c(&pool, 0);
  std::vector<uint8_t> b = Page(1, 512);
  c.Put(3, b.data());
  EXPECT_EQ(c.size(), 0u);
  EXPECT_EQ(c.Lookup(3), nullptr);
  PageBuffer buf = pool.Take();
  EXPECT_FALSE(c.AdoptInPlace(3, &buf));
  uint8_t* address = buf.get();
  EXPECT_EQ(c.Adopt(3, std::move(buf)).get(), address) << "capacity 0 kept an adopted buffer";
  EXPECT_EQ(c.Lookup(3), nullptr);
  c.Erase(3);
  c.EraseFrom(1);
}

TEST(PageCache, AnInPlaceAdoptionKeepsTheLruOrderAndHandsBackTheOldBytes) {
  PageBufferPool pool(512);
  PageCache c(&pool, 2);
  std::vector<uint32_t> evicted;
  c.set_evict_hook([&](uint32_t page, const uint8_t*) { evicted.push_back(page); });
  c.Put(1, Page(1, 512).data());
  c.Put(2, Page(2, 512).data());
  PageBuffer fresh = pool.Take();
  std::memcpy(fresh.get(), Page(11, 512).data(), 512);
  ASSERT_TRUE(c.AdoptInPlace(1, &fresh));  // 1 stays least recently used
  EXPECT_EQ(std::vector<uint8_t>(fresh.get(), fresh.get() + 512), Page(1, 512))
      << "the buffer handed back does not hold the old bytes";
  std::vector<uint8_t> got(512);
  c.Put(3, Page(3, 512).data());
  EXPECT_EQ(evicted, std::vector<uint32_t>{1});
  ASSERT_TRUE(c.Get(2, got.data()));
  EXPECT_EQ(got, Page(2, 512));
}

TEST(PageCache, AnAdoptedBufferIsTheEntryAndTheDisplacedOneComesBack) {
  PageBufferPool pool(512);
  PageCache c(&pool, 2);
  std::vector<std::pair<uint32_t, std::vector<uint8_t>>> evicted;
  c.set_evict_hook([&](uint32_t page, const uint8_t* bytes) {
    evicted.emplace_back(page, std::vector<uint8_t>(bytes, bytes + 512));
  });
  auto buffer_of = [&](uint64_t seed) {
    PageBuffer b = pool.Take();
    std::memcpy(b.get(), Page(seed, 512).data(), 512);
    return b;
  };
  EXPECT_EQ(c.Adopt(1, buffer_of(1)), nullptr) << "room left: nothing to hand back";
  PageBuffer two = buffer_of(2);
  const uint8_t* two_address = two.get();
  EXPECT_EQ(c.Adopt(2, std::move(two)), nullptr);
  EXPECT_EQ(c.Lookup(2), two_address) << "the cache copied an adopted buffer";
  PageBuffer old = c.Adopt(2, buffer_of(22));  // replaces page 2: its old buffer comes back
  ASSERT_NE(old, nullptr);
  EXPECT_EQ(old.get(), two_address);
  PageBuffer displaced = c.Adopt(3, buffer_of(3));  // full: page 1 is evicted
  ASSERT_NE(displaced, nullptr);
  ASSERT_EQ(evicted.size(), 1u);
  EXPECT_EQ(evicted[0].first, 1u);
  EXPECT_EQ(evicted[0].second, Page(1, 512)) << "the hook saw other bytes than the evicted page's";
  std::vector<uint8_t> got(512);
  EXPECT_FALSE(c.Get(1, got.data()));
  ASSERT_TRUE(c.Get(2, got.data()));
  EXPECT_EQ(got, Page(22, 512));
  ASSERT_TRUE(c.Get(3, got.data()));
  EXPECT_EQ(got, Page(3, 512));
  EXPECT_EQ(c.size(), 2u);
}

}  // namespace
}  // namespace wal
}  // namespace pager
