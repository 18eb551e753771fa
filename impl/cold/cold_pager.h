// ColdPager: pages cold byte ranges out of RAM and reads any set of ranges back.
// The C API (capi/cold.cc) wraps one instance per pager_cold (pager_cold_open, on the Env
// that io::DefaultEnv() is at that moment); tests build instances on a MemEnv/FaultEnv.
// Semantics: doc/cold-pager.md.
//
// Invariants:
//   C1. A handle's logical content is its chunks concatenated; len() never changes, and its
//       backend (kSwap or kFile) is fixed when it is created. A file-backend pageout that fell
//       back to memory (PageoutOptions::fallback_to_memory) is a kSwap handle.
//   C2. Swap handles keep bytes in Buffers (library memory, or caller buffers adopted with
//       their free function) advised MADV_COLD on whole interior pages; file handles keep one
//       extent of one shared scratch file holding the bytes contiguously.
//   C3. Every read validates the whole request first (ranges.h R1-R4); a failed request reads
//       and writes nothing in dst.
//   C4. Reads never mutate a handle: any number of threads may read one handle concurrently.
//       Take and Free consume it: the caller must not race them with reads of that handle.
//   C5. Scratch space of a handle is returned exactly once: when it is freed or taken (never
//       both -- a successful take leaves nothing to free).
//   C6. With checksums, every chunk of a file handle has an XXH3-64 computed from the caller's
//       bytes before the write; every read verifies each chunk it touches in full, so bytes
//       that changed on the scratch device are kCorrupt, never silent garbage.
//   C7. The scratch directory is set at most once per ColdPager: a failed attempt leaves it
//       unset (retryable); the same path again is ok; a different path is kExists.
//   C8. Statistics are counters updated with relaxed atomics: each is exact once the calls
//       that change it have returned.
//   C9. A ColdPager's state (configuration, scratch store, counters) lives in a ColdCore that
//       the ColdPager and each of its handles share: handles outlive their ColdPager and stay
//       readable until freed; the scratch directory is removed when the last of them goes.
//       Nothing is shared between two ColdPagers (no global state).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "impl/cold/ranges.h"
#include "impl/cold/scratch_store.h"
#include "impl/common/status.h"
#include "impl/io/env.h"

namespace pager {
namespace cold {

enum class Backend : uint32_t { kSwap = 1, kFile = 2 };
const char* BackendName(Backend b);

// Frees a caller buffer the library adopted (same shape as pager_cold_free_fn).
using FreeFn = void (*)(void* ctx, void* data, uint64_t len);

// A move-only owned byte buffer: library memory (free_fn null) or an adopted caller buffer.
class Buffer {
 public:
  Buffer() = default;
  ~Buffer() { Reset(); }
  Buffer(Buffer&& o) noexcept { *this = std::move(o); }
  Buffer& operator=(Buffer&& o) noexcept;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  // Library memory of len bytes (page-aligned from one page up); kNoMem on failure.
  static Result<Buffer> Allocate(uint64_t len);
  static Buffer Adopt(void* data, uint64_t len, FreeFn free_fn, void* ctx);

  uint8_t* data() const { return data_; }
  uint64_t len() const { return len_; }
  bool adopted() const { return free_fn_ != nullptr; }
  void Reset();

