// ScanFrames: every frame of a WAL pager's "-wal" sidecar as it lies on disk, for
// pager_wal_scan_frames (pagerctl dump of a frame). Read-only and lock-free: it opens the
// sidecar without write access, never the main file, and creates nothing.
//
// Invariants:
//   FS1. One parser: the sidecar header is validated by ValidateWalHeader, each frame by
//        CheckFrame / FrameWellFormed (wal_format.h), and which frames are committed is
//        decided by WalLog::Recover itself -- the scan an open runs -- never re-derived here.
//   FS2. States partition the frames in order: [0, committed) COMMITTED, [committed,
//        chain_end) UNCOMMITTED, [chain_end, slots) BEYOND. chain_end is the first frame past
//        the committed prefix that fails CheckFrame, or the committed prefix's end itself when
//        a commit frame that passes CheckFrame follows it (recovery rejected that transaction
//        by a transaction-level rule, so nothing after the prefix is trusted).
//   FS3. Memory is one batch of frames (kScanBatchFrames), whatever the sidecar's size; a
//        frame's page bytes are valid only during its callback.
//   FS4. Every frame in [first_frame, first_frame + max_frames) ∩ [0, slots) is delivered
//        exactly once, in index order, unless the callback stops the scan.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "impl/common/status.h"
#include "impl/io/env.h"
#include "impl/wal/wal_format.h"

namespace pager {
namespace wal {

struct ScanOptions {
  uint64_t first_frame = 0;
  uint64_t max_frames = UINT64_MAX;
};

enum class FrameState { kCommitted = 0, kUncommitted = 1, kBeyond = 2 };

struct ScannedFrame {
  uint64_t index = 0;
  uint64_t offset_bytes = 0;
  FrameHeader header{};
  FrameState state = FrameState::kBeyond;
  bool salts_match = false;
  bool checksum_valid = false;
  bool well_formed = false;
  uint64_t computed_checksum = 0;
  const uint8_t* page = nullptr;  // page_bytes bytes, valid during the callback (FS3)
  uint32_t page_bytes = 0;        // the sidecar's page size
};

struct ScanSummary {
  std::string wal_path;        // the sidecar that was scanned
  bool has_header = false;     // false: shorter than a header or all zeros (no frames)
  WalHeader header{};
  uint64_t file_bytes = 0;
  uint64_t frame_slots = 0;    // whole frames in the file
  uint64_t committed_frames = 0;
  uint64_t chain_frames = 0;   // committed + uncommitted (FS2's chain_end)
  uint64_t trailing_bytes = 0; // past the last whole frame
};

// A non-ok Status stops the scan and is returned as is.
using FrameFn = std::function<Status(const ScannedFrame&)>;

// The sidecar of path: path itself when its name ends in "-wal" or its first bytes are the
// sidecar's magic, else path + "-wal".
Status SidecarPathOf(io::Env* env, const std::string& path, std::string* wal_path);

// Scans the sidecar of path (SidecarPathOf). fn may be empty (summary only). *summary is
// written on success only.
Status ScanFrames(io::Env* env, const std::string& path, const ScanOptions& options,
                  const FrameFn& fn, ScanSummary* summary);

}  // namespace wal
}  // namespace pager
