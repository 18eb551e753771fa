// DetectFormat: which libpager format a path holds, by the magics each format doc defines.
// The constants come from each format's own header (no second copy of a byte map).
#include <cstring>
#include <vector>

#include "impl/common/check_report.h"
#include "impl/file/format.h"
#include "impl/file/journal.h"
#include "impl/snapshot/format.h"
#include "impl/wal/shm_index.h"
#include "impl/wal/wal_format.h"
#include "impl/walseg/format.h"
#include "pager.h"

namespace pager {

namespace {

// Bytes examined: the WAL main file's header copy B starts at 256 and has an 8-byte magic.
constexpr size_t kProbeBytes = wal::kHeaderCopySize + 8;

bool HasMagic(const uint8_t* head, size_t got, size_t offset, const char* magic, size_t len) {
  return got >= offset + len && std::memcmp(head + offset, magic, len) == 0;
}

uint32_t FormatOfBytes(const uint8_t* head, size_t got, const std::string& base_name) {
  if (HasMagic(head, got, 0, file::kSuperblockMagic, 8)) return PAGER_FORMAT_FILE;
  if (HasMagic(head, got, 0, wal::kMainMagic, 8) ||
      HasMagic(head, got, wal::kHeaderCopySize, wal::kMainMagic, 8)) {
    return PAGER_FORMAT_WAL_MAIN;
  }
  if (HasMagic(head, got, 0, wal::kWalMagic, 8)) return PAGER_FORMAT_WAL_LOG;
  if (HasMagic(head, got, 0, wal::kShmMagic, 8)) return PAGER_FORMAT_WAL_SHM;
  if (HasMagic(head, got, 0, file::kJournalMagic, 8)) return PAGER_FORMAT_FILE_JOURNAL;
  if (HasMagic(head, got, 0, snapshot::kHeaderMagic, 8)) return PAGER_FORMAT_SNAPSHOT;
  uint32_t magic = walseg::kRecordMagic;
  if (HasMagic(head, got, offsetof(walseg::RecordHeader, magic),
               reinterpret_cast<const char*>(&magic), sizeof magic)) {
    return PAGER_FORMAT_WALSEG_SEGMENT;
  }
  uint64_t lsn = 0;
  if (got == 0 && walseg::ParseSegmentName(base_name, &lsn)) return PAGER_FORMAT_WALSEG_SEGMENT;
  return PAGER_FORMAT_UNKNOWN;
}

const std::string kJournalSuffix = "-journal";

// "<main>-wal" or "<main>-shm" (a WAL pager's) or "<main>-journal" (a page file's) with a
// non-empty main name: the format that sidecar has, else PAGER_FORMAT_UNKNOWN.
uint32_t SidecarFormatOfName(const std::string& path) {
  const size_t j = kJournalSuffix.size();
  if (path.size() > j && path[path.size() - j - 1] != '/' &&
      path.compare(path.size() - j, j, kJournalSuffix) == 0) {
    return PAGER_FORMAT_FILE_JOURNAL;
  }
  if (path.size() <= 4 || path[path.size() - 5] == '/') return PAGER_FORMAT_UNKNOWN;
  if (path.compare(path.size() - 4, 4, "-wal") == 0) return PAGER_FORMAT_WAL_LOG;
  if (path.compare(path.size() - 4, 4, "-shm") == 0) return PAGER_FORMAT_WAL_SHM;
  return PAGER_FORMAT_UNKNOWN;
}

// The main file's format a sidecar of that format needs, and the suffix its name drops.
uint32_t MainFormatOf(uint32_t sidecar) {
  return sidecar == PAGER_FORMAT_FILE_JOURNAL ? PAGER_FORMAT_FILE : PAGER_FORMAT_WAL_MAIN;
}
size_t SuffixBytesOf(uint32_t sidecar) {
  return sidecar == PAGER_FORMAT_FILE_JOURNAL ? kJournalSuffix.size() : 4;
}

}  // namespace

// A readable file is classified by its first bytes; anything else that lists as a directory
// is one (a directory opens on POSIX but does not read; MemEnv does not open it at all).
Status DetectFormat(io::Env* env, const std::string& path, uint32_t* format) {
  std::unique_ptr<io::File> f;
  uint8_t head[kProbeBytes] = {};
  size_t got = 0;
  Status st = env->Open(path, io::OpenOptions{}, &f);
  if (st.ok()) st = f->ReadAt(0, head, sizeof head, &got);
  if (st.ok()) {
    *format = FormatOfBytes(head, got, walseg::BaseName(path));
    const uint32_t by_name = SidecarFormatOfName(path);
    // W10: a TRUNCATE checkpoint leaves a zero-byte sidecar; X6: an index is never synced, so
    // a crash can leave it empty or garbled. Either is one if its main file is a WAL pager's.
    // A page file's journal after a clean close or a replay begins with zeros (P16), and is
    // empty before the first commit: one if its main file is a page file.
    const bool maybe = (by_name == PAGER_FORMAT_WAL_LOG && got == 0) ||
                       (by_name == PAGER_FORMAT_WAL_SHM && *format == PAGER_FORMAT_UNKNOWN) ||
                       (by_name == PAGER_FORMAT_FILE_JOURNAL && *format == PAGER_FORMAT_UNKNOWN);
    if (*format == PAGER_FORMAT_UNKNOWN && maybe) {
      uint32_t main_format = PAGER_FORMAT_UNKNOWN;
      Status main_st =
          DetectFormat(env, path.substr(0, path.size() - SuffixBytesOf(by_name)), &main_format);
      if (main_st.ok() && main_format == MainFormatOf(by_name)) *format = by_name;
    }
    return Status::Ok();
  }
  std::vector<std::string> names;
  Status listed = env->ListDir(path, &names);
  if (!listed.ok()) {
    // A path that did not open as a file (NOT_FOUND: an Env that opens no directory) but
    // fails to list for another reason exists and cannot be read: that error, not "missing".
    bool exists = st.code() == Code::kNotFound && listed.code() != Code::kNotFound;
    return exists ? listed : st;
  }
  uint64_t lsn = 0;
  *format = PAGER_FORMAT_UNKNOWN;
  for (const std::string& n : names) {
    if (walseg::ParseSegmentName(n, &lsn)) *format = PAGER_FORMAT_WALSEG_DIR;
  }
  return Status::Ok();
}

}  // namespace pager
