// C shims of the mapped page file (pager_file_*): argument checks, the exception fence and
// nothing else. The logic is in impl/file/.
#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "capi/fence.h"
#include "impl/file/page_file.h"
#include "impl/file/subpages.h"
#include "impl/io/env.h"
#include "pager.h"

using pager::Status;
using pager::file::PageFile;

struct pager_file {
  std::shared_ptr<PageFile> impl;
};

struct pager_file_iter {
  std::shared_ptr<PageFile> file;
  bool protected_ids;
  uint64_t next;
};

namespace capi_file {

// The page copies of one transaction, carved from chunks that double from 4 pages up to 256
// (256 pages of 4 KiB take 7 allocations instead of 256; malloc and free were a fifth of a
// 256-page txn_write loop). A copy's address is stable until the arena is destroyed, so a
// copy the transaction drops (txn_free_page) stays valid until pager_file_txn_free. Copies are
// left uninitialized: each is filled at once by a read, the caller's bytes or zeros.
class CopyArena {
 public:
  explicit CopyArena(uint32_t page_size) : page_size_(page_size) {}

  // A new copy; throws std::bad_alloc (NOMEM at the fence) with the arena unchanged.
  uint8_t* Take() {
    if (used_ == capacity_) {
      size_t pages = capacity_ == 0 ? kFirstChunkPages : std::min(capacity_ * 2, kMaxChunkPages);
      chunks_.reserve(chunks_.size() + 1);
      chunks_.emplace_back(new uint8_t[pages * page_size_]);
      capacity_ = pages;
      used_ = 0;
    }
    return chunks_.back().get() + used_++ * size_t{page_size_};
  }

  // Gives back the copy the last Take returned (an add or allocation that failed).
  void ReturnLast() { used_--; }

 private:
  static constexpr size_t kFirstChunkPages = 4;
  static constexpr size_t kMaxChunkPages = 256;
  uint32_t page_size_;
  std::vector<std::unique_ptr<uint8_t[]>> chunks_;
  size_t used_ = 0;      // copies taken from the last chunk
  size_t capacity_ = 0;  // copies the last chunk holds
};

}  // namespace capi_file

// A write transaction over any number of protected pages (P9, P10 in impl/file/page_file.h).
// Its address is the owner token the file records for the pages it holds.
struct pager_file_txn {
  explicit pager_file_txn(std::shared_ptr<PageFile> f)
      : file(std::move(f)), copies(file->page_size()) {}
  std::shared_ptr<PageFile> file;
  std::mutex mu;  // serializes calls on this transaction (C10); taken before the file's
  capi_file::CopyArena copies;
  // Hashed, not ordered: a transaction of n pages does O(1) work per call (the commit sorts
  // the pages once).
  std::unordered_map<uint64_t, uint8_t*> pages;  // id -> its private copy (in `copies`)
  std::unordered_set<uint64_t> created;  // ids of pages allocated by this transaction (P12)
  std::unordered_set<uint64_t> freed;    // ids of allocated pages this transaction frees
  bool open = true;
};

struct pager_file_subpages {
  std::unique_ptr<pager::file::SubPages> impl;
};

