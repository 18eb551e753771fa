#include "impl/snapshot/refengine.h"

#include <cstring>
#include <new>
#include <unordered_set>

#include "impl/io/checksum.h"
#include "impl/snapshot/adapter.h"

namespace pager {
namespace snapshot {

namespace {

const char* const kCallbackNames[] = {"meta",           "pause",          "resume",
                                      "occupied_pages", "logical_seqs",   "read_page",
                                      "allocate_pages", "write_page",     "install_logical_seqs",
                                      "release_pages",  "page_buffers"};

RefEngine* E(void* ctx) { return static_cast<RefEngine*>(ctx); }

int Code(const Status& st) { return static_cast<int>(st.code()); }

}  // namespace

Status RefEngine::Create(const pager_cache_meta& meta, uint32_t capacity_pages,
                         std::unique_ptr<RefEngine>* out) {
  PAGER_ASSIGN_OR_RETURN(Geometry g, GeometryFromMeta(meta));
  if (capacity_pages == 0 || capacity_pages > (1u << 31)) {
    return InvalidArgument("capacity_pages " + std::to_string(capacity_pages) +
                           " is outside 1..2^31");
  }
  uint64_t total = g.page_bytes();
  if (total > (uint64_t{1} << 46) / capacity_pages) {
    return Status(Code::kTooLarge, "a reference engine of " + std::to_string(capacity_pages) +
                                       " pages of " + std::to_string(total) +
                                       " bytes is too large");
  }
  std::unique_ptr<RefEngine> e(new RefEngine());
  e->geometry_ = g;
  e->capacity_ = capacity_pages;
  e->block_bytes_ = g.k_page_bytes / g.layers;
  // R4: page-aligned tensors. The kernel copies into a 16-byte-aligned destination (what
  // operator new[] returns for a large block) ~25% slower than into a 64-byte-aligned one
  // (doc/snapshot.md, "where restore's time goes"), and real engines' tensors are aligned.
  uint64_t memory_bytes = total * capacity_pages;
  void* memory = nullptr;
  if (posix_memalign(&memory, kTensorAlignBytes, static_cast<size_t>(memory_bytes)) != 0) {
    return Status(Code::kNoMem, "cannot allocate the reference engine's memory");
  }
  e->memory_.reset(static_cast<uint8_t*>(memory));
  std::memset(memory, 0, static_cast<size_t>(memory_bytes));
  e->occupied_.assign(capacity_pages, 0);
  *out = std::move(e);
  return Status::Ok();
}

pager_cache_ops RefEngine::Ops() {
  pager_cache_ops ops;
  std::memset(&ops, 0, sizeof ops);
  ops.struct_size = sizeof ops;
  ops.ctx = this;
  ops.meta = [](void* c, pager_cache_meta* m) { return E(c)->CbMeta(m); };
  ops.pause = [](void* c) { return E(c)->CbPause(); };
  ops.resume = [](void* c) { return E(c)->CbResume(); };
  ops.occupied_pages = [](void* c, pager_cache_sink* s) { return E(c)->CbOccupied(s); };
  ops.logical_seqs = [](void* c, pager_cache_sink* s) { return E(c)->CbSeqs(s); };
  ops.read_page = [](void* c, uint32_t p, void* k, uint64_t kb, void* v, uint64_t vb) {
    return E(c)->CbRead(p, k, kb, v, vb);
  };
  ops.allocate_pages = [](void* c, uint32_t* slots, uint64_t n) {
    return E(c)->CbAllocate(slots, n);
  };
  ops.write_page = [](void* c, uint32_t p, const void* k, uint64_t kb, const void* v,
                      uint64_t vb) { return E(c)->CbWrite(p, k, kb, v, vb); };
  ops.install_logical_seqs = [](void* c, const pager_logical_seq* s, uint64_t n) {
    return E(c)->CbInstall(s, n);
  };
  ops.release_pages = [](void* c, const uint32_t* slots, uint64_t n) {
    return E(c)->CbRelease(slots, n);
  };
  ops.page_buffers = [](void* c, uint32_t slot, pager_page_segment* segments, uint64_t capacity,
                        uint64_t* count) { return E(c)->CbPageBuffers(slot, segments, capacity, count); };
  return ops;
}

// ---- helpers --------------------------------------------------------------------------

Status RefEngine::CheckSlot(uint32_t slot, bool must_be_occupied) const {
  if (slot >= capacity_) {
    return Status(Code::kRange, "slot " + std::to_string(slot) + " is outside the engine's " +
                                    std::to_string(capacity_) + " slots");
  }
  if (must_be_occupied && !occupied_[slot]) {
    return Status(Code::kNotFound, "slot " + std::to_string(slot) + " is free");
  }
  return Status::Ok();
}

Status RefEngine::CheckLengths(uint64_t k_bytes, uint64_t v_bytes) const {
  if (k_bytes != geometry_.k_page_bytes || v_bytes != geometry_.v_page_bytes) {
    return Status(Code::kPageSize, "page lengths " + std::to_string(k_bytes) + "/" +
                                       std::to_string(v_bytes) + ", expected " +
                                       std::to_string(geometry_.k_page_bytes) + "/" +
                                       std::to_string(geometry_.v_page_bytes));
  }
  return Status::Ok();
}

uint8_t* RefEngine::Block(uint32_t slot, uint32_t layer, int kind) {
  uint8_t* tensor = memory_.get() + (uint64_t{layer} * 2 + kind) * capacity_ * block_bytes_;
  return tensor + uint64_t{slot} * block_bytes_;
}

void RefEngine::Copy(uint32_t slot, bool to_engine, uint8_t* k, uint8_t* v) {
  for (uint32_t l = 0; l < geometry_.layers; l++) {
    for (int kind = 0; kind < 2; kind++) {
      uint8_t* engine = Block(slot, l, kind);
      uint8_t* page = (kind == 0 ? k : v) + uint64_t{l} * block_bytes_;
      if (to_engine) {
        std::memcpy(engine, page, block_bytes_);
      } else {
        std::memcpy(page, engine, block_bytes_);
      }
    }
  }
}

Status RefEngine::CheckSeq(const uint32_t* pages, uint64_t page_count, uint32_t fill) const {
  if (fill > geometry_.tokens_per_page || (page_count == 0 && fill != 0)) {
    return InvalidArgument("fill " + std::to_string(fill) + " is impossible for " +
                           std::to_string(page_count) + " pages of " +
                           std::to_string(geometry_.tokens_per_page) + " tokens");
  }
  if (pages == nullptr && page_count > 0) return InvalidArgument("pages is NULL");
  for (uint64_t i = 0; i < page_count; i++) PAGER_RETURN_IF_ERROR(CheckSlot(pages[i], true));
  return Status::Ok();
}

// ---- public mutators ------------------------------------------------------------------

#define PAGER_REFENGINE_NOT_PAUSED()                                                   \
  do {                                                                                 \
    if (paused_) return Status(Code::kBusy, "the reference engine is paused by a snapshot"); \
  } while (0)

Result<uint32_t> RefEngine::AllocPage() {
  std::lock_guard<std::mutex> lock(mu_);
  PAGER_REFENGINE_NOT_PAUSED();
  for (uint32_t s = 0; s < capacity_; s++) {
    if (!occupied_[s]) {
      occupied_[s] = 1;
      occupied_count_++;
      std::vector<uint8_t> zero(geometry_.page_bytes(), 0);
      Copy(s, true, zero.data(), zero.data() + geometry_.k_page_bytes);
      return s;
    }
  }
  return Status(Code::kFull, "all " + std::to_string(capacity_) + " slots are occupied");
}

Status RefEngine::FreePage(uint32_t slot) {
  std::lock_guard<std::mutex> lock(mu_);
  PAGER_REFENGINE_NOT_PAUSED();
  PAGER_RETURN_IF_ERROR(CheckSlot(slot, false));
  if (!occupied_[slot]) {
    return Status(Code::kDoubleFree, "slot " + std::to_string(slot) + " is already free");
  }
  for (const auto& kv : seqs_) {
    for (uint32_t p : kv.second.pages) {
      if (p == slot) {
        return Status(Code::kBusy, "slot " + std::to_string(slot) + " belongs to sequence '" +
                                       kv.first + "'");
      }
    }
  }
  occupied_[slot] = 0;
  occupied_count_--;
  return Status::Ok();
}

Status RefEngine::WritePage(uint32_t slot, const void* k, uint64_t k_bytes, const void* v,
                            uint64_t v_bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  PAGER_REFENGINE_NOT_PAUSED();
  PAGER_RETURN_IF_ERROR(CheckSlot(slot, true));
  PAGER_RETURN_IF_ERROR(CheckLengths(k_bytes, v_bytes));
  Copy(slot, true, const_cast<uint8_t*>(static_cast<const uint8_t*>(k)),
       const_cast<uint8_t*>(static_cast<const uint8_t*>(v)));
  return Status::Ok();
}

Status RefEngine::ReadPage(uint32_t slot, void* k, uint64_t k_bytes, void* v, uint64_t v_bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  PAGER_RETURN_IF_ERROR(CheckSlot(slot, true));
  PAGER_RETURN_IF_ERROR(CheckLengths(k_bytes, v_bytes));
  Copy(slot, false, static_cast<uint8_t*>(k), static_cast<uint8_t*>(v));
  return Status::Ok();
}

Status RefEngine::SetSeq(const std::string& id, const uint32_t* pages, uint64_t page_count,
                         uint32_t fill) {
  std::lock_guard<std::mutex> lock(mu_);
  PAGER_REFENGINE_NOT_PAUSED();
  PAGER_RETURN_IF_ERROR(CheckSeq(pages, page_count, fill));
  SeqState& s = seqs_[id];
  s.pages.assign(pages, pages + page_count);
  s.fill = fill;
  return Status::Ok();
}

Status RefEngine::RemoveSeq(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  PAGER_REFENGINE_NOT_PAUSED();
  if (seqs_.erase(id) == 0) return Status(Code::kNotFound, "no sequence '" + id + "'");
  return Status::Ok();
}

Status RefEngine::GetSeq(const std::string& id, std::vector<uint32_t>* pages, uint32_t* fill) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = seqs_.find(id);
  if (it == seqs_.end()) return Status(Code::kNotFound, "no sequence '" + id + "'");
  *pages = it->second.pages;
  *fill = it->second.fill;
  return Status::Ok();
}

RefEngine::Stats RefEngine::GetStats() {
  std::lock_guard<std::mutex> lock(mu_);
  Stats s;
  s.occupied_pages = occupied_count_;
  s.seq_count = seqs_.size();
  s.paused = paused_;
  return s;
}

uint64_t RefEngine::Fingerprint() {
  std::lock_guard<std::mutex> lock(mu_);
  Hasher h(0x5245464e47494e45ull);
  std::vector<uint8_t> page(geometry_.page_bytes());
  for (const auto& kv : seqs_) {  // std::map: id order
    uint64_t sizes[3] = {kv.first.size(), kv.second.fill, kv.second.pages.size()};
    h.Update(sizes, sizeof sizes);
    h.Update(kv.first.data(), kv.first.size());
    for (uint32_t p : kv.second.pages) {
      Copy(p, false, page.data(), page.data() + geometry_.k_page_bytes);
      h.Update(page.data(), page.size());
    }
  }
  return h.Digest();
}

Status RefEngine::FailCallback(const std::string& name, uint32_t skip, int code) {
  std::lock_guard<std::mutex> lock(mu_);
  if (name.empty()) {
    fail_name_.clear();
    return Status::Ok();
  }
  bool known = false;
  for (const char* n : kCallbackNames) known = known || name == n;
  if (!known) return InvalidArgument("no callback named '" + name + "'");
  if (code == 0) return InvalidArgument("adapter_code must be non-zero");
  fail_name_ = name;
  fail_skip_ = skip;
  fail_code_ = code;
  return Status::Ok();
}

bool RefEngine::Injected(const char* name, int* code) {
  if (fail_name_ != name) return false;
  if (fail_skip_ > 0) {
    fail_skip_--;
    return false;
  }
  fail_name_.clear();
  *code = fail_code_;
  return true;
}

// ---- callbacks ------------------------------------------------------------------------

#define PAGER_REFENGINE_CALLBACK(name)         \
  std::lock_guard<std::mutex> lock(mu_);       \
  do {                                         \
    int injected;                              \
    if (Injected(name, &injected)) return injected; \
  } while (0)

int RefEngine::CbMeta(pager_cache_meta* meta) {
  PAGER_REFENGINE_CALLBACK("meta");
  meta->tokens_per_page = geometry_.tokens_per_page;
  meta->layers = geometry_.layers;
  meta->kv_heads = geometry_.kv_heads;
  meta->head_dim = geometry_.head_dim;
  meta->dtype = geometry_.dtype;
  return 0;
}

int RefEngine::CbPause() {
  PAGER_REFENGINE_CALLBACK("pause");
  if (paused_) return PAGER_ERR_BUSY;
  paused_ = true;
  return 0;
}

int RefEngine::CbResume() {
  PAGER_REFENGINE_CALLBACK("resume");
  if (!paused_) return PAGER_ERR_INVALID;
  paused_ = false;
  return 0;
}

int RefEngine::CbOccupied(pager_cache_sink* sink) {
  PAGER_REFENGINE_CALLBACK("occupied_pages");
  std::vector<uint32_t> pages;
  pages.reserve(occupied_count_);
  for (uint32_t s = 0; s < capacity_; s++) {
    if (occupied_[s]) pages.push_back(s);
  }
  return Code(SinkAddPages(sink, pages.data(), pages.size()));
}

int RefEngine::CbSeqs(pager_cache_sink* sink) {
  PAGER_REFENGINE_CALLBACK("logical_seqs");
  for (const auto& kv : seqs_) {
    Status st = SinkAddSeq(sink, kv.first.data(), static_cast<uint32_t>(kv.first.size()),
                           kv.second.pages.data(), kv.second.pages.size(), kv.second.fill);
    if (!st.ok()) return Code(st);
  }
  return 0;
}

int RefEngine::CbRead(uint32_t page, void* k, uint64_t kb, void* v, uint64_t vb) {
  PAGER_REFENGINE_CALLBACK("read_page");
  if (!paused_) return PAGER_ERR_INVALID;
  Status st = CheckSlot(page, true);
  if (st.ok()) st = CheckLengths(kb, vb);
  if (!st.ok()) return Code(st);
  Copy(page, false, static_cast<uint8_t*>(k), static_cast<uint8_t*>(v));
  return 0;
}

int RefEngine::CbAllocate(uint32_t* slots, uint64_t count) {
  PAGER_REFENGINE_CALLBACK("allocate_pages");
  if (!paused_) return PAGER_ERR_INVALID;
  if (count > capacity_ - occupied_count_) return PAGER_ERR_FULL;
  uint64_t n = 0;
  for (uint32_t s = 0; s < capacity_ && n < count; s++) {
    if (!occupied_[s]) {
      occupied_[s] = 1;
      slots[n++] = s;
    }
  }
  occupied_count_ += static_cast<uint32_t>(count);
  return 0;
}

int RefEngine::CbWrite(uint32_t page, const void* k, uint64_t kb, const void* v, uint64_t vb) {
  PAGER_REFENGINE_CALLBACK("write_page");
  if (!paused_) return PAGER_ERR_INVALID;
  Status st = CheckSlot(page, true);
  if (st.ok()) st = CheckLengths(kb, vb);
  if (!st.ok()) return Code(st);
  Copy(page, true, const_cast<uint8_t*>(static_cast<const uint8_t*>(k)),
       const_cast<uint8_t*>(static_cast<const uint8_t*>(v)));
  return 0;
}

int RefEngine::CbInstall(const pager_logical_seq* seqs, uint64_t count) {
  PAGER_REFENGINE_CALLBACK("install_logical_seqs");
  if (!paused_) return PAGER_ERR_INVALID;
  for (uint64_t i = 0; i < count; i++) {
    std::string id(seqs[i].id, seqs[i].id_bytes);
    if (seqs_.count(id) != 0) return PAGER_ERR_EXISTS;
    Status st = CheckSeq(seqs[i].pages, seqs[i].page_count, seqs[i].fill_last_page);
    if (!st.ok()) return Code(st);
  }
  for (uint64_t i = 0; i < count; i++) {
    SeqState& s = seqs_[std::string(seqs[i].id, seqs[i].id_bytes)];
    s.pages.assign(seqs[i].pages, seqs[i].pages + seqs[i].page_count);
    s.fill = seqs[i].fill_last_page;
  }
  return 0;
}

// Frees slots allocate_pages returned: all of them or none (each must be occupied, listed
// once, and in no sequence -- R1).
int RefEngine::CbRelease(const uint32_t* slots, uint64_t count) {
  PAGER_REFENGINE_CALLBACK("release_pages");
  if (!paused_) return PAGER_ERR_INVALID;
  std::unordered_set<uint32_t> listed;
  for (uint64_t i = 0; i < count; i++) {
    Status st = CheckSlot(slots[i], true);
    if (!st.ok()) return Code(st);
    if (!listed.insert(slots[i]).second) return PAGER_ERR_DUPLICATE;
  }
  for (const auto& kv : seqs_) {
    for (uint32_t p : kv.second.pages) {
      if (listed.count(p) != 0) return PAGER_ERR_BUSY;
    }
  }
  for (uint64_t i = 0; i < count; i++) occupied_[slots[i]] = 0;
  occupied_count_ -= static_cast<uint32_t>(count);
  return 0;
}

// The page as the adapter sees it is K (layer 0..n-1 blocks) then V: 2 * layers segments,
// one per block of the vLLM-like layout, so restore reads straight into the tensors.
int RefEngine::CbPageBuffers(uint32_t slot, pager_page_segment* segments, uint64_t capacity,
                             uint64_t* count) {
  PAGER_REFENGINE_CALLBACK("page_buffers");
  if (!paused_) return PAGER_ERR_INVALID;
  Status st = CheckSlot(slot, true);
  if (!st.ok()) return Code(st);
  uint64_t needed = uint64_t{2} * geometry_.layers;
  *count = needed;
  if (capacity < needed) return 0;  // the library asks again with `needed`
  for (int kind = 0; kind < 2; kind++) {
    for (uint32_t l = 0; l < geometry_.layers; l++) {
      segments[static_cast<uint64_t>(kind) * geometry_.layers + l] = {Block(slot, l, kind), block_bytes_};
    }
  }
  return 0;
}

}  // namespace snapshot
}  // namespace pager
