// ShmIndex: the WAL pager's shared index, the file `<main>-shm` mapped shared by every handle
// of every process that has the database open (doc/format/wal-pager.md "Shared index"). It
// carries what a handle needs to read beside a writer in another handle or process: the
// header of the last commit (WAL generation, committed frame count, page counts, app header,
// backfill progress), the page number and commit fields of every committed frame of the
// current generation, and one read mark per reader slot. It is a cache of the WAL: never
// synced, rebuilt from the WAL after any crash and whenever its header cannot be believed.
//
// Invariants:
//   X1. The header is published as two copies: the writer writes copy A, then (after a
//       release fence) copy B; a reader loads B, then (after an acquire fence) A, and believes
//       them only if they are byte-equal and the checksum holds (unequal copies are retried,
//       yielding the CPU after kShmHeaderRetries tries, for up to kShmHeaderWaitUs: a
//       publisher preempted between the copies). Reading in the opposite order
//       of the writer means equal copies were both fully written by one publish. A reader
//       that validated a header believes it again without loading the copies while B's
//       checksum word and A's checksum, generation and epoch words still hold its values
//       (StillLastValid): the checksum covers every other byte, and a publish in progress is
//       then only not seen yet. A caller that kept a validated header's ShmStamp re-checks it
//       with the same four loads (StillStamped; W27 in wal_pager.h).
//   X2. Frames [0, max_frame) of the frame array are valid for the header's generation: the
//       writer stores them before it publishes the header that counts them.
//   X3. The file is grown by writing zeros in kShmGrowBytes chunks before a mapping covers
//       them (never ftruncate alone: a mapped hole would be SIGBUS on a full disk); a failed
//       grow is that call's kNoSpace/kIo and changes nothing already published.
//   X4. A read-mark slot belongs to the handle that holds its lock byte (kSlotLockBase + i of
//       the index file, through the handle's own open file description) exclusive; a slot whose byte can be locked is dead and its value is
//       ignored (kill -9 drops the lock: dead readers are reclaimed without timeouts).
//   X5. Every word other handles may read or write concurrently (header copies, frames,
//       slots) is accessed with 8-byte atomic loads and stores; the mapping is page aligned.
//       Slot stores are release stores (the reads made under the mark they replace come
//       first); a reader that raises its mark fences seq_cst before it re-checks the epoch.
//   X6. Nothing here is ever fsynced; the format version and the file id guard against a
//       stale file of another database or library version (both mean "rebuild").
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "impl/io/env.h"
#include "impl/wal/wal_format.h"