namespace {

// C8: the size of pager_file_options in 0.2, its first version: pinned to its last 0.2 field,
// so appended fields keep it and a field inserted before it fails to compile.
// format_version took the place of 0.2's `uint32_t reserved` (which had to be 0: 0 still means
// the default). Fields since 0.3 are pinned too, so that an insertion fails to compile.
constexpr uint32_t kFileOptionsFirstSize = 40;
static_assert(offsetof(pager_file_options, format_version) + sizeof(uint32_t) ==
                  kFileOptionsFirstSize,
              "pager_file_options: a 0.2 field moved (fields are only ever appended)");
static_assert(offsetof(pager_file_options, journal_lap_bytes) == kFileOptionsFirstSize,
              "pager_file_options: a 0.3 field moved (fields are only ever appended)");
static_assert(sizeof(pager_file_options) >= kFileOptionsFirstSize, "pager_file_options shrank");

// C8 for the result struct: pager_file_stats' first version ends at journal_lap_bytes.
constexpr uint32_t kFileStatsFirstSize = 40;
static_assert(offsetof(pager_file_stats, journal_lap_bytes) + sizeof(uint64_t) ==
                  kFileStatsFirstSize,
              "pager_file_stats: a first-version field moved (fields are only ever appended)");

constexpr uint32_t kDefaultCreatePageSize = 4096;

// pager_file_options.journal_lap_bytes (pager.h): 0 is the core's default lap; a value must be
// in [1 MiB, 2^40]. Below 1 MiB the main file's checkpoint sync would come every few commits
// (format 1 is the better choice then); 2^40 bounds the journal's disk and its replay.
constexpr uint64_t kMinJournalLapBytes = uint64_t{1} << 20;
constexpr uint64_t kMaxJournalLapBytes = uint64_t{1} << 40;
static_assert(pager::file::kJournalLapBytes >= kMinJournalLapBytes &&
                  pager::file::kJournalLapBytes <= kMaxJournalLapBytes,
              "the default lap is in the range pager.h documents");

Status CheckFormatOptions(const pager_file_options& o) {
  if (o.format_version > pager::file::kFormatVersion) {
    return pager::InvalidArgument("pager_file_options.format_version is " +
                                  std::to_string(o.format_version) +
                                  "; it must be 0 (the default), 1 or 2");
  }
  if (o.journal_lap_bytes == 0) return Status::Ok();
  if (o.format_version == pager::file::kFormatVersionUnjournaled) {
    return pager::InvalidArgument(
        "pager_file_options.journal_lap_bytes must be 0 with format_version 1 (a format-1 file "
        "has no journal)");
  }
  if (o.journal_lap_bytes < kMinJournalLapBytes || o.journal_lap_bytes > kMaxJournalLapBytes) {
    return pager::InvalidArgument("pager_file_options.journal_lap_bytes is " +
                                  std::to_string(o.journal_lap_bytes) +
                                  "; it must be 0 (the default, 64 MiB) or in [2^20, 2^40]");
  }
  return Status::Ok();
}

Status ToFileOptions(const pager_file_options* in, bool for_create,
                     pager::file::FileOptions* out) {
  pager_file_options o;
  pager_file_options_init(&o);
  PAGER_RETURN_IF_ERROR(
      capi::ReadOptions(in, &o, "pager_file_options", kFileOptionsFirstSize));
  if (for_create && o.page_size == 0) o.page_size = kDefaultCreatePageSize;
  PAGER_RETURN_IF_ERROR(CheckFormatOptions(o));
  if (o.read_only > 1) return pager::InvalidArgument("pager_file_options.read_only must be 0 or 1");
  if (o.lock_timeout_ms < -1) {
    return pager::InvalidArgument("pager_file_options.lock_timeout_ms must be >= -1");
  }
  if (o.max_size_bytes == 0 || o.max_size_bytes > (uint64_t{1} << 46)) {
    return pager::InvalidArgument("pager_file_options.max_size_bytes must be in [1, 2^46]");
  }
  out->page_size = o.page_size;
  out->max_size_bytes = o.max_size_bytes;
  out->lock_timeout_ms = o.lock_timeout_ms;
  out->initial_page_count = o.initial_page_count;
  out->read_only = o.read_only != 0;
  out->format_version = o.format_version;  // 0: 2 on create, any on open
  out->journal_lap_bytes =
      o.journal_lap_bytes == 0 ? pager::file::kJournalLapBytes : o.journal_lap_bytes;
  return Status::Ok();
}

Status CheckFile(const pager_file* f) { return capi::RequireNonNull(f, "pager_file"); }

Status CheckIds(const uint64_t* ids, uint64_t count, const char* what) {
  return capi::CheckList(ids, count, sizeof(uint64_t), what);
}

Status CheckSubPages(const pager_file_subpages* s) {
  PAGER_RETURN_IF_ERROR(capi::RequireNonNull(s, "pager_file_subpages"));
  return s->impl->CheckOpen();
}

Status CheckTxn(const pager_file_txn* txn) {
  PAGER_RETURN_IF_ERROR(capi::RequireNonNull(txn, "pager_file_txn"));
  return txn->file->CheckOpen();
}

Status CheckTxnOpen(const pager_file_txn* txn) {
  if (!txn->open) return pager::InvalidArgument("the transaction has ended");
  return Status::Ok();
}

// A PAGER_FILE_ADVICE_* value as the I/O seam's advice (kInvalid for any other value).
Status ToAdvice(uint32_t advice, pager::io::Advice* out) {
  switch (advice) {
    case PAGER_FILE_ADVICE_NORMAL:
      *out = pager::io::Advice::kNormal;
      return Status::Ok();
    case PAGER_FILE_ADVICE_RANDOM:
      *out = pager::io::Advice::kRandom;
      return Status::Ok();
    case PAGER_FILE_ADVICE_SEQUENTIAL:
      *out = pager::io::Advice::kSequential;
      return Status::Ok();
    case PAGER_FILE_ADVICE_WILLNEED:
      *out = pager::io::Advice::kWillNeed;
      return Status::Ok();
    case PAGER_FILE_ADVICE_DONTNEED:
      *out = pager::io::Advice::kDontNeed;
      return Status::Ok();
    default:
      return pager::InvalidArgument("advice " + std::to_string(advice) +
                                    " is not a PAGER_FILE_ADVICE_* value");
  }
}

// Holds id in txn with a new copy, filled from the committed content when `read` (txn_add)
// or left for the caller to fill (txn_write); *copy_out is the copy. A page txn already
// holds keeps its copy. On an error the transaction is as before.
Status TxnHold(pager_file_txn* txn, uint64_t id, bool read, uint8_t** copy_out) {
  auto it = txn->pages.find(id);
  if (it != txn->pages.end()) {
    *copy_out = it->second;
    return Status::Ok();
  }
  uint8_t* copy = txn->copies.Take();
  try {
    it = txn->pages.emplace(id, copy).first;
  } catch (...) {  // NOMEM: the transaction is as before
    txn->copies.ReturnLast();
    throw;
  }
  Status st = txn->file->TxnAdd(txn, id, read ? copy : nullptr);
  if (!st.ok()) {
    txn->pages.erase(it);
    txn->copies.ReturnLast();
    return st;
  }
  *copy_out = copy;
  return Status::Ok();
}

}  // namespace

