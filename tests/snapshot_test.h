// Helpers shared by the snapshot suites (tests/snapshot_*_test.cc).
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "impl/snapshot/refengine.h"
#include "impl/snapshot/snapshot.h"
#include "pager.h"
#include "tests/support/test_util.h"

namespace pager {
namespace snapshot {
namespace testing {

inline pager_cache_meta SmallMeta(uint32_t tokens = 4, uint32_t layers = 2, uint32_t heads = 2,
                                  uint32_t dim = 8, uint32_t dtype = PAGER_DTYPE_F16) {
  pager_cache_meta m;
  pager_cache_meta_init(&m);
  m.tokens_per_page = tokens;
  m.layers = layers;
  m.kv_heads = heads;
  m.head_dim = dim;
  m.dtype = dtype;
  return m;
}

inline std::unique_ptr<RefEngine> NewEngine(const pager_cache_meta& meta, uint32_t capacity) {
  std::unique_ptr<RefEngine> e;
  Status st = RefEngine::Create(meta, capacity, &e);
  if (!st.ok()) ADD_FAILURE() << st.ToString();
  return e;
}

inline std::vector<uint8_t> RandomPage(std::mt19937_64& rng, const Geometry& g) {
  return pager::testing::PatternBytes(rng(), g.page_bytes());
}

// Fills an engine: allocates `alloc` pages, frees a random ~third of them (fragmentation),
// writes random content into the rest, and groups them into `seq_count` sequences (some
// pages shared by two sequences, some pages in none). Returns the ids created.
inline std::vector<std::string> Populate(RefEngine* e, std::mt19937_64& rng, uint32_t alloc,
                                         uint32_t seq_count, const std::string& prefix = "seq") {
  const Geometry& g = e->geometry();
  std::vector<uint32_t> pages;
  for (uint32_t i = 0; i < alloc; i++) {
    Result<uint32_t> s = e->AllocPage();
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    pages.push_back(s.value());
  }
  std::vector<uint32_t> kept;
  for (uint32_t p : pages) {
    if (rng() % 3 == 0) {
      EXPECT_TRUE(e->FreePage(p).ok());
    } else {
      kept.push_back(p);
    }
  }
  for (uint32_t p : kept) {
    std::vector<uint8_t> bytes = RandomPage(rng, g);
    EXPECT_TRUE(e->WritePage(p, bytes.data(), g.k_page_bytes, bytes.data() + g.k_page_bytes,
                             g.v_page_bytes)
                    .ok());
  }
  std::shuffle(kept.begin(), kept.end(), rng);
  std::vector<std::string> ids;
  for (uint32_t s = 0; s < seq_count; s++) {
    std::vector<uint32_t> seq;
    size_t n = kept.empty() ? 0 : rng() % (kept.size() + 1) / 2;
    for (size_t i = 0; i < n; i++) seq.push_back(kept[rng() % kept.size()]);
    uint32_t fill = seq.empty() ? 0 : 1 + static_cast<uint32_t>(rng() % g.tokens_per_page);
    std::string id = prefix + "-" + std::to_string(s);
    EXPECT_TRUE(e->SetSeq(id, seq.data(), seq.size(), fill).ok());
    ids.push_back(id);
  }
  return ids;
}

// The content of one sequence: fill, and the bytes of its pages in order.
inline std::vector<uint8_t> SeqContent(RefEngine* e, const std::string& id) {
  std::vector<uint32_t> pages;
  uint32_t fill = 0;
  Status st = e->GetSeq(id, &pages, &fill);
  if (!st.ok()) {
    ADD_FAILURE() << st.ToString();
    return {};
  }
  const Geometry& g = e->geometry();
  std::vector<uint8_t> out(4);
  std::memcpy(out.data(), &fill, 4);
  std::vector<uint8_t> page(g.page_bytes());
  for (uint32_t p : pages) {
    EXPECT_TRUE(e->ReadPage(p, page.data(), g.k_page_bytes, page.data() + g.k_page_bytes,
                            g.v_page_bytes)
                    .ok());
    out.insert(out.end(), page.begin(), page.end());
  }
  return out;
}

// An adapter that records every callback called and forwards to an inner one.
class Tracer {
 public:
  explicit Tracer(const pager_cache_ops& inner) : inner_(inner) {}
  pager_cache_ops Ops();
  std::vector<std::string> calls;
  int Count(const std::string& name) const {
    int n = 0;
    for (const auto& c : calls) n += c == name;
    return n;
  }

