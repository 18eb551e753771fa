// CheckPageFile: the read-only check of a page file (pager_file_check). The superblock and
// both metas are examined first, to name the damaged bytes; then the file is opened read-only
// through PageFile::Open, whose recovery verifies everything else (doc/format/page-file.md,
// "Recovery"): the bitmap and directory copies, the state root, every protected page's
// content checksum and the meta's counters. A read-only open writes nothing (K1).
#include <algorithm>
#include <cstddef>
#include <cstring>

#include "impl/check/checks.h"
#include "impl/common/bytes.h"
#include "impl/file/journal_overlay.h"
#include "impl/file/page_file.h"
#include "pager.h"

namespace pager {
namespace file {

namespace {

// What check.cc decides about the meta slot recovery did not use (doc/format/page-file.md,
// "What check reports"). Invariants:
//   C1. A slot is "interrupted" only if some crash of the protocol (P2, P3) can leave exactly
//       those bytes beside the recovered meta of generation R: the meta of the next commit
//       (generation R + 1), an epoch meta repeating R (generation > R + 1) whose zeroing of
//       leftover copies did not land, or a torn write (512-byte sectors land independently)
//       of either over what the slot held before.
//   C2. Everything else a recovery skips is "damage": a checksum-valid page that fails its
//       own checks, a generation equal to R or past R + 1 without repeating R's state, a
//       first sector that is neither an empty slot nor a meta header of this file, and an
//       older meta failing its checksum although nothing past its first sector was written.
//   C3. When the bytes cannot tell a torn write from damage at rest (an older header with a
//       directory table reaching past the first sector), the verdict is recovery's: it
//       ignores the slot, so "interrupted", and the text says it is ambiguous.
constexpr uint64_t kSectorBytes = 512;

struct MetaSlot {
  enum Kind { kEmpty, kValid, kInvalid } kind = kEmpty;
  Meta meta;                 // kValid
  std::string why;           // kInvalid: DecodeMeta's reason
  std::vector<uint8_t> raw;  // the page as read
};

struct Verdict {
  enum Kind { kFine, kInterrupted, kDamage } kind = kFine;
  std::string text;
};

// Reads and decodes both metas. A meta page that is all zeros is an empty slot (a file that
// had one commit only), not damage. *bad_slot is the first kInvalid slot (or -1).
Status ExamineMetas(io::File* f, const SuperblockDisk& sb, uint64_t size, MetaSlot slots[2],
                    int* bad_slot) {
  uint32_t page_size = 1u << sb.page_size_log2;
  *bad_slot = -1;
  for (int s = 0; s < 2; s++) {
    uint64_t off = kMetaPage[s] * page_size;
    if (size < off + page_size) {
      slots[s].kind = MetaSlot::kInvalid;
      slots[s].why = "the file ends at byte " + std::to_string(size) + ", inside meta page " +
                     std::to_string(kMetaPage[s]);
      if (*bad_slot < 0) *bad_slot = s;
      continue;
    }
    slots[s].raw.resize(page_size);
    PAGER_RETURN_IF_ERROR(f->ReadExactAt(off, slots[s].raw.data(), page_size, true));
    if (AllZero(slots[s].raw.data(), page_size)) continue;
    Status st = DecodeMeta(slots[s].raw.data(), sb.page_size_log2, sb.file_id, &slots[s].meta);
    if (st.code() == Code::kVersion) return st;
    slots[s].kind = st.ok() ? MetaSlot::kValid : MetaSlot::kInvalid;
    if (!st.ok()) slots[s].why = st.message();
    if (!st.ok() && *bad_slot < 0) *bad_slot = s;
  }
  return Status::Ok();
}

// An epoch meta repeats the recovered meta's state with a higher generation (P3).
bool RepeatsState(const MetaHeaderDisk& h, const Meta& cur) {
  return h.page_count == cur.page_count && h.used_page_count == cur.used_page_count &&
         h.protected_count == cur.protected_count && h.state_root == cur.state_root &&
         h.dir_page_count == cur.dir_slots.size();
}

MetaHeaderDisk HeaderOf(const Meta& m) {
  MetaHeaderDisk h{};
  h.generation = m.generation;
  h.page_count = m.page_count;
  h.used_page_count = m.used_page_count;
  h.protected_count = m.protected_count;
  h.state_root = m.state_root;
  h.dir_page_count = static_cast<uint32_t>(m.dir_slots.size());
  return h;
}

// C1/C2 for a generation above the recovered one: what the next commit or an epoch writes.
Verdict NewerGeneration(const MetaHeaderDisk& h, const Meta& cur, const std::string& what) {
  uint64_t r = cur.generation;
  std::string gen = std::to_string(h.generation);
  if (h.generation == r + 1) {
    return {Verdict::kInterrupted, what + " of generation " + gen + ", the commit after the "
            "recovered generation " + std::to_string(r) + ": that commit was interrupted"};
  }
  if (RepeatsState(h, cur)) {
    return {Verdict::kInterrupted, what + " of generation " + gen + " repeating the recovered "
            "generation " + std::to_string(r) + "'s state: an epoch commit of a read-write open "
            "was interrupted"};
  }
  return {Verdict::kDamage, what + " of generation " + gen + ", past the recovered " +
          std::to_string(r) + " + 1 without repeating its state: no commit writes that"};
}

// A slot whose page decodes: fine if older (recovery did not need it), else C1/C2.
Verdict ValidSlot(const MetaSlot& m, const Meta& cur, const RecoveryReport& rec) {
  if (m.meta.generation < cur.generation) return {};
  Verdict v = NewerGeneration(HeaderOf(m.meta), cur, "a checksum-valid meta");
  if (v.kind == Verdict::kInterrupted && m.meta.generation > cur.generation + 1 &&
      rec.stale_copies == 0) {
    // An epoch meta that repeats the state verifies unless a leftover copy shadows one of it.
    return {Verdict::kDamage, v.text.substr(0, v.text.find(':')) +
            ", yet rejected with no leftover copy to explain it"};
  }
  v.text += "; rejected: " + rec.rejected_reason;
  if (rec.stale_copies > 0) {
    v.text += " (" + std::to_string(rec.stale_copies) + " copies newer than the recovered meta)";
  }
  return v;
}

// A slot whose page fails DecodeMeta. Sector 0 (the header and the first 24 table entries) is
// either all old or all new after a torn write (C1); a checksum that holds means no tear.
Verdict InvalidSlot(const MetaSlot& m, const SuperblockDisk& sb, const Meta& cur) {
  if (m.raw.empty()) return {Verdict::kDamage, m.why};
  const uint8_t* page = m.raw.data();
  size_t size = m.raw.size();
  MetaHeaderDisk h;
  std::memcpy(&h, page, sizeof h);
  bool torn = PageChecksum(page, size, offsetof(MetaHeaderDisk, checksum), kSeedMeta) != h.checksum;
  bool empty_head = AllZero(page, kSectorBytes);
  if (!empty_head && std::memcmp(h.magic, kMetaMagic, 8) != 0) {
    return {Verdict::kDamage, m.why + " (the first sector is neither an empty slot nor a meta)"};
  }
  if (!empty_head && !torn) {
    return {Verdict::kDamage, m.why + " (with an intact checksum: no crash writes that)"};
  }
  if (!empty_head && (h.format_version != kLayoutVersion ||
                      h.page_size_log2 != sb.page_size_log2 || h.file_id != sb.file_id ||
                      h.reserved0 != 0 || !AllZero(h.reserved, sizeof h.reserved))) {
    return {Verdict::kDamage, m.why + " (a header no commit of this file writes)"};
  }
  uint64_t r = cur.generation;
  if (!empty_head && h.generation > r) {
    Verdict v = NewerGeneration(h, cur, "a torn write of the meta");
    v.text += " (" + m.why + ")";
    return v;
  }
  if (!empty_head && h.generation == r) {
    return {Verdict::kDamage, m.why + " (a second meta of the recovered generation " +
            std::to_string(r) + ")"};
  }
  std::string old = empty_head ? std::string("an empty slot")
                               : "a meta of generation " + std::to_string(h.generation) +
                                     ", older than the recovered " + std::to_string(r);
  uint64_t table_end = sizeof h + uint64_t{empty_head ? 0 : h.dir_page_count} * sizeof(DirSlotsDisk);
  if (table_end <= kSectorBytes && AllZero(page + kSectorBytes, size - kSectorBytes)) {
    return {Verdict::kDamage, old + " fails its checks (" + m.why + ") although no sector "
            "past its first was written: damaged at rest"};
  }
  return {Verdict::kInterrupted, old + " fails its checks (" + m.why + ") with bytes past its "
          "first sector: a torn write of the commit after generation " + std::to_string(r) +
          " whose first sector did not land, or damage at rest in the directory table (the "
          "bytes cannot tell them apart; recovery ignores the slot either way)"};
}

}  // namespace

Status CheckPageFile(io::Env* env, const std::string& path, CheckReport* r) {
  r->format = PAGER_FORMAT_FILE;
  std::unique_ptr<io::File> f;
  PAGER_RETURN_IF_ERROR(env->Open(path, io::OpenOptions{}, &f));
  uint64_t size = 0;
  PAGER_RETURN_IF_ERROR(f->Size(&size));
  r->file_bytes = size;
  uint8_t head[sizeof(SuperblockDisk)] = {};
  size_t got = 0;
  PAGER_RETURN_IF_ERROR(f->ReadAt(0, head, sizeof head, &got));
  SuperblockDisk sb;
  Status st = CheckSuperblock(head, got, &sb);
  if (st.code() == Code::kCorrupt) {
    r->Damage(path, 0, "superblock", st.message());
    return Status::Ok();
  }
  PAGER_RETURN_IF_ERROR(st);
  r->format_version = sb.format_version;
  r->page_size = 1u << sb.page_size_log2;
  // Format 2: judge the state a read-write open would recover, after replaying the journal.
  JournalScan scan;
  if (sb.format_version == kFormatVersion) {
    st = OverlayJournal(env, path, sb.file_id, sb.page_size_log2, kMaxHandleBytes, &f, &scan);
    // kTooLarge: a checksum-valid chain claiming a file no handle can map -- no writer wrote it.
    if (st.code() == Code::kCorrupt || st.code() == Code::kTooLarge) {
      r->Damage(Journal::PathFor(path), st.offset_bytes(), "journal", st.message());
      return Status::Ok();
    }
    PAGER_RETURN_IF_ERROR(st);
    PAGER_RETURN_IF_ERROR(f->Size(&size));
    r->journal_bytes = scan.file_bytes;
    r->journal_batches = scan.batches;
    r->journal_pages = scan.pages;
  }
  int bad_slot = -1;
  MetaSlot slots[2];
  PAGER_RETURN_IF_ERROR(ExamineMetas(f.get(), sb, size, slots, &bad_slot));
  f.reset();

  FileOptions o;
  o.page_size = 0;
  o.read_only = true;
  o.no_mapping = true;
  // A read-only handle never grows the file: reserve address space for what is there (rounded
  // up to 1 MiB), not the 1 TiB default that a ulimit -v or ThreadSanitizer cannot map.
  constexpr uint64_t kMiB = uint64_t{1} << 20;
  o.max_size_bytes = std::max<uint64_t>(kMiB, (size + kMiB - 1) / kMiB * kMiB);
  std::unique_ptr<PageFile> pf;
  st = PageFile::Open(env, path, o, &pf);
  if (st.code() == Code::kCorrupt) {
    // A damaged meta is named at its page; damage deep in the state a valid meta names at
    // the byte recovery located it (Status S3: bitmap byte, directory entry, content page,
    // the meta's own counters), or unknown if recovery could not name one.
    uint64_t off = bad_slot >= 0 ? kMetaPage[bad_slot] * r->page_size : st.offset_bytes();
    r->Damage(path, off, bad_slot >= 0 ? "meta" : "state", st.message());
    return Status::Ok();
  }
  PAGER_RETURN_IF_ERROR(st);
  RecoveryReport rec = pf->recovery_report();
  r->generation = rec.generation;
  PAGER_RETURN_IF_ERROR(pf->PageCount(&r->page_count));
  PAGER_RETURN_IF_ERROR(pf->FreePageCount(&r->free_page_count));
  PAGER_RETURN_IF_ERROR(pf->ProtectedCount(&r->protected_count));
  // The slot recovery did not use: C1..C3. A crash-interrupted commit is not damage.
  int other = 1 - rec.meta_slot;
  const Meta& cur = slots[rec.meta_slot].meta;
  Verdict v;
  if (slots[other].kind == MetaSlot::kValid) v = ValidSlot(slots[other], cur, rec);
  if (slots[other].kind == MetaSlot::kInvalid) v = InvalidSlot(slots[other], sb, cur);
  uint64_t meta_offset = kMetaPage[other] * r->page_size;
  // A meta that verified its own checksum but whose state failed: the offset of the structure
  // recovery found wrong (a bitmap byte, a directory entry, a copy the commit did not land).
  if (slots[other].kind == MetaSlot::kValid && rec.fell_back &&
      rec.rejected_offset != kUnknownOffset) {
    meta_offset = rec.rejected_offset;
  }
  std::string uses = "; recovery uses generation " + std::to_string(rec.generation);
  if (v.kind == Verdict::kDamage) {
    r->Damage(path, meta_offset, "meta", v.text + uses);
  } else if (v.kind == Verdict::kInterrupted) {
    r->Interrupted(path, meta_offset, "meta", v.text + uses);
  } else if (rec.stale_copies > 0) {
    r->Interrupted(path, kUnknownOffset, "copies",
                   std::to_string(rec.stale_copies) + " bitmap or directory copies newer than "
                   "the recovered meta (an interrupted commit; a read-write open zeroes them)");
  }
  if (scan.batches > 0) {  // what the meta slots say comes first; this otherwise
    r->Interrupted(Journal::PathFor(path), kUnknownOffset, "journal",
                   std::to_string(scan.batches) + " committed batches (" +
                       std::to_string(scan.pages) + " page images) are not yet applied to "
                       "the file (a crash before the checkpoint); a read-write open applies "
                       "them, and this check judged the file as it will be after that");
  }
  return Status::Ok();
}

}  // namespace file
}  // namespace pager
