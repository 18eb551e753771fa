// WalLog: the `<path>-wal` sidecar -- its header, recovery scan, frame appends and the reset
// that starts a new generation. Knows nothing about pages beyond frame headers; WalPager
// layers the page index and the transaction logic on top.
//
// Invariants:
//   L1. Frames [0, frame_count) form a valid chain of the current generation ending in a
//       commit frame (or frame_count == 0). Appends write at the geometry's
//       HeaderOffset(frame_count) (wal_geometry.h, built from the header's format version).
//   L2. last_checksum is the checksum of frame frame_count-1, or the header's for no frames.
//   L3. A generation's salts are never reused: Reset sets salt1 = salt1 + 1 and a fresh random
//       salt2, so no frame of an earlier generation validates (its salts and its chain seed
//       both differ).
//   L4. The file is never truncated below the end of the bytes a commit wrote since the last
//       Reset; after Reset it is truncated only down to keep_bytes (so later commits overwrite
//       blocks that are already written: the cheap kind of fdatasync).
//   L5. After ResetToEmpty the file is zero bytes (synced) and the new generation's header
//       exists only in memory (header_pending_); the next AppendTransaction writes it ahead of
//       its frames, so the commit's one sync makes both durable. Until then a crash leaves a
//       zero-byte file, which Open reports as kNotFound (no sidecar).
//   L6. An append allocates nothing: its frame headers and write slices are kept from append
//       to append (freed after one of more than kKeptAppendScratchFrames frames).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "impl/io/env.h"
#include "impl/wal/wal_format.h"

namespace pager {
namespace wal {

// L6: frames whose headers and slices an append keeps for the next one.
constexpr size_t kKeptAppendScratchFrames = size_t{1} << 14;

class WalLog {
 public:
  // The result of the recovery scan (bounded memory: only the current transaction's frame
  // list is buffered before its commit frame is found).
  struct Sink {
    // A frame of a committed transaction: frame index and page number.
    std::function<void(uint64_t frame_index, uint32_t page_number)> frame;
    // A transaction sealed by the commit frame at last_frame_index: called BEFORE its frames
    // are delivered. Pages >= floor_count that the transaction does not write read as zeros
    // from then on; page_count is the count after it.
    std::function<void(uint64_t last_frame_index, uint32_t page_count, uint32_t floor_count)>
        commit;
  };

  // Why the scan stopped (for tests and the format doc's decision table).
  enum class StopReason { kEndOfFile, kPartialFrame, kSaltMismatch, kChecksumMismatch,
                          kBadFrame };

  // Creates (or truncates) the sidecar and writes a fresh header; syncs file and directory.
  static Status Create(io::Env* env, const std::string& path, uint32_t page_size,
                       uint64_t base_checkpoint_seq, uint64_t file_id,
                       std::unique_ptr<WalLog>* out);
  // Opens an existing sidecar. A file shorter than a header or whose header is all zeros
  // (creation never became durable) is reported as kNotFound so the caller can recreate it.
  static Status Open(io::Env* env, const std::string& path, bool write, uint32_t page_size,
                     std::unique_ptr<WalLog>* out);

  // Scans frames from the start, delivering committed transactions to sink (L1).
  Status Recover(const Sink& sink);

  // One frame to append: page number and page_size bytes of content.
  struct FrameRef {
    uint32_t page_number;
    const uint8_t* body;
  };
  // Appends frames; the last one is the commit frame carrying commit_page_count and
  // commit_floor_count. Does not sync. On failure the file tail is unknown: the caller must
  // poison.
  Status AppendTransaction(const std::vector<FrameRef>& frames, uint32_t commit_page_count,
                           uint32_t commit_floor_count);
  // fdatasync of the sidecar; adds the bytes written since the last sync to *bytes_synced.
  Status Sync(uint64_t* bytes_synced);
  // Starts writeback of frames [first, frame_count) (io E7: a hint; the Sync that follows
  // makes them durable). Its failure is reported.
  Status StartWritebackOfFrames(uint64_t first);
  // Starts a new generation on top of main header copy base_checkpoint_seq (L3, L4), synced.
  Status Reset(uint64_t base_checkpoint_seq, uint64_t keep_bytes, uint64_t* bytes_synced);
  // Starts a new generation (L3) like Reset, but truncates the file to zero bytes and syncs;
  // the header is written with the next append (L5).
  Status ResetToEmpty(uint64_t base_checkpoint_seq);

  // Reads the page body of a frame into dst (page_size bytes).
  Status ReadBody(uint64_t frame_index, uint8_t* dst);
  // Reads frames [first, first+count) (headers and bodies) into dst; all must be valid (L1).
  Status ReadFrames(uint64_t first, uint64_t count, uint8_t* dst);
  // Reads the page bodies of the consecutive frames [first, first + count), frame first + i's
  // into dsts[i] (page_size bytes each), with one scatter read; the frame headers go to the
  // caller's scratch. For a caller that need not hold the WalLog's owner's lock (the
  // background checkpointer, W26): the frames must be committed frames of the current
  // generation (never rewritten, L1). Touches no member but the file and the page size.
  Status ReadCommittedBodies(uint64_t first, uint64_t count, uint8_t* const* dsts,
                             std::vector<uint8_t>* header_scratch) const;

  // A handle that is not the writer learns of committed frames from the shared index
  // (shm_index.h) instead of scanning them: frames [0, count) are valid from now on (L1 is
  // the writer's promise; ReadBody still refuses a frame past the end of the file).
  void AdoptCommittedFrames(uint64_t count) { frame_count_ = count; }

  uint64_t frame_count() const { return frame_count_; }
  uint64_t file_size() const { return file_size_; }
  io::File* file() const { return file_.get(); }  // for the read-only view mapping (W19)
  const WalHeader& header() const { return header_; }
  StopReason stop_reason() const { return stop_reason_; }
  bool has_unsynced_bytes() const { return unsynced_bytes_ > 0; }
  uint64_t prewrite_bytes = 1 << 20;  // zero-fill step when an append passes the file's end

 private:
  WalLog(std::unique_ptr<io::File> file, uint32_t page_size, uint64_t file_size)
      : file_(std::move(file)), page_size_(page_size), file_size_(file_size) {}
  Status WriteHeader(const WalHeader& header);
  Status Prewrite(uint64_t end_offset);
  Status ScanBatch(uint64_t first, uint64_t count, std::vector<uint8_t>* buf, bool* stop,
                   std::vector<std::pair<uint64_t, uint32_t>>* pending, const Sink& sink);

  std::unique_ptr<io::File> file_;
  uint32_t page_size_;
  uint64_t file_size_;
  WalHeader header_{};
  uint64_t frame_count_ = 0;
  uint64_t last_checksum_ = 0;
  uint64_t scan_chain_ = 0;  // chain position of the recovery scan (runs ahead of commits)
  uint64_t unsynced_bytes_ = 0;
  bool header_pending_ = false;  // L5
  std::vector<FrameHeader> header_scratch_;  // L6
  std::vector<io::IoSlice> slice_scratch_;   // L6
  StopReason stop_reason_ = StopReason::kEndOfFile;
};

// A fresh random 32-bit value (salt2 of each generation).
uint32_t RandomSalt();
// Tests only: makes RandomSalt() a deterministic sequence from seed (0 restores the OS source),
// so a failing crash image replays exactly.
void SetDeterministicRandomForTesting(uint64_t seed);
uint64_t RandomFileId();

}  // namespace wal
}  // namespace pager
