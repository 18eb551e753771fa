// CheckWal: the read-only check of a WAL pager (pager_wal_check). The main file's header
// copies and the sidecar's header are examined first, to name the damaged bytes; then the
// pager is opened read-only through WalPager::Open, which picks the header copy (rows M1-M6
// of doc/format/wal-pager.md), matches the sidecar (S1-S7) and scans the frame chain in
// memory; W11 (main file long enough) is checked last. A read-only open writes nothing and
// creates no sidecar (K1). Then the shared index is described (index_state, index_readers).
#include <cstring>

#include "impl/check/checks.h"
#include "impl/wal/shm_index.h"
#include "impl/wal/wal_pager.h"
#include "pager.h"

namespace pager {
namespace wal {

namespace {

// The first damaged header copy of the main file (-1: none), with why. An all-zero copy is
// an empty slot. kVersion if a copy is of another format version.
Status ExamineMainHeaders(io::File* f, int* bad_slot, std::string* why,
                          CheckReport* r) {
  *bad_slot = -1;
  MainHeaderCopy copies[kHeaderSlotCount] = {};
  size_t got = 0;
  PAGER_RETURN_IF_ERROR(f->ReadAt(0, copies, sizeof copies, &got));
  for (int i = 0; i < 2; i++) {
    Status st = ValidateMainHeader(copies[i], i);
    if (st.code() == Code::kVersion) return st;
    if (st.ok()) {
      r->format_version = copies[i].format_version;
      r->page_size = copies[i].page_size;
    } else if (st.code() != Code::kNotFound && *bad_slot < 0) {
      *bad_slot = i;
      *why = st.message();
    }
  }
  return Status::Ok();
}

// The sidecar's header: Ok if absent, empty or valid; damage otherwise (at its offset 0).
Status ExamineWalHeader(io::Env* env, const std::string& wal_path, bool* damaged,
                        std::string* why, uint64_t* bytes) {
  *damaged = false;
  std::unique_ptr<io::File> f;
  Status st = env->Open(wal_path, io::OpenOptions{}, &f);
  if (st.code() == Code::kNotFound) return Status::Ok();
  PAGER_RETURN_IF_ERROR(st);
  PAGER_RETURN_IF_ERROR(f->Size(bytes));
  WalHeader h{};
  size_t got = 0;
  PAGER_RETURN_IF_ERROR(f->ReadAt(0, &h, sizeof h, &got));
  if (got < sizeof h) return Status::Ok();  // no header yet: "no sidecar" (W10)
  st = ValidateWalHeader(h);
  if (st.code() == Code::kVersion) return st;
  if (!st.ok() && st.code() != Code::kNotFound) {
    *damaged = true;
    *why = st.message();
  }
  return Status::Ok();
}

// The shared index's header as a check sees it (pread, no mapping): kShmHeaderRetries tries
// for byte-equal copies (X1: a live writer may be publishing between the two reads).
bool IndexIsCurrent(io::File* f, const WalPager& p) {
  for (int i = 0; i < kShmHeaderRetries; i++) {
    ShmHeader a{}, b{};
    size_t got_b = 0, got_a = 0;
    if (!f->ReadAt(kShmCopyBOffset, &b, sizeof b, &got_b).ok() ||
        !f->ReadAt(kShmCopyAOffset, &a, sizeof a, &got_a).ok() || got_a < sizeof a ||
        got_b < sizeof b) {
      return false;
    }
    if (std::memcmp(&a, &b, sizeof a) == 0) return p.IndexDescribesScan(a).ok();
  }
  return false;
}

// X4: an active slot is live when its lock byte cannot be taken shared (its owner holds it
// exclusive); a slot whose byte can be taken belongs to nobody and is ignored by every handle.
uint32_t LiveReadMarks(io::File* f) {
  uint64_t slots[kShmReadSlots] = {};
  size_t got = 0;
  if (!f->ReadAt(kShmSlotsOffset, slots, sizeof slots, &got).ok()) return 0;
  uint32_t live = 0;
  for (uint32_t i = 0; i < kShmReadSlots && (i + 1) * sizeof(uint64_t) <= got; i++) {
    if (!SlotActive(slots[i])) continue;
    Status st = f->LockRange(kSlotLockBase + i, 1, io::LockMode::kShared, 0);
    if (st.code() == Code::kBusy) live++;
    if (st.ok()) (void)f->UnlockRange(kSlotLockBase + i, 1);
  }
  return live;
}

// The shared index `<path>-shm` (never damage: every open verifies it and rebuilds what it
// cannot believe). Read-only: pread and shared locks taken and dropped at once (K1).
Status ExamineIndex(io::Env* env, const std::string& path, const WalPager& p, CheckReport* r) {
  std::unique_ptr<io::File> f;
  Status st = env->Open(ShmPath(path), io::OpenOptions{}, &f);
  if (st.code() == Code::kNotFound) {
    r->index_state = PAGER_WAL_INDEX_NONE;
    return Status::Ok();
  }
  PAGER_RETURN_IF_ERROR(st);
  r->index_state = IndexIsCurrent(f.get(), p) ? PAGER_WAL_INDEX_CURRENT : PAGER_WAL_INDEX_STALE;
  r->index_readers = LiveReadMarks(f.get());
  return Status::Ok();
}

}  // namespace

Status CheckWal(io::Env* env, const std::string& path, CheckReport* r) {
  r->format = PAGER_FORMAT_WAL_MAIN;
  std::unique_ptr<io::File> f;
  PAGER_RETURN_IF_ERROR(env->Open(path, io::OpenOptions{}, &f));
  uint64_t main_bytes = 0;
  PAGER_RETURN_IF_ERROR(f->Size(&main_bytes));
  int bad_slot = -1;
  std::string why;
  PAGER_RETURN_IF_ERROR(ExamineMainHeaders(f.get(), &bad_slot, &why, r));
  f.reset();
  const std::string wal_path = WalPath(path);
  bool wal_damaged = false;
  std::string wal_why;
  uint64_t wal_bytes = 0;
  PAGER_RETURN_IF_ERROR(ExamineWalHeader(env, wal_path, &wal_damaged, &wal_why, &wal_bytes));
  r->file_bytes = main_bytes + wal_bytes;

  std::unique_ptr<WalPager> p;
  Options keep;
  keep.keep_index_as_found = true;  // K1: the check writes nothing, the index included
  Status st = WalPager::Open(env, path, AccessMode::kReadOnly, keep, &p);
  uint64_t seq = 0;
  if (st.ok()) st = p->CheckAtRest(&seq);
  if (st.code() == Code::kCorrupt) {
    if (wal_damaged) {
      r->Damage(wal_path, 0, "wal-header", wal_why);
    } else if (bad_slot >= 0) {
      r->Damage(path, uint64_t{kHeaderCopySize} * static_cast<uint64_t>(bad_slot),
                "main-header", st.message());
    } else {
      r->Damage(path, kUnknownOffset, "main-file", st.message());
    }
    return Status::Ok();
  }
  PAGER_RETURN_IF_ERROR(st);
  r->generation = seq;
  r->page_count = p->page_count();
  r->frame_count = p->stats().wal_frames;
  PAGER_RETURN_IF_ERROR(ExamineIndex(env, path, *p, r));
  // A damaged header copy beside a valid one is what a crash while a checkpoint wrote it
  // leaves (W6): the open chose the other copy. A damaged sidecar header that the open
  // accepted (a stale sidecar is ignored) is damage.
  if (wal_damaged) r->Damage(wal_path, 0, "wal-header", wal_why);
  if (bad_slot >= 0) {
    r->Interrupted(path, uint64_t{kHeaderCopySize} * static_cast<uint64_t>(bad_slot),
                   "main-header", why + " (a header write of a checkpoint that did not complete, "
                   "or damage; the open uses the other copy)");
  }
  return Status::Ok();
}

}  // namespace wal
}  // namespace pager