 private:
  uint8_t* data_ = nullptr;
  uint64_t len_ = 0;
  FreeFn free_fn_ = nullptr;
  void* ctx_ = nullptr;
};

struct Chunk {
  const void* data;
  uint64_t len;
};

struct OwnedChunk {
  void* data;
  uint64_t len;
  FreeFn free_fn;
  void* ctx;
};

struct PageoutOptions {
  bool checksums = false;           // C6 (file backend)
  bool fallback_to_memory = false;  // C1: a failed scratch write keeps the bytes in memory
};

struct BackendStats {
  uint64_t live_handle_count = 0;
  uint64_t live_bytes = 0;
  uint64_t pageout_count = 0;
  uint64_t paged_out_bytes = 0;
  uint64_t paged_in_bytes = 0;  // returned by reads and takes
  uint64_t read_count = 0;      // storage reads: one per coalesced run (file), per memcpy (swap)
};

struct Stats {
  BackendStats swap;
  BackendStats file;
  uint64_t scratch_allocated_bytes = 0;  // extents in use by handles in scratch files
  uint64_t scratch_retained_bytes = 0;   // freed extents kept for reuse (D5)
  uint64_t scratch_file_bytes = 0;       // scratch file lengths (freed holes included)
  uint64_t scratch_file_count = 0;
  uint64_t punch_count = 0;
  uint64_t truncate_count = 0;
  uint64_t retained_extent_count = 0;
  uint64_t fallback_count = 0;
  uint64_t write_error_count = 0;
  uint64_t release_error_count = 0;
  uint64_t checksum_failure_count = 0;
  uint64_t stale_dir_removed_count = 0;
};

struct ColdPagerConfig {
  uint32_t scratch_file_count = 4;  // shared scratch files (D3); pageouts rotate over them
  uint64_t extent_align_bytes = 4096;   // X1
  // D5: freed blocks each scratch file keeps for reuse instead of punching them at once.
  uint64_t per_file_retain_bytes = 1u << 20;
  size_t max_ranges_per_read = 1024;  // R6: slices per scatter read (IOV_MAX)
};

class ColdCore;  // the shared state (C9), defined in cold_pager.cc

class Handle {
 public:
  ~Handle();  // frees the storage (C5)
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  uint64_t len() const { return len_; }
  Backend backend() const { return backend_; }
  bool fell_back() const { return fell_back_; }
  bool has_checksums() const { return !sums_.empty(); }
  size_t buffer_count() const { return buffers_.size(); }
  // File handles: where the bytes are (tests use it to damage them).
  const ScratchStore::Extent& extent() const { return extent_; }

 private:
  friend class ColdCore;
  friend class ColdPager;
  struct ChunkSum {
    uint64_t offset;
    uint64_t len;
    uint64_t sum;
  };
  Handle(std::shared_ptr<ColdCore> core, Backend backend, uint64_t len);

  std::shared_ptr<ColdCore> core_;  // C9: keeps the pager's state alive
  Backend backend_;
  uint64_t len_;
  bool fell_back_ = false;
  bool counted_ = false;  // counted in the live statistics (ColdCore::Finish)
  bool has_extent_ = false;
  std::vector<Buffer> buffers_;   // swap (C2)
  std::vector<uint64_t> starts_;  // logical offset of each buffer
  ScratchStore::Extent extent_;   // file (C2)
  std::vector<ChunkSum> sums_;    // file with checksums (C6)
};

class ColdPager {
 public:
  explicit ColdPager(io::Env* env, ColdPagerConfig config = ColdPagerConfig());
  ~ColdPager();  // C9: live handles keep the state (and the scratch directory) until freed
  ColdPager(const ColdPager&) = delete;
  ColdPager& operator=(const ColdPager&) = delete;

  void SetDefaultBackend(Backend b);
  Backend default_backend() const;

  // C7. Also removes stale directories of dead processes under root (D2).
  Status SetScratchDir(const std::string& root);
  // The private directory, or "" before SetScratchDir succeeded.
  std::string scratch_dir() const;

  // Copies chunks (any may be empty) into a new handle. Empty input: an empty handle, no I/O.
  Result<std::unique_ptr<Handle>> Pageout(Backend backend, const Chunk* chunks, size_t count,
                                          const PageoutOptions& options);
  // Adopts caller buffers: on success each is freed through its free_fn exactly once (file
  // backend: before returning; swap: when the handle or a taken buffer is freed). On failure
  // none is freed and the caller still owns them all.
  Result<std::unique_ptr<Handle>> PageoutOwned(Backend backend, const OwnedChunk* chunks,
                                               size_t count, const PageoutOptions& options);

  // Reads and takes act on the handle's own pager state (C9): they need no ColdPager.
  static Status ReadAt(const Handle& h, uint64_t offset, uint64_t len, void* dst);
  static Status ReadAtMany(const Handle& h, const Range* ranges, size_t count, void* dst,
                           uint64_t dst_len);
  // Copies everything to dst and frees *h (set to null) on success; on failure *h is intact.
  static Status Take(std::unique_ptr<Handle>* h, void* dst, uint64_t dst_len);
  // Returns everything as one buffer; a swap handle of one buffer gives that buffer itself
  // (a move: no copy). Frees *h on success; on failure *h is intact.
  static Result<Buffer> TakeBuffer(std::unique_ptr<Handle>* h);

  Stats GetStats() const;
  // Extent bookkeeping of the scratch files (tests, fuzzing).
  Status CheckInvariants() const;

 private:
  std::shared_ptr<ColdCore> core_;
};

}  // namespace cold
}  // namespace pager
