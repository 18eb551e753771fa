#include "impl/snapshot/adapter.h"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <exception>
#include <unordered_set>

#include "impl/snapshot/format.h"

namespace pager {
namespace snapshot {

Status SinkAddPages(pager_cache_sink* sink, const uint32_t* pages, uint64_t count) {
  if (sink == nullptr) return InvalidArgument("sink must not be NULL");
  Status st;
  if (sink->kind != pager_cache_sink::Kind::kPages) {
    st = InvalidArgument("pager_cache_sink_add_pages called on the sink of logical_seqs");
  } else if (pages == nullptr && count > 0) {
    st = InvalidArgument("pages is NULL with count " + std::to_string(count));
  } else if (count > UINT32_MAX || sink->pages.size() + count > UINT32_MAX) {
    st = Status(Code::kTooLarge, "more than 2^32-1 occupied pages reported");
  } else {
    sink->pages.insert(sink->pages.end(), pages, pages + count);
  }
  if (!st.ok() && sink->error.ok()) sink->error = st;
  return st;
}

Status SinkAddSeq(pager_cache_sink* sink, const char* id, uint64_t id_bytes,
                  const uint32_t* pages, uint64_t page_count, uint32_t fill_last_page) {
  if (sink == nullptr) return InvalidArgument("sink must not be NULL");
  Status st;
  if (sink->kind != pager_cache_sink::Kind::kSeqs) {
    st = InvalidArgument("pager_cache_sink_add_seq called on the sink of occupied_pages");
  } else if (id == nullptr || id_bytes == 0 || id_bytes > kMaxSeqIdBytes) {
    st = InvalidArgument("sequence id must be 1.." + std::to_string(kMaxSeqIdBytes) +
                         " bytes, got " + std::to_string(id_bytes) +
                         (id == nullptr ? " (NULL)" : ""));
  } else if (pages == nullptr && page_count > 0) {
    st = InvalidArgument("sequence pages is NULL with page_count " + std::to_string(page_count));
  } else if (page_count > UINT32_MAX) {
    st = Status(Code::kTooLarge, "sequence with " + std::to_string(page_count) + " pages");
  } else {
    Seq seq;
    seq.id.assign(id, id_bytes);
    seq.fill_last_page = fill_last_page;
    seq.pages.assign(pages, pages + page_count);
    sink->seqs.push_back(std::move(seq));
  }
  if (!st.ok() && sink->error.ok()) sink->error = st;
  return st;
}

Adapter::Adapter(const pager_cache_ops& ops) {
  std::memset(&ops_, 0, sizeof ops_);
  std::memcpy(&ops_, &ops, std::min<size_t>(ops.struct_size, sizeof ops_));
}

Status Adapter::Check(const pager_cache_ops& ops) {
  if (ops.struct_size < kCacheOpsFirstSize) {
    return InvalidArgument("pager_cache_ops.struct_size is " + std::to_string(ops.struct_size) +
                           ", below its first version's " +
                           std::to_string(kCacheOpsFirstSize));
  }
  struct Named {
    const void* fn;
    const char* name;
  };
  const Named all[] = {
      {reinterpret_cast<const void*>(ops.meta), "meta"},
      {reinterpret_cast<const void*>(ops.pause), "pause"},
      {reinterpret_cast<const void*>(ops.resume), "resume"},
      {reinterpret_cast<const void*>(ops.occupied_pages), "occupied_pages"},
      {reinterpret_cast<const void*>(ops.logical_seqs), "logical_seqs"},
      {reinterpret_cast<const void*>(ops.read_page), "read_page"},
      {reinterpret_cast<const void*>(ops.allocate_pages), "allocate_pages"},
      {reinterpret_cast<const void*>(ops.write_page), "write_page"},
      {reinterpret_cast<const void*>(ops.install_logical_seqs), "install_logical_seqs"},
  };
  for (const Named& n : all) {
    if (n.fn == nullptr) {
      return InvalidArgument(std::string("pager_cache_ops.") + n.name + " is NULL");
    }
  }
  return Status::Ok();
}

template <typename Fn>
Status Adapter::Call(const std::string& what, Fn&& fn) {
  int rc = 0;
  try {
    rc = fn();
  } catch (...) {
    return Status(Code::kCallback, "callback " + what + " threw an exception");
  }
  if (rc != 0) {
    return Status(Code::kCallback,
                  "callback " + what + " failed with adapter code " + std::to_string(rc));
  }
  return Status::Ok();
}

Result<Geometry> Adapter::Meta() {
  pager_cache_meta meta;
  InitMeta(&meta);
  PAGER_RETURN_IF_ERROR(Call("meta", [&] { return ops_.meta(ops_.ctx, &meta); }));
  Result<Geometry> g = GeometryFromMeta(meta);
  if (!g.ok()) return g.status().WithContext("callback meta returned a bad geometry");
  return g;
}

Status Adapter::Pause() { return Call("pause", [&] { return ops_.pause(ops_.ctx); }); }
Status Adapter::Resume() { return Call("resume", [&] { return ops_.resume(ops_.ctx); }); }

Result<std::vector<uint32_t>> Adapter::OccupiedPages() {
  pager_cache_sink sink(pager_cache_sink::Kind::kPages);
  PAGER_RETURN_IF_ERROR(
      Call("occupied_pages", [&] { return ops_.occupied_pages(ops_.ctx, &sink); }));
  if (!sink.error.ok()) return sink.error.WithContext("callback occupied_pages");
  std::unordered_set<uint32_t> seen;
  seen.reserve(sink.pages.size());
  for (uint32_t p : sink.pages) {
    if (!seen.insert(p).second) {
      return Status(Code::kDuplicate,
                    "callback occupied_pages reported page " + std::to_string(p) + " twice");
    }
  }
  return std::move(sink.pages);
}

Result<std::vector<Seq>> Adapter::LogicalSeqs() {
  pager_cache_sink sink(pager_cache_sink::Kind::kSeqs);
  PAGER_RETURN_IF_ERROR(Call("logical_seqs", [&] { return ops_.logical_seqs(ops_.ctx, &sink); }));
  if (!sink.error.ok()) return sink.error.WithContext("callback logical_seqs");
  return std::move(sink.seqs);
}

Status Adapter::ReadPage(uint32_t page, uint8_t* k, uint64_t k_bytes, uint8_t* v,
                         uint64_t v_bytes) {
  return Call("read_page(page " + std::to_string(page) + ")",
              [&] { return ops_.read_page(ops_.ctx, page, k, k_bytes, v, v_bytes); });
}

Result<std::vector<uint32_t>> Adapter::AllocatePages(uint64_t count) {
  std::vector<uint32_t> slots(count, UINT32_MAX);
  PAGER_RETURN_IF_ERROR(Call("allocate_pages(" + std::to_string(count) + ")", [&] {
    return ops_.allocate_pages(ops_.ctx, slots.data(), count);
  }));
  return slots;
}

Status Adapter::ReleasePages(const std::vector<uint32_t>& slots) {
  if (ops_.release_pages == nullptr) {
    return Status(Code::kCallback, "release_pages is NULL: the " +
                                       std::to_string(slots.size()) +
                                       " slots allocate_pages returned stay allocated");
  }
  return Call("release_pages(" + std::to_string(slots.size()) + ")", [&] {
    return ops_.release_pages(ops_.ctx, slots.data(), slots.size());
  });
}

Status Adapter::WritePage(uint32_t page, const uint8_t* k, uint64_t k_bytes, const uint8_t* v,
                          uint64_t v_bytes) {
  return Call("write_page(page " + std::to_string(page) + ")",
              [&] { return ops_.write_page(ops_.ctx, page, k, k_bytes, v, v_bytes); });
}

Status Adapter::Install(const std::vector<Seq>& seqs) {
  std::vector<pager_logical_seq> views(seqs.size());
  for (size_t i = 0; i < seqs.size(); i++) {
    views[i].id = seqs[i].id.data();
    views[i].id_bytes = static_cast<uint32_t>(seqs[i].id.size());
    views[i].fill_last_page = seqs[i].fill_last_page;
    views[i].pages = seqs[i].pages.empty() ? nullptr : seqs[i].pages.data();
    views[i].page_count = seqs[i].pages.size();
  }
  return Call("install_logical_seqs(" + std::to_string(seqs.size()) + " sequences)", [&] {
    return ops_.install_logical_seqs(ops_.ctx, views.data(), views.size());
  });
}

Status Adapter::PageBuffers(uint32_t slot, uint64_t first_capacity, uint64_t page_bytes,
                            std::vector<pager_page_segment>* out) {
  std::string what = "page_buffers(slot " + std::to_string(slot) + ")";
  uint64_t capacity = std::max<uint64_t>(first_capacity, 1);
  uint64_t count = 0;
  for (int attempt = 0; attempt < 2; attempt++) {
    out->assign(capacity, pager_page_segment{nullptr, 0});
    count = UINT64_MAX;
    PAGER_RETURN_IF_ERROR(Call(what, [&] {
      return ops_.page_buffers(ops_.ctx, slot, out->data(), capacity, &count);
    }));
    if (count <= capacity) break;
    if (attempt == 1 || count > page_bytes) {
      return InvalidArgument("callback " + what + " needs " + std::to_string(count) +
                             " segments (offered " + std::to_string(capacity) +
                             "; a page of " + std::to_string(page_bytes) +
                             " bytes has at most that many)");
    }
    capacity = count;
  }
  if (count == 0) return InvalidArgument("callback " + what + " returned no segment");
  out->resize(count);
  uint64_t total = 0;
  for (uint64_t i = 0; i < count; i++) {
    const pager_page_segment& s = (*out)[i];
    if (s.data == nullptr || s.bytes == 0 || s.bytes > page_bytes - total) {
      return InvalidArgument("callback " + what + ": segment " + std::to_string(i) +
                             (s.data == nullptr ? " is NULL" : s.bytes == 0 ? " is empty" :
                              " runs past the page's " + std::to_string(page_bytes) +
                              " bytes"));
    }
    total += s.bytes;
  }
  if (total != page_bytes) {
    return InvalidArgument("callback " + what + " described " + std::to_string(total) +
                           " bytes; a page is " + std::to_string(page_bytes));
  }
  return Status::Ok();
}

Status CheckSegmentsDisjoint(const std::vector<pager_page_segment>& segments) {
  std::vector<std::pair<uintptr_t, uint64_t>> sorted;
  sorted.reserve(segments.size());
  for (const pager_page_segment& s : segments) {
    sorted.emplace_back(reinterpret_cast<uintptr_t>(s.data), s.bytes);
  }
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 1; i < sorted.size(); i++) {
    const auto& prev = sorted[i - 1];
    if (sorted[i].first - prev.first < prev.second) {
      return Status(Code::kOverlap, "callback page_buffers returned segments that share a "
                                    "byte (" + std::to_string(prev.second) + " bytes at " +
                                    std::to_string(prev.first) + " and " +
                                    std::to_string(sorted[i].second) + " bytes at " +
                                    std::to_string(sorted[i].first) + ")");
    }
  }
  return Status::Ok();
}

}  // namespace snapshot
}  // namespace pager