 private:
  static Tracer* T(void* c) { return static_cast<Tracer*>(c); }
  pager_cache_ops inner_;
};

inline pager_cache_ops Tracer::Ops() {
  pager_cache_ops o;
  std::memset(&o, 0, sizeof o);
  o.struct_size = sizeof o;
  o.ctx = this;
  o.meta = [](void* c, pager_cache_meta* m) {
    T(c)->calls.push_back("meta");
    return T(c)->inner_.meta(T(c)->inner_.ctx, m);
  };
  o.pause = [](void* c) {
    T(c)->calls.push_back("pause");
    return T(c)->inner_.pause(T(c)->inner_.ctx);
  };
  o.resume = [](void* c) {
    T(c)->calls.push_back("resume");
    return T(c)->inner_.resume(T(c)->inner_.ctx);
  };
  o.occupied_pages = [](void* c, pager_cache_sink* s) {
    T(c)->calls.push_back("occupied_pages");
    return T(c)->inner_.occupied_pages(T(c)->inner_.ctx, s);
  };
  o.logical_seqs = [](void* c, pager_cache_sink* s) {
    T(c)->calls.push_back("logical_seqs");
    return T(c)->inner_.logical_seqs(T(c)->inner_.ctx, s);
  };
  o.read_page = [](void* c, uint32_t p, void* k, uint64_t kb, void* v, uint64_t vb) {
    T(c)->calls.push_back("read_page");
    return T(c)->inner_.read_page(T(c)->inner_.ctx, p, k, kb, v, vb);
  };
  o.allocate_pages = [](void* c, uint32_t* s, uint64_t n) {
    T(c)->calls.push_back("allocate_pages");
    return T(c)->inner_.allocate_pages(T(c)->inner_.ctx, s, n);
  };
  o.write_page = [](void* c, uint32_t p, const void* k, uint64_t kb, const void* v, uint64_t vb) {
    T(c)->calls.push_back("write_page");
    return T(c)->inner_.write_page(T(c)->inner_.ctx, p, k, kb, v, vb);
  };
  o.install_logical_seqs = [](void* c, const pager_logical_seq* s, uint64_t n) {
    T(c)->calls.push_back("install_logical_seqs");
    return T(c)->inner_.install_logical_seqs(T(c)->inner_.ctx, s, n);
  };
  if (inner_.release_pages != nullptr) {
    o.release_pages = [](void* c, const uint32_t* s, uint64_t n) {
      T(c)->calls.push_back("release_pages");
      return T(c)->inner_.release_pages(T(c)->inner_.ctx, s, n);
    };
  }
  if (inner_.page_buffers != nullptr) {
    o.page_buffers = [](void* c, uint32_t slot, pager_page_segment* s, uint64_t cap,
                        uint64_t* n) {
      T(c)->calls.push_back("page_buffers");
      return T(c)->inner_.page_buffers(T(c)->inner_.ctx, slot, s, cap, n);
    };
  }
  return o;
}

// The two restore paths every restore suite runs (TEST_P over this parameter): the bytes
// through a library buffer to write_page, or straight into the engine's memory
// (page_buffers, zero-copy).
enum class RestorePath { kCopyThroughWritePage, kIntoEngineBuffers };

inline pager_cache_ops RestoreOps(RefEngine* e, RestorePath path) {
  pager_cache_ops ops = e->Ops();
  if (path == RestorePath::kCopyThroughWritePage) ops.page_buffers = nullptr;
  return ops;
}

inline std::string RestorePathName(const ::testing::TestParamInfo<RestorePath>& info) {
  return info.param == RestorePath::kCopyThroughWritePage ? "CopyThroughWritePage"
                                                          : "IntoEngineBuffers";
}

#define PAGER_INSTANTIATE_BOTH_RESTORE_PATHS(suite)                                          \
  INSTANTIATE_TEST_SUITE_P(BothPaths, suite,                                                \
                           ::testing::Values(RestorePath::kCopyThroughWritePage,           \
                                             RestorePath::kIntoEngineBuffers),             \
                           RestorePathName)

}  // namespace testing
}  // namespace snapshot
}  // namespace pager