extern "C" {

void pager_file_options_init(pager_file_options* opts) PAGER_NOEXCEPT {
  capi::VoidFence([&] {
    if (opts == nullptr) return;
    std::memset(opts, 0, sizeof *opts);
    opts->struct_size = sizeof *opts;
    opts->page_size = 0;  // 4096 on create, the file's on open
    opts->max_size_bytes = uint64_t{1} << 40;
    opts->lock_timeout_ms = 0;
    opts->initial_page_count = 64;
  });
}

int pager_file_create(const char* path, const pager_file_options* opts,
                      pager_file** out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(path, "path"));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(out, "out"));
    pager::file::FileOptions fo;
    PAGER_RETURN_IF_ERROR(ToFileOptions(opts, true, &fo));
    std::unique_ptr<PageFile> pf;
    PAGER_RETURN_IF_ERROR(PageFile::Create(pager::io::DefaultEnv(), path, fo, &pf));
    *out = new pager_file{std::shared_ptr<PageFile>(std::move(pf))};
    return Status::Ok();
  });
}

int pager_file_open(const char* path, const pager_file_options* opts,
                    pager_file** out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(path, "path"));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(out, "out"));
    pager::file::FileOptions fo;
    PAGER_RETURN_IF_ERROR(ToFileOptions(opts, false, &fo));
    std::unique_ptr<PageFile> pf;
    PAGER_RETURN_IF_ERROR(PageFile::Open(pager::io::DefaultEnv(), path, fo, &pf));
    *out = new pager_file{std::shared_ptr<PageFile>(std::move(pf))};
    return Status::Ok();
  });
}

