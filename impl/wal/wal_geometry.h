// WalGeometry: where frame i of a WAL sidecar lies, for one (format version, page size). The
// one place that knows the frame layout; everything else keeps frame numbers (the in-memory
// and -shm indexes, thresholds in frames) and asks this value for byte offsets.
//
// Invariants:
//   G1. Version 1 (the only version this build writes and reads, wal_format.h kFormatVersion):
//       a 64-byte WAL header, then frames of (32-byte frame header + one page) back to back.
//   G2. Version 2 (issue 13's block-aligned layout, not yet written or accepted by
//       ValidateWalHeader): with P = page size, H = 32 and G = P / H, the WAL header occupies
//       P bytes; group g of G frames starts at P + g * (1 + G) * P with one header block (slot
//       s at s * H) followed by G page bodies, so frame g * G + s has its body at
//       group_start + P + s * P (P-aligned).
//   G3. Both layouts spend P + H bytes per frame on average ((1 + G) * P / G = P + H), so
//       thresholds stated in bytes mean the same number of frames in either.
//   G4. EndOffset(n) is the end of the last byte of frames [0, n) (the header region's end for
//       n == 0); FramesIn(file_bytes) is the largest n with EndOffset(n) <= file_bytes.
#pragma once

#include <algorithm>
#include <cstdint>

#include "impl/wal/wal_format.h"

namespace pager {
namespace wal {

constexpr uint32_t kAlignedFormatVersion = 2;  // G2

class WalGeometry {
 public:
  constexpr WalGeometry(uint32_t format_version, uint32_t page_size)
      : aligned_(format_version >= kAlignedFormatVersion), page_(page_size) {}

  constexpr bool aligned() const { return aligned_; }
  constexpr uint64_t page_bytes() const { return page_; }
  // Bytes before frame 0 (G1, G2).
  constexpr uint64_t HeaderRegionBytes() const { return aligned_ ? page_ : kWalHeaderSize; }
  // Frames per group: G for version 2; version 1 has no groups (one frame per "group").
  constexpr uint64_t FramesPerGroup() const { return aligned_ ? page_ / kFrameHeaderSize : 1; }

  constexpr uint64_t HeaderOffset(uint64_t i) const {
    return aligned_ ? GroupStart(i / FramesPerGroup()) + (i % FramesPerGroup()) * kFrameHeaderSize
                    : kWalHeaderSize + i * (kFrameHeaderSize + page_);
  }
  constexpr uint64_t BodyOffset(uint64_t i) const {
    return aligned_ ? GroupStart(i / FramesPerGroup()) + page_ + (i % FramesPerGroup()) * page_
                    : HeaderOffset(i) + kFrameHeaderSize;
  }
  // G4.
  constexpr uint64_t EndOffset(uint64_t n) const {
    return n == 0 ? HeaderRegionBytes() : BodyOffset(n - 1) + page_;
  }
  // How many of the frames [i, i + n) have bodies in one contiguous run starting at frame i's
  // (version 1: 1, a header separates every two bodies; version 2: up to the group's end).
  constexpr uint64_t ContiguousBodies(uint64_t i, uint64_t n) const {
    return aligned_ ? std::min(n, FramesPerGroup() - i % FramesPerGroup()) : std::min<uint64_t>(n, 1);
  }
  // G4.
  constexpr uint64_t FramesIn(uint64_t file_bytes) const {
    if (file_bytes < HeaderRegionBytes()) return 0;
    const uint64_t past = file_bytes - HeaderRegionBytes();
    if (!aligned_) return past / (kFrameHeaderSize + page_);
    const uint64_t group = (1 + FramesPerGroup()) * page_;
    const uint64_t rem = past % group;
    return past / group * FramesPerGroup() + (rem < page_ ? 0 : (rem - page_) / page_);
  }

 private:
  constexpr uint64_t GroupStart(uint64_t g) const { return page_ + g * (1 + FramesPerGroup()) * page_; }

  bool aligned_;
  uint64_t page_;
};

// G1 pinned: the layout the version-1 golden WAL (tests/golden/wal.db-wal) was written with.
static_assert(WalGeometry(1, 512).BodyOffset(0) == 96, "v1: header, frame header, body");
static_assert(WalGeometry(1, 512).EndOffset(6) == 64 + 6 * 544, "v1: 6 frames of 544 bytes");
static_assert(WalGeometry(1, 4096).HeaderOffset(2) == 64 + 2 * 4128, "v1 frame 2");
// G2 pinned at 4 KiB (G = 128) and 512 B (G = 16) pages.
static_assert(WalGeometry(2, 4096).FramesPerGroup() == 128, "v2: 128 headers per block");
static_assert(WalGeometry(2, 4096).HeaderOffset(0) == 4096, "v2 frame 0 header");
static_assert(WalGeometry(2, 4096).BodyOffset(0) == 8192, "v2 frame 0 body");
static_assert(WalGeometry(2, 4096).BodyOffset(127) == 4096 + 128 * 4096, "v2 frame G-1 body");
static_assert(WalGeometry(2, 4096).HeaderOffset(128) == 4096 + 129 * 4096, "v2 frame G header");
static_assert(WalGeometry(2, 4096).BodyOffset(129) == 4096 + 131 * 4096, "v2 frame G+1 body");
static_assert(WalGeometry(2, 512).FramesPerGroup() == 16, "v2: 16 headers per 512 B block");
static_assert(WalGeometry(2, 512).HeaderOffset(17) == 512 + 17 * 512 + 32, "v2 frame G+1 header");
static_assert(WalGeometry(2, 512).EndOffset(16) == 512 + 17 * 512, "v2: one full group");

}  // namespace wal
}  // namespace pager
