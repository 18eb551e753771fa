// The read-only checks of every format (pager.h section "check"); each lives beside its
// component's readers (impl/<component>/check.cc). See impl/common/check_report.h (K1, K2).
#pragma once

#include <string>

#include "impl/common/check_report.h"

namespace pager {
namespace file {
Status CheckPageFile(io::Env* env, const std::string& path, CheckReport* r);
}
namespace wal {
Status CheckWal(io::Env* env, const std::string& path, CheckReport* r);
}
namespace walseg {
// is_dir: path is a directory of segments (else one segment file).
Status CheckWalseg(io::Env* env, const std::string& path, bool is_dir, CheckReport* r);
}
namespace snapshot {
Status CheckSnapshot(io::Env* env, const std::string& path, CheckReport* r);
}
}  // namespace pager

namespace pager {
// The check of `format` (PAGER_FORMAT_FILE, _WAL_MAIN, _WALSEG_SEGMENT or _SNAPSHOT) on path,
// after DetectFormat confirmed the path holds that format (kInvalid naming what it holds
// otherwise). A WAL pager is checked from its main file; the sidecar's path is accepted
// (its "-wal" is dropped), and so is a page file's journal for _FILE (its "-journal" is
// dropped; a format-2 page file's report describes its journal). A segment directory is
// accepted for _WALSEG_SEGMENT.
Status CheckAs(io::Env* env, const std::string& path, uint32_t format, CheckReport* r);
}  // namespace pager
