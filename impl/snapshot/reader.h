// Reading and checking snapshot files (K3, K5), and resolving incremental chains.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "impl/common/status.h"
#include "impl/io/env.h"
#include "impl/snapshot/format.h"
#include "impl/snapshot/snapshot.h"

namespace pager {
namespace snapshot {

using ContentHash = std::pair<uint64_t, uint64_t>;  // (lo, hi) of XXH3-128

// Progress accounting shared by the phases of one operation.
class Progress {
 public:
  Progress(const Options& o, uint64_t total) : options_(o), total_(total) {}
  // Adds bytes and reports; kCancelled if the callback asked to stop and cancellable.
  Status Advance(uint64_t bytes, bool cancellable = true);

 private:
  const Options& options_;
  uint64_t total_;
  uint64_t done_ = 0;
};

// Where a blob failed its check (pager_snapshot_check's byte offset): the file and the
// offset of the damaged entry's stored bytes; the lowest such offset when workers race.
struct BlobDamage {
  std::string file;
  uint64_t offset = UINT64_MAX;
};

// One snapshot file whose header, parent path, trailer and tables passed their checks.
class SnapshotFile {
 public:
  // Opens path and checks everything but the page blobs.
  static Status Open(io::Env* env, const std::string& path, std::unique_ptr<SnapshotFile>* out);

  const Header& header() const { return header_; }
  const Geometry& geometry() const { return geometry_; }
  const std::string& path() const { return path_; }
  const std::string& parent_path() const { return parent_path_; }
  uint64_t file_bytes() const { return file_bytes_; }
  const std::vector<PageEntry>& pages() const { return pages_; }
  const std::vector<Seq>& seqs() const { return seqs_; }  // pages = page-table positions
  uint64_t stored_blob_bytes() const;

  // Reads every stored blob and checks its checksum; compressed blobs must also decompress to
  // exactly one page with their content hash (workers threads).
  // damage (may be null) receives where the first failing blob is.
  Status VerifyBlobs(uint32_t workers, Progress* progress, BlobDamage* damage = nullptr);
  // The uncompressed K||V bytes of stored entry i into dst (page_bytes long).
  Status ReadContent(size_t i, uint8_t* dst, std::vector<uint8_t>* scratch);
  // The same bytes straight into engine memory (segments: page_bytes in total), verified
  // there; on failure the segments hold unverified bytes (the caller zeroes them).
  Status ReadContentInto(size_t i, const pager_page_segment* segments, size_t count,
                         std::vector<uint8_t>* scratch);

 private:
  Status ParseHeader();
  Status ParseTrailer(Trailer* trailer);
  Status ParsePageTable(const Trailer& trailer);
  Status ParseSeqTable(const Trailer& trailer);
  Status CheckEntry(size_t i, uint64_t* next_offset) const;
  // Decompresses stored entry i into dst (page_bytes) and checks size and content hash.
  Status CheckDecompressed(size_t i, const uint8_t* stored, uint8_t* dst) const;
  Status DecompressInto(size_t i, const uint8_t* stored, const pager_page_segment* segments,
                        size_t count) const;
  Status Corrupt(const std::string& what) const;

  std::string path_;
  std::unique_ptr<io::File> file_;
  uint64_t file_bytes_ = 0;
  Header header_{};
  Geometry geometry_;
  std::string parent_path_;
  uint64_t data_offset_ = 0;
  std::vector<PageEntry> pages_;
  std::vector<Seq> seqs_;
};

// Resolves the parent path stored in a snapshot against the snapshot's own directory.
std::string ResolveParentPath(const std::string& child_dir, const std::string& parent_path);

// A snapshot and its parents, each verified, with every page of the first resolved to the
// file (level) and entry that holds its bytes.
class Chain {
 public:
  // Opens path and every parent (at most kMaxChainDepth), checking their structure, ids and
  // geometry, and resolves every page; VerifyAll then checks every blob of every level.
  static Status Load(io::Env* env, const std::string& path, std::unique_ptr<Chain>* out);
  const SnapshotFile& top() const { return *levels_[0]; }
  size_t depth() const { return levels_.size(); }
  uint64_t VerifyBytes() const;
  Status VerifyAll(uint32_t workers, Progress* progress, BlobDamage* damage = nullptr);
  // The uncompressed bytes of page i of the top snapshot, verified as they are read (the
  // stored checksum, and for a compressed page its content hash): kCorrupt otherwise.
  Status ReadPage(size_t i, uint8_t* dst, std::vector<uint8_t>* scratch);
  // ReadPage into engine memory (page_buffers): the segments, in order, receive the page.
  Status ReadPageInto(size_t i, const pager_page_segment* segments, size_t count,
                      std::vector<uint8_t>* scratch);
  // Stored bytes of page i of the top snapshot (what ReadPage reads and verifies).
  uint64_t StoredBytes(size_t i) const;

 private:
  Status Resolve();
  std::vector<std::unique_ptr<SnapshotFile>> levels_;
  std::vector<std::pair<uint32_t, uint32_t>> where_;  // per top page: (level, entry)
};

// The content hashes of every page of a snapshot (for an incremental capture). The parent's
// structure is checked (SnapshotFile::Open), its blobs are not.
Status LoadParentHashes(io::Env* env, const std::string& path, Geometry* geometry,
                        uint64_t* snapshot_id, std::vector<ContentHash>* hashes);

}  // namespace snapshot
}  // namespace pager