void pager_file_close(pager_file* f) PAGER_NOEXCEPT {
  capi::VoidFence([&] {
    if (f == nullptr) return;
    f->impl->Close();
    delete f;
  });
}

void pager_file_stats_init(pager_file_stats* stats) PAGER_NOEXCEPT {
  capi::VoidFence([&] {
    if (stats == nullptr) return;
    std::memset(stats, 0, sizeof *stats);
    stats->struct_size = sizeof *stats;
  });
}

int pager_file_get_stats(pager_file* f, pager_file_stats* stats_out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckFile(f));
    PAGER_RETURN_IF_ERROR(capi::CheckResultStruct(stats_out, "pager_file_stats",
                                                  kFileStatsFirstSize));
    PAGER_RETURN_IF_ERROR(f->impl->CheckOpen());
    const PageFile::Stats s = f->impl->stats();
    pager_file_stats full;
    std::memset(&full, 0, sizeof full);
    full.format_version = s.format_version;
    full.syncs = s.syncs;
    full.checkpoints = s.checkpoints;
    full.journal_bytes = s.journal_bytes;
    full.journal_lap_bytes = s.journal_lap_bytes;
    capi::WriteResultStruct(full, stats_out);
    return Status::Ok();
  });
}

int pager_file_page_size(pager_file* f, uint32_t* page_size_out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckFile(f));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(page_size_out, "page_size_out"));
    PAGER_RETURN_IF_ERROR(f->impl->CheckOpen());
    *page_size_out = f->impl->page_size();
    return Status::Ok();
  });
}

int pager_file_page_count(pager_file* f, uint64_t* count_out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckFile(f));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(count_out, "count_out"));
    return f->impl->PageCount(count_out);
  });
}

int pager_file_free_page_count(pager_file* f, uint64_t* count_out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckFile(f));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(count_out, "count_out"));
    return f->impl->FreePageCount(count_out);
  });
}

int pager_file_protected_count(pager_file* f, uint64_t* count_out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckFile(f));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(count_out, "count_out"));
    return f->impl->ProtectedCount(count_out);
  });
}

int pager_file_alloc(pager_file* f, uint64_t* page_id_out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckFile(f));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(page_id_out, "page_id_out"));
    return f->impl->Alloc(page_id_out);
  });
}

int pager_file_alloc_bulk(pager_file* f, uint64_t* page_ids_out, uint64_t count) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckFile(f));
    PAGER_RETURN_IF_ERROR(CheckIds(page_ids_out, count, "page_ids_out"));
    return f->impl->AllocBulk(count, page_ids_out);
  });
}

int pager_file_free(pager_file* f, uint64_t page_id) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckFile(f));
    return f->impl->Free(page_id);
  });
}

int pager_file_free_bulk(pager_file* f, const uint64_t* page_ids, uint64_t count) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckFile(f));
    PAGER_RETURN_IF_ERROR(CheckIds(page_ids, count, "page_ids"));
    return f->impl->FreeBulk(page_ids, count);
  });
}

int pager_file_grow(pager_file* f, uint64_t page_count) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckFile(f));
    return f->impl->Grow(page_count);
  });
}

int pager_file_advise(pager_file* f, uint64_t first_page, uint64_t page_count,
                      uint32_t advice) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckFile(f));
    pager::io::Advice a = pager::io::Advice::kNormal;
    PAGER_RETURN_IF_ERROR(ToAdvice(advice, &a));
    return f->impl->Advise(first_page, page_count, a);
  });
}

int pager_file_page(pager_file* f, uint64_t page_id, void** data_out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckFile(f));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(data_out, "data_out"));
    uint8_t* p = nullptr;
    PAGER_RETURN_IF_ERROR(f->impl->PagePointer(page_id, true, &p));
    *data_out = p;
    return Status::Ok();
  });
}

int pager_file_page_const(pager_file* f, uint64_t page_id, const void** data_out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckFile(f));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(data_out, "data_out"));
    uint8_t* p = nullptr;
    PAGER_RETURN_IF_ERROR(f->impl->PagePointer(page_id, false, &p));
    *data_out = p;
    return Status::Ok();
  });
}

