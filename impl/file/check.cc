// CheckPageFile: the read-only check of a page file (pager_file_check). The superblock and
// both metas are examined first, to name the damaged bytes; then the file is opened read-only
// through PageFile::Open, whose recovery verifies everything else (doc/format/page-file.md,
// "Recovery"): the bitmap and directory copies, the state root, every protected page's
// content checksum and the meta's counters. A read-only open writes nothing (K1).
#include <algorithm>

#include "impl/check/checks.h"
#include "impl/file/page_file.h"
#include "pager.h"

namespace pager {
namespace file {

namespace {

bool AllZero(const std::vector<uint8_t>& bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
}

// Reads and decodes both metas. A meta page that is all zeros is an empty slot (a file that
// had one commit only), not damage. *bad_slot is the first slot that is neither (or -1).
Status ExamineMetas(io::File* f, const SuperblockDisk& sb, uint64_t size, int* bad_slot,
                    std::string* why) {
  uint32_t page_size = 1u << sb.page_size_log2;
  std::vector<uint8_t> page(page_size);
  *bad_slot = -1;
  for (int s = 0; s < 2; s++) {
    uint64_t off = kMetaPage[s] * page_size;
    if (size < off + page_size) {
      *bad_slot = s;
      *why = "the file ends at byte " + std::to_string(size) + ", inside meta page " +
             std::to_string(kMetaPage[s]);
      return Status::Ok();
    }
    PAGER_RETURN_IF_ERROR(f->ReadExactAt(off, page.data(), page_size, true));
    if (AllZero(page)) continue;
    Meta m;
    Status st = DecodeMeta(page.data(), sb.page_size_log2, sb.file_id, &m);
    if (st.code() == Code::kVersion) return st;
    if (!st.ok() && *bad_slot < 0) {
      *bad_slot = s;
      *why = st.message();
    }
  }
  return Status::Ok();
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
  int bad_slot = -1;
  std::string why;
  PAGER_RETURN_IF_ERROR(ExamineMetas(f.get(), sb, size, &bad_slot, &why));
  f.reset();

  FileOptions o;
  o.page_size = 0;
  o.read_only = true;
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
  // A rejected meta next to copies newer than the recovered one is what a crash during a
  // commit leaves (P2, P3): recovery discards it by design. Without such copies no commit
  // was in flight, so the rejected meta was damaged at rest.
  bool rejected = bad_slot >= 0 || rec.fell_back;
  int slot = bad_slot >= 0 ? bad_slot : 1 - rec.meta_slot;
  std::string reason = bad_slot >= 0 ? why : rec.rejected_reason;
  uint64_t meta_offset = kMetaPage[slot] * r->page_size;
  // A meta that decoded but whose state failed: the damaged structure recovery located.
  uint64_t state_offset = bad_slot < 0 && rec.rejected_offset != kUnknownOffset
                              ? rec.rejected_offset
                              : meta_offset;
  if (rejected && rec.stale_copies == 0) {
    r->Damage(path, state_offset, "meta", reason);
  } else if (rejected) {
    r->Interrupted(path, state_offset, "meta",
                   reason + " (with " + std::to_string(rec.stale_copies) +
                       " copies newer than the recovered meta: an interrupted commit; recovery "
                       "uses generation " + std::to_string(rec.generation) + ")");
  } else if (rec.stale_copies > 0) {
    r->Interrupted(path, kUnknownOffset, "copies",
                   std::to_string(rec.stale_copies) + " bitmap or directory copies newer than "
                   "the recovered meta (an interrupted commit; a read-write open zeroes them)");
  }
  return Status::Ok();
}

}  // namespace file
}  // namespace pager
