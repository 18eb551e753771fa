// CheckAs: the format gate in front of each component's check (pager.h section "check").
#include "impl/check/checks.h"

#include "pager.h"

namespace pager {

namespace {

const char* FormatName(uint32_t format) {
  switch (format) {
    case PAGER_FORMAT_FILE: return "a page file";
    case PAGER_FORMAT_FILE_JOURNAL: return "a page file journal";
    case PAGER_FORMAT_WAL_MAIN: return "a WAL pager main file";
    case PAGER_FORMAT_WAL_LOG: return "a WAL pager sidecar";
    case PAGER_FORMAT_WAL_SHM: return "a WAL pager shared index";
    case PAGER_FORMAT_WALSEG_SEGMENT: return "a WAL segment";
    case PAGER_FORMAT_WALSEG_DIR: return "a WAL segment directory";
    case PAGER_FORMAT_SNAPSHOT: return "a KV-cache snapshot";
    default: return "not a libpager file";
  }
}

bool Accepts(uint32_t want, uint32_t found) {
  if (want == PAGER_FORMAT_WAL_MAIN) {
    return found == want || found == PAGER_FORMAT_WAL_LOG || found == PAGER_FORMAT_WAL_SHM;
  }
  if (want == PAGER_FORMAT_WALSEG_SEGMENT) return found == want || found == PAGER_FORMAT_WALSEG_DIR;
  if (want == PAGER_FORMAT_FILE) return found == want || found == PAGER_FORMAT_FILE_JOURNAL;
  return found == want;
}

const std::string kWalSuffix = "-wal";
const std::string kShmSuffix = "-shm";
const std::string kJournalSuffix = "-journal";

bool EndsWith(const std::string& path, const std::string& suffix) {
  return path.size() > suffix.size() &&
         path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

Status CheckAs(io::Env* env, const std::string& path, uint32_t format, CheckReport* r) {
  uint32_t found = PAGER_FORMAT_UNKNOWN;
  PAGER_RETURN_IF_ERROR(DetectFormat(env, path, &found));
  if (!Accepts(format, found)) {
    return InvalidArgument(path + " is " + FormatName(found) + ", not " + FormatName(format));
  }
  switch (format) {
    case PAGER_FORMAT_FILE: {
      if (found == PAGER_FORMAT_FILE) return file::CheckPageFile(env, path, r);  // its journal_* fields too
      if (!EndsWith(path, kJournalSuffix)) {
        return InvalidArgument(path + " is " + FormatName(found) + " whose name does not end in " +
                               kJournalSuffix);
      }
      return file::CheckPageFile(env, path.substr(0, path.size() - kJournalSuffix.size()), r);
    }
    case PAGER_FORMAT_WAL_MAIN: {
      if (found == PAGER_FORMAT_WAL_MAIN) return wal::CheckWal(env, path, r);
      const std::string& suffix = found == PAGER_FORMAT_WAL_LOG ? kWalSuffix : kShmSuffix;
      if (!EndsWith(path, suffix)) {
        return InvalidArgument(path + " is " + FormatName(found) + " whose name does not end in " +
                               suffix);
      }
      return wal::CheckWal(env, path.substr(0, path.size() - suffix.size()), r);
    }
    case PAGER_FORMAT_WALSEG_SEGMENT: return walseg::CheckWalseg(env, path, found == PAGER_FORMAT_WALSEG_DIR, r);
    case PAGER_FORMAT_SNAPSHOT: return snapshot::CheckSnapshot(env, path, r);
    default: return Internal("CheckAs: format " + std::to_string(format));
  }
}

}  // namespace pager