namespace pager {
namespace wal {

// The index of the main file at path: path + "-shm".
std::string ShmPath(const std::string& path);

constexpr char kShmMagic[8] = {'L', 'P', 'A', 'G', 'E', 'R', 'S', 'H'};
constexpr uint32_t kShmVersion = 1;
constexpr uint32_t kShmHeaderCopySize = 320;
constexpr uint64_t kShmSeed = 0x4C50414745525348ull;  // "LPAGERSH"

struct ShmHeader {
  char magic[8];                 // kShmMagic
  uint32_t format_version;       // kShmVersion
  uint32_t page_size;            // the database's
  uint64_t file_id;              // the main file's file_id
  uint32_t salt1;                // the WAL generation's salts (its header's)
  uint32_t salt2;
  uint64_t generation;           // +1 per WAL reset; read marks carry its low 23 bits
  uint64_t max_frame;            // committed frames of this generation (mxFrame)
  uint32_t page_count;           // after the last commit (page 0 included)
  uint32_t main_valid_count;     // W3 of the last commit
  uint64_t backfilled;           // frames [0, backfilled) are copied into the main file
  uint64_t checkpoint_epoch;     // +1 before each checkpoint scans the read marks
  uint64_t change_counter;       // +1 per publish
  uint64_t main_checkpoint_seq;  // the main header copy this generation applies on top of
  uint32_t main_page_count;      // page count in the main file's valid header copy
  uint32_t reserved0;            // 0
  uint64_t reserved[3];          // 0
  uint64_t checksum;             // Checksum64 of bytes [0, 120) and app_header, seed kShmSeed
  uint8_t app_header[kAppHeaderSize];  // of the last commit
};
static_assert(sizeof(ShmHeader) == kShmHeaderCopySize, "shm header copy is 320 bytes");
static_assert(offsetof(ShmHeader, format_version) == 8, "layout");
static_assert(offsetof(ShmHeader, page_size) == 12, "layout");
static_assert(offsetof(ShmHeader, file_id) == 16, "layout");
static_assert(offsetof(ShmHeader, salt1) == 24, "layout");
static_assert(offsetof(ShmHeader, salt2) == 28, "layout");
static_assert(offsetof(ShmHeader, generation) == 32, "layout");
static_assert(offsetof(ShmHeader, max_frame) == 40, "layout");
static_assert(offsetof(ShmHeader, page_count) == 48, "layout");
static_assert(offsetof(ShmHeader, main_valid_count) == 52, "layout");
static_assert(offsetof(ShmHeader, backfilled) == 56, "layout");
static_assert(offsetof(ShmHeader, checkpoint_epoch) == 64, "layout");
static_assert(offsetof(ShmHeader, change_counter) == 72, "layout");
static_assert(offsetof(ShmHeader, main_checkpoint_seq) == 80, "layout");
static_assert(offsetof(ShmHeader, main_page_count) == 88, "layout");
static_assert(offsetof(ShmHeader, checksum) == 120, "layout");
static_assert(offsetof(ShmHeader, app_header) == 128, "layout");
static_assert(sizeof(ShmHeader) % 8 == 0, "copied as 8-byte words (X5)");

// One committed frame of the current generation (the WAL frame header minus salts and
// checksum): what another handle needs to index it without reading the WAL.
struct ShmFrame {
  uint32_t page_number;
  uint32_t commit_page_count;   // 0 inside a transaction, else the commit frame's
  uint32_t commit_floor_count;  // commit frames only
  uint32_t reserved;            // 0
};
static_assert(sizeof(ShmFrame) == 16, "shm frame entry is 16 bytes");
static_assert(offsetof(ShmFrame, commit_page_count) == 4, "layout");
static_assert(offsetof(ShmFrame, commit_floor_count) == 8, "layout");

// File layout: copy A at 0, copy B at 320, read-mark slots at 1024 (8 bytes each), frame
// entries from 4096.
constexpr uint64_t kShmCopyAOffset = 0;
constexpr uint64_t kShmCopyBOffset = kShmHeaderCopySize;
constexpr uint64_t kShmSlotsOffset = 1024;
constexpr uint32_t kShmReadSlots = 256;  // read-only handles with live marks at once
constexpr uint64_t kShmFramesOffset = 4096;
constexpr uint64_t kShmGrowBytes = 64 * 1024;     // X3: the file grows by this much
constexpr uint64_t kShmReserveBytes = 1ull << 30;  // address space per mapping (67M frames)
static_assert(kShmCopyBOffset + kShmHeaderCopySize <= kShmSlotsOffset, "layout");
static_assert(kShmSlotsOffset + 8 * kShmReadSlots <= kShmFramesOffset, "layout");
static_assert(kShmFramesOffset % 8 == 0 && kShmGrowBytes % 4096 == 0, "layout");

// A read-mark slot's value (8 bytes): bit 63 set = a snapshot is pinned; bits 40..62 the low
// 23 bits of its generation; bits 0..39 its mark (frames [0, mark) visible; 0 = main file
// only). 0 = idle.
constexpr uint64_t kSlotActive = 1ull << 63;
constexpr uint64_t kSlotMarkMask = (1ull << 40) - 1;
constexpr uint64_t kSlotGenMask = (1ull << 23) - 1;
inline uint64_t MakeSlotValue(uint64_t generation, uint64_t mark) {
  return kSlotActive | ((generation & kSlotGenMask) << 40) | (mark & kSlotMarkMask);
}
inline bool SlotActive(uint64_t v) { return (v & kSlotActive) != 0; }
inline uint64_t SlotGeneration(uint64_t v) { return (v >> 40) & kSlotGenMask; }
inline uint64_t SlotMark(uint64_t v) { return v & kSlotMarkMask; }

// Lock bytes (doc/format/wal-pager.md "Lock bytes"). On the main file, beside
// kAccessLockByte (a read-only descriptor can take them shared):
constexpr uint64_t kWriterLockByte = kLockBytesBase + 1;   // the one read-write handle
// W24: the writer decides on and runs a WAL restart holding it exclusive; another handle pins
// its read mark (and scans the WAL at open) holding it shared.
constexpr uint64_t kRestartLockByte = kLockBytesBase + 3;
// How long a reader waits for a restart in progress, and a writer for readers pinning.
constexpr int64_t kRestartReaderWaitMs = 5000;
constexpr int64_t kRestartWriterWaitMs = 50;
// On the index file (every handle that uses it opened it read-write, so it can take them
// exclusive; F_OFD_SETLK refuses a write lock on a read-only descriptor):
constexpr uint64_t kOpenLockByte = kLockBytesBase + 2;     // shared by every attached handle
constexpr uint64_t kSlotLockBase = kLockBytesBase + 64;    // + slot: X4

// A memory fence for the shared index (X1, X2, X4). GCC refuses std::atomic_thread_fence under
// -fsanitize=thread (-Wtsan, an error with -Werror), so a TSan build uses the full barrier
// __sync_synchronize(), which TSan does not model either way; every other build uses the
// standard fence of the given order.
#if defined(__SANITIZE_THREAD__)
inline void ShmFence(std::memory_order) { __sync_synchronize(); }
#else
inline void ShmFence(std::memory_order order) { std::atomic_thread_fence(order); }
#endif

// How many times a reader retries unequal header copies at once (a writer in the middle of a
// publish), and then for how long it retries them yielding the CPU in between (a publisher
// preempted between copy A and copy B), before it reports kBusy or, if they stay unequal,
// the caller rebuilds (X1).
constexpr int kShmHeaderRetries = 100;
constexpr int64_t kShmHeaderWaitUs = 10000;

// What the read-mark scan of a checkpointer saw (X4).
struct SlotScan {
  uint64_t live = 0;           // live slots of other handles with a pinned snapshot
  uint64_t min_mark = UINT64_MAX;  // smallest mark among live slots of the generation
                                   // (a live slot of another generation counts as mark 0)
  uint64_t max_mark = 0;       // largest mark among live slots of the generation
};

// What identifies a validated header for X1's re-check: its checksum (covering every other
// byte), generation and checkpoint epoch.
struct ShmStamp {
  uint64_t checksum = 0;
  uint64_t generation = 0;
  uint64_t checkpoint_epoch = 0;
};
inline ShmStamp StampOf(const ShmHeader& h) {
  return ShmStamp{h.checksum, h.generation, h.checkpoint_epoch};
}

class ShmIndex {
 public:
  // Opens (creating if missing and writable) path's index and maps it shared.
  static Status Open(io::Env* env, const std::string& shm_path, bool writable,
                     std::unique_ptr<ShmIndex>* out);
  ~ShmIndex();
  ShmIndex(const ShmIndex&) = delete;
  ShmIndex& operator=(const ShmIndex&) = delete;

