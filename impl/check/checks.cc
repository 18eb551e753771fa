// CheckAs: the format gate in front of each component's check (pager.h section "check").
#include "impl/check/checks.h"

#include "pager.h"

namespace pager {

namespace {

const char* FormatName(uint32_t format) {
  switch (format) {
    case PAGER_FORMAT_FILE: return "a page file";
    case PAGER_FORMAT_WAL_MAIN: return "a WAL pager main file";
    case PAGER_FORMAT_WAL_LOG: return "a WAL pager sidecar";
    case PAGER_FORMAT_WALSEG_SEGMENT: return "a WAL segment";
    case PAGER_FORMAT_WALSEG_DIR: return "a WAL segment directory";
    case PAGER_FORMAT_SNAPSHOT: return "a KV-cache snapshot";
    default: return "not a libpager file";
  }
}

bool Accepts(uint32_t want, uint32_t found) {
  if (want == PAGER_FORMAT_WAL_MAIN) return found == want || found == PAGER_FORMAT_WAL_LOG;
  if (want == PAGER_FORMAT_WALSEG_SEGMENT) return found == want || found == PAGER_FORMAT_WALSEG_DIR;
  return found == want;
}

const std::string kWalSuffix = "-wal";

}  // namespace

Status CheckAs(io::Env* env, const std::string& path, uint32_t format, CheckReport* r) {
  uint32_t found = PAGER_FORMAT_UNKNOWN;
  PAGER_RETURN_IF_ERROR(DetectFormat(env, path, &found));
  if (!Accepts(format, found)) {
    return InvalidArgument(path + " is " + FormatName(found) + ", not " + FormatName(format));
  }
  switch (format) {
    case PAGER_FORMAT_FILE: return file::CheckPageFile(env, path, r);
    case PAGER_FORMAT_WAL_MAIN: {
      bool sidecar = found == PAGER_FORMAT_WAL_LOG && path.size() > kWalSuffix.size() &&
                     path.compare(path.size() - kWalSuffix.size(), kWalSuffix.size(), kWalSuffix) == 0;
      if (found == PAGER_FORMAT_WAL_LOG && !sidecar) {
        return InvalidArgument(path + " is a WAL pager sidecar whose name does not end in -wal");
      }
      return wal::CheckWal(env, sidecar ? path.substr(0, path.size() - kWalSuffix.size()) : path, r);
    }
    case PAGER_FORMAT_WALSEG_SEGMENT: return walseg::CheckWalseg(env, path, found == PAGER_FORMAT_WALSEG_DIR, r);
    case PAGER_FORMAT_SNAPSHOT: return snapshot::CheckSnapshot(env, path, r);
    default: return Internal("CheckAs: format " + std::to_string(format));
  }
}

}  // namespace pager
