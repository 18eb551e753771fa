// The reference engine: an in-memory paged KV cache laid out like vLLM's, with the
// pager_cache_ops that snapshot it. Public as pager_refengine_* (pager.h).
//
// Layout: one buffer holding, for each layer l, a K tensor then a V tensor, each
// [capacity][tokens_per_page][kv_heads][head_dim] elements. A page as the adapter sees it
// (read_page/write_page) is the concatenation over layers of that page's block, for K and
// for V: the engine gathers and scatters across layers.
//
// Invariants:
//   R1. A slot is free or occupied; a sequence refers only to occupied slots.
//   R2. While paused (between its pause and resume callbacks), only the snapshot callbacks
//       change it; public mutators return kBusy.
//   R3. Every method locks mu_; callbacks are methods too, so the engine is thread-safe.
//   R4. The buffer starts on a kTensorAlignBytes (4 KiB) boundary, so a block whose size is
//       a multiple of 64 bytes (any head_dim * kv_heads * tokens_per_page * dtype size that
//       is) starts on a cache line: what restore's kernel copy into page_buffers needs to run
//       at full speed (doc/snapshot.md).
#pragma once

#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "impl/common/status.h"
#include "impl/snapshot/snapshot.h"
#include "pager.h"

namespace pager {
namespace snapshot {

class RefEngine {
 public:
  static constexpr size_t kTensorAlignBytes = 4096;

  static Status Create(const pager_cache_meta& meta, uint32_t capacity_pages,
                       std::unique_ptr<RefEngine>* out);

  pager_cache_ops Ops();
  const Geometry& geometry() const { return geometry_; }

  Result<uint32_t> AllocPage();
  Status FreePage(uint32_t slot);
  Status WritePage(uint32_t slot, const void* k, uint64_t k_bytes, const void* v,
                   uint64_t v_bytes);
  Status ReadPage(uint32_t slot, void* k, uint64_t k_bytes, void* v, uint64_t v_bytes);
  Status SetSeq(const std::string& id, const uint32_t* pages, uint64_t page_count, uint32_t fill);
  Status RemoveSeq(const std::string& id);
  Status GetSeq(const std::string& id, std::vector<uint32_t>* pages, uint32_t* fill);
  struct Stats {
    uint64_t occupied_pages = 0;
    uint64_t seq_count = 0;
    bool paused = false;
  };
  Stats GetStats();
  uint32_t capacity_pages() const { return capacity_; }
  uint64_t Fingerprint();
  // Fault injection: after `skip` successful calls, the callback `name` returns code once.
  Status FailCallback(const std::string& name, uint32_t skip, int code);

 private:
  struct SeqState {
    std::vector<uint32_t> pages;
    uint32_t fill = 0;
  };
  RefEngine() = default;
  // Callback bodies (return adapter codes = pager error codes).
  int CbMeta(pager_cache_meta* meta);
  int CbPause();
  int CbResume();
  int CbOccupied(pager_cache_sink* sink);
  int CbSeqs(pager_cache_sink* sink);
  int CbRead(uint32_t page, void* k, uint64_t kb, void* v, uint64_t vb);
  int CbAllocate(uint32_t* slots, uint64_t count);
  int CbWrite(uint32_t page, const void* k, uint64_t kb, const void* v, uint64_t vb);
  int CbInstall(const pager_logical_seq* seqs, uint64_t count);
  int CbRelease(const uint32_t* slots, uint64_t count);
  int CbPageBuffers(uint32_t slot, pager_page_segment* segments, uint64_t capacity,
                    uint64_t* count);
  bool Injected(const char* name, int* code);  // mu_ held

  Status CheckSlot(uint32_t slot, bool must_be_occupied) const;
  Status CheckLengths(uint64_t k_bytes, uint64_t v_bytes) const;
  uint8_t* Block(uint32_t slot, uint32_t layer, int kind);  // kind 0 = K, 1 = V
  void Copy(uint32_t slot, bool to_engine, uint8_t* k, uint8_t* v);  // gather / scatter
  Status CheckSeq(const uint32_t* pages, uint64_t page_count, uint32_t fill) const;

  std::mutex mu_;
  Geometry geometry_;
  uint32_t capacity_ = 0;
  uint64_t block_bytes_ = 0;  // one layer of one page: tokens * heads * dim * dtype
  struct FreeMemory {
    void operator()(uint8_t* p) const { std::free(p); }
  };
  std::unique_ptr<uint8_t, FreeMemory> memory_;  // R4: kTensorAlignBytes-aligned
  std::vector<uint8_t> occupied_;
  uint32_t occupied_count_ = 0;
  std::map<std::string, SeqState> seqs_;
  bool paused_ = false;
  std::string fail_name_;
  uint32_t fail_skip_ = 0;
  int fail_code_ = 0;
};

}  // namespace snapshot
}  // namespace pager