  bool writable() const { return writable_; }
  // The index file, whose lock bytes (kOpenLockByte, slots) belong to this handle.
  io::File* file() const { return file_.get(); }

  // X1: loads a consistent header. kCorrupt if the copies stay unequal or the checksum,
  // magic, version or file id is wrong after kShmHeaderRetries tries (the caller rebuilds);
  // kNotFound if the index was never published (all zeros).
  Status ReadHeader(uint64_t file_id, ShmHeader* out);
  // The same without a copy: *out points at this index's copy of the header, valid until the
  // next ReadHeader. When neither copy's checksum word changed since the last header it
  // validated, that header is the answer without loading the copies (StillLastValid).
  Status ReadHeader(uint64_t file_id, const ShmHeader** out);
  // W19's re-check after a reader stored its mark and fenced: copy A (which every publish
  // writes first, X1) still carries this generation and checkpoint epoch. Two 8-byte loads:
  // an epoch bump or a new generation that has begun to be published shows in them.
  bool StillPublished(uint64_t generation, uint64_t checkpoint_epoch) const;
  // X1: the published header is still the one stamp was taken of (a publish in progress is
  // only not seen yet): copy B's checksum word, then (acquire) copy A's checksum, generation
  // and checkpoint epoch words hold stamp's values. Four 8-byte loads.
  bool StillStamped(const ShmStamp& stamp) const {
    const uint64_t b = Load(kShmCopyBOffset + offsetof(ShmHeader, checksum));
    ShmFence(std::memory_order_acquire);
    return b == stamp.checksum &&
           Load(kShmCopyAOffset + offsetof(ShmHeader, checksum)) == stamp.checksum &&
           Load(kShmCopyAOffset + offsetof(ShmHeader, generation)) == stamp.generation &&
           Load(kShmCopyAOffset + offsetof(ShmHeader, checkpoint_epoch)) ==
               stamp.checkpoint_epoch;
  }
  // X1: seals and publishes h (writable only).
  void Publish(ShmHeader h);