int pager_file_sync_pages(pager_file* f, const uint64_t* page_ids, uint64_t count) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckFile(f));
    PAGER_RETURN_IF_ERROR(CheckIds(page_ids, count, "page_ids"));
    return f->impl->SyncPages(page_ids, count);
  });
}

int pager_file_protected_alloc(pager_file* f, uint64_t* id_out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckFile(f));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(id_out, "id_out"));
    return f->impl->ProtectedAlloc(id_out);
  });
}

int pager_file_protected_alloc_bulk(pager_file* f, uint64_t* ids_out,
                                    uint64_t count) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckFile(f));
    PAGER_RETURN_IF_ERROR(CheckIds(ids_out, count, "ids_out"));
    return f->impl->ProtectedAllocBulk(count, ids_out);
  });
}

int pager_file_protected_free(pager_file* f, uint64_t id) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckFile(f));
    return f->impl->ProtectedFree(id);
  });
}

int pager_file_protected_free_bulk(pager_file* f, const uint64_t* ids,
                                   uint64_t count) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckFile(f));
    PAGER_RETURN_IF_ERROR(CheckIds(ids, count, "ids"));
    return f->impl->ProtectedFreeBulk(ids, count);
  });
}

int pager_file_protected_read(pager_file* f, uint64_t id, void* buf,
                              uint64_t buf_len) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckFile(f));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(buf, "buf"));
    PAGER_RETURN_IF_ERROR(f->impl->CheckOpen());
    PAGER_RETURN_IF_ERROR(capi::RequireExactLength(buf_len, f->impl->page_size(), "buf_len"));
    return f->impl->ProtectedRead(id, buf, buf_len);
  });
}

int pager_file_txn_begin(pager_file* f, pager_file_txn** txn_out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckFile(f));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(txn_out, "txn_out"));
    PAGER_RETURN_IF_ERROR(f->impl->CheckWritable());
    auto txn = std::make_unique<pager_file_txn>(f->impl);
    *txn_out = txn.release();
    return Status::Ok();
  });
}

int pager_file_txn_add(pager_file_txn* txn, uint64_t id, void** data_out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckTxn(txn));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(data_out, "data_out"));
    std::lock_guard<std::mutex> g(txn->mu);
    PAGER_RETURN_IF_ERROR(CheckTxnOpen(txn));
    uint8_t* copy = nullptr;
    PAGER_RETURN_IF_ERROR(TxnHold(txn, id, true, &copy));
    *data_out = copy;
    return Status::Ok();
  });
}

int pager_file_txn_write(pager_file_txn* txn, uint64_t id, const void* buf,
                         uint64_t buf_len) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckTxn(txn));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(buf, "buf"));
    PAGER_RETURN_IF_ERROR(capi::RequireExactLength(buf_len, txn->file->page_size(), "buf_len"));
    std::lock_guard<std::mutex> g(txn->mu);
    PAGER_RETURN_IF_ERROR(CheckTxnOpen(txn));
    uint8_t* copy = nullptr;
    PAGER_RETURN_IF_ERROR(TxnHold(txn, id, false, &copy));
    std::memmove(copy, buf, buf_len);  // buf may be the copy itself (from txn_data)
    return Status::Ok();
  });
}

int pager_file_txn_alloc_page(pager_file_txn* txn, uint64_t* id_out,
                              void** data_out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckTxn(txn));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(id_out, "id_out"));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(data_out, "data_out"));
    std::lock_guard<std::mutex> g(txn->mu);
    PAGER_RETURN_IF_ERROR(CheckTxnOpen(txn));
    uint8_t* copy = txn->copies.Take();
    std::memset(copy, 0, txn->file->page_size());  // a fresh page is all zeros
    uint64_t id = 0;
    Status st = txn->file->TxnAllocId(txn, &id);
    if (!st.ok()) {
      txn->copies.ReturnLast();
      return st;
    }
    try {
      txn->pages.emplace(id, copy);
      txn->created.insert(id);
    } catch (...) {  // NOMEM: give the id back, the transaction is as before
      txn->pages.erase(id);
      txn->copies.ReturnLast();
      static_cast<void>(txn->file->TxnFreeId(txn, id));  // else reserved until txn_free
      throw;
    }
    *id_out = id;
    *data_out = copy;
    return Status::Ok();
  });
}

