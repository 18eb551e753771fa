// Adapter: calls the pager_cache_ops callbacks and turns their codes into Status.
// A non-zero return becomes kCallback naming the callback and the adapter's code; a C++
// exception thrown by a callback becomes kCallback too (so K1's resume still runs).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "impl/common/status.h"
#include "impl/snapshot/snapshot.h"
#include "pager.h"

// The sink an adapter reports lists into (pager.h declares it opaque).
struct pager_cache_sink {
  enum class Kind { kPages, kSeqs };
  explicit pager_cache_sink(Kind k) : kind(k) {}
  Kind kind;
  std::vector<uint32_t> pages;
  std::vector<pager::snapshot::Seq> seqs;
  pager::Status error;  // the first failed add (fails the enclosing operation)
};

namespace pager {
namespace snapshot {

// Sink functions behind the C entry points (capi/snapshot.cc).
Status SinkAddPages(pager_cache_sink* sink, const uint32_t* pages, uint64_t count);
Status SinkAddSeq(pager_cache_sink* sink, const char* id, uint64_t id_bytes,
                  const uint32_t* pages, uint64_t page_count, uint32_t fill_last_page);

class Adapter {
 public:
  // kInvalid if struct_size is below 0.2's or a required callback is NULL (the caller's
  // unknown trailing bytes are checked by the C shim, capi/snapshot.cc).
  static Status Check(const pager_cache_ops& ops);
  // Copies ops->struct_size bytes of the caller's table (an older caller's table is shorter:
  // the fields past it read as NULL, C8).
  explicit Adapter(const pager_cache_ops& ops);
  bool has_page_buffers() const { return ops_.page_buffers != nullptr; }

  Result<Geometry> Meta();
  Status Pause();
  Status Resume();
  Result<std::vector<uint32_t>> OccupiedPages();
  Result<std::vector<Seq>> LogicalSeqs();
  Status ReadPage(uint32_t page, uint8_t* k, uint64_t k_bytes, uint8_t* v, uint64_t v_bytes);
  Result<std::vector<uint32_t>> AllocatePages(uint64_t count);
  // Gives slots back through the optional release_pages (kCallback if it is NULL or fails).
  Status ReleasePages(const std::vector<uint32_t>& slots);
  Status WritePage(uint32_t page, const uint8_t* k, uint64_t k_bytes, const uint8_t* v,
                   uint64_t v_bytes);
  Status Install(const std::vector<Seq>& seqs);
  // page_buffers(slot): the segments of slot's K||V bytes, asking again with the count the
  // engine needs if first_capacity is too small. kCallback if it fails, kInvalid if a
  // segment is NULL or empty or the total is not page_bytes (overlaps: CheckSegments).
  Status PageBuffers(uint32_t slot, uint64_t first_capacity, uint64_t page_bytes,
                     std::vector<pager_page_segment>* out);

 private:
  template <typename Fn>
  Status Call(const std::string& what, Fn&& fn);
  pager_cache_ops ops_;
};

// kOverlap if two of the segments share a byte (K8).
Status CheckSegmentsDisjoint(const std::vector<pager_page_segment>& segments);

// The size of pager_cache_ops in 0.2 (before page_buffers was appended).
constexpr uint32_t kCacheOpsFirstSize = 96;

// Runs body between Pause and Resume (K1): resume always, first error wins.
template <typename Fn>
Status WithPause(Adapter* adapter, Fn&& body) {
  PAGER_RETURN_IF_ERROR(adapter->Pause());
  Status st = body();
  Status resumed = adapter->Resume();
  return st.ok() ? resumed : st;
}

}  // namespace snapshot
}  // namespace pager
