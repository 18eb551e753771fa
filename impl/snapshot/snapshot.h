// KV-cache snapshot: capture a paged KV cache through an engine adapter (pager_cache_ops)
// into one self-checking file and restore it into a live engine. Format: format.h and
// doc/format/kv-snapshot.md.
//
// Invariants:
//   K1. Every successful pause is followed by exactly one resume, whatever failed in between;
//       the first error is the one reported (capture.cc, restore.cc: WithPause).
//       Capture keeps the engine paused while it reads the engine's state and pages and,
//       unless every page fits in options.copy_out_budget_bytes (then copied out under the
//       pause and written after resume), while it writes the pages to the output.
//   K2. Capture writes to "<dir>/.<name>.tmp-<random>", fsyncs it, renames it over the target
//       and fsyncs the directory; on any failure (or cancellation) the temporary file is
//       removed and the target is untouched.
//   K3. Restore calls no callback before the structure of the file and of every parent of
//       an incremental chain -- header, parent path, trailer, both tables, parent ids -- has
//       passed its checks; the engine is paused only after the geometry matched. The stored
//       bytes of the pages are read once: each batch is verified (checksum; content hash of a
//       decompressed page) before any page of it reaches write_page, so the engine never
//       receives an unverified byte. Damage found there fails the restore with kCorrupt after
//       allocate_pages: K4's release path gives every slot back, no sequence is installed.
//       Verify still reads every blob of every level.
//   K4. Restore writes page i of the snapshot into slots[i], where slots is what
//       allocate_pages returned, and installs sequences whose page lists are rewritten through
//       that same map; it never writes to a slot it was not given. If it fails after
//       allocate_pages succeeded (and its slots passed the checks), release_pages (when set)
//       gets every one of those slots back, once, before resume.
//   K5. Every length read from the file is checked against the file's size before it sizes an
//       allocation; every offset is checked for overflow.
//   K6. A page's content hash is XXH3-128 of its uncompressed K||V bytes; an incremental
//       snapshot stores a page by reference only when the parent's page table lists that hash.
//   K7. Adapter callbacks run only on the calling thread, one at a time; worker threads only
//       hash, compress, decompress and checksum buffers the calling thread owns -- and, with
//       page_buffers (K8), read and decompress into the engine memory it handed out.
//   K8. Zero-copy restore (ops.page_buffers set): after allocate_pages, page_buffers is asked
//       for every slot's segments, which must each be non-empty, add up to the page size and
//       share no byte with any other (kInvalid / kOverlap, K4's release path). Each page is
//       read (or decompressed) straight into its segments and verified there; a page that
//       fails is zeroed in place before K4's release path, so engine memory keeps no byte
//       that failed verification. write_page is never called on this path; sequences are
//       installed only after every page passed, as on the copying path.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "impl/common/status.h"
#include "impl/io/env.h"
#include "pager.h"

namespace pager {
namespace snapshot {

// The cache geometry, validated (every field non-zero, dtype known, page bytes bounded).
struct Geometry {
  uint32_t tokens_per_page = 0;
  uint32_t layers = 0;
  uint32_t kv_heads = 0;
  uint32_t head_dim = 0;
  uint32_t dtype = 0;
  uint64_t k_page_bytes = 0;
  uint64_t v_page_bytes = 0;
  uint64_t page_bytes() const { return k_page_bytes + v_page_bytes; }
};

// Validates a meta and derives the page sizes (kInvalid naming the field).
Result<Geometry> GeometryFromMeta(const pager_cache_meta& meta);
// The geometry as a meta (struct_size = sizeof(pager_cache_meta)).
pager_cache_meta MetaFromGeometry(const Geometry& g);
// What pager_cache_meta_init / pager_snapshot_info_init do: struct_size(s), zeroes elsewhere.
// Shared by the C entry points and the core, which never calls a pager_* entry point.
void InitMeta(pager_cache_meta* meta);
void InitInfo(pager_snapshot_info* info);
uint32_t DtypeBytes(uint32_t dtype);  // 0 for an unknown dtype
const char* DtypeName(uint32_t dtype);
// kMismatch listing every differing field with both values, or ok.
Status CompareGeometry(const Geometry& snap, const Geometry& engine);

struct Seq {
  std::string id;
  uint32_t fill_last_page = 0;
  std::vector<uint32_t> pages;
};

struct Options {
  uint32_t compression = PAGER_SNAPSHOT_COMPRESS_NONE;
  int32_t zstd_level = 3;
  uint32_t threads = 0;  // 0 = min(4, hardware threads)
  bool allow_nonempty = false;
  bool sync_fd = false;
  // Capture: pages are copied out under the pause when all of them fit in this many bytes,
  // and written after resume (0 = off: the engine stays paused while pages are written).
  uint64_t copy_out_budget_bytes = 0;
  std::string parent_path;  // empty = full snapshot
  pager_snapshot_progress_fn progress = nullptr;
  void* progress_ctx = nullptr;
  // Test hooks (not reachable from the C API): a fixed snapshot id instead of a random one;
  // the raw page bytes handled per batch by capture and restore (0 = 32 MiB).
  uint64_t fixed_snapshot_id = 0;
  uint64_t batch_bytes = 0;
  uint64_t BatchBytes() const { return batch_bytes != 0 ? batch_bytes : 32ull << 20; }

  Status Validate() const;
  uint32_t WorkerCount() const;
};

Status Capture(io::Env* env, const pager_cache_ops& ops, const std::string& path,
               const Options& options);
// Streams the snapshot into out from its current offset 0 (sequential writes only).
// parent paths are resolved relative to base_dir.
Status CaptureToFile(io::Env* env, const pager_cache_ops& ops, io::File* out,
                     const std::string& base_dir, const Options& options);
Status Restore(io::Env* env, const pager_cache_ops& ops, const std::string& path,
               const Options& options);
Status Verify(io::Env* env, const std::string& path, const Options& options);
Status Inspect(io::Env* env, const std::string& path, pager_snapshot_info* info);

}  // namespace snapshot
}  // namespace pager