int pager_file_txn_free_page(pager_file_txn* txn, uint64_t id) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckTxn(txn));
    std::lock_guard<std::mutex> g(txn->mu);
    PAGER_RETURN_IF_ERROR(CheckTxnOpen(txn));
    if (txn->freed.count(id) != 0) {
      return Status(pager::Code::kDoubleFree,
                    "protected page " + std::to_string(id) + " is already freed by this transaction");
    }
    bool created = txn->created.count(id) != 0;
    if (!created) txn->freed.insert(id);
    Status st = txn->file->TxnFreeId(txn, id);
    if (!st.ok()) {
      txn->freed.erase(id);
      return st;
    }
    txn->pages.erase(id);  // its copy stays valid in the arena until txn_free
    txn->created.erase(id);
    return Status::Ok();
  });
}

int pager_file_txn_data(pager_file_txn* txn, uint64_t id, void** data_out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckTxn(txn));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(data_out, "data_out"));
    std::lock_guard<std::mutex> g(txn->mu);
    PAGER_RETURN_IF_ERROR(CheckTxnOpen(txn));
    auto it = txn->pages.find(id);
    if (it == txn->pages.end()) {
      return Status(pager::Code::kNotFound,
                    "protected page " + std::to_string(id) + " is not in the transaction");
    }
    *data_out = it->second;
    return Status::Ok();
  });
}

int pager_file_txn_page_size(pager_file_txn* txn, uint32_t* page_size_out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckTxn(txn));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(page_size_out, "page_size_out"));
    *page_size_out = txn->file->page_size();
    return Status::Ok();
  });
}

int pager_file_txn_page_count(pager_file_txn* txn, uint64_t* count_out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckTxn(txn));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(count_out, "count_out"));
    std::lock_guard<std::mutex> g(txn->mu);
    *count_out = txn->open ? txn->pages.size() + txn->freed.size() : 0;
    return Status::Ok();
  });
}

int pager_file_txn_commit(pager_file_txn* txn) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(txn, "pager_file_txn"));
    std::lock_guard<std::mutex> g(txn->mu);
    PAGER_RETURN_IF_ERROR(CheckTxnOpen(txn));
    std::vector<PageFile::TxnPage> pages;
    pages.reserve(txn->pages.size());
    for (const auto& p : txn->pages) pages.push_back({p.first, p.second});
    txn->open = false;  // ends whether the commit succeeds or not
    return txn->file->TxnCommit(txn, pages);  // P9: one critical section
  });
}

void pager_file_txn_free(pager_file_txn* txn) PAGER_NOEXCEPT {
  capi::VoidFence([&] {
    if (txn == nullptr) return;
    if (txn->open) txn->file->TxnRelease(txn);
    delete txn;
  });
}

int pager_file_iter_pages(pager_file* f, pager_file_iter** it_out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckFile(f));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(it_out, "it_out"));
    PAGER_RETURN_IF_ERROR(f->impl->CheckOpen());
    *it_out = new pager_file_iter{f->impl, false, 0};
    return Status::Ok();
  });
}

int pager_file_iter_protected(pager_file* f, pager_file_iter** it_out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckFile(f));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(it_out, "it_out"));
    PAGER_RETURN_IF_ERROR(f->impl->CheckOpen());
    *it_out = new pager_file_iter{f->impl, true, 1};
    return Status::Ok();
  });
}

