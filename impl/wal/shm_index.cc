// ShmIndex (X1-X6 in shm_index.h): the `<main>-shm` shared index.
#include "impl/wal/shm_index.h"

#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "impl/common/bytes.h"
#include "impl/io/checksum.h"

namespace pager {
namespace wal {

std::string ShmPath(const std::string& path) { return path + "-shm"; }

namespace {

constexpr size_t kShmChecksumCovered = offsetof(ShmHeader, checksum);

uint64_t ShmHeaderChecksum(const ShmHeader& h) {
  Hasher hasher(kShmSeed);
  hasher.Update(&h, kShmChecksumCovered);
  hasher.Update(h.app_header, kAppHeaderSize);
  return hasher.Digest();
}

// X5: word-wise atomic copies between the shared mapping and private memory.
void LoadWords(const uint64_t* src, void* dst, size_t bytes) {
  uint64_t* d = static_cast<uint64_t*>(dst);
  for (size_t i = 0; i < bytes / 8; i++) d[i] = __atomic_load_n(src + i, __ATOMIC_RELAXED);
}

void StoreWords(uint64_t* dst, const void* src, size_t bytes) {
  const uint64_t* s = static_cast<const uint64_t*>(src);
  for (size_t i = 0; i < bytes / 8; i++) __atomic_store_n(dst + i, s[i], __ATOMIC_RELAXED);
}

}  // namespace

void SealShmHeader(ShmHeader* h) { h->checksum = ShmHeaderChecksum(*h); }

Status ValidateShmHeader(const ShmHeader& h, uint64_t file_id) {
  if (AllZero(&h, sizeof h)) return Status(Code::kNotFound, "shared index never published");
  if (std::memcmp(h.magic, kShmMagic, sizeof kShmMagic) != 0) {
    return Corruption("shared index: bad magic");
  }
  if (h.checksum != ShmHeaderChecksum(h)) return Corruption("shared index: header checksum");
  if (h.format_version != kShmVersion) {
    return Corruption("shared index: version " + std::to_string(h.format_version) +
                      " (this library writes " + std::to_string(kShmVersion) + ")");
  }
  if (h.file_id != file_id) return Corruption("shared index: belongs to another file");
  if (h.backfilled > h.max_frame || h.main_valid_count > h.page_count || h.page_count == 0) {
    return Corruption("shared index: inconsistent counts");
  }
  return Status::Ok();
}

Status ShmIndex::Open(io::Env* env, const std::string& shm_path, bool writable,
                      std::unique_ptr<ShmIndex>* out) {
  io::OpenOptions o;
  o.write = writable;
  o.create = writable;
  std::unique_ptr<io::File> file;
  PAGER_RETURN_IF_ERROR(env->Open(shm_path, o, &file));
  std::unique_ptr<ShmIndex> x(new ShmIndex(std::move(file), writable));
  uint64_t size = 0;
  PAGER_RETURN_IF_ERROR(x->file_->Size(&size));
  if (size < kShmFramesOffset) {
    if (!writable) return Corruption(shm_path + " is shorter than its header area");
    PAGER_RETURN_IF_ERROR(x->GrowTo(kShmFramesOffset));
    size = x->file_bytes_;
  }
  x->file_bytes_ = size;
  const size_t map_len = static_cast<size_t>(size);
  PAGER_RETURN_IF_ERROR(x->file_->Map(kShmReserveBytes, map_len, writable, &x->map_));
  *out = std::move(x);
  return Status::Ok();
}

ShmIndex::~ShmIndex() = default;

// X3: zeros are written (not ftruncate) so every byte a mapping will cover has its block.
Status ShmIndex::GrowTo(uint64_t bytes) {
  uint64_t size = 0;
  PAGER_RETURN_IF_ERROR(file_->Size(&size));
  if (size < bytes) {
    if (!writable_) return Status(Code::kReadOnly, file_->path() + ": cannot grow read-only");
    const uint64_t want = (bytes + kShmGrowBytes - 1) / kShmGrowBytes * kShmGrowBytes;
    if (want > kShmReserveBytes) {
      return Status(Code::kNoSpace, file_->path() + ": shared index is full (" +
                                        std::to_string(kShmReserveBytes) + " bytes)");
    }
    std::vector<uint8_t> zeros(static_cast<size_t>(kShmGrowBytes), 0);
    for (uint64_t at = size; at < want;) {
      const uint64_t n = std::min<uint64_t>(kShmGrowBytes, want - at);
      PAGER_RETURN_IF_ERROR(file_->WriteAt(at, zeros.data(), static_cast<size_t>(n)));
      at += n;
    }
    size = want;
  }
  file_bytes_ = size;
  if (map_ != nullptr && map_->mapped_len() < size) {
    PAGER_RETURN_IF_ERROR(map_->Remap(static_cast<size_t>(size)));
  }
  return Status::Ok();
}

// X1's fast path. The checksum word of copy B, then (acquire) copy A's checksum, generation
// and checkpoint epoch, equal to those of the header this handle validated last: no publish
// has reached either checksum word since (the checksum covers every other byte, so a publish
// of different content changes it), and none has begun to change the two words W19's
// re-check (StillPublished) reads, so that header is still the latest whole one -- a publish
// that began meanwhile is not seen yet, as when the reader came a moment earlier. Four
// 8-byte loads instead of two 320-byte copies and compares.
bool ShmIndex::StillLastValid(uint64_t file_id) const {
  return has_last_valid_ && last_valid_file_id_ == file_id && StillStamped(StampOf(last_valid_));
}

Status ShmIndex::ReadHeader(uint64_t file_id, ShmHeader* out) {
  const ShmHeader* h = nullptr;
  PAGER_RETURN_IF_ERROR(ReadHeader(file_id, &h));
  *out = *h;
  return Status::Ok();
}

Status ShmIndex::ReadHeader(uint64_t file_id, const ShmHeader** out) {
  if (StillLastValid(file_id)) {
    *out = &last_valid_;
    return Status::Ok();
  }
  ShmHeader a, b;
  Status st;
  std::chrono::steady_clock::time_point yielding_since;
  bool unequal = false;
  for (int i = 0;; i++) {
    // X1: unequal copies are a publish in flight. Its publisher may have lost the CPU between
    // copy A and copy B (a shared, loaded machine), so after kShmHeaderRetries tight tries
    // the reader yields and tries again, for up to kShmHeaderWaitUs in all. Equal copies
    // that do not validate are no publish in flight: no waiting for those.
    if (i >= kShmHeaderRetries) {
      if (!unequal) break;
      const auto now = std::chrono::steady_clock::now();
      if (i == kShmHeaderRetries) yielding_since = now;
      if (now - yielding_since > std::chrono::microseconds(kShmHeaderWaitUs)) break;
      std::this_thread::yield();
    }
    LoadWords(Word(kShmCopyBOffset), &b, sizeof b);  // X1: B first, then A
    ShmFence(std::memory_order_acquire);
    LoadWords(Word(kShmCopyAOffset), &a, sizeof a);
    unequal = std::memcmp(&a, &b, sizeof a) != 0;
    if (unequal) {
      st = Corruption(file_->path() + ": header copies differ");
      continue;
    }
    // The bytes this handle validated last (the common case: no publish since) need no
    // second validation.
    if (has_last_valid_ && last_valid_file_id_ == file_id &&
        std::memcmp(&a, &last_valid_, sizeof a) == 0) {
      *out = &last_valid_;
      return Status::Ok();
    }
    st = ValidateShmHeader(a, file_id);
    if (st.ok()) {
      last_valid_ = a;
      last_valid_file_id_ = file_id;
      has_last_valid_ = true;
      *out = &last_valid_;
      return st;
    }
    if (st.code() == Code::kNotFound) return st;
  }
  return st;
}

bool ShmIndex::StillPublished(uint64_t generation, uint64_t checkpoint_epoch) const {
  const uint64_t g = __atomic_load_n(
      Word(kShmCopyAOffset + offsetof(ShmHeader, generation)), __ATOMIC_RELAXED);
  const uint64_t e = __atomic_load_n(
      Word(kShmCopyAOffset + offsetof(ShmHeader, checkpoint_epoch)), __ATOMIC_RELAXED);
  return g == generation && e == checkpoint_epoch;
}

void ShmIndex::Publish(ShmHeader h) {
  SealShmHeader(&h);
  StoreWords(Word(kShmCopyAOffset), &h, sizeof h);  // X1: A first, then B
  ShmFence(std::memory_order_release);
  StoreWords(Word(kShmCopyBOffset), &h, sizeof h);
  ShmFence(std::memory_order_seq_cst);
}

Status ShmIndex::StoreFrames(uint64_t first, const ShmFrame* frames, size_t n) {
  if (n == 0) return Status::Ok();
  const uint64_t end = kShmFramesOffset + (first + n) * sizeof(ShmFrame);
  if (end > map_->mapped_len()) PAGER_RETURN_IF_ERROR(GrowTo(end));
  StoreWords(Word(kShmFramesOffset + first * sizeof(ShmFrame)), frames, n * sizeof(ShmFrame));
  ShmFence(std::memory_order_release);  // X2: before the header counts them
  return Status::Ok();
}

Status ShmIndex::MapFrames(uint64_t count) {
  const uint64_t end = kShmFramesOffset + count * sizeof(ShmFrame);
  if (end <= map_->mapped_len()) return Status::Ok();
  uint64_t size = 0;
  PAGER_RETURN_IF_ERROR(file_->Size(&size));
  if (size < end || end > kShmReserveBytes) {
    return Corruption(file_->path() + " holds " + std::to_string(size) + " bytes, fewer than " +
                      std::to_string(count) + " frame entries");
  }
  file_bytes_ = size;
  return map_->Remap(static_cast<size_t>(size));
}

ShmFrame ShmIndex::LoadFrame(uint64_t index) const {
  ShmFrame f;
  LoadWords(Word(kShmFramesOffset + index * sizeof(ShmFrame)), &f, sizeof f);
  return f;
}

// Slots are probed one per cache line first (0, 8, 16, ..., 248, then 1, 9, ...): a handle
// stores into its slot at every begin and end of a read, so the first 32 handles each
// get a line of their own and readers on different cores never invalidate each other's.
Status ShmIndex::ClaimSlot(int* slot) {
  constexpr uint32_t kSlotsPerLine = 64 / 8;
  constexpr uint32_t kLines = kShmReadSlots / kSlotsPerLine;
  static_assert(kShmSlotsOffset % 64 == 0 && kShmReadSlots % kSlotsPerLine == 0, "layout");
  for (uint32_t k = 0; k < kShmReadSlots; k++) {
    const uint32_t i = (k % kLines) * kSlotsPerLine + k / kLines;
    Status st = file_->LockRange(kSlotLockBase + i, 1, io::LockMode::kExclusive, 0);
    if (st.code() == Code::kBusy) continue;
    PAGER_RETURN_IF_ERROR(st);
    SetSlot(static_cast<int>(i), 0);  // whatever a dead holder left is void (X4)
    *slot = static_cast<int>(i);
    return Status::Ok();
  }
  return Status(Code::kBusy, file_->path() + ": all " + std::to_string(kShmReadSlots) +
                                 " read-mark slots are held by live handles");
}

void ShmIndex::ReleaseSlot(int slot) {
  SetSlot(slot, 0);
  // A failed unlock keeps an idle slot held until the main file closes: harmless (X4).
  (void)file_->UnlockRange(kSlotLockBase + static_cast<uint64_t>(slot), 1);
}

// A release store: the reads made under the mark it replaces come before it (a checkpointer
// that loads the new value may then overwrite those bytes). A reader that raises its
// protection (W19's pin) fences seq_cst after it and before it checks the epoch.
uint64_t ShmIndex::LoadSlot(int slot) const {
  return __atomic_load_n(Word(kShmSlotsOffset + 8u * static_cast<uint64_t>(slot)),
                         __ATOMIC_SEQ_CST);
}

SlotScan ShmIndex::ScanSlots(uint64_t generation, int own_slot) {
  SlotScan scan;
  ShmFence(std::memory_order_seq_cst);
  for (uint32_t i = 0; i < kShmReadSlots; i++) {
    if (static_cast<int>(i) == own_slot) continue;
    const uint64_t v = LoadSlot(static_cast<int>(i));
    if (!SlotActive(v)) continue;
    // X4: a byte we can lock has no live holder; its value is what a dead reader left.
    Status st = file_->LockRange(kSlotLockBase + i, 1, io::LockMode::kExclusive, 0);
    if (st.ok()) {
      // A failed unlock only keeps a dead slot from being claimed until we close.
      (void)file_->UnlockRange(kSlotLockBase + i, 1);
      continue;
    }
    scan.live++;
    const uint64_t mark =
        (SlotGeneration(v) == (generation & kSlotGenMask)) ? SlotMark(v) : uint64_t{0};
    if (mark < scan.min_mark) scan.min_mark = mark;
    if (mark > scan.max_mark) scan.max_mark = mark;
  }
  return scan;
}

}  // namespace wal
}  // namespace pager