  // X2/X3: stores entries for frames [first, first + n), growing and remapping as needed.
  Status StoreFrames(uint64_t first, const ShmFrame* frames, size_t n);
  // Makes frames [0, count) readable (remaps over what another handle grew); kCorrupt if the
  // file is shorter than count entries.
  Status MapFrames(uint64_t count);
  ShmFrame LoadFrame(uint64_t index) const;

  // X4: claims a free slot (its lock byte exclusive, value idle) and returns its number,
  // one slot per 64-byte line before any line gets a second; kBusy when every slot is held.
  Status ClaimSlot(int* slot);
  void ReleaseSlot(int slot);
  void SetSlot(int slot, uint64_t value) {  // X5: a release store
    __atomic_store_n(Word(kShmSlotsOffset + 8u * static_cast<uint64_t>(slot)), value,
                     __ATOMIC_RELEASE);
  }
  uint64_t LoadSlot(int slot) const;
  // Scans the slots of other handles for live snapshots of generation (X4); own_slot (-1:
  // none) is skipped (the handle knows its own readers exactly).
  SlotScan ScanSlots(uint64_t generation, int own_slot);

 private:
  ShmIndex(std::unique_ptr<io::File> file, bool writable)
      : file_(std::move(file)), writable_(writable) {}
  Status GrowTo(uint64_t bytes);
  bool StillLastValid(uint64_t file_id) const;
  uint64_t* Word(uint64_t offset) const {
    return reinterpret_cast<uint64_t*>(map_->data() + offset);
  }
  uint64_t Load(uint64_t offset) const { return __atomic_load_n(Word(offset), __ATOMIC_RELAXED); }

  std::unique_ptr<io::File> file_;
  bool writable_;
  std::unique_ptr<io::Mapping> map_;
  uint64_t file_bytes_ = 0;  // bytes this handle knows the file holds (X3)
  // The header ReadHeader validated last and the file id it was checked against: byte-equal
  // copies of it are believed without a second checksum.
  bool has_last_valid_ = false;
  ShmHeader last_valid_{};
  uint64_t last_valid_file_id_ = 0;
};

// Seals h (checksum) in place; HeaderValid checks magic, version, checksum and file id.
void SealShmHeader(ShmHeader* h);
Status ValidateShmHeader(const ShmHeader& h, uint64_t file_id);

}  // namespace wal
}  // namespace pager
