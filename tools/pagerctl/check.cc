// The check of one FILE (check.h).
#include "tools/pagerctl/check.h"

#include "tools/pagerctl/common.h"

namespace pagerctl {

namespace {

int RunCheck(uint32_t format, const char* path, pager_check_report* r) {
  switch (format) {
    case PAGER_FORMAT_FILE:
    case PAGER_FORMAT_FILE_JOURNAL: return pager_file_check(path, r);
    case PAGER_FORMAT_WAL_MAIN:
    case PAGER_FORMAT_WAL_LOG:
    case PAGER_FORMAT_WAL_SHM: return pager_wal_check(path, r);
    case PAGER_FORMAT_WALSEG_SEGMENT:
    case PAGER_FORMAT_WALSEG_DIR: return pager_walseg_check(path, r);
    case PAGER_FORMAT_SNAPSHOT: return pager_snapshot_check(path, r);
    default: return PAGER_ERR_INVALID;
  }
}

}  // namespace

Outcome Examine(const std::string& path) {
  Outcome o;
  o.path = path;
  o.code = DetectOrExplain(path, &o.format, &o.error);
  if (o.code != PAGER_OK) return o;
  pager_check_report_init(&o.report);
  o.code = RunCheck(o.format, path.c_str(), &o.report);
  if (o.code != PAGER_OK) o.error = pager_last_error();
  return o;
}


}  // namespace pagerctl