int pager_file_iter_next(pager_file_iter* it, uint64_t* id_out, uint32_t* found_out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(it, "it"));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(id_out, "id_out"));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(found_out, "found_out"));
    uint64_t id = 0;
    bool found = false;
    PAGER_RETURN_IF_ERROR(it->file->CheckOpen());
    if (it->next != UINT64_MAX) {
      PAGER_RETURN_IF_ERROR(it->protected_ids ? it->file->NextProtected(it->next, &id, &found)
                                              : it->file->NextRegular(it->next, &id, &found));
    }
    *found_out = found ? 1 : 0;
    if (found) {
      *id_out = id;
      it->next = id + 1;
    }
    return Status::Ok();
  });
}

void pager_file_iter_free(pager_file_iter* it) PAGER_NOEXCEPT {
  capi::VoidFence([&] { delete it; });
}

int pager_file_subpages_create(pager_file* f, uint32_t sub_page_size,
                               pager_file_subpages** out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckFile(f));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(out, "out"));
    std::unique_ptr<pager::file::SubPages> s;
    PAGER_RETURN_IF_ERROR(pager::file::SubPages::Create(f->impl, sub_page_size, &s));
    *out = new pager_file_subpages{std::move(s)};
    return Status::Ok();
  });
}

void pager_file_subpages_free(pager_file_subpages* s) PAGER_NOEXCEPT {
  capi::VoidFence([&] { delete s; });
}

int pager_file_subpages_sub_page_size(pager_file_subpages* s, uint32_t* size_out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckSubPages(s));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(size_out, "size_out"));
    *size_out = s->impl->sub_page_size();
    return Status::Ok();
  });
}

int pager_file_subpages_slot_count(pager_file_subpages* s, uint32_t* count_out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckSubPages(s));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(count_out, "count_out"));
    *count_out = s->impl->slots_per_parent();
    return Status::Ok();
  });
}

int pager_file_subpage_alloc(pager_file_subpages* s, uint64_t* id_out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckSubPages(s));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(id_out, "id_out"));
    return s->impl->Alloc(id_out);
  });
}

int pager_file_subpage_alloc_bulk(pager_file_subpages* s, uint64_t* ids_out,
                                  uint64_t count) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckSubPages(s));
    PAGER_RETURN_IF_ERROR(CheckIds(ids_out, count, "ids_out"));
    return s->impl->AllocBulk(count, ids_out);
  });
}

int pager_file_subpage_free(pager_file_subpages* s, uint64_t id) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckSubPages(s));
    return s->impl->Free(id);
  });
}

int pager_file_subpage_free_bulk(pager_file_subpages* s, const uint64_t* ids,
                                 uint64_t count) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckSubPages(s));
    PAGER_RETURN_IF_ERROR(CheckIds(ids, count, "ids"));
    return s->impl->FreeBulk(ids, count);
  });
}

int pager_file_subpage_mark_used(pager_file_subpages* s, const uint64_t* ids,
                                 uint64_t count) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckSubPages(s));
    PAGER_RETURN_IF_ERROR(CheckIds(ids, count, "ids"));
    return s->impl->MarkUsed(ids, count);
  });
}

int pager_file_subpage(pager_file_subpages* s, uint64_t id, void** data_out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckSubPages(s));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(data_out, "data_out"));
    uint8_t* p = nullptr;
    PAGER_RETURN_IF_ERROR(s->impl->Pointer(id, true, &p));
    *data_out = p;
    return Status::Ok();
  });
}

int pager_file_subpage_const(pager_file_subpages* s, uint64_t id,
                             const void** data_out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckSubPages(s));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(data_out, "data_out"));
    uint8_t* p = nullptr;
    PAGER_RETURN_IF_ERROR(s->impl->Pointer(id, false, &p));
    *data_out = p;
    return Status::Ok();
  });
}

int pager_file_subpage_count(pager_file_subpages* s, uint64_t* count_out) PAGER_NOEXCEPT {
  return capi::Fence([&]() -> Status {
    PAGER_RETURN_IF_ERROR(CheckSubPages(s));
    PAGER_RETURN_IF_ERROR(capi::RequireNonNull(count_out, "count_out"));
    *count_out = s->impl->Count();
    return Status::Ok();
  });
}

}  // extern "C"
